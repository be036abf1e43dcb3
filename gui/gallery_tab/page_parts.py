"""Small pieces of the gallery page: the large view's header row and the status strip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.colours import set_tone, tone_label
from gui.widgets.named import named


class LargeHeader(QWidget):
    """Title of the large view plus Freeze, Save input, Save result and Reset levels; below
    them the filter's full description (a thumbnail shows only its first lines)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("largeHeader")
        self.title_label = named(QLabel(), "largeTitle")
        self.title_label.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.freeze_button = named(QPushButton("Freeze frame"), "freezeButton")
        self.freeze_button.setCheckable(True)
        self.freeze_button.setToolTip("Hold the current frame (capture pauses) to study it")
        self.save_input_button = named(QPushButton("Save input…"), "saveInputButton")
        self.save_input_button.setToolTip("Save the current input frame as PNG")
        self.save_result_button = named(QPushButton("Save result…"), "saveResultButton")
        self.save_result_button.setToolTip(
            "Save the large view's result (full resolution) as PNG; right-click a thumbnail to "
            "save any other result"
        )
        self.reset_levels_button = named(QPushButton("Reset levels"), "resetLevelsButton")
        self.reset_levels_button.setToolTip("Set the histogram levels back to 0–255")
        self.description_label = named(QLabel(), "largeDescription")
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tone_label(self.description_label, "hint")
        row = QHBoxLayout()
        row.addWidget(self.title_label, 1)
        for button in (
            self.freeze_button,
            self.save_input_button,
            self.save_result_button,
            self.reset_levels_button,
        ):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.description_label)
        self.set_title("Sobel x", "")

    def set_title(self, title: str, description: str) -> None:
        """Name and full description of the filter in the large view."""
        self.title_label.setText(title)
        self.title_label.setToolTip(description)
        self.description_label.setText(description)
        self.description_label.setVisible(bool(description))


class StatusStrip(QFrame):
    """Source, resolution, displayed frames per second, processing time and messages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("galleryStatus")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_label = named(QLabel(), "sourceMessage")
        self.message_label.setWordWrap(False)
        tone_label(self.message_label, None)
        self.source_label = named(QLabel(), "sourceLabel")
        self.resolution_label = named(QLabel(), "resolutionLabel")
        self.fps_label = named(QLabel(), "fpsLabel")
        self.processing_label = named(QLabel(), "processingLabel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.message_label, 1)
        for label in (
            self.source_label,
            self.resolution_label,
            self.fps_label,
            self.processing_label,
        ):
            label.setStyleSheet("padding: 0 8px; border-left: 1px solid palette(mid);")
            layout.addWidget(label)
        self.set_fps(None)

    def set_message(self, message: str, *, error: bool = True) -> None:
        """Show (or clear) a message; errors are amber (a shade that suits the theme)."""
        self.message_label.setText(message)
        self.message_label.setToolTip(message)
        set_tone(self.message_label, "warning" if error else None)

    def set_source(self, description: str, live: bool, frozen: bool) -> None:
        """``Source: camera 0 (live)`` / ``(frozen)``."""
        state = " (frozen)" if frozen else " (live)" if live else ""
        self.source_label.setText(f"Source: {description}{state}")

    def set_resolution(self, width: int, height: int, frame: np.ndarray) -> None:
        """``640×480 RGB uint8``."""
        channels = "gray" if frame.ndim == 2 else {3: "RGB", 4: "RGBA"}.get(frame.shape[2], "")
        self.resolution_label.setText(f"{width}×{height} {channels} {frame.dtype}")

    def set_fps(self, fps: float | None, dropped: int = 0) -> None:
        """Displayed frames per second (``None`` for still images)."""
        if fps is None:
            self.fps_label.setText("— fps")
            self.fps_label.setToolTip("Still image")
        else:
            self.fps_label.setText(f"{fps:.1f} fps shown")
            self.fps_label.setToolTip(
                f"{dropped} captured frames were dropped because processing was busy"
            )

    def set_processing(self, ms: float) -> None:
        """Processing time of the last frame."""
        self.processing_label.setText(f"processing {ms:.1f} ms/frame")
