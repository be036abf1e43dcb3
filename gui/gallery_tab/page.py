"""The Filter gallery tab: sources → :class:`engine.GalleryPipeline` → thumbnails + large view."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from engine.images import CaptureSource, GalleryOptions, GalleryPipeline
from gui.context import AppContext
from gui.gallery_tab.capture import FrameCapture
from gui.gallery_tab.file_actions import FileActions
from gui.gallery_tab.large_view import LargeView
from gui.gallery_tab.options_panel import OptionsPanel
from gui.gallery_tab.page_parts import LargeHeader, StatusStrip
from gui.gallery_tab.source_bar import DEFAULT_SAMPLE, SourceBar
from gui.gallery_tab.sources import SourcesMixin
from gui.gallery_tab.thumbnails import THUMB_PREVIEW_SIDE, ThumbnailGrid
from gui.widgets import TabPage

PULL_INTERVAL_MS = 15
REFRESH_DELAY_MS = 30


class GalleryTab(SourcesMixin, TabPage):
    """Every classic filter's response to an image, a video or a webcam, side by side.

    Signals
    -------
    frame_displayed(int)
        A frame was processed and shown (running count).
    """

    frame_displayed = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        context: AppContext,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.pipeline = GalleryPipeline(preview_max_side=THUMB_PREVIEW_SIDE)
        self.recent = context.recent_files  # the app-wide list, shared with File ▸ Recent
        self.source_bar = SourceBar(self.recent, self)
        self.grid = ThumbnailGrid(self)
        self.large_view = LargeView(self)
        self.options_panel = OptionsPanel(self)
        self.header = LargeHeader(self)
        self.status_strip = StatusStrip(self)
        self.files = FileActions(self)
        self._build_layout()

        self._pull_timer = QTimer(self)
        self._pull_timer.setInterval(PULL_INTERVAL_MS)
        self._pull_timer.timeout.connect(self._pull_frame)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)

        self.capture: FrameCapture | None = None
        self.frame: np.ndarray | None = None
        self._frame_seq = 0
        self.source_state: dict[str, Any] = {}
        self.source_description = ""
        self.selected = "sobel_x"
        self.frozen = False
        self._active = False
        self.stall_timeout_s = 3.0
        self._last_frame_at = time.monotonic()
        self._stall_reported = False
        self._shown_at: deque[float] = deque(maxlen=60)
        self.frames_displayed = 0
        self.setAcceptDrops(True)

        self._connect()
        self.grid.set_tiles(self.pipeline.tiles())
        # The default selection is highlighted without scrolling: a first start shows the
        # top rows (Identity, the blurs) rather than jumping down to Sobel x.
        self.grid.set_selected(self.selected, scroll=False)
        first = self.pipeline.tile(self.selected)
        self.header.set_title(first.title, first.description)
        self.open_sample(DEFAULT_SAMPLE)

    def _build_layout(self) -> None:
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.header)
        right_layout.addWidget(self.large_view, 1)
        right_layout.addWidget(self.options_panel)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("gallerySplitter")
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setSizes([680, 720])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addWidget(self.source_bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status_strip)

    def _connect(self) -> None:
        bar = self.source_bar
        bar.sample_chosen.connect(self.open_sample)
        bar.open_image_clicked.connect(self.open_image_dialog)
        bar.open_video_clicked.connect(self.files.open_video_dialog)
        bar.recent_chosen.connect(self._open_recent)
        bar.refresh_cameras_clicked.connect(self.files.refresh_cameras)
        bar.start_camera_clicked.connect(self.start_camera)
        bar.stop_clicked.connect(self.stop_capture)
        bar.loop_check.toggled.connect(self._on_loop_toggled)
        self.grid.tile_clicked.connect(self.select)
        self.grid.save_requested.connect(self.files.save_result_dialog)
        self.grid.remove_requested.connect(self.remove_custom_kernel)
        self.header.freeze_button.toggled.connect(self.set_frozen)
        self.header.save_input_button.clicked.connect(self.files.save_input_dialog)
        self.header.save_result_button.clicked.connect(lambda: self.files.save_result_dialog(None))
        self.header.reset_levels_button.clicked.connect(self.large_view.reset_levels)
        self.options_panel.options_changed.connect(self._on_options_changed)
        self.options_panel.backend_changed.connect(self._on_backend_changed)
        self.context.kernel_sent.connect(self._on_kernel_sent)

    # -- frames --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Process the current frame and show every result."""
        self._refresh_timer.stop()
        if self.frame is None:
            return
        try:
            live = self.capture is not None and not self.frozen
            # While live, only tiles scrolled into view are recomputed; the others catch up
            # when the video stops or is frozen.
            result = self.pipeline.process(
                self.frame,
                selected=self.selected,
                backend=self.options_panel.backend(),
                thumbnails=self.grid.visible_keys() if live else True,
            )
        except ValueError as exc:
            self.show_message(f"This frame cannot be processed: {exc}")
            return
        self.grid.update_images(result.thumbnails)
        if result.large is not None:
            spec = self.pipeline.tile(self.selected)
            kernel = spec.kernel if spec.kind == "kernel" else None
            border = self.pipeline.options.border
            self.large_view.set_pixel_source(result.work, kernel, border, spec.title)
            scale = result.large.scale if result.large.scale > 0 else None
            if not self.large_view.set_result(
                result.large.display, result.large.raw, self.frame, diverging_scale=scale
            ):
                self.show_message(f"{spec.title} produced an image that cannot be displayed.")
            self.options_panel.show_comparison(result.comparison, spec.title)
        now = time.monotonic()
        self._shown_at.append(now)
        self.frames_displayed += 1
        capture = self.capture
        live = capture is not None
        h, w = self.frame.shape[:2]
        self.status_strip.set_source(self.source_description, live, self.frozen)
        self.status_strip.set_resolution(w, h, self.frame)
        self.status_strip.set_processing(result.total_ms)
        if capture is not None and len(self._shown_at) > 1 and now > self._shown_at[0]:
            fps = (len(self._shown_at) - 1) / (now - self._shown_at[0])
            dropped = max(0, capture.frames_captured - self.frames_displayed)
            self.status_strip.set_fps(fps, dropped)
        elif not live:
            self.status_strip.set_fps(None)
        self.frame_displayed.emit(self.frames_displayed)

    def _schedule_refresh(self) -> None:
        if self.frozen or self.capture is None:
            self._refresh_timer.start()
        # A live source refreshes with its next frame anyway.

    def select(self, key: str) -> None:
        """Show tile ``key`` in the large view."""
        try:
            spec = self.pipeline.tile(key)
        except ValueError as exc:
            self.show_message(str(exc))
            return
        self.selected = key
        self.grid.set_selected(key)
        self.header.set_title(spec.title, spec.description)
        self._refresh_timer.start()
        self.state_changed.emit()

    def set_frozen(self, frozen: bool) -> None:
        """Freeze (hold the current frame, pause capture) or unfreeze."""
        self.frozen = bool(frozen)
        if self.header.freeze_button.isChecked() != self.frozen:
            self.header.freeze_button.setChecked(self.frozen)
        if self.capture is not None:
            if self.frozen:
                self.capture.pause()
                if self.frame is not None:
                    self.context.set_current_image(self.frame)
                    self._refresh_timer.start()  # every tile, not only the visible ones
            elif self._active:
                self._last_frame_at = time.monotonic()
                self.capture.resume()
        self.status_strip.set_source(self.source_description, self.capture is not None, self.frozen)

    def _on_loop_toggled(self, loop: bool) -> None:
        source = self.capture.source if self.capture is not None else None
        if isinstance(source, CaptureSource) and source.kind == "video":
            source.loop = loop  # read by the worker at the next end of the video
        self.state_changed.emit()

    def _on_options_changed(self, options: GalleryOptions) -> None:
        self.pipeline.options = options
        self._schedule_refresh()
        self.state_changed.emit()

    def _on_backend_changed(self, _backend: str) -> None:
        self._schedule_refresh()
        self.state_changed.emit()

    def _on_kernel_sent(self, name: str, kernel: object) -> None:
        try:
            key = self.pipeline.add_custom_kernel(name, kernel)
        except ValueError as exc:
            self.show_message(f"The kernel from the Matrix tab was not added — {exc}")
            return
        self.grid.set_tiles(self.pipeline.tiles())
        self.select(key)
        self.context.show_status(f"Kernel {name!r} added to the Filter gallery", 5000)

    def remove_custom_kernel(self, key: str) -> None:
        """Remove a custom tile (the large view falls back to Sobel x if it showed it)."""
        self.pipeline.remove_custom_kernel(key)
        self.grid.set_tiles(self.pipeline.tiles())
        if self.selected == key:
            self.select("sobel_x")
        self.state_changed.emit()

    def show_message(self, message: str, *, error: bool = True) -> None:
        """Show a message in the tab's status strip; an error raised while the tab is hidden
        (a File ▸ Recent entry opened from another tab) also goes to the main status bar —
        while the tab is shown, the strip alone says it (not twice)."""
        self.status_strip.set_message(message, error=error)
        if message and error and not self.isVisible():
            self.context.show_status(message, 8000)

    # -- TabPage -------------------------------------------------------------------------------
    def activate(self) -> None:
        """Resume capture (unless frozen) and pulling frames."""
        self._active = True
        if self.capture is not None:
            self._last_frame_at = time.monotonic()
            if not self.frozen:
                self.capture.resume()
            self._pull_timer.start()

    def deactivate(self) -> None:
        """Pause capture while another tab is shown."""
        self._active = False
        self._pull_timer.stop()
        if self.capture is not None:
            self.capture.pause()

    def shutdown(self) -> None:
        """Stop the capture thread (stop flag → quit → wait) and every timer."""
        self._refresh_timer.stop()
        self._stop_capture_thread()

    def save_state(self) -> dict[str, Any]:
        """Source (sample name or file path), selected tile, options, backend, video looping
        and the custom kernels sent from the Matrix tab, as plain JSON types."""
        return {
            "source": dict(self.source_state),
            "selected": self.selected,
            "options": self.pipeline.options.to_dict(),
            "backend": self.options_panel.backend(),
            "loop_video": self.source_bar.loop_check.isChecked(),
            "custom_kernels": [
                {"name": name, "weights": kernel.tolist()}
                for name, kernel in self.pipeline.custom_kernels().items()
            ],
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; unknown or bad entries are ignored."""
        if not isinstance(state, dict):
            return
        options = GalleryOptions.from_dict(state.get("options"))
        self.pipeline.options = options
        self.options_panel.set_options(options)
        if isinstance(state.get("loop_video"), bool):
            self.source_bar.loop_check.setChecked(state["loop_video"])
        if state.get("backend") in ("numpy", "opencv"):
            self.options_panel.set_backend(state["backend"])
        kernels = state.get("custom_kernels")
        if isinstance(kernels, list):
            skipped: list[str] = []
            for entry in kernels:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    try:
                        self.pipeline.add_custom_kernel(entry["name"], entry.get("weights"))
                    except ValueError as exc:  # skipped, the rest still load: say so once
                        skipped.append(str(exc))
            self.grid.set_tiles(self.pipeline.tiles())
            if skipped:
                self.context.show_status(
                    f"Filter gallery: {len(skipped):,} saved custom kernels skipped ({skipped[0]})",
                    0,
                )
        selected = state.get("selected")
        if isinstance(selected, str) and selected in {t.key for t in self.pipeline.tiles()}:
            self.select(selected)
        self._restore_source(state.get("source"))
        self.refresh()

    def _restore_source(self, source: object) -> None:
        if not isinstance(source, dict):
            return
        kind, name, path = source.get("kind"), source.get("name"), source.get("path")
        if kind == "sample" and isinstance(name, str):
            self.open_sample(name)
        elif kind == "file" and isinstance(path, str):
            self.open_image(path)
        elif kind == "video" and isinstance(path, str):
            self.open_video(path)
