"""Matrix & kernel tab: typing, pasting, undo/redo, settings, explanations, export."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from engine import correlate2d, format_cell, get_filter
from gui.matrix_tab.page import DEFAULT_INPUT
from tests.gui.matrix_helpers import shown_matrix_tab, type_into


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot) as page:
        yield page


def shown(panel) -> list[list[str]]:
    model = panel.model
    return [
        [panel.cell_text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def as_text(values) -> list[list[str]]:
    return [[format_cell(v) for v in row] for row in np.asarray(values).tolist()]


def paste(qtbot, view, text):
    QGuiApplication.clipboard().setText(text)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


SOBEL = get_filter("sobel_x").kernel


def test_default_example_shows_three_outputs_with_formulas(tab):
    assert len(tab.panels) == 3
    headings = [p.heading.text() for p in tab.panels]
    assert headings == ["Sobel x — 5×5", "Prewitt y — 5×5", "Laplacian (4-neighbour) — 5×5"]
    assert "⌊(7 + 2·0 − 3)/1⌋ + 1 = 5" in tab.panels[0].formula.text()
    assert shown(tab.panels[0]) == as_text(correlate2d(DEFAULT_INPUT, SOBEL))
    # The first cell is explained from the start.
    assert "Sobel x: output cell (0, 0)" in tab.explain_panel.explanation()


def test_typing_into_a_cell_recomputes_and_undo_redo(tab, qtbot):
    view = tab.input_editor.view
    type_into(qtbot, view, 0, 0, "10")
    assert tab.input_model.values[0, 0] == 10
    x = DEFAULT_INPUT.copy()
    x[0, 0] = 10
    assert shown(tab.panels[0]) == as_text(correlate2d(x, SOBEL))
    type_into(qtbot, view, 1, 1, "\u22121/2")
    assert view.model().index(1, 1).data() == "\u22120.5"
    x = x.astype(float)
    x[1, 1] = -0.5
    assert shown(tab.panels[0]) == as_text(correlate2d(x, SOBEL))
    stack = tab.undo_stack()
    stack.undo()
    assert tab.input_model.values[1, 1] == 0
    assert tab.input_model.values.dtype == np.int64  # back to exact integers
    stack.undo()
    assert tab.input_model.values[0, 0] == 3
    assert shown(tab.panels[0]) == as_text(correlate2d(DEFAULT_INPUT, SOBEL))
    stack.redo()
    assert tab.input_model.values[0, 0] == 10


@pytest.mark.parametrize("bad", ["nan", "inf", "", "abc", "1/0", "2**8"])
def test_bad_cell_text_is_refused_inline_and_value_kept(tab, qtbot, bad):
    view = tab.input_editor.view
    type_into(qtbot, view, 2, 3, bad)
    assert tab.input_model.values[2, 3] == DEFAULT_INPUT[2, 3]
    error = tab.input_editor.error_text()
    assert "row 2, column 3" in error and "kept 2" in error
    assert tab.undo_stack().count() == 0
    type_into(qtbot, view, 2, 3, "5")
    assert tab.input_editor.error_text() == ""


PASTES = {
    "tsv": "1\t2\t3\n4\t5\t6\n7\t8\t9\n",
    "csv": "1,2,3\n4,5,6\n7,8,9",
    "whitespace": "1 2 3\n4  5 6\n7 8    9",
    "numpy": "np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])",
    "latex": "\\begin{bmatrix} 1 & 2 & 3 \\\\ 4 & 5 & 6 \\\\ 7 & 8 & 9 \\end{bmatrix}",
}


@pytest.mark.parametrize("fmt", sorted(PASTES))
def test_paste_each_format_with_ctrl_v(tab, qtbot, fmt):
    paste(qtbot, tab.input_editor.view, PASTES[fmt])
    np.testing.assert_array_equal(tab.input_model.values, np.arange(1, 10).reshape(3, 3))
    assert (tab.input_editor.rows_spin.value(), tab.input_editor.cols_spin.value()) == (3, 3)
    assert tab.panels[0].heading.text() == "Sobel x — 1×1"
    assert tab.panels[0].cell_text(0, 0) == "8"
    tab.undo_stack().undo()
    np.testing.assert_array_equal(tab.input_model.values, DEFAULT_INPUT)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 2 3\n4 5", "row 2 has 2 values but row 1 has 3"),
        ("1,2\n3,x", "row 2, column 2: 'x'"),
        ("[[1, 2], [3, nan]]", "row 2, column 2"),
        ("   ", "nothing to paste"),
    ],
)
def test_bad_paste_changes_nothing_and_says_where(tab, qtbot, text, fragment):
    paste(qtbot, tab.input_editor.view, text)
    np.testing.assert_array_equal(tab.input_model.values, DEFAULT_INPUT)
    assert fragment in tab.input_editor.error_text()
    assert "nothing changed" in tab.input_editor.error_text() or "nothing" in fragment
    assert tab.undo_stack().count() == 0


def test_paste_single_number_into_current_cell_and_kernel_paste(tab, qtbot):
    view = tab.input_editor.view
    view.setCurrentIndex(view.model().index(3, 4))
    paste(qtbot, view, "\u22127")
    assert tab.input_model.values[3, 4] == -7
    kernel = tab.kernel_editor(2)
    paste(qtbot, kernel.editor.view, "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9")
    assert kernel.library.currentText() == "Box blur 3×3"
    assert kernel.editor.view.model().index(0, 0).data() == "1/9"
    assert "sum = 1" in kernel.info.text()


def test_kernel_too_big_paste_refused(tab, qtbot):
    kernel = tab.kernel_editor(0)
    paste(qtbot, kernel.editor.view, "\n".join(" ".join(["1"] * 16) for _ in range(16)))
    assert "at most 15×15" in kernel.editor.error_text()
    np.testing.assert_array_equal(tab.kernel_models[0].values, SOBEL)


def test_padding_stride_dilation_change_outputs_and_formula(tab, qtbot):
    bar = tab.settings
    bar.set_choice("padding", "same")
    assert tab.panels[0].heading.text() == "Sobel x — 7×7"
    assert "⌊(7 + 2·1 − 3)/1⌋ + 1 = 7" in tab.panels[0].formula.text()
    assert shown(tab.panels[0]) == as_text(correlate2d(DEFAULT_INPUT, SOBEL, padding="same"))
    bar.set_choice("padding", "custom")
    bar.custom_pad.setValue(2)
    assert tab.panels[0].heading.text() == "Sobel x — 9×9"
    bar.set_choice("padding", "valid")
    bar.stride.setValue(3)
    assert "⌊(7 + 2·0 − 3)/3⌋ + 1 = 2" in tab.panels[0].formula.text()
    assert "padded row 6 never reached" in tab.panels[0].floor_note.text()
    assert tab.panels[0].floor_note.isVisible()
    bar.stride.setValue(1)
    bar.dilation.setValue(2)
    assert tab.panels[0].heading.text() == "Sobel x — 3×3"
    assert shown(tab.panels[0]) == as_text(correlate2d(DEFAULT_INPUT, SOBEL, dilation=2))
    bar.dilation.setValue(4)
    assert "does not fit" in tab.panels[0].error.text()
    assert not tab.panels[0].view.isVisible()


def test_convolution_toggle_and_note(tab):
    assert "PyTorch, TensorFlow and Keras call “convolution”" in tab.op_note.text()
    tab.settings.set_choice("operation", "convolve")
    assert "rotated 180°" in tab.op_note.text()
    assert shown(tab.panels[0]) == as_text(-correlate2d(DEFAULT_INPUT, SOBEL))
    tab.panels[0].select_cell(0, 0)
    assert "Convolution flips the kernel" in tab.explain_panel.explanation()


def test_display_modes_for_negatives(tab):
    raw = correlate2d(DEFAULT_INPUT, SOBEL)
    tab.settings.set_choice("display", "abs")
    assert shown(tab.panels[0]) == as_text(np.abs(raw))
    tab.settings.set_choice("display", "clamp")
    assert shown(tab.panels[0]) == as_text(np.clip(raw, 0, 255))
    tab.panels[0].select_cell(0, 2)  # raw −1
    text = tab.explain_panel.explanation()
    assert "= \u22121" in text and "Shown as 0 (clamped to 0…255)" in text


def test_select_cell_explains_with_real_numbers_and_highlights(tab):
    tab.settings.set_choice("padding", "same")
    tab.panels[0].select_cell(0, 0)
    trace_total = correlate2d(DEFAULT_INPUT, SOBEL, padding="same")[0, 0]
    text = tab.explain_panel.explanation()
    assert "Sobel x: output cell (0, 0)" in text
    assert "5 of 9 cells are zero padding" in text
    assert f"= {trace_total}".replace("-", "\u2212") in text
    assert "(−1)·0 + 0·0 + 1·0 + (−2)·0 + 0·3 + 2·3" in text
    padded = tab.explain_panel.padded_model
    assert padded.rowCount() == 9
    assert set(padded.highlighted()) == {(r, c) for r in range(3) for c in range(3)}
    assert padded.headerData(0, Qt.Orientation.Horizontal) == "\u22121"
    tip = padded.data(padded.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "(padding)" in tip
    highlighted_inputs = {
        (r, c)
        for r in range(7)
        for c in range(7)
        if tab.input_model.data(tab.input_model.index(r, c), Qt.ItemDataRole.BackgroundRole)
    }
    assert highlighted_inputs == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_hover_explains_the_cell_under_the_mouse(tab, qtbot):
    panel = tab.panels[1]
    view = panel.view
    rect = view.visualRect(panel.model.index(2, 3))
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.waitUntil(lambda: "Prewitt y: output cell (2, 3)" in tab.explain_panel.explanation())


def test_step_forward_back_and_play(tab, qtbot):
    panel = tab.panels[0]
    panel.select_cell(0, 0)
    qtbot.mouseClick(tab.explain_panel.step_button, Qt.MouseButton.LeftButton)
    assert "output cell (0, 1)" in tab.explain_panel.explanation()
    assert tab.explain_panel.position_label.text() == "cell 2 of 25"
    qtbot.mouseClick(tab.explain_panel.back_button, Qt.MouseButton.LeftButton)
    assert "output cell (0, 0)" in tab.explain_panel.explanation()
    qtbot.mouseClick(tab.explain_panel.back_button, Qt.MouseButton.LeftButton)
    assert "output cell (0, 0)" in tab.explain_panel.explanation()
    panel.select_cell(4, 2)
    tab.explain_panel.speed.setValue(tab.explain_panel.speed.maximum())
    tab.explain_panel.play_button.click()
    assert tab.explain_panel.timer.isActive()
    qtbot.waitUntil(lambda: not tab.explain_panel.timer.isActive(), timeout=5000)
    assert "output cell (4, 4)" in tab.explain_panel.explanation()
    assert tab.explain_panel.play_button.text() == "▶ Play"


def test_deactivate_and_shutdown_stop_the_timer(tab):
    tab.explain_panel.play_button.click()
    assert tab.explain_panel.timer.isActive()
    tab.deactivate()
    assert not tab.explain_panel.timer.isActive()
    tab.explain_panel.play_button.click()
    tab.shutdown()
    assert not tab.explain_panel.timer.isActive()


def test_delete_key_zeroes_selection_in_one_undo_step(tab, qtbot):
    view = tab.input_editor.view
    view.setFocus()
    selection = view.selectionModel()
    model = view.model()
    view.setCurrentIndex(model.index(0, 0))
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    block = QItemSelection(model.index(0, 0), model.index(1, 1))
    selection.select(block, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert tab.input_model.values[:2, :2].tolist() == [[0, 0], [0, 0]]
    assert tab.input_model.values[2, 2] == DEFAULT_INPUT[2, 2]
    tab.undo_stack().undo()
    np.testing.assert_array_equal(tab.input_model.values, DEFAULT_INPUT)


def test_ctrl_c_copies_the_selected_block_as_tsv(tab, qtbot):
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    view = tab.kernel_editor(0).editor.view
    model = view.model()
    view.selectionModel().select(
        QItemSelection(model.index(0, 0), model.index(1, 2)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "-1\t0\t1\n-2\t0\t2\n"


def test_layer_slice_refuses_a_paste_of_another_shape(tab, qtbot):
    tab.settings.set_choice("mode", "layer")
    editor = tab.layer_panel.filter_editors[0][1]
    paste(qtbot, editor.view, "1 2\n3 4")
    assert "this matrix is 3×3 but the pasted one is 2×2" in editor.error_text()
    paste(qtbot, editor.view, "1 1 1\n1 1 1\n1 1 1")
    assert editor.error_text() == ""
    x, w, b = tab.layer_panel.arrays()
    np.testing.assert_array_equal(w[0, 1], np.ones((3, 3)))
    expected = b[0] + sum(correlate2d(x[c], w[0, c]) for c in range(3))
    assert shown(tab.panels[0]) == as_text(expected)


def test_settings_changes_are_undoable_and_spin_steps_merge(tab):
    bar = tab.settings
    stack = tab.undo_stack()
    bar.set_choice("padding", "full")
    bar.stride.setValue(2)
    bar.stride.setValue(3)  # merges with the previous stride step
    assert stack.count() == 2
    assert tab.panels[0].heading.text() == "Sobel x — 3×3"
    stack.undo()
    assert bar.stride.value() == 1
    assert tab.panels[0].heading.text() == "Sobel x — 9×9"
    stack.undo()
    assert bar.padding.currentData() == "valid"
    assert tab.panels[0].heading.text() == "Sobel x — 5×5"
    stack.redo()
    stack.redo()
    assert (bar.padding.currentData(), bar.stride.value()) == ("full", 3)
    assert tab.panels[0].heading.text() == "Sobel x — 3×3"
