"""Softmax, its Jacobian, the cross-entropy gradient and ridge: planted slips are named first.

References are written out here with loops and ``np.linalg.solve``, independent of the engine's
SVD-based ridge and vectorised softmax.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import (
    diagnose_cross_entropy_grad,
    diagnose_ridge,
    diagnose_softmax,
    diagnose_softmax_jacobian,
)

logits = st.lists(st.integers(-3, 3), min_size=2, max_size=5).filter(lambda z: len(set(z)) > 1)


def probs(z):
    e = [math.exp(v) for v in z]
    return np.array([v / sum(e) for v in e])


def jacobian_slips(z):
    """The right Jacobian and each slip's matrix, entry by entry."""
    p = probs(z)
    e = [math.exp(v) for v in z]
    total = sum(e)
    size = len(z)

    def matrix(entry):
        return np.array([[entry(i, j) for j in range(size)] for i in range(size)])

    right = matrix(lambda i, j: p[i] * ((i == j) - p[j]))
    slips = {
        "quotient_rule_slip": matrix(
            lambda i, j: e[i] * (1 - e[i]) / total**2 if i == j else -p[i] * p[j]
        ),
        "diagonal_only": matrix(lambda i, j: p[i] * (1 - p[i]) if i == j else 0.0),
        "sign_off_diagonal": matrix(lambda i, j: p[i] * (1 - p[i]) if i == j else p[i] * p[j]),
        "missing_delta": matrix(lambda i, j: -p[i] * p[j]),
        "repeated_index": matrix(lambda i, j: p[i] * ((i == j) - p[i])),
        "transposed": matrix(lambda i, j: p[j] * ((i == j) - p[j])),
        "sign": -right,
    }
    return right, slips


def distinct(planted, others, code, decimals=3):
    """No other candidate is within two units of the last decimal of the planted slip (the
    check forgives one unit, the planted answer is rounded)."""
    tol = 2 * 10**-decimals
    return not any(
        c != code and v.shape == planted.shape and np.all(np.abs(v - planted) <= tol)
        for c, v in others.items()
    )


@pytest.mark.parametrize(
    "code",
    [
        "quotient_rule_slip",
        "diagonal_only",
        "sign_off_diagonal",
        "missing_delta",
        "repeated_index",
        "transposed",
        "sign",
    ],
)
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(z=logits)
def test_planted_jacobian_slip_is_named_first(code, z):
    right, slips = jacobian_slips(z)
    planted = np.round(slips[code], 3)  # as a student writes it: 3 decimals
    assume(np.max(np.abs(planted - right)) > 0.01)
    assume(distinct(slips[code], {"right": right, **slips}, code))
    diagnosis = diagnose_softmax_jacobian(z, planted)
    assert not diagnosis.correct
    assert diagnosis.codes[0] == code, (diagnosis.codes, z)


@given(z=logits)
def test_right_jacobian_to_three_decimals_is_correct(z):
    right, _ = jacobian_slips(z)
    diagnosis = diagnose_softmax_jacobian(z, np.round(right, 3))
    assert diagnosis.correct and diagnosis.findings == [] and diagnosis.wrong_cells == []
    text = "\n".join(" ".join(f"{v:.3f}" for v in row) for row in right)
    assert diagnose_softmax_jacobian(z, text).correct


@given(z=logits)
def test_jacobian_from_probabilities_rounded_to_three_decimals_is_still_right(z):
    p = np.round(probs(z), 3)  # what a student carries on to the next step
    size = len(z)
    answer = np.round([[p[i] * ((i == j) - p[j]) for j in range(size)] for i in range(size)], 3)
    assert diagnose_softmax_jacobian(z, answer).correct


def test_quotient_rule_slip_message_and_arithmetic_entry():
    z = [1, 2, 0]
    right, slips = jacobian_slips(z)
    diagnosis = diagnose_softmax_jacobian(z, slips["quotient_rule_slip"])
    assert diagnosis.codes == ["quotient_rule_slip"]
    assert "e^{zᵢ}(1 − e^{zᵢ})" in diagnosis.summary
    assert "e^{zᵢ}(Σₖe^{zₖ} − e^{zᵢ})" in diagnosis.summary
    assert diagnosis.wrong_cells == [(0, 0), (1, 1), (2, 2)]
    answer = np.round(right, 3)
    answer[0, 2] = 0.5
    diagnosis = diagnose_softmax_jacobian(z, answer)
    assert diagnosis.codes == ["arithmetic"] and diagnosis.wrong_cells == [(0, 2)]
    slip = diagnosis.findings[0].slips[0]
    assert slip.given == 0.5 and slip.expected == pytest.approx(right[0, 2])
    assert slip.work.startswith("−ŷ0ŷ2 = ")


def test_a_transposed_right_jacobian_is_right_because_it_is_symmetric():
    right, _ = jacobian_slips([0, 1, -1])
    assert np.allclose(right, right.T)
    assert diagnose_softmax_jacobian([0, 1, -1], right.T).correct


def grad_slips(z, t):
    p = probs(z)
    y = np.eye(len(z))[t]
    right = p - y
    slips = {
        "forgot_softmax": np.array(z, float) - y,
        "sign": y - p,
        "one_hot_only": np.where(y > 0, p - y, 0.0),
        "forgot_target": p,
        "wrt_probabilities": -y / p,
    }
    return right, slips


