"""MNIST-sized data without MNIST: 70,000 synthetic 28×28 digits written as IDX files.

MNIST itself is not on the benchmark machines (no downloads).  Each synthetic digit is one of
the 1,797 built-in UCI 8×8 digits, enlarged to 20×20 (bicubic, as MNIST's digits fill a 20×20
box), placed in a 28×28 frame with a random shift of up to ±3 pixels, blurred a little and
given faint noise, then stored as bytes 0–255 like MNIST.  The files have MNIST's names and
format: ``train-images-idx3-ubyte`` (60,000), ``train-labels-idx1-ubyte``, ``t10k-images-…``
(10,000) and ``t10k-labels-…``; the first 1,437 UCI digits feed the training file and the
other 360 the test file, so the test digits were never trained on.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from engine.train import load_digits

TRAIN, TEST = 60_000, 10_000
SIDE, BOX, SHIFT = 28, 20, 3


def _write_idx(path: Path, array: np.ndarray) -> None:
    """An IDX file: magic (0, 0, 0x08 = ubyte, ndim), big-endian sizes, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def _render(images: np.ndarray, count: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    picks = rng.integers(0, len(images), count)
    big = np.stack([cv2.resize(im, (BOX, BOX), interpolation=cv2.INTER_CUBIC) for im in images])
    big = np.clip(big, 0.0, 1.0)
    out = np.zeros((count, SIDE, SIDE), np.float32)
    offsets = rng.integers(-SHIFT, SHIFT + 1, (count, 2))
    top = (SIDE - BOX) // 2
    for i, (pick, (dy, dx)) in enumerate(zip(picks, offsets, strict=True)):
        y, x = top + dy, top + dx
        out[i, y : y + BOX, x : x + BOX] = big[pick]
    out = np.stack([cv2.GaussianBlur(im, (3, 3), 0.6) for im in out])
    out += rng.normal(0.0, 0.03, out.shape).astype(np.float32)
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8), picks


def write_synthetic_mnist(folder: Path, seed: int = 0) -> dict[str, Path]:
    """Write the four IDX files into ``folder``; return their paths by name."""
    digits = load_digits()
    split = 1437
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, count, images, labels in (
        ("train", TRAIN, digits.images[:split], digits.labels[:split]),
        ("t10k", TEST, digits.images[split:], digits.labels[split:]),
    ):
        rendered, picks = _render(images, count, rng)
        paths[f"{name}-images"] = folder / f"{name}-images-idx3-ubyte"
        paths[f"{name}-labels"] = folder / f"{name}-labels-idx1-ubyte"
        _write_idx(paths[f"{name}-images"], rendered)
        _write_idx(paths[f"{name}-labels"], labels[picks].astype(np.uint8))
    return paths
