"""A multi-channel convolution layer: C input channels, N filters of k×k×C plus a bias each.

Layout follows PyTorch: the input is ``(C, H, W)``, the weights ``(N, C, kh, kw)`` and the biases
``(N,)``.  Output map ``n`` is ``bias[n] + Σ_c correlate2d(x[c], weights[n, c])`` — the "sum over
channels" of an exercise sheet, built from the exact single-channel :func:`correlate2d`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.conv.correlate import convolve2d, correlate2d
from engine.conv.exact import INT64_MAX, kernel_abs_sum
from engine.conv.geometry import ConvGeometry, PaddingSpec, PairSpec, conv_geometry
from engine.conv.trace import CellTrace, trace_cell
from engine.layers.arithmetic import conv_params
from engine.text import format_number

Mode = Literal["correlate", "convolve"]


def _arrays(
    x: object, weights: object, bias: object | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xa = np.asarray(x)
    wa = np.asarray(weights)
    if xa.ndim != 3 or xa.size == 0 or xa.dtype.kind not in "iuf":
        raise ValueError(f"x must be a numeric (C, H, W) array, got shape {xa.shape}")
    if wa.ndim != 4 or wa.size == 0 or wa.dtype.kind not in "iuf":
        raise ValueError(f"weights must be a numeric (N, C, kh, kw) array, got shape {wa.shape}")
    if wa.shape[1] != xa.shape[0]:
        raise ValueError(
            f"weights have {wa.shape[1]} channel(s) per filter but x has {xa.shape[0]}: "
            "each filter needs one k×k slice per input channel"
        )
    if bias is None:
        ba = np.zeros(wa.shape[0], dtype=np.int64)
    else:
        ba = np.asarray(bias).reshape(-1)
        if ba.dtype.kind not in "iuf" or ba.shape[0] != wa.shape[0]:
            raise ValueError(f"bias must hold one number per filter ({wa.shape[0]}), got {bias!r}")
    for name, arr in (("x", xa), ("weights", wa), ("bias", ba)):
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinity")
    return xa, wa, ba


def _layer_sum_bound(xa: np.ndarray, wa: np.ndarray, ba: np.ndarray) -> int:
    """``max|x| · max over filters of Σ|w| + max|b|``: bounds every partial sum of the layer."""
    xmax = max(abs(int(xa.max())), abs(int(xa.min())))
    wsum = max(kernel_abs_sum(wa[n]) for n in range(wa.shape[0]))
    bmax = max(abs(int(v)) for v in ba.tolist())
    return xmax * wsum + bmax


def conv_layer(
    x: object,
    weights: object,
    bias: object | None = None,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    mode: Mode = "correlate",
) -> np.ndarray:
    """Apply N filters of shape ``(C, kh, kw)`` plus biases to a ``(C, H, W)`` input.

    Parameters
    ----------
    x
        ``(C, H, W)`` input.
    weights
        ``(N, C, kh, kw)`` filter weights.
    bias
        ``(N,)`` biases (zeros when ``None``).
    padding, stride, dilation
        As for :func:`engine.correlate2d`.
    mode
        ``"correlate"`` (deep-learning "convolution") or ``"convolve"`` (kernel rotated 180°).

    Returns
    -------
    numpy.ndarray
        ``(N, oh, ow)``; int64 when every input is an integer, else float64; an ``object`` array
        of exact Python ints when the integer sums could exceed int64.

    Raises
    ------
    ValueError
        For mismatched shapes or a bad padding/stride/dilation.
    """
    if mode not in ("correlate", "convolve"):
        raise ValueError(f"mode must be 'correlate' or 'convolve', got {mode!r}")
    xa, wa, ba = _arrays(x, weights, bias)
    op = correlate2d if mode == "correlate" else convolve2d
    geo = conv_geometry(
        xa.shape[1:], wa.shape[2:], padding=padding, stride=stride, dilation=dilation
    )
    integer = xa.dtype.kind in "iu" and wa.dtype.kind in "iu" and ba.dtype.kind in "iu"
    dtype: type = np.int64 if integer else np.float64
    if integer and _layer_sum_bound(xa, wa, ba) > INT64_MAX:
        dtype = object  # int64 could wrap: exact Python ints (see engine.conv.exact)
    out = np.zeros((wa.shape[0],) + geo.output_shape, dtype=dtype)
    for n in range(wa.shape[0]):
        for c in range(xa.shape[0]):
            out[n] += op(xa[c], wa[n, c], padding=padding, stride=stride, dilation=dilation).astype(
                dtype
            )
        out[n] += ba[n].astype(dtype)
    return out


def layer_param_count(kernel_size: int, in_channels: int, filters: int) -> int:
    """Trainable parameters ``N·(k·k·C + 1)`` of the layer (weights plus one bias per filter)."""
    return conv_params(kernel_size, in_channels, filters, bias=True)


def layer_param_formula(kernel_size: tuple[int, int], in_channels: int, filters: int) -> str:
    """The parameter count with numbers filled in, e.g. ``2·(3·3·3 + 1) = 56``."""
    kh, kw = kernel_size
    total = conv_params((kh, kw), in_channels, filters, bias=True)
    return f"{filters}·({kh}·{kw}·{in_channels} + 1) = {total}"


@dataclass(frozen=True)
class LayerCellTrace:
    """Output cell ``(i, j)`` of filter ``n``: one :class:`CellTrace` per channel plus the bias."""

    n: int
    i: int
    j: int
    channels: tuple[CellTrace, ...]
    bias: float | int
    total: float | int

    def expression(self) -> str:
        """Per-channel sums of products, then ``s₀ + s₁ + … + bias = total``."""
        lines = [f"channel {c}: {t.expression()}" for c, t in enumerate(self.channels)]
        parts = [format_number(t.total, parens=True) for t in self.channels]
        parts.append(format_number(self.bias, parens=True))
        lines.append(f"sum over channels + bias: {' + '.join(parts)} = {format_number(self.total)}")
        return "\n".join(lines)


def trace_layer_cell(
    x: object,
    weights: object,
    bias: object | None,
    n: int,
    i: int,
    j: int,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    mode: Mode = "correlate",
    geometry: ConvGeometry | None = None,
) -> LayerCellTrace:
    """Explain output cell ``(i, j)`` of filter ``n`` channel by channel (``geometry``: an
    already resolved geometry for one channel, as :func:`engine.conv.trace_cell` takes it)."""
    xa, wa, ba = _arrays(x, weights, bias)
    if not 0 <= int(n) < wa.shape[0]:
        raise ValueError(f"n = {n} is not a filter index (0…{wa.shape[0] - 1})")
    traces = tuple(
        trace_cell(
            xa[c],
            wa[n, c],
            i,
            j,
            padding=padding,
            stride=stride,
            dilation=dilation,
            mode=mode,
            geometry=geometry,
        )
        for c in range(xa.shape[0])
    )
    integer = xa.dtype.kind in "iu" and wa.dtype.kind in "iu" and ba.dtype.kind in "iu"
    b: float | int = int(ba[n]) if integer else float(ba[n])
    total = sum((t.total for t in traces), start=b)
    return LayerCellTrace(int(n), int(i), int(j), traces, b, total)
