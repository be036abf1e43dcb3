"""KernelScope's main window: a tab widget filled from the tab registry, menus, a status bar.

Sessions (:mod:`gui.session`), menus (:mod:`gui.menus`), theme (:mod:`gui.theme`), settings
(:mod:`gui.settings_store`) and the error dialog (:mod:`gui.error_reporting`) live in their own
modules; the window only wires them together.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.error_reporting import ErrorReporter
from gui.menus import AppMenus
from gui.message_bar import MessageBar
from gui.recent_files import RecentFiles
from gui.session import SessionManager
from gui.settings_store import AppSettings
from gui.tab_registry import TABS, TabSpec
from gui.theme import ThemeController
from gui.widgets import TabPage


def default_data_dir() -> Path:
    """The platform's app-data folder (``QStandardPaths.AppDataLocation``).

    On Linux ``$XDG_DATA_HOME/<organisation>/<application>`` (``~/.local/share/...``), on
    Windows ``%APPDATA%``, on macOS ``~/Library/Application Support``.
    """
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) if location else Path.home() / ".kernelscope"


class MainWindow(QMainWindow):
    """The application window.

    Tabs come from :data:`gui.tab_registry.TABS`; the window tells the visible tab when it is
    activated or deactivated and shuts every tab down (threads, timers) before it closes.
    """

    closing = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        context: AppContext | None = None,
        tabs: tuple[TabSpec, ...] = TABS,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("KernelScope")
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.settings = AppSettings(self.data_dir / "settings.json")
        self.settings_load = self.settings.load()
        # One recent-files list in the settings file, shared with the tabs via the context.
        self.recent_files = RecentFiles(self.settings, self, save=self.save_settings)
        self.context = (
            context if context is not None else AppContext(self, recent_files=self.recent_files)
        )
        self.context.status_requested.connect(self._show_status)
        self.tab_widget = QTabWidget(self)
        self.tab_widget.setObjectName("mainTabs")
        self.tab_widget.setDocumentMode(True)
        self.message_bar = MessageBar(self)
        central = QWidget(self)
        central.setObjectName("centralArea")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.tab_widget, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, TabPage] = {}
        for spec in tabs:
            page = spec.build(self.tab_widget, self.context)
            self.pages[spec.key] = page
            self.tab_widget.addTab(page, spec.title)
        self._active: TabPage | None = None
        self.tab_widget.currentChanged.connect(self._on_tab_changed)
        self.statusBar().setObjectName("statusBar")
        self.theme = ThemeController(self, mode=self.settings.theme)
        self.sessions = SessionManager(self, self.data_dir)
        self.errors = ErrorReporter(self.data_dir / "logs" / "kernelscope-errors.log", self)
        self.menus = AppMenus(self)
        if not self.settings_load.ok and self.settings_load.message:
            self.message_bar.show_message(self.settings_load.message, kind="warning")
        self.resize(1280, 860)
        self._shut_down = False
        self._on_tab_changed(self.tab_widget.currentIndex())

    def save_settings(self) -> bool:
        """Write the settings file; on failure say so in the status bar (old file kept)."""
        try:
            self.settings.save()
        except (OSError, ValueError) as exc:
            self.statusBar().showMessage(
                f"Could not write {self.settings.path}: {exc}. The previous settings are kept.", 0
            )
            return False
        return True

    def page(self, key: str) -> TabPage:
        """The tab widget registered under ``key`` (e.g. ``"matrix"``)."""
        return self.pages[key]

    def show_tab(self, key: str) -> None:
        """Make the tab registered under ``key`` the visible one."""
        self.tab_widget.setCurrentWidget(self.pages[key])

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        page = self.tab_widget.widget(index)
        if self._active is not None and self._active is not page:
            self._active.deactivate()
        self._active = page if isinstance(page, TabPage) else None
        if self._active is not None:
            self._active.activate()

    @Slot(str, int)
    def _show_status(self, message: str, timeout_ms: int) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def shutdown(self) -> None:
        """Stop every tab's threads and timers; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        for page in self.pages.values():
            page.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Save the session, then shut every tab down: no work lost, no thread outlives it."""
        self.closing.emit()
        self.sessions.finish()
        self.errors.close_dialog()
        self.menus.close_dialogs()
        self.shutdown()
        super().closeEvent(event)
