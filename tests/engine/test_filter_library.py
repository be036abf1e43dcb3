"""The filter library: kernels are right, descriptions match what the kernels do."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine import FILTER_LIBRARY, correlate2d, filter_keys, get_filter

REQUIRED = [
    "identity", "box3", "gaussian3", "gaussian5", "gaussian7", "sharpen", "emboss",
    "prewitt_x", "prewitt_y", "sobel_x", "sobel_y", "sobel5_x", "sobel5_y", "scharr_x",
    "scharr_y", "roberts_x", "roberts_y", "laplacian4", "laplacian8", "log5",
]  # fmt: skip


def test_required_kernels_present_with_descriptions():
    for key in REQUIRED:
        k = get_filter(key)
        assert k.description and k.family and k.orientation
    assert len(filter_keys("compass")) == 8


@pytest.mark.parametrize("key", list(FILTER_LIBRARY))
def test_kernels_are_read_only_and_finite(key):
    k = FILTER_LIBRARY[key]
    assert not k.weights.flags.writeable
    assert np.isfinite(k.kernel).all()


def test_smoothing_kernels_sum_to_one_and_derivatives_to_zero():
    for key in filter_keys("smoothing"):
        assert get_filter(key).kernel.sum() == pytest.approx(1.0)
    for key in filter_keys("first derivative") + filter_keys("second derivative"):
        assert get_filter(key).kernel.sum() == 0


@pytest.mark.parametrize(
    ("key", "dx", "dy", "ksize"),
    [("sobel_x", 1, 0, 3), ("sobel_y", 0, 1, 3), ("sobel5_x", 1, 0, 5), ("sobel5_y", 0, 1, 5)],
)
def test_sobel_matches_opencv_sobel(key, dx, dy, ksize):
    rng = np.random.default_rng(3)
    img = rng.random((20, 24)).astype(np.float64)
    ref = cv2.Sobel(img, cv2.CV_64F, dx, dy, ksize=ksize, borderType=cv2.BORDER_CONSTANT)
    ours = correlate2d(img, get_filter(key).kernel, padding="same")
    np.testing.assert_allclose(ours, ref, atol=1e-9)


def test_scharr_matches_opencv_scharr():
    img = np.random.default_rng(4).random((12, 12))
    ref = cv2.Scharr(img, cv2.CV_64F, 1, 0, borderType=cv2.BORDER_CONSTANT)
    np.testing.assert_allclose(correlate2d(img, get_filter("scharr_x").kernel, padding="same"), ref)


def _step_image(vertical: bool) -> np.ndarray:
    img = np.zeros((9, 9))
    if vertical:
        img[:, 5:] = 1.0  # brighter to the right: a vertical edge
    else:
        img[5:, :] = 1.0  # brighter below: a horizontal edge
    return img


@pytest.mark.parametrize("family_key", ["prewitt", "sobel", "scharr"])
def test_x_derivatives_respond_to_vertical_edges_only(family_key):
    kx = get_filter(f"{family_key}_x").kernel
    ky = get_filter(f"{family_key}_y").kernel
    vertical = _step_image(vertical=True)
    horizontal = _step_image(vertical=False)
    assert correlate2d(vertical, kx).max() > 0  # positive: brighter to the right
    assert np.abs(correlate2d(horizontal, kx)).max() == 0
    assert correlate2d(horizontal, ky).max() > 0  # positive: brighter downwards
    assert np.abs(correlate2d(vertical, ky)).max() == 0


def test_laplacian_is_zero_on_linear_ramps_and_isotropic():
    ramp = np.add.outer(np.arange(8.0), 2 * np.arange(8.0))
    for key in ("laplacian4", "laplacian8", "log5"):
        assert np.abs(correlate2d(ramp, get_filter(key).kernel)).max() == 0
        k = get_filter(key).kernel
        np.testing.assert_array_equal(k, k.T)
        np.testing.assert_array_equal(k, k[::-1])


def test_kirsch_east_responds_most_to_brighter_right():
    img = _step_image(vertical=True)
    responses = {
        key: correlate2d(img, get_filter(key).kernel).max() for key in filter_keys("compass")
    }
    assert max(responses, key=responses.get) == "kirsch_e"


def test_unknown_key_lists_valid_ones():
    with pytest.raises(ValueError, match="key 'sobel' is not a library filter; choose one of"):
        get_filter("sobel")
