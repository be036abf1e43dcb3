"""engine.images.gallery and engine.images._canny against independent references."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.conv.filters import FILTER_LIBRARY
from engine.images._canny import canny_numpy
from engine.images.chart import make_test_chart
from engine.images.gallery import (
    BORDER_MODES,
    DERIVED_KEYS,
    DIVERGING_LUT,
    GalleryOptions,
    GalleryPipeline,
    display_response,
    filter_same,
    gaussian_blur,
    input_display,
    kernel_text,
    orientation_image,
    preview_size,
    process_frame,
    robust_max,
    sanitize_for_display,
    to_working,
    zero_crossings,
)

RNG = np.random.default_rng(3)
CHART = make_test_chart(120, 160)


def _border_index(i: int, n: int, mode: str) -> int | None:
    """Where index ``i`` (maybe outside 0..n-1) reads from, per OpenCV's border definitions."""
    if 0 <= i < n:
        return i
    if mode == "zero":
        return None
    if mode == "replicate":
        return min(max(i, 0), n - 1)
    if mode == "wrap":
        return i % n
    period = 2 * n if mode == "reflect" else 2 * n - 2
    j = i % period
    if mode == "reflect":
        return j if j < n else period - 1 - j
    return j if j < n else period - j


def _brute_force(img: np.ndarray, k: np.ndarray, mode: str) -> np.ndarray:
    h, w = img.shape
    kh, kw = k.shape
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    r = _border_index(i + a - kh // 2, h, mode)
                    c = _border_index(j + b - kw // 2, w, mode)
                    if r is not None and c is not None:
                        total += k[a, b] * float(img[r, c])
            out[i, j] = total
    return out


@pytest.mark.parametrize("mode", BORDER_MODES)
@pytest.mark.parametrize("backend", ["numpy", "opencv"])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 2), (5, 3), (1, 4)])
def test_filter_same_matches_brute_force_for_every_border(mode, backend, kshape):
    img = RNG.integers(0, 256, (7, 9)).astype(np.float32)
    k = RNG.integers(-3, 4, kshape).astype(np.float32)
    out = filter_same(img, k, border=mode, backend=backend)
    assert out.dtype == np.float32 and out.shape == img.shape
    np.testing.assert_allclose(out, _brute_force(img, k, mode), atol=1e-3)


def test_opencv_filter2d_refuses_wrap_so_the_engine_pads_itself():
    img = RNG.random((8, 8)).astype(np.float32)
    k = np.ones((3, 3), np.float32)
    with pytest.raises(cv2.error):
        cv2.filter2D(img, -1, k, borderType=cv2.BORDER_WRAP)
    circular = sum(
        k[a, b] * np.roll(img, (1 - a, 1 - b), axis=(0, 1)) for a in range(3) for b in range(3)
    )
    np.testing.assert_allclose(filter_same(img, k, border="wrap"), circular, atol=1e-5)


@given(
    arrays(
        np.float32,
        st.tuples(st.integers(6, 20), st.integers(6, 20)),
        elements=st.floats(0, 255, width=32),
    ),
    arrays(np.int8, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.integers(-4, 4)),
    st.sampled_from(BORDER_MODES),
)
def test_numpy_and_opencv_backends_agree(img, kernel, mode):
    a = filter_same(img, kernel, border=mode, backend="numpy")
    b = filter_same(img, kernel, border=mode, backend="opencv")
    # Both sum float32 products in different orders: each result is within n·ε·Σ|k·x| of the
    # exact sum (n taps, ε = float32 epsilon), so the bound is relative to the magnitudes that
    # were added per pixel, not a fixed 2e-3 (which sums of ~57,000 exceeded in ~4 % of runs).
    magnitude = filter_same(
        np.abs(img).astype(np.float64), np.abs(kernel).astype(np.float64), border=mode
    )
    bound = 2 * kernel.size * np.finfo(np.float32).eps * magnitude + 1e-30
    assert np.all(np.abs(a.astype(np.float64) - b) <= bound)


