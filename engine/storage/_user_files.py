"""Reading files the user names (images, CSV, sessions, networks, videos) without hanging.

``os.path.exists()`` is true for a named pipe (FIFO), and ``open()`` on it then blocks until a
writer appears — forever, and Python cannot even act on SIGTERM while it sits in that system
call. Devices and sockets are just as bad. So every user-named path goes through
:func:`require_regular_file` first: it ``stat``\\ s the path (following symbolic links) and refuses
anything that is not a regular file with a sentence that says what it is instead. It also turns
the ``OSError``\\ s a hostile path produces (a symbolic link loop, a name longer than the file
system allows, a path through a file) into messages a user can act on.

:func:`open_user_file` / :func:`read_user_bytes` then open the file *non-blocking* and check the
open descriptor again (``fstat``), so a file swapped for a FIFO between the check and the open
cannot hang either.

Writing goes through :mod:`engine.storage` (atomic, via a hidden temporary file next to the
target); :func:`check_write_target` and :func:`write_problem` give the sentence about the user's
own path that the temporary file's ``OSError`` does not.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "MAX_NAME_BYTES",
    "UserFileError",
    "check_write_target",
    "open_user_file",
    "read_user_bytes",
    "read_user_text",
    "require_regular_file",
    "write_problem",
]

#: Longest file or folder name most file systems allow (bytes, after UTF-8 encoding).
MAX_NAME_BYTES = 255


class UserFileError(ValueError):
    """A user-named file cannot be read (or written); ``str(err)`` says why in a sentence.

    Attributes
    ----------
    path : str
        The path as given.
    reason : str
        ``"missing"``, ``"not a file"``, ``"link loop"``, ``"name too long"``, ``"permission"``,
        ``"too large"``, ``"unreadable"`` or (writing) ``"unwritable"``.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, message: str) -> None:
        super().__init__(message)
        self.path = str(path)
        self.reason = reason


def _kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(path: Path, what: str, mode: int) -> str:
    why = "" if stat.S_ISDIR(mode) else ": reading it could wait forever"
    return f"The {what} {path} is {_kind_of(mode)}, not a regular file{why}."


def _long_component(path: Path) -> str | None:
    for part in path.parts:
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            return part
    return None


def _os_error(path: Path, what: str, exc: OSError) -> UserFileError:
    """Turn an ``OSError`` from ``stat``/``open`` into a :class:`UserFileError` with a sentence."""
    code = exc.errno
    if code == errno.ELOOP:
        return UserFileError(
            path,
            "link loop",
            f"The {what} {path} cannot be opened: it is a symbolic link loop (the links point "
            "at each other and never reach a file).",
        )
    if code == errno.ENAMETOOLONG:
        part = _long_component(path)
        detail = (
            f"the name {part[:40]}… is {len(os.fsencode(part))} bytes long; file names can be "
            f"at most {MAX_NAME_BYTES} bytes"
            if part is not None
            else "the path is longer than the system allows"
        )
        return UserFileError(path, "name too long", f"The {what} cannot be opened: {detail}.")
    if code == errno.ENOENT:
        if os.path.islink(path):
            return UserFileError(
                path,
                "missing",
                f"The {what} {path} is a symbolic link to {os.readlink(path)}, which does not "
                "exist.",
            )
        return UserFileError(path, "missing", f"The {what} {path} does not exist.")
    if code == errno.ENOTDIR:
        return UserFileError(
            path,
            "missing",
            f"The {what} {path} does not exist: a part of the path is a file, not a folder.",
        )
    if code in (errno.EACCES, errno.EPERM):
        return UserFileError(
            path, "permission", f"The {what} {path} cannot be read: permission denied."
        )
    return UserFileError(
        path, "unreadable", f"The {what} {path} cannot be read: {exc.strerror or exc}."
    )


