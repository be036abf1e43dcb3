"""The Matrix tab's backward pass: for input X, kernel K and upstream gradient G = ∂L/∂Y, the
forward output Y, ∂L/∂K and ∂L/∂X as one :class:`~engine.matrix.MatrixResult`."""

from __future__ import annotations

import numpy as np

from engine.conv.backward import conv_backward
from engine.matrix.compute import (
    ConvSettings,
    KernelOutput,
    MatrixResult,
    apply_kernel,
    geometry_for,
    output_floor_note,
    padded_input,
    size_formulas,
)

GRAD_PATTERNS = ("ones", "pattern")


def default_grad_out(shape: tuple[int, int], pattern: str = "ones") -> np.ndarray:
    """An upstream gradient G of ``shape``: all ones, or a small integer pattern of −1, 0, 1, 2
    (different in every row and column, so each ∂L/∂K cell is a different weighted sum)."""
    if pattern not in GRAD_PATTERNS:
        raise ValueError(f"pattern must be one of {GRAD_PATTERNS}, got {pattern!r}")
    if pattern == "ones":
        return np.ones(shape, dtype=np.int64)
    rows, cols = np.indices(shape)
    return ((rows + 2 * cols) % 4 - 1).astype(np.int64)


def _index(out: str, stride: int, tap: str, dilation: int) -> str:
    """``i + a``, ``2i + a`` or ``2i + 3a``: where tap ``a`` of window ``i`` reads the input."""
    first = out if stride == 1 else f"{stride}{out}"
    second = tap if dilation == 1 else f"{dilation}{tap}"
    return f"{first} + {second}"


def compute_backward(
    x: np.ndarray,
    name: str,
    kernel: np.ndarray,
    grad_out: np.ndarray,
    settings: ConvSettings,
) -> MatrixResult:
    """Y = X ⋆ K (as ``settings`` say), ∂L/∂K = X ⋆ G and ∂L/∂X = G full-convolved with K.

    ``grad_out`` must have Y's shape. The geometry is resolved once and shared by the three
    outputs; :meth:`MatrixResult.trace` explains Y's cells and :meth:`MatrixResult.grad_trace`
    the gradients'.
    """
    x, kernel, grad_out = np.asarray(x), np.asarray(kernel), np.asarray(grad_out)
    geo = geometry_for(x.shape, kernel.shape, settings)
    y = apply_kernel(x, kernel, settings)
    d_kernel, d_input = conv_backward(x, kernel, grad_out, operation=settings.mode, geometry=geo)
    rows, cols = size_formulas(geo)
    padded = padded_input(x, geo)
    s, d = settings.stride, settings.dilation
    op = "⋆" if settings.operation == "correlate" else "∗"
    forward = KernelOutput(
        f"Y = X {op} {name}", kernel, y, geo, rows, cols, output_floor_note(geo),
        shown=y, padded=padded,
    )  # fmt: skip
    flip = " (then rotated 180°: the kernel was flipped)" if op == "∗" else ""
    d_k = KernelOutput(
        "∂L/∂K = X ⋆ G", kernel, d_kernel, geo, "", "", "", shown=d_kernel, padded=padded,
        kind="d_kernel",
        formula=(
            f"∂L/∂K[a, b] = Σᵢⱼ G[i, j]·Xp[{_index('i', s, 'a', d)}, {_index('j', s, 'b', d)}]: "
            f"the padded input correlated with G{flip}"
        ),
    )  # fmt: skip
    d_x = KernelOutput(
        "∂L/∂X = G full-conv K", kernel, d_input, geo, "", "", "", shown=d_input, padded=padded,
        kind="d_input",
        formula=(
            "∂L/∂X[r, c] = Σ G[i, j]·K[a, b] over the windows whose tap (a, b) lands on (r, c): "
            "a full convolution of G" + (f" (spread {s} apart)" if s > 1 else "") + " with K"
        ),
    )  # fmt: skip
    title = (
        f"Backward pass for {name} — {settings.describe()}: G = ∂L/∂Y has Y's shape "
        f"{y.shape[0]}×{y.shape[1]}"
    )
    return MatrixResult(x, settings, (forward, d_k, d_x), title=title, grad_out=grad_out)
