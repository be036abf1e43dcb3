"""Gallery thumbnails at the tile's resolution: downscaling, shared intermediates, references."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.images.chart import make_test_chart
from engine.images.frame_sources import SyntheticSource
from engine.images.gallery import (
    BORDER_MODES,
    GalleryOptions,
    GalleryPipeline,
    SharedIntermediates,
    downscale_area,
    preview_size,
)

RNG = np.random.default_rng(11)


def _synthetic_frame(shape=(720, 1280)) -> np.ndarray:
    source = SyntheticSource(shape)
    source.open()
    try:
        return np.ascontiguousarray(source.read())
    finally:
        source.close()


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_downscale_by_powers_of_two_equals_one_step_area_resize(factor):
    # Repeated 2×2 means of float64 are the factor×factor mean: same as OpenCV's one step.
    image = RNG.random((8 * 12, 8 * 20, 3))
    size = (image.shape[0] // factor, image.shape[1] // factor)
    ours = downscale_area(image, size)
    reference = cv2.resize(image, size[::-1], interpolation=cv2.INTER_AREA)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-12)
    # and against a brute-force block mean
    blocks = image.reshape(size[0], factor, size[1], factor, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(ours, blocks, rtol=0, atol=1e-12)


def test_downscale_of_a_real_frame_is_close_to_one_step_area_resize():
    for frame in (_synthetic_frame(), make_test_chart(480, 640)):
        h, w = preview_size(frame.shape, 184)
        ours = downscale_area(frame, (h, w)).astype(int)
        reference = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA).astype(int)
        assert ours.shape == reference.shape and ours.dtype == reference.dtype
        diff = np.abs(ours - reference)
        assert diff.mean() < 2.0  # pixel footprints of two steps differ slightly at edges
        assert abs(ours.mean() - reference.mean()) < 0.5  # brightness is kept


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 70),
    w=st.integers(1, 70),
    th=st.integers(1, 70),
    tw=st.integers(1, 70),
    value=st.integers(0, 255),
)
def test_downscale_keeps_a_flat_image_flat(h, w, th, tw, value):
    th, tw = min(th, h), min(tw, w)
    image = np.full((h, w), value, dtype=np.uint8)
    out = downscale_area(image, (th, tw))
    assert out.shape == (th, tw)
    assert (out == value).all()


def test_downscale_rejects_bad_arguments():
    image = np.zeros((10, 10), dtype=np.uint8)
    for bad in [(0, 5), (5, 11), (-1, 3)]:
        with pytest.raises(ValueError, match="size"):
            downscale_area(image, bad)
    with pytest.raises(ValueError, match="image"):
        downscale_area(np.zeros((0, 4)), (1, 1))


@pytest.mark.parametrize(
    "options",
    [
        GalleryOptions(),
        GalleryOptions(color_mode="color", blur_sigma=1.0, border="wrap"),
        GalleryOptions(display="diverging", border="zero"),
        GalleryOptions(display="minmax", border="replicate", blur_sigma=0.5),
    ],
)
def test_thumbnails_with_shared_intermediates_equal_tiles_computed_alone(options):
    frame = make_test_chart(240, 320)
    pipeline = GalleryPipeline(options, preview_max_side=100)
    pipeline.add_custom_kernel("sobel again", FILTER_SOBEL_X)
    result = pipeline.process(frame, thumbnails=True, compare=False)
    h, w = preview_size(frame.shape, 100)
    work = pipeline.working(downscale_area(frame, (h, w)))
    assert set(result.thumbnails) == {spec.key for spec in pipeline.tiles()}
    for spec in pipeline.tiles():
        alone = pipeline.compute(work, spec, "opencv")  # no sharing
        np.testing.assert_array_equal(result.thumbnails[spec.key], alone.display, err_msg=spec.key)


FILTER_SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


def test_shared_intermediates_reuse_the_sobel_responses():
    work = RNG.random((30, 40)).astype(np.float32) * 255
    shared = SharedIntermediates(work, "reflect101", "opencv")
    gx = shared.filtered(np.array(FILTER_SOBEL_X, dtype=np.float64))
    assert shared.filtered(np.array(FILTER_SOBEL_X, dtype=np.float32)) is gx
    assert shared.filtered(np.array(FILTER_SOBEL_X), on_gray=True) is gx  # gray work = its gray
    np.testing.assert_allclose(gx, cv2.Sobel(work, cv2.CV_32F, 1, 0), atol=1e-3)
    assert shared.matches(work, "reflect101", "opencv")
    assert not shared.matches(work.copy(), "reflect101", "opencv")
    assert not shared.matches(work, "wrap", "opencv")


@pytest.mark.parametrize("border", BORDER_MODES)
def test_thumbnails_at_tile_resolution_match_an_opencv_reference(border):
    # Reference: OpenCV's one-step INTER_AREA shrink, grayscale, cv2.Sobel / cv2.blur.
    frame = _synthetic_frame()
    pipeline = GalleryPipeline(GalleryOptions(border=border), preview_max_side=184)
    result = pipeline.process(frame, thumbnails=["sobel_x", "box3", "gradient_magnitude"])
    assert set(result.thumbnails) == {"sobel_x", "box3", "gradient_magnitude"}
    h, w = result.thumbnails["box3"].shape
    assert max(h, w) == 184 and (h, w) == preview_size(frame.shape, 184)
    small = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    cv_border = {
        "zero": cv2.BORDER_CONSTANT,
        "replicate": cv2.BORDER_REPLICATE,
        "reflect": cv2.BORDER_REFLECT,
        "reflect101": cv2.BORDER_REFLECT_101,
        "wrap": None,
    }[border]
    if cv_border is None:  # cv2.Sobel refuses BORDER_WRAP: compare the interior only
        cv_border, inner = cv2.BORDER_REFLECT_101, np.s_[2:-2, 2:-2]
    else:
        inner = np.s_[:, :]
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, borderType=cv_border)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, borderType=cv_border)
    references = {
        "sobel_x": cv2.convertScaleAbs(gx),
        "box3": cv2.convertScaleAbs(cv2.blur(gray, (3, 3), borderType=cv_border)),
        "gradient_magnitude": cv2.convertScaleAbs(cv2.magnitude(gx, gy)),
    }
    for key, reference in references.items():
        ours = result.thumbnails[key][inner].astype(float)
        ref = reference[inner].astype(float)
        assert np.abs(ours - ref).mean() < 3.0, key
        assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.99, key