def require_regular_file(path: str | os.PathLike[str], *, what: str = "file") -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if it names a regular file, else raise.

    Call this before opening anything a user named: it never opens the file, so a FIFO, a
    device or a socket is refused instead of blocking the process.

    Parameters
    ----------
    path
        The path as typed, dropped or restored from a session.
    what
        Words for the message, e.g. ``"image"`` or ``"session file"``.

    Raises
    ------
    UserFileError
        (a ``ValueError``) saying that the file is missing, is a folder, a named pipe, a device
        or a socket, is a symbolic link loop, has a name that is too long, or cannot be read.
    """
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise UserFileError(str(path), "missing", f"path must be a file path, got {path!r}")
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except OSError as exc:
        raise _os_error(p, what, exc) from None
    except ValueError as exc:  # embedded NUL byte
        raise UserFileError(p, "missing", f"The {what} path is not valid: {exc}.") from None
    if not stat.S_ISREG(mode):
        raise UserFileError(p, "not a file", _not_regular(p, what, mode))
    return p


def open_user_file(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int | None = None
) -> BinaryIO:
    """A user-named regular file opened for binary reading, refusing anything that could block.

    The file is checked with :func:`require_regular_file`, opened with ``O_NONBLOCK`` (opening a
    FIFO that way returns at once) and checked again on the open descriptor, which closes the
    race of a file replaced between the check and the open.  For readers that stream a file
    (a compressed IDX file) or read only its start (an image header); the caller closes it.

    Parameters
    ----------
    path, what
        As for :func:`require_regular_file`.
    max_bytes
        Refuse (before reading) a file larger than this.

    Raises
    ------
    UserFileError
        As :func:`require_regular_file`, plus ``"too large"``.
    """
    p = require_regular_file(path, what=what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise _os_error(p, what, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserFileError(p, "not a file", _not_regular(p, what, info.st_mode))
        if max_bytes is not None and info.st_size > max_bytes:
            raise UserFileError(
                p,
                "too large",
                f"The {what} {p.name} is {info.st_size:,} bytes; the limit is {max_bytes:,}.",
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: ordinary reads from here on
        return os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        raise _os_error(p, what, exc) from None
    except BaseException:
        os.close(fd)
        raise


def read_user_bytes(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int | None = None
) -> bytes:
    """The bytes of a user-named regular file, refusing anything that could block or is too big.

    Takes the arguments and raises the errors of :func:`open_user_file`, which opens it; a file
    that grows past ``max_bytes`` while it is read is ``"too large"`` too.
    """
    p = Path(path)
    with open_user_file(path, what=what, max_bytes=max_bytes) as handle:
        try:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        except OSError as exc:
            raise _os_error(p, what, exc) from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew while we read it
        raise UserFileError(
            p, "too large", f"The {what} {p.name} is more than {max_bytes:,} bytes."
        )
    return data


def read_user_text(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int | None = None
) -> str:
    """:func:`read_user_bytes` decoded as UTF-8; a leading byte-order mark is dropped.

    Raises
    ------
    UserFileError
        As :func:`read_user_bytes`, or ``"unreadable"`` when the bytes are not UTF-8 text.
    """
    data = read_user_bytes(path, what=what, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        name = Path(path).name
        raise UserFileError(
            path,
            "unreadable",
            f"The {what} {name} is not UTF-8 text (byte {exc.start}: {exc.reason}).",
        ) from None


def check_write_target(
    path: str | os.PathLike[str], *, what: str = "file", folder_must_exist: bool = True
) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if a file can be written there, else raise.

    Checked before writing so that the message is about the user's path: the atomic writer
    works through a hidden temporary file next to it, and its ``OSError`` names that file.
    ``folder_must_exist=False`` is for writers that create missing folders.

    Raises
    ------
    UserFileError
        ``"name too long"`` (a name over :data:`MAX_NAME_BYTES` bytes), ``"not a file"`` (the
        path is a folder or a FIFO/device), ``"missing"`` (no such folder, or a part of the
        path is a file).
    """
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise UserFileError(str(path), "missing", f"path must be a file path, got {path!r}")
    p = Path(path)
    part = _long_component(p)
    if part is not None:
        raise UserFileError(
            p,
            "name too long",
            f"The {what} cannot be saved as {part[:40]}…: that name is "
            f"{len(os.fsencode(part))} bytes long; file names can be at most {MAX_NAME_BYTES} "
            "bytes.",
        )
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _os_error(p, what, exc) from None
    if mode is not None and not stat.S_ISREG(mode):
        raise UserFileError(
            p, "not a file", f"The {what} cannot be saved as {p}: that is {_kind_of(mode)}."
        )
    if folder_must_exist and not p.parent.is_dir():
        raise UserFileError(
            p, "missing", f"The {what} cannot be saved in {p.parent}: no such folder."
        )
    return p


def write_problem(
    path: str | os.PathLike[str], exc: OSError, *, what: str = "file"
) -> UserFileError:
    """An ``OSError`` from writing ``path`` as a sentence about ``path`` (not the temporary file).

    Returns the :class:`UserFileError` (reason ``"unwritable"``) for the caller to raise.
    """
    p = Path(path)
    if exc.errno == errno.ENAMETOOLONG:
        return UserFileError(
            p, "name too long", f"The {what} cannot be saved as {p}: the path is too long."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "the folder is read-only" if exc.errno == errno.EROFS else "permission denied"
        return UserFileError(p, "unwritable", f"The {what} cannot be saved as {p}: {why}.")
    if exc.errno == errno.ENOSPC:
        return UserFileError(
            p, "unwritable", f"The {what} cannot be saved as {p}: the disk is full."
        )
    if exc.errno == errno.EISDIR:
        return UserFileError(
            p, "not a file", f"The {what} cannot be saved as {p}: that is a folder."
        )
    reason = exc.strerror or type(exc).__name__
    return UserFileError(p, "unwritable", f"The {what} cannot be saved as {p}: {reason}.")
