"""The row of source controls: samples, open image/video, recent files, camera picker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from engine.images import CAMERA_RESOLUTIONS, cameras_disabled
from gui.recent_files import RecentFiles
from gui.ui_text import escape_mnemonic
from gui.widgets.named import named

#: Built-in samples: key → (menu label, resource name or None for the synthetic video).
SAMPLES: dict[str, tuple[str, str | None]] = {
    "astronaut": ("Astronaut — photo (NASA, public domain)", "samples/astronaut.png"),
    "camera": ("Cameraman — grayscale photo (CC0)", "samples/camera.png"),
    "test_chart": ("Test chart — edges, circles, ramp", "samples/test_chart.png"),
    "synthetic": ("Moving test chart — synthetic video", None),
}
DEFAULT_SAMPLE = "astronaut"
GALLERY_KINDS = ("image", "video")  # the recent kinds the gallery can open


class SourceBar(QWidget):
    """Buttons and pickers for the gallery's input. The page connects the signals.

    Signals
    -------
    sample_chosen(str), recent_chosen(str, str)
        A sample key; a recent ``(path, kind)``.
    open_image_clicked(), open_video_clicked(), refresh_cameras_clicked(), stop_clicked()
    start_camera_clicked(int, object)
        Camera index and ``(width, height)`` or ``None`` for the camera's default.
    """

    sample_chosen = Signal(str)
    recent_chosen = Signal(str, str)
    open_image_clicked = Signal()
    open_video_clicked = Signal()
    refresh_cameras_clicked = Signal()
    start_camera_clicked = Signal(int, object)
    stop_clicked = Signal()

    def __init__(self, recent: RecentFiles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceBar")
        self._recent = recent
        self.samples_button = named(QToolButton(), "samplesButton")
        self.samples_button.setText("Samples")
        self.samples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        samples_menu = QMenu(self.samples_button)
        for key, (label, _) in SAMPLES.items():
            action = samples_menu.addAction(label)
            action.setObjectName(f"sample_{key}")
            action.triggered.connect(lambda _=False, k=key: self.sample_chosen.emit(k))
        self.samples_button.setMenu(samples_menu)
        self.samples_button.setToolTip("Built-in sample images and a synthetic moving pattern")
        self.open_image_button = named(QPushButton("Open image…"), "openImageButton")
        self.open_image_button.setToolTip(
            "PNG, JPEG, BMP, TIFF, WebP… (or drop a file onto the gallery)"
        )
        self.open_video_button = named(QPushButton("Open video…"), "openVideoButton")
        self.loop_check = named(QCheckBox("Loop"), "loopVideoCheck")
        self.loop_check.setToolTip("Restart videos at the end instead of stopping")
        self.recent_button = named(QToolButton(), "recentButton")
        self.recent_button.setText("Recent")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_menu = QMenu(self.recent_button)
        self.recent_menu.aboutToShow.connect(self.rebuild_recent_menu)
        self.recent_button.setMenu(self.recent_menu)
        self.camera_combo = named(QComboBox(), "cameraCombo")
        self.camera_combo.setMinimumWidth(150)
        self.refresh_button = named(QToolButton(), "refreshCamerasButton")
        self.refresh_button.setText("⟳")
        self.refresh_button.setToolTip("Look for cameras (opens each one briefly)")
        self.resolution_combo = named(QComboBox(), "resolutionCombo")
        self.resolution_combo.addItem("default size", None)
        for w, h in CAMERA_RESOLUTIONS:
            self.resolution_combo.addItem(f"{w}×{h}", [w, h])
        self.start_camera_button = named(QPushButton("Start camera"), "startCameraButton")
        self.stop_button = named(QPushButton("Stop"), "stopCaptureButton")
        self.stop_button.setToolTip("Stop the camera/video; the last frame stays")
        self.stop_button.setEnabled(False)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        for widget in (
            self.samples_button,
            self.open_image_button,
            self.open_video_button,
            self.loop_check,
            self.recent_button,
        ):
            layout.addWidget(widget)
        layout.addSpacing(18)
        layout.addWidget(QLabel("Camera:"))
        for control in (
            self.camera_combo,
            self.refresh_button,
            self.resolution_combo,
            self.start_camera_button,
            self.stop_button,
        ):
            layout.addWidget(control)
        layout.addStretch(1)

        self.open_image_button.clicked.connect(self.open_image_clicked)
        self.open_video_button.clicked.connect(self.open_video_clicked)
        self.refresh_button.clicked.connect(self.refresh_cameras_clicked)
        self.start_camera_button.clicked.connect(self._on_start_camera)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.set_cameras(None)

    def set_cameras(self, indices: list[int] | None) -> None:
        """Fill the camera picker (``None`` = not probed yet)."""
        self.camera_combo.clear()
        if cameras_disabled():
            self.camera_combo.addItem("cameras disabled", None)
            self.camera_combo.setToolTip("KERNELSCOPE_NO_CAMERA is set")
        elif indices is None:
            self.camera_combo.addItem("press ⟳ to find cameras", None)
        elif not indices:
            self.camera_combo.addItem("no camera found", None)
        else:
            for index in indices:
                self.camera_combo.addItem(f"Camera {index}", index)
        self.start_camera_button.setEnabled(self.camera_combo.currentData() is not None)

    def set_capturing(self, capturing: bool) -> None:
        """Enable Stop while a camera/video runs."""
        self.stop_button.setEnabled(capturing)

    def rebuild_recent_menu(self) -> None:
        """List the app's recent images and videos (the same list as File ▸ Recent; missing
        files are greyed out)."""
        self.recent_menu.clear()
        entries = self._recent.entries(GALLERY_KINDS)
        if not entries:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)
            return
        for entry in entries:
            path, kind = entry["path"], entry["kind"]
            action = self.recent_menu.addAction(f"{escape_mnemonic(Path(path).name)}  —  {kind}")
            action.setToolTip(path)
            action.setData(path)
            action.setEnabled(Path(path).is_file())
            action.triggered.connect(lambda _=False, p=path, k=kind: self.recent_chosen.emit(p, k))

    def _on_start_camera(self) -> None:
        index = self.camera_combo.currentData()
        if index is None:
            return
        size = self.resolution_combo.currentData()
        self.start_camera_clicked.emit(int(index), tuple(size) if size else None)
