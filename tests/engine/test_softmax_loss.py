"""Softmax, its Jacobian and the cross-entropy gradient against finite differences and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import (
    cross_entropy,
    cross_entropy_from_logits,
    cross_entropy_grad,
    log_softmax,
    max_abs_error,
    numerical_gradient,
    numerical_jacobian,
    softmax,
    softmax_jacobian,
)
from engine.loss.softmax import logit_sweep, parse_vector, target_vector


def _logits(scale_max: float = 50.0):
    return st.integers(2, 10).flatmap(
        lambda k: st.floats(0.01, scale_max).flatmap(
            lambda scale: hnp.arrays(
                float, k, elements=st.floats(-1, 1, allow_nan=False, allow_infinity=False)
            ).map(lambda a: a * scale)
        )
    )


def _soft_label(k: int):
    return hnp.arrays(float, k, elements=st.floats(0, 1)).map(
        lambda a: a / a.sum() if a.sum() > 0 else np.full(k, 1.0 / k)
    )


def test_softmax_by_hand():
    z = np.array([2.0, 1.0, 0.1])
    e = np.exp(z)
    np.testing.assert_allclose(softmax(z), e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(softmax(z, temperature=2.0), np.exp(z / 2) / np.exp(z / 2).sum())
    assert cross_entropy(0, softmax(z)) == pytest.approx(0.4170300162778335, rel=1e-12)


@given(_logits())
def test_softmax_is_a_distribution_and_shift_invariant(z):
    p = softmax(z)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(softmax(z + 123.0), p, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(z)), p, atol=1e-12)


@given(_logits(), st.floats(0.2, 5.0))
def test_softmax_jacobian_matches_finite_differences(z, temperature):
    analytic = softmax_jacobian(z, temperature=temperature)
    numeric = numerical_jacobian(lambda v: softmax(v, temperature=temperature), z)
    scale = max(1.0, float(np.max(np.abs(z))))
    assert max_abs_error(analytic, numeric) < 1e-6 * scale / temperature
    np.testing.assert_allclose(analytic, analytic.T, atol=1e-15)
    np.testing.assert_allclose(analytic.sum(axis=1), 0, atol=1e-12)


@given(_logits().flatmap(lambda z: st.tuples(st.just(z), _soft_label(z.size))), st.floats(0.2, 5))
def test_cross_entropy_gradient_matches_finite_differences(zy, temperature):
    z, y = zy
    analytic = cross_entropy_grad(z, y, temperature=temperature)
    numeric = numerical_gradient(
        lambda v: cross_entropy_from_logits(v, y, temperature=temperature), z
    )
    scale = max(1.0, float(np.max(np.abs(z))))
    assert max_abs_error(analytic, numeric) < 1e-6 * scale / temperature
    assert analytic.sum() == pytest.approx(0.0, abs=1e-12)  # Σ(ŷ − y) = 1 − 1


@given(_logits(), st.data())
def test_class_index_equals_one_hot_and_loss_from_probabilities(z, data):
    k = data.draw(st.integers(0, z.size - 1))
    one_hot = np.eye(z.size)[k]
    assert cross_entropy_from_logits(z, k) == cross_entropy_from_logits(z, one_hot)
    np.testing.assert_array_equal(cross_entropy_grad(z, k), softmax(z) - one_hot)
    p = softmax(z)
    if p[k] > 1e-300:
        assert cross_entropy(k, p) == pytest.approx(cross_entropy_from_logits(z, k), rel=1e-9)


def test_extreme_logits_are_stable():
    z = np.array([1000.0, 0.0, -1000.0])
    np.testing.assert_array_equal(softmax(z), [1.0, 0.0, 0.0])
    assert np.all(np.isfinite(log_softmax(z)))
    assert cross_entropy_from_logits(z, 0) == 0.0
    assert cross_entropy_from_logits(z, 2) == pytest.approx(2000.0)
    np.testing.assert_array_equal(cross_entropy_grad(z, 2), [1.0, 0.0, -1.0])
    jac = softmax_jacobian(z)
    assert np.all(np.isfinite(jac)) and np.max(np.abs(jac)) == 0.0
    np.testing.assert_array_equal(softmax([-1000.0, -1000.0]), [0.5, 0.5])
    assert np.all(np.isfinite(softmax(z, temperature=1e-3)))


def test_probability_zero_is_fine_where_the_target_is_zero():
    assert cross_entropy(0, [1.0, 0.0, 0.0]) == 0.0
    assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match=r"p\[1\] = 0 where the target y\[1\] = 1.*infinite"):
        cross_entropy(1, [1.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        (3, [0.5, 0.5, 0.0], "class index y must be in 0…2"),
        (-1, [0.5, 0.5], "class index y must be in 0…1"),
        ([0.5, 0.6], [0.5, 0.5], "must sum to 1, but its entries sum to 1.1"),
        ([1.5, -0.5], [0.5, 0.5], "entries ≥ 0"),
        ([1.0], [0.5, 0.5], "must have 2 entries"),
        (True, [0.5, 0.5], "class index or a label vector"),
        (0, [0.5, 0.6], "p must sum to 1"),
        (0, [np.nan, 1.0], "p must have finite entries"),
        (0, [[1.0]], "1-D probability vector"),
    ],
)
def test_bad_targets_and_probabilities_are_named(y, p, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(y, p)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: softmax([1.0, np.inf]), "z must be finite"),
        (lambda: softmax([]), "at least one entry"),
        (lambda: softmax([1.0, 2.0], temperature=0), "temperature must be finite and > 0"),
        (lambda: softmax_jacobian([[1.0, 2.0]]), "1-D vector"),
        (lambda: target_vector(0, 0), "n_classes must be at least 1"),
    ],
)
def test_bad_logits_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_logit_sweep_matches_pointwise_loss_and_gradient():
    z = np.array([0.5, -1.0, 2.0, 0.0])
    y = [0.1, 0.2, 0.7, 0.0]
    values = np.linspace(-10, 10, 41)
    losses, slopes = logit_sweep(z, y, 2, values, temperature=1.5)
    for v, loss, slope in zip(values, losses, slopes, strict=True):
        zz = z.copy()
        zz[2] = v
        assert loss == pytest.approx(cross_entropy_from_logits(zz, y, temperature=1.5))
        assert slope == pytest.approx(cross_entropy_grad(zz, y, temperature=1.5)[2])
    with pytest.raises(ValueError, match="index must be in 0…3"):
        logit_sweep(z, y, 4, values)


def test_parse_vector():
    np.testing.assert_allclose(parse_vector("0.7, 0.2 0.1"), [0.7, 0.2, 0.1])
    np.testing.assert_allclose(parse_vector("1/3; 2/3"), [1 / 3, 2 / 3])
    np.testing.assert_allclose(parse_vector("\u22121e-3"), [-1e-3])
    for bad, message in [
        ("", "empty"),
        ("0.5, abc", "entry 2: 'abc' is not a number"),
        ("nan 1", "entry 1: 'nan'"),
        ("1e400", "not finite"),
        ("1/0", "divides by zero"),
        ("1_000", "not a number"),
        ("\u0661", "not a number"),  # Arabic-Indic digit one: float() would accept it
    ]:
        with pytest.raises(ValueError, match=message):
            parse_vector(bad, name="soft label")


def test_finite_difference_helper_on_known_functions():
    x = np.array([0.3, -1.2, 2.0])
    grad = numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert max_abs_error(grad, np.cos(x)) < 1e-9
    jac = numerical_jacobian(lambda v: np.array([v[0] * v[1], v[2] ** 2]), x)
    np.testing.assert_allclose(jac, [[x[1], x[0], 0], [0, 0, 2 * x[2]]], atol=1e-8)
    with pytest.raises(ValueError, match="f must return a scalar"):
        numerical_gradient(lambda v: v, x)
    with pytest.raises(ValueError, match="step must be finite and > 0"):
        numerical_gradient(np.sum, x, step=0)
