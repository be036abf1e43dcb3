"""Check my derivation: real derivations from the exercise sheet, right and wrong."""

from __future__ import annotations

import pytest

from engine import check_derivation
from engine.derivation import DERIVATION_TOPICS

SOFTMAX_RIGHT = r"""
\frac{\partial\hat{y}_i}{\partial z_j} = \frac{\partial}{\partial z_j}\frac{e^{z_i}}{\sum_k e^{z_k}}
= \frac{\delta_{ij} e^{z_i} \sum_k e^{z_k} - e^{z_i} e^{z_j}}{\left(\sum_k e^{z_k}\right)^2}
= \frac{e^{z_i}}{\sum_k e^{z_k}} \left(\delta_{ij} - \frac{e^{z_j}}{\sum_k e^{z_k}}\right)
= \hat{y}_i (\delta_{ij} - \hat{y}_j)
"""


def test_correct_softmax_derivative_for_all_i_and_j():
    result = check_derivation(SOFTMAX_RIGHT, topic="softmax_derivative")
    assert [s.ok for s in result.steps] == [True] * 4
    assert result.first_wrong is None
    assert result.findings == ()
    assert result.reaches_target is True


def test_correct_softmax_derivative_case_i_equals_j():
    text = r"""\frac{\partial \hat{y}_i}{\partial z_i}
    = \frac{e^{z_i}\sum_k e^{z_k} - e^{z_i} e^{z_i}}{(\sum_k e^{z_k})^2}
    = \frac{e^{z_i}}{\sum_k e^{z_k}} - \left(\frac{e^{z_i}}{\sum_k e^{z_k}}\right)^2
    = \hat{y}_i(1 - \hat{y}_i)"""
    result = check_derivation(text, topic="softmax_derivative")
    assert result.first_wrong is None
    assert result.reaches_target is True  # the case i = j of ŷ_i(δ_ij − ŷ_j)


def test_correct_softmax_derivative_case_i_differs_from_j():
    text = (
        r"\frac{\partial \hat{y}_i}{\partial z_j} = \frac{0 - e^{z_i} e^{z_j}}{(\sum_k e^{z_k})^2}"
        r" \quad (i \neq j)"
        "\n"
        r"= -\hat{y}_i \hat{y}_j \quad (i \neq j)"
    )
    result = check_derivation(text, topic="softmax_derivative")
    assert result.first_wrong is None
    assert result.reaches_target is True
    # the same line without the condition is wrong for i = j, and says so
    bare = check_derivation(r"\frac{\partial \hat y_i}{\partial z_j} = -\hat y_i \hat y_j",
                            topic="softmax_derivative")  # fmt: skip
    assert bare.first_wrong == 0
    assert bare.findings[0].code == "lost_delta"


def test_a_case_stated_on_the_first_line_holds_for_the_chain_that_follows():
    # Students write the case once, on the line that starts the chain.
    text = (
        r"\frac{\partial \hat{y}_i}{\partial z_j} = \frac{0 - e^{z_i} e^{z_j}}{(\sum_k e^{z_k})^2}"
        r" \quad (i \neq j)"
        "\n"
        r"= -\hat{y}_i \hat{y}_j"
    )
    result = check_derivation(text, topic="softmax_derivative")
    assert result.first_wrong is None
    assert result.reaches_target is True
    assert not [f.code for f in result.findings]


def test_plain_text_softmax_derivative():
    text = "∂ŷ_i/∂z_j = exp(z_i)*(delta_ij*sum_k exp(z_k) - exp(z_j)) / (sum_k exp(z_k))^2\n"
    text += "= y_hat_i*(delta_ij - y_hat_j)"
    result = check_derivation(text, topic="softmax_derivative")
    assert result.first_wrong is None
    assert result.reaches_target is True


def test_the_sheets_quotient_rule_slip_is_named_at_its_step():
    result = check_derivation(
        DERIVATION_TOPICS["softmax_derivative"].example_wrong, topic="softmax_derivative"
    )
    assert [s.ok for s in result.steps] == [True, True, False, False]
    assert result.first_wrong == 2
    assert result.findings[0].code == "quotient_rule_numerator"
    assert result.findings[0].step == 2
    assert "not e^{z_i}(1 − e^{z_j})" in result.steps[2].message
    # the last line happens to be right again: the message says the slip is undone
    assert "undone" in result.steps[3].message
    assert result.reaches_target is True


def test_quotient_rule_slip_for_i_different_from_j():
    text = SOFTMAX_RIGHT.strip().splitlines()[:2]
    text.append(r"= \frac{e^{z_i}(\delta_{ij} - e^{z_j})}{(\sum_k e^{z_k})^2}")
    result = check_derivation(text, topic="softmax_derivative")
    assert result.first_wrong == 2
    assert result.findings[0].code == "quotient_rule_numerator"


def test_lost_index_i_where_j_belongs():
    lines = SOFTMAX_RIGHT.strip().splitlines()[:3] + [r"= \hat{y}_i (\delta_{ij} - \hat{y}_i)"]
    result = check_derivation(lines, topic="softmax_derivative")
    assert result.first_wrong == 3
    assert result.findings[0].code == "lost_index"
    assert result.reaches_target is False
    assert "target_not_reached" in result.codes


CE_SILENT = DERIVATION_TOPICS["cross_entropy_gradient"].example_wrong


def test_cross_entropy_dropped_sum_y_is_named():
    result = check_derivation(CE_SILENT, topic="cross_entropy_gradient")
    # the step is valid for one-hot/probability labels, so no step is wrong …
    assert result.first_wrong is None
    assert all(s.ok for s in result.steps)
    assert "Σ_k y_k = 1" in result.steps[3].message
    # … but the unstated assumption is named, at the step that uses it
    assert result.findings[0].code == "dropped_sum_y"
    assert result.findings[0].step == 3
    assert result.reaches_target is True


