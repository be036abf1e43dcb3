"""Write matrices and the whole worked solution as CSV, TSV, Markdown, LaTeX or NumPy text."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from engine.conv.layer import conv_layer, layer_param_formula, trace_layer_cell
from engine.conv.pooling import pool2d, pool_formula_text, trace_pool_cell
from engine.matrix.compute import ConvSettings, KernelOutput, explain_output_cell, step_cells
from engine.storage import atomic_write_text
from engine.text import format_cell, format_number

EXPORT_FORMATS = ("csv", "tsv", "markdown", "latex", "numpy")
EXPORT_LABELS = {
    "csv": "CSV",
    "tsv": "TSV (tab-separated)",
    "markdown": "Markdown table",
    "latex": "LaTeX bmatrix",
    "numpy": "NumPy literal",
}
EXPORT_SUFFIX = {"csv": ".csv", "tsv": ".tsv", "markdown": ".md", "latex": ".tex", "numpy": ".py"}


def _machine(value: float | int) -> str:
    """Exact ASCII text: ints as ints, floats by ``repr`` (round-trips)."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    v = float(value)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _readable(value: float | int) -> str:
    return format_cell(value)


def _latex_number(value: float | int) -> str:
    text = format_cell(value).replace("\u2212", "-")
    if "/" in text:
        num, den = text.split("/")
        sign = "-" if num.startswith("-") else ""
        return f"{sign}\\frac{{{num.lstrip('-')}}}{{{den}}}"
    return text


def matrix_to_text(values: object, fmt: str) -> str:
    """One matrix as text in ``fmt`` (one of :data:`EXPORT_FORMATS`).

    CSV, TSV and NumPy keep full precision; Markdown shows cells as on screen; LaTeX writes
    fractions as ``\\frac``.  Every format except Markdown pastes back into the tab.
    """
    arr = np.asarray(values)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"values must be a non-empty 2-D matrix, got shape {arr.shape}")
    rows = arr.tolist()
    if fmt == "csv":
        return "\n".join(",".join(_machine(v) for v in row) for row in rows) + "\n"
    if fmt == "tsv":
        return "\n".join("\t".join(_machine(v) for v in row) for row in rows) + "\n"
    if fmt == "markdown":
        width = arr.shape[1]
        header = "|   | " + " | ".join(str(c) for c in range(width)) + " |"
        rule = "|---|" + "|".join("---:" for _ in range(width)) + "|"
        body = [
            f"| **{r}** | " + " | ".join(_readable(v) for v in row) + " |"
            for r, row in enumerate(rows)
        ]
        return "\n".join([header, rule, *body]) + "\n"
    if fmt == "latex":
        tex = " \\\\\n".join("  " + " & ".join(_latex_number(v) for v in row) for row in rows)
        return "\\begin{bmatrix}\n" + tex + "\n\\end{bmatrix}\n"
    if fmt == "numpy":
        inner = ",\n    ".join("[" + ", ".join(_machine(v) for v in row) + "]" for row in rows)
        return "np.array([\n    " + inner + ",\n])\n"
    raise ValueError(f"fmt must be one of {EXPORT_FORMATS}, got {fmt!r}")


def _latex_math(text: str) -> str:
    return (
        text.replace("\u2212", "-")
        .replace("·", " \\cdot ")
        .replace("⌊", "\\lfloor ")
        .replace("⌋", "\\rfloor ")
        .replace("×", "\\times ")
    )


