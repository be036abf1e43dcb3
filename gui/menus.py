"""The menu bar (File, Edit, View, Help), its shortcuts and what each entry does.

Every action has an ``objectName`` (``actionOpenImage``, ``actionUndo``, ``actionTab_matrix``…)
so tests and tools find it without walking menus. Tabs are reached only through the
:class:`gui.widgets.TabPage` interface (``undo_stack()``) and, for images, the gallery page's
optional ``open_image(path) -> bool`` / ``open_image_dialog()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from gui.about_dialog import AboutDialog
from gui.clipboard_copy import copy_focused
from gui.help_dialog import HelpDialog
from gui.settings_store import THEME_MODES
from gui.ui_text import escape_mnemonic

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from gui.tutor.worksheet_dialog import WorksheetDialog

SESSION_FILTER = "KernelScope session (*.kscope.json *.json);;All files (*)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"


class AppMenus(QObject):
    """Builds the menu bar of ``window`` and keeps Undo/Redo bound to the visible tab."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.about_dialog: AboutDialog | None = None
        self.help_dialog: HelpDialog | None = None
        self.worksheet_dialog: WorksheetDialog | None = None
        self._stack: QUndoStack | None = None
        self._stack_connections: list = []
        bar = window.menuBar()
        self._build_file(bar.addMenu("&File"))
        self._build_edit(bar.addMenu("&Edit"))
        self._build_view(bar.addMenu("&View"))
        self._build_help(bar.addMenu("&Help"))
        window.tab_widget.currentChanged.connect(self.bind_undo_stack)
        window.installEventFilter(self)
        self.bind_undo_stack()

    def _add(
        self, menu: QMenu, name: str, text: str, slot, shortcut=None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.actions[name] = action
        return action

    # File --------------------------------------------------------------------------------------
    def _build_file(self, menu: QMenu) -> None:
        menu.setObjectName("menuFile")
        keys = QKeySequence.StandardKey
        open_image = self._add(
            menu,
            "actionOpenImage",
            "Open &image…",
            self.open_image_dialog,
            keys.Open,
            "Open an image in the Filter gallery",
        )
        if self._gallery_opener() is None:
            open_image.setEnabled(False)
            open_image.setStatusTip("The Filter gallery cannot open images in this build")
        menu.addSeparator()
        self._add(
            menu,
            "actionOpenSession",
            "&Open session…",
            self.open_session_dialog,
            "Ctrl+Shift+O",
            "Open a saved KernelScope session file",
        )
        self._add(
            menu,
            "actionSaveSession",
            "&Save session",
            self.save_session,
            keys.Save,
            "Save the session to its file (asks for a name the first time)",
        )
        self._add(
            menu,
            "actionSaveSessionAs",
            "Save session &as…",
            self.save_session_as_dialog,
            keys.SaveAs,
            "Save the whole session (every tab) to a file",
        )
        self.recent_menu = menu.addMenu("&Recent")
        self.recent_menu.setObjectName("menuRecent")
        self.recent_menu.aboutToShow.connect(self.rebuild_recent_menu)
        self.rebuild_recent_menu()
        menu.addSeparator()
        self._add(
            menu,
            "actionNewWorksheet",
            "New &worksheet…",
            self.show_worksheet,
            tip="Make an exercise sheet and its answer key (Markdown, LaTeX, PDF)",
        )
        menu.addSeparator()
        quit_action = self._add(menu, "actionQuit", "&Quit", self.window.close)
        quit_action.setShortcuts(_with_standard("Ctrl+Q", keys.Quit))

    def _gallery_opener(self):
        page = self.window.pages.get("gallery")
        if page is not None and (hasattr(page, "open_image") or hasattr(page, "open_image_dialog")):
            return page
        return None

    @Slot()
    def open_image_dialog(self) -> None:
        """File ▸ Open image…: pick a file and hand it to the Filter gallery."""
        page = self._gallery_opener()
        if page is None:
            return
        self.window.show_tab("gallery")
        if not hasattr(page, "open_image"):
            page.open_image_dialog()
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open image", self.start_folder("image"), IMAGE_FILTER
        )
        if path:
            self.open_image(path)

    def open_image(self, path: str | Path) -> bool:
        """Open ``path`` in the Filter gallery; remember it in Recent when it worked."""
        page = self._gallery_opener()
        if page is None or not hasattr(page, "open_image"):
            self.window.statusBar().showMessage("The Filter gallery cannot open images", 8000)
            return False
        self.window.show_tab("gallery")
        ok = bool(page.open_image(str(path)))
        if ok:
            self._remember(path, "image")  # the gallery lists it too (one shared list)
        return ok

    def open_video(self, path: str | Path) -> bool:
        """Play a recent video in the Filter gallery."""
        page = self._gallery_opener()
        if page is None or not hasattr(page, "open_video"):
            self.window.statusBar().showMessage("The Filter gallery cannot play videos", 8000)
            return False
        self.window.show_tab("gallery")
        ok = bool(page.open_video(str(path)))
        if ok:
            self._remember(path, "video")
        return ok

    @Slot()
    def open_session_dialog(self) -> None:
        """File ▸ Open session…"""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open session", self.start_folder("session"), SESSION_FILTER
        )
        if path:
            self.open_session_checked(path)

    def open_session_checked(self, path: str | Path) -> bool:
        """Open a session file, first asking Save / Discard / Cancel if there are unsaved edits
        (Cancel keeps everything, including undo)."""
        if self.window.sessions.has_unsaved_changes() and not self._save_or_discard_edits():
            return False
        return self.open_session(path)

    def _save_or_discard_edits(self) -> bool:
        """Ask what to do with unsaved edits; ``True`` to go on (saved or discarded)."""
        box = QMessageBox(self.window)
        box.setObjectName("unsavedEditsBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Open session")
        box.setText("This session has unsaved edits. Save them before opening another session?")
        box.setInformativeText("Opening a session replaces the work in every tab and clears undo.")
        save = box.addButton(QMessageBox.StandardButton.Save)
        save.setObjectName("saveEditsButton")
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        discard.setObjectName("discardEditsButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("cancelOpenButton")
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is discard:
            return True
        return clicked is save and self.save_session()

    def open_session(self, path: str | Path) -> bool:
        """Open a session file and remember it in Recent when it worked."""
        ok = self.window.sessions.open_file(path)
        if ok:
            self._remember(path, "session")
        return ok

    @Slot()
    def save_session(self) -> bool:
        """File ▸ Save session: to the current session file, or ask for one."""
        if self.window.sessions.session_path is None:
            return self.save_session_as_dialog()
        return self.save_session_as(self.window.sessions.session_path)

    @Slot()
    def save_session_as_dialog(self) -> bool:
        """File ▸ Save session as…; ``True`` if the session was written."""
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Save session as",
            str(Path(self.start_folder("session")) / "session.kscope.json"),
            SESSION_FILTER,
        )
        return bool(path) and self.save_session_as(path)

    def save_session_as(self, path: str | Path) -> bool:
        """Write the session to ``path`` and remember it in Recent when it worked."""
        ok = self.window.sessions.save_to(path)
        if ok:
            self._remember(path, "session")
        return ok

    def start_folder(self, kind: str) -> str:
        """Where a file dialog opens: the folder of the newest Recent file of ``kind``, else
        the platform's Pictures (images) or Documents (sessions) folder."""
        folder = self.window.recent_files.folder((kind,))
        if folder is not None:
            return folder
        location = (
            QStandardPaths.StandardLocation.PicturesLocation
            if kind == "image"
            else QStandardPaths.StandardLocation.DocumentsLocation
        )
        folder = QStandardPaths.writableLocation(location)
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def _remember(self, path: str | Path, kind: str) -> None:
        self.window.recent_files.add(path, kind)

    @Slot()
    def rebuild_recent_menu(self) -> None:
        """Fill File ▸ Recent from the app's one recent list (newest first; the gallery's
        Recent menu shows the same images and videos)."""
        self.recent_menu.clear()
        items = self.window.recent_files.entries()
        for n, item in enumerate(items, start=1):
            path = Path(item["path"])
            name, folder = escape_mnemonic(path.name), escape_mnemonic(str(path.parent))
            label = f"&{n % 10} {name}  ({item['kind']}, {folder})"
            action = self.recent_menu.addAction(label)
            action.setObjectName(f"actionRecent{n}")
            action.setData(item["path"])
            action.setProperty("recentKind", item["kind"])
            action.triggered.connect(self._open_recent_action)
        if not items:
            empty = self.recent_menu.addAction("(no recent files)")
            empty.setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear list")
        clear.setObjectName("actionClearRecent")
        clear.setEnabled(bool(items))
        clear.triggered.connect(self._clear_recent)

    @Slot()
    def _open_recent_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_recent(action.data(), action.property("recentKind"))

    def open_recent(self, path: str, kind: str) -> bool:
        """Open a Recent entry; a file that has gone is dropped from the list with a message."""
        if not Path(path).exists():
            self.window.recent_files.remove(path)
            self.window.statusBar().showMessage(f"{path} no longer exists; removed from Recent", 0)
            return False
        if kind == "session":
            return self.open_session_checked(path)
        return self.open_video(path) if kind == "video" else self.open_image(path)

    def _clear_recent(self) -> None:
        self.window.recent_files.clear()

    # Edit --------------------------------------------------------------------------------------
    def _build_edit(self, menu: QMenu) -> None:
        menu.setObjectName("menuEdit")
        keys = QKeySequence.StandardKey
        self._add(menu, "actionUndo", "&Undo", self.undo, keys.Undo)
        self._add(menu, "actionRedo", "&Redo", self.redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        menu.addSeparator()
        self._add(
            menu,
            "actionCopy",
            "&Copy",
            self.copy,
            keys.Copy,
            "Copy the selection (text, or table cells as tab-separated values)",
        )

    @Slot()
    def bind_undo_stack(self) -> None:
        """Point Undo/Redo at the visible tab's undo stack (disabled if it has none)."""
        for connection in self._stack_connections:
            QObject.disconnect(connection)
        self._stack_connections = []
        page = self.window.tab_widget.currentWidget()
        stack = page.undo_stack() if hasattr(page, "undo_stack") else None
        self._stack = stack if isinstance(stack, QUndoStack) else None
        undo, redo = self.actions["actionUndo"], self.actions["actionRedo"]
        if self._stack is None:
            for action, text in ((undo, "&Undo"), (redo, "&Redo")):
                action.setEnabled(False)
                action.setText(text)
            return
        s = self._stack
        self._stack_connections = [
            s.canUndoChanged.connect(undo.setEnabled),
            s.canRedoChanged.connect(redo.setEnabled),
            s.undoTextChanged.connect(self._show_undo_text),
            s.redoTextChanged.connect(self._show_redo_text),
        ]
        undo.setEnabled(s.canUndo())
        redo.setEnabled(s.canRedo())
        undo.setText(f"&Undo {s.undoText()}".rstrip())
        redo.setText(f"&Redo {s.redoText()}".rstrip())

    @Slot(str)
    def _show_undo_text(self, text: str) -> None:
        self.actions["actionUndo"].setText(f"&Undo {text}".rstrip())

    @Slot(str)
    def _show_redo_text(self, text: str) -> None:
        self.actions["actionRedo"].setText(f"&Redo {text}".rstrip())

    @Slot()
    def undo(self) -> None:
        """Edit ▸ Undo on the visible tab's stack."""
        if self._stack is not None:
            self._stack.undo()

    @Slot()
    def redo(self) -> None:
        """Edit ▸ Redo on the visible tab's stack."""
        if self._stack is not None:
            self._stack.redo()

    @Slot()
    def copy(self) -> bool:
        """Edit ▸ Copy (see :func:`gui.clipboard_copy.copy_focused`)."""
        if copy_focused():
            return True
        self.window.statusBar().showMessage("Nothing selected to copy", 4000)
        return False

    # View --------------------------------------------------------------------------------------
    def _build_view(self, menu: QMenu) -> None:
        menu.setObjectName("menuView")
        full = self._add(menu, "actionFullScreen", "&Full screen", self.toggle_full_screen)
        full.setShortcuts(_with_standard("F11", QKeySequence.StandardKey.FullScreen))
        full.setCheckable(True)
        menu.addSeparator()
        for n, key in enumerate(self.window.pages, start=1):
            title = self.window.tab_widget.tabText(
                self.window.tab_widget.indexOf(self.window.pages[key])
            )
            shortcut = f"Ctrl+{n}" if n <= 9 else None
            action = self._add(menu, f"actionTab_{key}", title, self._show_tab_action, shortcut)
            action.setData(key)
        menu.addSeparator()
        theme_menu = menu.addMenu("&Theme")
        theme_menu.setObjectName("menuTheme")
        group = QActionGroup(self)
        labels = {"system": "Follow &system", "light": "&Light", "dark": "&Dark"}
        for mode in THEME_MODES:
            action = self._add(
                theme_menu, f"actionTheme_{mode}", labels[mode], self._set_theme_action
            )
            action.setData(mode)
            action.setCheckable(True)
            group.addAction(action)
        self.sync_theme_actions()

    # Actions made in a loop carry their key in data(): one bound slot each reads it (lambdas
    # holding the window would outlive it at exit).
    @Slot()
    def _show_tab_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.window.show_tab(action.data())

    @Slot()
    def _set_theme_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_theme(action.data())

    @Slot()
    def toggle_full_screen(self) -> None:
        """View ▸ Full screen (F11) on and off."""
        if self.window.isFullScreen():
            self.window.showNormal()
        else:
            self.window.showFullScreen()

    def set_theme(self, mode: str) -> None:
        """View ▸ Theme: apply ``mode`` now and remember it."""
        self.window.theme.set_mode(mode)
        self.window.settings.theme = mode
        self.window.save_settings()
        self.sync_theme_actions()

    def sync_theme_actions(self) -> None:
        """Check the theme entry that matches the current mode."""
        self.actions[f"actionTheme_{self.window.theme.mode}"].setChecked(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Keep the Full screen entry's check mark in step with the window state."""
        if watched is self.window and event.type() == QEvent.Type.WindowStateChange:
            self.actions["actionFullScreen"].setChecked(self.window.isFullScreen())
        return False

    # Help --------------------------------------------------------------------------------------
    def _build_help(self, menu: QMenu) -> None:
        menu.setObjectName("menuHelp")
        self._add(
            menu,
            "actionHelp",
            "KernelScope &help",
            self.show_help,
            QKeySequence.StandardKey.HelpContents,
        )
        self._add(menu, "actionAbout", "&About KernelScope", self.show_about)

    @Slot()
    def show_worksheet(self) -> WorksheetDialog:
        """File ▸ New worksheet… (non-modal, one instance)."""
        if self.worksheet_dialog is None:
            # Imported when first asked for: the tutor engine is no start-up cost.
            from gui.tutor.worksheet_dialog import WorksheetDialog

            self.worksheet_dialog = WorksheetDialog(self.window)
        self.worksheet_dialog.show()
        self.worksheet_dialog.raise_()
        return self.worksheet_dialog

    @Slot()
    def show_about(self) -> AboutDialog:
        """Help ▸ About (non-modal, one instance)."""
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.window)
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    @Slot()
    def show_help(self) -> HelpDialog:
        """Help ▸ KernelScope help (non-modal, one instance)."""
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self.window)
        self.help_dialog.show()
        self.help_dialog.raise_()
        return self.help_dialog

    def close_dialogs(self) -> None:
        """Close About/Help (the main window does this when it closes)."""
        for dialog in (self.about_dialog, self.help_dialog, self.worksheet_dialog):
            if dialog is not None:
                dialog.close()


def _with_standard(key: str, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """``key`` plus the platform's standard binding(s) for the same command, without repeats."""
    sequences = [QKeySequence(key)]
    for extra in QKeySequence.keyBindings(standard):
        if extra.toString() not in {s.toString() for s in sequences}:
            sequences.append(extra)
    return sequences
