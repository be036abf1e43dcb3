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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from engine.checks import check_array
from engine.conv._numpy.dispatch import choose_method as _choose_method
from engine.conv._numpy.dispatch import correlate as fast_correlate
from engine.conv.exact import correlate_python_ints, integer_route
from engine.text import format_number

PaddingSpec = str | int | Sequence[int]
PairSpec = int | Sequence[int]
Backend = Literal["numpy", "opencv"]

PADDING_NAMES = ("valid", "same", "full")
BACKENDS = ("numpy", "opencv")


@dataclass(frozen=True)
class ConvGeometry:
    """Resolved geometry of one 2-D correlation: all numbers are plain Python ints.

    ``pad`` is ``(top, bottom, left, right)`` zero padding; ``effective_kernel`` is the dilated
    kernel extent ``d(k-1) + 1`` per axis.
    """

    input_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    pad: tuple[int, int, int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    effective_kernel: tuple[int, int]
    output_shape: tuple[int, int]

    @property
    def padded_shape(self) -> tuple[int, int]:
        """Shape of the zero-padded input."""
        top, bottom, left, right = self.pad
        return (self.input_shape[0] + top + bottom, self.input_shape[1] + left + right)

    def leftover(self) -> tuple[int, int]:
        """Rows/columns at the bottom/right of the padded input that no window reaches.

        Non-zero exactly when ``(n + 2p - d(k-1) - 1)`` is not divisible by the stride: the floor in
        the output-size formula drops them.
        """
        out = []
        for axis in range(2):
            covered = (self.output_shape[axis] - 1) * self.stride[axis] + self.effective_kernel[
                axis
            ]
            out.append(self.padded_shape[axis] - covered)
        return (out[0], out[1])


def _as_pair(value: PairSpec, name: str) -> tuple[int, int]:
    """Turn an int or a pair into ``(vertical, horizontal)`` positive ints, or raise."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    else:
        try:
            items = tuple(value)  # type: ignore[arg-type]
        except TypeError:
            raise ValueError(
                f"{name} must be a positive int or a pair of them, got {value!r}"
            ) from None
        if len(items) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items
        ):
            raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
        pair = (int(items[0]), int(items[1]))
    if pair[0] < 1 or pair[1] < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")
    return pair


def _resolve_padding(
    padding: PaddingSpec,
    input_shape: tuple[int, int],
    effective_kernel: tuple[int, int],
    stride: tuple[int, int],
) -> tuple[int, int, int, int]:
    """Return ``(top, bottom, left, right)`` zero padding for a padding spec."""
    if isinstance(padding, str):
        name = padding.lower()
        if name == "valid":
            return (0, 0, 0, 0)
        if name == "full":
            return (
                effective_kernel[0] - 1,
                effective_kernel[0] - 1,
                effective_kernel[1] - 1,
                effective_kernel[1] - 1,
            )
        if name == "same":
            # TensorFlow's SAME: output ceil(n/s); the odd extra row/column goes bottom/right.
            # With stride 1 this is also PyTorch's padding="same".
            sides = []
            for axis in range(2):
                n, ke, s = input_shape[axis], effective_kernel[axis], stride[axis]
                out = -(-n // s)
                total = max((out - 1) * s + ke - n, 0)
                sides.extend([total // 2, total - total // 2])
            return (sides[0], sides[1], sides[2], sides[3])
        raise ValueError(
            f"padding must be one of {PADDING_NAMES}, an int or a pair of ints, got {padding!r}"
        )
    if isinstance(padding, (bool, np.bool_)):
        raise ValueError(f"padding must be a name, an int or a pair of ints, got {padding!r}")
    if isinstance(padding, (int, np.integer)):
        ph = pw = int(padding)
    else:
        try:
            items = tuple(padding)
        except TypeError:
            raise ValueError(
                f"padding must be a name, an int or a pair of ints, got {padding!r}"
            ) from None
        if len(items) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items
        ):
            raise ValueError(f"padding must be a name, an int or a pair of ints, got {padding!r}")
        ph, pw = int(items[0]), int(items[1])
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must not be negative, got {padding!r}")
    return (ph, ph, pw, pw)


def conv_geometry(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
) -> ConvGeometry:
    """Resolve padding, stride and dilation into the exact output geometry.

    Parameters
    ----------
    input_shape, kernel_shape
        ``(rows, cols)`` of the input (channels excluded) and of the kernel.
    padding
        ``"valid"``, ``"same"``, ``"full"``, an int, or ``(ph, pw)``.
    stride, dilation
        Int or ``(vertical, horizontal)`` pair, each at least 1.

    Raises
    ------
    ValueError
        For a bad argument, or when the output would be smaller than 1×1.
    """
    ih, iw = int(input_shape[0]), int(input_shape[1])
    kh, kw = int(kernel_shape[0]), int(kernel_shape[1])
    if ih < 1 or iw < 1:
        raise ValueError(f"x must have at least one row and one column, got shape {(ih, iw)}")
    if kh < 1 or kw < 1:
        raise ValueError(f"kernel must not be empty, got shape {(kh, kw)}")
    s = _as_pair(stride, "stride")
    d = _as_pair(dilation, "dilation")
    ke = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
    pad = _resolve_padding(padding, (ih, iw), ke, s)
    out = (
        (ih + pad[0] + pad[1] - ke[0]) // s[0] + 1,
        (iw + pad[2] + pad[3] - ke[1]) // s[1] + 1,
    )
    if out[0] < 1 or out[1] < 1:
        raise ValueError(
            f"kernel (effective size {ke[0]}×{ke[1]} with dilation {d}) does not fit the "
            f"{ih}×{iw} input with padding {padding!r}: the output would be {out[0]}×{out[1]}"
        )
    return ConvGeometry((ih, iw), (kh, kw), pad, s, d, ke, out)


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


def dilate_kernel(kernel: np.ndarray, dilation: PairSpec) -> np.ndarray:
    """Insert ``d - 1`` zeros between kernel taps, giving the equivalent undilated kernel."""
    dy, dx = _as_pair(dilation, "dilation")
    kh, kw = kernel.shape
    out = np.zeros((dy * (kh - 1) + 1, dx * (kw - 1) + 1), dtype=kernel.dtype)
    out[::dy, ::dx] = kernel
    return out


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


@dataclass(frozen=True)
class CellTerm:
    """One product in the sum for an output cell.

    ``row``/``col`` are coordinates in the *unpadded* input (negative or past the end for padding);
    ``padded_row``/``padded_col`` in the padded input; ``kernel_row``/``kernel_col`` index the
    kernel as the user wrote it (for convolution that is the 180°-rotated position).
    """

    row: int
    col: int
    padded_row: int
    padded_col: int
    kernel_row: int
    kernel_col: int
    is_padding: bool
    value: float | int
    weight: float | int

    @property
    def product(self) -> float | int:
        """``weight * value``."""
        return self.weight * self.value


@dataclass(frozen=True)
class CellTrace:
    """Everything needed to explain output cell ``(i, j)``: its window, products and sum."""

    i: int
    j: int
    terms: tuple[CellTerm, ...]
    total: float | int
    geometry: ConvGeometry

    def expression(self, *, skip_zero_weights: bool = False) -> str:
        """The sum of products written out, e.g. ``(−1)·3 + 0·5 + 1·2 = −1``."""
        parts = [
            f"{format_number(t.weight, parens=True)}·{format_number(t.value, parens=True)}"
            for t in self.terms
            if not (skip_zero_weights and t.weight == 0)
        ]
        return " + ".join(parts or ["0"]) + f" = {format_number(self.total)}"


def trace_cell(
    x: object,
    kernel: object,
    i: int,
    j: int,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    mode: Literal["correlate", "convolve"] = "correlate",
) -> CellTrace:
    """Explain output cell ``(i, j)`` of a 2-D input: which inputs and weights make its sum.

    Arguments are those of :func:`correlate2d` (``x`` must be 2-D) plus the cell index and
    ``mode``. For ``"convolve"`` the kernel is rotated by 180° before it slides, and each term
    records which entry of the original kernel it used.

    Raises
    ------
    ValueError
        For bad arguments, or a cell outside the output.
    """
    if mode not in ("correlate", "convolve"):
        raise ValueError(f"mode must be 'correlate' or 'convolve', got {mode!r}")
    xa = check_array(x, "x", (2,))
    ka = check_array(kernel, "kernel", (2,))
    geo = conv_geometry(xa.shape, ka.shape, padding=padding, stride=stride, dilation=dilation)
    oh, ow = geo.output_shape
    if not (0 <= int(i) < oh and 0 <= int(j) < ow):
        raise ValueError(f"cell (i, j) = ({i}, {j}) is outside the {oh}×{ow} output")
    as_int = result_dtype(xa.dtype, ka.dtype) == np.int64
    cast = int if as_int else float
    kh, kw = ka.shape
    top, _, left, _ = geo.pad
    terms = []
    total: float | int = 0
    for a in range(kh):
        for b in range(kw):
            pr = int(i) * geo.stride[0] + a * geo.dilation[0]
            pc = int(j) * geo.stride[1] + b * geo.dilation[1]
            r, c = pr - top, pc - left
            inside = 0 <= r < xa.shape[0] and 0 <= c < xa.shape[1]
            value = cast(xa[r, c]) if inside else cast(0)
            ka_r, ka_c = (kh - 1 - a, kw - 1 - b) if mode == "convolve" else (a, b)
            weight = cast(ka[ka_r, ka_c])
            terms.append(CellTerm(r, c, pr, pc, ka_r, ka_c, not inside, value, weight))
            total += weight * value
    return CellTrace(int(i), int(j), tuple(terms), total, geo)


def output_floor_note(geo: ConvGeometry) -> str:
    """Explain which padded rows/columns the floor in the size formula drops ('' if none)."""
    notes = []
    for axis, label in ((0, "row"), (1, "column")):
        extra = geo.leftover()[axis]
        if extra:
            first = geo.padded_shape[axis] - extra
            which = ", ".join(str(v) for v in range(first, geo.padded_shape[axis]))
            plural = "s" if extra > 1 else ""
            notes.append(
                f"padded {label}{plural} {which} never reached "
                f"(stride {geo.stride[axis]} does not divide the remaining "
                f"{geo.padded_shape[axis] - geo.effective_kernel[axis]})"
            )
    return "; ".join(notes)


def size_formula_text(n: int, k: int, pad_total: int, stride: int, dilation: int) -> str:
    """The output-size formula with numbers filled in, e.g. ``⌊(7 + 2·0 − 3)/1⌋ + 1 = 5``.

    ``pad_total`` is the total padding on the axis (before + after); an odd total is written as
    a sum rather than ``2·p``.
    """
    ke = dilation * (k - 1) + 1
    pad_text = f"2·{pad_total // 2}" if pad_total % 2 == 0 else f"{pad_total}"
    k_text = f"{k}" if dilation == 1 else f"({dilation}·({k}−1)+1)"
    out = math.floor((n + pad_total - ke) / stride) + 1
    return f"⌊({n} + {pad_text} − {k_text})/{stride}⌋ + 1 = {out}"
