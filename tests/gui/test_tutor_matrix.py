"""Matrix tab tutor: "Check my answer" marks and names slips; New exercise; "Which input?"."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from engine.tutor import new_exercise
from gui.colours import contrast_ratio, tone
from gui.matrix_tab.page import DEFAULT_INPUT
from gui.theme import ThemeController
from gui.tutor.marks import mark_background
from tests.gui.matrix_helpers import shown_matrix_tab


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot, 1100, 750) as page:
        page.bottom.setCurrentWidget(page.tutor.check_panel)
        yield page


def correlate_loops(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Valid cross-correlation by plain loops (the independent reference)."""
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1), dtype=np.int64)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = sum(x[i + a, j + b] * k[a, b] for a in range(kh) for b in range(kw))
    return out


def as_text(values: np.ndarray) -> str:
    return "\n".join(" ".join(str(int(v)) for v in row) for row in values)


def type_and_check(qtbot, panel, text: str) -> None:
    panel.answer_edit.setFocus()
    panel.set_answer_text(text)  # as a paste does
    with qtbot.waitSignal(panel.checked, timeout=5000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)


def marks(panel) -> dict[tuple[int, int], str]:
    model = panel.marks_view.marks
    return {
        (r, c): model.mark(r, c)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    }


def test_flipped_kernel_answer_is_marked_and_named(tab, qtbot):
    panel = tab.tutor.check_panel
    panel.load_exercise("convolution_valid", 11, 1)
    x = np.array(tab.input_model.values)
    k = np.array(tab.kernel_models[0].values)
    assert panel.exercise is not None and panel.exercise.inputs["operation"] == "correlate"
    right = correlate_loops(x, k)
    flipped = correlate_loops(x, k[::-1, ::-1])  # true convolution: the slip
    type_and_check(qtbot, panel, as_text(flipped))

    assert panel.verdict.text().count("✗") == 1
    assert panel.diagnosis.codes[0] == "flipped_kernel"
    text = panel.findings.toPlainText()
    assert text.startswith("Most likely:")
    assert "kernel flipped" in text and "cross-correlation" in text
    wrong = {(int(r), int(c)) for r, c in np.argwhere(flipped != right)}
    assert wrong, "the exercise's kernel is not symmetric, so some cell differs"
    assert marks(panel) == {
        cell: ("wrong" if cell in wrong else "right") for cell in np.ndindex(right.shape)
    }
    r, c = sorted(wrong)[0]
    model = panel.marks_view.marks
    assert model.index(r, c).data().startswith("✗")
    font = model.index(r, c).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()  # never colour alone


