"""Layers of engine.train: forward against engine.correlate2d / brute force, every backward
against central differences in float64, pooling ties, and shapes against output_size.

The layers take and return NHWC maps; the tests build NCHW data (as PyTorch and the Layer sizes
tab describe it) and convert with ``_nhwc`` / ``_nchw``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import correlate2d, output_size, pool2d
from engine.train._conv import Conv2d
from engine.train._layers import Dropout, Flatten, Linear, Pool2d, ReLU

EPS = 1e-6


def _nhwc(x):
    return np.ascontiguousarray(np.asarray(x).transpose(0, 2, 3, 1))


def _nchw(x):
    return np.asarray(x).transpose(0, 3, 1, 2)


def _numeric_grad(values, layer, x, upstream):
    """Central differences of ``Σ upstream · layer(x)`` with respect to every entry of
    ``values`` (``x`` itself or one of ``layer.params``), which is nudged in place."""
    grad = np.zeros_like(values)
    flat_v, flat_g = values.reshape(-1), grad.reshape(-1)
    for i in range(flat_v.size):
        old = flat_v[i]
        flat_v[i] = old + EPS
        plus = float(np.sum(upstream * layer.forward(x, True)))
        flat_v[i] = old - EPS
        minus = float(np.sum(upstream * layer.forward(x, True)))
        flat_v[i] = old
        flat_g[i] = (plus - minus) / (2 * EPS)
    return grad


def _check_backward(layer, x, seed=0):
    """Backprop of a random upstream gradient equals central differences (inputs and params)."""
    rng = np.random.default_rng(seed)
    out = layer.forward(x, True)
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)
    np.testing.assert_allclose(dx, _numeric_grad(x, layer, x, upstream), rtol=1e-6, atol=1e-8)
    for key, values in layer.params.items():
        layer.forward(x, True)
        layer.backward(upstream)
        expected = _numeric_grad(values, layer, x, upstream)
        np.testing.assert_allclose(layer.grads[key], expected, rtol=1e-6, atol=1e-8)


def _conv(rng, c, f, k, bias=True, **geometry):
    w = rng.standard_normal((f, c, k[0], k[1]))
    b = rng.standard_normal(f) if bias else None
    return Conv2d("conv", w, b, **geometry)


@pytest.mark.parametrize(
    "geometry",
    [
        {},
        {"padding": 1},
        {"padding": [2, 0], "stride": [2, 1]},
        {"stride": 2, "dilation": 2, "padding": 2},
        {"padding": "same", "dilation": [1, 2]},
    ],
)
def test_conv_forward_equals_correlate2d_summed_over_channels(geometry):
    rng = np.random.default_rng(1)
    layer = _conv(rng, 3, 4, (3, 2), **geometry)
    x = rng.standard_normal((2, 3, 9, 8))
    out = _nchw(layer.forward(_nhwc(x)))
    w, b = layer.params["weight"], layer.params["bias"]
    top, bottom, left, right = layer.pad
    for n in range(2):
        for f in range(4):
            # correlate2d takes symmetric padding: pad the input ourselves for "same".
            xp = np.pad(x[n], ((0, 0), (top, bottom), (left, right)))
            expected = b[f] + sum(
                correlate2d(xp[c], w[f, c], stride=layer.geo.stride, dilation=layer.geo.dilation)
                for c in range(3)
            )
            np.testing.assert_allclose(out[n, f], expected, rtol=1e-12, atol=1e-12)


def test_conv_same_padding_keeps_size_and_puts_extra_at_bottom_right():
    rng = np.random.default_rng(2)
    layer = _conv(rng, 1, 1, (2, 2), padding="same")
    assert layer.pad == (0, 1, 0, 1)  # PyTorch: the odd extra row/column goes last
    assert layer.forward(rng.standard_normal((1, 5, 6, 1))).shape == (1, 5, 6, 1)


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    k=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
)
def test_conv_output_shape_matches_output_size(h, w, k, stride, padding, dilation):
    span = dilation * (k - 1) + 1
    if h + 2 * padding < span or w + 2 * padding < span:
        return  # no valid output: summarize refuses such layers before they are built
    rng = np.random.default_rng(0)
    layer = _conv(rng, 2, 3, (k, k), stride=stride, padding=padding, dilation=dilation)
    for key in layer.params:
        layer.params[key] = layer.params[key].astype(np.float32)
    out = layer.forward(rng.standard_normal((2, h, w, 2)).astype(np.float32))
    expected = tuple(
        output_size(n, k, padding=padding, stride=stride, dilation=dilation) for n in (h, w)
    )
    assert out.shape == (2, *expected, 3)
    assert out.dtype == np.float32


@settings(max_examples=25, deadline=None)
@given(
    h=st.integers(3, 7),
    w=st.integers(3, 7),
    k=st.integers(1, 3),
    stride=st.integers(1, 2),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
    seed=st.integers(0, 1000),
)
def test_conv_backward_matches_central_differences_for_any_geometry(
    h, w, k, stride, padding, dilation, seed
):
    if min(h, w) + 2 * padding < dilation * (k - 1) + 1:
        return
    rng = np.random.default_rng(seed)
    layer = _conv(rng, 2, 2, (k, k), stride=stride, padding=padding, dilation=dilation)
    _check_backward(layer, rng.standard_normal((2, h, w, 2)), seed)


@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (2, 3, 5, 3), (2, 6, 5, 3)])
@pytest.mark.parametrize("geometry", [{"padding": 1}, {"padding": 2, "dilation": 2}])
def test_the_three_input_gradient_paths_agree(shape, geometry):
    """Small maps (spread matrix), stride 1 (flipped-kernel correlation) and per-tap col2im."""
    rng = np.random.default_rng(11)
    layer = _conv(rng, 3, 4, (3, 3), **geometry)
    x = rng.standard_normal(shape)
    upstream = rng.standard_normal(layer.forward(x).shape)
    g = upstream.reshape(-1, 4)
    by_taps = layer._input_grad_by_taps(g, upstream.shape, x.shape).copy()
    as_conv = layer._input_grad_as_conv(upstream, x.shape).copy()
    small = layer._input_grad_small_map(g, x.shape)
    np.testing.assert_allclose(as_conv, by_taps, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(small, by_taps, rtol=1e-12, atol=1e-12)


def test_conv_backward_with_asymmetric_kernel_and_no_bias():
    rng = np.random.default_rng(3)
    layer = _conv(rng, 3, 2, (2, 3), bias=False, padding="same")
    assert "bias" not in layer.params
    _check_backward(layer, rng.standard_normal((2, 5, 6, 3)))


def test_first_conv_skips_the_input_gradient_but_keeps_weight_gradients():
    rng = np.random.default_rng(4)
    layer = _conv(rng, 1, 2, (3, 3), padding=1)
    x = rng.standard_normal((3, 6, 6, 1))
    reference = _conv(np.random.default_rng(4), 1, 2, (3, 3), padding=1)
    upstream = rng.standard_normal((3, 6, 6, 2))
    reference.forward(x)
    reference.backward(upstream)
    layer.need_input_grad = False
    layer.forward(x)
    assert not np.any(layer.backward(upstream))
    np.testing.assert_array_equal(layer.grads["weight"], reference.grads["weight"])


def _tie_free(shape, seed):
    """Distinct values at least 0.01 apart, so ±ε never changes which entry is the maximum."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) * 0.01 - size * 0.005).astype(np.float64)


