"""One convolution layer explained with the user's own numbers.

:func:`explain_layer` returns the output size per axis with ``O = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1``
written out, the parameter count ``N·(kh·kw·C/groups + 1)``, the MACs, which input rows/columns
no window ever touches, why an output would be empty, and the parameter count of a dense layer
with the same input and output sizes.  :func:`same_padding`, :func:`solve_padding`,
:func:`solve_stride` and :func:`solve_kernel` answer the inverse questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.checks import check_int
from engine.layers.arithmetic import conv_params, output_size

PaddingArg = int | str | Sequence[int]


@dataclass(frozen=True)
class AxisExplanation:
    """The output-size arithmetic along one axis (``"H"`` rows or ``"W"`` columns)."""

    axis: str
    n: int
    k: int
    pad_before: int
    pad_after: int
    stride: int
    dilation: int
    output: int | None
    formula: str
    never_covered: tuple[int, ...]
    remainder: int
    notes: tuple[str, ...]

    @property
    def effective_kernel(self) -> int:
        """Extent of the dilated kernel, ``d(k − 1) + 1``."""
        return self.dilation * (self.k - 1) + 1

    @property
    def span(self) -> int:
        """``n + p_before + p_after − d(k − 1) − 1``: the distance the window can travel."""
        return self.n + self.pad_before + self.pad_after - self.effective_kernel


@dataclass(frozen=True)
class LayerExplanation:
    """Everything the one-layer panel shows; ``output_shape`` is ``None`` when impossible."""

    input_shape: tuple[int, int, int]
    kernel_size: tuple[int, int]
    filters: int
    groups: int
    bias: bool
    rows: AxisExplanation
    cols: AxisExplanation
    params: int
    params_formula: str
    macs: int | None
    macs_formula: str
    dense_params: int | None
    dense_formula: str
    ratio: float | None
    warnings: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def output_shape(self) -> tuple[int, int, int] | None:
        """``(H′, W′, N)`` or ``None`` when the kernel does not fit."""
        if self.rows.output is None or self.cols.output is None:
            return None
        return (self.rows.output, self.cols.output, self.filters)

    @property
    def valid(self) -> bool:
        """True when the layer produces at least a 1×1 output."""
        return not self.problems


def _pair(value: int | Sequence[int], name: str) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {value!r}")
        return (check_int(value[0], name, minimum=1), check_int(value[1], name, minimum=1))
    v = check_int(value, name, minimum=1)
    return (v, v)


def same_padding(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Padding ``(before, after)`` that gives ``⌈n/s⌉`` outputs (``n`` when the stride is 1).

    TensorFlow's ``SAME`` rule: total ``max((⌈n/s⌉ − 1)·s + d(k − 1) + 1 − n, 0)``, the odd extra
    one after.  With stride 1 it equals PyTorch's ``padding="same"``; an integer ``padding=p``
    only does it when the total is even.
    """
    n = check_int(n, "n", minimum=1)
    k = check_int(k, "k", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return (total // 2, total - total // 2)


def _resolve(padding: PaddingArg, n: tuple[int, int], k, s, d) -> tuple[tuple[int, int], ...]:
    if isinstance(padding, str):
        name = padding.strip().lower()
        if name == "valid":
            return ((0, 0), (0, 0))
        if name == "same":
            return tuple(same_padding(n[a], k[a], s[a], d[a]) for a in range(2))
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2:
            raise ValueError(f"padding must be an int or a pair, got {padding!r}")
        ph = check_int(padding[0], "padding", minimum=0)
        pw = check_int(padding[1], "padding", minimum=0)
    else:
        ph = pw = check_int(padding, "padding", minimum=0)
    return ((ph, ph), (pw, pw))


def _ranges(values: Sequence[int], limit: int = 12) -> str:
    """``[0, 1, 2, 5, 7, 8]`` → ``"0–2, 5, 7–8"``, shortened after ``limit`` groups."""
    groups: list[str] = []
    start = prev = None
    for v in list(values) + [None]:
        if start is not None and (v is None or v != prev + 1):  # type: ignore[operator]
            groups.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = None
        if v is not None and start is None:
            start = v
        prev = v
    if len(groups) > limit:
        groups = groups[:limit] + [f"… ({len(values)} in all)"]
    return ", ".join(groups)


def _signed(value: int) -> str:
    return f"−{-value}" if value < 0 else str(value)


def _input_items(label: str, items: Sequence[int]) -> str:
    """``"input row 7 is"`` / ``"input rows 7–8 are"``."""
    if len(items) == 1:
        return f"input {label} {items[0]} is"
    return f"input {label}s {_ranges(items)} are"


def _axis(axis: str, n: int, k: int, pads: tuple[int, int], s: int, d: int) -> AxisExplanation:
    label = "row" if axis == "H" else "column"
    pb, pa = pads
    ke = d * (k - 1) + 1
    span = n + pb + pa - ke
    pad_text = f"2·{pb}" if pb == pa else f"{pb} + {pa}"
    if d == 1:
        generic = f"{axis}′ = ⌊({axis} + 2p − k)/s⌋ + 1"
        filled = f"⌊({n} + {pad_text} − {k})/{s}⌋ + 1"
    else:
        generic = f"{axis}′ = ⌊({axis} + 2p − d(k−1) − 1)/s⌋ + 1"
        filled = f"⌊({n} + {pad_text} − {d}·({k}−1) − 1)/{s}⌋ + 1"
    notes: list[str] = []
    if span < 0:
        need = -(-(ke - n) // 2)
        formula = f"{generic} = {filled} = ⌊{_signed(span)}/{s}⌋ + 1 = {_signed(span // s + 1)} < 1"
        reason = (
            f"{axis}: the kernel spans d(k−1)+1 = {ke} {label}s but the padded input has only "
            f"{n + pb + pa} ({n} + {pb + pa} padding), so no window fits; use padding ≥ {need}, "
            f"a smaller kernel or less dilation"
        )
        return AxisExplanation(axis, n, k, pb, pa, s, d, None, formula, (), 0, (reason,))
    out = output_size(n, k, padding=pb, stride=s, dilation=d) if pb == pa else span // s + 1
    formula = f"{generic} = {filled} = ⌊{span}/{s}⌋ + 1 = {out}"
    touched = np.zeros(n + pb + pa, dtype=bool)  # padded positions some tap reaches
    for t in range(k):
        touched[t * d : t * d + (out - 1) * s + 1 : s] = True
    never = tuple(int(i) for i in np.flatnonzero(~touched[pb : pb + n]))  # input indices
    remainder = span % s
    if remainder:
        last = (out - 1) * s + ke - pb  # first padded index after the last window
        dropped = [i for i in range(last, n) if 0 <= i]
        what = (
            f"{_input_items(label, dropped)} never covered"
            if dropped
            else "only padding is dropped, every input " + label + " is used"
        )
        notes.append(
            f"{axis}: {axis} + 2p − d(k−1) − 1 = {n} + {pb + pa} − {ke} = {span} is not "
            f"divisible by the stride {s} "
            f"(remainder {remainder}): the floor drops the last {remainder} padded {label}"
            f"{'s' if remainder > 1 else ''}; {what}"
        )
    gaps = [i for i in never if i < (out - 1) * s + ke - pb]
    if gaps:
        cause = (
            f"the stride {s} is larger than the kernel extent {ke}"
            if s > ke
            else f"dilation {d} leaves holes the stride {s} never fills"
        )
        notes.append(f"{axis}: {cause}: {_input_items(label, gaps)} skipped")
    return AxisExplanation(axis, n, k, pb, pa, s, d, out, formula, never, remainder, tuple(notes))


def explain_layer(
    height: int,
    width: int,
    channels: int,
    kernel_size: int | Sequence[int],
    *,
    padding: PaddingArg = 0,
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
    filters: int = 1,
    bias: bool = True,
    groups: int = 1,
) -> LayerExplanation:
    """Output size, parameters, MACs and warnings of one ``Conv2d`` layer, written out.

    Parameters
    ----------
    height, width, channels
        Input ``H × W × C``.
    kernel_size
        ``k`` or ``(kh, kw)``.
    padding
        Zeros per side (int or pair), ``"valid"`` (0) or ``"same"`` (see :func:`same_padding`).
    stride, dilation
        Int or ``(vertical, horizontal)``.
    filters, bias, groups
        ``N`` output channels, a bias per filter, channel groups (``groups = C``: depthwise).

    Raises
    ------
    ValueError
        For a bad argument (non-integer, below 1, groups not dividing C and N).  A kernel that
        does not fit is *not* an error: ``problems`` says why and ``output_shape`` is ``None``.
    """
    h = check_int(height, "height", minimum=1)
    w = check_int(width, "width", minimum=1)
    c = check_int(channels, "channels", minimum=1)
    n_f = check_int(filters, "filters", minimum=1)
    g = check_int(groups, "groups", minimum=1)
    k = _pair(kernel_size, "kernel_size")
    s = _pair(stride, "stride")
    d = _pair(dilation, "dilation")
    if not isinstance(bias, bool):
        raise ValueError(f"bias must be True or False, got {bias!r}")
    if c % g or n_f % g:
        raise ValueError(f"groups={g} must divide both channels={c} and filters={n_f}")
    pads = _resolve(padding, (h, w), k, s, d)
    rows = _axis("H", h, k[0], pads[0], s[0], d[0])
    cols = _axis("W", w, k[1], pads[1], s[1], d[1])
    params = conv_params(k, c, n_f, bias=bias, groups=g)
    per = f"{k[0]}·{k[1]}·{c}" + (f"/{g}" if g > 1 else "")
    params_formula = f"N·(kh·kw·C/groups{' + 1' if bias else ''}) = {n_f}·({per}"
    params_formula += f"{' + 1' if bias else ''}) = {params:,}"
    problems = tuple(note for ax in (rows, cols) if ax.output is None for note in ax.notes)
    warnings = tuple(note for ax in (rows, cols) if ax.output is not None for note in ax.notes)
    if isinstance(padding, str) and padding.strip().lower() == "same":
        odd = [ax.axis for ax in (rows, cols) if ax.pad_before != ax.pad_after]
        if odd:
            warnings += (
                f"'same' needs an odd total padding on {', '.join(odd)}: the extra row/column "
                "goes at the bottom/right (PyTorch padding='same' does this; padding=p cannot)",
            )
    macs = dense = None
    ratio = None
    macs_formula = dense_formula = "—"
    if not problems:
        ho, wo = rows.output, cols.output
        assert ho is not None and wo is not None
        macs = ho * wo * n_f * k[0] * k[1] * (c // g)
        macs_formula = f"H′·W′·N·kh·kw·C/groups = {ho}·{wo}·{n_f}·{per} = {macs:,}"
        units_in, units_out = h * w * c, ho * wo * n_f
        dense = units_in * units_out + (units_out if bias else 0)
        dense_formula = (
            f"(H·W·C)·(H′·W′·N){' + H′·W′·N' if bias else ''} = {units_in:,}·{units_out:,}"
            f"{f' + {units_out:,}' if bias else ''} = {dense:,}"
        )
        ratio = dense / params if params else None
    return LayerExplanation(
        (h, w, c),
        k,
        n_f,
        g,
        bias,
        rows,
        cols,
        params,
        params_formula,
        macs,
        macs_formula,
        dense,
        dense_formula,
        ratio,
        warnings,
        problems,
    )


def _check_common(n: int, wanted: int, pad: int, dilation: int) -> tuple[int, int, int, int]:
    return (
        check_int(n, "n", minimum=1),
        check_int(wanted, "wanted", minimum=1),
        check_int(pad, "padding", minimum=0),
        check_int(dilation, "dilation", minimum=1),
    )


def solve_padding(n: int, k: int, wanted: int, *, stride: int = 1, dilation: int = 1) -> list[int]:
    """Every symmetric padding ``p`` (per side) for which the layer gives ``wanted`` outputs."""
    n, wanted, _, d = _check_common(n, wanted, 0, dilation)
    k = check_int(k, "k", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    ke = d * (k - 1) + 1
    limit = (wanted * s + ke) // 2 + 1
    return [
        p
        for p in range(limit + 1)
        if n + 2 * p >= ke and output_size(n, k, padding=p, stride=s, dilation=d) == wanted
    ]


def solve_stride(n: int, k: int, wanted: int, *, padding: int = 0, dilation: int = 1) -> list[int]:
    """Every stride up to ``span + 1`` that gives ``wanted`` outputs with this kernel and padding.

    ``span = n + 2p − d(k − 1) − 1``.  Every stride above ``span`` gives exactly one output, so
    when ``wanted`` is 1 the last value returned, ``span + 1``, stands for "this or larger".
    """
    n, wanted, p, d = _check_common(n, wanted, padding, dilation)
    k = check_int(k, "k", minimum=1)
    if n + 2 * p < d * (k - 1) + 1:
        return []
    span = n + 2 * p - d * (k - 1) - 1
    return [
        s
        for s in range(1, span + 2)
        if output_size(n, k, padding=p, stride=s, dilation=d) == wanted
    ]


def solve_kernel(
    n: int, wanted: int, *, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[int]:
    """Every kernel size that gives ``wanted`` outputs with this stride, padding and dilation."""
    n, wanted, p, d = _check_common(n, wanted, padding, dilation)
    s = check_int(stride, "stride", minimum=1)
    largest = (n + 2 * p - 1) // d + 1
    return [
        k
        for k in range(1, largest + 1)
        if output_size(n, k, padding=p, stride=s, dilation=d) == wanted
    ]


def describe_solutions(values: Sequence[int]) -> str:
    """``[3, 4, 5]`` → ``"3–5"``; ``[]`` → ``"none"``."""
    return _ranges(sorted(values)) if values else "none"
