"""Answers as expressions (issue 19) in every tab's "Your answer" box: the Matrix output, the
Layer-sizes output height and parameter count, the Loss tab's Jacobian, gradient and ridge
weights. Each answer is typed as arithmetic (sums of products, the size formula, ``e^``,
``exp``, ``log``, ``sqrt``, fractions) built from the exercise's inputs, and the verdict on
screen is read; a wrong expression is diagnosed like a wrong number, an unreadable one is
named with its position.

The right answers are computed here from the inputs (loops, the floor formula, the softmax from
its definition, the ridge normal equations solved exactly in fractions).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.tutor import new_exercise
from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.loss_tab.loss_page import LossTab
from tests.gui.matrix_helpers import shown_matrix_tab


@pytest.fixture
def matrix(qtbot):
    with shown_matrix_tab(qtbot, 1100, 750) as page:
        page.bottom.setCurrentWidget(page.tutor.check_panel)
        yield page


def _shown(qtbot, cls):
    tab = cls(None, context=AppContext())
    qtbot.addWidget(tab)
    tab.resize(1100, 750)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


@pytest.fixture
def layers(qtbot):
    tab = _shown(qtbot, LayersTab)
    yield tab
    tab.shutdown()
    tab.close()


@pytest.fixture
def loss(qtbot):
    tab = _shown(qtbot, LossTab)
    yield tab
    tab.shutdown()
    tab.close()


def check(qtbot, panel, text: str):
    """Type ``text`` into the answer box (keys into a one-line box, a paste into a matrix box),
    press Check and return the diagnosis."""
    panel.answer_edit.setFocus()
    if hasattr(panel.answer_edit, "returnPressed"):
        panel.answer_edit.clear()
        qtbot.keyClicks(panel.answer_edit, text)
    else:
        panel.set_answer_text(text)
    with qtbot.waitSignal(panel.checked, timeout=5000) as blocker:
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def assert_right(panel) -> None:
    assert panel.diagnosis is not None and panel.diagnosis.correct, panel.findings.toPlainText()
    assert "✓ Right" in panel.verdict.text()


# --- Matrix ---------------------------------------------------------------------------------
def test_matrix_answer_cells_written_as_sums_of_products(matrix, qtbot):
    panel = matrix.tutor.check_panel
    exercise = panel.load_exercise("convolution_valid", 3, 2)
    i = exercise.inputs
    assert i["padding"] == "valid" and i["stride"] == 1 and i["dilation"] == 1
    assert i["operation"] == "correlate"
    x, k = np.asarray(i["x"]), np.asarray(i["kernel"])
    kh, kw = k.shape
    rows, cols = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    sums = [
        [
            "+".join(f"({k[a, b]})*{x[r + a, c + b]}" for a in range(kh) for b in range(kw))
            for c in range(cols)
        ]
        for r in range(rows)
    ]
    text = "\n".join(" ".join(row) for row in sums)
    assert "(-1)*" in text or "(-2)*" in text  # the exercise has negative taps: real sums
    check(qtbot, panel, text)
    assert_right(panel)

    # one cell's sum with a term left out: marked wrong there only, as a wrong number would be
    sums[0][0] = sums[0][0].rsplit("+", 1)[0]
    dropped = int(k[-1, -1]) * int(x[kh - 1, kw - 1])
    assert dropped != 0
    check(qtbot, panel, "\n".join(" ".join(row) for row in sums))
    assert not panel.diagnosis.correct and panel.diagnosis.wrong_cells == [(0, 0)]
    assert panel.marks_view.marks.mark(0, 0) == "wrong"
    assert panel.marks_view.marks.mark(0, 1) == "right"


def test_matrix_unreadable_cell_is_named(matrix, qtbot):
    panel = matrix.tutor.check_panel
    panel.load_exercise("convolution_valid", 3, 2)
    panel.answer_edit.setFocus()
    panel.set_answer_text("1 2 3\n4 (5+ 6\n7 8 9")
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert panel.diagnosis is None
    text = panel.verdict.text()
    assert "Cannot read your answer" in text and "(5+" in text


# --- Layer sizes ----------------------------------------------------------------------------
def _span(i) -> int:
    return i["size"] + 2 * i["padding"] - i["dilation"] * (i["kernel"] - 1) - 1


def _seed(topic_test, level: int) -> int:
    return next(s for s in range(300) if topic_test(new_exercise("output_size", s, level).inputs))


def test_layers_output_size_as_the_formula(layers, qtbot):
    panel = layers.tutor.check_panel
    seed = _seed(lambda i: _span(i) % i["stride"] == 0 and i["padding"] > 0, level=1)
    i = panel.load_exercise("output_size", seed, 1).inputs
    formula = f"({i['size']}+2*{i['padding']}-{i['dilation']}*({i['kernel']}-1)-1)/{i['stride']}+1"
    check(qtbot, panel, formula)
    assert_right(panel)
    h = _span(i) // i["stride"] + 1
    for spelling in (f"sqrt({h * h})", f"{2 * h}/2", f"log2({2**h})", f"({h}*3-3)/3 + 1"):
        check(qtbot, panel, spelling)
        assert_right(panel)


def test_layers_the_formula_without_the_floor_is_named(layers, qtbot):
    panel = layers.tutor.check_panel
    seed = _seed(lambda i: _span(i) % i["stride"] != 0, level=2)
    i = panel.load_exercise("output_size", seed, 2).inputs
    # the (8+2-2)/3+1: the formula typed as it is, without the floor
    formula = f"({i['size']}+2*{i['padding']}-{i['dilation']}*({i['kernel']}-1)-1)/{i['stride']}+1"
    diagnosis = check(qtbot, panel, formula)
    assert not diagnosis.correct and diagnosis.codes[0] == "no_floor"
    assert "without the floor" in panel.findings.toPlainText()


def test_layers_parameter_count_as_arithmetic(layers, qtbot):
    panel = layers.tutor.check_panel
    panel.set_target("param_count")
    i = panel.load_exercise("param_count", 9, 2).inputs
    typed = f"{i['filters']}*({i['kernel']}*{i['kernel']}*{i['channels']}/{i['groups']}"
    typed += f"+{int(i['bias'])})"
    check(qtbot, panel, typed)
    assert_right(panel)
    per_group = i["channels"] // i["groups"]
    right = i["filters"] * (i["kernel"] ** 2 * per_group + int(i["bias"]))
    assert f"{right:,}" in panel.verdict.text() or str(right) in panel.verdict.text()
    # the 16*(3*3*3+1) is read as 448: right only when the layer is that one
    diagnosis = check(qtbot, panel, "16*(3*3*3+1)")
    assert diagnosis.answer == 448 and diagnosis.correct == (right == 448)


# --- Loss -----------------------------------------------------------------------------------
def _softmax_cells(z: np.ndarray) -> list[str]:
    """ŷ_i written as e^{z_i} / Σ_k e^{z_k}, with both e^ and exp()."""
    denominator = "+".join(f"exp({v:g})" for v in z)
    return [f"e^({v:g})/({denominator})" for v in z]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def test_loss_jacobian_written_with_e_and_exp(loss, qtbot):
    panel = loss.tutor.softmax_check
    loss.softmax_panel.views.setCurrentWidget(panel)
    z = np.asarray(panel.load_exercise("softmax_jacobian", 12, 2).inputs["z"], dtype=float)
    p = _softmax_cells(z)
    rows = [
        " ".join(f"({p[r]})*(1-{p[c]})" if r == c else f"-({p[r]})*({p[c]})" for c in range(z.size))
        for r in range(z.size)
    ]
    check(qtbot, panel, "\n".join(rows))
    assert_right(panel)
    # the quotient-rule slip of the sheet, e^{z_i}(1 − e^{z_i}) / (Σ e)^2, typed as expressions
    total = "+".join(f"e^({v:g})" for v in z)
    slipped = [row.split(" ") for row in rows]
    for d in range(z.size):
        slipped[d][d] = f"e^({z[d]:g})*(1-e^({z[d]:g}))/({total})^2"
    diagnosis = check(qtbot, panel, "\n".join(" ".join(row) for row in slipped))
    assert not diagnosis.correct and diagnosis.codes[0] == "quotient_rule_slip"


def test_loss_gradient_written_as_softmax_expressions(loss, qtbot):
    panel = loss.tutor.softmax_check
    panel.set_target("gradient")
    i = panel.load_exercise("cross_entropy_grad", 3, 3).inputs
    z = np.asarray(i["z"], dtype=float)
    y = np.zeros(z.size)
    if np.ndim(i["y"]):
        y[:] = i["y"]
    else:
        y[int(i["y"])] = 1
    p = _softmax_cells(z)
    # ŷ − y, with log(e^…) for the 1 of the true class (an expression, read as 1)
    cells = [f"{p[k]}-log(e^{y[k]:g})" for k in range(z.size)]
    check(qtbot, panel, ", ".join(cells))
    assert_right(panel)
    assert np.allclose(panel.diagnosis.answer, _softmax(z) - y)


def test_loss_ridge_weights_as_exact_fractions(loss, qtbot):
    loss.sections.setCurrentWidget(loss.ridge_panel)
    panel = loss.tutor.ridge_check
    loss.ridge_panel.views.setCurrentWidget(panel)
    i = panel.load_exercise("ridge", 8, 2).inputs
    X = [[Fraction(int(v)) for v in row] for row in np.asarray(i["X"])]
    y = [Fraction(int(v)) for v in np.asarray(i["y"])]
    lam = Fraction(float(i["lam"])).limit_denominator(10**6)
    n, d = len(X), len(X[0])
    # (XᵀX + nλI) w = Xᵀy, solved exactly by Gauss–Jordan in fractions
    a = [
        [sum(X[r][p] * X[r][q] for r in range(n)) + (n * lam if p == q else 0) for q in range(d)]
        + [sum(X[r][p] * y[r] for r in range(n))]
        for p in range(d)
    ]
    for col in range(d):
        pivot = next(r for r in range(col, d) if a[r][col] != 0)
        a[col], a[pivot] = a[pivot], a[col]
        a[col] = [v / a[col][col] for v in a[col]]
        for r in range(d):
            if r != col:
                a[r] = [v - a[r][col] * w for v, w in zip(a[r], a[col], strict=True)]
    w = [a[p][d] for p in range(d)]
    assert any(v.denominator > 1 for v in w)  # real fractions
    check(qtbot, panel, "[" + ", ".join(f"{v.numerator}/{v.denominator}" for v in w) + "]")
    assert_right(panel)
    check(qtbot, panel, ", ".join(f"sqrt({v * v})" if v > 0 else f"{v}" for v in w))
    assert_right(panel)