def test_sobel_tiles_equal_cv2_sobel_and_magnitude():
    gray = cv2.cvtColor(CHART.astype(np.float32), cv2.COLOR_RGB2GRAY)  # luminance unrounded
    pipeline = GalleryPipeline(GalleryOptions(border="reflect"))
    work = pipeline.working(CHART)
    gx_ref = cv2.Sobel(gray, cv2.CV_32F, 1, 0, borderType=cv2.BORDER_REFLECT)
    gy_ref = cv2.Sobel(gray, cv2.CV_32F, 0, 1, borderType=cv2.BORDER_REFLECT)
    for backend in ("numpy", "opencv"):
        sx = pipeline.compute(work, pipeline.tile("sobel_x"), backend)
        np.testing.assert_allclose(sx.raw, gx_ref, atol=1e-3)
        mag = pipeline.compute(work, pipeline.tile("gradient_magnitude"), backend)
        np.testing.assert_allclose(mag.raw, cv2.magnitude(gx_ref, gy_ref), rtol=1e-5, atol=1e-3)
        np.testing.assert_array_equal(
            mag.display, cv2.convertScaleAbs(cv2.magnitude(gx_ref, gy_ref))
        )


def test_orientation_hue_is_gradient_direction_and_value_is_magnitude():
    gray = cv2.cvtColor(CHART, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    rgb = orientation_image(gx, gy)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(float)
    mag = cv2.magnitude(gx, gy)
    strong = mag > 0.3 * mag.max()
    assert strong.sum() > 500
    phase = cv2.phase(gx, gy, angleInDegrees=True)
    diff = np.abs(((hsv[..., 0] * 2)[strong] - phase[strong] + 180) % 360 - 180)
    assert diff.max() <= 4.0  # 2° hue steps plus the HSV → RGB → HSV round trip
    expected_value = np.clip(mag / np.percentile(mag, 99) * 255, 0, 255)
    np.testing.assert_allclose(hsv[..., 2][strong], expected_value[strong], atol=2)
    assert (hsv[..., 2][mag == 0] == 0).all()
    # pure directions: right → red, down → hue 90° (yellow-green), left → cyan
    for angle, expected_hue in ((0, 0), (90, 45), (180, 90)):
        a = np.radians(angle)
        px = orientation_image(
            np.full((1, 1), np.cos(a), np.float32), np.full((1, 1), np.sin(a), np.float32)
        )
        assert cv2.cvtColor(px, cv2.COLOR_RGB2HSV)[0, 0, 0] == pytest.approx(expected_hue, abs=1)


def _zero_crossings_loops(r: np.ndarray, t: float) -> np.ndarray:
    h, w = r.shape
    out = np.zeros((h, w), bool)
    for i in range(h):
        for j in range(w):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < h and j + dj < w:
                    p, q = float(r[i, j]), float(r[i + di, j + dj])
                    if p * q < 0 and abs(p - q) >= t:
                        out[i, j] = True
    return out


@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 9), st.integers(1, 9)),
        elements=st.floats(-5, 5, width=32),
    ),
    st.floats(0, 6),
)
def test_zero_crossings_match_loops(r, t):
    np.testing.assert_array_equal(zero_crossings(r, t), _zero_crossings_loops(r, t))


def test_log_zero_crossing_tile_marks_a_step_edge():
    img = np.zeros((20, 20), np.uint8)
    img[:, 10:] = 200
    pipeline = GalleryPipeline()
    result = pipeline.compute(pipeline.working(img), pipeline.tile("log_zero_crossings"))
    cols = np.flatnonzero(result.display[10])
    assert set(cols) <= {8, 9, 10} and len(cols) >= 1


@pytest.mark.parametrize("low,high", [(50, 150), (0, 0), (10, 30), (200, 100), (400, 900)])
def test_numpy_canny_equals_opencv_canny(low, high):
    gray = cv2.cvtColor(CHART, cv2.COLOR_RGB2GRAY)
    noisy = np.clip(gray.astype(int) + RNG.integers(-20, 21, gray.shape), 0, 255).astype(np.uint8)
    for img in (gray, noisy):
        np.testing.assert_array_equal(
            canny_numpy(img, low, high), cv2.Canny(img, low, high, L2gradient=True)
        )


@given(
    arrays(np.uint8, st.tuples(st.integers(3, 24), st.integers(3, 24))),
    st.floats(0, 600),
    st.floats(0, 600),
)
def test_numpy_canny_property(img, low, high):
    np.testing.assert_array_equal(
        canny_numpy(img, low, high), cv2.Canny(img, low, high, L2gradient=True)
    )


def test_canny_rejects_bad_input():
    with pytest.raises(ValueError, match="gray"):
        canny_numpy(np.zeros((4, 4), np.float32), 1, 2)
    with pytest.raises(ValueError, match="low"):
        canny_numpy(np.zeros((4, 4), np.uint8), -1, 2)


