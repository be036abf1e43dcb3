"""Training data: the shipped digits equal scikit-learn's, real IDX files and image folders
written in tmp_path, validation of bad files, the split and the shifts."""

from __future__ import annotations

import gzip
import os
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import save_png
from engine.train import (
    load_digits,
    load_idx,
    load_image_folder,
    random_shift,
    shift_images,
    split_dataset,
    train_validation_split,
)


def test_digits_equal_scikit_learn_divided_by_16():
    from sklearn.datasets import load_digits as sk_load_digits

    ours = load_digits()
    reference = sk_load_digits()
    assert ours.images.shape == (1797, 8, 8)
    assert ours.images.dtype == np.float32
    np.testing.assert_array_equal(ours.images, (reference.images / 16.0).astype(np.float32))
    np.testing.assert_array_equal(ours.labels, reference.target)
    assert ours.images.min() == 0.0 and ours.images.max() == 1.0
    assert set(ours.labels.tolist()) == set(range(10))
    assert ours.as_input().shape == (1797, 1, 8, 8)


def _write_idx(path, array, *, compress=False, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    header = magic if magic is not None else bytes([0, 0, 8, array.ndim])
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    data = header + array.tobytes()
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _mnist_like(n=5, h=4, w=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, h, w), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_files_round_trip(tmp_path, compress):
    images, labels = _mnist_like()
    suffix = ".gz" if compress else ""
    ip = _write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images, compress=compress)
    lp = _write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels, compress=compress)
    data = load_idx(ip, lp)
    np.testing.assert_array_equal(data.images, images.astype(np.float32) / 255)
    np.testing.assert_array_equal(data.labels, labels)
    assert data.labels.dtype == np.int64


def test_idx_errors_name_the_problem(tmp_path):
    images, labels = _mnist_like()
    ip = _write_idx(tmp_path / "i", images)
    lp = _write_idx(tmp_path / "l", labels)
    bad_magic = _write_idx(tmp_path / "m", images, magic=b"\x12\x34\x08\x03")
    with pytest.raises(ValueError, match="bad magic number"):
        load_idx(bad_magic, lp)
    wrong_type = _write_idx(tmp_path / "t", images, magic=b"\x00\x00\x0d\x03")
    with pytest.raises(ValueError, match="only unsigned bytes"):
        load_idx(wrong_type, lp)
    with pytest.raises(ValueError, match="4 labels for 5 images"):
        load_idx(ip, _write_idx(tmp_path / "l4", labels[:4]))
    truncated = tmp_path / "cut"
    truncated.write_bytes(ip.read_bytes()[:-7])
    with pytest.raises(ValueError, match="should hold 60 bytes"):
        load_idx(truncated, lp)
    with pytest.raises(ValueError, match="expected 1 dimension"):
        load_idx(ip, ip)
    with pytest.raises(ValueError, match="expected 3 dimensions"):
        load_idx(lp, lp)
    with pytest.raises(ValueError, match="not a digit"):
        load_idx(ip, _write_idx(tmp_path / "l10", [1, 2, 3, 4, 10]))
    with pytest.raises(ValueError, match="does not exist"):
        load_idx(tmp_path / "missing", lp)
    with pytest.raises(ValueError, match="not a regular file"):
        load_idx(tmp_path, lp)
    not_gzip = tmp_path / "fake.gz"
    not_gzip.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(ValueError, match="gzip"):
        load_idx(not_gzip, lp)


def test_idx_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "train-images-idx3-ubyte"
    os.mkfifo(fifo)
    labels = _write_idx(tmp_path / "l", [1])
    with pytest.raises(ValueError, match="not a regular file"):
        load_idx(fifo, labels)


def _image_folder(root, classes=("cat", "dog"), per_class=3):
    expected = {}
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            img = np.full((12, 10), 40 * (c + 1) + i, np.uint8)
            if c == 1 and i == 0:  # an RGB file in the mix
                rgb = np.stack([img, img, img], axis=2)
                save_png(root / name / f"{i}.png", rgb)
            else:
                save_png(root / name / f"{i}.png", img)
            expected[(c, i)] = (40 * (c + 1) + i) / 255.0
    (root / "cat" / "notes.txt").write_text("not an image")
    return expected


