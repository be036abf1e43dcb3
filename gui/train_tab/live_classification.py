"""Live classification: the camera feed, the preprocessing step by step, both models' bars.

The frames come from the gallery's capture code (:class:`gui.gallery_tab.capture.FrameCapture`
around :class:`engine.images.CaptureSource`): a webcam or a video file read on its own thread
that keeps only the newest frame; a timer here pulls it and shows it.  Each pulled frame is
handed to a :class:`gui.train_tab.live_worker.LiveClassifier` (a job on the shared
:class:`gui.widgets.JobRunner`, its own thread), which prepares it
(:func:`engine.train.live_input`: as the webcam-classes dialog captures, or as a handwritten
digit, MNIST/UCI style) and runs its own copies of the Train tab's trained models; a frame that
arrives while it is busy replaces the waiting one (dropped, never queued).  Nothing leaves the
machine.

When no model is trained, the input size does not suit the digit steps, the camera stops or
goes silent, the dialog says so in words and keeps the last answer.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.train import DIGIT_SIZES, Model
from gui.colours import set_tone
from gui.gallery_tab.capture import FrameCapture
from gui.train_tab.camera_feed import CameraFeedMixin, SourceControls
from gui.train_tab.draw_panel import ProbabilityBars
from gui.train_tab.live_steps import StepStrip
from gui.train_tab.live_worker import LiveClassifier, LiveJob, LiveResult
from gui.train_tab.plots import SLOT_COLOURS
from gui.train_tab.setup_panel import message_label, show_message
from gui.train_tab.state import SLOT_TITLES, SLOTS
from gui.train_tab.webcam_classes import PULL_INTERVAL_MS, frame_pixmap
from gui.widgets.named import named

#: What the dialog needs from the Train tab: its trained models (``None``: not trained), the
#: class names and the input size ``(H, W)``.
ModelsProvider = Callable[[], tuple[dict[str, Model | None], tuple[str, ...], tuple[int, int]]]
MODES = {"camera": "As captured (webcam classes)", "digit": "Digit on paper (MNIST / UCI steps)"}
FEED_SIZE = QSize(400, 300)
#: A live source silent this long is reported (an unplugged webcam may block in read()).
STALL_SECONDS = 3.0
DIGIT_NAMES = tuple(str(d) for d in range(10))


class LiveClassificationDialog(CameraFeedMixin, QDialog):
    """The camera feed with both trained models' probabilities, updated per frame.

    Parameters
    ----------
    models
        Called on every pulled frame; the models it returns are copied for the worker
        whenever one of them changes (the tab replaces them while it trains).
    """

    def __init__(self, parent: QWidget | None = None, *, models: ModelsProvider) -> None:
        super().__init__(parent)
        self.setObjectName("liveClassificationDialog")
        self.setWindowTitle("Live classification")
        self._provider = models
        self.capture: FrameCapture | None = None
        self.classifier = LiveClassifier(self)
        self.classifier.result_ready.connect(self._on_result)
        self.latest: np.ndarray | None = None
        self.last_result: LiveResult | None = None
        self.stall_seconds = STALL_SECONDS
        self._seq = 0
        self._source_models: dict[str, Model | None] = {}
        self._names: tuple[str, ...] = ()
        self._size: tuple[int, int] = (8, 8)
        self._usable: dict[str, bool] = {}
        self._mode_chosen = False
        self._feed_times: list[float] = []
        self._done_times: list[float] = []
        self._last_frame_at = 0.0
        self._last_seconds: float | None = None
        self._stalled = False
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(PULL_INTERVAL_MS)
        self._timer.timeout.connect(self._pull)
        self.classifier.start()
        self._check_models()
        self._timer.start()  # also while no source runs: the tab's models are watched

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        controls = SourceControls("live")
        self.camera_combo, self.start_button = controls.camera_combo, controls.start_button
        self.video_button, self.stop_button = controls.video_button, controls.stop_button
        self.mode_combo = named(QComboBox(), "liveMode")
        for key, text in MODES.items():
            self.mode_combo.addItem(text, key)
        self.mode_combo.setToolTip(
            "as captured: centre square, gray, shrunk (for classes taught with the webcam); "
            "digit: threshold, bounding box and centring like the digits the model learned"
        )
        source_row = controls.row
        source_row.addStretch(1)
        source_row.addWidget(QLabel("Input:"))
        source_row.addWidget(self.mode_combo)

        self.feed = QLabel("No camera yet: start one, or open a video file.")
        self.feed.setObjectName("liveFeed")
        self.feed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feed.setMinimumSize(FEED_SIZE)
        self.feed.setWordWrap(True)
        # The pixmap follows the label's size; it must not push the label (and the layout) wider.
        self.feed.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.fps_label = named(QLabel(), "liveFps")
        feed_box = QVBoxLayout()
        feed_box.addWidget(self.feed, 1)
        feed_box.addWidget(self.fps_label)
        self.bars = {s: ProbabilityBars(SLOT_TITLES[s], SLOT_COLOURS[s]) for s in SLOTS}
        for slot, bars in self.bars.items():
            bars.setObjectName(f"liveBars_{slot}")
        top = QHBoxLayout()
        top.addLayout(feed_box, 4)
        for slot in SLOTS:
            top.addWidget(self.bars[slot], 3)

        self.steps = StepStrip()

        self.model_note = message_label("liveModelNote", "hint")
        self.message = message_label("liveMessage")
        self.close_button = named(QPushButton("Close"), "liveClose")
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(source_row)
        layout.addLayout(top, 1)
        layout.addWidget(self.steps)
        layout.addWidget(self.model_note)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        self.start_button.clicked.connect(self._on_start_camera)
        self.video_button.clicked.connect(self._on_video_clicked)
        self.stop_button.clicked.connect(self.stop_source)
        self.close_button.clicked.connect(self.close)
        self.mode_combo.activated.connect(self._on_mode_chosen)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self._update_controls()

    # -- models ----------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        """``"camera"`` or ``"digit"``: how frames become the models' input."""
        return str(self.mode_combo.currentData())

    def set_mode(self, mode: str) -> None:
        """Choose how frames are prepared (as a user's choice: kept when the data change)."""
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(mode)))
        self._mode_chosen = True

    @Slot(int)
    def _on_mode_chosen(self, _index: int) -> None:
        self._mode_chosen = True

    @Slot(int)
    def _on_mode_changed(self, _index: int) -> None:
        self._describe_models()
        self.steps.show_steps([])

    def _check_models(self) -> None:
        """Copy the tab's models for the worker when any of them (or the data) changed."""
        models, names, size = self._provider()
        same = (
            names == self._names
            and size == self._size
            and models.keys() == self._source_models.keys()
            and all(models[s] is self._source_models[s] for s in models)
        )
        if same:
            return
        data_changed = names != self._names or size != self._size
        self._source_models, self._names, self._size = dict(models), names, size
        self._usable = {
            s: m is not None and tuple(m.input_shape[1:]) == size for s, m in models.items()
        }
        self.classifier.set_models(
            {s: m.copy() if m is not None and self._usable[s] else None for s, m in models.items()}
        )
        if data_changed and not self._mode_chosen:
            digits = names == DIGIT_NAMES and size in DIGIT_SIZES
            self.mode_combo.blockSignals(True)
            self.mode_combo.setCurrentIndex(
                self.mode_combo.findData("digit" if digits else "camera")
            )
            self.mode_combo.blockSignals(False)
        self._describe_models()

    def fit_problem(self) -> str:
        """Why frames cannot be classified now ("" when they can)."""
        h, w = self._size
        if self.mode == "digit" and (h, w) not in DIGIT_SIZES:
            return (
                f"The models take {h}×{w} images, but the digit steps make 8×8 (UCI) or 28×28 "
                "(MNIST) inputs: choose “As captured”, or train on digits of one of those sizes."
            )
        return ""

    def _describe_models(self) -> None:
        trained = [SLOT_TITLES[s] for s in SLOTS if self._usable.get(s)]
        h, w = self._size
        problem = self.fit_problem()
        if problem:
            text, tone = problem, "error"
        elif not trained:
            text, tone = (
                "No model is trained yet: train both in the Train tab (Train both), and the bars "
                "will follow the feed. The steps are shown meanwhile.",
                "error",
            )
        else:
            names = ", ".join(self._names[:10]) + (" …" if len(self._names) > 10 else "")
            text = (
                f"{' and '.join(trained)} trained on {len(self._names)} classes ({names}), "
                f"{h}×{w} input."
            )
            if len(trained) < len(SLOTS):
                text += " The other model is not trained yet."
            tone = "hint"
        set_tone(self.model_note, tone)
        show_message(self.model_note, text)
        for slot, bars in self.bars.items():  # an untrained (or reset) model shows no answer
            if problem or not self._usable.get(slot):
                bars.set_probabilities(None, self._names or DIGIT_NAMES)

    # -- source ----------------------------------------------------------------------------------
    def _source_started(self) -> None:
        """A new source: its frame rates and stall watch start afresh."""
        self._feed_times.clear()
        self._done_times.clear()
        self._last_frame_at = time.monotonic()
        self._stalled = False

    @Slot()
    def stop_source(self) -> None:
        """Stop the camera thread (stop flag → quit → wait); the last answer stays shown."""
        self.release_capture()
        self._update_controls()

    @Slot(str)
    def _on_source_opened(self, description: str) -> None:
        self._last_frame_at = time.monotonic()
        self.show_text(f"{description} is running.")

    @Slot(str)
    def _on_source_stopped(self, reason: str) -> None:
        if self.capture is not None:
            self._pull()  # the last frame read before it stopped
        self.stop_source()
        self.fps_label.setText("")
        self.show_text(
            f"The camera stopped: {reason}. The bars show the last frame classified; start it "
            "again, or open a video file.",
            error=True,
        )

    # -- frames ----------------------------------------------------------------------------------
    @Slot()
    def _pull(self) -> None:
        self._check_models()
        if self.capture is None:
            return
        got = self.capture.take_latest(self._seq)
        now = time.monotonic()
        if got is None:
            silent = now - self._last_frame_at
            if not self._stalled and silent > self.stall_seconds and self.capture.running:
                self._stalled = True
                self.show_text(
                    f"{self.capture.source.description} has not delivered a frame for "
                    f"{silent:.0f} s (unplugged or in use?). The last answer is kept.",
                    error=True,
                )
            return
        self._seq, frame = got
        self.latest = frame
        self._last_frame_at = now
        if self._stalled:
            self._stalled = False
            self.show_text(f"{self.capture.source.description} is running again.")
        self._feed_times = [t for t in self._feed_times if now - t < 1.0] + [now]
        self.feed.setPixmap(frame_pixmap(frame, self.feed.size()))
        if not self.fit_problem():
            self.classifier.submit(LiveJob(self._seq, frame, self._size, self.mode))
        self._show_fps()

    @Slot(object)
    def _on_result(self, result: LiveResult) -> None:
        if result.mode != self.mode:
            return  # prepared the other way: the mode changed meanwhile
        self.last_result = result
        now = time.monotonic()
        self._done_times = [t for t in self._done_times if now - t < 1.0] + [now]
        if result.prepared is None:
            self.show_text(f"This frame cannot be used: {result.error}", error=True)
            return
        prepared = result.prepared
        self.steps.show_steps(prepared.steps)
        names = self._names
        for slot, bars in self.bars.items():
            p = result.probabilities.get(slot)
            usable = p is not None and len(p) == len(names) and prepared.found
            bars.set_probabilities(p if usable else None, names or DIGIT_NAMES)
        if not prepared.found:
            self.show_text(prepared.note, error=True)
        elif self.message.property("tone") == "error" and self.message.text().startswith(
            ("No digit found", "This frame")
        ):
            self.show_text("")
        self._last_seconds = result.seconds
        self._show_fps()

    def _show_fps(self) -> None:
        feed = max(0, len(self._feed_times) - 1)
        done = max(0, len(self._done_times) - 1)
        parts = [f"Camera {feed} frames/s", f"classified {done} frames/s"]
        if self._last_seconds is not None:
            parts.append(f"{1000 * self._last_seconds:.1f} ms each")
        parts.append(f"{self.classifier.dropped:,} dropped while busy")
        self.fps_label.setText(" · ".join(parts))

    @property
    def predicted(self) -> dict[str, str | None]:
        """Each model's most likely class name as the bars show it (``None``: no answer)."""
        out: dict[str, str | None] = {}
        for slot, bars in self.bars.items():
            best = bars.predicted()
            out[slot] = None if best is None else bars.class_names[best]
        return out

    # -- misc ------------------------------------------------------------------------------------
    def show_text(self, text: str, *, error: bool = False) -> None:
        """A message under the steps (errors in the error tone)."""
        set_tone(self.message, "error" if error else None)
        self.message.setProperty("tone", "error" if error else None)
        show_message(self.message, text)

    def _update_controls(self) -> None:
        self.stop_button.setEnabled(self.capture is not None)

    def _shutdown(self) -> None:
        self._timer.stop()
        self.stop_source()
        self.classifier.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Stop the camera and the classifier threads before closing."""
        self._shutdown()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        """Escape and accept/reject stop the threads too."""
        self._shutdown()
        super().done(result)


def tab_models(tab) -> tuple[dict[str, Model | None], tuple[str, ...], tuple[int, int]]:
    """The Train tab's trained models (``None`` for an untrained slot), class names and input
    size, as :class:`LiveClassificationDialog` asks for them."""
    models = {s: tab.models[s] if tab.trained(s) else None for s in SLOTS}
    _, h, w = tab.input_shape()
    return models, tuple(tab.dataset.class_names), (h, w)


def open_dialog(tab) -> LiveClassificationDialog:
    """Show the tab's live classification dialog (one at a time)."""
    dialog = tab.findChild(LiveClassificationDialog, "liveClassificationDialog")
    if isinstance(dialog, LiveClassificationDialog) and dialog.isVisible():
        dialog.raise_()
        dialog.activateWindow()
        return dialog
    ref = weakref.ref(tab)  # the dialog is the tab's child: no strong reference back

    def provider() -> tuple[dict[str, Model | None], tuple[str, ...], tuple[int, int]]:
        owner = ref()
        return tab_models(owner) if owner is not None else ({}, (), (8, 8))

    dialog = LiveClassificationDialog(tab, models=provider)
    dialog.resize(1040, 680)
    dialog.finished.connect(dialog.deleteLater)
    dialog.show()
    return dialog


def close_dialog(tab) -> None:
    """Close the tab's live classification dialog, if open (its threads stop)."""
    for dialog in tab.findChildren(LiveClassificationDialog):
        dialog.close()
