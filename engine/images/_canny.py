"""A numpy Canny edge detector that follows ``cv2.Canny(img, low, high, L2gradient=True)``.

Steps (as in OpenCV's ``canny.cpp``):

1. 3×3 Sobel ``gx``, ``gy`` with a replicated border (integers).
2. Squared L2 magnitude ``m = gx² + gy²``, compared with ``⌊low²⌋`` and ``⌊high²⌋``.
3. Non-maximum suppression in four direction sectors (tan 22.5° in 15-bit fixed point, as
   OpenCV), with the magnitude outside the image taken as 0.
4. Hysteresis: candidates above ``low`` that are 8-connected to a pixel above ``high``.
"""

from __future__ import annotations

import math

import numpy as np

_SHIFT = 15
_TG22 = int(0.4142135623730950488016887242097 * (1 << _SHIFT) + 0.5)


def _sobel_replicate(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.pad(img.astype(np.int64), 1, mode="edge")
    h, w = img.shape

    def s(dy: int, dx: int) -> np.ndarray:
        return p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]

    gx = (s(-1, 1) + 2 * s(0, 1) + s(1, 1)) - (s(-1, -1) + 2 * s(0, -1) + s(1, -1))
    gy = (s(1, -1) + 2 * s(1, 0) + s(1, 1)) - (s(-1, -1) + 2 * s(-1, 0) + s(-1, 1))
    return gx, gy


def canny_numpy(gray: np.ndarray, low: float, high: float) -> np.ndarray:
    """Canny edges of a 2-D uint8 image: uint8 map with 255 on edges, 0 elsewhere.

    Parameters
    ----------
    gray
        2-D ``uint8`` image.
    low, high
        Hysteresis thresholds on the L2 gradient magnitude (swapped if ``low > high``,
        like OpenCV).

    Raises
    ------
    ValueError
        For a non-2-D or non-uint8 image or negative/non-finite thresholds.
    """
    img = np.asarray(gray)
    if img.ndim != 2 or img.dtype != np.uint8 or img.size == 0:
        raise ValueError(f"gray must be a non-empty 2-D uint8 array, got {img.dtype} {img.shape}")
    for name, value in (("low", low), ("high", high)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    if low > high:
        low, high = high, low
    lo2 = math.floor(min(32767.0, low) ** 2) if low > 0 else math.floor(low)
    hi2 = math.floor(min(32767.0, high) ** 2) if high > 0 else math.floor(high)

    gx, gy = _sobel_replicate(img)
    mag = gx * gx + gy * gy
    h, w = img.shape
    mp = np.zeros((h + 2, w + 2), dtype=np.int64)
    mp[1:-1, 1:-1] = mag

    def nb(dy: int, dx: int) -> np.ndarray:
        return mp[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]

    x = np.abs(gx)
    y = np.abs(gy) << _SHIFT
    tg22x = x * _TG22
    tg67x = tg22x + (x << (_SHIFT + 1))
    horizontal = y < tg22x
    vertical = ~horizontal & (y > tg67x)
    diagonal = ~horizontal & ~vertical
    same_sign = (gx ^ gy) >= 0
    keep = np.zeros((h, w), dtype=bool)
    keep |= horizontal & (mag > nb(0, -1)) & (mag >= nb(0, 1))
    keep |= vertical & (mag > nb(-1, 0)) & (mag >= nb(1, 0))
    keep |= diagonal & same_sign & (mag > nb(-1, -1)) & (mag > nb(1, 1))
    keep |= diagonal & ~same_sign & (mag > nb(-1, 1)) & (mag > nb(1, -1))
    candidate = keep & (mag > lo2)
    strong = candidate & (mag > hi2)
    return _hysteresis(candidate, strong)


def _hysteresis(candidate: np.ndarray, strong: np.ndarray) -> np.ndarray:
    """Grow ``strong`` through 8-connected ``candidate`` pixels (frontier search, no recursion)."""
    h, w = candidate.shape
    cand = np.zeros((h + 2, w + 2), dtype=bool)
    cand[1:-1, 1:-1] = candidate
    accepted = np.zeros_like(cand)
    accepted[1:-1, 1:-1] = strong
    stride = w + 2
    offsets = np.array(
        [-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1], dtype=np.int64
    )
    cand_flat, acc_flat = cand.ravel(), accepted.ravel()
    frontier = np.flatnonzero(acc_flat)
    while frontier.size:
        neighbours = (frontier[:, None] + offsets[None, :]).ravel()
        neighbours = neighbours[cand_flat[neighbours] & ~acc_flat[neighbours]]
        frontier = np.unique(neighbours)
        acc_flat[frontier] = True
    return accepted[1:-1, 1:-1].astype(np.uint8) * np.uint8(255)
