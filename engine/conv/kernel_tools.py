"""Kernel transformations, separability, and solving for an unknown kernel.

All functions take and return plain numpy arrays; integer kernels stay integer where the
operation allows it (flips, rotations, transposes, integer separable factors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from engine.checks import check_array
from engine.conv._rank1 import integer_outer_factors
from engine.conv.filters import FILTER_LIBRARY
from engine.conv.geometry import PaddingSpec, PairSpec, conv_geometry
from engine.numbers import as_exact
from engine.text import format_number

FlipAxis = Literal["horizontal", "vertical"]


def flip_kernel(kernel: object, axis: FlipAxis = "horizontal") -> np.ndarray:
    """Mirror left↔right (``"horizontal"``) or top↔bottom (``"vertical"``)."""
    k = check_array(kernel, "kernel")
    if axis == "horizontal":
        return k[:, ::-1].copy()
    if axis == "vertical":
        return k[::-1, :].copy()
    raise ValueError(f"axis must be 'horizontal' or 'vertical', got {axis!r}")


def rotate_kernel(kernel: object, quarter_turns: int = 1) -> np.ndarray:
    """Rotate clockwise by ``quarter_turns`` × 90° (2 = 180°, the convolution flip)."""
    return np.rot90(check_array(kernel, "kernel"), -int(quarter_turns)).copy()


def transpose_kernel(kernel: object) -> np.ndarray:
    """Swap rows and columns (Sobel x ↔ Sobel y up to sign)."""
    return check_array(kernel, "kernel").T.copy()


def normalise_kernel(kernel: object) -> np.ndarray:
    """Divide by the sum so the weights add up to 1 (float64).

    Raises
    ------
    ValueError
        When the weights sum to 0 (derivative kernels): there is nothing to divide by.
    """
    k = check_array(kernel, "kernel")
    total = k.sum(dtype=np.float64)
    if abs(total) < 1e-12:
        raise ValueError(
            "kernel sums to 0 (e.g. an edge or Laplacian kernel), so it cannot be normalised "
            "to sum 1"
        )
    return k.astype(np.float64) / total


@dataclass(frozen=True)
class Separability:
    """Result of :func:`separability`.

    ``column`` (length kh) and ``row`` (length kw) satisfy
    ``scale · outer(column, row) == kernel`` when ``separable``; they are integers when the kernel
    allows it (a kernel of small fractions, e.g. a Gaussian ÷256, gets ``scale`` = 1/256).
    """

    separable: bool
    rank: int
    singular_values: tuple[float, ...]
    column: np.ndarray | None
    row: np.ndarray | None
    scale: Fraction = Fraction(1)


def _orient(col: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pick the sign so the factor with the larger |sum| (the smoothing one) sums positive."""
    main = col if abs(col.sum()) >= abs(row.sum()) else row
    if main.sum() < 0 or (main.sum() == 0 and col[np.flatnonzero(col)[0]] < 0):
        return -col, -row
    return col, row


def separability(kernel: object, *, rtol: float = 1e-10) -> Separability:
    """Is the kernel rank 1 (an outer product of two 1-D kernels)? Found by SVD.

    Separable kernels can be applied as a column pass then a row pass (``kh + kw`` instead of
    ``kh·kw`` multiplications per pixel).
    """
    k = check_array(kernel, "kernel")
    s = np.linalg.svd(k.astype(np.float64), compute_uv=False)
    rank = int(np.sum(s > rtol * s[0])) if s[0] > 0 else 0
    if rank != 1:
        return Separability(False, rank, tuple(float(v) for v in s), None, None)
    svals = tuple(float(v) for v in s)
    if k.dtype.kind in "iu":
        factors = integer_outer_factors(k)
        if factors is not None:
            col, row = _orient(*factors)
            return Separability(True, 1, svals, col, row)
    else:
        fracs = [Fraction(float(v)).limit_denominator(4096) for v in k.ravel()]
        if all(abs(float(f) - float(v)) <= 1e-12 for f, v in zip(fracs, k.ravel(), strict=True)):
            denom = math.lcm(*(f.denominator for f in fracs))
            ints = np.array([int(f * denom) for f in fracs], dtype=np.int64).reshape(k.shape)
            factors = integer_outer_factors(ints)
            if factors is not None:
                col, row = _orient(*factors)
                return Separability(True, 1, svals, col, row, Fraction(1, denom))
    u, sv, vt = np.linalg.svd(k.astype(np.float64))
    col = u[:, 0] * math.sqrt(sv[0])
    row = vt[0, :] * math.sqrt(sv[0])
    col, row = _orient(col, row)
    return Separability(True, 1, svals, as_exact(col), as_exact(row))


@dataclass(frozen=True)
class FilterMatch:
    """A library kernel that equals a given kernel up to a scale and maybe a 180° rotation."""

    key: str
    name: str
    scale: float
    rotated: bool

    def describe(self) -> str:
        """E.g. ``Sobel x``, ``2 × Sobel x`` or ``Sobel x rotated 180° (convolution form)``."""
        text = self.name
        if not math.isclose(self.scale, 1.0):
            scale = Fraction(self.scale).limit_denominator(4096)
            text = f"{format_number(scale, fractions=True)} × {text}"
        if self.rotated:
            text += " rotated 180° (its convolution form)"
        return text


