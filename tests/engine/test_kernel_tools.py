"""Kernel flips, normalising, separability by SVD, least-squares kernel solving, matching."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import FILTER_LIBRARY, convolve2d, correlate2d, get_filter
from engine.conv.kernel_tools import (
    fit_kernel,
    flip_kernel,
    match_library_filter,
    normalise_kernel,
    rotate_kernel,
    separability,
    transpose_kernel,
)

K = np.array([[1, 2, 3], [4, 5, 6]])
X = np.array(
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


def test_flips_rotations_transpose():
    np.testing.assert_array_equal(flip_kernel(K, "horizontal"), [[3, 2, 1], [6, 5, 4]])
    np.testing.assert_array_equal(flip_kernel(K, "vertical"), [[4, 5, 6], [1, 2, 3]])
    np.testing.assert_array_equal(rotate_kernel(K), [[4, 1], [5, 2], [6, 3]])  # clockwise
    np.testing.assert_array_equal(rotate_kernel(K, 2), K[::-1, ::-1])
    np.testing.assert_array_equal(rotate_kernel(K, 4), K)
    np.testing.assert_array_equal(transpose_kernel(K), K.T)
    assert rotate_kernel(K).dtype == K.dtype
    with pytest.raises(ValueError, match="axis"):
        flip_kernel(K, "diagonal")


def test_normalise_divides_by_sum_and_refuses_zero_sum():
    out = normalise_kernel(np.ones((3, 3), dtype=np.int64))
    np.testing.assert_allclose(out, np.full((3, 3), 1 / 9))
    assert out.sum() == pytest.approx(1)
    with pytest.raises(ValueError, match="sums to 0"):
        normalise_kernel(get_filter("sobel_x").kernel)


@pytest.mark.parametrize(
    ("key", "col", "row"),
    [
        ("sobel_x", [1, 2, 1], [-1, 0, 1]),
        ("sobel_y", [-1, 0, 1], [1, 2, 1]),
        ("prewitt_x", [1, 1, 1], [-1, 0, 1]),
        ("scharr_x", [3, 10, 3], [-1, 0, 1]),
        ("gaussian5", [1, 4, 6, 4, 1], [1, 4, 6, 4, 1]),
    ],
)
def test_separable_library_kernels_have_integer_factors(key, col, row):
    item = get_filter(key)
    sep = separability(item.weights)
    assert sep.separable and sep.rank == 1
    np.testing.assert_array_equal(sep.column, col)
    np.testing.assert_array_equal(sep.row, row)
    np.testing.assert_array_equal(np.outer(sep.column, sep.row), item.weights)


@pytest.mark.parametrize("key", ["laplacian4", "laplacian8", "sharpen", "log5", "roberts_x"])
def test_non_separable_kernels(key):
    sep = separability(get_filter(key).kernel)
    assert not sep.separable
    assert sep.rank >= 2
    assert sep.column is None


def test_fraction_kernels_get_integer_factors_and_a_scale():
    sep = separability(get_filter("box3").kernel)
    assert sep.separable and sep.scale == Fraction(1, 9)
    np.testing.assert_array_equal(sep.column, [1, 1, 1])
    gauss = separability(get_filter("gaussian5").kernel)
    assert gauss.scale == Fraction(1, 256)
    np.testing.assert_array_equal(gauss.row, [1, 4, 6, 4, 1])


def test_irrational_float_kernel_factors_by_svd():
    col, row = np.array([0.3, np.pi]), np.array([np.sqrt(2), -1.0, 0.5])
    sep = separability(np.outer(col, row))
    assert sep.separable and sep.scale == 1
    np.testing.assert_allclose(np.outer(sep.column, sep.row), np.outer(col, row))


@given(
    hnp.arrays(np.int64, st.integers(1, 5), elements=st.integers(-9, 9)),
    hnp.arrays(np.int64, st.integers(1, 5), elements=st.integers(-9, 9)),
)
def test_outer_products_are_separable(col, row):
    kernel = np.outer(col, row)
    sep = separability(kernel)
    if not kernel.any():
        assert sep.rank == 0 and not sep.separable
        return
    assert sep.separable
    np.testing.assert_allclose(np.outer(sep.column, sep.row), kernel, atol=1e-9)


@pytest.mark.parametrize("key", ["sobel_x", "prewitt_y", "laplacian4", "sharpen", "kirsch_ne"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_solve_recovers_library_kernel_exactly(key, padding):
    kernel = get_filter(key).kernel
    y = correlate2d(X, kernel, padding=padding)
    sol = fit_kernel(X, y, kernel.shape, padding=padding)
    assert sol.exact and sol.unique
    assert sol.kernel.dtype == np.int64
    np.testing.assert_array_equal(sol.kernel, kernel)
    assert sol.match is not None and sol.match.key == key
    assert sol.match.describe() == get_filter(key).name


def test_solve_fraction_kernel_and_convolution_mode():
    y = correlate2d(X, get_filter("box3").kernel)
    sol = fit_kernel(X, y, (3, 3))
    np.testing.assert_allclose(sol.kernel, np.full((3, 3), 1 / 9))
    assert sol.match is not None and sol.match.key == "box3"
    sobel = get_filter("sobel_x").kernel
    y = convolve2d(X, sobel)
    conv = fit_kernel(X, y, (3, 3), mode="convolve")
    np.testing.assert_array_equal(conv.kernel, sobel)


def test_solve_scaled_kernel_is_named_with_scale():
    y = correlate2d(X, 2 * get_filter("laplacian4").kernel)
    sol = fit_kernel(X, y, (3, 3))
    assert sol.match is not None
    assert sol.match.describe() == "2 × Laplacian (4-neighbour)"


def test_solve_reports_inexact_and_underdetermined():
    rng = np.random.default_rng(0)
    noisy = correlate2d(X, get_filter("sobel_x").kernel) + rng.integers(-1, 2, (5, 5))
    sol = fit_kernel(X, noisy, (3, 3))
    assert not sol.exact and sol.max_error > 0.01
    assert sol.match is None
    flat = np.ones((4, 4), dtype=np.int64)  # a flat input cannot tell the weights apart
    sol = fit_kernel(flat, correlate2d(flat, get_filter("sobel_x").kernel), (3, 3))
    assert sol.exact and not sol.unique and sol.rank == 1


def test_solve_rejects_wrong_output_shape():
    with pytest.raises(ValueError, match="gives a 5×5 output"):
        fit_kernel(X, np.zeros((4, 4)), (3, 3))


def test_match_prefers_exact_and_finds_rotation():
    assert match_library_filter(get_filter("sobel_y").kernel).key == "sobel_y"
    emboss = get_filter("emboss").kernel
    rotated = match_library_filter(emboss[::-1, ::-1])
    assert rotated is not None and rotated.rotated and rotated.key == "emboss"
    assert match_library_filter(np.array([[1, 2], [3, 4]])) is None
    assert match_library_filter(np.zeros((3, 3))) is None


def test_every_library_kernel_matches_itself():
    for key, item in FILTER_LIBRARY.items():
        match = match_library_filter(item.kernel)
        assert match is not None and match.scale == pytest.approx(1) and not match.rotated
        assert np.allclose(get_filter(match.key).kernel, item.kernel), key
