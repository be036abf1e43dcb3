"""The one list of recently opened files, shared by File ▸ Recent and the gallery's Recent menu.

It lives in the app settings file (:class:`gui.settings_store.AppSettings`, plain JSON, in the
data dir) and reaches the gallery through :class:`gui.context.AppContext`, so an image opened
in either place is listed in both and survives a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gui.settings_store import RECENT_KINDS, AppSettings

LAST_SAVE_FOLDER_KEY = "last_save_folder"


class RecentFiles(QObject):
    """Recent files (newest first) in ``settings``, written with ``save()`` after each change.

    ``save`` is the window's "write the settings file and report failures" callback; ``None``
    keeps the list in memory only (a tab built on its own in a test or a tool).

    Signals
    -------
    changed()
        The list changed (something added, removed or cleared).
    """

    changed = Signal()

    def __init__(
        self,
        settings: AppSettings,
        parent: QObject | None = None,
        *,
        save: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._save = save

    def entries(self, kinds: tuple[str, ...] = RECENT_KINDS) -> list[dict[str, str]]:
        """``[{"path": str, "kind": str}, ...]`` newest first, only the given ``kinds``."""
        return [item for item in self.settings.recent() if item["kind"] in kinds]

    def add(self, path: str | Path, kind: str) -> None:
        """Put ``path`` (resolved) at the top, once; ``kind`` is one of ``RECENT_KINDS``."""
        self.settings.add_recent(path, kind)
        self._changed()

    def remove(self, path: str | Path) -> None:
        """Forget ``path`` (e.g. the file has gone)."""
        before = self.settings.recent()
        self.settings.remove_recent(str(path))
        if self.settings.recent() != before:
            self._changed()

    def clear(self) -> None:
        """Empty the list."""
        self.settings.clear_recent()
        self._changed()

    def folder(self, kinds: tuple[str, ...] = RECENT_KINDS) -> str | None:
        """The folder of the newest entry of ``kinds`` that still exists, or ``None``."""
        for item in self.entries(kinds):
            folder = Path(item["path"]).parent
            if folder.is_dir():
                return str(folder)
        return None

    def save_folder(self) -> str | None:
        """The folder something was last saved to (PNG exports), if it still exists."""
        value = self.settings.value(LAST_SAVE_FOLDER_KEY)
        return value if isinstance(value, str) and value and Path(value).is_dir() else None

    def remember_save_folder(self, path: str | Path) -> None:
        """Remember the folder of a file that was just saved."""
        self.settings.set_value(LAST_SAVE_FOLDER_KEY, str(Path(path).resolve().parent))
        if self._save is not None:
            self._save()

    def _changed(self) -> None:
        if self._save is not None:
            self._save()
        self.changed.emit()
