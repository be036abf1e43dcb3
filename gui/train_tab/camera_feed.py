"""The camera controls both Train-tab camera dialogs share (Webcam classes, Live classification).

:func:`source_controls` builds the row "Camera n ▾ · Start camera · Video file… · Stop";
:class:`CameraFeedMixin` starts a webcam or a video file through the gallery's capture code
(:class:`gui.gallery_tab.capture.FrameCapture`) and stops it. Each dialog keeps what is its own:
what a new source resets, what a stop keeps, and what it says.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QWidget

from engine.images import VIDEO_SUFFIXES, CaptureSource, FrameSource
from gui.gallery_tab.capture import FrameCapture
from gui.widgets.named import named

#: Camera numbers offered in the combo box.
CAMERA_CHOICES = 4


class SourceControls:
    """The camera combo and the Start / Video file… / Stop buttons, laid out in ``row``."""

    def __init__(self, prefix: str) -> None:
        self.camera_combo = named(QComboBox(), f"{prefix}Camera")
        for i in range(CAMERA_CHOICES):
            self.camera_combo.addItem(f"Camera {i}", i)
        self.start_button = named(QPushButton("Start camera"), f"{prefix}Start")
        self.video_button = named(QPushButton("Video file…"), f"{prefix}Video")
        self.video_button.setToolTip("use a video file as the camera (it loops)")
        self.stop_button = named(QPushButton("Stop"), f"{prefix}Stop")
        self.row = QHBoxLayout()
        for widget in (self.camera_combo, self.start_button, self.video_button, self.stop_button):
            self.row.addWidget(widget)


class CameraFeedMixin:
    """Start and stop the dialog's camera or video; mixed into a ``QDialog`` (listed first).

    The dialog provides ``camera_combo`` (from :class:`SourceControls`), ``show_text(text, *,
    error)``, ``stop_source()``, ``_update_controls()``, the slots ``_on_source_opened(str)`` and
    ``_on_source_stopped(str)``, and ``_source_started()`` for what a new source resets.
    """

    capture: FrameCapture | None
    camera_combo: QComboBox
    _seq: int

    if TYPE_CHECKING:  # what the dialog provides

        def show_text(self, text: str, *, error: bool = False) -> None: ...
        def stop_source(self) -> None: ...
        def _update_controls(self) -> None: ...
        def _source_started(self) -> None: ...
        def _on_source_opened(self, description: str) -> None: ...
        def _on_source_stopped(self, reason: str) -> None: ...

    @Slot()
    def _on_start_camera(self) -> None:
        try:
            source = CaptureSource.camera(int(self.camera_combo.currentData()))
        except ValueError as exc:
            self.show_text(f"Could not start the camera: {exc}", error=True)
            return
        self.start_source(source)

    @Slot()
    def _on_video_clicked(self) -> None:
        patterns = " ".join(f"*{s}" for s in VIDEO_SUFFIXES)
        parent = self if isinstance(self, QWidget) else None
        path, _ = QFileDialog.getOpenFileName(
            parent, "A video to use as the camera", "", f"Videos ({patterns});;All files (*)"
        )
        if path:
            self.start_video(path)

    def start_video(self, path: str | Path, *, loop: bool = True) -> None:
        """Use the video file at ``path`` as the camera (the webcam's capture code)."""
        p = Path(path)
        if not p.is_file():
            self.show_text(f"Could not open the video: {p} is not a file.", error=True)
            return
        self.start_source(CaptureSource.video(p, loop=loop))

    def start_source(self, source: FrameSource) -> None:
        """Read ``source`` on a worker thread; the newest frame is pulled by the dialog's timer."""
        self.stop_source()
        self.show_text(f"Opening {source.description}…", error=False)
        capture = FrameCapture(source, self if isinstance(self, QWidget) else None)
        capture.source_opened.connect(self._on_source_opened)
        capture.source_failed.connect(self._on_source_stopped)
        capture.source_ended.connect(self._on_source_stopped)
        self.capture = capture
        self._seq = 0
        self._source_started()
        capture.start()
        self._update_controls()

    def release_capture(self) -> None:
        """Stop the capture thread (stop flag → quit → wait) and forget it."""
        if self.capture is not None:
            capture, self.capture = self.capture, None
            capture.stop()
            capture.deleteLater()
