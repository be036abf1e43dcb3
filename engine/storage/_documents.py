"""Versioned JSON documents (sessions, settings): written atomically, read defensively.

:func:`load_document` reads a ``{"kind", "version", "data"}`` document. A file that is not JSON,
not of the expected kind, or written by a newer KernelScope (future ``version``) is moved aside
as ``<name>.<reason>-<timestamp><suffix>`` so the caller can start with defaults and say so.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.checks import is_int
from engine.storage._atomic import atomic_write_text, rename_file
from engine.storage._plain_json import parse_json, to_plain_json
from engine.storage._user_files import UserFileError, read_user_bytes

__all__ = [
    "SESSION_KIND",
    "SESSION_VERSION",
    "SETTINGS_KIND",
    "SETTINGS_VERSION",
    "DocumentError",
    "LoadResult",
    "document_text",
    "load_document",
    "move_aside",
    "parse_document",
    "write_document",
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


def document_text(kind: str, version: int, data: dict[str, Any]) -> str:
    """The JSON text of a ``{"kind", "version", "data"}`` document (``data`` made plain)."""
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"kind must be a non-empty string, got {kind!r}")
    if not is_int(version) or version < 1:
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
    if not is_int(version) or version < 1:
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