def test_image_folder_one_class_per_subfolder(tmp_path):
    expected = _image_folder(tmp_path / "data")
    data = load_image_folder(tmp_path / "data", size=(6, 5))
    assert data.class_names == ("cat", "dog")
    assert data.images.shape == (6, 6, 5)
    np.testing.assert_array_equal(data.labels, [0, 0, 0, 1, 1, 1])
    for k, (_key, value) in enumerate(sorted(expected.items())):
        np.testing.assert_allclose(data.images[k], value, atol=1e-6)
    inverted = load_image_folder(tmp_path / "data", size=(6, 5), invert=True)
    np.testing.assert_allclose(inverted.images, 1 - data.images, atol=1e-6)


def test_image_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="is not a folder"):
        load_image_folder(tmp_path / "nope")
    (tmp_path / "one" / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="at least two sub-folders"):
        load_image_folder(tmp_path / "one")
    (tmp_path / "one" / "b").mkdir()
    save_png(tmp_path / "one" / "a" / "x.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="'b' holds no images"):
        load_image_folder(tmp_path / "one")
    (tmp_path / "one" / "b" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(ValueError, match="broken.png"):
        load_image_folder(tmp_path / "one")
    with pytest.raises(ValueError, match="size must be"):
        load_image_folder(tmp_path / "one", size=(0, 4))
    (tmp_path / "one" / "b" / "broken.png").unlink()
    os.mkfifo(tmp_path / "one" / "b" / "pipe.png")  # would block a plain open() forever
    with pytest.raises(ValueError, match="not a regular file"):
        load_image_folder(tmp_path / "one")


def test_split_is_seeded_disjoint_and_complete():
    train, val = train_validation_split(100, 0.2, seed=5)
    assert len(val) == 20 and len(train) == 80
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(100))
    again = train_validation_split(100, 0.2, seed=5)
    np.testing.assert_array_equal(again[1], val)
    assert not np.array_equal(train_validation_split(100, 0.2, seed=6)[1], val)
    digits = load_digits()
    tr, va = split_dataset(digits, 0.2, seed=0)
    assert len(tr.labels) + len(va.labels) == 1797
    with pytest.raises(ValueError, match="validation_fraction"):
        train_validation_split(10, 1.0)
    with pytest.raises(ValueError, match="n must be"):
        train_validation_split(1)


def _brute_shift(img, dy, dx):
    h, w = img.shape
    out = np.zeros_like(img)
    for r in range(h):
        for c in range(w):
            if 0 <= r - dy < h and 0 <= c - dx < w:
                out[r, c] = img[r - dy, c - dx]
    return out


@settings(max_examples=60, deadline=None)
@given(dy=st.integers(-9, 9), dx=st.integers(-9, 9), h=st.integers(1, 7), w=st.integers(1, 7))
def test_shift_images_equals_brute_force(dy, dx, h, w):
    img = np.arange(1, h * w + 1, dtype=np.float32).reshape(h, w)
    np.testing.assert_array_equal(shift_images(img, dy, dx), _brute_shift(img, dy, dx))
    batch = np.stack([img, -img])[:, None]
    out = shift_images(batch, dy, dx)
    np.testing.assert_array_equal(out[1, 0], _brute_shift(-img, dy, dx))


def test_random_shift_moves_each_image_within_k_pixels():
    rng = np.random.default_rng(0)
    images = np.zeros((200, 1, 9, 9), np.float32)
    images[:, 0, 4, 4] = 1.0  # one bright pixel in the centre: its new place is the shift
    out = random_shift(images, 2, rng)
    pos = np.argwhere(out[:, 0] == 1.0)
    assert len(pos) == 200
    dys, dxs = pos[:, 1] - 4, pos[:, 2] - 4
    assert set(dys.tolist()) == set(range(-2, 3)) and set(dxs.tolist()) == set(range(-2, 3))
    np.testing.assert_array_equal(random_shift(images, 0, rng), images)
    first = random_shift(images, 2, np.random.default_rng(7))
    np.testing.assert_array_equal(first, random_shift(images, 2, np.random.default_rng(7)))
