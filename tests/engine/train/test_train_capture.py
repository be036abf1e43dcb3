"""Webcam sets: frames as the model sees them, the capture cap, saving as a reloadable folder."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.train import (
    MAX_CAPTURES,
    CaptureLimitError,
    CaptureSet,
    capture_view,
    centre_square,
    check_class_names,
    gray_unit,
    load_image_folder,
)


def block_means(gray: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Reference: the mean of each block, by loops (the side a multiple of the size)."""
    h, w = size
    bh, bw = gray.shape[0] // h, gray.shape[1] // w
    out = np.empty(size)
    for r in range(h):
        for c in range(w):
            out[r, c] = gray[r * bh : (r + 1) * bh, c * bw : (c + 1) * bw].mean()
    return out


@given(st.integers(1, 40), st.integers(0, 30), st.booleans(), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_centre_square_is_the_middle_of_the_longer_side(side, extra, tall, seed):
    h, w = (side + extra, side) if tall else (side, side + extra)
    frame = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    square = centre_square(frame)
    assert square.shape == (side, side, 3)
    top, left = (extra // 2, 0) if tall else (0, extra // 2)
    np.testing.assert_array_equal(square, frame[top : top + side, left : left + side])


@given(st.sampled_from([(8, 8), (28, 28), (4, 6)]), st.integers(1, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_capture_view_is_gray_block_means_of_the_centre_square(size, scale, seed):
    side_h, side_w = size[0] * scale * 6, size[1] * scale * 6
    side = min(side_h, side_w)  # a square crop of a wider frame
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 256, (side, side + 2 * scale * 5, 3), dtype=np.uint8)
    crop = frame[:, scale * 5 : scale * 5 + side].astype(np.float64) / 255
    gray = 0.299 * crop[..., 0] + 0.587 * crop[..., 1] + 0.114 * crop[..., 2]
    target = (size[0], size[0]) if size[0] == size[1] else size
    if side % target[0] or side % target[1]:
        return
    view = capture_view(frame, target)
    assert view.dtype == np.float32 and view.shape == target
    np.testing.assert_allclose(view, block_means(gray, target), atol=2e-6)


def test_gray_unit_accepts_camera_formats_and_refuses_others():
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[0, 1] = (0, 255, 0)
    rgb[1, 0] = (0, 0, 255)
    np.testing.assert_allclose(gray_unit(rgb), [[0.299, 0.587], [0.114, 0.0]], atol=1e-6)
    rgba = np.concatenate([rgb, np.zeros((2, 2, 1), np.uint8)], axis=2)
    np.testing.assert_allclose(gray_unit(rgba), gray_unit(rgb))
    np.testing.assert_allclose(gray_unit(np.full((3, 3), 65535, np.uint16)), np.ones((3, 3)))
    np.testing.assert_allclose(gray_unit(np.array([[2.0, -1.0]])), [[1.0, 0.0]])
    for bad, words in [
        (np.zeros((2, 2, 2), np.uint8), "shape"),
        (np.zeros((4,), np.uint8), "shape"),
        (np.zeros((0, 3), np.uint8), "empty"),
        (np.zeros((2, 2), np.int32), "dtype"),
        (np.array([[np.nan, 0.0]]), "NaN"),
    ]:
        with pytest.raises(ValueError, match=words):
            gray_unit(bad)
    for size in [(0, 8), (8,), (8, 300), (True, 8), (8.0, 8), "8x8"]:
        with pytest.raises(ValueError, match="size"):
            capture_view(rgb, size)


def test_class_names_must_be_usable_folder_names():
    assert check_class_names([" thumbs up ", "fist"]) == ("thumbs up", "fist")
    assert check_class_names([str(i) for i in range(10)]) == tuple(str(i) for i in range(10))
    for names, words in [
        (["only one"], "2 to 10"),
        ([str(i) for i in range(11)], "2 to 10"),
        (["a", "  "], "class 2 has no name"),
        (["a", "x" * 41], "longer than 40"),
        (["a", "b/c"], "'/'"),
        (["a", "b\\c"], "cannot be a folder name"),
        (["a", "tab\there"], "cannot be a folder name"),
        (["a", ".hidden"], "dot"),
        (["a", ".."], "dot"),
        (["a", "CON"], "reserved"),
        (["Cat", "cat"], "class 1 and class 2 are both called 'cat'"),
        ("ab", "list of strings"),
        ([1, 2], "list of strings"),
    ]:
        with pytest.raises(ValueError, match=words):
            check_class_names(names)


def frame(level: int, shape=(30, 40)) -> np.ndarray:
    return np.full((*shape, 3), level, np.uint8)


def test_a_set_saves_as_a_folder_that_reloads_exactly(tmp_path):
    capture = CaptureSet(["zebra", "apple", "mango"], (8, 8))
    rng = np.random.default_rng(3)
    for label in range(3):
        for _ in range(4 + label):
            capture.add(label, rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    assert capture.counts() == [4, 5, 6] and capture.total == 15
    assert capture.delete(1, [0, 2]) == 2
    assert capture.counts() == [4, 3, 6]
    images, labels = capture.arrays()
    files = capture.save(tmp_path / "set")
    assert len(files) == 13 and all(f.suffix == ".png" for f in files)
    assert sorted(p.name for p in (tmp_path / "set").iterdir()) == ["apple", "mango", "zebra"]
    data = load_image_folder(tmp_path / "set", (8, 8))
    # The loader sorts the classes: apple, mango, zebra.
    assert data.class_names == ("apple", "mango", "zebra")
    order = {"apple": 1, "mango": 2, "zebra": 0}
    for name, ours in order.items():
        theirs = data.images[data.labels == data.class_names.index(name)]
        np.testing.assert_array_equal(theirs, images[labels == ours])


def test_the_stored_image_is_the_view_rounded_to_8_bits():
    capture = CaptureSet(["a", "b"], (28, 28))
    source = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    stored = capture.add(0, source)
    assert stored.dtype == np.uint8 and stored.shape == (28, 28)
    np.testing.assert_array_equal(stored, np.round(capture_view(source, (28, 28)) * 255))


def test_ten_thousand_captures_hit_the_cap_and_keep_everything():
    capture = CaptureSet(["a", "b"], (8, 8))
    small = frame(100, (8, 8))
    for i in range(MAX_CAPTURES):
        capture.add(i % 2, small)
    assert capture.total == MAX_CAPTURES and capture.full
    with pytest.raises(CaptureLimitError, match="10,000 images, the most one set can have"):
        capture.add(0, small)
    assert capture.counts() == [5000, 5000]
    capture.delete(0, [0])
    capture.add(1, small)  # room again after a delete
    assert capture.counts() == [4999, 5001]


def test_bad_arguments_are_refused_without_change():
    capture = CaptureSet(["a", "b"], (8, 8))
    capture.add(0, frame(10))
    for bad in (-1, 2, True, 1.0):
        with pytest.raises(ValueError, match="class index"):
            capture.add(bad, frame(10))
    with pytest.raises(ValueError, match="position"):
        capture.delete(0, [0, 1])
    assert capture.counts() == [1, 0]
    with pytest.raises(ValueError, match="limit"):
        CaptureSet(["a", "b"], (8, 8), limit=MAX_CAPTURES + 1)


def test_saving_refuses_empty_classes_and_busy_folders_and_changes_nothing(tmp_path):
    capture = CaptureSet(["a", "b"], (8, 8))
    capture.add(0, frame(10))
    with pytest.raises(ValueError, match="none yet for b"):
        capture.save(tmp_path / "x")
    assert not (tmp_path / "x").exists()
    capture.add(1, frame(200))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        capture.save(busy)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x")
    with pytest.raises(ValueError, match="is a file"):
        capture.save(blocker)
    with pytest.raises(ValueError, match="folder:"):
        capture.save(blocker / "inside")  # a file where a folder should be
    with pytest.raises(ValueError, match="too long|name"):
        capture.save(tmp_path / ("n" * 300))
    assert blocker.read_bytes() == b"x"
    assert capture.counts() == [1, 1]
    capture.save(tmp_path / "empty_is_fine")
    assert len(list((tmp_path / "empty_is_fine").rglob("*.png"))) == 2


def test_a_read_only_folder_gets_a_sentence_and_no_partial_set(tmp_path):
    capture = CaptureSet(["a", "b"], (8, 8))
    capture.add(0, frame(10))
    capture.add(1, frame(20))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.geteuid() == 0:  # root writes anywhere: a read-only folder cannot be made here
            (tmp_path / "file-in-the-way").write_bytes(b"x")
            with pytest.raises(ValueError, match="folder:"):
                capture.save(tmp_path / "file-in-the-way" / "set")
        else:
            with pytest.raises(ValueError, match="permission denied|read-only"):
                capture.save(locked)
            assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert capture.counts() == [1, 1]


def test_png_files_are_8_bit_gray(tmp_path):
    capture = CaptureSet(["a", "b"], (28, 28))
    capture.add(0, frame(77))
    capture.add(1, frame(180))
    for path in capture.save(tmp_path / "s"):
        decoded = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
        assert decoded.dtype == np.uint8 and decoded.shape == (28, 28)


def test_classes_are_renamed_added_and_removed_only_when_empty():
    capture = CaptureSet(["a", "b"], (8, 8))
    capture.add(0, frame(10))
    assert capture.rename(1, "  bee ") == "bee"
    with pytest.raises(ValueError, match="both called"):
        capture.rename(1, "A")
    assert capture.names == ("a", "bee")
    assert capture.add_class("c") == 2 and capture.counts() == [1, 0, 0]
    with pytest.raises(ValueError, match="holds 1 image: delete them first"):
        capture.remove_class(0)
    capture.remove_class(2)
    with pytest.raises(ValueError, match="2 to 10"):
        capture.remove_class(1)
    for i in range(8):
        capture.add_class(f"x{i}")
    with pytest.raises(ValueError, match="2 to 10"):
        capture.add_class("eleventh")
    assert len(capture.names) == len(capture.images) == 10
    assert capture.counts()[0] == 1
