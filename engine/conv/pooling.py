"""Max and average pooling with a cell-by-cell explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.checks import check_choice, check_int, is_int
from engine.text import format_number

PoolMode = Literal["max", "avg"]
POOL_MODES = ("max", "avg")


def _check(x: object, size: int, stride: int | None, mode: str) -> tuple[np.ndarray, int, int]:
    arr = np.asarray(x)
    # An exact integer output beyond int64 is an object array of Python ints: pool it as is.
    exact_ints = arr.dtype == object and all(is_int(v) for v in arr.ravel().tolist())
    if arr.ndim != 2 or arr.size == 0 or (arr.dtype.kind not in "iuf" and not exact_ints):
        raise ValueError(f"x must be a non-empty 2-D numeric array, got shape {arr.shape}")
    check_choice(mode, "mode", POOL_MODES)
    size = check_int(size, "size", minimum=1)
    s = size if stride is None else check_int(stride, "stride", minimum=1)
    if size > arr.shape[0] or size > arr.shape[1]:
        raise ValueError(f"size {size} does not fit the {arr.shape[0]}×{arr.shape[1]} input")
    return arr, int(size), int(s)


def pool_output_shape(shape: tuple[int, int], size: int, stride: int) -> tuple[int, int]:
    """``⌊(n − size)/stride⌋ + 1`` per axis (no padding)."""
    return ((shape[0] - size) // stride + 1, (shape[1] - size) // stride + 1)


def pool2d(x: object, size: int, stride: int | None = None, mode: PoolMode = "max") -> np.ndarray:
    """Max or average pooling of a 2-D array with square windows and no padding.

    Parameters
    ----------
    x
        2-D numeric array.
    size
        Window side.
    stride
        Step between windows (defaults to ``size``).
    mode
        ``"max"`` (dtype kept) or ``"avg"`` (float64).

    Raises
    ------
    ValueError
        For a bad argument, or a window larger than the input.
    """
    arr, k, s = _check(x, size, stride, mode)
    oh, ow = pool_output_shape(arr.shape, k, s)
    stack = np.stack(
        [
            arr[a : a + (oh - 1) * s + 1 : s, b : b + (ow - 1) * s + 1 : s]
            for a in range(k)
            for b in range(k)
        ]
    )
    if mode == "max":
        return stack.max(axis=0)
    if arr.dtype == object:  # exact sum of Python ints, one correctly rounded division
        return (stack.sum(axis=0) / (k * k)).astype(np.float64)
    return stack.astype(np.float64).mean(axis=0)


@dataclass(frozen=True)
class PoolTrace:
    """Which input cells a pooled cell ``(i, j)`` reads and what it computes from them."""

    i: int
    j: int
    mode: str
    rows: tuple[int, int]
    cols: tuple[int, int]
    values: tuple[float | int, ...]
    result: float | int

    def cells(self) -> list[tuple[int, int]]:
        """Input cells of the window in reading order."""
        return [(r, c) for r in range(*self.rows) for c in range(*self.cols)]

    def expression(self) -> str:
        """E.g. ``max(3, 5, 2, 1) = 5`` or ``(3 + 5 + 2 + 1)/4 = 2.75``."""
        vals = [format_number(v) for v in self.values]
        if self.mode == "max":
            return f"max({', '.join(vals)}) = {format_number(self.result)}"
        terms = " + ".join(format_number(v, parens=True) for v in self.values)
        return f"({terms})/{len(vals)} = {format_number(self.result)}"


def trace_pool_cell(
    x: object, i: int, j: int, size: int, stride: int | None = None, mode: PoolMode = "max"
) -> PoolTrace:
    """Explain pooled cell ``(i, j)``: its window rows/columns, the values and the result."""
    arr, k, s = _check(x, size, stride, mode)
    oh, ow = pool_output_shape(arr.shape, k, s)
    if not (0 <= i < oh and 0 <= j < ow):
        raise ValueError(f"cell (i, j) = ({i}, {j}) is outside the {oh}×{ow} pooled output")
    window = arr[i * s : i * s + k, j * s : j * s + k]
    cast = int if arr.dtype.kind in "iuO" else float
    values = tuple(cast(v) for v in window.ravel())
    if mode == "max":
        result: float | int = max(values)
    elif arr.dtype == object:
        result = sum(values) / len(values)  # exact sum, one correctly rounded division
    else:
        result = float(np.mean(window, dtype=np.float64))
    return PoolTrace(int(i), int(j), mode, (i * s, i * s + k), (j * s, j * s + k), values, result)


def pool_formula_text(n: int, size: int, stride: int) -> str:
    """``⌊(n − size)/stride⌋ + 1 = o`` with the numbers filled in."""
    return f"⌊({n} − {size})/{stride}⌋ + 1 = {(n - size) // stride + 1}"