@pytest.mark.parametrize(
    "code", ["forgot_softmax", "sign", "one_hot_only", "forgot_target", "wrt_probabilities"]
)
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(z=logits, data=st.data())
def test_planted_gradient_slip_is_named_first(code, z, data):
    t = data.draw(st.integers(0, len(z) - 1))
    right, slips = grad_slips(z, t)
    planted = np.round(slips[code], 3)
    assume(np.max(np.abs(planted - right)) > 0.01)
    assume(distinct(slips[code], {"right": right, **slips}, code))
    diagnosis = diagnose_cross_entropy_grad(z, t, planted)
    assert diagnosis.codes[0] == code, (diagnosis.codes, z, t)
    assert diagnose_cross_entropy_grad(z, t, np.round(right, 3)).correct


def test_gradient_with_soft_labels_and_typed_vector():
    z = [2, 0, -1]
    y = [0.75, 0.25, 0.0]
    right = probs(z) - np.array(y)
    text = ", ".join(f"{v:.3f}" for v in right)
    assert diagnose_cross_entropy_grad(z, y, text).correct
    diagnosis = diagnose_cross_entropy_grad(z, y, f"[{text}]".replace("0.", "1."))
    assert not diagnosis.correct


@given(z=logits)
def test_softmax_slips(z):
    p = probs(z)
    e = np.exp(np.array(z, float))
    assert diagnose_softmax(z, np.round(p, 3)).correct
    assume(np.max(np.abs(e - p)) > 0.01)
    assert diagnose_softmax(z, np.round(e, 3)).codes[0] == "no_normalisation"
    log_p = np.log(p)
    assume(np.max(np.abs(log_p - p)) > 0.01)
    assert diagnose_softmax(z, np.round(log_p, 3)).codes[0] == "log_softmax"


def ridge_slips(X, y, lam):
    """Closed forms with np.linalg.solve for L = (1/n)‖Xw − y‖² + λ‖w‖²."""
    n, d = X.shape
    eye = np.eye(d)

    def solve(shift):
        return np.linalg.solve(X.T @ X + shift * eye, X.T @ y)

    right = solve(n * lam)
    slips = {
        "lambda_without_n": solve(lam),
        "no_regularisation": solve(0.0),
        "half_lambda": solve(n * lam / 2),
        "double_lambda": solve(2 * n * lam),
        "lambda_over_n": solve(lam / n),
    }
    return right, slips


@st.composite
def ridge_problems(draw):
    n = draw(st.integers(3, 6))
    d = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.integers(-3, 4, size=(n, d)).astype(float)
    assume(np.linalg.matrix_rank(X) == d and np.linalg.cond(X) < 50)
    y = rng.integers(-4, 5, size=n).astype(float)
    lam = draw(st.sampled_from([0.25, 0.5, 1.0, 2.0]))
    return X, y, lam


@pytest.mark.parametrize(
    "code",
    ["lambda_without_n", "no_regularisation", "half_lambda", "double_lambda", "lambda_over_n"],
)
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(problem=ridge_problems())
def test_planted_ridge_slip_is_named_first(code, problem):
    X, y, lam = problem
    right, slips = ridge_slips(X, y, lam)
    planted = np.round(slips[code], 3)
    assume(np.max(np.abs(planted - right)) > 0.01)
    assume(distinct(slips[code], {"right": right, **slips}, code))
    diagnosis = diagnose_ridge(X, y, lam, planted)
    assert diagnosis.codes[0] == code, diagnosis.codes
    assert diagnose_ridge(X, y, lam, np.round(right, 3)).correct


def test_ridge_fractions_are_exact_and_the_message_names_n():
    X = np.array([[1, 2], [1, 2], [1, -2], [1, 1]])
    y = np.array([-1, 4, 4, 4])
    assert diagnose_ridge(X, y, 1 / 3, "w = [1365/607, −201/607]").correct
    assert not diagnose_ridge(X, y, 1 / 3, "1365/606, −201/607").correct
    _, slips = ridge_slips(X.astype(float), y.astype(float), 1 / 3)
    diagnosis = diagnose_ridge(X, y, 1 / 3, slips["lambda_without_n"])
    assert diagnosis.codes == ["lambda_without_n"]
    assert "(XᵀX + λI)⁻¹Xᵀy" in diagnosis.summary and "n = 4" in diagnosis.summary


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: diagnose_softmax_jacobian([1], [[0]]), "z"),
        (lambda: diagnose_softmax_jacobian([1, float("inf")], [[0]]), "z"),
        (lambda: diagnose_softmax_jacobian([1, 2], "a b\nc d"), "text"),
        (lambda: diagnose_cross_entropy_grad([1, 2], 5, [0, 0]), "y"),
        (lambda: diagnose_cross_entropy_grad([1, 2], 0, [[1, 2], [3, 4]]), "answer"),
        (lambda: diagnose_ridge([[1, 2]], [1, 2], 1.0, [0, 0]), "y"),
        (lambda: diagnose_ridge([[1, 2], [3, 4]], [1, 2], -1.0, [0, 0]), "lam"),
        (lambda: diagnose_ridge("X", [1, 2], 1.0, [0, 0]), "X"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, name):
    with pytest.raises(ValueError, match=name):
        call()
