"""Atomic file writes, and versioned JSON documents (sessions, settings) read defensively.

Nothing here knows about Qt: the GUI decides *where* files live and *when* to write them; this
module decides *how*, so that a crash, a full disk or a hand-edited file never costs the user the
last good copy.

- :func:`atomic_write_bytes` / :func:`atomic_write_text` are the engine's one file writer: a
  temporary file in the target folder, ``fsync``ed and ``os.replace``d over the target, so the old
  file stays intact until the new one is complete; permissions follow the old file or the umask.
  :func:`rename_file` is the one rename; :func:`write_files` replaces several files all or
  nothing. ``tests/test_architecture.py`` keeps it that way.
- :func:`load_document` reads a ``{"kind", "version", "data"}`` document. A file that is not JSON,
  not of the expected kind, or written by a newer KernelScope (future ``version``) is moved aside
  as ``<name>.<reason>-<timestamp><suffix>`` so the caller can start with defaults and say so.
- :func:`to_plain_json` turns numpy scalars/arrays and tuples into plain JSON types and refuses
  anything else, so nothing that a fresh process cannot read back is ever stored.
- :func:`parse_json` is the engine's one JSON reader: whatever is wrong with the text (not JSON,
  nested too deeply, a whole number of thousands of digits) is one ``ValueError`` in words.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine._plain_json import MAX_JSON_INT_DIGITS, parse_json, to_plain_json
from engine._session_data import make_session_data, normalize_session_data
from engine.user_files import UserFileError, read_user_bytes

__all__ = [
    "MAX_JSON_INT_DIGITS",
    "SESSION_KIND",
    "SESSION_VERSION",
    "SETTINGS_KIND",
    "SETTINGS_VERSION",
    "DocumentError",
    "LoadResult",
    "atomic_write_bytes",
    "atomic_write_text",
    "document_text",
    "load_document",
    "make_session_data",
    "move_aside",
    "normalize_session_data",
    "parse_document",
    "parse_json",
    "rename_file",
    "save_text",
    "to_plain_json",
    "write_document",
    "write_files",
]

SESSION_KIND = "kernelscope-session"
SESSION_VERSION = 1
SETTINGS_KIND = "kernelscope-settings"
SETTINGS_VERSION = 1


class DocumentError(ValueError):
    """A document file that cannot be used: not JSON, wrong kind, bad shape or future version."""


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_document` found.

    Attributes
    ----------
    status
        ``"ok"`` (``data`` is the payload), ``"missing"`` (no file), ``"corrupt"`` (unreadable or
        wrong shape, moved aside) or ``"future"`` (newer schema version, moved aside).
    data
        The document's ``data`` dict for ``"ok"``, else an empty dict.
    backup
        Where a corrupt/future file was moved, else ``None``.
    message
        A sentence for the user (empty for ``"ok"`` and ``"missing"``).
    """

    status: str
    data: dict[str, Any]
    backup: Path | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """``True`` when the file was read and its payload is in :attr:`data`."""
        return self.status == "ok"


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
    files: list[tuple[str | os.PathLike[str], bytes]], *, make_parents: bool = False
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


def document_text(kind: str, version: int, data: dict[str, Any]) -> str:
    """The JSON text of a ``{"kind", "version", "data"}`` document (``data`` made plain)."""
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"kind must be a non-empty string, got {kind!r}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version must be a positive int, got {version!r}")
    if not isinstance(data, dict):
        raise ValueError(f"data must be a dict, got {type(data).__name__}")
    document = {"kind": kind, "version": version, "data": to_plain_json(data, where="data")}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def write_document(path: str | os.PathLike[str], kind: str, version: int, data: dict) -> None:
    """Write ``data`` as a versioned document to ``path`` atomically (:func:`atomic_write_text`)."""
    atomic_write_text(path, document_text(kind, version, data))


