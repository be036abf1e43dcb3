"""Conv-layer mode: C input channels, N filters of k×k×C plus a bias each, and N output maps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.conv import layer_param_formula
from engine.matrix import MATRIX_LIMITS, clamp_to_matrix_limits, resize_matrix
from gui.matrix_tab.matrix_editor import MatrixEditor
from gui.matrix_tab.matrix_model import MatrixModel
from gui.widgets.spin_boxes import int_spin

MAX_CHANNELS = MATRIX_LIMITS["layer_channels"][1]
MAX_FILTERS = MATRIX_LIMITS["layer_filters"][1]

DEFAULT_CHANNELS = np.array(
    [
        [[1, 2, 0, 1, 3], [0, 1, 3, 2, 1], [2, 0, 1, 1, 0], [1, 3, 2, 0, 2], [0, 1, 1, 3, 1]],
        [[0, 1, 1, 2, 0], [2, 0, 1, 0, 1], [1, 1, 0, 2, 3], [0, 2, 1, 1, 0], [3, 0, 2, 1, 1]],
        [[2, 1, 0, 0, 1], [1, 3, 2, 1, 0], [0, 1, 2, 3, 1], [2, 0, 1, 0, 2], [1, 2, 0, 1, 0]],
        [[0] * 5] * 5,
    ],
    dtype=np.int64,
)
DEFAULT_FILTERS = np.array(
    [
        [[[1, 0, -1]] * 3, [[0, 1, 0], [1, -4, 1], [0, 1, 0]], [[1, 0, -1]] * 3, [[0] * 3] * 3],
        [
            [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
            [[0] * 3] * 3,
            [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
            [[0] * 3] * 3,
        ],
        [[[1] * 3] * 3] * 4,
        [[[0] * 3] * 3] * 4,
    ],
    dtype=np.int64,
)


class SetCountCommand(QUndoCommand):
    """Undoable change of the number of channels or filters."""

    def __init__(self, panel: LayerPanel, attr: str, new: int, text: str) -> None:
        super().__init__(text)
        self._panel, self._attr = panel, attr
        self._old, self._new = getattr(panel, attr), new

    def redo(self) -> None:
        self._panel.set_count(self._attr, self._new)

    def undo(self) -> None:
        self._panel.set_count(self._attr, self._old)


class LayerPanel(QWidget):
    """Editors for the layer's channels, filters and biases; all edits go to the undo stack.

    Signals
    -------
    changed()
        Any value or structure changed (the tab recomputes).
    message(str)
        Status text.
    """

    changed = Signal()
    message = Signal(str)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        undo_stack: QUndoStack,
        image_source: Callable[[], np.ndarray | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("layerPanel")
        self._stack = undo_stack
        self._image_source = image_source
        self.channels = 3
        self.filters = 2
        self.channel_models = [
            MatrixModel(DEFAULT_CHANNELS[c], title=f"channel {c}", undo_stack=undo_stack)
            for c in range(MAX_CHANNELS)
        ]
        self.filter_models = [
            [
                MatrixModel(
                    DEFAULT_FILTERS[n, c], title=f"filter {n} channel {c}", undo_stack=undo_stack
                )
                for c in range(MAX_CHANNELS)
            ]
            for n in range(MAX_FILTERS)
        ]
        self.bias_model = MatrixModel(
            np.array([[1, 0, 0, 0]], dtype=np.int64), title="biases", undo_stack=undo_stack
        )
        for model in self._all_models():
            model.values_changed.connect(self.changed)
            model.values_changed.connect(self._sync)

        self.c_spin = self._spin(
            "layerChannels", "layer_channels", self.channels, "Input channels C"
        )
        self.n_spin = self._spin("layerFilters", "layer_filters", self.filters, "Filters N")
        self.k_spin = self._spin("layerKernel", "kernel_side", 3, "Kernel size k (k×k per channel)")
        self.h_spin = self._spin("layerRows", "input_side", 5, "Input rows H")
        self.w_spin = self._spin("layerCols", "input_side", 5, "Input columns W")
        self.c_spin.valueChanged.connect(lambda v: self._push_count("channels", v))
        self.n_spin.valueChanged.connect(lambda v: self._push_count("filters", v))
        self.k_spin.valueChanged.connect(self._on_kernel_size)
        self.h_spin.valueChanged.connect(self._on_input_size)
        self.w_spin.valueChanged.connect(self._on_input_size)
        self.params = QLabel(self)
        self.params.setObjectName("layerParams")
        self.params.setWordWrap(True)
        self.params.setStyleSheet("font-weight: 600;")

        grid = QGridLayout()
        for col, (label, spin) in enumerate(
            (
                ("C", self.c_spin),
                ("N", self.n_spin),
                ("k", self.k_spin),
                ("H", self.h_spin),
                ("W", self.w_spin),
            )
        ):
            grid.addWidget(QLabel(label, self), 0, 2 * col)
            grid.addWidget(spin, 0, 2 * col + 1)
        grid.setColumnStretch(10, 1)

        self.channel_editors: list[MatrixEditor] = []
        inputs = QGroupBox("Input channels (C × H × W)", self)
        inputs.setObjectName("layerInputs")
        in_layout = QVBoxLayout(inputs)
        for c, model in enumerate(self.channel_models):
            editor = self._editor(model, f"layerChannel{c}", f"Channel {c}", 64)
            self.channel_editors.append(editor)
            in_layout.addWidget(editor)
        self.filter_boxes: list[QGroupBox] = []
        self.filter_editors: list[list[MatrixEditor]] = []
        filters = QWidget(self)
        f_layout = QVBoxLayout(filters)
        f_layout.setContentsMargins(0, 0, 0, 0)
        for n in range(MAX_FILTERS):
            box = QGroupBox(f"Filter {n}  (k × k × C)", self)
            box.setObjectName(f"layerFilterBox{n}")
            box_layout = QGridLayout(box)
            editors = []
            for c in range(MAX_CHANNELS):
                editor = self._editor(
                    self.filter_models[n][c], f"layerFilter{n}_{c}", f"ch {c}", 15, compact=True
                )
                editors.append(editor)
                box_layout.addWidget(editor, c // 2, c % 2)
            box_layout.setColumnStretch(2, 1)
            self.filter_boxes.append(box)
            self.filter_editors.append(editors)
            f_layout.addWidget(box)
        self.bias_editor = self._editor(self.bias_model, "layerBias", "Biases b₀ … b_N−1", 64)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.params)
        layout.addWidget(inputs)
        layout.addWidget(filters)
        layout.addWidget(self.bias_editor)
        layout.addStretch(1)
        self._sync()

    def _all_models(self) -> list[MatrixModel]:
        return [
            *self.channel_models,
            *(m for row in self.filter_models for m in row),
            self.bias_model,
        ]

    def _spin(self, name: str, limit: str, value: int, tip: str) -> QSpinBox:
        low, high = MATRIX_LIMITS[limit]
        return int_spin(self, name, low, high, value, tip, keyboard_tracking=False)

    def _editor(
        self, model: MatrixModel, name: str, heading: str, side: int, *, compact: bool = False
    ) -> MatrixEditor:
        editor = MatrixEditor(
            model,
            self,
            name=name,
            heading=heading,
            max_side=side,
            image_source=self._image_source,
            show_size=False,
            fixed_shape=True,
        )
        if compact:  # filter slices: paste/copy/fill from the context menu and Ctrl+V/C
            editor.fill_button.hide()
            editor.paste_button.hide()
        editor.message.connect(self.message)
        return editor

    # --- structure ---------------------------------------------------------------------------
    def _push_count(self, attr: str, value: int) -> None:
        if value == getattr(self, attr):
            return
        self._stack.push(SetCountCommand(self, attr, value, f"Set {attr} to {value}"))

    def set_count(self, attr: str, value: int) -> None:
        """Show ``value`` channels or filters (commands and restore call this)."""
        setattr(self, attr, int(value))
        self._sync()
        self.changed.emit()

    def _on_kernel_size(self, k: int) -> None:
        if k == self.filter_models[0][0].shape[0]:
            return
        self._stack.beginMacro(f"Kernel size {k}×{k}")
        for row in self.filter_models:
            for model in row:
                model.push_values(resize_matrix(model.values, (k, k)), "Resize filter")
        self._stack.endMacro()

    def _on_input_size(self) -> None:
        shape = (self.h_spin.value(), self.w_spin.value())
        if shape == self.channel_models[0].shape:
            return
        self._stack.beginMacro(f"Input size {shape[0]}×{shape[1]}")
        for model in self.channel_models:
            model.push_values(resize_matrix(model.values, shape), "Resize channel")
        self._stack.endMacro()

    def _sync(self, *_args) -> None:
        for spin, value in (
            (self.c_spin, self.channels),
            (self.n_spin, self.filters),
            (self.k_spin, self.filter_models[0][0].shape[0]),
            (self.h_spin, self.channel_models[0].shape[0]),
            (self.w_spin, self.channel_models[0].shape[1]),
        ):
            if spin.value() != value:
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
        for c, editor in enumerate(self.channel_editors):
            editor.setVisible(c < self.channels)
        for n, box in enumerate(self.filter_boxes):
            box.setVisible(n < self.filters)
            for c, editor in enumerate(self.filter_editors[n]):
                editor.setVisible(c < self.channels)
        for col in range(MAX_FILTERS):
            self.bias_editor.view.setColumnHidden(col, col >= self.filters)
        k = self.filter_models[0][0].shape
        self.params.setText(
            "Parameters N·(k·k·C + 1) = "
            + layer_param_formula(k, self.channels, self.filters)
            + f"\n({self.filters} filters × ({k[0]}·{k[1]}·{self.channels} weights + 1 bias))"
        )

    # --- data --------------------------------------------------------------------------------
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(x (C,H,W), weights (N,C,k,k), bias (N,))`` of the visible layer."""
        # While an undo macro replays one model at a time, shapes can briefly disagree.
        shape = self.channel_models[0].shape
        k = self.filter_models[0][0].shape
        x = np.stack(
            [resize_matrix(self.channel_models[c].values, shape) for c in range(self.channels)]
        )
        w = np.stack(
            [
                np.stack(
                    [
                        resize_matrix(self.filter_models[n][c].values, k)
                        for c in range(self.channels)
                    ]
                )
                for n in range(self.filters)
            ]
        )
        bias = self.bias_model.values.reshape(-1)[: self.filters]
        return x, w, bias

    def save_state(self) -> dict[str, Any]:
        """Plain-JSON state of the layer."""
        return {
            "channels": self.channels,
            "filters": self.filters,
            "inputs": [m.values.tolist() for m in self.channel_models],
            "weights": [[m.values.tolist() for m in row] for row in self.filter_models],
            "bias": self.bias_model.values.tolist(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; bad parts are skipped."""
        try:
            inputs = [np.array(v) for v in state["inputs"]][:MAX_CHANNELS]
            weights = [[np.array(v) for v in row][:MAX_CHANNELS] for row in state["weights"]]
            shapes_ok = (
                len({a.shape for a in inputs}) == 1
                and len({a.shape for row in weights for a in row}) == 1
            )
            if shapes_ok and len(inputs) == MAX_CHANNELS and len(weights) == MAX_FILTERS:
                for model, arr in zip(self.channel_models, inputs, strict=True):
                    model.apply(arr, model.title)
                for row_models, row in zip(self.filter_models, weights, strict=True):
                    for model, arr in zip(row_models, row, strict=True):
                        model.apply(arr, model.title)
            bias = np.array(state["bias"])
            if bias.shape == (1, MAX_FILTERS):
                self.bias_model.apply(bias, "biases")
            self.channels = clamp_to_matrix_limits("layer_channels", int(state["channels"]))
            self.filters = clamp_to_matrix_limits("layer_filters", int(state["filters"]))
        except (KeyError, TypeError, ValueError, OverflowError):  # int(inf): OverflowError
            pass
        self._sync()
        self.changed.emit()
