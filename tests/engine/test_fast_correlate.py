"""Every numpy-backend method (direct, separable, FFT) against the brute-force loop.

``method=`` forces one path, ``band_bytes`` makes bands a few rows tall so band edges, the
zero-row padding of the first/last bands and the border-column repair are all exercised.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import choose_numpy_method, conv_geometry, correlate2d
from engine.conv._numpy.dispatch import correlate, separable_factors
from engine.conv._numpy.fft import next_fast_len
from tests.engine.reference import brute_force_correlate

_pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
_paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
_band_bytes = st.sampled_from([1, 200, 2000, 1 << 20])


def _geometry(data, shape, kshape):
    padding = data.draw(_paddings)
    stride = data.draw(_pairs)
    dilation = data.draw(_pairs)
    try:
        return conv_geometry(shape, kshape, padding=padding, stride=stride, dilation=dilation)
    except ValueError:
        return None


def _rank1_int_kernel(data, kshape):
    u = data.draw(hnp.arrays(np.int64, kshape[0], elements=st.integers(-4, 4)))
    v = data.draw(hnp.arrays(np.int64, kshape[1], elements=st.integers(-4, 4)))
    return np.outer(u, v)


@given(
    data=st.data(),
    shape=st.tuples(st.integers(1, 14), st.integers(1, 14)),
    kshape=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    channels=st.sampled_from([None, 1, 3]),
    band_bytes=_band_bytes,
    rank1=st.booleans(),
)
def test_integer_methods_are_exact(data, shape, kshape, channels, band_bytes, rank1):
    geo = _geometry(data, shape, kshape)
    if geo is None:
        return
    full = shape if channels is None else shape + (channels,)
    dtype = data.draw(st.sampled_from([np.int64, np.uint8]))
    x = data.draw(
        hnp.arrays(dtype, full, elements=st.integers(0 if dtype is np.uint8 else -99, 99))
    )
    if rank1:
        k = _rank1_int_kernel(data, kshape)
    else:
        k = data.draw(hnp.arrays(np.int32, kshape, elements=st.integers(-9, 9)))
    expected = brute_force_correlate(x, k, geo.pad, geo.stride, geo.dilation).astype(np.int64)
    methods = ["direct"]
    if separable_factors(k, np.dtype(np.int64)) is not None:
        methods.append("separable")
    for method in methods:
        out = correlate(x, k, geo, np.dtype(np.int64), method=method, band_bytes=band_bytes)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out, expected, err_msg=method)


@given(
    data=st.data(),
    shape=st.tuples(st.integers(1, 14), st.integers(1, 14)),
    kshape=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    channels=st.sampled_from([None, 2]),
    dtype=st.sampled_from([np.float32, np.float64, np.uint8]),
    band_bytes=_band_bytes,
    rank1=st.booleans(),
)
def test_float_methods_match_brute_force(data, shape, kshape, channels, dtype, band_bytes, rank1):
    geo = _geometry(data, shape, kshape)
    if geo is None:
        return
    full = shape if channels is None else shape + (channels,)
    if dtype is np.uint8:
        x = data.draw(hnp.arrays(np.uint8, full))
    else:
        x = data.draw(hnp.arrays(dtype, full, elements=st.floats(-100, 100, width=32)))
    if rank1:
        u = data.draw(hnp.arrays(np.float32, kshape[0], elements=st.floats(-3, 3, width=32)))
        v = data.draw(hnp.arrays(np.float32, kshape[1], elements=st.floats(-3, 3, width=32)))
        k = np.outer(u, v).astype(np.float32)
    else:
        k = data.draw(hnp.arrays(np.float32, kshape, elements=st.floats(-4, 4, width=32)))
    result = np.dtype(np.float64 if dtype is np.float64 else np.float32)
    expected = brute_force_correlate(x, k, geo.pad, geo.stride, geo.dilation).astype(np.float64)
    tol = 1e-4 * (1 + np.abs(x).max() * np.abs(k).sum())
    methods = ["direct", "matmul", "fft"]
    if separable_factors(k, result) is not None:
        methods.append("separable")
    for method in methods:
        out = correlate(x, k, geo, result, method=method, band_bytes=band_bytes)
        assert out.dtype == result
        assert out.shape == geo.output_shape + x.shape[2:]
        np.testing.assert_allclose(out, expected, atol=tol, rtol=0, err_msg=method)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_fft_strips_and_threads_do_not_change_the_result(threads):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((700, 90, 2)).astype(np.float32)  # several FFT strips
    k = rng.standard_normal((9, 4)).astype(np.float32)
    geo = conv_geometry(x.shape[:2], k.shape, padding="same", stride=(2, 1), dilation=(1, 2))
    fft = correlate(x, k, geo, np.dtype(np.float32), method="fft", threads=threads)
    direct = correlate(x, k, geo, np.dtype(np.float64), method="direct")
    np.testing.assert_allclose(fft, direct, atol=2e-4 * np.abs(direct).max())
    one = correlate(x, k, geo, np.dtype(np.float32), method="fft", threads=1)
    np.testing.assert_array_equal(fft, one)


def test_large_image_paths_agree_with_opencv_backend():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 256, (300, 401), dtype=np.uint8)
    for k in (
        rng.standard_normal((3, 3)).astype(np.float32),
        np.outer([1, 4, 6, 4, 1], [1, 2, 1]).astype(np.float32) / 48,
        rng.standard_normal((21, 20)).astype(np.float32),
    ):
        ref = correlate2d(x, k, padding="same", backend="opencv")
        for method in ("direct", "matmul", "fft", "separable"):
            geo = conv_geometry(x.shape, k.shape, padding="same")
            if method == "separable" and separable_factors(k, np.dtype(np.float32)) is None:
                continue
            out = correlate(x, k, geo, np.dtype(np.float32), method=method)
            np.testing.assert_allclose(out, ref, atol=1e-3 * np.abs(ref).max(), err_msg=method)


@pytest.mark.parametrize(
    ("n", "expected", "even"),
    [(1, 1, False), (7, 8, False), (1094, 1125, False), (1950, 2000, True), (1125, 1152, True)],
)
def test_next_fast_len_is_the_smallest_5_smooth_size(n, expected, even):
    assert next_fast_len(n, even=even) == expected


def test_next_fast_len_against_brute_force():
    def smooth(m):
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        return m == 1

    for n in range(1, 400):
        assert next_fast_len(n) == next(m for m in range(n, 2 * n + 2) if smooth(m))
        assert next_fast_len(n, even=True) == next(
            m for m in range(n, 2 * n + 2) if smooth(m) and m % 2 == 0
        )


def test_exact_integer_rank_test():
    assert separable_factors(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]), np.dtype(np.int64))
    u, v = separable_factors(np.array([[-2, 0, 2], [-4, 0, 4]]), np.dtype(np.int64))
    np.testing.assert_array_equal(np.outer(u, v), [[-2, 0, 2], [-4, 0, 4]])
    assert (
        separable_factors(np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]), np.dtype(np.int64))
        is None
    )
    # Rank 1 over the rationals but the row ratio 3/2 is not an integer: still separable.
    assert separable_factors(np.array([[2, 4], [3, 6]]), np.dtype(np.int64)) is not None
    assert separable_factors(np.zeros((3, 3), int), np.dtype(np.int64)) is None


@pytest.mark.parametrize(
    ("shape", "kernel", "dtype", "expected"),
    [
        ((1080, 1920), np.ones((3, 3)), np.float32, "separable"),
        ((1080, 1920), np.arange(9.0).reshape(3, 3) ** 2, np.float32, "matmul"),
        ((1080, 1920), np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]), np.float32, "direct"),
        ((1080, 1920), np.random.default_rng(0).random((31, 31)), np.float32, "fft"),
        ((1080, 1920), np.random.default_rng(0).integers(-5, 5, (31, 31)), np.int64, "direct"),
        ((64, 64), np.random.default_rng(0).random((15, 15)), np.float32, "direct"),
        ((400, 400), np.random.default_rng(0).random((7, 7)), np.float32, "matmul"),
        ((64, 64), np.random.default_rng(0).integers(-5, 5, (15, 15)), np.int64, "direct"),
        ((400, 400), np.random.default_rng(0).random((15, 15)), np.float32, "fft"),
        ((1080, 1920), np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256, np.float32, "separable"),
        ((7, 7), np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), np.int64, "separable"),
    ],
)
def test_automatic_choice(shape, kernel, dtype, expected):
    x = np.zeros(shape, dtype=dtype)
    assert choose_numpy_method(x, kernel.astype(dtype), padding="same") == expected


def test_forcing_an_impossible_method_is_refused():
    geo = conv_geometry((5, 5), (3, 3))
    k = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    with pytest.raises(ValueError, match="method='separable' needs a rank-1 kernel"):
        correlate(np.ones((5, 5), int), k, geo, np.dtype(np.int64), method="separable")
    with pytest.raises(ValueError, match="method='fft' needs a float result"):
        correlate(np.ones((5, 5), int), k, geo, np.dtype(np.int64), method="fft")
    with pytest.raises(ValueError, match="method='matmul' needs a float result"):
        correlate(np.ones((5, 5), int), k, geo, np.dtype(np.int64), method="matmul")
    with pytest.raises(ValueError, match="method must be"):
        correlate(np.ones((5, 5)), k, geo, np.dtype(np.float64), method="winograd")


def test_all_zero_kernel_gives_zeros():
    out = correlate2d(np.ones((6, 6), np.float32), np.zeros((3, 3), np.float32), padding="same")
    np.testing.assert_array_equal(out, 0)


@pytest.mark.parametrize("kshape", [(3, 3), (4, 2), (13, 12)])  # 13×12 takes filter2D's DFT path
@pytest.mark.parametrize("padding", ["same", "full", "valid", (7, 1), (0, 15)])
@pytest.mark.parametrize("stride", [1, (2, 3)])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint16, np.float32])
def test_opencv_backend_border_and_dtype_paths_match_numpy(kshape, padding, stride, dtype):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 200, (31, 40)).astype(dtype)
    k = rng.integers(-3, 4, kshape)
    if dtype is np.float32:
        k = k.astype(np.float32)
    try:
        ref = correlate2d(x, k, padding=padding, stride=stride)
    except ValueError:
        return
    out = correlate2d(x, k, padding=padding, stride=stride, backend="opencv")
    assert out.dtype == ref.dtype
    assert out.flags.c_contiguous
    if ref.dtype == np.int64:
        np.testing.assert_array_equal(out, ref)
    else:
        np.testing.assert_allclose(out, ref, atol=1e-3 * np.abs(ref).max())


def test_integer_valued_floats_stay_exact_in_the_matrix_tab_sizes():
    rng = np.random.default_rng(8)
    x = rng.integers(-9, 10, (64, 64))
    k = rng.integers(-3, 4, (15, 15))
    exact = correlate2d(x, k, padding="same")
    np.testing.assert_array_equal(
        correlate2d(x.astype(float), k.astype(float), padding="same"), exact
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dyadic_float_kernels_factor_exactly(dtype):
    gauss = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256
    u, v = separable_factors(gauss.astype(dtype), np.dtype(dtype))
    np.testing.assert_array_equal(np.outer(u, v), gauss)
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype)
    u, v = separable_factors(sobel, np.dtype(dtype))
    np.testing.assert_array_equal(np.outer(u, v), sobel)
    x = np.random.default_rng(9).integers(0, 256, (50, 60)).astype(dtype)
    geo = conv_geometry(x.shape, sobel.shape, padding="same")
    out = correlate(x, sobel, geo, np.dtype(dtype), method="separable")
    np.testing.assert_array_equal(
        out, correlate2d(x.astype(int), sobel.astype(int), padding="same")
    )


@pytest.mark.parametrize("padding", ["same", "valid", "full", (4, 1)])
@pytest.mark.parametrize(("stride", "dilation"), [(1, 1), ((2, 1), 1), (1, (1, 2)), (1, (2, 1))])
@pytest.mark.parametrize("channels", [None, 3])
def test_every_method_over_many_bands_matches_the_opencv_backend(
    padding, stride, dilation, channels
):
    rng = np.random.default_rng(11)
    shape = (70, 53) if channels is None else (70, 53, channels)
    x = rng.standard_normal(shape)
    kernels = [rng.standard_normal((5, 4)), np.outer(rng.standard_normal(3), [1.0, 2.0, -1.0])]
    for k in kernels:
        ref = correlate2d(x, k, padding=padding, stride=stride, dilation=dilation, backend="opencv")
        geo = conv_geometry(x.shape[:2], k.shape, padding=padding, stride=stride, dilation=dilation)
        methods = ["direct", "matmul", "fft"]
        if separable_factors(k, np.dtype(np.float64)) is not None:
            methods.append("separable")
        for method in methods:
            out = correlate(x, k, geo, np.dtype(np.float64), method=method, band_bytes=4000)
            np.testing.assert_allclose(out, ref, atol=1e-9, err_msg=method)
