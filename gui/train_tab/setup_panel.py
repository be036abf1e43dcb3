"""The Train tab's left column: data, the two networks (Layer-sizes table) and the options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.train import OPTIMIZERS
from gui.colours import tone_label
from gui.layers_tab.network_model import NetworkModel
from gui.train_tab.state import LIMITS, SLOT_TITLES, TrainOptions
from gui.widgets.spin_boxes import ExpressionSpinBox, expression_spin

#: Columns of the Layer-sizes table shown here (layer, parameters, output, params).
SHOWN_COLUMNS = (2, 3, 4, 5)
OPTIMIZER_TITLES = {"sgd": "SGD", "momentum": "SGD + momentum (β = 0.9)", "adam": "Adam"}


def message_label(name: str, kind: str = "error") -> QLabel:
    """A word-wrapped label in a theme tone, hidden while empty."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    tone_label(label, kind)
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    """Show ``text`` (or hide the label when it is empty)."""
    label.setText(text)
    label.setVisible(bool(text))


class DataBox(QGroupBox):
    """Where the digits come from, how many, the split, its seed and the shift augmentation."""

    open_requested = Signal(str)  # "digits", "idx", "folder" or "webcam"
    live_requested = Signal()  # "Live classification…"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        self.setObjectName("dataBox")
        buttons = QGridLayout()  # two to a row: four buttons side by side clip the column
        for i, (key, text, tip) in enumerate(
            (
                ("digits", "UCI digits", "the 1,797 built-in 8×8 handwritten digits"),
                ("idx", "MNIST IDX…", "open train-images-idx3-ubyte[.gz] and its labels file"),
                ("folder", "Image folder…", "a folder with one sub-folder of images per class"),
                ("webcam", "Webcam classes…", "teach it with your webcam: capture 2–10 classes"),
            )
        ):
            button = QPushButton(text)
            button.setObjectName(f"open_{key}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=key: self.open_requested.emit(k))
            buttons.addWidget(button, i // 2, i % 2)
        self.live_button = QPushButton("Live classification…")
        self.live_button.setObjectName("open_live")
        self.live_button.setToolTip("the camera feed with both trained models' bars, per frame")
        self.live_button.clicked.connect(lambda _=False: self.live_requested.emit())
        buttons.addWidget(self.live_button, 2, 0, 1, 2)
        self.source_label = QLabel()
        self.source_label.setObjectName("dataSource")
        self.source_label.setWordWrap(True)
        self.error_label = message_label("dataError")
        self.load_note = message_label("dataLoadNote", "note")
        self._build_load_row()
        self.samples = _spin("maxSamples", "max_samples", "use at most this many images")
        self.samples.setPrefix("≤ ")  # at most: a smaller data set is used whole
        self.validation = _spin("validationPercent", None, "share held out for validation")
        low, high = LIMITS["validation_fraction"]  # a fraction, shown in per cent
        self.validation.setRange(round(100 * low), round(100 * high))
        self.validation.setSuffix(" %")
        self.seed = _spin("splitSeed", "seed", "seeds the split, the initial weights and shuffling")
        self.shift = _spin("augmentShift", "augment_shift", "")
        self.shift.setToolTip("each epoch, move every training digit by a random ±k pixels")
        self.shift.setPrefix("± ")
        self.shift.setSuffix(" px")
        form = _pairs(
            [
                ("Images:", self.samples),
                ("Validation:", self.validation),
                ("Seed:", self.seed),
                ("Shift:", self.shift),
            ]
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.source_label)
        layout.addWidget(self.load_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.load_note)
        layout.addLayout(form)

    def _build_load_row(self) -> None:
        """What is being read, a progress bar and Cancel (shown only while loading)."""
        self.load_text = QLabel()
        self.load_text.setObjectName("dataLoadText")
        self.load_text.setWordWrap(True)
        tone_label(self.load_text, "hint")
        self.load_progress = QProgressBar()
        self.load_progress.setObjectName("dataLoadProgress")
        self.load_progress.setFormat("%p %")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("dataLoadCancel")
        self.cancel_button.setToolTip("stop reading; the data in use stays")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.load_progress, 1)
        bar.addWidget(self.cancel_button)
        self.load_row = QWidget()
        self.load_row.setObjectName("dataLoadRow")
        column = QVBoxLayout(self.load_row)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.load_text)
        column.addLayout(bar)
        self.load_row.hide()

    def loading_started(self, text: str) -> None:
        """Show the load row at 0 with ``text`` and Cancel enabled."""
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show_loading(text, 0, 1)
        self.load_row.show()

    def show_loading(self, text: str, done: int, total: int) -> None:
        """Update the load row: ``text`` and ``done`` of ``total`` steps."""
        self.load_text.setText(text)
        self.load_progress.setRange(0, max(1, total))
        self.load_progress.setValue(min(max(done, 0), max(1, total)))

    def show_cancelling(self) -> None:
        """Cancel was pressed; the load stops at its next image or chunk."""
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")

    def loading_ended(self) -> None:
        """Hide the load row."""
        self.load_row.hide()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")

    def set_options(self, options: TrainOptions) -> None:
        """Show ``options``' data fields (without emitting)."""
        for spin, value in (
            (self.samples, options.max_samples),
            (self.validation, round(100 * options.validation_fraction)),
            (self.seed, options.seed),
            (self.shift, options.augment_shift),
        ):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)

    def options(self) -> dict[str, Any]:
        """The data fields as :class:`TrainOptions` entries."""
        return {
            "max_samples": self.samples.value(),
            "validation_fraction": self.validation.value() / 100,
            "seed": self.seed.value(),
            "augment_shift": self.shift.value(),
        }


