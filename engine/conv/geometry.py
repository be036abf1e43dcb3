"""Convolution geometry: padding rules, stride and dilation resolved once into a
:class:`ConvGeometry`, and the output-size formula in words.

Everything that slides a kernel (``correlate2d``, the numpy fast paths in ``engine.conv._numpy``,
cell traces, conv layers, the Matrix tab) takes its shapes from :func:`conv_geometry`, so the
padding rules exist once.  Shapes follow ``O = floor((n + p_before + p_after - d(k-1) - 1) / s)
+ 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PaddingSpec = str | int | Sequence[int]
PairSpec = int | Sequence[int]
PADDING_NAMES = ("valid", "same", "full")


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


def _given_or_resolved(
    geometry: ConvGeometry | None,
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    *,
    padding: PaddingSpec,
    stride: PairSpec,
    dilation: PairSpec,
) -> ConvGeometry:
    """``geometry`` when the caller resolved it for exactly these shapes (so a trace per cell
    does not resolve it per cell), else :func:`conv_geometry` of them."""
    if geometry is None:
        return conv_geometry(
            input_shape, kernel_shape, padding=padding, stride=stride, dilation=dilation
        )
    if geometry.input_shape != input_shape or geometry.kernel_shape != kernel_shape:
        raise ValueError(
            f"geometry is for input {geometry.input_shape} and kernel {geometry.kernel_shape}, "
            f"got {input_shape} and {kernel_shape}"
        )
    return geometry


def dilate_kernel(kernel: np.ndarray, dilation: PairSpec) -> np.ndarray:
    """Insert ``d - 1`` zeros between kernel taps, giving the equivalent undilated kernel."""
    dy, dx = _as_pair(dilation, "dilation")
    kh, kw = kernel.shape
    out = np.zeros((dy * (kh - 1) + 1, dx * (kw - 1) + 1), dtype=kernel.dtype)
    out[::dy, ::dx] = kernel
    return out


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
