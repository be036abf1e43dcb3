"""The gallery's pixel hover: one output pixel taken apart equals the filtered image there."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.images._borders import BORDER_MODES, filter_same
from engine.images.pixel_window import pixel_window

_CV = {
    "zero": cv2.BORDER_CONSTANT,
    "replicate": cv2.BORDER_REPLICATE,
    "reflect": cv2.BORDER_REFLECT,
    "reflect101": cv2.BORDER_REFLECT_101,
    "wrap": cv2.BORDER_WRAP,
}


def _reference(image: np.ndarray, kernel: np.ndarray, row: int, col: int, border: str):
    """Brute force: pad the whole image with cv2.copyMakeBorder, then multiply and add."""
    kh, kw = kernel.shape
    ay, ax = kh // 2, kw // 2
    padded = cv2.copyMakeBorder(
        image.astype(np.float64), ay, kh - 1 - ay, ax, kw - 1 - ax, _CV[border], value=0
    )
    window = padded[row : row + kh, col : col + kw]
    total = 0.0 if image.ndim == 2 else np.zeros(3)
    for a in range(kh):
        for b in range(kw):
            total = total + kernel[a, b] * window[a, b]
    return window, total


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("shape", [(3, 3), (5, 5), (2, 4), (7, 1)])
def test_corners_and_edges_match_the_padded_brute_force(border, shape):
    rng = np.random.default_rng(7)
    image = rng.uniform(0, 255, (6, 9)).astype(np.float32)
    kernel = rng.integers(-3, 4, shape).astype(np.float64)
    for row, col in [(0, 0), (0, 8), (5, 0), (5, 8), (2, 4), (0, 3)]:
        win = pixel_window(image, kernel, row, col, border=border)
        window, total = _reference(image, kernel, row, col, border)
        np.testing.assert_allclose(win.values, window, rtol=0, atol=1e-4)
        np.testing.assert_allclose(win.products, kernel * window, atol=1e-3)
        assert win.result == pytest.approx(total, abs=1e-3)


@given(
    st.sampled_from(BORDER_MODES),
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(0, 10_000),
    st.booleans(),
)
def test_result_equals_the_pipeline_filter_at_that_pixel(border, kh, kw, seed, colour):
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    shape = (h, w, 3) if colour else (h, w)
    image = rng.uniform(0, 255, shape).astype(np.float32)
    kernel = rng.normal(0, 2, (kh, kw)).astype(np.float32)
    row, col = int(rng.integers(0, h)), int(rng.integers(0, w))
    win = pixel_window(image, kernel, row, col, border=border)
    for backend in ("opencv", "numpy"):
        out = filter_same(image, kernel, border=border, backend=backend)
        np.testing.assert_allclose(win.result, out[row, col], rtol=1e-4, atol=1e-2)
    assert win.values.shape == ((kh, kw, 3) if colour else (kh, kw))


def test_outside_taps_and_zero_border_sources():
    image = np.arange(20, dtype=np.float32).reshape(4, 5)
    win = pixel_window(image, np.ones((3, 3)), 0, 0, border="zero")
    assert win.outside.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert win.source_rows.tolist() == [-1, 0, 1] and win.source_cols.tolist() == [-1, 0, 1]
    assert win.values[0].tolist() == [0, 0, 0] and win.result == 0 + 1 + 5 + 6
    reflect = pixel_window(image, np.ones((3, 3)), 0, 0, border="reflect101")
    assert reflect.source_rows.tolist() == [1, 0, 1]  # dcb|abc
    replicate = pixel_window(image, np.ones((3, 3)), 3, 4, border="replicate")
    assert replicate.source_rows.tolist() == [2, 3, 3]
    assert replicate.source_cols.tolist() == [3, 4, 4]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"row": 4, "col": 0}, "row"),
        ({"row": 0, "col": -1}, "col"),
        ({"row": 0, "col": 0, "border": "mirror"}, "border"),
        ({"row": 1.0, "col": 0}, "row"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pixel_window(np.zeros((4, 4)), np.ones((3, 3)), **kwargs)
    with pytest.raises(ValueError, match="kernel"):
        pixel_window(np.zeros((4, 4)), np.array([[np.nan]]), 0, 0)