def test_display_modes_follow_their_formulas():
    r = np.array([[-300.0, -10.4, 0.0, 10.6, 90.0, 300.0]], np.float32)
    np.testing.assert_array_equal(display_response(r, "abs")[0], [255, 10, 0, 11, 90, 255])
    np.testing.assert_array_equal(display_response(r, "offset")[0], [0, 118, 128, 139, 218, 255])
    mm = display_response(r, "minmax")[0]
    assert mm[0] == 0 and mm[-1] == 255 and mm[2] == round(300 / 600 * 255)
    np.testing.assert_array_equal(
        display_response(r, "abs", signed=False)[0], [0, 0, 0, 11, 90, 255]
    )
    div = display_response(r, "diverging")
    assert div.shape == (1, 6, 3)
    np.testing.assert_array_equal(div[0, 0], DIVERGING_LUT[0])  # most negative: dark blue
    np.testing.assert_array_equal(div[0, -1], DIVERGING_LUT[255])  # most positive: dark red
    assert div[0, 2].min() > 230  # zero: near white
    assert display_response(np.zeros((2, 2)), "minmax").max() == 0
    with pytest.raises(ValueError, match="mode"):
        display_response(r, "log")


def test_options_validate_and_round_trip():
    opts = GalleryOptions(color_mode="color", blur_sigma=1.5, border="wrap", display="diverging")
    assert GalleryOptions.from_dict(opts.to_dict()) == opts
    assert GalleryOptions.from_dict({"border": "nonsense", "blur_sigma": "x"}) == GalleryOptions()
    assert GalleryOptions.from_dict(None) == GalleryOptions()
    for kwargs, name in [
        ({"border": "mirror"}, "border"),
        ({"blur_sigma": -1}, "blur_sigma"),
        ({"canny_low": 200, "canny_high": 100}, "canny_low"),
        ({"display": "abs2"}, "display"),
        ({"zero_cross_threshold": 2}, "zero_cross_threshold"),
    ]:
        with pytest.raises(ValueError, match=name):
            GalleryOptions(**kwargs)


def test_pipeline_computes_every_tile_as_uint8():
    pipeline = GalleryPipeline(
        GalleryOptions(color_mode="color", blur_sigma=1.0), preview_max_side=80
    )
    tiles = pipeline.tiles()
    assert len(tiles) == len(FILTER_LIBRARY) + len(DERIVED_KEYS)
    result = pipeline.process(CHART, selected="canny")
    assert set(result.thumbnails) == {t.key for t in tiles}
    for key, thumb in result.thumbnails.items():
        assert thumb.dtype == np.uint8 and thumb.shape[:2] == (60, 80), key
    assert result.large.display.shape == (120, 160)
    assert result.comparison.max_abs_diff == 0  # numpy Canny is exact
    assert result.total_ms > 0
    assert result.work is not None and result.work.shape == (120, 160, 3)  # colour, blurred
    for image in [*result.thumbnails.values(), result.large.display]:  # display-ready
        assert image.dtype == np.uint8 and image.flags.c_contiguous
        assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)


@pytest.mark.parametrize("key", [*FILTER_LIBRARY, *DERIVED_KEYS])
def test_backends_agree_on_every_tile(key):
    pipeline = GalleryPipeline(GalleryOptions(border="wrap", blur_sigma=0.8))
    comparison = pipeline.compare_backends(pipeline.working(CHART), pipeline.tile(key))
    if key in ("gradient_orientation", "log_zero_crossings"):
        assert comparison.differing_fraction < 0.002  # float rounding near 0 may flip a pixel
    else:
        assert comparison.max_abs_diff < 1e-2
    assert comparison.numpy_ms > 0 and comparison.opencv_ms > 0


def test_custom_kernels_are_validated():
    pipeline = GalleryPipeline()
    key = pipeline.add_custom_kernel("edge", [[1, 0, -1]])
    spec = pipeline.tile(key)
    assert key == "custom:edge" and spec.signed and spec.kernel_text == " 1  0 −1"
    assert pipeline.tiles()[-1].key == key
    np.testing.assert_array_equal(pipeline.custom_kernels()["edge"], [[1, 0, -1]])
    pipeline.remove_custom_kernel(key)
    assert pipeline.custom_kernels() == {}
    with pytest.raises(ValueError, match="not a gallery tile"):
        pipeline.tile(key)
    for bad, match in [
        ([[np.nan]], "NaN"),
        (np.ones((3, 3, 3)), "2-D"),
        (np.ones((40, 3)), "31"),
        ("abc", "numeric|2-D"),
    ]:
        with pytest.raises(ValueError, match=match):
            pipeline.add_custom_kernel("bad", bad)


