"""Write matrices and the whole worked solution as CSV, TSV, Markdown, LaTeX or NumPy text.

:data:`EXPORTS` is the one table of formats: a new format is one :class:`ExportFormat` entry
(its label, file suffix, matrix writer and how a worked solution writes its prose); the Matrix
tab's copy/save menus and the worked-solution panel list the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.conv.layer import layer_param_formula
from engine.matrix.compute import SHEET_FORMULA_NOTE, MatrixResult, step_cells
from engine.text import format_cell, format_number

#: How a worked solution writes prose lines in a format: Markdown, LaTeX text, or ``#`` comments.
PROSE_STYLES = ("markdown", "latex", "comment")
_COMMENT = {"markdown": "", "latex": "% ", "comment": "# "}


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Attributes
    ----------
    key, label, suffix
        The ``fmt`` name, the name shown in menus and the file suffix (``".csv"``).
    write
        ``write(matrix) -> text``: a non-empty 2-D array as text ending in a newline; it must
        paste back into the Matrix tab (:func:`engine.matrix.parse_matrix`).
    prose
        One of :data:`PROSE_STYLES`: how :func:`worked_solution` writes its sentences.
    """

    key: str
    label: str
    suffix: str
    write: Callable[[np.ndarray], str]
    prose: str = "comment"

    def __post_init__(self) -> None:
        if self.prose not in PROSE_STYLES:
            raise ValueError(f"prose must be one of {PROSE_STYLES}, got {self.prose!r}")


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


def _csv(arr: np.ndarray, sep: str = ",") -> str:
    return "\n".join(sep.join(_machine(v) for v in row) for row in arr.tolist()) + "\n"


def _markdown(arr: np.ndarray) -> str:
    width = arr.shape[1]
    header = "|   | " + " | ".join(str(c) for c in range(width)) + " |"
    rule = "|---|" + "|".join("---:" for _ in range(width)) + "|"
    body = [
        f"| **{r}** | " + " | ".join(_readable(v) for v in row) + " |"
        for r, row in enumerate(arr.tolist())
    ]
    return "\n".join([header, rule, *body]) + "\n"


def _latex(arr: np.ndarray) -> str:
    tex = " \\\\\n".join("  " + " & ".join(_latex_number(v) for v in row) for row in arr.tolist())
    return "\\begin{bmatrix}\n" + tex + "\n\\end{bmatrix}\n"


def _numpy(arr: np.ndarray) -> str:
    rows = arr.tolist()
    inner = ",\n    ".join("[" + ", ".join(_machine(v) for v in row) + "]" for row in rows)
    return "np.array([\n    " + inner + ",\n])\n"


#: Every export format by its ``fmt`` key, in menu order.
EXPORTS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("csv", "CSV", ".csv", _csv),
        ExportFormat("tsv", "TSV (tab-separated)", ".tsv", lambda arr: _csv(arr, "\t")),
        ExportFormat("markdown", "Markdown table", ".md", _markdown, prose="markdown"),
        ExportFormat("latex", "LaTeX bmatrix", ".tex", _latex, prose="latex"),
        ExportFormat("numpy", "NumPy literal", ".py", _numpy),
    )
}
#: Views of :data:`EXPORTS`: the keys, the menu labels, the file suffixes.
EXPORT_FORMATS = tuple(EXPORTS)
EXPORT_LABELS = {key: f.label for key, f in EXPORTS.items()}
EXPORT_SUFFIX = {key: f.suffix for key, f in EXPORTS.items()}


def _format(fmt: str) -> ExportFormat:
    if fmt not in EXPORTS:
        raise ValueError(f"fmt must be one of {EXPORT_FORMATS}, got {fmt!r}")
    return EXPORTS[fmt]


def matrix_to_text(values: object, fmt: str) -> str:
    """One matrix as text in ``fmt`` (one of :data:`EXPORT_FORMATS`).

    CSV, TSV and NumPy keep full precision; Markdown shows cells as on screen; LaTeX writes
    fractions as ``\\frac``.  Every format pastes back into the tab (:func:`parse_matrix`).
    """
    arr = np.asarray(values)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"values must be a non-empty 2-D matrix, got shape {arr.shape}")
    return _format(fmt).write(arr)


def _latex_math(text: str) -> str:
    return (
        text.replace("\u2212", "-")
        .replace("·", " \\cdot ")
        .replace("⌊", "\\lfloor ")
        .replace("⌋", "\\rfloor ")
        .replace("×", "\\times ")
    )


