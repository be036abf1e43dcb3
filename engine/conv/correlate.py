"""Exact 2-D cross-correlation and convolution with deep-learning padding, stride and dilation.

Two backends compute the same numbers:

* ``"numpy"`` — :mod:`engine.conv._numpy.dispatch`: cache-sized bands of in-place shifted-slice
  accumulation, BLAS matrix-vector products per kernel column, two 1-D passes for rank-1
  kernels, or an FFT at 5-smooth sizes for large float jobs, whichever a cost model says is
  cheapest (:func:`choose_numpy_method`).
  Integer input with an integer kernel is accumulated in int64, so results are exact.
* ``"opencv"`` — ``cv2.filter2D``.  filter2D is a cross-correlation with a ``BORDER_REFLECT_101``
  border, anchors even kernels at ``k // 2`` and has no stride, so this backend uses a constant
  zero border with the anchor at the top-left padding (or zero-pads explicitly when the padding
  is larger than the kernel), then crops and subsamples.

Shapes follow the usual formula ``O = floor((n + p_before + p_after - d(k-1) - 1) / s) + 1``.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from engine.checks import check_array
from engine.conv._numpy.dispatch import choose_method as _choose_method
from engine.conv._numpy.dispatch import correlate as fast_correlate
from engine.conv.exact import correlate_python_ints, integer_route
from engine.conv.geometry import ConvGeometry, PaddingSpec, PairSpec, conv_geometry, dilate_kernel

Backend = Literal["numpy", "opencv"]
BACKENDS = ("numpy", "opencv")


def result_dtype(x_dtype: np.dtype, kernel_dtype: np.dtype) -> np.dtype:
    """The dtype a correlation of these two dtypes produces.

    Integer with integer gives int64 (exact); anything involving float64 gives float64; every
    other mix (e.g. a uint8 image with a float32 kernel) gives float32.
    """
    if x_dtype.kind in "iu" and kernel_dtype.kind in "iu":
        return np.dtype(np.int64)
    if np.dtype(np.float64) in (x_dtype, kernel_dtype):
        return np.dtype(np.float64)
    return np.dtype(np.float32)


def _correlate_numpy(
    x: np.ndarray,
    kernel: np.ndarray,
    geo: ConvGeometry,
    method: Literal["auto", "direct", "separable", "fft"] = "auto",
) -> np.ndarray:
    """The numpy backend: direct, separable or FFT correlation.

    See :mod:`engine.conv._numpy.dispatch`.

    ``method="auto"`` picks the cheapest; integer results are exact (never via FFT).
    """
    return fast_correlate(x, kernel, geo, result_dtype(x.dtype, kernel.dtype), method=method)


# Source dtypes cv2.filter2D reads directly for a float32 / float64 destination.
_CV_SOURCES = {
    np.dtype(np.float32): (np.uint8, np.uint16, np.int16, np.float32),
    np.dtype(np.float64): (np.uint8, np.uint16, np.int16, np.float64),
}


def _correlate_opencv(x: np.ndarray, kernel: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``cv2.filter2D`` with the zero padding done by its own constant border where possible.

    With the anchor at ``(left, top)``, filter2D's output pixel ``(r, c)`` is our stride-1 sum at
    ``(r, c)``; when the requested padding is at most ``k - 1`` per side and every strided output
    lies inside the input, no padded copy is needed (``"same"`` with stride 1 needs no copy at
    all).  Otherwise the input is zero-padded explicitly and anchored at (0, 0).  uint8, uint16
    and int16 inputs go in without a conversion copy.
    """
    dtype = result_dtype(x.dtype, kernel.dtype)
    exact_int = dtype == np.int64
    # filter2D has no int64 path: integers go through float64, exact below 2**53, then back.
    work = np.dtype(np.float64 if (exact_int or dtype == np.float64) else np.float32)
    ddepth = cv2.CV_64F if work == np.float64 else cv2.CV_32F
    k = dilate_kernel(kernel.astype(work, copy=False), geo.dilation)
    src = x if x.dtype in _CV_SOURCES[work] else x.astype(work)
    src = np.ascontiguousarray(src)
    top, bottom, left, right = geo.pad
    (keh, kew), (oh, ow), (sy, sx) = geo.effective_kernel, geo.output_shape, geo.stride
    h, w = x.shape[:2]
    border_ok = (
        top <= keh - 1 and left <= kew - 1 and (oh - 1) * sy <= h - 1 and (ow - 1) * sx <= w - 1
    )
    anchor = (left, top) if border_ok else (0, 0)

    def one_plane(plane: np.ndarray) -> np.ndarray:
        three_d = plane.ndim == 3  # OpenCV drops a trailing axis of length 1
        if not border_ok:
            plane = cv2.copyMakeBorder(
                plane, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0
            )
        full = cv2.filter2D(
            plane, ddepth, k, anchor=anchor, delta=0, borderType=cv2.BORDER_CONSTANT
        )
        if full.ndim == 2 and three_d:
            full = full[:, :, None]
        if full.shape[:2] == (oh, ow):
            return full
        return full[: (oh - 1) * sy + 1 : sy, : (ow - 1) * sx + 1 : sx]

    channels = 1 if src.ndim == 2 else src.shape[2]
    if channels <= 4:
        out = one_plane(src)
    else:  # filter2D handles at most 4 channels reliably: go plane by plane.
        out = np.stack([one_plane(np.ascontiguousarray(src[:, :, c])) for c in range(channels)], 2)
    if exact_int:  # ``out`` is (a view of) OpenCV's fresh output: rounding in place is safe
        return np.rint(out, out=out).astype(np.int64)
    return np.ascontiguousarray(out, dtype=dtype)


