"""Max pooling against a brute-force loop, ties included: the output, and the gradient sent to
the first maximum of each window in row-major order, for the tiling (separable) path and the
general path alike."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.train._layers import Pool2d


def _brute_force(x, k, stride, pad, dilation, upstream):
    """Max pooling of NHWC ``x`` and its input gradient, one window at a time."""
    n, h, w, c = x.shape
    (kh, kw), (sy, sx), (dy, dx) = k, stride, dilation
    oh = (h + 2 * pad[0] - dy * (kh - 1) - 1) // sy + 1
    ow = (w + 2 * pad[1] - dx * (kw - 1) - 1) // sx + 1
    out = np.zeros((n, oh, ow, c))
    grad = np.zeros_like(x)
    for i in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    best, where = -np.inf, None
                    for a in range(kh):  # row-major window order; ">" keeps the first maximum
                        for b in range(kw):
                            iy = oy * sy + a * dy - pad[0]
                            ix = ox * sx + b * dx - pad[1]
                            if 0 <= iy < h and 0 <= ix < w and x[i, iy, ix, ch] > best:
                                best, where = x[i, iy, ix, ch], (iy, ix)
                    out[i, oy, ox, ch] = best
                    grad[i, where[0], where[1], ch] += upstream[i, oy, ox, ch]
    return out, grad


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(2, 9),
    w=st.integers(2, 9),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    overlap=st.booleans(),
    levels=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_max_pooling_equals_a_brute_force_loop_with_ties(h, w, kh, kw, overlap, levels, seed):
    kh, kw = min(kh, h), min(kw, w)
    rng = np.random.default_rng(seed)
    # Few distinct values: most windows hold ties, which is where routing goes wrong.
    x = rng.integers(0, levels, (2, h, w, 3)).astype(np.float64)
    stride = (1, 1) if overlap else (kh, kw)
    layer = Pool2d("pool", "max", [kh, kw], list(stride), 0)
    assert layer._tiles == (not overlap or (kh, kw) == (1, 1))
    out = layer.forward(x, True)
    upstream = rng.standard_normal(out.shape)
    expected_out, expected_grad = _brute_force(x, (kh, kw), stride, (0, 0), (1, 1), upstream)
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_allclose(layer.backward(upstream), expected_grad, rtol=1e-12, atol=1e-12)


def test_tiling_and_general_paths_give_identical_results():
    rng = np.random.default_rng(3)
    x = np.maximum(rng.integers(-2, 3, (4, 11, 9, 5)), 0).astype(np.float32)  # ReLU-like zeros
    for k in ([2, 2], [3, 2], [2, 3], [3, 3]):
        tiled = Pool2d("pool", "max", k, None, 0)
        general = Pool2d("pool", "max", k, None, 0)
        general._tiles = False  # the tap-by-tap path on the same geometry
        out = tiled.forward(x, True)
        np.testing.assert_array_equal(out, general.forward(x, True))
        g = rng.standard_normal(out.shape).astype(np.float32)
        np.testing.assert_array_equal(tiled.backward(g), general.backward(g))


def test_padded_and_dilated_max_pooling_equal_the_brute_force_loop():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, (2, 8, 7, 2)).astype(np.float64)
    for k, stride, pad, dilation in [
        ((3, 3), (2, 2), (1, 1), (1, 1)),
        ((2, 2), (1, 2), (1, 0), (2, 1)),
        ((3, 2), (2, 1), (0, 1), (1, 2)),
    ]:
        layer = Pool2d("pool", "max", list(k), list(stride), list(pad), list(dilation))
        assert not layer._tiles
        out = layer.forward(x, True)
        upstream = rng.standard_normal(out.shape)
        expected_out, expected_grad = _brute_force(x, k, stride, pad, dilation, upstream)
        np.testing.assert_array_equal(out, expected_out)
        np.testing.assert_allclose(layer.backward(upstream), expected_grad, atol=1e-12)


def test_backward_after_an_evaluation_forward_uses_that_forwards_winners():
    # Gradient checks run the model with training=False and then backward.
    x = np.array([[[[1.0], [4.0]], [[4.0], [2.0]]]])  # (1, 2, 2, 1): two 4s tie
    layer = Pool2d("pool", "max", 2, None, 0)
    layer.forward(x * 0 + np.array([[[[9.0], [0.0]], [[0.0], [0.0]]]]), True)
    layer.forward(x, False)
    dx = layer.backward(np.array([[[[5.0]]]]))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0.0, 5.0], [0.0, 0.0]])
