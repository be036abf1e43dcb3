"""Object-named spin boxes, built one way everywhere (range, value, tooltip, typing)."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

from engine.numbers import evaluate_number


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
    """A floating-point spin box named ``name`` with range, decimals, step, value and tip; what
    is typed is read by the one number grammar (``1/4``, ``2^-3``), shown with ``decimals``."""
    spin = ExpressionSpinBox(parent, label=name, compact=False)
    spin.setObjectName(name)
    spin.setDecimals(decimals)  # before the range and value, which it rounds
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(keyboard_tracking)
    return spin


class ExpressionSpinBox(QDoubleSpinBox):
    """A double spin box that reads what is typed through the project's one number grammar
    (:func:`engine.numbers.evaluate_number`): ``1e-4``, ``1/10``, ``(8+2-2)/3+1``, ``−0.5``.

    With ``compact`` (the default) it shows the shortest readable form (``0.01``, ``1e-05``, not
    ``0.010000``); otherwise Qt's fixed ``decimals``.  Text that is not (yet) a number in range
    is *intermediate*: it may be typed on, and Qt puts the last good value back if editing ends
    there.  A prefix or suffix (``" %"``) is not part of the number.
    """

    def __init__(
        self, parent: QWidget | None = None, *, label: str = "value", compact: bool = True
    ) -> None:
        super().__init__(parent)
        #: What the grammar's messages call this field.
        self.label = label
        self._compact = compact

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        """Shortest readable form (``%g``) when compact, else Qt's fixed decimals."""
        return f"{value:g}" if self._compact else super().textFromValue(value)

    def parse(self, text: str) -> float:
        """The value of ``text`` (raises ``ValueError`` naming :attr:`label` and the place)."""
        body = text.strip()
        prefix, suffix = self.prefix().strip(), self.suffix().strip()
        if prefix and body.startswith(prefix):
            body = body[len(prefix) :]
        if suffix and body.endswith(suffix):
            body = body[: -len(suffix)]
        return float(evaluate_number(body.strip(), name=self.label))

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        """The typed expression's value at the shown decimals (the current value if it is not
        a number): ``1/3`` with 2 decimals is 0.33, as shown."""
        try:
            return round(self.parse(text), self.decimals())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Acceptable when ``text`` is a number in range; intermediate otherwise."""
        try:
            value = self.parse(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


def expression_spin(
    parent: QWidget | None,
    name: str,
    low: float,
    high: float,
    value: float,
    tip: str,
    *,
    label: str,
    decimals: int = 8,
    step: float = 0.001,
) -> ExpressionSpinBox:
    """An :class:`ExpressionSpinBox` named ``name``; ``label`` names it in messages."""
    spin = ExpressionSpinBox(parent, label=label)
    spin.setObjectName(name)
    spin.setDecimals(decimals)  # before the range and value, which it rounds
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setToolTip(tip)
    return spin