def worked_solution(
    x: np.ndarray,
    results: Sequence[KernelOutput],
    settings: ConvSettings,
    fmt: str = "markdown",
    *,
    pooling: tuple[str, int, int] | None = None,
) -> str:
    """The whole exercise written out: input, each kernel, size formulas, every output cell's sum
    of products, the outputs (and pooled outputs when ``pooling = (mode, size, stride)``).

    Matrices are written in ``fmt``; prose lines are Markdown for ``"markdown"``, LaTeX text for
    ``"latex"``, and ``#`` comments for CSV, TSV and NumPy.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"fmt must be one of {EXPORT_FORMATS}, got {fmt!r}")
    lines: list[str] = []

    def prose(text: str, *, heading: int = 0, math: bool = False) -> None:
        if fmt == "markdown":
            lines.append(("#" * heading + " " if heading else "") + text)
            lines.append("")
        elif fmt == "latex":
            text_tex = text.replace("×", "$\\times$").replace("\u2212", "-")
            if heading:
                cmd = "\\section*{" if heading <= 2 else "\\subsection*{"
                lines.append(cmd + text_tex + "}")
            elif math:
                label, sep, formula = text.partition(": ")
                if sep and "=" not in label:
                    lines.append(f"{label}: ${_latex_math(formula)}$\n")
                else:
                    lines.append(f"${_latex_math(text)}$\n")
            else:
                lines.append(text_tex + "\n")
        else:
            lines.append(f"# {text}")

    def matrix(values: np.ndarray) -> None:
        text = matrix_to_text(values, fmt).rstrip("\n")
        lines.append(f"\\[\n{text}\n\\]" if fmt == "latex" else text)
        lines.append("")

    prose("Worked solution", heading=1)
    prose(f"Settings: {settings.describe()}.")
    if settings.operation == "convolve":
        prose("Convolution rotates each kernel by 180° before sliding it over the input.")
    else:
        prose(
            "Cross-correlation slides each kernel as written; this is what deep-learning "
            "libraries call “convolution”."
        )
    prose(f"Input ({x.shape[0]}×{x.shape[1]})", heading=2)
    matrix(x)
    for res in results:
        prose(f"Kernel: {res.name}", heading=2)
        matrix(res.kernel)
        if res.output is None or res.geometry is None:
            prose(f"Cannot be applied: {res.error}")
            continue
        prose(f"Output rows: {res.row_formula}", math=True)
        prose(f"Output columns: {res.col_formula}", math=True)
        if res.floor_note:
            prose(f"The floor drops: {res.floor_note}.")
        for i, j in step_cells(res.output.shape):
            trace = explain_output_cell(x, res.kernel, i, j, settings)
            prose(f"out[{i}, {j}] = {trace.expression()}", math=True)
        prose(f"Output of {res.name}", heading=3)
        matrix(res.output)
        if pooling is not None:
            mode, size, stride = pooling
            if size > min(res.output.shape):
                prose(f"{mode} pooling {size}×{size} does not fit the output.")
                continue
            pooled = pool2d(res.output, size, stride, mode)  # type: ignore[arg-type]
            label = "Max" if mode == "max" else "Average"
            prose(
                f"{label} pooling {size}×{size}, stride {stride}: rows "
                f"{pool_formula_text(res.output.shape[0], size, stride)}, columns "
                f"{pool_formula_text(res.output.shape[1], size, stride)}",
                math=True,
            )
            for i, j in step_cells(pooled.shape):
                ptrace = trace_pool_cell(res.output, i, j, size, stride, mode)  # type: ignore[arg-type]
                prose(f"pool[{i}, {j}] = {ptrace.expression()}", math=True)
            matrix(pooled)
    return "\n".join(lines).rstrip("\n") + "\n"


def layer_worked_solution(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    settings: ConvSettings,
    fmt: str = "markdown",
) -> str:
    """The worked solution of a conv layer: channels, filters, biases, parameter count and every
    output cell of every map as per-channel sums of products plus the bias."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"fmt must be one of {EXPORT_FORMATS}, got {fmt!r}")
    out = conv_layer(
        x,
        weights,
        bias,
        **settings.operation_kwargs(),
    )
    n_filters, channels = weights.shape[0], weights.shape[1]
    comment = {"markdown": "", "latex": "% "}.get(fmt, "# ")
    lines = [
        f"{comment}Conv layer: {channels} channel(s), {n_filters} filter(s) of "
        f"{weights.shape[2]}×{weights.shape[3]}×{channels}; {settings.describe()}",
        f"{comment}Parameters N·(k·k·C + 1) = "
        + layer_param_formula(weights.shape[2:], channels, n_filters),
        "",
    ]
    for c in range(channels):
        lines += [f"{comment}Input channel {c}", matrix_to_text(x[c], fmt)]
    for n in range(n_filters):
        lines.append(f"{comment}Filter {n}, bias {format_number(bias[n].item())}")
        for c in range(channels):
            lines += [f"{comment}Filter {n}, channel {c}", matrix_to_text(weights[n, c], fmt)]
        for i, j in step_cells(out.shape[1:]):
            trace = trace_layer_cell(
                x,
                weights,
                bias,
                n,
                i,
                j,
                **settings.operation_kwargs(),
            )
            lines.append(f"{comment}map {n}, cell ({i}, {j}):")
            lines += [f"{comment}  {line}" for line in trace.expression().splitlines()]
        lines += [f"{comment}Output map {n}", matrix_to_text(out[n], fmt)]
    return "\n".join(lines).rstrip("\n") + "\n"


def save_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) atomically with :func:`engine.storage.atomic_write_text`, so a
    full disk never leaves a truncated file behind and the file gets the user's usual mode."""
    atomic_write_text(path, text, make_parents=False)
