"""engine.images.io: good and bad image files made in the test, EXIF, bombs, PNG saving."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.images.io import (
    ImageLoadError,
    apply_exif_orientation,
    decode_image,
    load_image,
    read_image_header,
    save_png,
)
from tests.media import jpeg_with_exif, png_bytes, png_header_only

RNG = np.random.default_rng(7)


def _write(path, ext, img, params=()):
    ok, buf = cv2.imencode(ext, img, list(params))
    assert ok
    path.write_bytes(buf.tobytes())
    return path


def _bgr(h=30, w=40):
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("ext", [".png", ".bmp", ".tiff", ".webp", ".ppm"])
def test_lossless_colour_files_load_as_rgb(tmp_path, ext):
    bgr = _bgr()
    params = [cv2.IMWRITE_WEBP_QUALITY, 101] if ext == ".webp" else []
    path = _write(tmp_path / f"img{ext}", ext, bgr, params)
    out = load_image(path)
    assert out.dtype == np.uint8 and out.shape == (30, 40, 3)
    np.testing.assert_array_equal(out, bgr[:, :, ::-1])


def test_jpeg_loads_as_rgb_close_to_source(tmp_path):
    bgr = np.zeros((32, 48, 3), np.uint8)
    bgr[:, :24] = (255, 0, 0)  # blue in BGR
    out = load_image(_write(tmp_path / "a.jpg", ".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 100]))
    assert out.shape == (32, 48, 3)
    assert out[16, 5, 2] > 240 and out[16, 5, 0] < 15  # blue ends up in channel 2 of RGB


def test_grayscale_stays_2d(tmp_path):
    gray = RNG.integers(0, 256, (25, 17), dtype=np.uint8)
    out = load_image(_write(tmp_path / "g.png", ".png", gray))
    assert out.shape == (25, 17)
    np.testing.assert_array_equal(out, gray)


def test_16_bit_png_keeps_depth(tmp_path):
    img = RNG.integers(0, 65536, (12, 9, 3), dtype=np.uint16)
    out = load_image(_write(tmp_path / "deep.png", ".png", img))
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, img[:, :, ::-1])


def test_alpha_png_loads_as_rgba(tmp_path):
    bgra = np.zeros((4, 5, 4), np.uint8)
    bgra[...] = (10, 20, 30, 40)
    out = load_image(_write(tmp_path / "alpha.png", ".png", bgra))
    assert out.shape == (4, 5, 4)
    assert out[0, 0].tolist() == [30, 20, 10, 40]


def test_non_ascii_file_name(tmp_path):
    bgr = _bgr(8, 8)
    path = _write(tmp_path / "bild_über_日本語.png", ".png", bgr)
    np.testing.assert_array_equal(load_image(path), bgr[:, :, ::-1])


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("big_endian", [False, True])
def test_exif_orientation_matches_opencv_imread_color(tmp_path, orientation, big_endian):
    bgr = np.zeros((24, 40, 3), np.uint8)
    bgr[:8, :10] = (0, 0, 255)  # an asymmetric red block in the top-left corner
    bgr[16:, 30:] = (0, 255, 0)
    data = jpeg_with_exif(bgr, orientation, big_endian)
    path = tmp_path / f"exif{orientation}.jpg"
    path.write_bytes(data)
    assert read_image_header(data).orientation == orientation
    out = load_image(path)
    # Independent reference: OpenCV's own EXIF handling under IMREAD_COLOR.
    reference = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert out.shape == reference.shape
    np.testing.assert_array_equal(out, cv2.cvtColor(reference, cv2.COLOR_BGR2RGB))
    if orientation in (5, 6, 7, 8):
        assert out.shape[:2] == (40, 24)


def test_exif_orientation_rejects_bad_value():
    with pytest.raises(ValueError, match="orientation"):
        apply_exif_orientation(np.zeros((2, 2)), 9)


def test_missing_file(tmp_path):
    with pytest.raises(ImageLoadError, match="does not exist") as info:
        load_image(tmp_path / "nope.png")
    assert info.value.reason == "missing" and "nope.png" in str(info.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageLoadError, match="empty") as info:
        load_image(path)
    assert info.value.reason == "empty" and "empty.png" in str(info.value)


def test_random_bytes_are_not_an_image(tmp_path):
    path = tmp_path / "noise.jpg"
    path.write_bytes(RNG.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(ImageLoadError, match="not an image") as info:
        load_image(path)
    assert info.value.reason == "not an image" and "noise.jpg" in str(info.value)


def test_folder_is_not_an_image(tmp_path):
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".webp", ".gif"])
def test_truncated_files(tmp_path, ext):
    ok, buf = cv2.imencode(ext, _bgr(64, 64))
    assert ok
    path = tmp_path / f"cut{ext}"
    path.write_bytes(buf.tobytes()[: len(buf) // 2])
    with pytest.raises(ImageLoadError, match="truncated") as info:
        load_image(path)
    assert info.value.reason == "truncated"
    assert cv2.imread(str(path)) is None or ext == ".jpg"  # what the app must not rely on


def test_too_large_header_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(100_000, 100_000))
    with pytest.raises(ImageLoadError, match="too large|more than the limit") as info:
        load_image(path)
    assert info.value.reason == "too large"
    assert "100000×100000" in str(info.value)


def test_max_pixels_limit_applies_to_real_images(tmp_path):
    path = _write(tmp_path / "small.png", ".png", _bgr(10, 10))
    with pytest.raises(ImageLoadError, match="limit"):
        load_image(path, max_pixels=99)
    assert load_image(path, max_pixels=100).shape == (10, 10, 3)
    with pytest.raises(ValueError, match="max_pixels"):
        load_image(path, max_pixels=0)


def test_corrupt_png_body(tmp_path):
    data = bytearray(cv2.imencode(".png", _bgr())[1].tobytes())
    data[40:60] = b"\x00" * 20  # damages IDAT, keeps the header and IEND
    path = tmp_path / "bad.png"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert info.value.reason in ("corrupt", "truncated")


@given(
    st.binary(max_size=300), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM"])
)
def test_decode_never_raises_anything_but_image_load_error(data, prefix):
    try:
        out = decode_image(prefix + data, "fuzz.bin")
    except ImageLoadError:
        return
    assert out.ndim in (2, 3)


@given(
    arrays(
        np.uint8,
        st.tuples(st.integers(1, 12), st.integers(1, 12), st.sampled_from([0, 3, 4])).map(
            lambda s: s[:2] if s[2] == 0 else s
        ),
    )
)
def test_save_png_round_trips(tmp_path_factory, image):
    path = tmp_path_factory.mktemp("png") / "round.png"
    save_png(path, image)
    np.testing.assert_array_equal(load_image(path), image)


def test_save_png_replaces_atomically_and_keeps_mode(tmp_path):
    path = tmp_path / "out.png"
    save_png(path, np.zeros((3, 3), np.uint8))
    os.chmod(path, 0o640)
    save_png(path, np.full((3, 3), 7, np.uint8))
    assert (path.stat().st_mode & 0o777) == 0o640
    assert load_image(path)[0, 0] == 7
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


@pytest.mark.parametrize(
    "bad", [np.zeros((3, 3), np.float32), np.zeros((3, 3, 2), np.uint8), np.zeros((0, 3), np.uint8)]
)
def test_save_png_rejects_bad_arrays(tmp_path, bad):
    with pytest.raises(ValueError, match="image"):
        save_png(tmp_path / "x.png", bad)


def test_float32_tiff_and_16_bit_tiff(tmp_path):
    floats = RNG.random((6, 7)).astype(np.float32)
    out = load_image(_write(tmp_path / "f.tiff", ".tiff", floats))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, floats)
    deep = RNG.integers(0, 65536, (5, 4, 3), dtype=np.uint16)
    out16 = load_image(_write(tmp_path / "d.tif", ".tif", deep))
    assert out16.dtype == np.uint16
    np.testing.assert_array_equal(out16, deep[:, :, ::-1])


def test_gray_with_alpha_png_becomes_rgba(tmp_path):
    # OpenCV cannot write gray+alpha (PNG colour type 4), so the file is built by hand.
    rows = b"".join(b"\x00" + bytes([77, 200, 10, 50]) for _ in range(2))
    path = tmp_path / "ga.png"
    path.write_bytes(png_bytes(2, 2, colour_type=4, rows=rows))
    out = load_image(path)
    assert out.shape == (2, 2, 4)
    assert out[0].tolist() == [[77, 77, 77, 200], [10, 10, 10, 50]]
