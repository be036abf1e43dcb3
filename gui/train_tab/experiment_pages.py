"""The experiment pages' shared parts and the CNN-vs-MLP pages: learning curves, the shift test
(sheet 2.1 iv), and the gradient check.

Each page has a run ``button``, ``options()`` (what the job needs; ``ValueError`` for bad
input), ``show_result(result)`` and a ``sentence`` label that ends the experiment with the
engine's own one-sentence summary.  Experiments that train repeat over the seeds in ``seeds``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.train import DEFAULT_SEEDS, MAX_SEEDS, LearningCurves, ShiftExperiment
from gui.train_tab.experiment_plots import ShiftPlot, SizePlot
from gui.train_tab.setup_panel import message_label, show_message
from gui.train_tab.state import SLOT_TITLES

#: Engine names of the two networks (keys of its results) and their Train tab slots.
NETWORK_SLOTS = {title: slot for slot, title in SLOT_TITLES.items()}


def make_table(name: str, headers: list[str]) -> QTableWidget:
    """A read-only result table (no row numbers, columns sized to their text)."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setMinimumHeight(4 * (table.fontMetrics().height() + 8))
    return table


def set_rows(table: QTableWidget, rows: list[list[str]]) -> None:
    """Fill ``table``; every column but the first right-aligned."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def spin(
    name: str, low: int, high: int, value: int, *, prefix: str = "", suffix: str = ""
) -> QSpinBox:
    """A named integer spin box (the app's wheel guard keeps the wheel from changing it)."""
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(low, high)
    box.setValue(value)
    box.setPrefix(prefix)
    box.setSuffix(suffix)
    return box


def seeds_spin(name: str) -> QSpinBox:
    """The seeds every experiment repeats over: 1…``MAX_SEEDS``, default ``DEFAULT_SEEDS``."""
    box = spin(name, 1, MAX_SEEDS, DEFAULT_SEEDS, prefix="Seeds: ")
    box.setToolTip("each seed trains fresh models (weights, shuffling, digits): mean ± sd")
    return box


def row(*widgets: QWidget) -> QWidget:
    """Widgets side by side in one row."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1)
    return holder


def sentence_label(name: str) -> QLabel:
    """Where an experiment's one-sentence result goes (selectable, wrapped, hidden until set)."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def layout_page(page: QWidget, controls: list[QWidget], view: QWidget, sentence: QLabel) -> None:
    """Controls in a column beside the plot, the result sentence across the bottom."""
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    for widget in controls:
        if isinstance(widget, QLabel):
            widget.setWordWrap(True)
        column.addWidget(widget, 1 if isinstance(widget, QTableWidget) else 0)
    if not any(isinstance(w, QTableWidget) for w in controls):
        column.addStretch(1)
    left = QWidget()
    left.setLayout(column)
    left.setMinimumWidth(290)
    left.setMaximumWidth(400)
    top = QHBoxLayout()
    top.addWidget(left, 2)
    top.addWidget(view, 3)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addLayout(top, 1)
    layout.addWidget(sentence)


def by_slot(result: ShiftExperiment | LearningCurves) -> tuple[dict[str, Any], dict[str, str]]:
    """Each network's accuracies and its legend name ("CNN (6,090 params)"), keyed by the
    tab's slot (the plots' colours follow the slot)."""
    stats = {NETWORK_SLOTS[name]: result.accuracy[name] for name in result.names}
    names = {NETWORK_SLOTS[n]: f"{n} ({result.n_params.get(n, 0):,} params)" for n in result.names}
    return stats, names


class ExperimentPage(QWidget):
    """What every experiment page has: a run button, an error line and a result sentence."""

    kind = ""

    def __init__(self, button_text: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QPushButton(button_text)
        self.button.setObjectName(name)
        self.error = message_label(f"{self.kind}Error")
        self.sentence = sentence_label(f"{self.kind}Sentence")
        #: The last result shown (the engine's object), ``None`` before a run.
        self.result: Any = None

    def options(self) -> dict[str, Any]:
        """What the job needs (raises ``ValueError`` naming a bad input)."""
        return {}

    def show_error(self, text: str) -> None:
        """A message under the button ('' hides it)."""
        show_message(self.error, text)

    def show_result(self, result: Any) -> None:
        """Show the engine's ``result`` of this page's experiment (each page has its own)."""
        raise NotImplementedError(f"{type(self).__name__} shows no result")

    def clear(self) -> None:
        """A new run has started: no old numbers on show."""
        self.result = None
        self.show_sentence("")
        table = getattr(self, "table", None)
        if isinstance(table, QTableWidget):
            set_rows(table, [])
        plot = getattr(self, "plot", None)
        if plot is not None and hasattr(plot, "clear"):
            plot.clear()

    def idle(self) -> None:
        """No run any more (stopped or never started): an empty plot says what to press."""
        plot = getattr(self, "plot", None) or getattr(self, "plots", None)
        if self.result is None and plot is not None and hasattr(plot, "idle"):
            plot.idle()

    def show_sentence(self, text: str) -> None:
        """The engine's one-sentence result."""
        self.sentence.setText(text)
        self.sentence.setVisible(bool(text))

    def save_state(self) -> dict[str, Any]:
        """Inputs as plain JSON types."""
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`save_state`; bad entries are ignored."""

    @staticmethod
    def restore_spin(box: QSpinBox, value: object) -> None:
        """Set ``box`` to ``value`` when it is a whole number in its range."""
        if type(value) is int and box.minimum() <= value <= box.maximum():
            box.setValue(value)


class ShiftPage(ExperimentPage):
    """Sheet 2.1 iv: accuracy on validation digits moved 0…3 px, over seeds."""

    kind = "shift"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run shift test", "runShiftTest", parent)
        self.seeds = seeds_spin("shiftSeeds")
        self.epochs = spin("shiftEpochs", 1, 500, 20, suffix=" epochs")
        self.table = make_table("shiftTable", [""] + list(SLOT_TITLES.values()))
        self.plot = ShiftPlot(self)
        hint = QLabel(
            "Sheet 2.1 iv: does weight sharing buy translation invariance? Both networks are "
            "trained afresh for each seed (the tab's settings), then tested on the validation "
            "digits moved by 0…3 pixels (mean of up, down, left and right)."
        )
        parts = [hint, row(self.seeds, self.epochs), self.button, self.error, self.table]
        layout_page(self, parts, self.plot, self.sentence)

    def options(self) -> dict[str, Any]:
        """Seeds and epochs."""
        return {"seeds": self.seeds.value(), "epochs": self.epochs.value()}

    def show_result(self, result: ShiftExperiment) -> None:
        """Mean ± sd per shift in the table (one column per network) and the plot."""
        self.result = result
        stats, names = by_slot(result)
        rows = [["parameters"] + [f"{result.n_params.get(n, 0):,}" for n in result.names]]
        for i, shift in enumerate(result.shifts):
            rows.append([f"{shift} px"] + [result.accuracy[n][i].percent() for n in result.names])
        set_rows(self.table, rows)
        self.plot.show_result(result.shifts, stats, names)
        self.show_sentence(result.sentence)

    def save_state(self) -> dict[str, Any]:
        """Seeds and epochs."""
        return self.options()

    def restore_state(self, state: dict[str, Any]) -> None:
        """Seeds and epochs, when in range."""
        self.restore_spin(self.seeds, state.get("seeds"))
        self.restore_spin(self.epochs, state.get("epochs"))


class CurvesPage(ExperimentPage):
    """CNN vs MLP validation accuracy against the training-set size, over seeds."""

    kind = "curves"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run learning curves", "runLearningCurves", parent)
        self.seeds = seeds_spin("curvesSeeds")
        self.epochs = spin("curvesEpochs", 1, 500, 15, prefix="≥ ", suffix=" epochs")
        self.min_batches = spin("curvesBatches", 1, 20_000, 300, prefix="≥ ", suffix=" batches")
        self.min_batches.setToolTip("small training sets train more epochs, up to this many steps")
        self.table = make_table("curvesTable", ["digits"] + list(SLOT_TITLES.values()))
        self.plot = SizePlot(self)
        hint = QLabel(
            "Which network learns more from few digits? Both are trained afresh on 50, 100, "
            "200, 400, 800 and all training digits (a different draw per seed) and measured "
            "on the same validation digits."
        )
        parts = [hint, row(self.seeds, self.epochs), self.min_batches, self.button]
        parts += [self.error, self.table]
        layout_page(self, parts, self.plot, self.sentence)

    def options(self) -> dict[str, Any]:
        """Seeds, epochs and the least mini-batches per run."""
        return {
            "seeds": self.seeds.value(),
            "epochs": self.epochs.value(),
            "min_batches": self.min_batches.value(),
        }

    def show_result(self, result: LearningCurves) -> None:
        """Mean ± sd per training-set size in the table and the plot."""
        self.result = result
        stats, names = by_slot(result)
        rows = [
            [f"{size:,}"] + [result.accuracy[n][i].percent() for n in result.names]
            for i, size in enumerate(result.sizes)
        ]
        set_rows(self.table, rows)
        self.plot.show_result(result.sizes, stats, names)
        self.show_sentence(result.sentence)

    def save_state(self) -> dict[str, Any]:
        """Seeds, epochs, batches."""
        return self.options()

    def restore_state(self, state: dict[str, Any]) -> None:
        """Seeds, epochs, batches, when in range."""
        self.restore_spin(self.seeds, state.get("seeds"))
        self.restore_spin(self.epochs, state.get("epochs"))
        self.restore_spin(self.min_batches, state.get("min_batches"))


class GradientPage(ExperimentPage):
    """Backprop against central differences for both trained models."""

    kind = "gradcheck"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run gradient check", "runGradientCheck", parent)
        self.table = make_table(
            "gradientTable", ["model", "parameter", "max relative error", "entries checked"]
        )
        hint = QLabel(
            "Backprop against central differences (L(θ+ε) − L(θ−ε))/2ε in float64 on 8 "
            "validation digits, with the tab's λ: per parameter, the largest relative error "
            "over 20 random entries. Errors far below 1e-3 mean the backward pass is right; a "
            "lone large one is a ReLU kink or a max-pool tie straddled by ±ε."
        )
        layout_page(self, [hint, self.button, self.error], self.table, self.sentence)

    def show_result(self, result: tuple[dict[str, list[Any]], str]) -> None:
        """``({slot: [GradientCheckRow]}, sentence)`` as one table and the sentence."""
        self.result = result
        checks, sentence = result
        rows = [
            [
                SLOT_TITLES.get(slot, slot),
                c.parameter,
                f"{c.max_relative_error:.2e}",
                str(c.checked),
            ]
            for slot, found in checks.items()
            for c in found
        ]
        set_rows(self.table, rows)
        self.show_sentence(sentence)
