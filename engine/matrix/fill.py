"""Ways to fill a matrix for an exercise: zeros, random integers, a ramp, a checkerboard, or a
grey-level patch cropped from an image."""

from __future__ import annotations

import cv2
import numpy as np

MAX_FILL_SIDE = 64


def _shape(shape: tuple[int, int]) -> tuple[int, int]:
    try:
        rows, cols = (int(shape[0]), int(shape[1]))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"shape must be (rows, cols), got {shape!r}") from None
    if not (1 <= rows <= 4096 and 1 <= cols <= 4096):
        raise ValueError(f"shape must have 1…4096 rows and columns, got {shape!r}")
    return rows, cols


def fill_zeros(shape: tuple[int, int]) -> np.ndarray:
    """An int64 matrix of zeros."""
    return np.zeros(_shape(shape), dtype=np.int64)


def fill_random_ints(
    shape: tuple[int, int], low: int, high: int, *, seed: int | None = None
) -> np.ndarray:
    """Random integers drawn uniformly from ``low`` … ``high`` (both included), int64.

    Raises
    ------
    ValueError
        If ``low > high``.
    """
    if int(low) > int(high):
        raise ValueError(f"low must not exceed high, got low={low!r}, high={high!r}")
    rng = np.random.default_rng(seed)
    return rng.integers(int(low), int(high), size=_shape(shape), endpoint=True, dtype=np.int64)


def fill_ramp(shape: tuple[int, int], *, start: int = 0, step: int = 1) -> np.ndarray:
    """``start, start + step, …`` in reading order (row by row), int64."""
    rows, cols = _shape(shape)
    return (int(start) + int(step) * np.arange(rows * cols, dtype=np.int64)).reshape(rows, cols)


def fill_checkerboard(
    shape: tuple[int, int], *, low: int = 0, high: int = 1, square: int = 1
) -> np.ndarray:
    """A checkerboard of ``square``×``square`` blocks, ``high`` in the top-left block."""
    rows, cols = _shape(shape)
    if int(square) < 1:
        raise ValueError(f"square must be at least 1, got {square!r}")
    r = np.arange(rows)[:, None] // int(square)
    c = np.arange(cols)[None, :] // int(square)
    return np.where((r + c) % 2 == 0, int(high), int(low)).astype(np.int64)


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey levels of an RGB/RGBA or single-channel image, rounded to int64 for 8-bit input.

    Colour images are taken as RGB (the engine converts BGR once, when it loads a file).
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim == 3 and img.shape[2] in (3, 4):
        rgb = np.ascontiguousarray(img[:, :, :3])
        if rgb.dtype != np.uint8:
            rgb = rgb.astype(np.float32)
        img = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if img.ndim != 2 or img.size == 0:
        raise ValueError(f"image must be a 2-D grey or RGB(A) image, got shape {img.shape}")
    if img.dtype.kind in "iub":
        return img.astype(np.int64)
    return np.asarray(img, dtype=np.float64)


def crop_patch(
    image: np.ndarray,
    shape: tuple[int, int],
    *,
    top: int | None = None,
    left: int | None = None,
) -> np.ndarray:
    """A ``rows×cols`` grey patch of ``image`` (centred unless ``top``/``left`` are given).

    Raises
    ------
    ValueError
        If the image is smaller than the patch or the position puts the patch outside it.
    """
    grey = to_grey(image)
    rows, cols = _shape(shape)
    h, w = grey.shape
    if rows > h or cols > w:
        raise ValueError(f"the image ({h}×{w}) is smaller than the {rows}×{cols} patch")
    t = (h - rows) // 2 if top is None else int(top)
    lft = (w - cols) // 2 if left is None else int(left)
    if not (0 <= t <= h - rows and 0 <= lft <= w - cols):
        raise ValueError(
            f"top={top!r}, left={left!r} put the {rows}×{cols} patch outside the {h}×{w} image"
        )
    return grey[t : t + rows, lft : lft + cols].copy()


def resize_matrix(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Crop or zero-extend ``values`` to ``shape`` keeping the top-left block (dtype kept)."""
    rows, cols = _shape(shape)
    src = np.asarray(values)
    out = np.zeros((rows, cols), dtype=src.dtype)
    r, c = min(rows, src.shape[0]), min(cols, src.shape[1])
    out[:r, :c] = src[:r, :c]
    return out