def parse_document(text: str, kind: str, max_version: int) -> dict[str, Any]:
    """Check a document's text and return its ``data``.

    Raises
    ------
    DocumentError
        With ``reason`` attribute ``"corrupt"`` (not JSON, wrong kind or shape) or ``"future"``
        (``version`` greater than ``max_version``).
    """
    try:
        document = parse_json(text)
    except ValueError as exc:
        raise _error("corrupt", str(exc)) from None
    if not isinstance(document, dict):
        raise _error("corrupt", "the top level is not a JSON object")
    if document.get("kind") != kind:
        raise _error("corrupt", f"kind is {document.get('kind')!r}, expected {kind!r}")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _error("corrupt", f"version {version!r} is not a positive integer")
    if version > max_version:
        raise _error(
            "future",
            f"written by a newer KernelScope (schema version {version}, this one reads "
            f"up to {max_version})",
        )
    data = document.get("data")
    if not isinstance(data, dict):
        raise _error("corrupt", "its 'data' entry is not a JSON object")
    return data


def _error(reason: str, message: str) -> DocumentError:
    error = DocumentError(message)
    error.reason = reason  # type: ignore[attr-defined]
    return error


def move_aside(path: str | os.PathLike[str], reason: str) -> Path:
    """Rename ``path`` to ``<stem>.<reason>-<YYYYmmdd-HHMMSS>[-n]<suffix>``; return that path."""
    source = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        extra = f"-{n}" if n else ""
        candidate = source.with_name(f"{source.stem}.{reason}-{stamp}{extra}{source.suffix}")
        if not candidate.exists():
            rename_file(source, candidate)
            return candidate
    raise OSError(f"no free backup name for {source}")


def load_document(
    path: str | os.PathLike[str],
    kind: str,
    max_version: int,
    *,
    label: str = "file",
    move: bool = True,
) -> LoadResult:
    """Read a versioned document; move a corrupt or future-version file aside.

    Parameters
    ----------
    path
        The file to read.
    kind
        Expected ``kind`` entry (e.g. :data:`SESSION_KIND`).
    max_version
        Highest schema version this program understands.
    label
        Words for the user's message, e.g. ``"session file"``.
    move
        Move an unusable file aside (the app's own autosave and settings, so the next start
        does not trip over it again). ``False`` for a file the user named (Open session…,
        ``--session``): it is never renamed, only refused with a message.

    Returns
    -------
    LoadResult
        Never raises for bad content; an ``OSError`` other than "file not found" (e.g. the file is
        a folder or unreadable) is reported as ``"corrupt"`` without moving anything.
    """
    source = Path(path)
    try:  # a FIFO or a device would block open() forever: refused before opening
        raw = read_user_bytes(source, what=label)
    except UserFileError as exc:
        if exc.reason == "missing" and not os.path.lexists(source):
            return LoadResult("missing", {})
        return LoadResult("corrupt", {}, None, f"{exc} It cannot be read and was left as it is.")
    try:  # utf-8-sig: a byte-order mark from a Windows editor is not damage
        data = parse_document(raw.decode("utf-8-sig"), kind, max_version)
    except UnicodeDecodeError as exc:
        error = _error("corrupt", f"not UTF-8 text ({exc.reason})")
        return _moved(source, error, label) if move else _refused(source, error, label)
    except DocumentError as exc:
        return _moved(source, exc, label) if move else _refused(source, exc, label)
    return LoadResult("ok", data)


def _refused(source: Path, error: DocumentError, label: str) -> LoadResult:
    reason = getattr(error, "reason", "corrupt")
    what = f"is damaged: {error}" if reason == "corrupt" else f"is {error}"
    message = f"The {label} {source.name} {what}. It was not opened and is left as it is."
    return LoadResult(reason, {}, None, message)


def _moved(source: Path, error: DocumentError, label: str) -> LoadResult:
    reason = getattr(error, "reason", "corrupt")
    backup: Path | None = None
    try:
        moved = move_aside(source, reason)
        backup, where = moved, f" It was kept as {moved.name}."
    except OSError as exc:
        backup = None
        where = f" It could not be moved aside ({exc})."
    message = f"The {label} {source.name} is {error}; starting with defaults.{where}"
    if reason == "corrupt":
        message = f"The {label} {source.name} is damaged: {error}; starting with defaults.{where}"
    return LoadResult(reason, {}, backup, message)
