"""The tab's settings row: mode, padding, stride, dilation, operation, display and pooling."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.checks import is_int
from engine.matrix import MATRIX_LIMITS, ConvSettings, PoolingSpec
from gui.colours import tone_label
from gui.matrix_tab.state import read_spin_value
from gui.widgets.spin_boxes import int_spin

PADDING_ITEMS = (
    ("valid", "valid (p = 0)"),
    ("same", "same"),
    ("full", "full (p = k − 1)"),
    ("custom", "custom p"),
)
OPERATION_NOTE = {
    "correlate": (
        "Cross-correlation: the kernel slides as written. This is what PyTorch, TensorFlow and "
        "Keras call “convolution”."
    ),
    "convolve": (
        "True convolution: the kernel is rotated 180° before it slides (deep-learning "
        "libraries' “convolution” is cross-correlation, without this flip)."
    ),
}


def _spin(parent: QWidget, name: str, limit: str, value: int, tip: str) -> QSpinBox:
    low, high = MATRIX_LIMITS[limit]
    return int_spin(parent, name, low, high, value, tip)


def _combo(parent: QWidget, name: str, items: tuple[tuple[str, str], ...], tip: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setToolTip(tip)
    for key, label in items:
        combo.addItem(label, key)
    return combo


class SettingsCommand(QUndoCommand):
    """Undoable settings change; consecutive changes of the same single control merge."""

    def __init__(self, tab: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
        changed = sorted(k for k in new if old.get(k) != new[k])
        super().__init__("Change " + ", ".join(c.replace("_", " ") for c in changed))
        self._tab, self._old, self._new = tab, old, new
        self._keys = changed
        self._first = True

    def id(self) -> int:  # noqa: A003 (Qt override)
        return 0x5E77

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        if not isinstance(other, SettingsCommand) or len(self._keys) != 1:
            return False
        if other._keys != self._keys:
            return False
        self._new = other._new
        return True

    def redo(self) -> None:
        if self._first:  # the controls already show the new value
            self._first = False
            return
        self._tab.apply_settings(self._new)

    def undo(self) -> None:
        self._tab.apply_settings(self._old)


class SettingsBar(QWidget):
    """Controls shared by every kernel; emits ``changed`` on any user change."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsBar")
        self.mode = _combo(
            self,
            "modeCombo",
            (("single", "Matrix & kernels"), ("layer", "Conv layer (C channels, N filters)")),
            "Single-channel matrix with several kernels, or a multi-channel conv layer",
        )
        self.padding = _combo(self, "paddingCombo", PADDING_ITEMS, "Zero padding around the input")
        self.custom_pad = _spin(self, "customPadSpin", "custom_pad", 1, "Zeros added on each side")
        self.stride = _spin(self, "strideSpin", "stride", 1, "Step between windows")
        self.dilation = _spin(
            self, "dilationSpin", "dilation", 1, "Gap between kernel taps (1 = none)"
        )
        self.operation = _combo(
            self,
            "operationCombo",
            (("correlate", "Cross-correlation"), ("convolve", "Convolution (flip kernel)")),
            OPERATION_NOTE["correlate"],
        )
        self.display = _combo(
            self,
            "displayCombo",
            (("raw", "raw"), ("abs", "absolute |x|"), ("clamp", "clamped 0…255")),
            "How negative outputs are shown: as they are, as absolute values, or clamped to 0…255 "
            "like an 8-bit image",
        )
        self.pool = _combo(
            self,
            "poolCombo",
            (("none", "none"), ("max", "max"), ("avg", "average")),
            "Pool each output (no padding)",
        )
        self.pool_size = _spin(self, "poolSizeSpin", "pool_size", 2, "Pooling window size")
        self.pool_stride = _spin(self, "poolStrideSpin", "pool_stride", 2, "Pooling stride")
        self.compare = QCheckBox("Valid · same · full", self)
        self.compare.setObjectName("compareCheck")
        self.compare.setToolTip(
            "Show one kernel's output with valid, same and full padding side by side, with "
            "their sizes and formulas (stride, dilation and operation as set)"
        )
        self.backward = QCheckBox("Backward pass", self)
        self.backward.setObjectName("backwardCheck")
        self.backward.setToolTip(
            "Backpropagate an upstream gradient G = ∂L/∂Y through one kernel: ∂L/∂K = X ⋆ G "
            "and ∂L/∂X = G fully convolved with K, cell by cell"
        )
        self.compare_kernel = QComboBox(self)
        self.compare_kernel.setObjectName("compareKernel")
        self.compare_kernel.setToolTip(
            "The kernel compared with the three paddings, or backpropagated through"
        )
        self._pending_kernel: int | None = None
        # Long kernel names must not widen the bar past a 1100 px window.
        self.compare_kernel.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.compare_kernel.setMinimumContentsLength(9)
        self.undo_button = QToolButton(self)
        self.undo_button.setObjectName("undoButton")
        self.redo_button = QToolButton(self)
        self.redo_button.setObjectName("redoButton")

        self.note = QLabel(self)
        self.note.setObjectName("operationNote")
        self.note.setWordWrap(True)
        tone_label(self.note, "note")
        row1 = QHBoxLayout()
        row2 = QHBoxLayout()
        for row, items in (
            (
                row1,
                (
                    ("", self.mode),
                    ("Padding", self.padding),
                    ("", self.custom_pad),
                    ("Stride", self.stride),
                    ("Dilation", self.dilation),
                    ("", self.operation),
                ),
            ),
            (
                row2,
                (
                    ("Negatives", self.display),
                    ("Pool", self.pool),
                    ("", self.pool_size),
                    ("stride", self.pool_stride),
                    ("", self.compare),
                    ("", self.backward),
                    ("", self.compare_kernel),
                ),
            ),
        ):
            row.setSpacing(4)
            for label, widget in items:
                if label:
                    row.addSpacing(6)
                    row.addWidget(QLabel(label, self))
                row.addWidget(widget)
        row1.addStretch(1)
        row1.addWidget(self.undo_button)
        row1.addWidget(self.redo_button)
        row2.addSpacing(12)
        row2.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row1)
        layout.addLayout(row2)
        for combo in (
            self.mode,
            self.padding,
            self.operation,
            self.display,
            self.pool,
            self.compare_kernel,
        ):
            combo.currentIndexChanged.connect(self._on_change)
        self.compare.toggled.connect(self._on_change)
        self.backward.toggled.connect(self._on_change)
        for spin in (self.custom_pad, self.stride, self.dilation, self.pool_size, self.pool_stride):
            spin.valueChanged.connect(self._on_change)
        self._update_enabled()

    def _on_change(self) -> None:
        self._update_enabled()
        self.changed.emit()

    def _update_enabled(self) -> None:
        comparing, backward = self.comparing(), self.backward_pass()
        single = self.mode.currentData() == "single"
        self.compare.setEnabled(single and not backward)
        self.backward.setEnabled(single)
        self.compare_kernel.setEnabled(comparing or backward)
        self.pool.setEnabled(not backward)
        self.padding.setEnabled(not comparing)
        self.custom_pad.setEnabled(not comparing and self.padding.currentData() == "custom")
        pooling = self.pool.currentData() != "none" and not backward
        self.pool_size.setEnabled(pooling)
        self.pool_stride.setEnabled(pooling)
        self.operation.setToolTip(OPERATION_NOTE[self.operation.currentData()])
        self.note.setText(OPERATION_NOTE[self.operation.currentData()])

    def conv_settings(self) -> ConvSettings:
        """The current padding/stride/dilation/operation."""
        return ConvSettings(
            padding=self.padding.currentData(),
            custom_pad=self.custom_pad.value(),
            stride=self.stride.value(),
            dilation=self.dilation.value(),
            operation=self.operation.currentData(),
        )

    def comparing(self) -> bool:
        """True when valid, same and full padding are shown side by side (single-matrix mode)."""
        single = self.mode.currentData() == "single"
        return self.compare.isChecked() and single and not self.backward.isChecked()

    def backward_pass(self) -> bool:
        """True when the backward pass of one kernel is shown (single-matrix mode)."""
        return self.backward.isChecked() and self.mode.currentData() == "single"

    def set_kernel_names(self, names: list[str]) -> None:
        """List the kernels the comparison can use (keeps the chosen index; no signal)."""
        pending, self._pending_kernel = self._pending_kernel, None
        if [self.compare_kernel.itemText(i) for i in range(self.compare_kernel.count())] == names:
            if pending is not None and pending < len(names):
                self.compare_kernel.blockSignals(True)
                self.compare_kernel.setCurrentIndex(pending)
                self.compare_kernel.blockSignals(False)
            return
        index = self.compare_kernel.currentIndex() if pending is None else pending
        self.compare_kernel.blockSignals(True)
        self.compare_kernel.clear()
        self.compare_kernel.addItems(names)
        self.compare_kernel.setCurrentIndex(min(max(index, 0), len(names) - 1))
        self.compare_kernel.blockSignals(False)

    def pooling(self) -> PoolingSpec | None:
        """The pooling applied to every output, or None (also during the backward pass)."""
        mode = self.pool.currentData()
        if mode == "none" or self.backward_pass():
            return None
        return PoolingSpec(mode, self.pool_size.value(), self.pool_stride.value())

    def set_choice(self, name: str, key: str) -> None:
        """Pick item ``key`` of combo ``name`` (mode, padding, operation, display, pool)."""
        combo: QComboBox = getattr(self, name)
        index = combo.findData(key)
        if index < 0:
            raise ValueError(f"{name} has no choice {key!r}")
        combo.setCurrentIndex(index)

    def save_state(self) -> dict[str, Any]:
        """Plain-JSON settings."""
        return {
            "mode": self.mode.currentData(),
            "padding": self.padding.currentData(),
            "custom_pad": self.custom_pad.value(),
            "stride": self.stride.value(),
            "dilation": self.dilation.value(),
            "operation": self.operation.currentData(),
            "display": self.display.currentData(),
            "pool": self.pool.currentData(),
            "pool_size": self.pool_size.value(),
            "pool_stride": self.pool_stride.value(),
            "compare": self.compare.isChecked(),
            "backward": self.backward.isChecked(),
            "compare_kernel": max(self.compare_kernel.currentIndex(), 0),
        }

    def restore_state(self, state: dict[str, Any], refused: list[str] | None = None) -> None:
        """Restore settings; unknown or bad values are ignored, and a number outside its spin
        box's range is named in ``refused`` (when given) and keeps the current value."""
        self.blockSignals(True)
        try:
            for name in ("mode", "padding", "operation", "display", "pool"):
                try:
                    self.set_choice(name, str(state[name]))
                except (KeyError, ValueError):
                    pass
            for name, label, spin in (
                ("custom_pad", "custom padding", self.custom_pad),
                ("stride", "stride", self.stride),
                ("dilation", "dilation", self.dilation),
                ("pool_size", "pooling window", self.pool_size),
                ("pool_stride", "pooling stride", self.pool_stride),
            ):
                low, high = MATRIX_LIMITS[name]
                value = read_spin_value(state.get(name), low, high, label, refused)
                if value is not None:
                    spin.setValue(value)
            for key, box in (("compare", self.compare), ("backward", self.backward)):
                if isinstance(state.get(key), bool):
                    box.setChecked(state[key])
            index = state.get("compare_kernel")
            if is_int(index) and index >= 0:
                # the kernels may be restored after the settings: applied by set_kernel_names
                self._pending_kernel = index
                if index < self.compare_kernel.count():
                    self.compare_kernel.setCurrentIndex(index)
        finally:
            self.blockSignals(False)
        self._update_enabled()
