"""Practice mode (issue 19): one switch hides the results of the exercise at hand in the Matrix,
Layer sizes and Loss tabs until the answer is checked or shown; leaving the mode shows them; the
mode and the typed answer survive a session. Also the check panel's "also possible" list and the
cleared answer on a new exercise (issue 21 item 11).

The answers are computed here from the exercise's inputs (brute-force sums, the floor formula,
the softmax Jacobian from its definition), and every assertion is on what the user can see: the
texts of visible labels, buttons, text boxes, table cells and plot labels.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTextEdit,
    QWidget,
)

from engine.tutor import Diagnosis, Finding, Precision
from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.loss_tab.loss_page import LossTab
from gui.matrix_tab import MatrixTab
from gui.tutor.check_panel import CheckAnswerPanel, CheckTarget, findings_html
from gui.tutor.veil import PRACTICE_PLACEHOLDER

TABS = {"matrix": MatrixTab, "layers": LayersTab, "loss": LossTab}


@contextmanager
def shown(qtbot, *keys: str, context: AppContext | None = None) -> Iterator[list]:
    """Real tabs sharing one context (one practice switch) at 1100 × 750, shown and exposed."""
    context = context if context is not None else AppContext()
    pages = []
    for key in keys:
        page = TABS[key](None, context=context)
        qtbot.addWidget(page)
        page.resize(1100, 750)
        page.show()
        qtbot.waitExposed(page)
        pages.append(page)
    try:
        yield pages
    finally:
        for page in pages:
            page.shutdown()
            page.close()


# --- what the user sees ---------------------------------------------------------------------
def visible_texts(root: QWidget) -> list[str]:
    """Every text on screen under ``root``: visible labels, buttons, text boxes, each visible
    table as rows of cell texts, and the visible text items of plots."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            texts.append(
                "\n".join(
                    " ".join(
                        str(model.index(r, c).data() or "") for c in range(model.columnCount())
                    )
                    for r in range(model.rowCount())
                )
            )
        elif isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                if isinstance(item, QGraphicsTextItem) and item.isVisible():
                    texts.append(item.toPlainText())
    return texts


def numbers_in(text: str) -> list[float]:
    """The numbers written in ``text`` (− as minus too)."""
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?", text.replace("−", "-"))]


def shows_sequence(texts: list[str], values: list[float]) -> bool:
    """Whether one visible text writes ``values`` one after the other (a table of them)."""
    for text in texts:
        found = numbers_in(text)
        for start in range(len(found) - len(values) + 1):
            if all(math.isclose(a, b) for a, b in zip(found[start:], values, strict=False)):
                return True
    return False


def placeholders(root: QWidget) -> list[QLabel]:
    return [
        w for w in root.findChildren(QLabel) if w.isVisible() and w.text() == PRACTICE_PLACEHOLDER
    ]


def correlate(x: np.ndarray, k: np.ndarray, stride: int) -> np.ndarray:
    """Valid cross-correlation by loops (the reference for the Matrix exercise)."""
    rows = (x.shape[0] - k.shape[0]) // stride + 1
    cols = (x.shape[1] - k.shape[1]) // stride + 1
    out = np.zeros((rows, cols), dtype=np.int64)
    for i in range(rows):
        for j in range(cols):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    out[i, j] += int(k[a, b]) * int(x[i * stride + a, j * stride + b])
    return out