@pytest.mark.parametrize(
    "geometry",
    [
        {"kernel_size": 2, "stride": None, "padding": 0},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": [2, 3], "stride": 1, "padding": [1, 1]},
        {"kernel_size": 2, "stride": 1, "padding": 0, "dilation": 2},
    ],
)
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_backward_matches_central_differences(mode, geometry):
    if mode == "avg" and "dilation" in geometry:
        geometry = {k: v for k, v in geometry.items() if k != "dilation"}
    layer = Pool2d("pool", mode, **geometry)
    _check_backward(layer, _tie_free((2, 6, 7, 3), 5))


def test_maxpool_forward_equals_engine_pool2d_and_brute_force():
    x = np.random.default_rng(6).standard_normal((2, 3, 8, 6))
    layer = Pool2d("pool", "max", 2, None, 0)
    out = _nchw(layer.forward(_nhwc(x)))
    for n in range(2):
        for c in range(3):
            np.testing.assert_array_equal(out[n, c], pool2d(x[n, c], 2, 2, "max"))
    avg = _nchw(Pool2d("pool", "avg", 3, 2, 1).forward(_nhwc(x)))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for i in range(avg.shape[2]):
        for j in range(avg.shape[3]):
            window = padded[:, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3]
            # count_include_pad: zeros of the padding count in the mean, as in PyTorch
            np.testing.assert_allclose(avg[:, :, i, j], window.mean(axis=(2, 3)))


