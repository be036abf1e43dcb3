"""File dialogs and saving for the gallery page (kept apart so the page stays small)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from engine.images import IMAGE_SUFFIXES, VIDEO_SUFFIXES, input_display, probe_cameras, save_png
from gui.gallery_tab.source_bar import GALLERY_KINDS
from gui.services import FileActionsHost, as_widget

IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
VIDEO_FILTER = "Videos (" + " ".join(f"*{s}" for s in VIDEO_SUFFIXES) + ");;All files (*)"


def _pictures() -> str:
    """The Pictures folder if it exists, else the home folder: a dialog given a folder that does
    not exist shows its last part ("Pictures") as the file name to open."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return folder if folder and Path(folder).is_dir() else str(Path.home())


class FileActions:
    """Open/save dialogs and the non-interactive save functions the dialogs call.

    The page is known only as a :class:`gui.services.FileActionsHost` (no import of the page,
    which imports this module).
    """

    def __init__(self, page: FileActionsHost) -> None:
        self.page = page

    def _open_dir(self, kind: str) -> str:
        """Where an open dialog starts: the folder of the newest recent file of ``kind``."""
        return self.page.recent.folder((kind,)) or _pictures()

    def _save_dir(self) -> str:
        """Where a save dialog starts: the last save folder, else the newest recent file's."""
        recent = self.page.recent
        return recent.save_folder() or recent.folder(GALLERY_KINDS) or _pictures()

    def open_image_dialog(self) -> bool:
        """Ask for an image and open it."""
        path, _ = QFileDialog.getOpenFileName(
            as_widget(self.page), "Open image", self._open_dir("image"), IMAGE_FILTER
        )
        if not path:
            return False
        return self.page.open_image(path)

    def open_video_dialog(self) -> bool:
        """Ask for a video file and play it."""
        path, _ = QFileDialog.getOpenFileName(
            as_widget(self.page), "Open video", self._open_dir("video"), VIDEO_FILTER
        )
        if not path:
            return False
        return self.page.open_video(path)

    def refresh_cameras(self) -> None:
        """Probe camera indices (briefly opening each) and fill the picker."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            found = probe_cameras()
        finally:
            QApplication.restoreOverrideCursor()
        self.page.source_bar.set_cameras(found)
        # The camera picker itself says "no camera found": the strip does not repeat it.
        self.page.show_message(f"Found {len(found)} camera(s)." if found else "", error=False)

    # -- saving --------------------------------------------------------------------------------
    def save_input(self, path: str | Path) -> bool:
        """Save the current input frame as PNG; False (and a message) on failure."""
        if self.page.frame is None:
            self.page.show_message("There is no input frame to save.")
            return False
        return self._save(path, input_display(self.page.frame))

    def save_result(self, path: str | Path, key: str | None = None) -> bool:
        """Save tile ``key`` (default: the large view's) at full resolution as PNG."""
        page = self.page
        if page.frame is None:
            page.show_message("There is no result to save.")
            return False
        try:
            spec = page.pipeline.tile(key or page.selected)
            work = page.pipeline.working(page.frame)
            result = page.pipeline.compute(work, spec, page.options_panel.backend())
        except ValueError as exc:
            page.show_message(f"Could not compute the result to save — {exc}")
            return False
        return self._save(path, result.display)

    def _save(self, path: str | Path, image: object) -> bool:
        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_suffix(target.suffix + ".png" if target.suffix else ".png")
        try:
            save_png(target, image)  # type: ignore[arg-type]
        except (OSError, ValueError) as exc:
            self.page.show_message(f"Could not save {target.name} — {exc}")
            return False
        self.page.recent.remember_save_folder(target)
        self.page.show_message(f"Saved {target}", error=False)
        return True

    def save_input_dialog(self) -> bool:
        """Ask where to save the input frame."""
        return self._save_dialog("input", None)

    def save_result_dialog(self, key: str | None = None) -> bool:
        """Ask where to save a result (``None`` = the large view's)."""
        return self._save_dialog("result", key)

    def _save_dialog(self, what: str, key: str | None) -> bool:
        page = self.page
        name = "input" if what == "input" else (key or page.selected)
        suggestion = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"kernelscope_{name}") + ".png"
        path, _ = QFileDialog.getSaveFileName(
            as_widget(page),
            "Save input as PNG" if what == "input" else "Save result as PNG",
            str(Path(self._save_dir()) / suggestion),
            "PNG image (*.png)",
        )
        if not path:
            return False
        if what == "input":
            return self.save_input(path)
        return self.save_result(path, key)
