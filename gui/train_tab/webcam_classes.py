"""Teach it with your webcam: name 2–10 classes, hold a button to capture frames for each.

The frames come from the gallery's capture code (:class:`gui.gallery_tab.capture.FrameCapture`
around :class:`engine.images.CaptureSource`): a webcam or a video file, read on a worker thread
that keeps only the newest frame; a timer here pulls it.  Each captured frame is cut to its
centre square, gray-scaled and shrunk to the model's input (:class:`engine.train.CaptureSet`)
and shown as the model sees it.  The set is saved as an image folder (one sub-folder per class)
that the Train tab then opens like any other folder.  Nothing leaves the machine.

Hostile cases: a camera that stops mid-capture ends capturing with a message and keeps every
image; at :data:`engine.train.MAX_CAPTURES` images capturing stops with a message; a folder
that cannot be written is named and the set stays here to be saved elsewhere.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.train import MAX_CAPTURE_CLASSES, CaptureLimitError, CaptureSet, capture_view
from gui.colours import set_tone
from gui.gallery_tab.capture import FrameCapture
from gui.train_tab.camera_feed import CameraFeedMixin, SourceControls
from gui.train_tab.pixmaps import gray_pixmap
from gui.train_tab.setup_panel import message_label, show_message
from gui.widgets.named import named

#: Newest thumbnails shown for the chosen class (the set may hold thousands).
THUMBNAILS_SHOWN = 120
THUMBNAIL_PX = 48
PULL_INTERVAL_MS = 30
PREVIEW_SIZE = QSize(320, 240)
VIEW_PX = 168


def frame_pixmap(rgb: np.ndarray, size: QSize) -> QPixmap:
    """A camera frame (RGB or gray uint8) scaled into ``size``, its centre square outlined."""
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8:
        arr = np.clip(np.nan_to_num(arr.astype(np.float64)) * 255, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    arr = np.ascontiguousarray(arr[..., :3])
    h, w = arr.shape[:2]
    image = QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    pixmap = QPixmap.fromImage(image).scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    scale = pixmap.width() / w
    side = min(h, w) * scale
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor(255, 200, 0), 2))
    painter.drawRect(
        int((pixmap.width() - side) / 2), int((pixmap.height() - side) / 2), int(side), int(side)
    )
    painter.end()
    return pixmap


class WebcamClassesDialog(CameraFeedMixin, QDialog):
    """Capture a labelled image set from a camera or video file and save it as a folder.

    Signals
    -------
    set_saved(str, int, int)
        The folder written and the images' height and width (the Train tab opens it).
    """

    set_saved = Signal(str, int, int)

    def __init__(self, parent: QWidget | None = None, *, size: tuple[int, int] = (8, 8)) -> None:
        super().__init__(parent)
        self.setObjectName("webcamClassesDialog")
        self.setWindowTitle("Teach it with your webcam")
        self.capture_set = CaptureSet(["class 1", "class 2"], size)
        self.capture: FrameCapture | None = None
        self.holding = False
        self.latest: np.ndarray | None = None
        self._seq = 0
        self._fps_times: list[float] = []
        self._build(size)
        self._timer = QTimer(self)
        self._timer.setInterval(PULL_INTERVAL_MS)
        self._timer.timeout.connect(self._pull)
        self._fill_table()
        self.table.selectRow(0)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self, size: tuple[int, int]) -> None:
        controls = SourceControls("webcam")
        self.camera_combo, self.start_button = controls.camera_combo, controls.start_button
        self.video_button, self.stop_button = controls.video_button, controls.stop_button
        self.size_combo = named(QComboBox(), "webcamSize")
        sizes = [(8, 8), (28, 28)] + (
            [tuple(size)] if tuple(size) not in [(8, 8), (28, 28)] else []
        )
        for h, w in sizes:
            self.size_combo.addItem(f"{h}×{w} input", (h, w))
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(tuple(size))))
        self.size_combo.setToolTip("the model's input size; fixed once images are captured")
        source_row = controls.row
        source_row.addStretch(1)
        source_row.addWidget(self.size_combo)

        self.table = named(QTableWidget(0, 2), "webcamClassTable")
        self.table.setHorizontalHeaderLabels(["Class (double-click to rename)", "Images"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.add_class_button = named(QPushButton("Add class"), "webcamAddClass")
        self.remove_class_button = named(QPushButton("Remove class"), "webcamRemoveClass")
        class_buttons = QHBoxLayout()
        class_buttons.addWidget(self.add_class_button)
        class_buttons.addWidget(self.remove_class_button)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(class_buttons)

        self.preview = QLabel("No camera yet: start one, or open a video file.")
        self.preview.setObjectName("webcamPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW_SIZE)
        self.preview.setWordWrap(True)
        self.view = named(QLabel(), "webcamModelView")
        self.view.setFixedSize(VIEW_PX, VIEW_PX)
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view_caption = named(QLabel(), "webcamViewCaption")
        self.view_caption.setWordWrap(True)
        self.fps_label = named(QLabel(), "webcamFps")
        self.hold_button = named(QPushButton("Hold to capture"), "webcamHold")
        self.hold_button.setToolTip("frames are added to the chosen class while the button is down")
        self.hold_button.setMinimumHeight(40)
        view_box = QVBoxLayout()
        view_box.addWidget(self.view, 0, Qt.AlignmentFlag.AlignHCenter)
        view_box.addWidget(self.view_caption)
        view_box.addWidget(self.fps_label)
        view_box.addStretch(1)
        live = QGridLayout()
        live.addWidget(self.preview, 0, 0)
        live.addLayout(view_box, 0, 1)
        live.addWidget(self.hold_button, 1, 0, 1, 2)
        live.setColumnStretch(0, 1)

        self.thumbnails = named(QListWidget(), "webcamThumbnails")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.thumbnails.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.thumbnails.setMinimumHeight(2 * THUMBNAIL_PX + 24)
        self.thumbs_caption = named(QLabel(), "webcamThumbsCaption")
        self.delete_button = named(QPushButton("Delete selected"), "webcamDelete")
        self.delete_button.setToolTip("remove the selected images (Delete key)")
        thumbs_row = QHBoxLayout()
        thumbs_row.addWidget(self.thumbs_caption, 1)
        thumbs_row.addWidget(self.delete_button)

        self.message = message_label("webcamMessage")
        self.total_label = named(QLabel(), "webcamTotal")
        self.save_button = named(QPushButton("Save as image folder and use…"), "webcamSave")
        self.save_button.setToolTip(
            "write one sub-folder of PNG images per class, then train on them in this tab"
        )
        self.close_button = named(QPushButton("Close"), "webcamClose")
        bottom = QHBoxLayout()
        bottom.addWidget(self.total_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addLayout(live, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(source_row)
        layout.addLayout(top, 4)
        layout.addLayout(thumbs_row)
        layout.addWidget(self.thumbnails, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        self.start_button.clicked.connect(self._on_start_camera)
        self.video_button.clicked.connect(self._on_video_clicked)
        self.stop_button.clicked.connect(self.stop_source)
        self.hold_button.pressed.connect(self.start_holding)
        self.hold_button.released.connect(self.stop_holding)
        self.add_class_button.clicked.connect(self.add_class)
        self.remove_class_button.clicked.connect(self.remove_class)
        self.delete_button.clicked.connect(self.delete_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.thumbnails, self.delete_selected)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.close)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._show_thumbnails)
        self.size_combo.currentIndexChanged.connect(self._on_size_changed)
        self._update_controls()

    # -- classes ---------------------------------------------------------------------------------
    def current_class(self) -> int:
        """The class that captures go to (the selected row)."""
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else 0

    def _fill_table(self) -> None:
        self.table.blockSignals(True)
        counts = self.capture_set.counts()
        self.table.setRowCount(len(self.capture_set.names))
        for row, (name, count) in enumerate(zip(self.capture_set.names, counts, strict=True)):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            number = QTableWidgetItem(f"{count:,}")
            number.setFlags(number.flags() & ~Qt.ItemFlag.ItemIsEditable)
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 1, number)
        self.table.blockSignals(False)
        self._update_controls()

    def _set_count(self, row: int) -> None:
        item = self.table.item(row, 1)
        if item is not None:
            item.setText(f"{self.capture_set.counts()[row]:,}")

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        try:
            name = self.capture_set.rename(item.row(), item.text())
        except ValueError as exc:
            self.show_text(f"Not renamed: {str(exc).removeprefix('names: ')}", error=True)
            name = self.capture_set.names[item.row()]
        else:
            self.show_text("")
        self.table.blockSignals(True)
        item.setText(name)
        self.table.blockSignals(False)
        self._caption_thumbnails()

    @Slot()
    def add_class(self) -> None:
        """A new class with the next free name ("class 3"…)."""
        taken = {n.casefold() for n in self.capture_set.names}
        number = len(self.capture_set.names) + 1
        while f"class {number}" in taken:
            number += 1
        try:
            index = self.capture_set.add_class(f"class {number}")
        except ValueError as exc:
            self.show_text(str(exc).removeprefix("names: "), error=True)
            return
        self._fill_table()
        self.table.selectRow(index)

    @Slot()
    def remove_class(self) -> None:
        """Remove the selected class if it holds no images."""
        try:
            self.capture_set.remove_class(self.current_class())
        except ValueError as exc:
            self.show_text(f"Not removed: {str(exc).removeprefix('names: ')}", error=True)
            return
        self._fill_table()
        self.table.selectRow(0)
        self._show_thumbnails()

    # -- source ----------------------------------------------------------------------------------
    def _source_started(self) -> None:
        """A new source: its frame rate starts afresh and the timer pulls its frames."""
        self._fps_times.clear()
        self._timer.start()

    @Slot()
    def stop_source(self) -> None:
        """Stop the camera thread (stop flag → quit → wait); captured images stay."""
        self.stop_holding()
        self._timer.stop()
        self.release_capture()
        self._update_controls()

    @Slot(str)
    def _on_source_opened(self, description: str) -> None:
        self.show_text(f"{description}: hold the button to capture the chosen class.", error=False)

    @Slot(str)
    def _on_source_stopped(self, reason: str) -> None:
        was_holding = self.holding
        if self.capture is not None:
            self._pull()  # the last frames read before it stopped
        self.stop_source()
        kept = self.capture_set.total
        self.show_text(
            f"The camera stopped: {reason}. {'Capturing ended; ' if was_holding else ''}"
            f"the {kept:,} image{'s' if kept != 1 else ''} captured so far are kept. Start it "
            "again, or open a video file.",
            error=True,
        )

    # -- capturing -------------------------------------------------------------------------------
    @Slot()
    def start_holding(self) -> None:
        """Capture every new frame into the chosen class until :meth:`stop_holding`."""
        if self.capture is None:
            self.show_text("Start a camera or open a video file first.", error=True)
            return
        if self.capture_set.full:
            self._limit_reached()
            return
        self.holding = True
        self.hold_button.setText("Capturing… (release to stop)")

    @Slot()
    def stop_holding(self) -> None:
        """Stop capturing (the button was released)."""
        self.holding = False
        self.hold_button.setText("Hold to capture")

    @Slot()
    def _pull(self) -> None:
        if self.capture is None:
            return
        got = self.capture.take_latest(self._seq)
        if got is None:
            return
        self._seq, frame = got
        self.latest = frame
        now = time.monotonic()
        self._fps_times = [t for t in self._fps_times if now - t < 1.0] + [now]
        self.preview.setPixmap(frame_pixmap(frame, self.preview.size()))
        h, w = self.capture_set.size
        if self.holding:
            row = self.current_class()
            try:
                stored = self.capture_set.add(row, frame)
            except CaptureLimitError:
                self._limit_reached()
                return
            except ValueError as exc:
                self.stop_holding()
                self.show_text(f"This frame cannot be used: {exc}", error=True)
                return
            self._set_count(row)
            self._append_thumbnail(len(self.capture_set.images[row]) - 1, stored)
            self._update_controls()
            shown = stored / 255.0
        else:
            shown = capture_view(frame, (h, w))
        self.view.setPixmap(gray_pixmap(shown, VIEW_PX))
        fps = len(self._fps_times) - 1 if len(self._fps_times) > 1 else 0
        self.fps_label.setText(f"{fps} frames/s")
        square = min(frame.shape[0], frame.shape[1])
        self.view_caption.setText(
            f"As the model sees it: the centre {square}×{square} square, gray, {h}×{w} pixels."
        )

    def _limit_reached(self) -> None:
        self.stop_holding()
        try:
            self.capture_set.add(self.current_class(), np.zeros((1, 1), np.uint8))
        except CaptureLimitError as exc:
            self.show_text(f"Capturing stopped. {exc}", error=True)

    # -- thumbnails ------------------------------------------------------------------------------
    def _thumbnail_item(self, position: int, image: np.ndarray) -> QListWidgetItem:
        item = QListWidgetItem(QIcon(gray_pixmap(image / 255.0, THUMBNAIL_PX)), "")
        item.setData(Qt.ItemDataRole.UserRole, position)
        item.setToolTip(f"image {position + 1}")
        return item

    def _append_thumbnail(self, position: int, image: np.ndarray) -> None:
        self.thumbnails.addItem(self._thumbnail_item(position, image))
        while self.thumbnails.count() > THUMBNAILS_SHOWN:
            self.thumbnails.takeItem(0)
        self.thumbnails.scrollToBottom()
        self._caption_thumbnails()

    @Slot()
    def _show_thumbnails(self) -> None:
        row = self.current_class()
        images = self.capture_set.images[row] if row < len(self.capture_set.images) else []
        first = max(0, len(images) - THUMBNAILS_SHOWN)
        self.thumbnails.clear()
        for position in range(first, len(images)):
            self.thumbnails.addItem(self._thumbnail_item(position, images[position]))
        self._caption_thumbnails()

    def _caption_thumbnails(self) -> None:
        row = self.current_class()
        count = self.capture_set.counts()[row] if row < len(self.capture_set.names) else 0
        name = self.capture_set.names[row] if row < len(self.capture_set.names) else ""
        shown = self.thumbnails.count()
        extra = f" (the newest {shown:,} shown)" if shown < count else ""
        self.thumbs_caption.setText(f"{name}: {count:,} images{extra}")

    @Slot()
    def delete_selected(self) -> None:
        """Delete the selected thumbnails' images from the chosen class."""
        positions = [int(i.data(Qt.ItemDataRole.UserRole)) for i in self.thumbnails.selectedItems()]
        if not positions:
            return
        row = self.current_class()
        removed = self.capture_set.delete(row, positions)
        self._set_count(row)
        self._show_thumbnails()
        self._update_controls()
        self.show_text(f"Deleted {removed} image{'s' if removed != 1 else ''}.", error=False)

    # -- size, saving ----------------------------------------------------------------------------
    @Slot(int)
    def _on_size_changed(self, _index: int) -> None:
        size = self.size_combo.currentData()
        if self.capture_set.total or tuple(size) == self.capture_set.size:
            return
        names = list(self.capture_set.names)
        self.capture_set = CaptureSet(names, tuple(size))
        self._show_thumbnails()

    @Slot()
    def _on_save_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Where to save the image set (a new folder is made if it is not empty)"
        )
        if folder:
            self.save_to(folder)

    def save_to(self, folder: str | Path) -> Path | None:
        """Save the set into ``folder`` if it is empty, else into a new dated sub-folder of it;
        emits :attr:`set_saved`.  On failure the reason is shown and the set is unchanged."""
        root = Path(folder)
        target = root
        try:
            if root.is_dir() and any(root.iterdir()):
                target = root / time.strftime("webcam classes %Y-%m-%d %H%M%S")
        except OSError:
            target = root  # save() names the problem
        try:
            files = self.capture_set.save(target)
        except ValueError as exc:
            self.show_text(
                f"Not saved: {str(exc).removeprefix('folder: ')} The "
                f"{self.capture_set.total:,} images are still here: choose another folder.",
                error=True,
            )
            return None
        h, w = self.capture_set.size
        self.show_text(f"Saved {len(files):,} images in {target}.", error=False)
        self.set_saved.emit(str(target), h, w)
        return target

    # -- misc ------------------------------------------------------------------------------------
    def show_text(self, text: str, *, error: bool = False) -> None:
        """A message under the thumbnails (errors in the error tone)."""
        set_tone(self.message, "error" if error else None)
        self.message.setProperty("tone", "error" if error else None)
        show_message(self.message, text)

    def _update_controls(self) -> None:
        running = self.capture is not None
        self.stop_button.setEnabled(running)
        self.hold_button.setEnabled(running)
        self.size_combo.setEnabled(self.capture_set.total == 0)
        names = len(self.capture_set.names)
        self.add_class_button.setEnabled(names < MAX_CAPTURE_CLASSES)
        counts = self.capture_set.counts()
        self.save_button.setEnabled(bool(counts) and min(counts) > 0)
        total = self.capture_set.total
        self.total_label.setText(
            f"{total:,} images in {names} classes"
            + ("" if min(counts) > 0 else " — every class needs at least one image to save")
        )

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Stop the camera thread before closing."""
        self.stop_source()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        """Escape and accept/reject stop the camera too."""
        self.stop_source()
        super().done(result)


def open_webcam_classes(tab) -> WebcamClassesDialog:
    """Show the tab's webcam dialog (one at a time) for its current input size; a saved set is
    opened as the tab's data (an image folder at that size)."""
    dialog = getattr(tab, "webcam_dialog", None)
    if isinstance(dialog, WebcamClassesDialog):
        dialog.raise_()
        dialog.activateWindow()
        return dialog
    _, h, w = tab.input_shape()
    dialog = WebcamClassesDialog(tab, size=(h, w))
    dialog.resize(1000, 700)
    dialog.set_saved.connect(tab.use_webcam_set)
    dialog.finished.connect(dialog.deleteLater)
    dialog.destroyed.connect(tab.forget_webcam_dialog)
    tab.webcam_dialog = dialog
    dialog.show()
    return dialog
