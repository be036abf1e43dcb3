"""Matrix fills: zeros, random integers, ramp, checkerboard, crop from an image, resize."""

from __future__ import annotations

import numpy as np
import pytest

from engine.matrix.fill import (
    crop_patch,
    fill_checkerboard,
    fill_ramp,
    fill_random_ints,
    fill_zeros,
    resize_matrix,
    to_grey,
)


def test_simple_fills():
    assert fill_zeros((2, 3)).tolist() == [[0, 0, 0], [0, 0, 0]]
    assert fill_ramp((2, 3)).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert fill_ramp((2, 2), start=10, step=-2).tolist() == [[10, 8], [6, 4]]
    assert fill_checkerboard((3, 3)).tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
    assert fill_checkerboard((2, 4), high=255, square=2).tolist() == [
        [255, 255, 0, 0],
        [255, 255, 0, 0],
    ]


def test_random_ints_cover_inclusive_range_and_seed_repeats():
    a = fill_random_ints((30, 30), -2, 2, seed=5)
    assert a.dtype == np.int64
    assert set(np.unique(a)) == {-2, -1, 0, 1, 2}
    np.testing.assert_array_equal(a, fill_random_ints((30, 30), -2, 2, seed=5))
    with pytest.raises(ValueError, match="low must not exceed high"):
        fill_random_ints((2, 2), 3, 1)


def test_crop_centre_and_position_from_rgb_and_grey():
    grey = np.arange(100, dtype=np.uint8).reshape(10, 10)
    np.testing.assert_array_equal(crop_patch(grey, (2, 2)), [[44, 45], [54, 55]])
    np.testing.assert_array_equal(
        crop_patch(grey, (2, 3), top=0, left=7), [[7, 8, 9], [17, 18, 19]]
    )
    rgb = np.stack([grey, grey, grey], axis=2)
    patch = crop_patch(rgb, (3, 3))
    assert patch.dtype == np.int64
    np.testing.assert_array_equal(patch, grey[3:6, 3:6])
    red = np.zeros((4, 4, 3), dtype=np.uint8)
    red[..., 0] = 255
    assert to_grey(red)[0, 0] == 76  # 0.299·255 rounded: the image is read as RGB


@pytest.mark.parametrize(
    ("shape", "kwargs", "fragment"),
    [((20, 2), {}, "smaller"), ((2, 2), {"top": 9}, "outside"), ((0, 2), {}, "shape")],
)
def test_crop_errors(shape, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        crop_patch(np.zeros((10, 10), dtype=np.uint8), shape, **kwargs)


def test_resize_keeps_top_left_and_dtype():
    values = np.array([[1.5, 2], [3, 4]])
    grown = resize_matrix(values, (3, 3))
    assert grown.dtype == values.dtype
    np.testing.assert_array_equal(grown, [[1.5, 2, 0], [3, 4, 0], [0, 0, 0]])
    np.testing.assert_array_equal(resize_matrix(values, (1, 1)), [[1.5]])