def test_arithmetic_slip_shows_the_cells_sum_of_products(tab, qtbot):
    panel = tab.tutor.check_panel
    x, k = np.array(tab.input_model.values), np.array(tab.kernel_models[0].values)
    answer = correlate_loops(x, k)
    answer[2, 3] += 5
    type_and_check(qtbot, panel, as_text(answer))
    assert panel.diagnosis.codes[0] == "arithmetic"
    assert [cell for cell, mark in marks(panel).items() if mark == "wrong"] == [(2, 3)]
    text = panel.findings.toPlainText()
    work = " + ".join(
        f"{f'(−{-k[a, b]})' if k[a, b] < 0 else k[a, b]}·{x[2 + a, 3 + b]}"
        for a in range(3)
        for b in range(3)
    )
    assert work in text  # the cell's sum of products, written out
    assert f"you wrote {answer[2, 3]}".replace("-", "−") in text
    tip = panel.marks_view.marks.index(2, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("wrong: you wrote") and work in tip


def test_selecting_an_output_cell_chooses_that_kernel(tab, qtbot):
    combo = tab.tutor.kernel_combo
    assert combo.currentIndex() == 0
    tab.panels[2].select_cell(1, 1)
    assert combo.currentIndex() == 2
    assert tab.kernels.named_kernels()[2][0] in tab.tutor.check_panel.problem_label.text()


def test_a_right_answer_is_marked_right(tab, qtbot):
    panel = tab.tutor.check_panel
    x, k = np.array(tab.input_model.values), np.array(tab.kernel_models[1].values)
    tab.tutor.kernel_combo.setCurrentIndex(1)
    panel.set_answer_text(as_text(correlate_loops(x, k)))
    panel.answer_edit.setFocus()
    qtbot.waitUntil(panel.answer_edit.hasFocus)
    with qtbot.waitSignal(panel.checked, timeout=5000):  # Ctrl+Enter checks from the keyboard
        qtbot.keyClick(panel.answer_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.diagnosis.correct
    assert panel.verdict.text().count("✓ Right") == 1
    assert set(marks(panel).values()) == {"right"}
    # the inputs change: the verdict no longer applies
    tab.input_model.push_values(np.array(x) + 1, "edit")
    assert panel.diagnosis is None and "press Check again" in panel.verdict.text()


def test_unreadable_answer_says_why(tab, qtbot):
    panel = tab.tutor.check_panel
    type_and_check_failed = panel.check_button
    panel.set_answer_text("1 2\n3 x")
    qtbot.mouseClick(type_and_check_failed, Qt.MouseButton.LeftButton)
    assert panel.diagnosis is None
    assert panel.verdict.text().startswith("Cannot read your answer")


def test_new_exercise_with_a_seed_is_reproducible_and_one_undo_step(tab, qtbot):
    panel = tab.tutor.check_panel
    bar = panel.exercise_bar
    before = tab.save_state()
    bar.set_choice("convolution_stride", 3)
    bar.seed.setValue(4242)
    qtbot.mouseClick(bar.load_button, Qt.MouseButton.LeftButton)
    expected = new_exercise("convolution_stride", 4242, 3).inputs
    first = tab.save_state()
    assert first["input"] == np.asarray(expected["x"]).tolist()
    assert first["kernels"][0]["values"] == np.asarray(expected["kernel"]).tolist()
    s = tab.settings.conv_settings()
    padding = expected["padding"]
    assert s.padding_spec == padding and s.stride == expected["stride"]
    assert s.dilation == expected["dilation"] and s.operation == expected["operation"]
    assert "seed 4242, level 3" in panel.question_label.text()
    assert panel.question_label.isVisible()

    stack = tab.undo_stack()
    steps = stack.count()
    qtbot.mouseClick(bar.new_button, Qt.MouseButton.LeftButton)  # a random other seed
    assert bar.seed.value() != 4242 or tab.save_state() == first
    bar.seed.setValue(4242)
    qtbot.mouseClick(bar.load_button, Qt.MouseButton.LeftButton)
    assert tab.save_state()["input"] == first["input"]
    assert tab.save_state()["kernels"] == first["kernels"]
    assert stack.count() == steps + 2  # each loaded exercise is one undo step

    for _ in range(3):
        stack.undo()
    assert tab.save_state()["input"] == before["input"]
    assert tab.save_state()["kernels"] == before["kernels"]
    assert tab.save_state()["settings"] == before["settings"]


def test_which_input_recovers_a_known_input(tab, qtbot):
    which = tab.tutor.which_input
    tab.bottom.setCurrentWidget(which)
    known = np.array(DEFAULT_INPUT)
    # full padding: a correlation with any non-zero kernel is one-to-one, so the input is unique
    tab.settings.set_choice("padding", "full")
    qtbot.mouseClick(which.copy_button, Qt.MouseButton.LeftButton)
    tab.input_model.push_values(np.zeros_like(known), "clear")
    qtbot.mouseClick(which.solve_button, Qt.MouseButton.LeftButton)
    sol = which.solution
    assert sol is not None and sol.exact and sol.unique
    assert np.array_equal(sol.x, known)
    assert "exact" in which.result.text() and f"rank {known.size}" in which.result.text()
    qtbot.mouseClick(which.use_button, Qt.MouseButton.LeftButton)
    assert np.array_equal(tab.input_model.values, known)
    tab.undo_stack().undo()
    assert not tab.input_model.values.any()


def test_which_input_reports_outputs_no_single_input_gives(tab, qtbot):
    which = tab.tutor.which_input
    tab.bottom.setCurrentWidget(which)
    outputs = [r.output for r in tab.result.outputs]
    tampered = np.array(outputs[1])
    tampered[0, 0] += 7  # no input gives this together with the other two outputs
    which.copy_outputs()
    which.set_output_text(1, as_text(tampered))
    qtbot.mouseClick(which.solve_button, Qt.MouseButton.LeftButton)
    sol = which.solution
    assert sol is not None and not sol.exact and sol.residual > 0
    assert "not exact" in which.result.text()
    assert sol.message in which.result.text().replace("&amp;", "&")
    # a bad paste is refused with the reason
    which.set_output_text(0, "1 2\n3")
    qtbot.mouseClick(which.solve_button, Qt.MouseButton.LeftButton)
    assert which.solution is None and which.result.text().startswith("Cannot solve")
    assert not which.use_button.isEnabled()


def test_layer_mode_says_what_the_check_needs(tab, qtbot):
    panel = tab.tutor.check_panel
    tab.settings.set_choice("mode", "layer")
    assert "Matrix & kernels" in panel.problem_label.text()
    panel.set_answer_text("1 2\n3 4")
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert panel.diagnosis is None
    assert panel.verdict.text().startswith("Cannot check with the current inputs")


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_marked_cells_stay_readable_in_both_themes(tab, qtbot, qapp, mode):
    palette = qapp.palette()
    controller = ThemeController(None, mode=mode)
    try:
        panel = tab.tutor.check_panel
        x, k = np.array(tab.input_model.values), np.array(tab.kernel_models[0].values)
        answer = correlate_loops(x, k)
        answer[0, 0] += 1
        type_and_check(qtbot, panel, as_text(answer))
        view = panel.marks_view
        window = QApplication.palette().color(QPalette.ColorRole.Window)
        qtbot.waitUntil(lambda: view.palette().color(QPalette.ColorRole.Window) == window)
        text = view.palette().color(QPalette.ColorRole.Text)
        model = view.marks
        for cell, kind in ((0, 0), "wrong"), ((0, 1), "right"):
            assert model.mark(*cell) == kind
            background = model.index(*cell).data(Qt.ItemDataRole.BackgroundRole)
            assert background == mark_background(kind, view.palette())
            assert contrast_ratio(text, background) >= 4.5, (mode, kind)
        assert contrast_ratio(tone("error"), view.palette().color(QPalette.ColorRole.Base)) >= 4.5
    finally:
        controller.deleteLater()
        qapp.setPalette(palette)
