"""The backward pass of one 2-D convolution layer: ∂L/∂K and ∂L/∂X from the upstream gradient.

For ``Y = X ⋆ K`` (cross-correlation with zero padding p, stride s and dilation d) and an
upstream gradient ``G = ∂L/∂Y`` of Y's shape:

* ``∂L/∂K[a, b] = Σ_ij G[i, j] · Xp[i·s + a·d, j·s + b·d]`` — the padded input correlated with G
  (G's taps s apart, the result sampled every d);
* ``∂L/∂X = `` the full convolution of G (spread out by the stride) with K (dilated), cropped to
  X: every input cell collects ``G[i, j] · K[a, b]`` from each window that used it.

For a true convolution (``operation="convolve"``) the applied kernel is K rotated by 180°, so
∂L/∂K is rotated back.  Integer inputs give exact int64 results, like :func:`correlate2d`.
:func:`trace_kernel_grad` and :func:`trace_input_grad` write one cell's sum of products out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.checks import check_array
from engine.conv.correlate import convolve2d, correlate2d, result_dtype
from engine.conv.geometry import (
    ConvGeometry,
    PaddingSpec,
    PairSpec,
    _given_or_resolved,
    dilate_kernel,
)
from engine.text import format_number

Operation = Literal["correlate", "convolve"]
OPERATIONS = ("correlate", "convolve")


def _arrays(
    x: object,
    kernel: object,
    grad_out: object,
    operation: str,
    geometry: ConvGeometry | None,
    *,
    padding: PaddingSpec,
    stride: PairSpec,
    dilation: PairSpec,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, ConvGeometry]:
    """The checked arguments shared by :func:`conv_backward` and the two traces."""
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {OPERATIONS}, got {operation!r}")
    xa = check_array(x, "x", (2,))
    ka = check_array(kernel, "kernel", (2,))
    ga = check_array(grad_out, "grad_out", (2,))
    geo = _given_or_resolved(
        geometry, xa.shape, ka.shape, padding=padding, stride=stride, dilation=dilation
    )
    if ga.shape != geo.output_shape:
        raise ValueError(
            f"grad_out must have the output's shape {geo.output_shape}, got {ga.shape}"
        )
    return xa, ka, ga, geo


def conv_backward(
    x: object,
    kernel: object,
    grad_out: object,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    operation: Operation = "correlate",
    geometry: ConvGeometry | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(∂L/∂K, ∂L/∂X)`` for ``Y = correlate2d(x, kernel, …)`` (or ``convolve2d``) and
    ``grad_out = ∂L/∂Y``.

    Parameters
    ----------
    x, kernel
        2-D input and kernel, as :func:`engine.correlate2d` takes them.
    grad_out
        ``∂L/∂Y``, with exactly the output's shape.
    padding, stride, dilation
        As :func:`engine.correlate2d` (ignored when ``geometry`` is given).
    operation
        ``"correlate"`` (deep-learning convolution) or ``"convolve"`` (kernel flipped).
    geometry
        A :func:`conv_geometry` already resolved for these shapes.

    Returns
    -------
    tuple of numpy.ndarray
        ∂L/∂K with the kernel's shape and ∂L/∂X with the input's shape; int64 (exact) when all
        three arrays are integers, else float.

    Raises
    ------
    ValueError
        Naming the bad argument (also a ``grad_out`` of the wrong shape).
    """
    xa, ka, ga, geo = _arrays(
        x, kernel, grad_out, operation, geometry, padding=padding, stride=stride, dilation=dilation
    )
    applied = ka[::-1, ::-1] if operation == "convolve" else ka
    top, bottom, left, right = geo.pad
    (sy, sx), (dy, dx) = geo.stride, geo.dilation
    kh, kw = ka.shape
    # ∂L/∂K: the padded input correlated with G, whose taps sit a stride apart.
    xp = np.pad(xa, [(top, bottom), (left, right)])
    d_applied = correlate2d(xp, ga, stride=(dy, dx), dilation=(sy, sx))[:kh, :kw]
    d_kernel = d_applied[::-1, ::-1] if operation == "convolve" else d_applied
    # ∂L/∂X: G spread out by the stride, fully convolved with the dilated applied kernel.
    oh, ow = geo.output_shape
    spread = np.zeros(((oh - 1) * sy + 1, (ow - 1) * sx + 1), dtype=ga.dtype)
    spread[::sy, ::sx] = ga
    covered = convolve2d(spread, dilate_kernel(applied, (dy, dx)), padding="full")
    d_padded = np.zeros(geo.padded_shape, dtype=covered.dtype)
    d_padded[: covered.shape[0], : covered.shape[1]] = covered  # the floor's leftover gets 0
    d_input = d_padded[top : top + xa.shape[0], left : left + xa.shape[1]]
    dtype = result_dtype(result_dtype(xa.dtype, ga.dtype), ka.dtype)
    return (
        np.ascontiguousarray(d_kernel, dtype=dtype),
        np.ascontiguousarray(d_input, dtype=dtype),
    )


