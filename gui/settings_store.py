"""App-wide preferences (theme, recent files) in a versioned JSON file, never QSettings.

QSettings in INI form hands bools and ints back as strings and pickles numpy values that a fresh
process cannot read; a JSON document keeps every type as written. Files are written atomically
and a damaged or future-version file is moved aside (see :mod:`engine.storage`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.storage import (
    SETTINGS_KIND,
    SETTINGS_VERSION,
    LoadResult,
    load_document,
    to_plain_json,
    write_document,
)

THEME_MODES = ("system", "light", "dark")
MAX_RECENT = 10
RECENT_KINDS = ("session", "image", "video")


class AppSettings:
    """Preferences stored in ``<data dir>/settings.json`` (``path=None``: in memory only).

    Call :meth:`load` once; getters then return validated values (defaults for anything missing
    or of the wrong type), setters change memory only and :meth:`save` writes the file.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._values: dict[str, Any] = {}

    def load(self) -> LoadResult:
        """Read the file; a damaged one is moved aside and defaults are used (see ``message``)."""
        if self.path is None:
            raise ValueError("these settings live in memory only (path=None): nothing to load")
        result = load_document(self.path, SETTINGS_KIND, SETTINGS_VERSION, label="settings file")
        self._values = dict(result.data) if result.ok else {}
        return result

    def save(self) -> None:
        """Write the settings atomically; ``OSError`` propagates and the old file stays intact."""
        if self.path is None:
            raise ValueError("these settings live in memory only (path=None): nothing to save")
        write_document(self.path, SETTINGS_KIND, SETTINGS_VERSION, self._values)

    # generic values -------------------------------------------------------------------------
    def value(self, key: str, default: Any = None) -> Any:
        """The stored plain-JSON value of ``key``, or ``default``."""
        return self._values.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        """Store ``value`` (converted to plain JSON types; anything else raises ``ValueError``)."""
        self._values[key] = to_plain_json(value, where=key)

    # typed helpers ---------------------------------------------------------------------------
    @property
    def theme(self) -> str:
        """``"system"``, ``"light"`` or ``"dark"``."""
        mode = self._values.get("theme")
        return mode if mode in THEME_MODES else "system"

    @theme.setter
    def theme(self, mode: str) -> None:
        if mode not in THEME_MODES:
            raise ValueError(f"theme must be one of {THEME_MODES}, got {mode!r}")
        self._values["theme"] = mode

    def recent(self) -> list[dict[str, str]]:
        """Recent files, newest first: ``[{"path": str, "kind": one of RECENT_KINDS}, ...]``."""
        items = self._values.get("recent")
        if not isinstance(items, list):
            return []
        good = [
            {"path": item["path"], "kind": item["kind"]}
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and item.get("kind") in RECENT_KINDS
        ]
        return good[:MAX_RECENT]

    def add_recent(self, path: str | Path, kind: str) -> None:
        """Put ``path`` at the top of the recent list (once), keeping at most ``MAX_RECENT``."""
        if kind not in RECENT_KINDS:
            raise ValueError(f"kind must be one of {RECENT_KINDS}, got {kind!r}")
        text = str(Path(path).resolve())
        items = [item for item in self.recent() if item["path"] != text]
        self._values["recent"] = [{"path": text, "kind": kind}, *items][:MAX_RECENT]

    def remove_recent(self, path: str) -> None:
        """Drop ``path`` from the recent list (e.g. the file has gone)."""
        self._values["recent"] = [item for item in self.recent() if item["path"] != path]

    def clear_recent(self) -> None:
        """Empty the recent list."""
        self._values["recent"] = []