def click(qtbot, button) -> None:
    assert button.isVisible(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --- Matrix ---------------------------------------------------------------------------------
def matrix_answer_shown(tab) -> bool:
    """Whether the exercise's output (all its numbers in order) is on screen, or the cell
    explanation with its sum of products, in any bottom sub-tab."""
    panel = tab.tutor.check_panel
    exercise = panel.exercise
    assert exercise is not None
    i = exercise.inputs
    assert i["padding"] == "valid" and i["dilation"] == 1 and i["operation"] == "correlate"
    expected = correlate(np.asarray(i["x"]), np.asarray(i["kernel"]), int(i["stride"]))
    shown_somewhere = False
    current = tab.bottom.currentWidget()
    for page in (tab.explain_panel, tab.solution, tab.solver, panel):
        tab.bottom.setCurrentWidget(page)
        texts = visible_texts(tab)
        if shows_sequence(texts, [float(v) for v in expected.ravel()]):
            shown_somewhere = True
        # the explanation's sum for the selected cell ends in "= <the cell's value>"
        explanation = tab.explain_panel.text
        if explanation.isVisible() and explanation.toPlainText().strip():
            shown_somewhere = True
    tab.bottom.setCurrentWidget(current)
    return shown_somewhere


def test_matrix_practice_hides_the_output_until_a_right_answer_is_checked(qtbot):
    with shown(qtbot, "matrix") as (tab,):
        panel = tab.tutor.check_panel
        tab.bottom.setCurrentWidget(panel)
        assert not panel.show_answer_button.isVisible()
        qtbot.mouseClick(panel.practice_box, Qt.MouseButton.LeftButton)
        assert tab.context.practice.enabled and panel.answer_hidden
        panel.exercise_bar.topic.setCurrentIndex(
            panel.exercise_bar.topic.findData("convolution_valid")
        )
        panel.exercise_bar.level.setCurrentIndex(panel.exercise_bar.level.findData(2))
        panel.exercise_bar.seed.setValue(11)
        click(qtbot, panel.exercise_bar.load_button)
        assert panel.exercise is not None and panel.answer_hidden
        assert not matrix_answer_shown(tab)
        assert not any(card.isVisible() for card in tab.panels)
        assert len(placeholders(tab)) >= len(tab.panels)  # a note in each card's place, no hole

        i = panel.exercise.inputs
        expected = correlate(np.asarray(i["x"]), np.asarray(i["kernel"]), int(i["stride"]))
        panel.set_answer_text("\n".join(" ".join(str(v) for v in row) for row in expected))
        with qtbot.waitSignal(panel.checked, timeout=5000) as blocker:
            click(qtbot, panel.check_button)
        assert blocker.args[0].correct
        assert not panel.answer_hidden and not placeholders(tab)
        assert all(card.isVisible() for card in tab.panels)
        assert matrix_answer_shown(tab)

        click(qtbot, panel.exercise_bar.new_button)  # a new exercise is hidden again
        assert panel.answer_hidden and not matrix_answer_shown(tab)
        tab.context.practice.set_enabled(False)  # leaving the mode shows everything
        assert not panel.practice_box.isChecked() and not panel.show_answer_button.isVisible()
        assert matrix_answer_shown(tab) and not placeholders(tab)


def test_matrix_show_answer_reveals_and_a_wrong_check_reveals_too(qtbot):
    with shown(qtbot, "matrix") as (tab,):
        panel = tab.tutor.check_panel
        tab.bottom.setCurrentWidget(panel)
        tab.context.practice.set_enabled(True)
        panel.load_exercise("convolution_valid", 5, 2)
        assert not matrix_answer_shown(tab)
        click(qtbot, panel.show_answer_button)
        assert not panel.answer_hidden and matrix_answer_shown(tab)
        assert not panel.show_answer_button.isVisible()

        panel.load_exercise("convolution_valid", 6, 2)
        assert not matrix_answer_shown(tab)
        panel.set_answer_text("1 2\n3 4")  # wrong (and the wrong size): checked all the same
        with qtbot.waitSignal(panel.checked, timeout=5000):
            click(qtbot, panel.check_button)
        assert matrix_answer_shown(tab)


def test_an_output_card_added_in_practice_mode_is_hidden_too(qtbot):
    with shown(qtbot, "matrix") as (tab,):
        panel = tab.tutor.check_panel
        tab.context.practice.set_enabled(True)
        panel.load_exercise("convolution_valid", 3, 1)
        before = len(tab.panels)
        click(qtbot, tab.add_kernel_button)
        assert len(tab.panels) == before + 1
        assert not any(card.isVisible() for card in tab.panels)
        qtbot.waitUntil(lambda: len(placeholders(tab)) >= before + 1)
        tab.undo_stack().undo()  # the card goes: so does its placeholder
        assert len(tab.panels) == before
        qtbot.waitUntil(lambda: len(tab.tutor.veil.placeholders()) == before + 3)


# --- Layer sizes ----------------------------------------------------------------------------
def test_layers_practice_hides_output_size_and_parameters(qtbot):
    with shown(qtbot, "layers") as (tab,):
        panel = tab.tutor.check_panel
        page = tab.single
        tab.context.practice.set_enabled(True)
        exercise = panel.load_exercise("output_size", 4, 2)
        i = exercise.inputs
        h = (i["size"] + 2 * i["padding"] - i["dilation"] * (i["kernel"] - 1) - 1) // i[
            "stride"
        ] + 1

        def size_shown() -> bool:
            texts = visible_texts(tab)
            return any(f"Output: {h} × {h}" in t for t in texts) or any(
                re.search(rf"= {h}\s*$", t) for t in texts if "H′ =" not in t
            )

        assert panel.answer_hidden and not size_shown()
        for widget in (page.output_label, page.formula_h, page.params_label, page.macs_label):
            assert not widget.isVisible()
        assert placeholders(tab)
        panel.answer_edit.setFocus()
        qtbot.keyClicks(panel.answer_edit, str(h))
        with qtbot.waitSignal(panel.checked, timeout=5000) as blocker:
            qtbot.keyClick(panel.answer_edit, Qt.Key.Key_Return)
        assert blocker.args[0].correct
        assert not panel.answer_hidden and size_shown()
        assert page.output_label.isVisible() and page.macs_label.isVisible()

        panel.set_target("param_count")
        exercise = panel.load_exercise("param_count", 9, 2)
        i = exercise.inputs
        params = i["filters"] * (i["kernel"] ** 2 * i["channels"] // i["groups"] + int(i["bias"]))

        def params_shown() -> bool:
            return any(re.search(rf"(?<![\d,]){params:,}(?![\d,])", t) for t in visible_texts(tab))

        assert panel.answer_hidden and not params_shown()
        click(qtbot, panel.show_answer_button)
        assert params_shown()
        panel.load_exercise("param_count", 10, 2)
        assert panel.answer_hidden
        tab.context.practice.set_enabled(False)
        assert page.params_label.isVisible() and not placeholders(tab)


# --- Loss -----------------------------------------------------------------------------------
def jacobian(z: np.ndarray) -> np.ndarray:
    """J_ij = ŷ_i(δ_ij − ŷ_j), ŷ from its definition."""
    e = np.exp(z - z.max())
    p = e / e.sum()
    return np.diag(p) - np.outer(p, p)


def test_loss_practice_hides_softmax_numbers_and_ridge_weights(qtbot):
    with shown(qtbot, "loss") as (tab,):
        tutor = tab.tutor
        softmax = tutor.softmax_check
        views = tab.softmax_panel.views
        softmax.practice.set_enabled(True)
        exercise = softmax.load_exercise("softmax_jacobian", 12, 2)
        z = np.asarray(exercise.inputs["z"], dtype=float)
        j = jacobian(z)
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        wanted = {f"{v:.3f}" for v in np.concatenate([j.ravel(), p]) if abs(v) >= 0.01}

        def jacobian_shown() -> bool:
            for index in range(views.count()):
                views.setCurrentIndex(index)
                texts = " ".join(visible_texts(tab)).replace("−", "-")
                if any(re.search(rf"(?<![\d.]){re.escape(w)}", texts) for w in wanted):
                    return True
            views.setCurrentWidget(softmax)
            return False

        tab.softmax_panel.flush()
        assert softmax.answer_hidden and not jacobian_shown()
        assert placeholders(tab)
        softmax.set_answer_text("\n".join(" ".join(f"{v:.3f}" for v in row) for row in j))
        with qtbot.waitSignal(softmax.checked, timeout=5000) as blocker:
            click(qtbot, softmax.check_button)
        assert blocker.args[0].correct
        assert jacobian_shown()

        # the ridge panel has its own answer: hidden while the softmax one is revealed
        ridge = tutor.ridge_check
        tab.sections.setCurrentWidget(tab.ridge_panel)
        tab.ridge_panel.views.setCurrentWidget(ridge)
        ridge.load_exercise("ridge", 2, 1)
        assert ridge.answer_hidden and not softmax.answer_hidden
        assert not tab.ridge_panel.weights_label.isVisible()
        assert not tab.ridge_panel.coefficient_plot.widget.isVisible()
        assert placeholders(tab)
        click(qtbot, ridge.show_answer_button)
        assert tab.ridge_panel.weights_label.isVisible()
        softmax.practice.set_enabled(False)
        assert not placeholders(tab)


# --- one switch, and sessions ---------------------------------------------------------------
def test_one_switch_for_every_tab_and_it_survives_a_session(qtbot):
    context = AppContext()
    with shown(qtbot, "matrix", "layers", "loss", context=context) as pages:
        matrix, layers, loss = pages
        boxes = [
            matrix.tutor.check_panel.practice_box,
            layers.tutor.check_panel.practice_box,
            loss.tutor.softmax_check.practice_box,
            loss.tutor.ridge_check.practice_box,
        ]
        layers.tutor.check_panel.practice_box.setChecked(True)  # one box switches them all
        assert context.practice.enabled and all(box.isChecked() for box in boxes)
        matrix.tutor.check_panel.load_exercise("convolution_valid", 8, 1)
        matrix.tutor.check_panel.set_answer_text("1 2\n3 4")
        layers.tutor.check_panel.load_exercise("output_size", 2, 1)
        layers.tutor.check_panel.set_answer_text("(8+2-2)/3+1")
        layers.tutor.check_panel.show_answer()
        states = [json.loads(json.dumps(page.save_state())) for page in pages]

    fresh = AppContext()
    with shown(qtbot, "matrix", "layers", "loss", context=fresh) as pages:
        matrix, layers, loss = pages
        assert not fresh.practice.enabled
        for page, state in zip(pages, states, strict=True):
            page.restore_state(state)
        assert fresh.practice.enabled
        assert loss.tutor.softmax_check.practice_box.isChecked()
        assert matrix.tutor.check_panel.answer_text() == "1 2\n3 4"
        assert layers.tutor.check_panel.answer_text() == "(8+2-2)/3+1"
        assert matrix.tutor.check_panel.answer_hidden  # not revealed before the save
        assert not any(card.isVisible() for card in matrix.panels)
        assert not layers.tutor.check_panel.answer_hidden  # revealed before the save
        assert layers.single.output_label.isVisible()
        fresh.practice.set_enabled(False)
        assert all(card.isVisible() for card in matrix.panels)
        off = [json.loads(json.dumps(page.save_state())) for page in pages]
    again = AppContext()
    again.practice.set_enabled(True)
    with shown(qtbot, "matrix", context=again) as (matrix,):
        matrix.restore_state(off[0])  # a session saved with the mode off turns it off
        assert not again.practice.enabled
        assert all(card.isVisible() for card in matrix.panels)


@pytest.mark.parametrize("bad", [1, "yes", None, [True]])
def test_a_damaged_practice_entry_keeps_the_current_mode(qtbot, bad):
    context = AppContext()
    context.practice.set_enabled(True)
    with shown(qtbot, "layers", context=context) as (tab,):
        state = tab.save_state()
        state["tutor"]["check"]["practice"] = bad
        state["tutor"]["check"]["revealed"] = bad
        tab.restore_state(state)
        assert context.practice.enabled and tab.tutor.check_panel.answer_hidden


# --- issue 21 item 11: the check panel's mutants --------------------------------------------
def _diagnosis(findings: tuple[Finding, ...]) -> Diagnosis:
    return Diagnosis(
        correct=False,
        expected=np.array([[1, 3]]),
        answer=np.array([[1, 2]]),
        wrong_cells=[(0, 1)],
        findings=list(findings),
        precision=Precision(exact=True),
    )


def test_also_possible_lists_every_other_finding_only_when_there_are_others(qtbot):
    first = Finding(code="kernel_flipped", message="You flipped the kernel.")
    second = Finding(code="arithmetic", message="An arithmetic slip in cell (0, 1).")
    third = Finding(code="wrong_padding", message="You padded by 1.")
    text = findings_html(_diagnosis((first, second, third)))
    assert "Also possible:" in text
    head, _, tail = text.partition("Also possible:")
    assert "You flipped the kernel." in head
    assert "<li>An arithmetic slip in cell (0, 1).</li>" in tail
    assert "<li>You padded by 1.</li>" in tail
    assert tail.count("<ul>") == 1 and tail.endswith("</ul>")
    single = findings_html(_diagnosis((first,)))
    assert "Also possible" not in single and "<ul>" not in single


def test_a_new_exercise_clears_the_typed_answer(qtbot):
    loaded = []
    target = CheckTarget(
        key="n",
        label="A number",
        kind="number",
        topics=("output_size",),
        check=lambda answer: pytest.fail("not checked here"),
        describe=lambda: "A number.",
        load=loaded.append,
    )
    panel = CheckAnswerPanel(None, targets=[target], name="probe")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.keyClicks(panel.answer_edit, "42")
    assert panel.answer_text() == "42"
    click(qtbot, panel.exercise_bar.new_button)
    assert len(loaded) == 1 and panel.answer_text() == ""
    qtbot.keyClicks(panel.answer_edit, "7")
    click(qtbot, panel.exercise_bar.load_button)
    assert len(loaded) == 2 and panel.answer_text() == ""
