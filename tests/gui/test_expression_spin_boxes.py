"""Every float spin box built by gui.widgets.spin_boxes reads typed text with the one number
grammar (engine.numbers), shows its fixed decimals, and strips a prefix or suffix."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator

from gui.widgets.spin_boxes import ExpressionSpinBox, expression_spin, float_spin


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


@pytest.fixture
def spin(qtbot):
    widget = float_spin(None, "noiseSpin", 0.0, 5.0, 0.5, "noise", decimals=2)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.mark.parametrize(
    ("text", "value", "shown"),
    [
        ("1/4", 0.25, "0.25"),
        ("(8+2-2)/3+1", 3.67, "3.67"),
        ("1/3", 0.33, "0.33"),
        ("2^-1", 0.5, "0.50"),
    ],
)
def test_float_spin_reads_expressions_and_keeps_its_decimals(qtbot, spin, text, value, shown):
    assert isinstance(spin, ExpressionSpinBox)
    type_into(qtbot, spin, text)
    assert spin.value() == pytest.approx(value)
    assert spin.text() == shown


def test_a_suffix_is_not_part_of_the_number(qtbot):
    spin = expression_spin(None, "share", 0.0, 90.0, 20.0, "", label="share", decimals=1)
    qtbot.addWidget(spin)
    spin.setSuffix(" %")
    assert spin.validate("45/2 %", 6)[0] == QValidator.State.Acceptable
    assert spin.valueFromText("45/2 %") == pytest.approx(22.5)
    assert spin.text() == "20 %"  # compact: %g


def test_no_number_is_intermediate_and_named(spin):
    assert spin.validate("1/0", 3)[0] == QValidator.State.Intermediate
    with pytest.raises(ValueError, match="^noiseSpin: "):
        spin.parse("1/0")
