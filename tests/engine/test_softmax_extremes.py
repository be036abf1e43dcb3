"""Softmax and friends at extreme logits and temperatures (issue 12 #15).

The engine must not need the GUI's clamping: any positive temperature gives finite
probabilities that sum to 1, or a ValueError that names ``temperature``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.loss.softmax import (
    cross_entropy_from_logits,
    cross_entropy_grad,
    log_softmax,
    softmax,
    softmax_jacobian,
)

LOGITS = st.lists(
    st.floats(-1.7e308, 1.7e308, allow_nan=False, allow_infinity=False), min_size=1, max_size=6
)
TEMPERATURES = st.one_of(
    st.floats(5e-324, 1e308, allow_nan=False, allow_infinity=False, exclude_min=False),
    st.sampled_from([5e-324, 1e-300, 1e-12, 1.0, 1e300]),
)


def test_the_reported_case_is_one_and_zero():
    p = softmax([1e10, 0], temperature=1e-300)
    assert p.tolist() == [1.0, 0.0]


def test_ties_split_evenly_however_small_the_temperature():
    assert softmax([3.0, 3.0, -1e300], temperature=5e-324).tolist() == [0.5, 0.5, 0.0]


@given(LOGITS, TEMPERATURES)
def test_softmax_is_finite_and_sums_to_one(z, t):
    p = softmax(z, temperature=t)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    assert math.isclose(float(p.sum()), 1.0, rel_tol=0, abs_tol=1e-12 * len(z))
    assert p[int(np.argmax(z))] == p.max()  # the largest logit keeps the largest probability


@given(LOGITS, TEMPERATURES)
def test_log_softmax_is_finite_or_names_the_temperature(z, t):
    try:
        logp = log_softmax(z, temperature=t)
    except ValueError as exc:
        assert "temperature" in str(exc)
        return
    assert np.all(np.isfinite(logp)) and np.all(logp <= 0)
    assert math.isclose(float(np.exp(logp).sum()), 1.0, abs_tol=1e-12 * len(z))


@given(LOGITS, TEMPERATURES, st.data())
def test_loss_gradient_and_jacobian_are_finite_or_name_the_temperature(z, t, data):
    y = data.draw(st.integers(0, len(z) - 1))
    for f in (
        lambda: cross_entropy_from_logits(z, y, temperature=t),
        lambda: cross_entropy_grad(z, y, temperature=t),
        lambda: softmax_jacobian(z, temperature=t),
    ):
        try:
            value = np.asarray(f())
        except ValueError as exc:
            assert "temperature" in str(exc)
            continue
        assert np.all(np.isfinite(value))


@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=6),
    st.floats(1.0, 50),
)
def test_moderate_inputs_match_the_textbook_formula(z, t):
    e = [math.exp(v / t) for v in z]
    expected = [v / math.fsum(e) for v in e]
    assert softmax(z, temperature=t) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert log_softmax(z, temperature=t) == pytest.approx(
        [math.log(v) for v in expected], rel=1e-9, abs=1e-12
    )


def test_a_too_small_temperature_for_log_probabilities_is_named():
    with pytest.raises(ValueError, match="temperature = 1e-300 is too small"):
        log_softmax([1e10, 0], temperature=1e-300)
    with pytest.raises(ValueError, match="temperature"):
        softmax([1.0], temperature=0.0)
