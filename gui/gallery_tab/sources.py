"""Where the gallery's frames come from: samples, image/video files, cameras, drops.

A mixin of :class:`gui.gallery_tab.page.GalleryTab` (kept apart so each file stays small): it
owns the capture thread's life cycle and the file-opening entry points the File menu calls.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from engine.images import (
    VIDEO_SUFFIXES,
    CaptureSource,
    FrameSource,
    ImageLoadError,
    SyntheticSource,
    load_image,
)
from gui.gallery_tab.capture import FrameCapture
from gui.gallery_tab.source_bar import SAMPLES
from gui.resources_access import resource_path

if TYPE_CHECKING:
    from gui.context import AppContext
    from gui.gallery_tab.file_actions import FileActions
    from gui.gallery_tab.page_parts import StatusStrip
    from gui.gallery_tab.source_bar import SourceBar
    from gui.recent_files import RecentFiles


class SourcesMixin:
    """Opening sources, running the capture thread and pulling its newest frame.

    Uses the page's ``pipeline``, ``grid``, ``context``, ``status_strip``, ``source_bar``,
    timers and ``refresh()``; see :class:`gui.gallery_tab.page.GalleryTab`.
    """

    # What the page provides (GalleryTab sets these in its __init__; TabPage has the signal).
    context: AppContext
    recent: RecentFiles
    files: FileActions
    source_bar: SourceBar
    status_strip: StatusStrip
    capture: FrameCapture | None
    frame: np.ndarray | None
    frozen: bool
    stall_timeout_s: float
    source_state: dict[str, Any]
    source_description: str
    _active: bool
    _pull_timer: QTimer
    _shown_at: deque[float]
    _frame_seq: int
    _last_frame_at: float
    _stall_reported: bool
    if TYPE_CHECKING:
        state_changed: SignalInstance  # TabPage's signal

        def show_message(self, message: str, *, error: bool = True) -> None:
            """Say something in the page's status strip."""

        def set_frozen(self, frozen: bool) -> None:
            """Freeze or unfreeze the live input."""

        def refresh(self) -> None:
            """Recompute the thumbnails and the large view."""

    def open_sample(self, key: str) -> bool:
        """Show a built-in sample (see :data:`SAMPLES`); ``"synthetic"`` starts the moving chart."""
        if key not in SAMPLES:
            self.show_message(f"There is no sample called {key!r}.")
            return False
        label, resource = SAMPLES[key]
        state = {"kind": "sample", "name": key}
        if resource is None:
            self.start_source(SyntheticSource(), state)
            return True
        try:
            with resource_path(resource) as path:
                image = load_image(path)
        except (ImageLoadError, OSError) as exc:
            self.show_message(f"Sample {label} could not be loaded: {exc}")
            return False
        self.set_still_image(image, label.split(" — ")[0], state)
        return True

    def open_image(self, path: str | Path) -> bool:
        """Load an image file as the gallery's input. On error: message, last image kept."""
        try:
            image = load_image(path)
        except ImageLoadError as exc:
            self.show_message(f"Could not open image — {exc}")
            return False
        self.recent.add(str(Path(path).resolve()), "image")
        self.set_still_image(
            image, Path(path).name, {"kind": "file", "path": str(Path(path).absolute())}
        )
        return True

    def open_image_dialog(self) -> bool:
        """Ask for an image file and open it."""
        return self.files.open_image_dialog()

    def open_video(self, path: str | Path) -> bool:
        """Play a video file through the same capture code as a webcam."""
        p = Path(path)
        if not p.is_file():
            self.show_message(f"Could not open video — {p.name}: the file does not exist ({p})")
            return False
        self.recent.add(str(p.resolve()), "video")
        loop = self.source_bar.loop_check.isChecked()
        source = CaptureSource.video(p, loop=loop)
        self.start_source(source, {"kind": "video", "path": str(p.absolute())})
        return True

    def start_camera(self, index: int, resolution: tuple[int, int] | None = None) -> bool:
        """Start webcam ``index`` (validated; never -1). Failures are reported asynchronously."""
        try:
            source = CaptureSource.camera(index, resolution)
        except ValueError as exc:
            self.show_message(f"Could not start the camera — {exc}")
            return False
        self.start_source(source, {"kind": "camera", "index": int(index)})
        return True

    def set_still_image(self, image: np.ndarray, description: str, state: dict[str, Any]) -> None:
        """Stop any capture and show ``image``; the Matrix tab is told about it."""
        self._stop_capture_thread()
        self.frame = image
        self.source_state = state
        self.source_description = description
        self._shown_at.clear()
        self.set_frozen(False)
        self.show_message("")
        self.context.set_current_image(image)
        self.refresh()
        self.state_changed.emit()

    def start_source(self, source: FrameSource, state: dict[str, Any]) -> None:
        """Capture ``source`` in a worker thread; the newest frame is pulled by a timer."""
        self._stop_capture_thread()
        self.set_frozen(False)
        self.source_state = state
        self.source_description = source.description
        self._frame_seq = 0
        self._shown_at.clear()
        self._last_frame_at = time.monotonic()
        self._stall_reported = False
        self.show_message(f"Opening {source.description}…", error=False)
        thread = FrameCapture(source, cast(QObject, self))  # self: the GalleryTab widget
        thread.source_opened.connect(self._on_source_opened)
        thread.source_failed.connect(self._on_source_failed)
        thread.source_ended.connect(self._on_source_ended)
        self.capture = thread
        self.source_bar.set_capturing(True)
        if not self._active:
            thread.pause()
        thread.start()
        if self._active:
            self._pull_timer.start()
        self.state_changed.emit()

    def stop_capture(self) -> None:
        """Stop the camera/video; the last frame becomes the still image."""
        if self.capture is None:
            return
        self._pull_once()
        self._stop_capture_thread()
        self._keep_last_frame(f"{self.source_description} stopped")

    def _stop_capture_thread(self) -> None:
        self._pull_timer.stop()
        thread, self.capture = self.capture, None
        if thread is not None:
            thread.stop()
            thread.deleteLater()
        self.source_bar.set_capturing(False)

    def _keep_last_frame(self, message: str, error: bool = False) -> None:
        if self.frame is not None:
            self.context.set_current_image(self.frame)
            message += " — the last frame is kept."
            self.refresh()
        self.show_message(message, error=error)
        self.status_strip.set_fps(None)

    def _on_source_opened(self, description: str) -> None:
        self._last_frame_at = time.monotonic()
        self.show_message(f"{description} is running.", error=False)

    def _on_source_failed(self, message: str) -> None:
        self._pull_once()
        self._stop_capture_thread()
        self._keep_last_frame(message, error=True)

    def _on_source_ended(self, message: str) -> None:
        self._pull_once()
        self._stop_capture_thread()
        self._keep_last_frame(message)

    def _open_recent(self, path: str, kind: str) -> None:
        ok = self.open_video(path) if kind == "video" else self.open_image(path)
        if not ok:
            self.recent.remove(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a file as video or image according to its suffix (drag and drop)."""
        if Path(path).suffix.lower() in VIDEO_SUFFIXES:
            return self.open_video(path)
        return self.open_image(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        """Accept local files."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        """Open the first dropped local file."""
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_path(url.toLocalFile())
                event.acceptProposedAction()
                return

    def _pull_once(self) -> bool:
        if self.capture is None:
            return False
        item = self.capture.take_latest(self._frame_seq)
        if item is None:
            return False
        self._frame_seq, self.frame = item
        self._last_frame_at = time.monotonic()
        if self._stall_reported:
            self._stall_reported = False
            self.show_message(f"{self.source_description} is running again.", error=False)
        self.refresh()
        return True

    def _pull_frame(self) -> None:
        if self.frozen or self.capture is None:
            return
        if not self._pull_once() and not self.capture.paused and not self._stall_reported:
            silent = time.monotonic() - self._last_frame_at
            if silent > self.stall_timeout_s:
                # A camera that is unplugged may block in read() without ever failing.
                self._stall_reported = True
                self.show_message(
                    f"{self.source_description} has not delivered a frame for {silent:.0f} s "
                    "(unplugged or in use?) — the last frame is kept."
                )
