"""KernelScope's main window: a tab widget filled from the tab registry, menus, a status bar.

Sessions (:mod:`gui.session`), menus (:mod:`gui.menus`), theme (:mod:`gui.theme`), settings
(:mod:`gui.settings_store`) and the error dialog (:mod:`gui.error_reporting`) live in their own
modules; the window only wires them together. They see it as
:class:`gui.services.WindowServices` and never import this module (no import circle).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QStandardPaths, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.error_reporting import ErrorReporter
from gui.menus import AppMenus
from gui.message_bar import MessageBar
from gui.recent_files import RecentFiles
from gui.services import KernelReceiver, NetworkReceiver
from gui.session import SessionManager
from gui.settings_store import AppSettings
from gui.tab_registry import TABS, PendingTab, TabSpec
from gui.theme import ThemeController
from gui.widgets import TabPage

if TYPE_CHECKING:
    import numpy as np

#: After the window is shown, one pending tab is built every this many ms (idle time).
IDLE_BUILD_DELAY_MS = 400
#: The window's size at a first start, made smaller on a screen that has less room.
DEFAULT_SIZE = (1280, 860)


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
        self.context.kernel_opened.connect(self._open_kernel_in_matrix)
        self.context.network_sent.connect(self._send_network_to_train)
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
        # No tab is built now: each waits as a PendingTab (holding restored state) until it is
        # shown (the current one when the window is), asked for by page(), or built when the
        # app is idle after showing. A first start that opens on the gallery builds only it.
        self.pages: dict[str, TabPage] = {}
        self._shut_down = False
        self._force_close = False  # --quit-after, SIGTERM/SIGINT: nobody to ask
        for spec in tabs:
            page: TabPage = PendingTab(spec, self._build_page, self.tab_widget)
            self.pages[spec.key] = page
            self.tab_widget.addTab(page, spec.title)
        self._idle_builds = QTimer(self)
        self._idle_builds.setObjectName("idleTabBuilds")
        self._idle_builds.setSingleShot(True)
        self._idle_builds.setInterval(IDLE_BUILD_DELAY_MS)
        self._idle_builds.timeout.connect(self._build_next_pending)
        self._active: TabPage | None = None
        self.tab_widget.currentChanged.connect(self._on_tab_changed)
        self.statusBar().setObjectName("statusBar")
        self.theme = ThemeController(self, mode=self.settings.theme)
        self.sessions = SessionManager(self, self.data_dir)
        self.errors = ErrorReporter(self.data_dir / "logs" / "kernelscope-errors.log", self)
        self.menus = AppMenus(self)
        if not self.settings_load.ok and self.settings_load.message:
            self.message_bar.show_message(self.settings_load.message, kind="warning")
        self.resize(*DEFAULT_SIZE)
        self.fit_to_screen()

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
        """The tab widget registered under ``key`` (e.g. ``"matrix"``), built if need be."""
        return self._build_page(key)

    def show_tab(self, key: str) -> None:
        """Make the tab registered under ``key`` the visible one."""
        self.tab_widget.setCurrentWidget(self._build_page(key))

    def is_built(self, key: str) -> bool:
        """Whether the tab registered under ``key`` has been built yet."""
        return not isinstance(self.pages[key], PendingTab)

    def _build_page(self, key: str) -> TabPage:
        """Build tab ``key`` in its pending placeholder's place (no-op once built)."""
        pending = self.pages[key]
        if not isinstance(pending, PendingTab):
            return pending
        spec = pending.spec
        page = spec.build(self.tab_widget, self.context)
        self.pages[key] = page
        tabs = self.tab_widget
        index = tabs.indexOf(pending)
        was_current = tabs.currentIndex() == index
        blocked = tabs.blockSignals(True)  # listeners are told once, below, with the state in
        try:
            tabs.insertTab(index, page, spec.title)
            if was_current:
                tabs.setCurrentIndex(index)
            tabs.removeTab(index + 1)
        finally:
            tabs.blockSignals(blocked)
        pending.hide()
        pending.deleteLater()
        if pending.pending_state is not None:
            try:
                with self.context.practice.deferred_restore():  # no undoing a switch since
                    page.restore_state(pending.pending_state)
            except ValueError as exc:  # as SessionManager.apply: the tab says what it skipped
                self._show_status(f"Restored the {key} tab; skipped: {exc}", 0)
            except Exception as exc:  # the tab still opens
                detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                self._show_status(f"The {key} tab could not restore its state ({detail})", 0)
        sessions = getattr(self, "sessions", None)
        if sessions is not None:
            page.state_changed.connect(sessions.note_edit)
        if self._shut_down:
            page.shutdown()  # built while closing (to save its state): start nothing
        elif was_current:
            # The visible widget did change, from placeholder to tab: Undo/Redo, the theme and
            # the tab's activation follow it like any tab change.
            tabs.currentChanged.emit(index)
        return page

    @Slot()
    def _build_next_pending(self) -> None:
        """Build one tab not built yet (idle time after start-up), then schedule the next."""
        if self._shut_down:
            return
        for key, page in self.pages.items():
            if isinstance(page, PendingTab):
                self._build_page(key)
                break
        if any(isinstance(page, PendingTab) for page in self.pages.values()):
            self._idle_builds.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Once shown and painted, build the other tabs one at a time while the app is idle.

        Otherwise the first save of the session (which asks every tab for its state) would
        build them all at once, at a random moment.
        """
        first_show = self._active is None and not self._shut_down
        if first_show:
            # Build (and activate) the visible tab, only that one.
            self._on_tab_changed(self.tab_widget.currentIndex())
        super().showEvent(event)
        if first_show:
            self.fit_to_screen()  # now the window frame's size is known
        if not self._shut_down and not self._idle_builds.isActive():
            self._idle_builds.start()

    def fit_to_screen(self) -> None:
        """Shrink and move the window so that it lies inside its screen's available area
        (the desktop minus panels and docks); a window that fits is left as it is.

        Called at start-up (the default size is larger than a small laptop screen) and after a
        session restores a geometry saved on a bigger or another screen.
        """
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        # The window manager's frame (title bar, borders) must fit too; before the first show
        # it is unknown (zero) and the window manager places the window itself.
        frame = self.frameGeometry()
        extra_w = frame.width() - self.width()
        extra_h = frame.height() - self.height()
        width = max(1, min(self.width(), area.width() - extra_w))
        height = max(1, min(self.height(), area.height() - extra_h))
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.left()), area.right() + 1 - frame.width())
        y = min(max(frame.y(), area.top()), area.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, area.left()), max(y, area.top()))

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        page = self.tab_widget.widget(index)
        if isinstance(page, PendingTab):
            self._build_page(page.spec.key)  # announces the built tab: activated from there
            return
        if self._active is not None and self._active is not page:
            self._active.deactivate()
        self._active = page if isinstance(page, TabPage) else None
        if self._active is not None:
            self._active.activate()

    @Slot(str, int)
    def _show_status(self, message: str, timeout_ms: int) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    @Slot(str, object)
    def _open_kernel_in_matrix(self, name: str, kernel: np.ndarray) -> None:
        """A kernel from another tab (a trained filter) becomes a Matrix-tab kernel."""
        self.show_tab("matrix")
        cast(KernelReceiver, self.page("matrix")).add_kernel(name, kernel)  # the Matrix tab

    @Slot(object, str)
    def _send_network_to_train(self, network: object, slot: str) -> None:
        """A Layer-sizes network replaces the Train tab's CNN or MLP."""
        self.show_tab("train")
        cast(NetworkReceiver, self.page("train")).receive_network(network, slot)  # the Train tab

    def shutdown(self) -> None:
        """Stop every tab's threads and timers; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        self._idle_builds.stop()
        # Tearing the tab widget down emits currentChanged for every tab it removes: nobody
        # (theme, menus, sessions) may act on tabs that are being destroyed.
        self.tab_widget.blockSignals(True)
        for page in self.pages.values():
            page.shutdown()

    def request_quit(self) -> None:
        """Close without asking anything (``--quit-after``, SIGTERM, Ctrl+C in the terminal).

        The session is still saved first; if that fails the running marker stays, so the next
        start says the last run did not end cleanly.
        """
        self._force_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Save the session, then shut every tab down: no work lost, no thread outlives it.

        If the final save fails (a full disk) the user is asked first: save elsewhere, quit
        without saving, or cancel and keep the window open.
        """
        saved = self.sessions.autosave_now() if not self.sessions.finished else True
        if not saved and not self._force_close and not self._confirm_close_unsaved():
            event.ignore()
            return
        self.closing.emit()
        self.sessions.finish(saved)
        self.errors.close_dialog()
        self.menus.close_dialogs()
        self.shutdown()
        super().closeEvent(event)

    def _confirm_close_unsaved(self) -> bool:
        """The exit's autosave failed: ``True`` to close anyway (after saving elsewhere or on
        the user's word), ``False`` to keep the window open."""
        box = QMessageBox(self)
        box.setObjectName("unsavedAtExitBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("KernelScope: your work could not be saved")
        box.setText("KernelScope could not save your work before closing.")
        reason = self.statusBar().currentMessage()
        box.setInformativeText(
            f"{reason}\n\nIf you quit now, the changes since the last successful autosave are "
            "lost. Save the session somewhere else (another disk or folder), or cancel and free "
            "some space first."
        )
        save = box.addButton("Save elsewhere…", QMessageBox.ButtonRole.AcceptRole)
        save.setObjectName("saveElsewhereButton")
        quit_anyway = box.addButton("Quit without saving", QMessageBox.ButtonRole.DestructiveRole)
        quit_anyway.setObjectName("quitWithoutSavingButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("cancelCloseButton")
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        while True:
            box.exec()
            clicked = box.clickedButton()
            if clicked is quit_anyway:
                return True
            if clicked is not save:
                return False
            if self.menus.save_session_as_dialog():
                return True
