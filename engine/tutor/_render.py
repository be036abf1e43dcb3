"""Exercise text as small blocks, written out as Markdown, LaTeX or HTML (for QTextDocument).

A block is one of

* :class:`Text` — a paragraph of Unicode prose (short formulas such as ``ŷᵢ`` or ``λ`` allowed);
* :class:`Math` — a display formula, given both as Unicode and as LaTeX;
* :class:`Matrix` — a labelled matrix or vector (fractions kept exact, e.g. ``1/3``);
* :class:`Heading`;
* :class:`Space` — room to write an answer: ruled lines, or an empty grid of the answer's shape;
* :class:`PageBreak` — the next copy of a worksheet starts on a new page.

The LaTeX writer escapes every special character and maps the Unicode symbols the exercises use
to math commands, so the output is plain ASCII that pdflatex compiles (with ``amsmath``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.matrix.export import matrix_to_text
from engine.text import format_cell


@dataclass(frozen=True)
class Text:
    """A paragraph."""

    text: str


@dataclass(frozen=True)
class Math:
    """A display formula: ``unicode`` for Markdown/HTML, ``latex`` for LaTeX (math mode)."""

    unicode: str
    latex: str = ""


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Matrix:
    """``label`` followed by the values (1-D is written as a row)."""

    label: str
    values: np.ndarray


@dataclass(frozen=True)
class Heading:
    """A heading of level 1–3."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Space:
    """Room for the student's answer: ``label``, then an empty ``shape`` grid (rows, columns)
    when given, then ``lines`` ruled lines for the working."""

    label: str = "Answer:"
    lines: int = 3
    shape: tuple[int, int] | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (a rule in Markdown)."""


Block = Text | Math | Matrix | Heading | Space | PageBreak

_BLANK_CELL = "\u2007" * 6  # figure spaces keep an empty Markdown/HTML cell wide enough

# Unicode the exercise texts use → LaTeX math (applied inside \ensuremath or math mode).
_SYMBOLS = {
    "−": "-",
    "·": r"\cdot ",
    "×": r"\times ",
    "⌊": r"\lfloor ",
    "⌋": r"\rfloor ",
    "‖": r"\|",
    "Σ": r"\Sigma ",
    "λ": r"\lambda ",
    "δ": r"\delta ",
    "∂": r"\partial ",
    "ŷ": r"\hat{y}",
    "ᵢ": "_i",
    "ⱼ": "_j",
    "ₖ": "_k",
    "ₜ": "_t",
    "²": "^2",
    "ᵀ": r"^{\top}",
    "⁻¹": "^{-1}",
    "≈": r"\approx ",
    "→": r"\to ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "°": r"^\circ ",
    "∈": r"\in ",
    "⊙": r"\odot ",
    "▸": r"\triangleright ",
    "∇": r"\nabla ",
    "≠": r"\neq ",
    "⋆": r"\star ",
}
_TEXT_SYMBOLS = {"—": "---", "–": "--", "“": "``", "”": "''", "’": "'", "‘": "`", "…": r"\dots{}"}
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


def latex_text(text: str) -> str:
    """Escape prose for LaTeX: specials escaped, Unicode symbols as ``\\ensuremath{…}``.

    Any other non-ASCII character is written as ``{?}`` rather than breaking the build.
    """
    text = text.replace("⁻¹", "\x00")
    out = []
    for ch in text:
        if ch == "\x00":
            out.append(r"\ensuremath{^{-1}}")
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in _SYMBOLS:
            out.append(r"\ensuremath{" + _SYMBOLS[ch].strip() + "}")
        elif ch in _TEXT_SYMBOLS:
            out.append(_TEXT_SYMBOLS[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("{?}")
    return "".join(out)


def latex_math(text: str) -> str:
    """Unicode formula → LaTeX math-mode text (used when a :class:`Math` has no ``latex``)."""
    text = text.replace("⁻¹", "^{-1}")
    out = []
    for ch in text:
        if ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        elif ch in "{}":
            out.append(ch)
        elif ch in "&#%$_":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("{?}")
    return "".join(out)


def _as_2d(values: np.ndarray) -> np.ndarray:
    arr = np.asarray(values)
    return arr[None, :] if arr.ndim == 1 else arr


def to_markdown(blocks: Sequence[Block]) -> str:
    """Blocks as Markdown (matrices as tables with row and column indices)."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Text):
            lines += [block.text, ""]
        elif isinstance(block, Math):
            lines += [f"    {block.unicode}", ""]
        elif isinstance(block, PageBreak):
            lines += ["---", ""]
        elif isinstance(block, Space):
            lines += [f"**{block.label}**", ""]
            if block.shape is not None:
                rows, cols = block.shape
                lines += ["| " + " | ".join(str(c) for c in range(cols)) + " |"]
                lines += ["|" + "---:|" * cols]
                lines += ["| " + " | ".join([_BLANK_CELL] * cols) + " |"] * rows
                lines += [""]
            for _ in range(block.lines):
                lines += ["_" * 40, ""]
        else:
            values = np.asarray(block.values)
            if values.ndim == 1:
                row = ", ".join(format_cell(v) for v in values.tolist())
                lines += [f"{block.label} [{row}]", ""]
            else:
                table = matrix_to_text(values, "markdown").rstrip("\n")
                lines += [block.label, "", table, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_latex(blocks: Sequence[Block]) -> str:
    """Blocks as a LaTeX fragment (needs ``amsmath``); plain ASCII."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            command = {1: "section*", 2: "subsection*"}.get(block.level, "subsubsection*")
            lines += [f"\\{command}{{{latex_text(block.text)}}}", ""]
        elif isinstance(block, Text):
            lines += [latex_text(block.text), ""]
        elif isinstance(block, Math):
            lines += ["\\[ " + (block.latex or latex_math(block.unicode)) + " \\]", ""]
        elif isinstance(block, PageBreak):
            lines += ["\\newpage", ""]
        elif isinstance(block, Space):
            lines += [f"\\textbf{{{latex_text(block.label)}}}", ""]
            if block.shape is not None:
                rows, cols = block.shape
                cell = "\\rule{0pt}{2.2em}\\hspace{3.2em}"
                row = " & ".join([cell] * cols) + " \\\\ \\hline"
                lines += [
                    "\\begin{tabular}{|" + "c|" * cols + "}",
                    "\\hline",
                    *([row] * rows),
                    "\\end{tabular}",
                    "",
                ]
            for _ in range(block.lines):
                lines += ["\\vspace{1.6em}\\hrule", ""]
        else:
            body = matrix_to_text(_as_2d(block.values), "latex").rstrip("\n")
            lines += [latex_text(block.label), "\\[", body, "\\]", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def to_html(blocks: Sequence[Block]) -> str:
    """Blocks as HTML that Qt's ``QTextDocument`` renders (tables with borders, no CSS grid)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 4) + 1
            parts.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        elif isinstance(block, Text):
            parts.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Math):
            parts.append(
                f'<p style="font-family: monospace; margin-left: 1em">'
                f"{html.escape(block.unicode)}</p>"
            )
        elif isinstance(block, PageBreak):
            parts.append('<p style="page-break-before: always"></p>')
        elif isinstance(block, Space):
            parts.append(f"<p><b>{html.escape(block.label)}</b></p>")
            if block.shape is not None:
                n_rows, n_cols = block.shape
                cell = '<td width="56" height="34">&nbsp;</td>'
                parts.append(
                    '<table border="1" cellspacing="0" cellpadding="3">'
                    + ("<tr>" + cell * n_cols + "</tr>") * n_rows
                    + "</table>"
                )
            parts += ["<p>&nbsp;</p><hr>"] * block.lines
        else:
            rows = "".join(
                "<tr>"
                + "".join(
                    f'<td align="right" style="padding: 2px 8px">{html.escape(format_cell(v))}</td>'
                    for v in row
                )
                + "</tr>"
                for row in _as_2d(block.values).tolist()
            )
            parts.append(
                f"<p>{html.escape(block.label)}</p>"
                f'<table border="1" cellspacing="0" cellpadding="3">{rows}</table>'
            )
    return "\n".join(parts) + "\n"
