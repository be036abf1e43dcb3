"""correlate2d / convolve2d / trace_cell against a brute-force loop and between backends."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import conv_geometry, convolve2d, correlate2d, trace_cell
from tests.engine.reference import brute_force_correlate, reference_padding

# The 7×7 example matrix of the "Convolutions and Loss Functions" exercise style.
SHEET = np.array(
    [
        [3, 3, 2, 1, 0, 0, 1],
        [0, 0, 1, 3, 1, 2, 0],
        [3, 1, 2, 2, 3, 1, 2],
        [2, 0, 0, 2, 2, 3, 1],
        [2, 0, 0, 0, 1, 0, 2],
        [1, 2, 3, 0, 1, 2, 0],
        [0, 1, 1, 2, 2, 0, 3],
    ]
)
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_valid_correlation_of_sheet_matrix_is_exact_int64():
    out = correlate2d(SHEET, SOBEL_X)
    assert out.dtype == np.int64
    assert out.shape == (5, 5)
    # First cell by hand: -3 + 2 - 0 + 2 - 3 + 2 = 1 ... computed term by term below.
    by_hand = -1 * 3 + 1 * 2 + -2 * 0 + 2 * 1 + -1 * 3 + 1 * 2
    assert out[0, 0] == by_hand
    np.testing.assert_array_equal(
        out, brute_force_correlate(SHEET, SOBEL_X, (0,) * 4, (1, 1), (1, 1))
    )


def test_convolution_is_correlation_with_rotated_kernel():
    k = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(convolve2d(SHEET, k), correlate2d(SHEET, k[::-1, ::-1]))
    # An asymmetric kernel really differs between the two.
    assert not np.array_equal(convolve2d(SHEET, k), correlate2d(SHEET, k))


def test_known_small_convolution_by_hand():
    x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    k = np.array([[1, 0], [0, -1]])
    np.testing.assert_array_equal(correlate2d(x, k), [[1 - 5, 2 - 6], [4 - 8, 5 - 9]])
    np.testing.assert_array_equal(convolve2d(x, k), [[5 - 1, 6 - 2], [8 - 4, 9 - 5]])


@pytest.mark.parametrize(
    ("padding", "stride", "expected_shape"),
    [
        ("valid", 1, (5, 5)),
        ("same", 1, (7, 7)),
        ("full", 1, (9, 9)),
        (1, 2, (4, 4)),
        ("same", 2, (4, 4)),
        ((2, 0), 1, (9, 5)),
        ("valid", 3, (2, 2)),
    ],
)
def test_output_shapes(padding, stride, expected_shape):
    assert correlate2d(SHEET, SOBEL_X, padding=padding, stride=stride).shape == expected_shape


def test_same_with_even_kernel_pads_extra_at_bottom_right():
    geo = conv_geometry((7, 7), (4, 4), padding="same")
    assert geo.pad == (1, 2, 1, 2)
    geo = conv_geometry((7, 7), (2, 2), padding="same")
    assert geo.pad == (0, 1, 0, 1)


def test_same_with_stride_follows_tensorflow():
    # TF: out = ceil(7/2) = 4, total pad = (4-1)*2 + 3 - 7 = 2 -> (1, 1)
    assert conv_geometry((7, 7), (3, 3), padding="same", stride=2).pad == (1, 1, 1, 1)
    # n=8, k=3, s=2 -> out 4, total = 3*2+3-8 = 1 -> (0, 1)
    assert conv_geometry((8, 8), (3, 3), padding="same", stride=2).pad == (0, 1, 0, 1)


def test_dilation_spreads_taps():
    x = np.arange(25).reshape(5, 5)
    k = np.array([[1, 0], [0, 0]]) + np.array([[0, 0], [0, 1]])
    out = correlate2d(x, k, dilation=2)
    assert out.shape == (3, 3)
    assert out[0, 0] == x[0, 0] + x[2, 2]


def test_kernel_larger_than_input_with_full_padding():
    x = np.array([[1, 2], [3, 4]])
    k = np.ones((3, 3), dtype=int)
    out = correlate2d(x, k, padding="full")
    assert out.shape == (4, 4)
    assert out[1, 1] == 10  # every input cell is under the kernel


def test_multichannel_input_is_filtered_per_channel():
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, size=(6, 7, 3))
    out = correlate2d(x, SOBEL_X, padding="same")
    assert out.shape == (6, 7, 3)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], correlate2d(x[..., c], SOBEL_X, padding="same"))


def test_many_channels_via_opencv_backend():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((9, 8, 6)).astype(np.float32)
    np.testing.assert_allclose(
        correlate2d(x, SOBEL_X.astype(np.float32), backend="opencv"),
        correlate2d(x, SOBEL_X.astype(np.float32)),
        rtol=1e-5,
        atol=1e-5,
    )


def test_dtypes_of_results():
    f32 = np.ones((4, 4), np.float32)
    u8 = np.ones((4, 4), np.uint8)
    assert correlate2d(u8, np.ones((2, 2), np.float32)).dtype == np.float32
    assert correlate2d(f32, np.ones((2, 2))).dtype == np.float64
    assert correlate2d(u8, np.ones((2, 2), np.int8)).dtype == np.int64
    assert correlate2d(u8, np.ones((2, 2), np.uint8), backend="opencv").dtype == np.int64


def test_uint8_input_does_not_saturate_or_wrap():
    x = np.array([[0, 255, 255]] * 3, dtype=np.uint8)
    for backend in ("numpy", "opencv"):
        out = correlate2d(x, SOBEL_X[:, ::-1], backend=backend)
        assert out[0, 0] == -4 * 255


def test_large_integers_stay_exact_on_opencv_backend():
    x = np.full((5, 5), 10**12, dtype=np.int64)
    k = np.array([[3, -1], [2, 7]])
    for backend in ("numpy", "opencv"):
        assert correlate2d(x, k, backend=backend)[0, 0] == 11 * 10**12


_shapes = st.tuples(st.integers(1, 9), st.integers(1, 9))
_kernels = st.tuples(st.integers(1, 5), st.integers(1, 5))
_pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
_paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
)


def _refused(x, k, padding, stride, dilation):
    """A kernel that does not fit must be refused, never silently skipped by the test."""
    with pytest.raises(ValueError, match="does not fit"):
        correlate2d(x, k, padding=padding, stride=stride, dilation=dilation)


@given(
    data=st.data(),
    shape=_shapes,
    kshape=_kernels,
    channels=st.sampled_from([None, 1, 3]),
    padding=_paddings,
    stride=_pairs,
    dilation=_pairs,
)
def test_integer_backends_agree_with_brute_force(
    data, shape, kshape, channels, padding, stride, dilation
):
    ref = reference_padding(shape, kshape, padding, stride, dilation)
    full_shape = shape if channels is None else shape + (channels,)
    x = data.draw(hnp.arrays(np.int64, full_shape, elements=st.integers(-50, 50)))
    k = data.draw(hnp.arrays(np.int32, kshape, elements=st.integers(-9, 9)))
    if ref is None:
        _refused(x, k, padding, stride, dilation)
        return
    expected = brute_force_correlate(x, k, *ref)
    for backend in ("numpy", "opencv"):
        out = correlate2d(x, k, padding=padding, stride=stride, dilation=dilation, backend=backend)
        assert out.dtype == np.int64
        assert out.shape == expected.shape
        np.testing.assert_array_equal(out, expected.astype(np.int64))


@given(
    data=st.data(),
    shape=_shapes,
    kshape=_kernels,
    padding=_paddings,
    stride=_pairs,
    dilation=_pairs,
    dtype=st.sampled_from([np.float32, np.float64, np.uint8]),
)
def test_float_backends_agree_with_brute_force(
    data, shape, kshape, padding, stride, dilation, dtype
):
    ref = reference_padding(shape, kshape, padding, stride, dilation)
    if dtype is np.uint8:
        x = data.draw(hnp.arrays(np.uint8, shape))
    else:
        x = data.draw(
            hnp.arrays(dtype, shape, elements=st.floats(-100, 100, width=32, allow_nan=False))
        )
    k = data.draw(
        hnp.arrays(np.float32, kshape, elements=st.floats(-4, 4, width=32, allow_nan=False))
    )
    if ref is None:
        _refused(x, k, padding, stride, dilation)
        return
    expected = brute_force_correlate(x, k, *ref).astype(np.float64)
    tol = 1e-3 * (1 + np.abs(expected).max())
    for backend in ("numpy", "opencv"):
        out = correlate2d(x, k, padding=padding, stride=stride, dilation=dilation, backend=backend)
        np.testing.assert_allclose(out, expected, atol=tol, rtol=1e-4)


@given(
    data=st.data(),
    shape=_shapes,
    kshape=_kernels,
    padding=_paddings,
    stride=_pairs,
    dilation=_pairs,
    mode=st.sampled_from(["correlate", "convolve"]),
)
def test_trace_cell_sum_equals_output(data, shape, kshape, padding, stride, dilation, mode):
    ref = reference_padding(shape, kshape, padding, stride, dilation)
    x = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(-20, 20)))
    k = data.draw(hnp.arrays(np.int64, kshape, elements=st.integers(-5, 5)))
    if ref is None:
        _refused(x, k, padding, stride, dilation)
        return
    fn = correlate2d if mode == "correlate" else convolve2d
    out = fn(x, k, padding=padding, stride=stride, dilation=dilation)
    expected = brute_force_correlate(x, k if mode == "correlate" else k[::-1, ::-1], *ref)
    assert out.shape == expected.shape
    i = data.draw(st.integers(0, out.shape[0] - 1))
    j = data.draw(st.integers(0, out.shape[1] - 1))
    trace = trace_cell(x, k, i, j, padding=padding, stride=stride, dilation=dilation, mode=mode)
    assert trace.total == out[i, j] == expected[i, j]
    assert len(trace.terms) == k.size
    for term in trace.terms:
        inside = 0 <= term.row < shape[0] and 0 <= term.col < shape[1]
        assert term.is_padding is (not inside)
        assert term.value == (x[term.row, term.col] if inside else 0)
        assert term.weight == k[term.kernel_row, term.kernel_col]


def test_trace_cell_expression_text():
    x = np.array([[3, 5], [2, 7]])
    k = np.array([[-1, 0], [1, 2]])
    trace = trace_cell(x, k, 0, 0)
    assert trace.expression() == "(−1)·3 + 0·5 + 1·2 + 2·7 = 13"
    assert trace.expression(skip_zero_weights=True) == (
        "(−1)·3 + 1·2 + 2·7 = 13 (1 zero-weight tap left out)"
    )


def test_every_zero_weight_tap_is_listed_or_counted():
    x = np.arange(16).reshape(4, 4)
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    trace = trace_cell(x, sobel, 1, 0)
    listed = trace.expression()
    assert listed.count("·") == 9 and "left out" not in listed  # 0·5, 0·9, 0·13 are there
    assert "0·5 + " in listed and "0·9 + " in listed and "0·13 + " in listed
    short = trace.expression(skip_zero_weights=True)
    assert short.count("·") == 6 and short.endswith("= 8 (3 zero-weight taps left out)")
    # an all-zero kernel: nothing to add up, and it says why
    empty = trace_cell(x, np.zeros((2, 2), int), 0, 0).expression(skip_zero_weights=True)
    assert empty == "0 = 0 (4 zero-weight taps left out)"
    # with no zero weights nothing is said
    ones = trace_cell(x, np.ones((2, 2), int), 0, 0)
    assert (
        ones.expression(skip_zero_weights=True) == ones.expression() == "1·0 + 1·1 + 1·4 + 1·5 = 10"
    )


def test_trace_cell_marks_padding():
    x = np.array([[1, 2], [3, 4]])
    trace = trace_cell(x, np.ones((3, 3), int), 0, 0, padding="same")
    padded = [t for t in trace.terms if t.is_padding]
    assert len(padded) == 5
    assert trace.total == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, "stride must be at least 1"),
        ({"stride": (1, -2)}, "stride must be at least 1"),
        ({"stride": 1.5}, "stride must be a positive int"),
        ({"stride": True}, "stride must be a positive int"),
        ({"dilation": 0}, "dilation must be at least 1"),
        ({"padding": -1}, "padding must not be negative"),
        ({"padding": "half"}, "padding must be one of"),
        ({"padding": (1, 2, 3)}, "padding must be a name"),
        ({"backend": "scipy"}, "backend must be one of"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        correlate2d(SHEET, SOBEL_X, **kwargs)


@pytest.mark.parametrize(
    ("x", "kernel", "message"),
    [
        (SHEET, np.zeros((0, 3)), "kernel must not be empty"),
        (SHEET, np.ones(3), "kernel must be 2-D"),
        (np.ones(5), SOBEL_X, "x must be 2-D or 3-D"),
        (np.ones((0, 4)), SOBEL_X, "x must not be empty"),
        (SHEET.astype(bool), SOBEL_X, "x has unsupported dtype bool"),
        (SHEET.astype(complex), SOBEL_X, "x has unsupported dtype complex"),
        (np.array([["a"]]), SOBEL_X, "x has unsupported dtype"),
        (SHEET, np.array([[np.nan, 1.0]]), "kernel contains NaN"),
        (np.full((4, 4), np.inf), SOBEL_X, "x contains NaN or infinity"),
        (np.ones((2, 2)), SOBEL_X, "does not fit"),
    ],
)
def test_bad_arrays_raise_value_error(x, kernel, message):
    with pytest.raises(ValueError, match=message):
        correlate2d(x, kernel)


def test_ragged_lists_are_refused():
    with pytest.raises(ValueError, match="x must be a numeric array"):
        correlate2d([[1, 2], [3]], SOBEL_X)


def test_trace_cell_outside_output_is_refused():
    with pytest.raises(ValueError, match=r"cell \(i, j\) = \(5, 0\) is outside the 5×5 output"):
        trace_cell(SHEET, SOBEL_X, 5, 0)
