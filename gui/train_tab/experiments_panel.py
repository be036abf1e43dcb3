"""The experiments that answer the sheet: shift test (2.1 iv), λ sweep (2.3), gradient check."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
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
    rows = 2 * table.verticalHeader().defaultSectionSize()
    table.setMinimumHeight(header.sizeHint().height() + rows + 6)
    return table


def _set_rows(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    height = table.horizontalHeader().sizeHint().height() + 4
    height += sum(table.rowHeight(r) for r in range(len(rows)))
    table.setMinimumHeight(min(height, 110))
    table.setMaximumHeight(max(height, 80))
    table.resizeColumnsToContents()


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
        self.shift_table = _table(
            "shiftTable", ["model", "parameters"] + [f"shift {s}" for s in SHIFTS]
        )
        self.shift_plot = ShiftPlot(self)
        shift_box = QGroupBox("Shift test (sheet 2.1 iv)")
        shift_box.setObjectName("shiftBox")
        column = QVBoxLayout(shift_box)
        hint = QLabel(
            "Does weight sharing buy translation invariance? Accuracy on validation digits "
            "moved 0…3 pixels (mean of up, down, left, right)."
        )
        hint.setWordWrap(True)
        column.addWidget(hint)
        column.addWidget(self.shift_button)
        column.addWidget(self.shift_table)
        column.addWidget(self.shift_plot, 1)

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
        sweep_box = QGroupBox("λ sweep (sheet 2.3)")
        sweep_box.setObjectName("sweepBox")
        column = QVBoxLayout(sweep_box)
        sweep_hint = QLabel(
            "What does L2 regularisation do? Train a fresh model for each λ (same seed) and "
            "compare final training and validation accuracy."
        )
        sweep_hint.setWordWrap(True)
        column.addWidget(sweep_hint)
        row = QHBoxLayout()
        row.addWidget(self.sweep_model)
        row.addWidget(self.lambdas_edit, 1)
        row.addWidget(self.sweep_epochs)
        column.addLayout(row)
        column.addWidget(self.sweep_button)
        column.addWidget(self.sweep_error)
        column.addWidget(self.sweep_table)
        column.addWidget(self.sweep_plot, 1)

        self.grad_button = QPushButton("Run gradient check")
        self.grad_button.setObjectName("runGradientCheck")
        self.grad_button.clicked.connect(lambda: self.run_requested.emit("gradcheck", {}))
        self.grad_table = _table(
            "gradientTable", ["model", "parameter", "max relative error", "entries checked"]
        )
        grad_box = QGroupBox("Gradient check: backprop vs central differences")
        grad_box.setObjectName("gradientBox")
        column = QVBoxLayout(grad_box)
        grad_hint = QLabel(
            "Per parameter, the largest |backprop − (L(θ+ε) − L(θ−ε))/2ε| / max(|·|) over 20 "
            "random entries, in float64 on 8 validation digits."
        )
        grad_hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(grad_hint, 1)
        row.addWidget(self.grad_button)
        column.addLayout(row)
        column.addWidget(self.grad_table, 1)

        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addWidget(shift_box, 0, 0)
        grid.addWidget(sweep_box, 0, 1)
        grid.addWidget(grad_box, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 1)

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
        rows = []
        names = {}
        for slot, values in result.items():
            title = SLOT_TITLES.get(slot, slot)
            count = params.get(slot, 0)
            names[slot] = f"{title} ({count:,} params)"
            rows.append(
                [title, f"{count:,}"] + [f"{100 * values.get(s, math.nan):.1f} %" for s in SHIFTS]
            )
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