@dataclass(frozen=True)
class GradTerm:
    """One product ``grad · other`` in a gradient cell's sum.

    ``grad_row``/``grad_col`` index G; ``other_row``/``other_col`` index the input X (unpadded
    coordinates; ``is_padding`` when they fall in the zero padding) for ∂L/∂K, or the kernel as
    written for ∂L/∂X.
    """

    grad_row: int
    grad_col: int
    other_row: int
    other_col: int
    grad: float | int
    other: float | int
    is_padding: bool = False

    @property
    def product(self) -> float | int:
        """``grad * other``."""
        return self.grad * self.other


@dataclass(frozen=True)
class GradTrace:
    """The sum behind one cell of ∂L/∂K (``kind="kernel"``) or ∂L/∂X (``kind="input"``)."""

    kind: str
    row: int
    col: int
    terms: tuple[GradTerm, ...]
    total: float | int
    geometry: ConvGeometry

    @property
    def symbol(self) -> str:
        """``∂L/∂K[a, b]`` or ``∂L/∂X[r, c]``."""
        name = "K" if self.kind == "kernel" else "X"
        return f"∂L/∂{name}[{self.row}, {self.col}]"

    def expression(self) -> str:
        """E.g. ``1·3 + 1·(−2) = 1`` (G value first), or ``0`` for a cell no window reaches."""
        parts = [
            f"{format_number(t.grad, parens=True)}·{format_number(t.other, parens=True)}"
            for t in self.terms
        ]
        return " + ".join(parts or ["0"]) + f" = {format_number(self.total)}"


def _cast(*arrays: np.ndarray) -> type:
    dtype = result_dtype(result_dtype(arrays[0].dtype, arrays[1].dtype), arrays[2].dtype)
    return int if dtype == np.int64 else float


def trace_kernel_grad(
    x: object,
    kernel: object,
    grad_out: object,
    a: int,
    b: int,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    operation: Operation = "correlate",
    geometry: ConvGeometry | None = None,
) -> GradTrace:
    """``∂L/∂K[a, b] = Σ_ij G[i, j] · X[the input cell weight (a, b) met in window (i, j)]``."""
    xa, ka, ga, geo = _arrays(
        x, kernel, grad_out, operation, geometry, padding=padding, stride=stride, dilation=dilation
    )
    kh, kw = ka.shape
    if not (0 <= a < kh and 0 <= b < kw):
        raise ValueError(f"cell (a, b) = ({a}, {b}) is outside the {kh}×{kw} kernel")
    cast = _cast(xa, ka, ga)
    # the applied kernel's tap that is the written kernel's (a, b)
    pa, pb = (kh - 1 - a, kw - 1 - b) if operation == "convolve" else (a, b)
    top, left = geo.pad[0], geo.pad[2]
    terms = []
    total: float | int = cast(0)
    for i in range(geo.output_shape[0]):
        for j in range(geo.output_shape[1]):
            r = i * geo.stride[0] + pa * geo.dilation[0] - top
            c = j * geo.stride[1] + pb * geo.dilation[1] - left
            inside = 0 <= r < xa.shape[0] and 0 <= c < xa.shape[1]
            value = cast(xa[r, c]) if inside else cast(0)
            g = cast(ga[i, j])
            terms.append(GradTerm(i, j, r, c, g, value, not inside))
            total += g * value
    return GradTrace("kernel", int(a), int(b), tuple(terms), total, geo)


def trace_input_grad(
    x: object,
    kernel: object,
    grad_out: object,
    r: int,
    c: int,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    operation: Operation = "correlate",
    geometry: ConvGeometry | None = None,
) -> GradTrace:
    """``∂L/∂X[r, c] = Σ G[i, j] · K[a, b]`` over every window (i, j) whose tap (a, b) lands on
    input cell (r, c); a cell no window reaches (the floor's leftover) has an empty sum."""
    xa, ka, ga, geo = _arrays(
        x, kernel, grad_out, operation, geometry, padding=padding, stride=stride, dilation=dilation
    )
    if not (0 <= r < xa.shape[0] and 0 <= c < xa.shape[1]):
        raise ValueError(
            f"cell (r, c) = ({r}, {c}) is outside the {xa.shape[0]}×{xa.shape[1]} input"
        )
    cast = _cast(xa, ka, ga)
    kh, kw = ka.shape
    pr, pc = r + geo.pad[0], c + geo.pad[2]
    terms = []
    total: float | int = cast(0)
    for i in range(geo.output_shape[0]):
        for pa in range(kh):
            if i * geo.stride[0] + pa * geo.dilation[0] != pr:
                continue
            for j in range(geo.output_shape[1]):
                for pb in range(kw):
                    if j * geo.stride[1] + pb * geo.dilation[1] != pc:
                        continue
                    ka_r, ka_c = (kh - 1 - pa, kw - 1 - pb) if operation == "convolve" else (pa, pb)
                    g, w = cast(ga[i, j]), cast(ka[ka_r, ka_c])
                    terms.append(GradTerm(i, j, ka_r, ka_c, g, w))
                    total += g * w
    terms.sort(key=lambda t: (t.grad_row, t.grad_col))
    return GradTrace("input", int(r), int(c), tuple(terms), total, geo)
