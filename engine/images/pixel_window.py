"""One output pixel of a same-size filter, taken apart: its k×k window, the kernel, the
products and their sum — border handling included (what the gallery shows on hover).

The window is read through the same border extension the pipeline pads with
(:func:`engine.images._borders.pad_image`), so ``result`` equals the filtered image at that
pixel (:func:`engine.images._borders.filter_same`, up to float32 rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.checks import check_choice, is_integer
from engine.images._borders import BORDER_MODES, pad_image

__all__ = ["PixelWindow", "pixel_window"]


@dataclass(frozen=True)
class PixelWindow:
    """The computation of ``out[row, col]`` for a cross-correlation with ``kernel``.

    Attributes
    ----------
    row, col
        The output pixel.
    kernel
        The kernel (kh, kw), float64.
    values
        The input under the kernel, (kh, kw) or (kh, kw, 3) for colour, float64; taps outside
        the image hold what the ``border`` mode puts there.
    products
        ``kernel · values`` tap by tap (same shape as ``values``).
    result
        The sum of ``products`` per channel: a float, or a length-3 array for colour.
    source_rows, source_cols
        For each kernel row / column, the image row / column it reads (after the border
        mapping); −1 where the ``"zero"`` border supplies a 0.
    outside
        (kh, kw) bool: taps that fall outside the image (filled by the border mode).
    border
        The border mode used.
    """

    row: int
    col: int
    kernel: np.ndarray
    values: np.ndarray
    products: np.ndarray
    result: float | np.ndarray
    source_rows: np.ndarray
    source_cols: np.ndarray
    outside: np.ndarray
    border: str


def _source_indices(size: int, centre: int, before: int, after: int, border: str) -> np.ndarray:
    """Image indices read by taps ``centre − before … centre + after`` under ``border``."""
    if size <= 0:
        raise ValueError(f"image size must be positive, got {size}")
    index = np.arange(size)
    if border == "zero":
        padded = np.concatenate([np.full(before, -1), index, np.full(after, -1)])
    else:
        # The extension the pipeline pads the whole image with, applied to an index ramp.
        padded = pad_image(index.reshape(1, -1), (0, 0, before, after), border, "numpy")[0]
    return padded[centre : centre + before + after + 1]


def pixel_window(
    image: np.ndarray, kernel: object, row: int, col: int, *, border: str = "reflect101"
) -> PixelWindow:
    """Take apart ``filter_same(image, kernel, border=border)[row, col]``.

    Parameters
    ----------
    image
        The working image (H, W) or (H, W, 3), as the filter saw it (after any pre-blur).
    kernel
        A non-empty finite 2-D kernel, applied as cross-correlation anchored at
        ``(kh // 2, kw // 2)`` (OpenCV's default anchor).
    row, col
        The output pixel, inside the image.
    border
        One of :data:`engine.images._borders.BORDER_MODES`.
    """
    check_choice(border, "border", BORDER_MODES)
    img = np.asarray(image)
    if img.ndim not in (2, 3) or img.size == 0 or (img.ndim == 3 and img.shape[2] != 3):
        raise ValueError(f"image must be (H, W) or (H, W, 3) and non-empty, got {img.shape}")
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.size == 0:
        raise ValueError(f"kernel must be a non-empty 2-D array, got shape {k.shape}")
    if not np.isfinite(k).all():
        raise ValueError("kernel contains NaN or infinity")
    h, w = img.shape[:2]
    for name, value, size in (("row", row, h), ("col", col, w)):
        if not is_integer(value):
            raise ValueError(f"{name} must be an int, got {value!r}")
        if not 0 <= value < size:
            raise ValueError(f"{name} must be between 0 and {size - 1}, got {value}")
    kh, kw = k.shape
    ay, ax = kh // 2, kw // 2
    rows = _source_indices(h, int(row), ay, kh - 1 - ay, border)
    cols = _source_indices(w, int(col), ax, kw - 1 - ax, border)
    valid = (rows[:, None] >= 0) & (cols[None, :] >= 0)
    values = img[np.clip(rows, 0, None)[:, None], np.clip(cols, 0, None)[None, :]]
    values = values.astype(np.float64)
    values[~valid] = 0.0
    weights = k if values.ndim == 2 else k[:, :, None]
    products = weights * values
    total = products.sum(axis=(0, 1))
    offsets_r = int(row) - ay + np.arange(kh)
    offsets_c = int(col) - ax + np.arange(kw)
    outside = ((offsets_r < 0) | (offsets_r >= h))[:, None] | ((offsets_c < 0) | (offsets_c >= w))[
        None, :
    ]
    return PixelWindow(
        row=int(row),
        col=int(col),
        kernel=k,
        values=values,
        products=products,
        result=float(total) if np.ndim(total) == 0 else total,
        source_rows=rows,
        source_cols=cols,
        outside=outside,
        border=border,
    )
