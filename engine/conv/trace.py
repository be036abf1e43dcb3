"""Cell traces: which inputs and weights make one output cell's sum, for explanations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.checks import check_array
from engine.conv.correlate import result_dtype
from engine.conv.geometry import ConvGeometry, PaddingSpec, PairSpec, _given_or_resolved
from engine.text import format_number


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
        """The sum of products written out, every tap in kernel order, e.g.
        ``(−1)·3 + 0·5 + 1·2 = −1``.

        With ``skip_zero_weights`` the products of zero weights are left out and the text says
        how many, so the sum never looks as if taps were lost: ``(−1)·3 + 1·2 = −1 (1 zero-weight
        tap left out)``.
        """
        kept = [t for t in self.terms if not (skip_zero_weights and t.weight == 0)]
        parts = [
            f"{format_number(t.weight, parens=True)}·{format_number(t.value, parens=True)}"
            for t in kept
        ]
        text = " + ".join(parts or ["0"]) + f" = {format_number(self.total)}"
        left_out = len(self.terms) - len(kept)
        if left_out:
            text += f" ({left_out} zero-weight tap{'s' if left_out != 1 else ''} left out)"
        return text


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
    geometry: ConvGeometry | None = None,
) -> CellTrace:
    """Explain output cell ``(i, j)`` of a 2-D input: which inputs and weights make its sum.

    Arguments are those of :func:`correlate2d` (``x`` must be 2-D) plus the cell index and
    ``mode``. For ``"convolve"`` the kernel is rotated by 180° before it slides, and each term
    records which entry of the original kernel it used. A ``geometry`` already resolved by
    :func:`conv_geometry` for these shapes is used as it is (``padding``/``stride``/``dilation``
    are then ignored), so a caller that resolved it once does not resolve it per cell.

    Raises
    ------
    ValueError
        For bad arguments, or a cell outside the output.
    """
    if mode not in ("correlate", "convolve"):
        raise ValueError(f"mode must be 'correlate' or 'convolve', got {mode!r}")
    xa = check_array(x, "x", (2,))
    ka = check_array(kernel, "kernel", (2,))
    geo = _given_or_resolved(
        geometry, xa.shape, ka.shape, padding=padding, stride=stride, dilation=dilation
    )
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
