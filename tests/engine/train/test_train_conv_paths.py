"""Conv2d's speed paths give the same numbers: the transposed im2col of few-channel layers and
the usual one, and both routes to ∂L/∂x on maps large enough to choose between them — each
against engine.correlate2d and central differences."""

from __future__ import annotations

import numpy as np
import pytest

from engine import correlate2d
from engine.train import _conv as conv_module
from engine.train._conv import FEW_CHANNELS, Conv2d
from tests.engine.train.test_train_layers import _check_backward


def _layer(rng, c, f, k, **geometry):
    w = rng.standard_normal((f, c, k, k))
    return Conv2d("conv", w, rng.standard_normal(f), **geometry)


@pytest.mark.parametrize("channels", [1, FEW_CHANNELS - 1, FEW_CHANNELS, FEW_CHANNELS + 3])
@pytest.mark.parametrize("geometry", [{"padding": 1}, {"stride": 2, "dilation": 2, "padding": 2}])
def test_both_im2col_layouts_equal_correlate2d(channels, geometry):
    rng = np.random.default_rng(channels)
    layer = _layer(rng, channels, 3, 3, **geometry)
    x = rng.standard_normal((2, 9, 7, channels))
    out = layer.forward(x)
    w, b = layer.params["weight"], layer.params["bias"]
    stride, padding = geometry.get("stride", 1), geometry["padding"]
    dilation = geometry.get("dilation", 1)
    for n in range(2):
        for f in range(3):
            expected = b[f] + sum(
                correlate2d(
                    x[n, :, :, c], w[f, c], padding=padding, stride=stride, dilation=dilation
                )
                for c in range(channels)
            )
            np.testing.assert_allclose(out[n, :, :, f], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("channels", [FEW_CHANNELS - 1, FEW_CHANNELS])
def test_both_im2col_layouts_backward_match_central_differences(channels):
    rng = np.random.default_rng(20 + channels)
    layer = _layer(rng, channels, 2, 3, padding=1)
    _check_backward(layer, rng.standard_normal((2, 4, 5, channels)), seed=channels)


@pytest.mark.parametrize(
    ("shape", "k", "taps"),
    [
        ((2, 20, 20, 3), 3, True),  # a large map, few channels: kernel taps
        ((2, 12, 12, 4), 5, True),  # 5×5 kernel: taps
        ((2, 12, 12, 4), 3, False),  # small map, 3×3: the correlation
        ((2, 20, 20, 17), 3, False),  # many channels: the correlation
    ],
)
def test_the_chosen_input_gradient_route_equals_the_other(shape, k, taps):
    rng = np.random.default_rng(5)
    layer = _layer(rng, shape[3], 4, k, padding=k // 2)
    x = rng.standard_normal(shape)
    assert layer._taps_are_faster(x.shape) is taps
    out = layer.forward(x, True)
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream).copy()
    by_taps = layer._input_grad_by_taps(upstream.reshape(-1, 4), upstream.shape, x.shape)
    np.testing.assert_allclose(dx, by_taps, rtol=1e-12, atol=1e-12)
    as_conv = layer._input_grad_as_conv(upstream, x.shape)
    np.testing.assert_allclose(dx, as_conv, rtol=1e-12, atol=1e-12)
    # and one entry against central differences of Σ upstream·y
    eps, i = 1e-6, (1, 7, 5, shape[3] - 1)
    plus, minus = x.copy(), x.copy()
    plus[i] += eps
    minus[i] -= eps
    numeric = (np.sum(upstream * layer.forward(plus)) - np.sum(upstream * layer.forward(minus))) / (
        2 * eps
    )
    assert dx[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize(
    "geometry",
    [
        {"padding": 2},  # 5×5 same: the kernel-row GEMMs with phases
        {"padding": 1, "stride": (1, 2)},  # width stride 2: one tap at a time
        {"padding": 0},  # no padding: the kept copy of x
    ],
)
def test_blocks_of_images_give_the_same_numbers_as_one_block(monkeypatch, geometry):
    """Forward and backward one or two images at a time (im2col blocks rebuilt in backward)
    equal the whole batch at once, and the blocked ∂L/∂x equals central differences."""
    rng = np.random.default_rng(9)
    k = 5 if geometry["padding"] == 2 else 3
    layer = _layer(rng, FEW_CHANNELS, 3, k, **geometry)
    x = rng.standard_normal((5, 11, 10, FEW_CHANNELS))
    out = layer.forward(x, True).copy()
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream).copy()
    grads = {key: value.copy() for key, value in layer.grads.items()}
    assert layer._cache[2] == 5  # one block
    monkeypatch.setattr(conv_module, "BLOCK_BYTES", 1)
    blocked = layer.forward(x, True)
    assert layer._cache[2] == 1  # an image a time
    np.testing.assert_allclose(blocked, out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(upstream), dx, rtol=1e-12, atol=1e-12)
    for key, value in grads.items():
        np.testing.assert_allclose(layer.grads[key], value, rtol=1e-12, atol=1e-12)
    eps, i = 1e-6, (3, 4, 9, 2)
    plus, minus = x.copy(), x.copy()
    plus[i] += eps
    minus[i] -= eps
    numeric = (np.sum(upstream * layer.forward(plus)) - np.sum(upstream * layer.forward(minus))) / (
        2 * eps
    )
    assert dx[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def _naive_conv(x, w, b, pad, stride, dilation):
    """y[n, y, x, f] by loops over the taps of a zero-padded copy (no engine code)."""
    (top, bottom, left, right), (sy, sx), (dy, dx) = pad, stride, dilation
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    f, c, kh, kw = w.shape
    oh = (xp.shape[1] - dy * (kh - 1) - 1) // sy + 1
    ow = (xp.shape[2] - dx * (kw - 1) - 1) // sx + 1
    out = np.zeros((x.shape[0], oh, ow, f)) + b
    for a in range(kh):
        for t in range(kw):
            window = xp[:, a * dy :: sy][:, :oh, t * dx :: sx][:, :, :ow]
            out += window @ w[:, :, a, t].T
    return out


@pytest.mark.parametrize("channels", [1, FEW_CHANNELS - 1])
@pytest.mark.parametrize(
    ("k", "geometry"),
    [
        ((3, 3), {"padding": 1}),
        ((4, 4), {"padding": "same"}),  # even kernel: the extra column on the right
        ((3, 5), {"padding": [4, 6]}),  # padding wider than the kernel: whole rows of zeros
        ((3, 3), {"padding": 0}),
        ((3, 3), {"padding": 1, "stride": (2, 1), "dilation": (2, 1)}),
    ],
)
def test_two_pixels_per_row_of_the_few_channel_matrix(channels, k, geometry):
    """Even output widths with width stride and dilation 1 put two pixels in each row of the
    transposed im2col matrix: forward equals plain loops twice over (the zeros kept for the
    padding are never overwritten), and backward equals central differences."""
    rng = np.random.default_rng(40 + channels)
    w = rng.standard_normal((3, channels, k[0], k[1]))
    layer = Conv2d("conv", w, rng.standard_normal(3), **geometry)
    x = rng.standard_normal((2, 7, 8 - (k[1] == 3 and geometry["padding"] == 0) * 2, channels))
    pad, stride, dil = layer.geo.pad, layer.geo.stride, layer.geo.dilation
    ow = layer.geo.out_size(x.shape[1], x.shape[2])[1]
    assert layer._pixels_per_row(ow) == 2
    for trial in range(2):
        x = rng.standard_normal(x.shape) + trial
        expected = _naive_conv(x, w, layer.params["bias"], pad, stride, dil)
        np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)
    _check_backward(layer, rng.standard_normal(x.shape), seed=channels)


def test_few_channel_layer_switching_batch_sizes_stays_right():
    """A training batch, an evaluation batch of another size, then the training batch again
    (each shape its own buffers and layout): every forward and the last backward are right."""
    rng = np.random.default_rng(50)
    w = rng.standard_normal((4, 1, 3, 3))
    layer = Conv2d("conv", w, rng.standard_normal(4), padding=1)
    geometry = (layer.geo.pad, layer.geo.stride, layer.geo.dilation)
    for n in (3, 5, 3):
        x = rng.standard_normal((n, 6, 6, 1))
        expected = _naive_conv(x, w, layer.params["bias"], *geometry)
        np.testing.assert_allclose(layer.forward(x, True), expected, rtol=1e-12, atol=1e-12)
    _check_backward(layer, x, seed=1)
