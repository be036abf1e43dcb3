"""The experiments that answer the sheet: shift test (2.1 iv), λ sweep (2.3), gradient check."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.train_tab.plots import ShiftPlot, SweepPlot
from gui.train_tab.setup_panel import message_label, show_message
from gui.train_tab.state import SHIFTS, SLOT_TITLES

DEFAULT_LAMBDAS = "0, 1e-4, 1e-3, 1e-2, 1e-1"
MAX_LAMBDAS = 12


def parse_lambdas(text: str) -> list[float]:
    """``"0, 1e-3, 0.1"`` → ``[0.0, 0.001, 0.1]``; raises ``ValueError`` naming the bad entry."""
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"λ values: {part!r} is not a number") from None
        if not math.isfinite(value) or value < 0 or value > 10:
            raise ValueError(f"λ values: {part} must be between 0 and 10")
        values.append(value)
    if not values:
        raise ValueError("λ values: enter at least one, e.g. 0, 1e-3, 1e-2")
    if len(values) > MAX_LAMBDAS:
        raise ValueError(f"λ values: at most {MAX_LAMBDAS}")
    return sorted(set(values))


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    if name != "gradientTable":  # few columns: they fit, no horizontal scroll bar
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _page(controls: list[QWidget], view: QWidget) -> QWidget:
    """One experiment: a column of controls (labels wrap) beside its plot or table."""
    page = QWidget()
    column = QVBoxLayout()
    for widget in controls:
        if isinstance(widget, QLabel):
            widget.setWordWrap(True)
        column.addWidget(widget)
    column.addStretch(1)
    left = QWidget()
    left.setLayout(column)
    left.setMinimumWidth(300)
    left.setMaximumWidth(440)
    layout = QHBoxLayout(page)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(left, 2)
    layout.addWidget(view, 3)
    return page


def _set_rows(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    if table.objectName() != "gradientTable":  # small result tables show every row
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
        height += table.verticalHeader().defaultSectionSize() * max(len(rows), 2)
        table.setFixedHeight(height)


class ExperimentsPanel(QWidget):
    """Buttons, tables and plots of the three experiments; the page runs them in its worker.

    Signals
    -------
    run_requested(str, dict)
        ``"shift"``, ``"sweep"`` (with ``slot``, ``lambdas``, ``epochs``) or ``"gradcheck"``.
    """

    run_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shift_button = QPushButton("Run shift test")
        self.shift_button.setObjectName("runShiftTest")
        self.shift_button.clicked.connect(lambda: self.run_requested.emit("shift", {}))
        self.shift_table = _table("shiftTable", [""] + list(SLOT_TITLES.values()))
        self.shift_plot = ShiftPlot(self)
        hint = QLabel(
            "Sheet 2.1 iv: does weight sharing buy translation invariance? Accuracy on the "
            "validation digits moved by 0…3 pixels (mean of up, down, left and right), with "
            "each model's parameter count."
        )
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("experimentPages")
        self.tabs.addTab(
            _page([hint, self.shift_button, self.shift_table], self.shift_plot), "Shift test"
        )

        self.sweep_model = QComboBox()
        self.sweep_model.setObjectName("sweepModel")
        for slot, title in SLOT_TITLES.items():
            self.sweep_model.addItem(title, slot)
        self.sweep_model.setCurrentIndex(self.sweep_model.findData("mlp"))
        self.lambdas_edit = QLineEdit(DEFAULT_LAMBDAS)
        self.lambdas_edit.setObjectName("sweepLambdas")
        self.lambdas_edit.setToolTip("λ values separated by commas (0 … 10)")
        self.sweep_epochs = QSpinBox()
        self.sweep_epochs.setObjectName("sweepEpochs")
        self.sweep_epochs.setRange(1, 200)
        self.sweep_epochs.setValue(10)
        self.sweep_epochs.setSuffix(" epochs")
        self.sweep_button = QPushButton("Run λ sweep")
        self.sweep_button.setObjectName("runSweep")
        self.sweep_button.clicked.connect(self._request_sweep)
        self.sweep_error = message_label("sweepError")
        self.sweep_table = _table("sweepTable", ["λ", "training", "validation"])
        self.sweep_plot = SweepPlot(self)
        self.sweep_rows: list[tuple[float, float, float]] = []
        sweep_hint = QLabel(
            "Sheet 2.3: what does L2 regularisation do? A fresh model (same seed) is trained "
            "for each λ; final training and validation accuracy."
        )
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(QLabel("Model:"))
        row_layout.addWidget(self.sweep_model)
        row_layout.addStretch(1)
        row_layout.addWidget(self.sweep_epochs)
        lambdas_label = QLabel("λ values (comma-separated):")
        lambdas_label.setBuddy(self.lambdas_edit)
        parts = [sweep_hint, row, lambdas_label, self.lambdas_edit, self.sweep_button]
        parts += [self.sweep_error, self.sweep_table]
        self.tabs.addTab(_page(parts, self.sweep_plot), "λ sweep")

        self.grad_button = QPushButton("Run gradient check")
        self.grad_button.setObjectName("runGradientCheck")
        self.grad_button.clicked.connect(lambda: self.run_requested.emit("gradcheck", {}))
        self.grad_table = _table(
            "gradientTable", ["model", "parameter", "max relative error", "entries checked"]
        )
        grad_hint = QLabel(
            "Backprop against central differences (L(θ+ε) − L(θ−ε))/2ε in float64 on 8 "
            "validation digits: per parameter, the largest relative error over 20 random "
            "entries. Errors far below 1e-3 mean the backward pass is right (tiny gradient "
            "entries make the ratio noisier); a lone large one is a ReLU kink or a max-pool "
            "tie straddled by ±ε."
        )
        self.tabs.addTab(_page([grad_hint, self.grad_button], self.grad_table), "Gradient check")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

    def buttons(self) -> list[QPushButton]:
        """The three run buttons (disabled while the worker is busy)."""
        return [self.shift_button, self.sweep_button, self.grad_button]

    def _request_sweep(self) -> None:
        try:
            lambdas = parse_lambdas(self.lambdas_edit.text())
        except ValueError as exc:
            show_message(self.sweep_error, str(exc))
            return
        show_message(self.sweep_error, "")
        self.sweep_rows = []
        self._show_sweep()
        options = {
            "slot": self.sweep_model.currentData(),
            "lambdas": lambdas,
            "epochs": self.sweep_epochs.value(),
        }
        self.run_requested.emit("sweep", options)

    # -- results ---------------------------------------------------------------------------------
    def show_shift(self, result: dict[str, dict[int, float]], params: dict[str, int]) -> None:
        """``{slot: {shift: accuracy}}`` in the table and the plot, parameter counts beside."""
        slots = list(SLOT_TITLES)
        names = {s: f"{SLOT_TITLES[s]} ({params.get(s, 0):,} params)" for s in slots}
        # One column per model, one row per shift: narrow enough for the controls column.
        rows = [["parameters"] + [f"{params.get(s, 0):,}" for s in slots]]
        for shift in SHIFTS:
            cells = []
            for slot in slots:
                acc = result.get(slot, {}).get(shift, math.nan)
                cells.append("—" if math.isnan(acc) else f"{100 * acc:.1f} %")
            rows.append([f"shift {shift} px"] + cells)
        _set_rows(self.shift_table, rows)
        self.shift_plot.show_result(result, names)

    def add_sweep_point(self, lam: float, train_acc: float, val_acc: float) -> None:
        """One finished λ of a running sweep."""
        self.sweep_rows.append((lam, train_acc, val_acc))
        self._show_sweep()

    def _show_sweep(self) -> None:
        rows = sorted(self.sweep_rows)
        _set_rows(
            self.sweep_table,
            [[f"{lam:g}", f"{100 * t:.1f} %", f"{100 * v:.1f} %"] for lam, t, v in rows],
        )
        self.sweep_plot.show_points(rows)

    def show_gradient_check(self, result: dict[str, list[Any]]) -> None:
        """``{slot: [GradientCheckRow]}`` as one table."""
        rows = []
        for slot, checks in result.items():
            for check in checks:
                rows.append(
                    [
                        SLOT_TITLES.get(slot, slot),
                        check.parameter,
                        f"{check.max_relative_error:.2e}",
                        str(check.checked),
                    ]
                )
        _set_rows(self.grad_table, rows)

    def save_state(self) -> dict[str, Any]:
        """Inputs and the λ-sweep points (plain JSON types)."""
        return {
            "sweep_slot": self.sweep_model.currentData(),
            "lambdas": self.lambdas_edit.text(),
            "sweep_epochs": self.sweep_epochs.value(),
            "sweep_rows": [list(r) for r in self.sweep_rows],
        }

    def restore_state(self, state: object) -> None:
        """Inverse of :meth:`save_state`; bad entries are ignored."""
        if not isinstance(state, dict):
            return
        index = self.sweep_model.findData(state.get("sweep_slot"))
        if index >= 0:
            self.sweep_model.setCurrentIndex(index)
        if isinstance(state.get("lambdas"), str) and len(state["lambdas"]) < 500:
            self.lambdas_edit.setText(state["lambdas"])
        epochs = state.get("sweep_epochs")
        if isinstance(epochs, int) and 1 <= epochs <= 200:
            self.sweep_epochs.setValue(epochs)
        rows = state.get("sweep_rows")
        if isinstance(rows, list):
            good = [
                (float(r[0]), float(r[1]), float(r[2]))
                for r in rows
                if isinstance(r, list)
                and len(r) == 3
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)
            ]
            self.sweep_rows = good[:MAX_LAMBDAS]
            self._show_sweep()
