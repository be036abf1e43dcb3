"""Turn engine traces into the explanation text and highlight lists the tab shows."""

from __future__ import annotations

import numpy as np

from engine.conv import CellTrace, GradTrace, LayerCellTrace, PoolTrace
from engine.matrix import ConvSettings, padded_input
from engine.text import format_cell, format_number

DISPLAY_NOTE = {"abs": "absolute value", "clamp": "clamped to 0…255"}


def padding_mask(geo) -> np.ndarray:
    """True on the zero-padding cells of the padded input."""
    top, bottom, left, right = geo.pad
    mask = np.ones(geo.padded_shape, dtype=bool)
    mask[top : top + geo.input_shape[0], left : left + geo.input_shape[1]] = False
    return mask


def window_view(x: np.ndarray, trace: CellTrace, padded: np.ndarray | None = None):
    """``(padded, (top, left), mask, window cells, tooltips)`` for the padded-input view
    (``padded``: the padded input when the result already holds it)."""
    geo = trace.geometry
    if padded is None:
        padded = padded_input(x, geo)
    tips = {
        (t.padded_row, t.padded_col): (
            f"input ({t.row}, {t.col}) = {format_number(t.value)}"
            f"{' (padding)' if t.is_padding else ''} × weight k[{t.kernel_row}, {t.kernel_col}] = "
            f"{format_number(t.weight)} → {format_number(t.product)}"
        )
        for t in trace.terms
    }
    window = [(t.padded_row, t.padded_col) for t in trace.terms]
    return padded, (geo.pad[0], geo.pad[2]), padding_mask(geo), window, tips


def _cell(value: float | int) -> str:
    """A factor as the matrices show it (``1/9``, ``−2``), bracketed when negative."""
    text = format_cell(value)
    return f"({text})" if text.startswith("\u2212") else text


def _sum_text(terms, total: float | int) -> str:
    """``w·x + … = total`` with the numbers written as in the matrices (fractions stay
    fractions: ``1/9·3`` rather than ``0.111111·3``)."""
    parts = [f"{_cell(t.weight)}·{_cell(t.value)}" for t in terms]
    return " + ".join(parts or ["0"]) + f" = {format_cell(total)}"


def _span(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo).replace("-", "−") if lo == hi else f"{lo}…{hi}".replace("-", "−")


def cell_text(
    name: str,
    trace: CellTrace,
    settings: ConvSettings,
    display: str,
    shown: float | int,
) -> str:
    """The explanation of one output cell, with the actual numbers."""
    geo = trace.geometry
    op = "cross-correlation" if settings.operation == "correlate" else "convolution"
    rows = [t.padded_row for t in trace.terms]
    cols = [t.padded_col for t in trace.terms]
    in_rows = [t.row for t in trace.terms]
    in_cols = [t.col for t in trace.terms]
    n_pad = sum(t.is_padding for t in trace.terms)
    lines = [
        f"{name}: output cell ({trace.i}, {trace.j}) — {op}",
        f"Window: padded rows {_span(rows)}, columns {_span(cols)} = input rows "
        f"{_span(in_rows)}, columns {_span(in_cols)}"
        + (f"; {n_pad} of {len(trace.terms)} cells are zero padding" if n_pad else ""),
        f"(start = {trace.i}·{geo.stride[0]} = row {trace.i * geo.stride[0]}, "
        f"{trace.j}·{geo.stride[1]} = column {trace.j * geo.stride[1]} of the padded input"
        + (f"; taps {geo.dilation[0]} apart" if geo.dilation != (1, 1) else "")
        + ")",
    ]
    if settings.operation == "convolve":
        kh, kw = geo.kernel_shape
        lines.append(
            f"Convolution flips the kernel: the window's top-left input meets weight "
            f"k[{kh - 1}, {kw - 1}], its bottom-right meets k[0, 0]."
        )
    lines += ["", "Sum of products (weight · input):", _sum_text(trace.terms, trace.total), ""]
    kw = geo.kernel_shape[1]
    lines.append("Row by row:")
    for a in range(geo.kernel_shape[0]):
        terms = trace.terms[a * kw : (a + 1) * kw]
        subtotal = sum(t.product for t in terms)
        parts = " + ".join(f"{_cell(t.weight)}·{_cell(t.value)}" for t in terms)
        lines.append(f"  kernel row {a}: {parts} = {format_cell(subtotal)}")
    if display in DISPLAY_NOTE and shown != trace.total:
        lines.append(f"\nShown as {format_number(shown)} ({DISPLAY_NOTE[display]}).")
    return "\n".join(lines)


def layer_text(trace: LayerCellTrace, settings: ConvSettings) -> str:
    """The explanation of one conv-layer output cell: per-channel sums plus the bias."""
    op = "cross-correlation" if settings.operation == "correlate" else "convolution"
    head = f"Filter {trace.n}: output cell ({trace.i}, {trace.j}) — {op}, summed over channels"
    return head + "\n\n" + trace.expression()


def pool_text(name: str, trace: PoolTrace) -> str:
    """The explanation of one pooled cell."""
    label = "Max" if trace.mode == "max" else "Average"
    return (
        f"{name}: pooled cell ({trace.i}, {trace.j}) — {label} pooling\n"
        f"Window on the output: rows {trace.rows[0]}…{trace.rows[1] - 1}, columns "
        f"{trace.cols[0]}…{trace.cols[1] - 1}\n\n{trace.expression()}"
    )


def grad_text(heading: str, formula: str, trace: GradTrace) -> str:
    """The explanation of one cell of ∂L/∂K or ∂L/∂X: which G cells meet which inputs/weights."""
    if trace.kind == "kernel":
        pairs = [
            f"  G[{t.grad_row}, {t.grad_col}] · X[{t.other_row}, {t.other_col}]"
            + (" (padding)" if t.is_padding else "")
            for t in trace.terms
        ]
        what = (
            f"Weight K[{trace.row}, {trace.col}] met one input in every window (i, j); each "
            "meeting adds G[i, j] times that input:"
        )
    else:
        pairs = [
            f"  G[{t.grad_row}, {t.grad_col}] · K[{t.other_row}, {t.other_col}]"
            for t in trace.terms
        ]
        what = (
            f"Input X[{trace.row}, {trace.col}] was used by {len(trace.terms)} window(s); each "
            "adds its G value times the weight that met this input:"
            if trace.terms
            else f"Input X[{trace.row}, {trace.col}] is in no window (the floor dropped it): 0."
        )
    lines = [f"{heading}: {trace.symbol}", formula, "", what, *pairs, "", trace.expression()]
    return "\n".join(lines)
