"""File menu: images, videos, sessions (open, save, save as), Recent, worksheet, Quit.

Tabs are reached only through the :class:`gui.widgets.TabPage` interface and, for images, the
gallery page's optional ``open_image(path) -> bool`` / ``open_image_dialog()`` /
``open_video(path) -> bool``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from gui.menus._base import MenuBase, with_standard
from gui.services import as_widget
from gui.ui_text import escape_mnemonic

if TYPE_CHECKING:
    from gui.tutor.worksheet_dialog import WorksheetDialog

SESSION_FILTER = "KernelScope session (*.kscope.json *.json);;All files (*)"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"


class FileMenu(MenuBase):
    """File ▸ …: builds the menu and does what each entry says."""

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
        quit_action.setShortcuts(with_standard("Ctrl+Q", keys.Quit))

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
            as_widget(self.window), "Open image", self.start_folder("image"), IMAGE_FILTER
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
            as_widget(self.window), "Open session", self.start_folder("session"), SESSION_FILTER
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
        box = QMessageBox(as_widget(self.window))
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
            as_widget(self.window),
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

    @Slot()
    def _clear_recent(self) -> None:
        self.window.recent_files.clear()

    @Slot()
    def show_worksheet(self) -> WorksheetDialog:
        """File ▸ New worksheet… (non-modal, one instance)."""
        if self.worksheet_dialog is None:
            # Imported when first asked for: the tutor engine is no start-up cost.
            from gui.tutor.worksheet_dialog import WorksheetDialog

            self.worksheet_dialog = WorksheetDialog(as_widget(self.window))
        self.worksheet_dialog.show()
        self.worksheet_dialog.raise_()
        return self.worksheet_dialog
