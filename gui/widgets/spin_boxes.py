"""Object-named spin boxes, built one way everywhere (range, value, tooltip, typing)."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget


def int_spin(
    parent: QWidget | None,
    name: str,
    low: int,
    high: int,
    value: int,
    tip: str,
    *,
    keyboard_tracking: bool = True,
) -> QSpinBox:
    """An integer spin box named ``name`` (tests find it by that) with range, value and tip.

    ``keyboard_tracking=False`` applies typed numbers on Enter / focus loss only (arrows at once),
    for spin boxes whose every change triggers a costly recomputation.
    """
    spin = QSpinBox(parent)
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(keyboard_tracking)
    return spin


def float_spin(
    parent: QWidget | None,
    name: str,
    low: float,
    high: float,
    value: float,
    tip: str,
    *,
    decimals: int = 2,
    step: float = 0.05,
    keyboard_tracking: bool = True,
) -> QDoubleSpinBox:
    """A floating-point spin box named ``name`` with range, decimals, step, value and tip."""
    spin = QDoubleSpinBox(parent)
    spin.setObjectName(name)
    spin.setDecimals(decimals)  # before the range and value, which it rounds
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(keyboard_tracking)
    return spin