def _pairs(rows: list[tuple[str, QWidget]]) -> QGridLayout:
    """Label/field pairs two to a row (a compact form for a narrow column)."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(6)
    for i, (text, widget) in enumerate(rows):
        r, c = divmod(i, 2)
        label = QLabel(text)
        label.setBuddy(widget)
        grid.addWidget(label, r, 2 * c)
        grid.addWidget(widget, r, 2 * c + 1)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    return grid


def _spin(name: str, key: str | None, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setToolTip(tip)
    if key is not None:
        low, high = LIMITS[key]
        spin.setRange(int(low), int(high))
    return spin


class ModelSlot(QGroupBox):
    """One network (CNN or MLP) in the Layer sizes tab's table; edits there are allowed."""

    network_edited = Signal(str)  # slot
    reset_requested = Signal(str)
    import_requested = Signal(str)  # slot

    error_label: QLabel  # made below the table, but its edit_failed slot is connected first

    def __init__(self, slot: str, parent: QWidget | None = None) -> None:
        super().__init__(SLOT_TITLES[slot], parent)
        self.slot = slot
        self.setObjectName(f"slot_{slot}")
        self.network: dict[str, Any] = {}
        self.model = NetworkModel(self._commit, self)
        self.model.edit_failed.connect(lambda text: show_message(self.error_label, text))
        self.table = QTableView()
        self.table.setObjectName(f"table_{slot}")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        self.table.setToolTip("double-click a name or parameter cell to edit (as in Layer sizes)")
        for col in range(self.model.columnCount()):
            self.table.setColumnHidden(col, col not in SHOWN_COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.params_label = QLabel()
        self.params_label.setObjectName(f"params_{slot}")
        self.error_label = message_label(f"networkError_{slot}")
        self.preset_button = QPushButton("Preset")
        self.preset_button.setObjectName(f"preset_{slot}")
        self.preset_button.setToolTip(f"back to the default {SLOT_TITLES[slot]}")
        self.preset_button.clicked.connect(lambda: self.reset_requested.emit(self.slot))
        self.import_button = QPushButton("Import weights…")
        self.import_button.setObjectName(f"import_{slot}")
        self.import_button.setToolTip(
            f"load an exported model (.npz: network, weights and curves) into the "
            f"{SLOT_TITLES[slot]} slot"
        )
        self.import_button.clicked.connect(lambda: self.import_requested.emit(self.slot))
        row = QHBoxLayout()
        row.addWidget(self.params_label, 1)
        row.addWidget(self.preset_button)
        row.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.error_label)

    def set_network(self, network: dict[str, Any], input_shape: tuple[int, ...]) -> None:
        """Show ``network`` for data of ``input_shape`` (C, H, W)."""
        self.network = {
            "name": str(network.get("name", "")),
            "input_shape": list(input_shape),
            "layers": [dict(s) for s in network.get("layers", [])],
        }
        self.model.set_network(self.network["layers"], tuple(input_shape))
        rows = self.model.rowCount()
        height = self.table.horizontalHeader().sizeHint().height()
        height += rows * self.table.verticalHeader().defaultSectionSize() + 4
        self.table.setFixedHeight(min(height, 300))

    def _commit(self, layers: list[dict[str, Any]], _text: str) -> None:
        self.set_network(self.network | {"layers": layers}, tuple(self.network["input_shape"]))
        self.network_edited.emit(self.slot)

    def show_params(self, count: int | None, error: str = "") -> None:
        """The parameter count from ``engine.summarize`` (or why the network cannot train)."""
        self.params_label.setText("" if count is None else f"{count:,} parameters")
        show_message(self.error_label, error)


