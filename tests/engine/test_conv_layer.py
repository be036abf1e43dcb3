"""Conv layer: N maps = bias + sums over channels, checked against scipy and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import signal

from engine import convolve2d, correlate2d
from engine.conv.layer import (
    conv_layer,
    layer_param_count,
    layer_param_formula,
    trace_layer_cell,
)
from tests.engine.reference import brute_force_correlate


def _random_layer(seed, c=3, n=2, h=6, w=5, k=3):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, size=(c, h, w))
    weights = rng.integers(-3, 4, size=(n, c, k, k))
    bias = rng.integers(-4, 5, size=n)
    return x, weights, bias


def test_valid_layer_equals_scipy_sum_over_channels_plus_bias():
    x, w, b = _random_layer(1)
    out = conv_layer(x, w, b)
    assert out.dtype == np.int64
    assert out.shape == (2, 4, 3)
    for n in range(2):
        expected = sum(signal.correlate2d(x[c], w[n, c], mode="valid") for c in range(3)) + b[n]
        np.testing.assert_array_equal(out[n], expected)


@given(
    st.integers(0, 10_000),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["valid", "same", "full", 1, 2]),
    st.integers(1, 2),
    st.integers(1, 2),
)
def test_layer_equals_sum_of_per_channel_correlate2d(seed, c, n, padding, stride, dilation):
    x, w, b = _random_layer(seed, c=c, n=n, h=7, w=6, k=2)
    out = conv_layer(x, w, b, padding=padding, stride=stride, dilation=dilation)
    for f in range(n):
        expected = b[f] + sum(
            correlate2d(x[ch], w[f, ch], padding=padding, stride=stride, dilation=dilation)
            for ch in range(c)
        )
        np.testing.assert_array_equal(out[f], expected)


def test_layer_against_brute_force_with_padding_and_stride():
    x, w, b = _random_layer(7, c=2, n=3, h=7, w=7, k=3)
    out = conv_layer(x, w, b, padding=1, stride=2)
    for f in range(3):
        ref = sum(
            brute_force_correlate(x[c], w[f, c], (1, 1, 1, 1), (2, 2), (1, 1)) for c in range(2)
        )
        np.testing.assert_array_equal(out[f], (ref + b[f]).astype(np.int64))


def test_convolve_mode_flips_each_slice():
    x, w, b = _random_layer(3)
    out = conv_layer(x, w, b, mode="convolve")
    for f in range(2):
        expected = b[f] + sum(convolve2d(x[c], w[f, c]) for c in range(3))
        np.testing.assert_array_equal(out[f], expected)
        scipy_conv = sum(signal.convolve2d(x[c], w[f, c], mode="valid") for c in range(3))
        np.testing.assert_array_equal(out[f], scipy_conv + b[f])


def test_float_bias_gives_float_maps():
    x, w, _ = _random_layer(4)
    out = conv_layer(x, w, np.array([0.5, -0.25]))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out[0] - conv_layer(x, w)[0], 0.5)


def test_parameter_count_matches_published_counts():
    # VGG-16 conv1_1: 64 filters of 3×3×3 → 1,792; conv1_2: 64 of 3×3×64 → 36,928.
    assert layer_param_count(3, 3, 64) == 1792
    assert layer_param_count(3, 64, 64) == 36928
    assert layer_param_formula((3, 3), 3, 2) == "2·(3·3·3 + 1) = 56"


def test_trace_layer_cell_sums_channels_and_bias():
    x, w, b = _random_layer(5)
    out = conv_layer(x, w, b, padding="same")
    trace = trace_layer_cell(x, w, b, 1, 2, 3, padding="same")
    assert trace.total == out[1, 2, 3]
    assert len(trace.channels) == 3
    text = trace.expression()
    assert text.count("channel") == 4  # three channel lines + "sum over channels"
    assert text.endswith(f"= {out[1, 2, 3]}".replace("-", "\u2212"))


@pytest.mark.parametrize(
    ("x", "w", "b", "fragment"),
    [
        (np.zeros((2, 4, 4)), np.zeros((1, 3, 2, 2)), None, "3 channel"),
        (np.zeros((4, 4)), np.zeros((1, 1, 2, 2)), None, "x must be"),
        (np.zeros((1, 4, 4)), np.zeros((1, 2, 2)), None, "weights must be"),
        (np.zeros((1, 4, 4)), np.zeros((2, 1, 2, 2)), np.zeros(3), "bias must"),
        (np.full((1, 4, 4), np.nan), np.zeros((1, 1, 2, 2)), None, "NaN"),
    ],
)
def test_bad_layer_arguments(x, w, b, fragment):
    with pytest.raises(ValueError, match=fragment):
        conv_layer(x, w, b)


def test_layer_kernel_too_big():
    with pytest.raises(ValueError, match="does not fit"):
        conv_layer(np.zeros((1, 2, 2)), np.zeros((1, 1, 3, 3)))