def correlate2d(
    x: object,
    kernel: object,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    backend: Backend = "numpy",
) -> np.ndarray:
    """2-D cross-correlation (what deep-learning libraries call "convolution").

    ``out[i, j] = sum_{a,b} kernel[a, b] * xpad[i*sy + a*dy, j*sx + b*dx]`` where ``xpad`` is ``x``
    zero-padded.

    Parameters
    ----------
    x
        ``(H, W)`` or ``(H, W, C)`` array of ints or floats; a 3-D input is filtered per channel.
    kernel
        2-D array of any size, odd or even.
    padding
        ``"valid"`` (none), ``"same"`` (TensorFlow SAME: output ``ceil(n/s)``, odd extra padding at
        the bottom/right), ``"full"`` (``d(k-1)`` on each side), an int, or ``(ph, pw)``.
    stride, dilation
        Int or ``(vertical, horizontal)``.
    backend
        ``"numpy"`` or ``"opencv"``; both give the same numbers.

    Returns
    -------
    numpy.ndarray
        int64 when both inputs are integers (exact), float64 when either is float64, else float32.
        Integer results never wrap: when ``max|x| · Σ|k|`` exceeds int64 the result is an
        ``object`` array of exact Python ints, and the OpenCV backend hands integer jobs whose
        sums reach 2⁵³ to the exact numpy path (:func:`integer_route_note` says so in words).

    Raises
    ------
    ValueError
        Naming the bad argument and its value.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    xa = check_array(x, "x", (2, 3))
    ka = check_array(kernel, "kernel", (2,))
    geo = conv_geometry(xa.shape[:2], ka.shape, padding=padding, stride=stride, dilation=dilation)
    route = integer_route(xa, ka, backend)
    if route == "python":
        return correlate_python_ints(xa, ka, geo)
    if backend == "opencv" and route != "opencv":
        return _correlate_numpy(xa, ka, geo)
    if backend == "opencv":
        return _correlate_opencv(xa, ka, geo)
    return _correlate_numpy(xa, ka, geo)


def choose_numpy_method(
    x: object,
    kernel: object,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
) -> str:
    """Which method the ``"numpy"`` backend of :func:`correlate2d` uses for these arguments.

    ``"direct"`` (one pass per non-zero tap), ``"matmul"`` (BLAS matrix-vector products per
    kernel column; floats), ``"separable"`` (a rank-1 kernel as a vertical and a horizontal 1-D
    pass) or ``"fft"`` (large float jobs), whichever a cost model says is cheapest. Takes the
    arguments of :func:`correlate2d`; raises ``ValueError`` like it.
    """
    xa = check_array(x, "x", (2, 3))
    ka = check_array(kernel, "kernel", (2,))
    geo = conv_geometry(xa.shape[:2], ka.shape, padding=padding, stride=stride, dilation=dilation)
    return _choose_method(xa.shape, ka, geo, result_dtype(xa.dtype, ka.dtype))


def convolve2d(
    x: object,
    kernel: object,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    backend: Backend = "numpy",
) -> np.ndarray:
    """True 2-D convolution: :func:`correlate2d` with the kernel rotated by 180°.

    Takes the same arguments and returns the same dtypes as :func:`correlate2d`.
    """
    ka = check_array(kernel, "kernel", (2,))
    return correlate2d(
        x, ka[::-1, ::-1], padding=padding, stride=stride, dilation=dilation, backend=backend
    )
