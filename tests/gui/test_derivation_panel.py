"""Check my derivation panel: type a derivation like a user, press Check, read the marks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QPushButton, QTableWidget

from gui.context import AppContext
from gui.loss_tab import LossTab
from gui.loss_tab.derivation_panel import DerivationPanel


@pytest.fixture
def panel(qtbot):
    widget = DerivationPanel()
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def _type(qtbot, panel, lines):
    editor = panel.findChild(QPlainTextEdit, "derivationEditor")
    editor.setFocus()
    for k, line in enumerate(lines):
        if k:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def _check(qtbot, panel):
    button = panel.findChild(QPushButton, "derivationCheck")
    with qtbot.waitSignal(panel.checked, timeout=20_000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def _marks(panel):
    table = panel.findChild(QTableWidget, "derivationMarks")
    return [table.item(row, 0).text() for row in range(table.rowCount())]


def _summary(panel):
    return panel.findChild(QLabel, "derivationSummary").text()


SHEET = [
    r"\frac{\partial \hat{y}_i}{\partial z_i} = \frac{e^{z_i} \cdot \sum_k e^{z_k} - "
    r"e^{z_i} \cdot e^{z_i}}{(\sum_k e^{z_k})^2}",
    r"= \frac{e^{z_i}(1 - e^{z_i})}{(\sum_k e^{z_k})^2}",
    r"= \hat{y}_i (1 - \hat{y}_i)",
]


def test_typed_sheet_derivation_gets_its_marks(qtbot, panel):
    _type(qtbot, panel, SHEET)
    assert panel.text().count("\n") == 2
    result = _check(qtbot, panel)
    assert result.first_wrong == 1
    assert _marks(panel) == ["✓", "✗", "✗"]
    summary = _summary(panel)
    assert "First wrong step: line 2" in summary
    assert "quotient-rule numerator" in summary
    assert "reached" in summary and "not reached" not in summary
    table = panel.findChild(QTableWidget, "derivationMarks")
    assert "became 1" in table.item(1, 2).text()
    assert table.item(1, 0).font().bold() and not table.item(0, 0).font().bold()
    assert len(panel.editor.extraSelections()) == 3  # each line tinted in the editor


def test_typed_plain_text_derivation_is_all_right(qtbot, panel):
    _type(
        qtbot,
        panel,
        [
            "partial y_hat_i / partial z_j = exp(z_i)*(delta_ij*sum_k exp(z_k) - exp(z_j))"
            " / (sum_k exp(z_k))^2",
            "= y_hat_i*(delta_ij - y_hat_j)",
        ],
    )
    _check(qtbot, panel)
    assert _marks(panel) == ["✓", "✓"]
    assert "Every step equals the one before" in _summary(panel)
    assert "✓ reached" in _summary(panel)


def test_pasted_unicode_derivation(qtbot, panel):
    panel.editor.insertPlainText("∂ŷ_i/∂z_j = ŷ_i(δ_ij − ŷ_j)\n= ŷ_i δ_ij − ŷ_i ŷ_j")  # a paste
    _check(qtbot, panel)
    assert _marks(panel) == ["✓", "✓"]


def test_sheet_example_for_ridge_names_w_on_both_sides(qtbot, panel):
    combo = panel.findChild(QComboBox, "derivationTopic")
    combo.setCurrentIndex(combo.findData("ridge_closed_form"))
    assert "(XᵀX + nλI)⁻¹Xᵀy" in panel.findChild(QLabel, "derivationTarget").text()
    qtbot.mouseClick(panel.findChild(QPushButton, "derivationExample"), Qt.MouseButton.LeftButton)
    assert r"(X^T X)^{-1}" in panel.text()
    _check(qtbot, panel)
    assert _marks(panel) == ["✓", "✓", "✓", "✓"]
    assert "w on both sides" in _summary(panel)
    assert "not reached" in _summary(panel)


def test_cross_entropy_missing_assumption_is_named(qtbot, panel):
    panel.set_topic("cross_entropy_gradient")
    panel.load_example()
    _check(qtbot, panel)
    assert _marks(panel) == ["✓"] * 4
    assert "dropped Σy = 1" in _summary(panel)
    table = panel.findChild(QTableWidget, "derivationMarks")
    # the step that uses the unstated assumption is tinted as a warning, the others as right
    assert table.item(3, 0).background().color() != table.item(2, 0).background().color()


def test_unreadable_line_is_marked_with_its_position(qtbot, panel):
    _type(qtbot, panel, [r"\hat{y}_i = \frac{e^{z_i}}{\sum_k e^{z_k}}", r"= \frac{e^{z_i}{2"])
    _check(qtbot, panel)
    assert _marks(panel) == ["✓", "?"]
    table = panel.findChild(QTableWidget, "derivationMarks")
    assert "character" in table.item(1, 2).text()


def test_hostile_text_shows_a_message_and_no_marks(qtbot, panel):
    panel.set_text("(" * 30_000)
    qtbot.mouseClick(panel.findChild(QPushButton, "derivationCheck"), Qt.MouseButton.LeftButton)
    error = panel.findChild(QLabel, "derivationError")
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert "characters" in error.text()
    assert panel.check_button.isEnabled()
    assert _marks(panel) == []
    panel.set_text("")
    qtbot.mouseClick(panel.findChild(QPushButton, "derivationCheck"), Qt.MouseButton.LeftButton)
    assert "Type or paste" in error.text()


def test_editing_after_a_check_clears_the_marks(qtbot, panel):
    _type(qtbot, panel, SHEET)
    _check(qtbot, panel)
    assert _marks(panel)
    qtbot.keyClicks(panel.editor, " ")
    assert _marks(panel) == []
    assert "Press Check" in _summary(panel)


def test_loss_tab_has_the_panel_and_keeps_the_text_in_sessions(qtbot):
    tab = LossTab(context=AppContext())
    qtbot.addWidget(tab)
    titles = [tab.sections.tabText(i) for i in range(tab.sections.count())]
    assert "Check my derivation" in titles
    tab.derivation_panel.set_topic("ridge_closed_form")
    tab.derivation_panel.set_text("w = (X^T X + n\\lambda I)^{-1} X^T y")
    state = tab.save_state()
    other = LossTab(context=AppContext())
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.derivation_panel.topic() == "ridge_closed_form"
    assert other.derivation_panel.text() == tab.derivation_panel.text()
    other.restore_state({"derivation": {"topic": "nope", "text": 5}})  # ignored
    assert other.derivation_panel.topic() == "ridge_closed_form"


def test_editing_while_checking_drops_the_old_result(qtbot, panel):
    panel.set_text("\n".join(SHEET))
    qtbot.mouseClick(panel.findChild(QPushButton, "derivationCheck"), Qt.MouseButton.LeftButton)
    assert panel.checking and not panel.check_button.isEnabled()
    assert "Checking" in _summary(panel)
    panel.set_text(SHEET[0])  # the user edits before the marks arrive
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    assert _marks(panel) == []  # the marks of the text that is gone never appear
    result = _check(qtbot, panel)
    assert len(result.steps) == 1 and _marks(panel) == ["✓"]