def test_process_frame_equals_the_large_view():
    frame = RNG.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    opts = GalleryOptions(display="offset", border="replicate")
    pipeline = GalleryPipeline(opts)
    large = pipeline.process(frame, selected="prewitt_y", thumbnails=False).large
    np.testing.assert_array_equal(process_frame(frame, "prewitt_y", options=opts), large.display)


def test_to_working_scales_every_dtype_to_0_255():
    rgb16 = np.full((2, 2, 3), 65535, np.uint16)
    np.testing.assert_allclose(to_working(rgb16), 255, atol=1e-3)
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 3] = 255
    assert to_working(rgba, "color").shape == (2, 2, 3)
    np.testing.assert_allclose(to_working(np.full((2, 2), 0.5, np.float32)), 127.5)
    assert to_working(np.zeros((2, 2), np.uint8), "color").shape == (2, 2, 3)
    for bad in (np.zeros((2, 2, 5), np.uint8), np.zeros((0, 2), np.uint8), np.zeros((2, 2), bool)):
        with pytest.raises(ValueError, match="frame"):
            to_working(bad)


def test_gaussian_blur_wrap_matches_circular_reference():
    img = RNG.random((16, 16)).astype(np.float32)
    blurred = gaussian_blur(img, 1.0, "wrap")
    tiled = cv2.GaussianBlur(np.tile(img, (3, 3)), (7, 7), 1.0)[16:32, 16:32]
    np.testing.assert_allclose(blurred, tiled, atol=1e-5)
    np.testing.assert_array_equal(gaussian_blur(img, 0, "zero"), img)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_blur(img, 30)


def test_input_display_and_sanitize():
    assert input_display(np.full((2, 2), 65535, np.uint16)).max() == 255
    assert input_display(np.ones((2, 2, 4), np.float32)).shape == (2, 2, 3)
    assert sanitize_for_display(np.zeros((0, 0))) is None
    assert sanitize_for_display(np.zeros(5)) is None
    assert sanitize_for_display(np.zeros((2, 2, 5))) is None
    assert sanitize_for_display(np.array([[np.nan, np.inf]])).tolist() == [[0.0, 0.0]]
    assert sanitize_for_display(np.ones((2, 2), bool)).max() == 255


def test_kernel_text_is_aligned_with_unicode_minus():
    assert kernel_text(np.array([[-1, 0, 1]]), "1/2") == "−1  0  1\n× 1/2"
    assert kernel_text(np.ones((9, 9))) == "9×9 kernel"


def test_robust_max_ignores_a_few_hot_pixels():
    values = np.ones(1000, np.float32)
    values[:5] = 1e6
    assert robust_max(values) == 1.0
    assert robust_max(values, 100) == 1e6
    assert robust_max(np.zeros(0)) == 0.0


def test_preview_size_and_pipeline_arguments():
    assert preview_size((1080, 1920), 480) == (270, 480)
    assert preview_size((100, 50), 480) == (100, 50)  # never scaled up
    for bad in (8, 480.0, True):
        with pytest.raises(ValueError, match="preview_max_side"):
            GalleryPipeline(preview_max_side=bad)
    with pytest.raises(ValueError, match="backend"):
        GalleryPipeline().process(CHART, selected="sobel_x", backend="cuda")


def test_diverging_scale_is_robust_to_a_few_strong_edges():
    from engine.images.gallery import diverging_scale

    plane = np.zeros((100, 100), np.float32)
    plane[:, :10] = -50.0  # 10 % of the pixels respond with |r| = 50
    plane[0, 0] = 5000.0  # one extreme pixel does not wash the map out
    assert diverging_scale(plane) == 50.0
    assert diverging_scale(np.zeros((3, 3))) == 0.0
    sparse = np.zeros((100, 100), np.float32)
    sparse[0, 0] = -7.0  # fewer than 1 % non-zero: fall back to max |r|
    assert diverging_scale(sparse) == 7.0