def match_library_filter(kernel: object, *, rtol: float = 1e-8) -> FilterMatch | None:
    """Find the library filter this kernel is (up to a non-zero scale and a 180° rotation).

    An exact match (scale 1, no rotation) wins over a scaled or rotated one.
    """
    k = check_array(kernel, "kernel").astype(np.float64)
    best: tuple[int, FilterMatch] | None = None
    norm_k = float(np.linalg.norm(k))
    if norm_k == 0:
        return None
    for key, item in FILTER_LIBRARY.items():
        lib = np.asarray(item.kernel, dtype=np.float64)
        if lib.shape != k.shape:
            continue
        for rotated in (False, True):
            ref = lib[::-1, ::-1] if rotated else lib
            denom = float(np.dot(ref.ravel(), ref.ravel()))
            if denom == 0:
                continue
            scale = float(np.dot(k.ravel(), ref.ravel())) / denom
            if scale == 0 or np.linalg.norm(k - scale * ref) > rtol * norm_k:
                continue
            if rotated and np.array_equal(ref, lib):
                continue  # symmetric kernel: the rotation adds nothing
            rank = (0 if math.isclose(scale, 1.0) else 1) + (1 if rotated else 0)
            match = FilterMatch(key, item.name, scale, rotated)
            if best is None or rank < best[0]:
                best = (rank, match)
    return None if best is None else best[1]


@dataclass(frozen=True)
class KernelSolution:
    """Result of :func:`fit_kernel`.

    ``exact`` is true when the kernel reproduces the output to rounding error; ``unique`` when
    the input determines every weight (full column rank).  ``max_error`` is the largest
    absolute difference between the given output and the solved kernel's output.
    """

    kernel: np.ndarray
    exact: bool
    unique: bool
    max_error: float
    rank: int
    unknowns: int
    equations: int
    match: FilterMatch | None


def _design_matrix(x: np.ndarray, kh: int, kw: int, geo) -> np.ndarray:
    top, bottom, left, right = geo.pad
    xp = np.pad(x.astype(np.float64), [(top, bottom), (left, right)])
    oh, ow = geo.output_shape
    (sy, sx), (dy, dx) = geo.stride, geo.dilation
    cols = []
    for a in range(kh):
        for b in range(kw):
            window = xp[
                a * dy : a * dy + (oh - 1) * sy + 1 : sy, b * dx : b * dx + (ow - 1) * sx + 1 : sx
            ]
            cols.append(window.ravel())
    return np.stack(cols, axis=1)


def _tidy(kernel: np.ndarray, design: np.ndarray, target: np.ndarray, tol: float) -> np.ndarray:
    """Round to integers or small fractions when that still reproduces the output."""
    rounded = np.round(kernel)
    if np.max(np.abs(design @ rounded.ravel() - target)) <= tol:
        return rounded.astype(np.int64)
    fracs = np.array([float(Fraction(v).limit_denominator(256)) for v in kernel.ravel()])
    if np.max(np.abs(design @ fracs - target)) <= tol:
        return fracs.reshape(kernel.shape)
    return kernel


def fit_kernel(
    x: object,
    y: object,
    kernel_shape: tuple[int, int],
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    mode: Literal["correlate", "convolve"] = "correlate",
) -> KernelSolution:
    """Find the kernel that turns input ``x`` into output ``y`` (least squares).

    Each output cell is one linear equation in the ``kh·kw`` unknown weights.  The least-squares
    (minimum-norm) solution is returned, rounded to integers or small fractions when those still
    reproduce ``y`` exactly; ``exact`` says whether any kernel gives ``y`` at all.

    Raises
    ------
    ValueError
        If ``y``'s shape is not the output shape these settings give for ``x`` and the kernel.
    """
    xa = np.asarray(x)
    ya = np.asarray(y)
    if xa.ndim != 2 or xa.size == 0 or xa.dtype.kind not in "iuf":
        raise ValueError(f"x must be a non-empty 2-D numeric array, got shape {xa.shape}")
    if ya.ndim != 2 or ya.size == 0 or ya.dtype.kind not in "iuf":
        raise ValueError(f"y must be a non-empty 2-D numeric array, got shape {ya.shape}")
    kh, kw = int(kernel_shape[0]), int(kernel_shape[1])
    if kh < 1 or kw < 1:
        raise ValueError(f"kernel_shape must be positive, got {kernel_shape!r}")
    if mode not in ("correlate", "convolve"):
        raise ValueError(f"mode must be 'correlate' or 'convolve', got {mode!r}")
    geo = conv_geometry(xa.shape, (kh, kw), padding=padding, stride=stride, dilation=dilation)
    if tuple(ya.shape) != geo.output_shape:
        oh, ow = geo.output_shape
        raise ValueError(
            f"y is {ya.shape[0]}×{ya.shape[1]} but a {kh}×{kw} kernel with these settings gives "
            f"a {oh}×{ow} output from the {xa.shape[0]}×{xa.shape[1]} input"
        )
    design = _design_matrix(xa, kh, kw, geo)
    target = ya.astype(np.float64).ravel()
    solution, _, rank, _ = np.linalg.lstsq(design, target, rcond=None)
    scale = max(1.0, float(np.max(np.abs(target))), float(np.max(np.abs(design))))
    tol = 1e-9 * scale * kh * kw
    kernel = _tidy(solution.reshape(kh, kw), design, target, tol)
    max_error = float(np.max(np.abs(design @ kernel.ravel().astype(np.float64) - target)))
    if mode == "convolve":
        kernel = kernel[::-1, ::-1].copy()
    kernel = as_exact(kernel)
    exact = max_error <= tol
    return KernelSolution(
        kernel=kernel,
        exact=exact,
        unique=int(rank) == kh * kw,
        max_error=max_error,
        rank=int(rank),
        unknowns=kh * kw,
        equations=int(target.size),
        match=match_library_filter(kernel) if exact else None,
    )
