"""KernelScope's main window: a tab widget filled from the tab registry, and a status bar."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from gui.context import AppContext
from gui.tab_registry import TABS, TabSpec
from gui.widgets import TabPage


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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("KernelScope")
        self.context = context if context is not None else AppContext(self)
        self.context.status_requested.connect(self._show_status)
        self.tab_widget = QTabWidget(self)
        self.tab_widget.setObjectName("mainTabs")
        self.tab_widget.setDocumentMode(True)
        self.setCentralWidget(self.tab_widget)
        self.pages: dict[str, TabPage] = {}
        for spec in tabs:
            page = spec.build(self.tab_widget, self.context)
            self.pages[spec.key] = page
            self.tab_widget.addTab(page, spec.title)
        self._active: TabPage | None = None
        self.tab_widget.currentChanged.connect(self._on_tab_changed)
        self._build_actions()
        self.statusBar().setObjectName("statusBar")
        self.resize(1280, 860)
        self._shut_down = False
        self._on_tab_changed(self.tab_widget.currentIndex())

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setObjectName("actionQuit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

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
        """Shut every tab down before the window goes, so no thread outlives it."""
        self.closing.emit()
        self.shutdown()
        super().closeEvent(event)
