"""The conv backward pass: ∂L/∂K and ∂L/∂X against a brute-force loop and central differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conv_backward, trace_input_grad, trace_kernel_grad
from engine.conv import conv_geometry, convolve2d, correlate2d
from tests.engine.reference import reference_padding


def brute_force_backward(x, k, g, pad, stride, dilation, flip):
    """Walk every output cell and every tap of the forward sum, adding each product's partials."""
    top, _bottom, left, _right = pad
    kk = k[::-1, ::-1] if flip else k
    d_k = np.zeros(k.shape, dtype=object)
    d_x = np.zeros(x.shape, dtype=object)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    r = i * stride[0] + a * dilation[0] - top
                    c = j * stride[1] + b * dilation[1] - left
                    if 0 <= r < x.shape[0] and 0 <= c < x.shape[1]:
                        d_k[a, b] += int(g[i, j]) * int(x[r, c])
                        d_x[r, c] += int(g[i, j]) * int(kk[a, b])
    return (d_k[::-1, ::-1] if flip else d_k), d_x


@st.composite
def problems(draw):
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = draw(st.sampled_from(["valid", "same", "full", 0, 1, 2, (1, 0)]))
    stride = draw(st.sampled_from([1, 2, 3, (1, 2)]))
    dilation = draw(st.sampled_from([1, 2, (2, 1)]))
    seed = draw(st.integers(0, 2**31))
    operation = draw(st.sampled_from(["correlate", "convolve"]))
    return (h, w), (kh, kw), padding, stride, dilation, seed, operation


@settings(max_examples=150, deadline=None)
@given(problems())
def test_matches_a_brute_force_loop_over_shapes_stride_padding_dilation(problem):
    shape, kshape, padding, stride, dilation, seed, operation = problem
    ref = reference_padding(shape, kshape, padding, stride, dilation)
    kwargs = {"padding": padding, "stride": stride, "dilation": dilation}
    if ref is None:
        with pytest.raises(ValueError):
            conv_geometry(shape, kshape, **kwargs)
        return
    pad, s, d = ref
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, shape)
    k = rng.integers(-3, 4, kshape)
    geo = conv_geometry(shape, kshape, **kwargs)
    g = rng.integers(-3, 4, geo.output_shape)
    d_k, d_x = conv_backward(x, k, g, operation=operation, **kwargs)
    ref_k, ref_x = brute_force_backward(x, k, g, pad, s, d, operation == "convolve")
    assert d_k.dtype == np.int64 and d_x.dtype == np.int64
    np.testing.assert_array_equal(d_k, ref_k.astype(np.int64))
    np.testing.assert_array_equal(d_x, ref_x.astype(np.int64))
    a, b = rng.integers(0, kshape[0]), rng.integers(0, kshape[1])
    trace = trace_kernel_grad(x, k, g, a, b, operation=operation, **kwargs)
    assert trace.total == d_k[a, b] == sum(t.product for t in trace.terms)
    r, c = rng.integers(0, shape[0]), rng.integers(0, shape[1])
    trace = trace_input_grad(x, k, g, r, c, operation=operation, geometry=geo)
    assert trace.total == d_x[r, c] == sum(t.product for t in trace.terms)


@pytest.mark.parametrize("operation", ["correlate", "convolve"])
@pytest.mark.parametrize(
    ("padding", "stride", "dilation"), [("valid", 1, 1), ("same", 2, 1), (1, 2, 2), ("full", 3, 1)]
)
def test_matches_central_differences_of_the_loss(operation, padding, stride, dilation):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(7, 6))
    k = rng.normal(size=(3, 2))
    op = correlate2d if operation == "correlate" else convolve2d
    kwargs = {"padding": padding, "stride": stride, "dilation": dilation}
    g = rng.normal(size=op(x, k, **kwargs).shape)

    def loss(xx, kk):
        return float(np.sum(g * op(xx, kk, **kwargs)))

    d_k, d_x = conv_backward(x, k, g, operation=operation, **kwargs)
    h = 1e-6
    for name, arr, grad in (("k", k, d_k), ("x", x, d_x)):
        numeric = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            plus, minus = arr.copy(), arr.copy()
            plus[idx] += h
            minus[idx] -= h
            args_p = (x, plus) if name == "k" else (plus, k)
            args_m = (x, minus) if name == "k" else (minus, k)
            numeric[idx] = (loss(*args_p) - loss(*args_m)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_sheet_example_and_the_formulas_in_words():
    # Valid, stride 1, G all ones: ∂L/∂K[a, b] is the sum of the inputs weight (a, b) met.
    x = np.arange(16).reshape(4, 4)
    k = np.array([[1, 0], [0, -1]])
    g = np.ones((3, 3), dtype=np.int64)
    d_k, d_x = conv_backward(x, k, g)
    assert d_k.tolist() == [[x[:3, :3].sum(), x[:3, 1:].sum()], [x[1:, :3].sum(), x[1:, 1:].sum()]]
    np.testing.assert_array_equal(d_x, convolve2d(np.pad(g, 1), k))  # full convolution
    np.testing.assert_array_equal(d_k, correlate2d(x, g))  # X ⋆ G
    trace = trace_kernel_grad(x, k, g, 0, 0)
    assert trace.symbol == "∂L/∂K[0, 0]"
    assert trace.expression().startswith("1·0 + 1·1 + 1·2 + 1·4")
    corner = trace_input_grad(x, k, g, 0, 0)
    assert corner.expression() == "1·1 = 1"


def test_stride_leftover_gets_zero_gradient_and_bad_arguments_are_refused():
    x = np.ones((6, 6), dtype=np.int64)
    k = np.ones((3, 3), dtype=np.int64)
    g = np.ones((2, 2), dtype=np.int64)  # stride 2: rows/cols 5 are never reached
    _d_k, d_x = conv_backward(x, k, g, stride=2)
    assert d_x[5].tolist() == [0] * 6 and d_x[:, 5].tolist() == [0] * 6
    assert trace_input_grad(x, k, g, 5, 5, stride=2).expression() == "0 = 0"
    with pytest.raises(ValueError, match="grad_out must have the output's shape"):
        conv_backward(x, k, np.ones((3, 3)), stride=2)
    with pytest.raises(ValueError, match="operation"):
        conv_backward(x, k, g, stride=2, operation="multiply")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outside the 3×3 kernel"):
        trace_kernel_grad(x, k, g, 3, 0, stride=2)
    with pytest.raises(ValueError, match="outside the 6×6 input"):
        trace_input_grad(x, k, g, 0, 6, stride=2)
    float_k, _ = conv_backward(x, k.astype(float), g, stride=2)
    assert float_k.dtype == np.float64