@pytest.mark.parametrize(
    "stated",
    [r"\sum_k y_k = 1", r"= \hat{y}_j - y_j \quad \text{since } \sum_k y_k = 1"],
)
def test_cross_entropy_with_the_assumption_stated(stated):
    lines = CE_SILENT.splitlines()
    lines = lines[:3] + [stated] + ([lines[3]] if stated.startswith(r"\sum") else [])
    result = check_derivation(lines, topic="cross_entropy_gradient")
    assert result.first_wrong is None
    assert "dropped_sum_y" not in result.codes
    assert result.reaches_target is True


def test_cross_entropy_dropped_sum_sign_slip():
    lines = CE_SILENT.splitlines()[:2] + [r"= y_j - \hat{y}_j"]
    result = check_derivation(lines, topic="cross_entropy_gradient")
    assert result.first_wrong == 2
    assert result.findings[0].code == "sign"


RIDGE_RIGHT = [
    r"L(w) = \frac{1}{n}\|Xw - y\|_2^2 + \lambda \|w\|_2^2",
    r"\nabla_w L = \frac{2}{n} X^T (Xw - y) + 2\lambda w",
    "= 0",
    r"X^T X w + n\lambda w = X^T y",
    r"(X^\top X + n\lambda I) w = X^\top y",
    r"w = (X^T X + n\lambda I)^{-1} X^T y",
]


def test_correct_ridge_closed_form():
    result = check_derivation(RIDGE_RIGHT, topic="ridge_closed_form")
    assert result.first_wrong is None
    assert result.findings == ()
    assert result.reaches_target is True


def test_ridge_answer_with_w_on_both_sides():
    result = check_derivation(
        DERIVATION_TOPICS["ridge_closed_form"].example_wrong, topic="ridge_closed_form"
    )
    assert result.first_wrong is None  # every step is an equivalent equation …
    assert result.findings[0].code == "unknown_on_both_sides"  # … but no closed form
    assert result.findings[0].step == 3
    assert result.reaches_target is False


def test_ridge_missing_lambda():
    lines = RIDGE_RIGHT[:4] + [r"(X^T X + nI) w = X^T y", r"w = (X^T X + nI)^{-1} X^T y"]
    result = check_derivation(lines, topic="ridge_closed_form")
    assert result.first_wrong == 4
    assert result.findings[0].code == "missing_lambda"
    assert result.reaches_target is False


def test_ridge_dropped_lambda_term_and_missing_n():
    no_term = check_derivation(RIDGE_RIGHT[:3] + ["X^T X w = X^T y"], topic="ridge_closed_form")
    assert no_term.first_wrong == 3
    assert no_term.findings[0].code == "missing_lambda"
    no_n = check_derivation(RIDGE_RIGHT[:3] + [r"X^T X w + \lambda w = X^T y"],
                            topic="ridge_closed_form")  # fmt: skip
    assert no_n.first_wrong == 3
    assert no_n.findings[0].code == "missing_n"


def test_ridge_shapes_that_do_not_fit():
    result = check_derivation(r"w = (X X^T + n\lambda I)^{-1} X^T y", topic="ridge_closed_form")
    assert result.first_wrong == 0
    assert result.findings[0].code == "shape_mismatch"
    assert "do not fit" in result.steps[0].message


def test_unreadable_line_points_at_the_character():
    result = check_derivation(["z_1 = z_1", r"= \frac{z_1}{1"], topic=None)
    step = result.steps[1]
    assert not step.ok and not step.readable
    assert "character 15" in step.message
    assert result.first_wrong is None  # only readable steps can be 'not equal'
    assert result.codes == ("unreadable",)


def test_own_target_and_no_topic():
    result = check_derivation("a(b + c) = ab + ac", target="ab + ac")
    assert result.first_wrong is None and result.reaches_target is True
    wrong = check_derivation(["(a + b)^2", "= a^2 + b^2"])
    assert wrong.first_wrong == 1
    assert wrong.reaches_target is None


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="topic"):
        check_derivation("z_1", topic="nope")
    with pytest.raises(ValueError, match="steps"):
        check_derivation(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="target"):
        check_derivation("z_1", target=r"\frac{")


def test_chain_rule_through_the_softmax_outputs():
    lines = [
        r"\frac{\partial L}{\partial z_j} = \sum_k \frac{\partial L}{\partial \hat{y}_k}"
        r" \frac{\partial \hat{y}_k}{\partial z_j}",
        r"= -\sum_k \frac{y_k}{\hat{y}_k} \hat{y}_k (\delta_{kj} - \hat{y}_j)",
        r"= \hat{y}_j - y_j \quad \text{using } \sum_k y_k = 1",
    ]
    result = check_derivation(lines, topic="cross_entropy_gradient")
    assert [s.ok for s in result.steps] == [True, True, True]
    assert result.findings == () and result.reaches_target is True
    wrong = check_derivation([r"\frac{\partial L}{\partial \hat{y}_k} = -\frac{1}{\hat{y}_k}"])
    assert wrong.first_wrong == 0  # ∂L/∂ŷ_k is −y_k/ŷ_k


def test_d_fractions_read_as_derivatives():
    right = check_derivation(
        [r"\frac{d}{dw} L = \frac{2}{n}X^T(Xw - y) + 2\lambda w"], topic="ridge_closed_form"
    )
    assert right.steps[0].ok
    wrong = check_derivation(
        [r"\frac{dL}{dw} = \frac{2}{n}X^T(Xw - y) + \lambda w"], topic="ridge_closed_form"
    )
    assert wrong.first_wrong == 0
    assert wrong.findings[0].code == "wrong_lambda_term"
