"""Editable logits: a class count and one slider + spin box per class."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

MIN_CLASSES = 2
MAX_CLASSES = 10
#: Sliders cover ±SLIDER_RANGE in steps of 1/SLIDER_SCALE; spin boxes accept ±SPIN_RANGE.
SLIDER_RANGE = 10.0
SLIDER_SCALE = 100
SPIN_RANGE = 1000.0
DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0, 0.5, -0.5, 1.5, -2.0, 0.0, 0.8)
#: Temperature slider: position p ↦ T = 10^((p − T_CENTRE) / T_SCALE), T from 0.05 to 20.
T_CENTRE, T_SCALE = 130, 100


def temperature_from_position(position: int) -> float:
    """T for a temperature-slider position (log scale, 1 in the middle)."""
    return 10.0 ** ((position - T_CENTRE) / T_SCALE)


def position_from_temperature(t: float) -> int:
    """Nearest temperature-slider position for ``t > 0``."""
    return max(0, min(2 * T_CENTRE, round(math.log10(t) * T_SCALE + T_CENTRE)))


class LogitEditor(QWidget):
    """``K`` logits (2…10) with a slider (±10) and a spin box (±1000) each.

    Signals
    -------
    logits_changed()
        After any edit (slider drags emit it on every step; the panel coalesces).
    class_count_changed(int)
        After the number of classes changed (``logits_changed`` follows).
    """

    logits_changed = Signal()
    class_count_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values = list(DEFAULT_LOGITS)
        self.count_spin = QSpinBox(self)
        self.count_spin.setObjectName("classCount")
        self.count_spin.setRange(MIN_CLASSES, MAX_CLASSES)
        self.count_spin.setValue(3)
        self.count_spin.setToolTip("Number of classes K (2…10)")
        self.temperature_spin = QDoubleSpinBox(self)
        self.temperature_spin.setObjectName("temperature")
        self.temperature_spin.setRange(0.05, 20.0)
        self.temperature_spin.setDecimals(2)
        self.temperature_spin.setSingleStep(0.1)
        self.temperature_spin.setValue(1.0)
        self.temperature_spin.setToolTip(
            "Temperature T: softmax(z/T). T > 1 flattens the distribution, T < 1 sharpens it."
        )
        self.temperature_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.temperature_slider.setObjectName("temperatureSlider")
        self.temperature_slider.setRange(0, 2 * T_CENTRE)
        self.temperature_slider.setValue(position_from_temperature(1.0))
        self.temperature_slider.setToolTip("Temperature on a log scale, 0.05 … 1 … 20")
        temperature_row = QHBoxLayout()
        temperature_row.addWidget(self.temperature_slider, 1)
        temperature_row.addWidget(self.temperature_spin)
        self.temperature_spin.setMinimumWidth(82)
        form = QFormLayout()
        form.addRow("Classes K", self.count_spin)
        form.addRow("Temperature T", temperature_row)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.sliders: list[QSlider] = []
        self.spins: list[QDoubleSpinBox] = []
        self._labels: list[QLabel] = []
        for i in range(MAX_CLASSES):
            label = QLabel(f"z<sub>{i}</sub>", self)
            slider = QSlider(Qt.Orientation.Horizontal, self)
            slider.setObjectName(f"logitSlider{i}")
            slider.setRange(int(-SLIDER_RANGE * SLIDER_SCALE), int(SLIDER_RANGE * SLIDER_SCALE))
            slider.setToolTip(f"Logit z{i} (slider −10…10; type up to ±1000 in the box)")
            spin = QDoubleSpinBox(self)
            spin.setObjectName(f"logitSpin{i}")
            spin.setRange(-SPIN_RANGE, SPIN_RANGE)
            spin.setDecimals(2)
            spin.setSingleStep(0.1)
            spin.setKeyboardTracking(False)
            spin.setMinimumWidth(82)
            slider.setValue(self._slider_position(self._values[i]))
            spin.setValue(self._values[i])
            slider.valueChanged.connect(lambda pos, k=i: self._on_slider(k, pos))
            spin.valueChanged.connect(lambda value, k=i: self._on_spin(k, value))
            grid.addWidget(label, i, 0)
            grid.addWidget(slider, i, 1)
            grid.addWidget(spin, i, 2)
            self.sliders.append(slider)
            self.spins.append(spin)
            self._labels.append(label)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(grid)
        self.count_spin.valueChanged.connect(self._on_count)
        self.temperature_spin.valueChanged.connect(self._on_temperature_spin)
        self.temperature_slider.valueChanged.connect(self._on_temperature_slider)
        self._show_rows(self.count_spin.value())

    # -- state ---------------------------------------------------------------------------------
    def logits(self) -> list[float]:
        """The current logits (length K)."""
        return [float(v) for v in self._values[: self.count_spin.value()]]

    def temperature(self) -> float:
        """The temperature T."""
        return float(self.temperature_spin.value())

    def set_logits(self, values: list[float]) -> None:
        """Set K = len(values) (clamped to 2…10) and the logits, emitting once."""
        k = max(MIN_CLASSES, min(MAX_CLASSES, len(values)))
        for i, value in enumerate(values[:k]):
            self._values[i] = max(-SPIN_RANGE, min(SPIN_RANGE, float(value)))
            self._sync_row(i)
        self.count_spin.blockSignals(True)
        self.count_spin.setValue(k)
        self.count_spin.blockSignals(False)
        self._show_rows(k)
        self.class_count_changed.emit(k)
        self.logits_changed.emit()

    def set_temperature(self, value: float) -> None:
        """Set T (clamped to the spin box range)."""
        self.temperature_spin.setValue(value)

    # -- slots ---------------------------------------------------------------------------------
    @staticmethod
    def _slider_position(value: float) -> int:
        clamped = max(-SLIDER_RANGE, min(SLIDER_RANGE, value))
        return round(clamped * SLIDER_SCALE)

    def _sync_row(self, i: int) -> None:
        for widget in (self.sliders[i], self.spins[i]):
            widget.blockSignals(True)
        self.sliders[i].setValue(self._slider_position(self._values[i]))
        self.spins[i].setValue(self._values[i])
        for widget in (self.sliders[i], self.spins[i]):
            widget.blockSignals(False)

    def _on_slider(self, i: int, position: int) -> None:
        self._values[i] = position / SLIDER_SCALE
        self.spins[i].blockSignals(True)
        self.spins[i].setValue(self._values[i])
        self.spins[i].blockSignals(False)
        self.logits_changed.emit()

    def _on_spin(self, i: int, value: float) -> None:
        self._values[i] = float(value)
        self.sliders[i].blockSignals(True)
        self.sliders[i].setValue(self._slider_position(value))
        self.sliders[i].blockSignals(False)
        self.logits_changed.emit()

    @Slot(float)
    def _on_temperature_spin(self, value: float) -> None:
        self.temperature_slider.blockSignals(True)
        self.temperature_slider.setValue(position_from_temperature(value))
        self.temperature_slider.blockSignals(False)
        self.logits_changed.emit()

    @Slot(int)
    def _on_temperature_slider(self, position: int) -> None:
        self.temperature_spin.setValue(temperature_from_position(position))  # emits once

    @Slot(int)
    def _on_count(self, k: int) -> None:
        self._show_rows(k)
        self.class_count_changed.emit(k)
        self.logits_changed.emit()

    def _show_rows(self, k: int) -> None:
        for i in range(MAX_CLASSES):
            visible = i < k
            self._labels[i].setVisible(visible)
            self.sliders[i].setVisible(visible)
            self.spins[i].setVisible(visible)
