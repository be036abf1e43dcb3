"""The Train tab's typed numbers go through the one number grammar (engine.numbers, issue 23):
η and λ take 1/10 and (8+2-2)/3+1 as typed, keystroke by keystroke; text that is not a number
in range never becomes a value."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator

from gui.context import AppContext
from gui.pg_config import configure_pyqtgraph
from gui.train_tab import TrainTab
from gui.train_tab.setup_panel import OptionsBox
from gui.train_tab.state import LIMITS
from gui.widgets.spin_boxes import ExpressionSpinBox


@pytest.fixture
def box(qtbot):
    widget = OptionsBox()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("lam", "(8+2-2)/3+1", 11 / 3),
        ("lam", "1/10", 0.1),
        ("lam", "1e-4", 1e-4),
        ("learning_rate", "1/10", 0.1),
        ("learning_rate", "2^-7", 2**-7),
        ("learning_rate", "(8 + 2 - 2)/3 + 1", 11 / 3),
    ],
)
def test_an_expression_typed_key_by_key_becomes_the_value(qtbot, box, field, text, value):
    spin = getattr(box, field)
    assert isinstance(spin, ExpressionSpinBox)
    type_into(qtbot, spin, text)
    assert spin.value() == pytest.approx(value, abs=1e-8)
    assert box.options()[field] == pytest.approx(value, abs=1e-8)


@pytest.mark.parametrize("text", ["nan", "-1", "__import__('os')", ")", "(e^99)"])
def test_typed_text_that_is_no_number_in_range_never_becomes_a_value(qtbot, box, text):
    spin = box.lam
    spin.setValue(0.01)
    type_into(qtbot, spin, text)  # no prefix of these is a λ in range either
    spin.clearFocus()  # editing ends: Qt puts the last good value back
    assert spin.value() == pytest.approx(0.01)
    assert spin.text() == "0.01"


@pytest.mark.parametrize("text", ["1/0", "2*", "0,5", "20", "1 2", "(1", "", "1e999"])
def test_bad_or_unfinished_text_is_intermediate_and_keeps_the_value(box, text):
    spin = box.lam
    spin.setValue(0.01)
    state, _, _ = spin.validate(text, len(text))
    assert state == QValidator.State.Intermediate
    if text != "20":  # a number out of range: Qt bounds it; the rest are no numbers at all
        assert spin.valueFromText(text) == pytest.approx(0.01)


@pytest.mark.parametrize(("text", "value"), [("1−0.5", 0.5), ("1 / 9", 1 / 9), ("√2/2", 0.5**0.5)])
def test_what_qtest_cannot_type_is_read_too(box, text, value):
    # QTest.keyClicks cannot send U+2212 or √: the spin box's own parser is checked instead.
    state, _, _ = box.lam.validate(text, len(text))
    assert state == QValidator.State.Acceptable
    assert box.lam.valueFromText(text) == pytest.approx(value)


def test_the_grammar_names_the_field_and_the_place(box):
    with pytest.raises(ValueError, match=r"^λ: .*position 3"):
        box.lam.parse("1/*2")
    assert box.learning_rate.parse(" 3/7 ") == pytest.approx(3 / 7)


def test_the_fields_take_their_ranges_from_the_limits_table(box):
    for field in ("learning_rate", "lam"):
        spin = getattr(box, field)
        assert (spin.minimum(), spin.maximum()) == pytest.approx(LIMITS[field])


def test_the_tab_trains_with_the_typed_lambda(qtbot):
    configure_pyqtgraph()
    tab = TrainTab(None, context=AppContext())
    qtbot.addWidget(tab)
    tab.show()
    type_into(qtbot, tab.options_box.lam, "(8+2-2)/3+1")
    assert tab.options.lam == pytest.approx(11 / 3, abs=1e-8)
    assert tab.save_state()["options"]["lam"] == pytest.approx(11 / 3, abs=1e-8)
    tab.shutdown()


def test_the_overfitting_lambdas_read_each_entry_through_the_grammar(qtbot):
    from gui.train_tab.overfitting_page import OverfittingPage, parse_lambdas

    assert parse_lambdas("0, 1/10, 10^-3; (8+2-2)/3+1, 1e-3") == pytest.approx(
        [0.0, 0.001, 0.1, 11 / 3]
    )
    with pytest.raises(ValueError, match=r"λ values: '1/x' is not a number: unknown name 'x'"):
        parse_lambdas("0, 1/x")
    with pytest.raises(ValueError, match=r"λ values: 2\^4 must be between 0 and 10"):
        parse_lambdas("2^4")
    with pytest.raises(ValueError, match="not a number"):
        parse_lambdas("nan")
    page = OverfittingPage()
    qtbot.addWidget(page)
    page.lambdas_edit.clear()
    qtbot.keyClicks(page.lambdas_edit, "0, 1/100, 1/10")
    assert page.options()["settings"].lambdas == pytest.approx((0.0, 0.01, 0.1))