class OptionsBox(QGroupBox):
    """Optimiser, learning rate, batch size, epochs and λ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.setObjectName("optionsBox")
        self.optimizer = QComboBox()
        self.optimizer.setObjectName("optimizerCombo")
        for key in OPTIMIZERS:
            self.optimizer.addItem(OPTIMIZER_TITLES.get(key, key), key)
        self.learning_rate = _expression("learningRate", "learning_rate", "η", 0.001)
        self.lam = _expression("lambdaSpin", "lam", "λ", 0.0001)
        self.lam.setToolTip("λ of the penalty λ Σ‖W‖² over weights (not biases)")
        self.learning_rate.setToolTip("step size η of each update")
        self.batch_size = _spin("batchSize", "batch_size", "samples per update")
        self.epochs = _spin("epochs", "epochs", "passes over the training data")
        top = QFormLayout()
        top.addRow("Optimizer:", self.optimizer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(
            _pairs(
                [
                    ("Rate η:", self.learning_rate),
                    ("λ (L2):", self.lam),
                    ("Batch:", self.batch_size),
                    ("Epochs:", self.epochs),
                ]
            )
        )

    def set_options(self, options: TrainOptions) -> None:
        """Show ``options``' training fields (without emitting)."""
        widgets: list[tuple[QWidget, Callable[[], None]]] = [
            (
                self.optimizer,
                lambda: self.optimizer.setCurrentIndex(
                    max(0, self.optimizer.findData(options.optimizer))
                ),
            ),
            (self.learning_rate, lambda: self.learning_rate.setValue(options.learning_rate)),
            (self.batch_size, lambda: self.batch_size.setValue(options.batch_size)),
            (self.epochs, lambda: self.epochs.setValue(options.epochs)),
            (self.lam, lambda: self.lam.setValue(options.lam)),
        ]
        for widget, apply in widgets:
            widget.blockSignals(True)
            apply()
            widget.blockSignals(False)

    def options(self) -> dict[str, Any]:
        """The training fields as :class:`TrainOptions` entries."""
        return {
            "optimizer": self.optimizer.currentData(),
            "learning_rate": self.learning_rate.value(),
            "batch_size": self.batch_size.value(),
            "epochs": self.epochs.value(),
            "lam": self.lam.value(),
        }

    def changed_signals(self) -> list:
        """Signals of every field (the page listens to save its state)."""
        return [
            self.optimizer.currentIndexChanged,
            self.learning_rate.valueChanged,
            self.batch_size.valueChanged,
            self.epochs.valueChanged,
            self.lam.valueChanged,
        ]


def _expression(name: str, key: str, label: str, step: float) -> ExpressionSpinBox:
    """A spin box for ``key``'s range in :data:`LIMITS` that reads ``1/10`` and ``(8+2)/4``
    through the one number grammar (``engine.numbers``)."""
    low, high = LIMITS[key]
    return expression_spin(None, name, low, high, low, "", label=label, step=step)
