"""The engine's one file writer: atomic replaces and renames.

A temporary file in the target folder, ``fsync``ed and ``os.replace``d over the target, so the
old file stays intact until the new one is complete; permissions follow the old file or the
umask. :func:`rename_file` is the one rename; :func:`write_files` replaces several files all or
nothing. ``tests/test_architecture.py`` checks that no other engine module writes or renames a
file itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "rename_file",
    "save_text",
    "write_files",
]


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); folders cannot be opened this way on Windows."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some file systems refuse to open folders; the rename itself has happened
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


#: Bytes the temporary name adds to the target's: ".", ".", 8 hex digits, ".tmp".
_TEMPORARY_EXTRA = 14
_MAX_NAME_BYTES = 255


def _temporary_stem(name: str) -> str:
    """``name`` shortened (on a character boundary) so the temporary name fits in 255 bytes.

    Without this a target name of 242-255 bytes, legal on its own, could never be written.
    """
    limit = _MAX_NAME_BYTES - _TEMPORARY_EXTRA
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


def _create_temporary(target: Path) -> tuple[int, str]:
    """Open a new, empty temporary file next to ``target``; return its descriptor and path.

    Unlike :func:`tempfile.mkstemp` (always 0600) the file is created with mode 0666, so the
    user's umask decides its permissions exactly as for any other file the user creates.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    stem = _temporary_stem(target.name)
    for _ in range(100):
        name = str(target.parent / f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name next to {target}")


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, make_parents: bool = True
) -> None:
    """Replace ``path`` with ``data`` so that it is either fully old or fully new.

    This is the engine's one way to write a file. The bytes go into a temporary file in the
    same folder, which is flushed, ``fsync``ed and renamed over ``path`` with ``os.replace``;
    the folder is ``fsync``ed too where the platform allows it. A file that already exists keeps
    its permission bits; a new file gets the user's umask default (e.g. 0644 under umask 022).

    Parameters
    ----------
    path
        The file to write.
    data
        Its complete new content.
    make_parents
        Create missing folders (sessions, settings). Exports to a path the user picked pass
        ``False``, so a typo in a folder name is an error instead of a new folder.

    Raises
    ------
    OSError
        Disk full, file too large, no permission, missing folder (``make_parents=False``), or
        ``path`` is a folder. The temporary file is removed first; ``path`` is then untouched.
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp_name = _write_temporary(target, data)
    try:
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_folder(target.parent)


def _write_temporary(target: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``target`` (flushed and ``fsync``ed, with
    ``target``'s permission bits if it exists); return its name. Nothing is left on failure."""
    try:
        existing_mode: int | None = target.stat().st_mode & 0o777
    except OSError:
        existing_mode = None
    fd, tmp_name = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            if existing_mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), existing_mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return tmp_name


def write_files(
    files: Sequence[tuple[str | os.PathLike[str], bytes]], *, make_parents: bool = False
) -> None:
    """Replace several files all or nothing (a worksheet and its answer key).

    Every file is first written to a temporary beside it; only when all are complete are they
    renamed into place. If a rename fails (a folder where a file should go, a name over 255
    bytes), the files already replaced get their old content back (or are removed if they did
    not exist), so the user never gets a sheet without its key. Meant for exports of modest size:
    the old content is held in memory for that. Folders must exist unless ``make_parents``.

    Raises
    ------
    OSError
        The first failure; every file is then as it was before the call.
    """
    targets = [(Path(path), data) for path, data in files]
    temporaries: list[str] = []
    try:
        for target, data in targets:
            if make_parents:
                target.parent.mkdir(parents=True, exist_ok=True)
            temporaries.append(_write_temporary(target, data))
        # What to put back if a later rename fails (the last file's rename needs no undo).
        old = [target.read_bytes() if target.is_file() else None for target, _ in targets[:-1]]
    except BaseException:
        _remove(temporaries)
        raise
    replaced: list[Path] = []
    try:
        for (target, _), tmp_name in zip(targets, temporaries, strict=True):
            os.replace(tmp_name, target)
            replaced.append(target)
    except BaseException:
        _remove(temporaries[len(replaced) :])
        for target, content in zip(replaced, old, strict=False):
            with contextlib.suppress(OSError):
                if content is None:
                    os.unlink(target)
                else:
                    atomic_write_bytes(target, content, make_parents=False)
        raise
    for folder in {target.parent for target, _ in targets}:
        _fsync_folder(folder)


def _remove(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(name)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, make_parents: bool = True
) -> None:
    """Replace ``path`` with ``text`` encoded as UTF-8 (``\n`` line ends, no BOM).

    Same guarantees and parameters as :func:`atomic_write_bytes`.
    """
    atomic_write_bytes(path, text.encode("utf-8"), make_parents=make_parents)


def save_text(path: str | os.PathLike[str], text: str) -> None:
    """Export ``text`` (UTF-8) to a file the user picked, atomically (:func:`atomic_write_text`).

    Unlike session and settings files, the folder must exist: a mistyped folder is an
    ``OSError`` rather than a new folder.
    """
    atomic_write_text(path, text, make_parents=False)


def rename_file(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Rename ``source`` to ``target`` atomically (``os.replace``) and make it durable."""
    os.replace(source, target)
    _fsync_folder(Path(target).parent)
