"""Building blocks of the banded numpy correlation (see ``correlate_direct``): tap groups,
in-place accumulation, scratch buffers and bounds-checked strided views."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

if TYPE_CHECKING:
    from engine.conv.geometry import ConvGeometry

Offset = tuple[int, int]
# (weight w, tap offsets, whether each tap's weight is +w rather than -w)
Groups = list[tuple[np.generic, list[Offset], list[bool]]]
Windows = list[tuple[np.generic, list[np.ndarray], list[bool]]]


def group_taps(taps: list[tuple[Offset, np.generic]]) -> Groups:
    """Gather taps by weight magnitude: ``w·(A + B − C)`` costs one multiply, not three.

    Offsets are ``(kernel_row, kernel_col)`` before dilation.  Within a group every weight is
    ``±w`` of the group's first weight; symmetric and antisymmetric kernels (Gaussian, box,
    Laplacian, Sobel, sharpen) have few groups, so their windows are summed first.
    """
    by_size: dict[float | int, list[tuple[Offset, np.generic]]] = {}
    for offset, w in taps:
        by_size.setdefault(abs(w.item()), []).append((offset, w))
    out: Groups = []
    for members in by_size.values():
        # Lead with a positive weight when there is one: x₂ − x₀ is one pass, −(x₀ − x₂) two.
        lead = next((w for _, w in members if w.item() > 0), members[0][1])
        # Taps with the lead's sign first, so a group starts with an add, not a negation.
        ordered = sorted(members, key=lambda m: bool(m[1] != lead))
        out.append((lead, [o for o, _ in ordered], [bool(w == lead) for _, w in ordered]))
    return out


def pass_count(groups: Groups) -> int:
    """Elementwise passes :func:`accumulate` makes for these tap groups."""
    passes = 0
    for index, (w, offsets, _) in enumerate(groups):
        unit = w == 1 or w == -1
        if len(offsets) == 1:
            passes += 1 if index == 0 or unit else 2
        elif index == 0:
            passes += len(offsets) - 1 + (0 if w == 1 else 1)
        else:
            passes += len(offsets) - 1 + (1 if unit else 2)
    return passes


def kernel_groups(k: np.ndarray) -> Groups:
    """Tap groups of a 2-D kernel (zero taps skipped)."""
    return group_taps([((int(a), int(b)), k[a, b]) for a, b in zip(*np.nonzero(k), strict=True)])


def line_groups(values: np.ndarray, vertical: bool) -> Groups:
    """Tap groups of a 1-D factor, as a column (``vertical``) or a row of a 2-D kernel."""
    return group_taps(
        [(((int(i), 0) if vertical else (0, int(i))), values[i]) for i in np.flatnonzero(values)]
    )


def cols_needed(geo: ConvGeometry) -> int:
    """Padded columns that some window reaches."""
    return (geo.output_shape[1] - 1) * geo.stride[1] + geo.effective_kernel[1]


STACK_BYTES = 2 << 20  # target size of the stacked-rows buffer of ``matmul``


def stacked_band_rows(
    kh: int, kw: int, width: int, itemsize: int, stack_bytes: int = STACK_BYTES
) -> int:
    """Output rows per band for the stacked ``matmul``: the buffer holds ``(n + kh - 1)``
    rows × ``kw`` shifts × ``width``; at least 16 rows so the ``kh - 1`` halo stays small."""
    per_row = kw * width * itemsize
    return max(16, stack_bytes // max(1, per_row) - (kh - 1))


def rows_view(
    flat: np.ndarray, start: int, n: int, rows: int, width: int, strides: tuple[int, int]
) -> np.ndarray:
    """Read-only ``(n, rows, width)`` view of the 1-D array ``flat`` from ``start``, with
    ``strides`` (in elements) between output rows and between tap rows; each tap row is
    ``width`` contiguous elements.  Bounds are checked here: ``as_strided`` checks nothing."""
    end = start + (n - 1) * strides[0] + (rows - 1) * strides[1] + width
    if flat.ndim != 1 or not flat.flags.c_contiguous or start < 0 or end > flat.size:
        raise AssertionError(f"strided view [{start}, {end}) outside an array of {flat.size}")
    item = flat.itemsize
    return as_strided(
        flat[start:],
        shape=(n, rows, width),
        strides=(strides[0] * item, strides[1] * item, item),
        writeable=False,
    )


class Scratch:
    """Reusable flat work buffers (one per name), grown on demand."""

    def __init__(self, dtype: np.dtype):
        self.dtype = dtype
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, size: int) -> np.ndarray:
        buf = self.buffers.get(name)
        if buf is None or buf.size < size:
            buf = np.empty(max(size, 1), dtype=self.dtype)
            self.buffers[name] = buf
        return buf[:size]


def accumulate(dst: np.ndarray, tmp: np.ndarray, groups: Windows) -> None:
    """``dst = Σ_groups w · Σ ±window`` in place, using only ``tmp`` as a temporary.

    The first group is built in ``dst`` itself, ±1 weights skip the multiply, and every window
    is a view, so each tap costs one or two passes over data that stays in cache.
    """
    first = True
    for w, windows, sign in groups:
        if len(windows) == 1:
            window = windows[0]
            if first:
                if w == 1:
                    np.copyto(dst, window)
                elif w == -1:
                    np.negative(window, out=dst)
                else:
                    np.multiply(window, w, out=dst)
            elif w == 1:
                np.add(dst, window, out=dst)
            elif w == -1:
                np.subtract(dst, window, out=dst)
            else:
                np.multiply(window, w, out=tmp)
                np.add(dst, tmp, out=dst)
        else:
            target = dst if first else tmp
            (np.add if sign[1] else np.subtract)(windows[0], windows[1], out=target)
            for window, positive in zip(windows[2:], sign[2:], strict=True):
                (np.add if positive else np.subtract)(target, window, out=target)
            if first:
                if w != 1:
                    np.multiply(dst, w, out=dst)
            elif w == 1:
                np.add(dst, tmp, out=dst)
            elif w == -1:
                np.subtract(dst, tmp, out=dst)
            else:
                np.multiply(tmp, w, out=tmp)
                np.add(dst, tmp, out=dst)
        first = False
    if first:
        dst.fill(0)
