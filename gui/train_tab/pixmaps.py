"""Small arrays (digits, filters, feature maps) as enlarged pixmaps with visible pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

#: Diverging colours for signed values: negative blue, zero white, positive red (Okabe–Ito-ish).
NEGATIVE = np.array([0, 114, 178], dtype=np.float64)
POSITIVE = np.array([213, 94, 0], dtype=np.float64)
WHITE = np.array([255, 255, 255], dtype=np.float64)
#: Grey of the gaps between feature-map channels.
GAP = 0.3


def _pixmap(rgb: np.ndarray, width: int, height: int) -> QPixmap:
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(
        image.scaled(
            width,
            height,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,  # nearest neighbour: pixels stay square
        )
    )


def gray_pixmap(values: np.ndarray, width: int, height: int | None = None) -> QPixmap:
    """A digit (0 = background, 1 = ink) shown as white ink on black, enlarged."""
    arr = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1.0, neginf=0.0)
    grey = np.clip(arr, 0.0, 1.0) * 255
    return _pixmap(np.repeat(grey[..., None], 3, axis=2), width, height or width)


def scaled_gray_pixmap(values: np.ndarray, width: int, height: int | None = None) -> QPixmap:
    """A non-negative map (a feature map after ReLU) scaled so its largest value is white."""
    arr = np.nan_to_num(np.asarray(values, dtype=np.float64))
    top = float(np.max(np.abs(arr))) if arr.size else 0.0
    return gray_pixmap(arr / top if top > 0 else arr, width, height)


def diverging_pixmap(values: np.ndarray, width: int, height: int | None = None) -> QPixmap:
    """A signed map (a kernel): blue < 0 < red, white at 0, scaled by its largest magnitude."""
    arr = np.nan_to_num(np.asarray(values, dtype=np.float64))
    top = float(np.max(np.abs(arr))) if arr.size else 0.0
    t = arr / top if top > 0 else arr
    pos = np.clip(t, 0, 1)[..., None]
    neg = np.clip(-t, 0, 1)[..., None]
    rgb = WHITE + pos * (POSITIVE - WHITE) + neg * (NEGATIVE - WHITE)
    return _pixmap(rgb, width, height or width)


def feature_grid(values: np.ndarray) -> np.ndarray:
    """Channels ``(C, H, W)`` tiled into one image (near-square grid, grey 1-pixel gaps), each
    channel scaled to its own largest magnitude."""
    c, h, w = values.shape
    cols = int(np.ceil(np.sqrt(c)))
    rows = int(np.ceil(c / cols))
    grid = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), GAP, dtype=np.float64)
    for i in range(c):
        r, k = divmod(i, cols)
        channel = values[i].astype(np.float64)
        top = float(np.max(np.abs(channel)))
        grid[r * (h + 1) : r * (h + 1) + h, k * (w + 1) : k * (w + 1) + w] = (
            channel / top if top > 0 else channel
        )
    return grid
