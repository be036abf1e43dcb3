"""Integer correlation that never wraps: a bound check, and Python integers when int64 is short.

int64 sums wrap silently: 3·10¹⁸ under a 3×3 kernel of 9s gave 3192327041775828992 on the numpy
path and −9223372036854775808 through ``cv2.filter2D``. Every output of an integer correlation
is a sum of ``x·k`` terms, so ``max|x| · Σ|k|`` bounds every partial sum, whatever the padding,
stride or dilation (they only choose *which* inputs meet which weights). Below 2⁶³ the int64
paths are exact; OpenCV computes in float64, exact only below 2⁵³. Above 2⁶³ the sum is formed
here from Python integers in an object array (exercise matrices are small, so the slower
arithmetic does not matter), and the result is an ``object`` array of Python ``int``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from engine.conv.geometry import ConvGeometry

#: Largest sum int64 holds.
INT64_MAX = 2**63 - 1
#: Integers from 0 up to this are exact in float64 (OpenCV's integer route).
FLOAT64_EXACT = 2**53


def _abs_max(x: np.ndarray) -> int:
    """``max|x|`` as a Python int; from the dtype alone when that already answers."""
    if x.size == 0:
        return 0
    return max(abs(int(x.max())), abs(int(x.min())))


def _dtype_abs_max(dtype: np.dtype) -> int:
    info = np.iinfo(dtype)
    return max(abs(int(info.min)), int(info.max))


def kernel_abs_sum(kernel: np.ndarray) -> int:
    """``Σ|k|`` of an integer kernel as a Python int (kernels are small)."""
    return sum(abs(int(v)) for v in kernel.ravel().tolist())


def integer_sum_bound(x: np.ndarray, kernel: np.ndarray) -> int:
    """An upper bound on every partial sum of an integer correlation: ``max|x| · Σ|k|``.

    Reads only the dtype when its range is already small enough for float64 (uint8 images),
    else scans ``x`` once.
    """
    ksum = kernel_abs_sum(kernel)
    by_dtype = _dtype_abs_max(x.dtype) * ksum
    if by_dtype < FLOAT64_EXACT:
        return by_dtype
    return _abs_max(x) * ksum


def correlate_python_ints(x: np.ndarray, kernel: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The correlation of integer arrays summed in Python integers (exact at any size).

    ``x`` is ``(H, W)`` or ``(H, W, C)``; the result is an ``object`` array of ``int`` with the
    output shape of ``geo`` (plus the channel axis).
    """
    top, _, left, _ = geo.pad
    # Not np.pad: it fills an object array with numpy int64 zeros, and int64 arithmetic wraps.
    xpad = np.zeros(geo.padded_shape + x.shape[2:], dtype=object)  # Python int 0s
    xpad[top : top + x.shape[0], left : left + x.shape[1]] = x.astype(object)
    (oh, ow), (sy, sx), (dy, dx) = geo.output_shape, geo.stride, geo.dilation
    out = np.zeros((oh, ow) + x.shape[2:], dtype=object)
    kh, kw = kernel.shape
    for a in range(kh):
        for b in range(kw):
            weight = int(kernel[a, b])
            if weight:
                r0, c0 = a * dy, b * dx
                out += (
                    weight
                    * xpad[r0 : r0 + (oh - 1) * sy + 1 : sy, c0 : c0 + (ow - 1) * sx + 1 : sx]
                )
    return out


def integer_route(x: np.ndarray, kernel: np.ndarray, backend: str = "numpy") -> str:
    """Which path gives exact integers for these arrays on ``backend``.

    ``"float"`` when either array is not integer; else, with ``B = max|x| · Σ|k|`` bounding
    every partial sum: ``"python"`` when ``B ≥ 2⁶³`` (int64 could wrap: Python integers, an
    ``object`` result), ``"numpy"`` when the OpenCV backend was asked but ``B ≥ 2⁵³`` (its
    float64 arithmetic would round), else ``backend`` itself.
    """
    if x.dtype.kind not in "iu" or kernel.dtype.kind not in "iu":
        return "float"
    bound = integer_sum_bound(x, kernel)
    if bound > INT64_MAX:
        return "python"
    if backend == "opencv" and bound >= FLOAT64_EXACT:
        return "numpy"
    return backend


def integer_route_note(x: object, kernel: object, backend: str = "numpy") -> str:
    """Why :func:`correlate2d` leaves ``backend``'s usual integer path, in a sentence ('' if not).

    Both backends always return the same exact integers; this says when that took a detour.
    """
    xa, ka = np.asarray(x), np.asarray(kernel)
    route = integer_route(xa, ka, backend)
    bound = integer_sum_bound(xa, ka) if route in ("python", "numpy") else 0
    if route == "python":
        return (
            f"sums can reach max|x|·Σ|k| = {bound:,}, more than int64 holds (2⁶³ − 1): computed "
            "exactly with Python integers"
        )
    if route == "numpy" and backend == "opencv":
        return (
            f"sums can reach max|x|·Σ|k| = {bound:,}, beyond 2⁵³ where OpenCV's float64 "
            "arithmetic rounds: computed with the exact int64 numpy path instead"
        )
    return ""
