"""Tutor in the Layer sizes and Loss tabs: typed answers with planted slips, right answers,
reproducible exercises that are one undo step."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.tutor import new_exercise
from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.loss_tab.loss_page import LossTab


@pytest.fixture
def layers(qtbot):
    tab = LayersTab(None, context=AppContext())
    qtbot.addWidget(tab)
    tab.resize(1100, 750)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab
    tab.close()


@pytest.fixture
def loss(qtbot):
    tab = LossTab(None, context=AppContext())
    qtbot.addWidget(tab)
    tab.resize(1100, 750)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab
    tab.shutdown()
    tab.close()


def type_answer(qtbot, panel, text: str) -> None:
    """Type into a one-line answer box and press Enter, or paste into a matrix box and click."""
    with qtbot.waitSignal(panel.checked, timeout=5000):
        if hasattr(panel.answer_edit, "returnPressed"):
            panel.answer_edit.clear()
            qtbot.keyClicks(panel.answer_edit, text)
            qtbot.keyClick(panel.answer_edit, Qt.Key.Key_Return)
        else:
            panel.set_answer_text(text)
            qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)


def rows_text(matrix: np.ndarray) -> str:
    return "\n".join(" ".join(f"{v:.3f}" for v in row) for row in matrix)


# --- Layer sizes ---------------------------------------------------------------------------------
def test_unfloored_output_size_is_named(layers, qtbot):
    panel = layers.tutor.check_panel
    assert panel.isVisible()
    seed = next(  # an exercise where the floor matters
        s
        for s in range(200)
        if (lambda i: (i["size"] + 2 * i["padding"] - i["dilation"] * (i["kernel"] - 1) - 1)
            % i["stride"])(new_exercise("output_size", s, 2).inputs)
    )  # fmt: skip
    panel.exercise_bar.set_choice(level=2)
    panel.exercise_bar.seed.setValue(seed)
    qtbot.mouseClick(panel.exercise_bar.load_button, Qt.MouseButton.LeftButton)
    i = new_exercise("output_size", seed, 2).inputs
    state = layers.single.save_state()
    assert (state["h"], state["kh"], state["padding"]) == (i["size"], i["kernel"], i["padding"])
    assert (state["stride"], state["dilation"]) == (i["stride"], i["dilation"])
    span = i["size"] + 2 * i["padding"] - i["dilation"] * (i["kernel"] - 1) - 1
    unfloored = span / i["stride"] + 1
    type_answer(qtbot, panel, f"{unfloored:.2f}")
    assert panel.diagnosis.codes[0] == "no_floor"
    assert panel.verdict.text().count("✗") == 1
    assert "without the floor" in panel.findings.toPlainText()
    type_answer(qtbot, panel, str(math.floor(span / i["stride"]) + 1))
    assert panel.diagnosis.correct and "✓ Right" in panel.verdict.text()


def test_parameter_count_check_and_exercise_undo(layers, qtbot):
    panel = layers.tutor.check_panel
    panel.set_target("param_count")
    before = layers.single.save_state()
    stack = layers.undo_stack()
    steps = stack.count()
    panel.load_exercise("param_count", 5, 3)
    assert stack.count() == steps + 1
    i = new_exercise("param_count", 5, 3).inputs
    s = layers.single.save_state()
    assert (s["filters"], s["kh"], s["kw"], s["c"]) == (
        i["filters"],
        i["kernel"],
        i["kernel"],
        i["channels"],
    )
    assert (s["bias"], s["groups"]) == (i["bias"], i["groups"])
    right = i["filters"] * (i["channels"] // i["groups"]) * i["kernel"] ** 2 + (
        i["filters"] if i["bias"] else 0
    )
    type_answer(qtbot, panel, str(right))
    assert panel.diagnosis.correct
    stack.undo()
    assert layers.single.save_state() == before


# --- Loss ----------------------------------------------------------------------------------------
def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def test_quotient_rule_slip_jacobian_is_named(loss, qtbot):
    panel = loss.tutor.softmax_check
    loss.softmax_panel.views.setCurrentWidget(panel)
    panel.load_exercise("softmax_jacobian", 12, 2)
    z = np.array(loss.softmax_panel.editor.logits())
    assert z.tolist() == [float(v) for v in new_exercise("softmax_jacobian", 12, 2).inputs["z"]]
    p = softmax(z)
    slip = np.diag(p) - np.outer(p, p)
    e = np.exp(z)
    np.fill_diagonal(slip, e * (1 - e) / e.sum() ** 2)  # the sheet's step 4
    type_answer(qtbot, panel, rows_text(slip))
    assert panel.diagnosis.codes[0] == "quotient_rule_slip"
    right = np.diag(p) - np.outer(p, p)
    wrong = {(k, k) for k in range(z.size) if abs(slip[k, k] - right[k, k]) > 1e-3}
    assert wrong
    model = panel.marks_view.marks
    marked = {(r, c) for r in range(3) for c in range(3) if model.mark(r, c) == "wrong"}
    assert marked == wrong and all(r == c for r, c in marked)
    assert "quotient rule" in panel.findings.toPlainText()


def test_cross_entropy_gradient_right_answer(loss, qtbot):
    panel = loss.tutor.softmax_check
    panel.set_target("gradient")
    panel.load_exercise("cross_entropy_grad", 3, 3)
    i = new_exercise("cross_entropy_grad", 3, 3).inputs
    z = np.array(i["z"], dtype=float)
    y = np.zeros(z.size)
    if np.ndim(i["y"]):
        y[:] = i["y"]
    else:
        y[int(i["y"])] = 1
    assert np.allclose(loss.softmax_panel.target(), y)
    grad = softmax(z) - y
    type_answer(qtbot, panel, ", ".join(f"{v:.3f}" for v in grad))
    assert panel.diagnosis.correct and "✓ Right" in panel.verdict.text()
    type_answer(qtbot, panel, ", ".join(f"{v:.3f}" for v in -grad))
    assert panel.diagnosis.codes[0] == "sign"


def test_ridge_lambda_without_n_is_named(loss, qtbot):
    loss.sections.setCurrentWidget(loss.ridge_panel)
    panel = loss.tutor.ridge_check
    loss.ridge_panel.views.setCurrentWidget(panel)
    panel.load_exercise("ridge", 8, 2)
    i = new_exercise("ridge", 8, 2).inputs
    X, y, lam = np.array(i["X"], float), np.array(i["y"], float), float(i["lam"])
    assert loss.ridge_panel.lam() == pytest.approx(lam)
    n, d = X.shape
    slip = np.linalg.solve(X.T @ X + lam * np.eye(d), X.T @ y)
    type_answer(qtbot, panel, ", ".join(f"{v:.4f}" for v in slip))
    assert panel.diagnosis.codes[0] == "lambda_without_n"
    right = np.linalg.solve(X.T @ X + n * lam * np.eye(d), X.T @ y)
    type_answer(qtbot, panel, ", ".join(f"{v:.4f}" for v in right))
    assert panel.diagnosis.correct
    # new data in the panel: the exercise's X and y no longer apply
    loss.ridge_panel.degree_spin.setValue(loss.ridge_panel.degree_spin.value() + 1)
    assert loss.tutor.ridge_exercise is None
    assert "training data" in panel.problem_label.text()


def test_softmax_exercise_is_reproducible_and_one_undo_step(loss, qtbot):
    panel = loss.tutor.softmax_check
    before = loss.softmax_panel.editor.logits()
    stack = loss.undo_stack()
    assert stack.count() == 0
    panel.exercise_bar.set_choice(level=3)
    panel.exercise_bar.seed.setValue(77)
    qtbot.mouseClick(panel.exercise_bar.load_button, Qt.MouseButton.LeftButton)
    first = loss.softmax_panel.editor.logits()
    assert first == [float(v) for v in new_exercise("softmax_jacobian", 77, 3).inputs["z"]]
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=5000)
    stack.undo()
    assert loss.softmax_panel.editor.logits() == before
    panel.load_exercise("softmax_jacobian", 78, 3)
    assert loss.softmax_panel.editor.logits() != first
    panel.load_exercise("softmax_jacobian", 77, 3)
    assert loss.softmax_panel.editor.logits() == first


def test_ridge_exercise_keeps_the_users_csv_data(loss, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(12)), encoding="utf-8")
    assert loss.ridge_panel.load_csv(csv)
    loss.tutor.ridge_check.load_exercise("ridge", 2, 1)
    assert not loss.ridge_panel.data_box.is_generated()
    lam = float(new_exercise("ridge", 2, 1).inputs["lam"])
    assert loss.ridge_panel.lam() == pytest.approx(lam)
    assert "exercise's X and y" in loss.tutor.ridge_check.problem_label.text()
