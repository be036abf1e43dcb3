"""Matrix tab (issue 13): kernel names from their values, a solver target that never looks live
when it is not, output cards that show their whole matrix, the sliding window as a picture,
valid/same/full side by side, and what each filter responds to."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from engine import correlate2d, format_cell, get_filter
from gui.matrix_tab.matrix_model import OUTLINE_ROLE
from tests.gui.matrix_helpers import shown_matrix_tab, type_into

FRACTIONS = (
    "3 1 4 1 5 9 2\n6 5 3 5 8 9 7\n9 3 2 3 8 4 6\n2 6 4 3 3 8 3\n2 7 9 5 0 2 8\n8 4 1 9 7 1 6\n"
    "9 3 9 9 3 7 5"
)


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot, 1100, 700) as page:
        yield page


def test_typed_prewitt_values_take_the_library_name_in_card_and_export(tab, qtbot):
    qtbot.mouseClick(tab.add_kernel_button, Qt.MouseButton.LeftButton)
    editor = tab.kernel_editor(3)
    assert tab.panels[3].heading.text() == "Identity — 5×5"
    prewitt = get_filter("prewitt_x").kernel
    for r in range(3):
        for c in range(3):
            type_into(qtbot, editor.editor.view, r, c, str(int(prewitt[r, c])))
    assert tab.panels[3].heading.text() == "Prewitt x — 5×5"
    assert editor.name_edit.text() == "Prewitt x"
    assert "## Kernel: Prewitt x" in tab.worked_solution("markdown")
    assert "Identity" not in tab.worked_solution("markdown")
    type_into(qtbot, editor.editor.view, 1, 1, "7")  # no library filter any more
    assert tab.panels[3].heading.text() == "Custom — 5×5"
    editor.name_edit.setFocus()
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "my edges")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)
    assert tab.panels[3].heading.text() == "my edges — 5×5"
    type_into(qtbot, editor.editor.view, 1, 1, "0")  # Prewitt x again: the user's name stays
    assert tab.panels[3].heading.text() == "my edges — 5×5"


def test_which_filter_target_follows_the_input_until_edited(tab, qtbot):
    tab.bottom.setCurrentWidget(tab.solver)
    solver = tab.solver
    assert "Live" in solver.link_label.text()
    tab.input_editor.paste_text("1 2 3 4\n5 6 7 8\n9 10 11 12\n13 14 15 16")
    expected = correlate2d(tab.input_model.values, tab.kernel_models[0].values)
    np.testing.assert_array_equal(solver.target_model.values, expected)
    assert "Live" in solver.link_label.text()
    qtbot.mouseClick(solver.solve_button, Qt.MouseButton.LeftButton)
    assert solver.solution is not None
    type_into(qtbot, solver.target_editor.view, 0, 0, "99")
    assert "Your own matrix" in solver.link_label.text()
    assert solver.solution is None and "solve again" in solver.result.text()
    tab.input_editor.fill("zeros")
    assert solver.target_model.values[0, 0] == 99  # kept, and marked as not an output
    tab.settings.set_choice("mode", "layer")
    tab.settings.set_choice("mode", "single")
    solver.source.setCurrentIndex(solver.source.findText("Prewitt y"))
    qtbot.mouseClick(solver.copy_output, Qt.MouseButton.LeftButton)
    assert "Live: the output of Prewitt y" in solver.link_label.text()
    tab.kernel_editor(1).pick("box3")  # the linked output changes name and values: followed
    np.testing.assert_array_equal(solver.target_model.values, tab.panels[1].model.values)
    tab.kernel_editor(1).editor.rows_spin.setValue(9)  # cannot be applied: clearly marked
    assert "Not the current output" in solver.link_label.text()


def test_output_cards_grow_to_show_every_column_and_wrap(tab, qtbot):
    tab.kernel_editor(0).pick("box3")
    tab.input_editor.paste_text(FRACTIONS)
    viewport = tab.outputs_scroll.viewport()
    for panel in tab.panels:
        view = panel.view
        assert not view.horizontalScrollBar().isVisible()
        assert not view.verticalScrollBar().isVisible()
        assert view.width() >= view.contents_size().width()
        last = view.visualRect(view.model().index(4, 4))
        assert view.viewport().rect().contains(last)  # the last column is shown, not cut off
        assert panel.geometry().right() <= viewport.width()  # cards wrap instead of overflowing
    tab.outputs_scroll.ensureWidgetVisible(tab.panels[-1].copy_button)
    copy = tab.panels[-1].copy_button
    qtbot.waitUntil(lambda: copy.visibleRegion().boundingRect() == copy.rect())
    assert "13/3" in [tab.panels[0].cell_text(1, c) for c in range(5)]


def test_the_explained_sum_lists_the_zero_weight_taps_too(tab, qtbot):
    tab.kernel_editor(0).pick("sobel_x")  # three zero weights in its middle column
    tab.input_editor.paste_text(FRACTIONS)
    panel = tab.panels[0]
    rect = panel.view.visualRect(panel.model.index(0, 0))
    qtbot.mouseMove(panel.view.viewport(), rect.center())
    qtbot.waitUntil(lambda: "output cell (0, 0)" in tab.explain_panel.explanation())
    text = tab.explain_panel.explanation()
    total = text.split("Sum of products (weight · input):\n", 1)[1].splitlines()[0]
    assert total.count("·") == 9 and "0·1 + " in total and "0·5 + " in total
    assert "left out" not in text
    x = np.array([[int(v) for v in row.split()] for row in FRACTIONS.splitlines()])
    expected = correlate2d(x, get_filter("sobel_x").kernel)[0, 0]
    assert total.endswith(f"= {format_cell(expected)}")


def test_the_window_picture_shows_weight_input_and_product_linked_to_the_output(tab, qtbot):
    tab.kernel_editor(0).pick("box3")
    tab.input_editor.paste_text(FRACTIONS)
    panel = tab.panels[0]
    rect = panel.view.visualRect(panel.model.index(1, 2))
    qtbot.mouseMove(panel.view.viewport(), rect.center())
    qtbot.waitUntil(lambda: "output cell (1, 2)" in tab.explain_panel.explanation())
    # the text writes the weights as the kernel shows them: 1/9, not 0.111111
    assert "1/9·3 + 1/9·5 + 1/9·8" in tab.explain_panel.explanation()
    assert "= 13/3" in tab.explain_panel.explanation()
    picture = tab.explain_panel.picture
    assert len(picture.cells) == 3 and len(picture.cells[0]) == 3
    assert picture.cell_lines(0, 0) == ("w 1/9", "x 3", "= 1/3")  # input (0, 1) of the window
    assert picture.output_label == "out[1, 2]" and picture.total == pytest.approx(13 / 3)
    # the output cell sits right of its window, level with it: the arrow joins the two
    window = picture.cell_rect(0, 0).united(picture.cell_rect(2, 2))
    out = picture.output_rect()
    assert out.left() > window.right() and window.top() <= out.center().y() <= window.bottom()
    # the hovered output cell is highlighted and outlined in the output grid
    assert panel.model.highlighted() == {(1, 2): "focus"}
    assert panel.model.index(1, 2).data(OUTLINE_ROLE) is True
    assert not panel.model.index(0, 0).data(OUTLINE_ROLE)


def test_cell_tooltips_appear_below_the_cell_they_describe(tab, qtbot):
    view = tab.explain_panel.padded_view
    index = view.model().index(1, 1)  # inside the window of cell (0, 0): it has a tooltip
    rect = view.visualRect(index)
    at = view.viewport().mapToGlobal(rect.center())
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, rect.center(), at))
    try:
        qtbot.waitUntil(QToolTip.isVisible)
        assert "weight" in QToolTip.text()
        tips = [
            w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel") and w.isVisible()
        ]
        assert tips
        cell = QRect(view.viewport().mapToGlobal(rect.topLeft()), rect.size())
        assert not tips[0].geometry().intersects(cell)
    finally:
        QToolTip.hideText()


def test_one_switch_shows_valid_same_and_full_side_by_side(tab, qtbot):
    qtbot.mouseClick(tab.settings.compare, Qt.MouseButton.LeftButton)
    assert [p.heading.text() for p in tab.panels] == [
        "Sobel x · valid — 5×5",
        "Sobel x · same — 7×7",
        "Sobel x · full — 9×9",
    ]
    assert "⌊(7 + 2·1 − 3)/1⌋ + 1 = 7" in tab.panels[1].formula.text()
    assert "⌊(7 + 2·2 − 3)/1⌋ + 1 = 9" in tab.panels[2].formula.text()
    assert "valid 5×5, same 7×7, full 9×9" in tab.outputs_title.text()
    assert not tab.settings.padding.isEnabled()
    full = correlate2d(tab.input_model.values, get_filter("sobel_x").kernel, padding="full")
    np.testing.assert_array_equal(tab.panels[2].model.values, full)
    tab.panels[2].select_cell(0, 0)
    assert "2 of 9 cells are zero padding" not in tab.explain_panel.explanation()
    assert "8 of 9 cells are zero padding" in tab.explain_panel.explanation()
    tab.settings.compare_kernel.setCurrentIndex(2)
    assert tab.panels[0].heading.text() == "Laplacian (4-neighbour) · valid — 5×5"
    assert "Valid, same and full padding for Laplacian" in tab.worked_solution("markdown")
    tab.undo_stack().undo()
    tab.undo_stack().undo()
    assert [p.heading.text() for p in tab.panels][0] == "Sobel x — 5×5"
    assert tab.settings.padding.isEnabled()


def test_kernel_cards_and_solution_say_what_each_filter_responds_to(tab, qtbot):
    about = [tab.kernel_editor(i).about.text() for i in range(3)]
    assert "responds to vertical edges" in about[0]  # Sobel x
    assert "responds to horizontal edges" in about[1]  # Prewitt y
    assert "every direction" in about[2] and "noise" in about[2]  # Laplacian
    assert not any("both" in text for text in about)
    qtbot.mouseClick(tab.kernel_editor(0).button("transpose"), Qt.MouseButton.LeftButton)
    assert "horizontal edges" in tab.kernel_editor(0).about.text()  # Sobel y now
    note = tab.size_note.text()
    assert "floor" in note and "d(k − 1) + 1" in note
    solution = tab.worked_solution("markdown")
    assert "Responds to: Vertical derivative" in solution
    assert "needs a floor" in solution