def worked_solution(result: MatrixResult, fmt: str = "markdown") -> str:
    """The whole exercise written out from one :func:`~engine.matrix.compute_matrix` result:
    input, each kernel and what it responds to, size formulas, every output cell's sum of
    products, the outputs (and the pooled outputs when the result has pooling).

    Matrices are written in ``fmt``; prose lines are Markdown for ``"markdown"``, LaTeX text for
    ``"latex"``, and ``#`` comments for CSV, TSV and NumPy.  A conv-layer result is written by
    :func:`layer_worked_solution`.
    """
    if result.layer is not None:
        return layer_worked_solution(result, fmt)
    doc = _Document(fmt)
    settings, x = result.settings, result.x
    doc.prose("Worked solution", heading=1)
    if result.comparison:
        doc.prose(f"{result.title}.")
    else:
        doc.prose(f"Settings: {settings.describe()}.")
    if settings.operation == "convolve":
        doc.prose("Convolution rotates each kernel by 180° before sliding it over the input.")
    else:
        doc.prose(
            "Cross-correlation slides each kernel as written; this is what deep-learning "
            "libraries call “convolution”."
        )
    doc.prose(f"Output size: {SHEET_FORMULA_NOTE}")
    doc.prose(f"Input ({x.shape[0]}×{x.shape[1]})", heading=2)
    doc.matrix(x)
    if result.grad_out is not None:
        _backward(result, doc)
        return doc.text()
    for p, res in enumerate(result.outputs):
        doc.prose(f"Kernel: {res.name}", heading=2)
        doc.matrix(res.kernel)
        if res.about:
            doc.prose(f"Responds to: {res.about}")
        if res.output is None or res.geometry is None:
            doc.prose(f"Cannot be applied: {res.error}")
            continue
        doc.prose(f"Output rows: {res.row_formula}", math=True)
        doc.prose(f"Output columns: {res.col_formula}", math=True)
        if res.floor_note:
            doc.prose(f"The floor drops: {res.floor_note}.")
        for i, j in step_cells(res.output.shape):
            doc.prose(f"out[{i}, {j}] = {result.trace(p, i, j).expression()}", math=True)
        doc.prose(f"Output of {res.name}", heading=3)
        doc.matrix(res.output)
        pooled = res.pooled
        if pooled is None:
            continue
        if pooled.values is None:
            doc.prose(f"{pooled.error}.")
            continue
        doc.prose(
            f"{pooled.heading}: rows {pooled.row_formula}, columns {pooled.col_formula}",
            math=True,
        )
        for i, j in step_cells(pooled.values.shape):
            doc.prose(f"pool[{i}, {j}] = {result.pool_trace(p, i, j).expression()}", math=True)
        doc.matrix(pooled.values)
    return doc.text()


def _backward(result: MatrixResult, doc: _Document) -> None:
    """The backward-pass part of :func:`worked_solution`: Y, G, ∂L/∂K and ∂L/∂X cell by cell."""
    forward, d_kernel, d_input = result.outputs
    assert result.grad_out is not None and forward.output is not None
    doc.prose("Kernel K", heading=2)
    doc.matrix(forward.kernel)
    doc.prose(f"Forward pass: {forward.name}", heading=2)
    doc.prose(f"Output rows: {forward.row_formula}", math=True)
    doc.prose(f"Output columns: {forward.col_formula}", math=True)
    for i, j in step_cells(forward.output.shape):
        doc.prose(f"Y[{i}, {j}] = {result.trace(0, i, j).expression()}", math=True)
    doc.matrix(forward.output)
    doc.prose("Upstream gradient G = ∂L/∂Y (the shape of Y)", heading=2)
    doc.matrix(result.grad_out)
    for p, res in ((1, d_kernel), (2, d_input)):
        assert res.output is not None
        doc.prose(res.name, heading=2)
        doc.prose(res.formula)
        for i, j in step_cells(res.output.shape):
            trace = result.grad_trace(p, i, j)
            doc.prose(f"{trace.symbol} = {trace.expression()}", math=True)
        doc.matrix(res.output)


class _Document:
    """Prose and matrices in one export format (see :func:`worked_solution`)."""

    def __init__(self, fmt: str) -> None:
        self.style = _format(fmt).prose
        self.fmt = fmt
        self.lines: list[str] = []

    def prose(self, text: str, *, heading: int = 0, math: bool = False) -> None:
        style, lines = self.style, self.lines
        if style == "markdown":
            lines.append(("#" * heading + " " if heading else "") + text)
            lines.append("")
        elif style == "latex":
            text_tex = (
                text.replace("×", "$\\times$")
                .replace("\u2212", "-")
                .replace("⌊", "$\\lfloor$")
                .replace("⌋", "$\\rfloor$")
            )
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

    def matrix(self, values: np.ndarray) -> None:
        text = matrix_to_text(values, self.fmt).rstrip("\n")
        self.lines.append(f"\\[\n{text}\n\\]" if self.style == "latex" else text)
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


def layer_worked_solution(result: MatrixResult, fmt: str = "markdown") -> str:
    """The worked solution of a :func:`~engine.matrix.compute_layer` result: channels, filters,
    biases, parameter count and every output cell of every map as per-channel sums of products
    plus the bias."""
    comment = _COMMENT[_format(fmt).prose]
    if result.layer is None:
        raise ValueError("result must be a conv-layer result (from compute_layer)")
    x, (weights, bias), settings = result.x, result.layer, result.settings
    n_filters, channels = weights.shape[0], weights.shape[1]
    lines = [
        f"{comment}Conv layer: {channels} channel(s), {n_filters} filter(s) of "
        f"{weights.shape[2]}×{weights.shape[3]}×{channels}; {settings.describe()}",
        f"{comment}Parameters N·(k·k·C + 1) = "
        + layer_param_formula(weights.shape[2:], channels, n_filters),
        f"{comment}Output size: {SHEET_FORMULA_NOTE}",
        "",
    ]
    for c in range(channels):
        lines += [f"{comment}Input channel {c}", matrix_to_text(x[c], fmt)]
    for n, res in enumerate(result.outputs):
        lines.append(f"{comment}Filter {n}, bias {format_number(bias[n].item())}")
        for c in range(channels):
            lines += [f"{comment}Filter {n}, channel {c}", matrix_to_text(weights[n, c], fmt)]
        if res.output is None:
            lines.append(f"{comment}Cannot be applied: {res.error}")
            continue
        for i, j in step_cells(res.output.shape):
            trace = result.layer_trace(n, i, j)
            lines.append(f"{comment}map {n}, cell ({i}, {j}):")
            lines += [f"{comment}  {line}" for line in trace.expression().splitlines()]
        lines += [f"{comment}Output map {n}", matrix_to_text(res.output, fmt)]
    return "\n".join(lines).rstrip("\n") + "\n"