def test_maxpool_tie_sends_the_whole_gradient_to_the_first_maximum_in_row_major_order():
    layer = Pool2d("pool", "max", 2, None, 0)
    x = np.array([[[[1.0, 3.0, 5.0, 5.0], [3.0, 2.0, 5.0, 5.0]]]])
    out = _nchw(layer.forward(_nhwc(x)))
    np.testing.assert_array_equal(out, [[[[3.0, 5.0]]]])
    dx = _nchw(layer.backward(_nhwc(np.array([[[[10.0, 7.0]]]]))))
    # window 1: 3 at (0,1) and (1,0) tie → (0,1); window 2: four 5s → its top-left
    expected = np.array([[[[0.0, 10.0, 7.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])
    np.testing.assert_array_equal(dx, expected)
    assert dx.sum() == 17.0  # no gradient lost or duplicated


def test_maxpool_tie_with_overlapping_windows_accumulates_per_window():
    layer = Pool2d("pool", "max", 2, 1, 0)
    x = np.zeros((1, 3, 3, 1))  # every entry ties in every window
    layer.forward(x)
    dx = layer.backward(np.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_relu_backward_away_from_the_kink_and_zero_at_it():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4, 5))
    x[np.abs(x) < 0.05] = 0.5  # central differences need |x| > ε
    _check_backward(ReLU("relu"), x)
    layer = ReLU("relu")
    layer.forward(np.array([[0.0, -1.0, 2.0]]))
    np.testing.assert_array_equal(layer.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_linear_and_flatten_backward_match_central_differences():
    rng = np.random.default_rng(8)
    layer = Linear("fc", rng.standard_normal((4, 6)), rng.standard_normal(4))
    x = rng.standard_normal((3, 6))
    np.testing.assert_allclose(
        layer.forward(x), x @ layer.params["weight"].T + layer.params["bias"]
    )
    _check_backward(layer, x)
    _check_backward(Flatten("flat"), rng.standard_normal((2, 2, 2, 3)))
    x = np.arange(24.0).reshape(2, 3, 2, 2)  # NCHW
    flat = Flatten("flat").forward(_nhwc(x))
    np.testing.assert_array_equal(flat, x.reshape(2, 12))  # torch.flatten order: C, H, W


def test_dropout_backward_uses_the_same_mask_and_is_identity_in_evaluation():
    rng = np.random.default_rng(9)
    layer = Dropout("drop", 0.25, rng)
    x = rng.standard_normal((4, 10))
    layer.fixed_mask = rng.random(x.shape) >= 0.25
    _check_backward(layer, x)
    np.testing.assert_array_equal(layer.forward(x, False), x)
    free = Dropout("drop", 0.5, np.random.default_rng(1))
    out = free.forward(np.ones((200, 50)), True)
    assert set(np.unique(out)) == {0.0, 2.0}
    assert 0.45 < np.mean(out == 0) < 0.55
