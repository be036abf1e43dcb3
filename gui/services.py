"""What the app shell's parts need from each other, as small Protocols (no concrete classes).

The menus (:mod:`gui.menus`) and the session manager (:mod:`gui.session`,
:mod:`gui.session_startup`) are built by :class:`gui.main_window.MainWindow` and talk back to
it; they depend on :class:`WindowServices` here instead of importing the window (which imports
them), so the shell has no import circle. ``MainWindow`` satisfies the Protocol structurally;
``tests/test_import_graph.py`` keeps any circle from coming back.

This module imports only leaf modules (widgets, settings, theme, message bar, recent files).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QByteArray, QObject
    from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget

    from gui.message_bar import MessageBar
    from gui.recent_files import RecentFiles
    from gui.settings_store import AppSettings
    from gui.theme import ThemeController
    from gui.widgets import TabPage

__all__ = ["SessionServices", "WindowServices", "as_widget"]


class SessionServices(Protocol):
    """What the menus ask of the session manager (:class:`gui.session.SessionManager`)."""

    session_path: Path | None

    def has_unsaved_changes(self) -> bool:
        """``True`` if a tab changed since the session was last opened or saved."""
        ...

    def open_file(self, path: str | Path) -> bool:
        """Open a session file; ``False`` (and a message) if it could not be used."""
        ...

    def save_to(self, path: str | Path) -> bool:
        """Write the session to ``path``; ``False`` (and a message) if it failed."""
        ...


class WindowServices(Protocol):
    """What menus and sessions need from the main window (a ``QMainWindow``).

    The app-level parts (tabs, message bar, recent files, theme, settings, sessions) plus the
    few ``QMainWindow`` methods they call. Use :func:`as_widget` where a Qt parent is needed.
    """

    pages: dict[str, TabPage]
    tab_widget: QTabWidget
    message_bar: MessageBar
    recent_files: RecentFiles
    theme: ThemeController
    settings: AppSettings
    sessions: SessionServices

    def show_tab(self, key: str) -> None:
        """Make the tab registered under ``key`` the visible one."""
        ...

    def save_settings(self) -> bool:
        """Write the settings file; ``False`` (and a status message) on failure."""
        ...

    def fit_to_screen(self) -> None:
        """Move and shrink the window into its screen's available area."""
        ...

    # The QMainWindow methods the shell's parts call.
    def menuBar(self) -> QMenuBar: ...  # noqa: N802, D102 (Qt names)
    def statusBar(self) -> QStatusBar: ...  # noqa: N802, D102
    def saveGeometry(self) -> QByteArray: ...  # noqa: N802, D102
    def restoreGeometry(self, geometry: QByteArray) -> bool: ...  # noqa: N802, D102
    def setWindowTitle(self, title: str) -> None: ...  # noqa: N802, D102
    def isFullScreen(self) -> bool: ...  # noqa: N802, D102
    def showNormal(self) -> None: ...  # noqa: N802, D102
    def showFullScreen(self) -> None: ...  # noqa: N802, D102
    def close(self) -> bool: ...  # noqa: D102
    def installEventFilter(self, watcher: QObject) -> None: ...  # noqa: N802, D102


def as_widget(window: WindowServices) -> QWidget:
    """``window`` as the Qt parent of actions and dialogs (every window service is a widget)."""
    if not isinstance(window, QWidget):
        raise TypeError(f"a window service must be a QWidget, got {type(window).__name__}")
    return window
