"""The Train tab: a CNN and an MLP learn handwritten digits side by side, live."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.train import History, Model
from gui.context import AppContext
from gui.train_tab.data_source import DataMixin
from gui.train_tab.draw_panel import BRUSH_SIZES, DigitCanvas
from gui.train_tab.experiments_panel import ExperimentsPanel
from gui.train_tab.export_actions import ExportActions
from gui.train_tab.learned_panel import LearnedPanel
from gui.train_tab.live_classification import close_dialog as close_live_dialog
from gui.train_tab.live_classification import open_dialog as open_live_dialog
from gui.train_tab.persistence import PersistenceMixin
from gui.train_tab.plots import CurvesPanel
from gui.train_tab.runner import RunnerMixin
from gui.train_tab.setup_panel import DataBox, ModelSlot, OptionsBox
from gui.train_tab.state import SLOT_TITLES, SLOTS, TrainOptions, make_model, preset_network
from gui.train_tab.why_panel import WhyPanel
from gui.train_tab.worker import make_runner
from gui.widgets import TabPage

PAGES = ("curves", "learned", "draw", "experiments")
#: While training, redraw the curves and bars at most this often (ms), the "What it learned"
#: page (costlier) at most every LEARNED_REFRESH_MS: epochs can finish 20 times a second.
CURVES_REFRESH_MS = 250
LEARNED_REFRESH_MS = 400


class TrainTab(DataMixin, PersistenceMixin, RunnerMixin, TabPage):
    """Data, two networks, training controls; curves, filters, drawing and experiments."""

    def __init__(self, parent: QWidget | None = None, *, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self.options = TrainOptions()
        self.networks: dict[str, dict[str, Any]] = {s: preset_network(s) for s in SLOTS}
        self.models: dict[str, Model | None] = dict.fromkeys(SLOTS)
        self.histories: dict[str, History] = {s: History() for s in SLOTS}
        self.job_runner = make_runner(self)  # training and the experiments (RunnerMixin)
        self.connect_runner()
        self.webcam_dialog: QWidget | None = None
        self._build()
        self.init_data()  # DataMixin: the built-in digits, split, models

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.data_box = DataBox()
        self.slots = {slot: ModelSlot(slot) for slot in SLOTS}
        self.options_box = OptionsBox()
        self.data_box.set_options(self.options)
        self.options_box.set_options(self.options)
        column = QWidget()
        column.setObjectName("trainSetup")
        left = QVBoxLayout(column)
        left.setContentsMargins(4, 4, 4, 4)
        left.addWidget(self.data_box)
        left.addWidget(self.options_box)
        for slot in SLOTS:
            left.addWidget(self.slots[slot])
        left.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("trainSetupScroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(column)
        scroll.setMinimumWidth(350)

        self.train_button = QPushButton("Train both")
        self.train_button.setObjectName("trainButton")
        self.train_button.setToolTip("train fresh CNN and MLP with these settings (seeded)")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseButton")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip("stop and forget the trained weights and curves")
        self.export_button = QPushButton("Export…")
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip("save both models: .npz weights and the network JSON")
        self.progress = QProgressBar()
        self.progress.setObjectName("trainProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.time_label = QLabel()
        self.time_label.setObjectName("timeLeft")
        self.status_label = QLabel()
        self.status_label.setObjectName("trainStatus")
        self.status_label.setWordWrap(True)
        bar = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.reset_button):
            bar.addWidget(button)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.time_label)
        bar.addWidget(self.export_button)

        self.curves = CurvesPanel()
        self.learned = LearnedPanel()
        self.canvas = DigitCanvas()
        self.why = WhyPanel()
        self.bars = self.why.bars
        self.experiments = ExperimentsPanel()
        self.pages = QTabWidget()
        self.pages.setObjectName("trainPages")
        self.pages.addTab(self.curves, "Curves")
        self.pages.addTab(self.learned, "What it learned")
        self.pages.addTab(self._draw_page(), "Draw your own")
        self.pages.addTab(self.experiments, "Experiments")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 4, 4, 4)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.status_label)
        right_layout.addWidget(self.pages, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("trainSplitter")
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        splitter.setSizes([380, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self._learned_timer = QTimer(self)
        self._learned_timer.setSingleShot(True)
        self._learned_timer.setInterval(LEARNED_REFRESH_MS)
        self._learned_timer.timeout.connect(self._refresh_learned)
        self._learned_dirty = False
        self._curves_timer = QTimer(self)
        self._curves_timer.setSingleShot(True)
        self._curves_timer.setInterval(CURVES_REFRESH_MS)
        self._curves_timer.timeout.connect(self._redraw_curves)
        self._dirty_slots: set[str] = set()

        self.train_button.clicked.connect(self.start_training)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.reset_button.clicked.connect(self.reset)
        self.export_actions = ExportActions(self)  # the button's menu: .npz, ONNX, PyTorch
        self.data_box.open_requested.connect(self.open_requested)
        self.data_box.live_requested.connect(self.open_live_classification)
        for spin in (self.data_box.samples, self.data_box.validation, self.data_box.seed):
            spin.valueChanged.connect(self._on_data_options_changed)
        self.data_box.shift.valueChanged.connect(self._on_options_changed)
        for signal in self.options_box.changed_signals():
            signal.connect(self._on_options_changed)
        for slot_box in self.slots.values():
            slot_box.network_edited.connect(self._on_network_edited)
            slot_box.reset_requested.connect(self.use_preset)
            slot_box.import_requested.connect(self.import_dialog)
        self.learned.kernel_to_matrix.connect(self.context.open_kernel_in_matrix)
        self.learned.kernel_to_gallery.connect(self.context.send_kernel)
        self.learned.digit_to_canvas.connect(self._draw_digit)
        self.canvas.image_changed.connect(self.update_bars)
        self.experiments.run_requested.connect(self.run_experiment)
        self.pages.currentChanged.connect(self._on_page_changed)
        self._update_buttons()

    def _draw_page(self) -> QWidget:
        page = QWidget()
        clear = QPushButton("Clear")
        clear.setObjectName("clearCanvas")
        clear.clicked.connect(self.canvas.clear)
        self.brush = QSpinBox()
        self.brush.setObjectName("brushSize")
        self.brush.setRange(BRUSH_SIZES[0], BRUSH_SIZES[-1])
        self.brush.setPrefix("Brush: ")
        self.brush.setSuffix(" px")
        self.brush.setToolTip("pen width in image pixels (1 = one cell per point)")
        self.brush.setValue(self.canvas.brush)
        self.brush.valueChanged.connect(self.canvas.set_brush)
        hint = QLabel(
            "Draw a digit with the mouse (right button erases). Arrow keys shift it by one "
            "pixel: watch which model keeps its answer, and where each one looks. “Draw on it” "
            "on the What it learned page brings a validation digit here."
        )
        hint.setWordWrap(True)
        tools = QHBoxLayout()
        tools.addWidget(self.brush)
        tools.addWidget(clear, 1)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)
        row = QHBoxLayout()
        row.addLayout(left, 2)
        row.addWidget(self.why, 3)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addLayout(row, 1)
        return page

    # -- models ----------------------------------------------------------------------------------
    def input_shape(self) -> tuple[int, int, int]:
        """``(1, H, W)`` of the current data."""
        h, w = self.dataset.image_shape
        return (1, h, w)

    def rebuild_models(self, slots: tuple[str, ...] = SLOTS) -> None:
        """Fresh (untrained) models for ``slots`` from their networks; curves cleared."""
        for slot in slots:
            box = self.slots[slot]
            box.set_network(self.networks[slot], self.input_shape())
            self.histories[slot] = History()
            try:
                model = make_model(
                    self.networks[slot],
                    self.input_shape(),
                    self.dataset.n_classes,
                    self.options.seed,
                )
            except ValueError as exc:
                self.models[slot] = None
                box.show_params(None, f"Cannot train this network: {exc}")
            else:
                self.models[slot] = model
                box.show_params(model.n_params)
            self.curves.show_history(slot, None)
        self._models_changed()

    def trained(self, slot: str) -> bool:
        """Whether ``slot``'s model has finished at least one epoch."""
        return self.models[slot] is not None and bool(self.histories[slot].records)

    def _models_changed(self) -> None:
        self._learned_dirty = True
        if self.pages.currentIndex() == PAGES.index("learned"):
            if not self._learned_timer.isActive():  # a throttle: restarting would starve it
                self._learned_timer.start()
        self.update_bars()
        self._update_buttons()

    def curves_changed(self, slot: str) -> None:
        """``slot`` has a new epoch: redraw soon, with whatever else arrives meanwhile."""
        self._dirty_slots.add(slot)
        if not self._curves_timer.isActive():
            self._curves_timer.start()

    def _redraw_curves(self) -> None:
        for slot in sorted(self._dirty_slots):
            self.curves.show_history(slot, self.histories[slot])
        self._dirty_slots.clear()
        self._models_changed()

    def _refresh_learned(self) -> None:
        self._learned_dirty = False
        self.learned.set_models(self.models)

    def _on_page_changed(self, index: int) -> None:
        if PAGES[index] == "learned" and self._learned_dirty:
            self._refresh_learned()
        self.state_changed.emit()

    @Slot()
    def update_bars(self) -> None:
        """Both trained models' softmax bars, saliency and occlusion maps of the drawing."""
        self.brush.setValue(self.canvas.brush)  # new data sizes reset the canvas's brush
        models = {s: self.models[s] if self.trained(s) else None for s in SLOTS}
        self.why.show_image(self.canvas.image, models, self.dataset.class_names)

    @Slot()
    def open_live_classification(self) -> None:
        """Data ▸ Live classification…: the camera feed with both trained models' bars."""
        open_live_dialog(self)

    def _draw_digit(self, image: np.ndarray) -> None:
        self.canvas.set_image(image)
        self.pages.setCurrentIndex(PAGES.index("draw"))
        self.canvas.setFocus()

    def use_preset(self, slot: str) -> None:
        """Put the default network back in ``slot``."""
        self.stop_worker()
        self.networks[slot] = preset_network(slot)
        self.rebuild_models((slot,))
        self.state_changed.emit()

    def _on_network_edited(self, slot: str) -> None:
        self.stop_worker()
        self.networks[slot] = dict(self.slots[slot].network)
        self.rebuild_models((slot,))
        self.state_changed.emit()

    @Slot(object, str)
    def receive_network(self, network: object, slot: str) -> None:
        """A network from the Layer sizes tab replaces ``slot``'s (its input shape becomes the
        data's)."""
        if slot not in SLOTS or not isinstance(network, dict):
            return
        self.stop_worker()
        self.networks[slot] = {
            "name": str(network.get("name", "")),
            "input_shape": list(self.input_shape()),
            "layers": [dict(s) for s in network.get("layers", [])],
        }
        self.rebuild_models((slot,))
        self.status_label.setText(f"Layer sizes network now in the {SLOT_TITLES[slot]} slot.")
        self.state_changed.emit()

    # -- options ---------------------------------------------------------------------------------
    def _read_options(self) -> None:
        self.options = self.options.updated(self.data_box.options() | self.options_box.options())

    def _on_options_changed(self, *_args: object) -> None:
        self._read_options()
        self.state_changed.emit()

    def _on_data_options_changed(self, *_args: object) -> None:
        self._read_options()
        self.stop_worker()
        self.prepare_data()
        self.state_changed.emit()

    # -- TabPage ---------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the worker and data-loading threads and the redraw timers."""
        self.stop_loading()
        self._learned_timer.stop()
        self._curves_timer.stop()
        self.why.stop()
        self.export_actions.close_message()
        if self.webcam_dialog is not None:
            self.webcam_dialog.close()  # stops its camera thread
        close_live_dialog(self)  # stops its camera and classifier threads
        self.stop_worker()
