"""Derived edge maps: Sobel gradients, magnitude, orientation as colour, zero crossings."""

from __future__ import annotations

import cv2
import numpy as np

from engine.conv.filters import FILTER_LIBRARY
from engine.images._borders import filter_same
from engine.images._display import robust_max

SOBEL_X = FILTER_LIBRARY["sobel_x"].kernel.astype(np.float32)
SOBEL_Y = FILTER_LIBRARY["sobel_y"].kernel.astype(np.float32)
LOG_KERNEL = FILTER_LIBRARY["log5"].kernel.astype(np.float32)


def sobel_gradients(
    image: np.ndarray, *, border: str = "reflect101", backend: str = "opencv"
) -> tuple[np.ndarray, np.ndarray]:
    """``(gx, gy)`` from the 3×3 Sobel kernels (equal to ``cv2.Sobel`` with ksize 3)."""
    gx = filter_same(image, SOBEL_X, border=border, backend=backend)
    gy = filter_same(image, SOBEL_Y, border=border, backend=backend)
    return gx, gy


def gradient_magnitude(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """``sqrt(gx² + gy²)`` (float32, ``cv2.magnitude``)."""
    fx = np.ascontiguousarray(gx, dtype=np.float32)
    fy = np.ascontiguousarray(gy, dtype=np.float32)
    return cv2.magnitude(fx.reshape(fx.shape[0], -1), fy.reshape(fy.shape[0], -1)).reshape(fx.shape)


def orientation_image(gx: np.ndarray, gy: np.ndarray, mag_scale: float | None = None) -> np.ndarray:
    """Gradient direction as hue, magnitude as brightness: RGB uint8.

    Hue = ``atan2(gy, gx)`` over the full circle in 2° steps (0° → red, pointing right; y points
    down; ``cv2.phase``, accurate to about 0.3°), value = ``clip(magnitude / mag_scale)``
    (default scale: the 99th percentile of the magnitude, else the maximum), full saturation.
    """
    if gx.shape != gy.shape or gx.ndim != 2:
        raise ValueError(f"gx and gy must be 2-D and equal in shape, got {gx.shape}, {gy.shape}")
    fx = np.ascontiguousarray(gx, dtype=np.float32)
    fy = np.ascontiguousarray(gy, dtype=np.float32)
    mag = cv2.magnitude(fx, fy)
    if mag_scale is None:
        scale = robust_max(mag)
        scale = scale if scale > 0 else float(mag.max())
    else:
        scale = float(mag_scale)
    hue = cv2.convertScaleAbs(cv2.phase(fx, fy, angleInDegrees=True), alpha=0.5)
    hue[hue >= 180] -= 180
    value = cv2.convertScaleAbs(mag, alpha=255.0 / scale) if scale > 0 else np.zeros_like(hue)
    hsv = cv2.merge([hue, np.full_like(hue, 255), value])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def zero_crossings(response: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Boolean map of sign changes of a 2-D ``response`` (e.g. a LoG).

    Pixel ``p`` is marked when its right or lower neighbour ``q`` has the opposite strict sign
    (``p·q < 0``) and ``|p − q| ≥ threshold``.
    """
    # float64: the difference of two float32 values is then exact, so the threshold test is too.
    r = np.asarray(response, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError(f"response must be 2-D, got shape {r.shape}")
    out = np.zeros(r.shape, dtype=bool)
    for a, b in ((r[:, :-1], r[:, 1:]), (r[:-1, :], r[1:, :])):
        hit = (a * b < 0) & (np.abs(a - b) >= threshold)
        out[: hit.shape[0], : hit.shape[1]] |= hit
    return out
