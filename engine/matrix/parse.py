"""Read numbers and matrices from what people type or paste, and write cells back as text.

Cells accept integers, decimals (``2.5``, ``1e-3``), fractions (``1/9``, ``-2/16``), the
Unicode minus (``−3``) and arithmetic without spaces (``2^3``, ``-(4)``, ``8/2+1``, read by the
one number grammar of :mod:`engine.numbers`); they refuse ``nan``, ``inf``, empty text and
everything else.  Plain numbers are matched by regular expressions; nothing is run as code.

Whole matrices are pasted as tab-separated text (spreadsheets, PDFs), comma- or
semicolon-separated text, whitespace-separated text, ``[[...], [...]]`` Python/NumPy text
(``np.array(...)`` and NumPy's printed form included), MATLAB/Octave ``[1 2; 3 4]``, LaTeX
``bmatrix``/``pmatrix`` bodies or Markdown tables (row and column labels, as the app's own
Markdown copy has them, are left out). Every format :func:`engine.matrix.matrix_to_text` writes
reads back.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from engine.checks import is_real

# The project's number limits live in engine.numbers (one table); they are re-exported here so
# ``from engine.matrix.parse import MAX_MAGNITUDE`` keeps working.
from engine.numbers import (
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_MAGNITUDE,
    NumberExpressionError,
    as_exact,
    evaluate_number,
)

MATRIX_FORMATS = ("tsv", "csv", "semicolon", "whitespace", "numpy", "matlab", "latex", "markdown")
FORMAT_LABELS = {
    "tsv": "tab-separated",
    "csv": "comma-separated",
    "semicolon": "semicolon-separated",
    "whitespace": "whitespace-separated",
    "numpy": "Python/NumPy list",
    "matlab": "MATLAB matrix",
    "latex": "LaTeX matrix",
    "markdown": "Markdown table",
}

#: Longest cell text read (characters); longer text is refused before any regex or conversion.
MAX_CELL_CHARS = 200
#: Largest pasted text read (characters), checked before anything else looks at the text.
MAX_PASTE_CHARS = 200_000
#: Deepest ``[`` nesting read from pasted list text: a matrix is exactly two-dimensional.
MAX_LIST_DEPTH = 2

_MINUS_SIGNS = "\u2212\u2013\u2012\ufe63\uff0d"  # minus, en dash, figure dash, small/full minus
# Every digit can be matched in one way only (no ``\d+\.?\d*``, whose two digit runs made a
# failed match over 15,000 digits backtrack quadratically: 11 s).
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_INT_RE = re.compile(r"[+-]?\d+", re.ASCII)
_DEC_RE = re.compile(_NUMBER, re.ASCII)
_FRAC_RE = re.compile(rf"({_NUMBER})\s*/\s*({_NUMBER})", re.ASCII)
_PARTS_RE = re.compile(r"[+-]?0*(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?", re.ASCII)
_LATEX_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
#: ``[1 2; 3 4]``, ``A = [1, 2; 3, 4];``: one bracket level, rows split by ``;`` or new lines.
_MATLAB_RE = re.compile(r"(?:[A-Za-z_]\w*\s*=\s*)?\[([^\[\]]*)\]\s*;?")
#: A Markdown table's rule line cell: ``---``, ``:---``, ``---:``, ``:---:``.
_MD_RULE_RE = re.compile(r":?-+:?")


class MatrixParseError(ValueError):
    """A cell or a pasted matrix could not be read.

    ``row`` and ``col`` (0-based) locate the offending cell when known.
    """

    def __init__(self, message: str, row: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.col = col


#: Invisible characters that are no part of a number: the byte-order mark a Windows editor puts
#: at the start of a file (pasted whole, or twice) and the zero-width space of web pages.
_INVISIBLE = "\ufeff\u200b"


def _normalise_text(text: str) -> str:
    for sign in _MINUS_SIGNS:
        text = text.replace(sign, "-")
    for char in _INVISIBLE:
        text = text.replace(char, "")
    return text.replace("\u00a0", " ").replace("\u2009", " ").strip()


def _quote(text: str) -> str:
    """``text`` quoted for a message, shortened in the middle when long."""
    return repr(text) if len(text) <= 40 else repr(f"{text[:20]}…{text[-12:]}")


def _check_finite(value: float, text: str) -> None:
    if not np.isfinite(value):
        raise MatrixParseError(f"{_quote(text)} is not a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise MatrixParseError(f"{_quote(text)} is too large (limit ±{MAX_MAGNITUDE:.0e})")


def _check_size(number: str, text: str) -> None:
    """Refuse a matched number with too many digits or too large an exponent, before any
    conversion (``int()`` of 5,000 digits raises a bare ``ValueError``; ``Fraction`` of
    ``1e99999999`` runs for minutes)."""
    parts = _PARTS_RE.fullmatch(number)
    if parts is None:  # pragma: no cover - only called on text the number regexes matched
        raise MatrixParseError(f"{_quote(text)} is not a number")
    digits = len(parts.group(1)) + len((parts.group(2) or "").rstrip("0"))
    if digits > MAX_DIGITS:
        raise MatrixParseError(
            f"{_quote(text)} has {digits} digits; a cell holds at most {MAX_DIGITS} "
            f"(and values up to ±{MAX_MAGNITUDE:.0e})"
        )
    exponent = parts.group(3)
    if exponent is not None and (
        len(exponent.lstrip("+-0")) > 4 or abs(int(exponent)) > MAX_EXPONENT
    ):
        raise MatrixParseError(
            f"{_quote(text)}: the exponent is too large (at most e±{MAX_EXPONENT}; cells hold "
            f"values up to ±{MAX_MAGNITUDE:.0e})"
        )


def parse_number(text: str) -> int | float:
    """Read one cell: an int, a decimal, a fraction such as ``1/9`` or arithmetic (``2^3``).

    Returns a Python ``int`` when the value is written as an integer (or a fraction or
    expression whose value is whole, ``4/2``, ``2^3``), else a ``float``. Expressions follow
    :func:`engine.numbers.evaluate_number`, except that a power is written ``^`` only.

    Raises
    ------
    MatrixParseError
        For empty text, ``nan``/``inf``, a zero denominator, a too large value or anything that
        is not a number (the message quotes the text).
    """
    if not isinstance(text, str):
        raise MatrixParseError(f"text must be a string, got {text!r}")
    if len(text) > MAX_CELL_CHARS:
        raise MatrixParseError(
            f"{_quote(text)} is {len(text):,} characters long; a cell holds at most "
            f"{MAX_CELL_CHARS} (numbers up to ±{MAX_MAGNITUDE:.0e})"
        )
    clean = _normalise_text(text)
    if not clean:
        raise MatrixParseError("empty cell: type a number (e.g. 3, −1.5 or 1/9)")
    if _INT_RE.fullmatch(clean):
        _check_size(clean, text)
        value = int(clean)
        _check_finite(float(value), text)
        return value
    if _DEC_RE.fullmatch(clean):
        _check_size(clean, text)
        fvalue = float(clean)
        _check_finite(fvalue, text)
        return fvalue
    frac = _FRAC_RE.fullmatch(clean)
    if frac:
        _check_size(frac.group(1), text)
        _check_size(frac.group(2), text)
        num, den = Fraction(frac.group(1)), Fraction(frac.group(2))
        if den == 0:
            raise MatrixParseError(f"{_quote(text)} divides by zero")
        exact = num / den
        _check_finite(float(exact), text)
        return int(exact) if exact.denominator == 1 else float(exact)
    lowered = clean.lower()
    if lowered.lstrip("+-") in ("nan", "inf", "infinity"):
        raise MatrixParseError(f"{_quote(text)} is not allowed: cells must be finite numbers")
    if "," in clean and re.fullmatch(r"[+-]?\d+,\d+", clean):
        raise MatrixParseError(f"{text!r}: use a decimal point, e.g. {clean.replace(',', '.')}")
    if "**" in clean:  # one power sign in cells: ** reads as Python, which cells are not
        raise MatrixParseError(f"{_quote(text)} is not a number: write a power as 2^3, not 2**3")
    return _expression_cell(clean, text)


def _expression_cell(clean: str, text: str) -> int | float:
    """A cell holding arithmetic (``2^3``, ``-(4)``, ``8/2+1``), read by the one number grammar
    of :mod:`engine.numbers`: an int when the value is whole, else a float."""
    try:
        value = evaluate_number(clean, name="cell")
    except NumberExpressionError as exc:
        if exc.kind == "syntax":
            raise MatrixParseError(f"{_quote(text)} is not a number: {exc.reason}") from None
        raise MatrixParseError(f"{_quote(text)}: {exc.reason}") from None
    return value if isinstance(value, int) else float(value)


def _to_array(rows: list[list[str]]) -> np.ndarray:
    """Parse a list of rows of cell texts into an exact array, or raise naming row/column."""
    if not rows or not rows[0]:
        raise MatrixParseError("nothing to paste: the text holds no numbers")
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != width:
            raise MatrixParseError(
                f"row {r + 1} has {len(row)} value{'s' if len(row) != 1 else ''} but row 1 has "
                f"{width}: every row needs the same number of columns",
                row=r,
            )
    values: list[list[int | float]] = []
    for r, row in enumerate(rows):
        out_row = []
        for c, cell in enumerate(row):
            try:
                out_row.append(parse_number(cell))
            except MatrixParseError as exc:
                raise MatrixParseError(f"row {r + 1}, column {c + 1}: {exc}", r, c) from None
        values.append(out_row)
    if all(isinstance(v, int) for row in values for v in row):
        return np.array(values, dtype=np.int64)
    return as_exact(np.array(values, dtype=np.float64))


def matrix_from_state(value: object, *, max_side: int, name: str = "matrix") -> np.ndarray:
    """A matrix restored from a session or file, held to the same limits as typing.

    ``value`` must be a non-empty list of equally long rows (at most ``max_side`` of them, each
    at most ``max_side`` long) of finite numbers with ``|v| ≤`` :data:`MAX_MAGNITUDE` — what a
    cell accepts when typed. Sizes are checked before any value is looked at.

    Returns
    -------
    numpy.ndarray
        int64 when every value is whole, else float64 (as :func:`parse_matrix`).

    Raises
    ------
    MatrixParseError
        Naming ``name`` and, for a bad value, its row and column (1-based in the message).
    """
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise MatrixParseError(f"{name} must be a non-empty list of rows")
    if len(value) > max_side or any(len(row) > max_side for row in value):
        longest = max(len(row) for row in value)
        raise MatrixParseError(
            f"{name} is {len(value)}×{longest}; at most {max_side}×{max_side} fits here"
        )
    width = len(value[0])
    if width == 0 or any(len(row) != width for row in value):
        raise MatrixParseError(f"{name} must have rows of one same, non-zero length")
    for r, row in enumerate(value):
        for c, v in enumerate(row):
            if not is_real(v):
                raise MatrixParseError(
                    f"{name}, row {r + 1}, column {c + 1}: {v!r} is not a number", r, c
                )
            if not (math.isfinite(v) and abs(v) <= MAX_MAGNITUDE):
                raise MatrixParseError(
                    f"{name}, row {r + 1}, column {c + 1}: {_quote(repr(v))} is not a finite "
                    f"number within ±{MAX_MAGNITUDE:.0e} (the limit for typed cells)",
                    r,
                    c,
                )
    if all(isinstance(v, int) for row in value for v in row):
        return np.array(value, dtype=np.int64)
    return as_exact(np.array(value, dtype=np.float64))


def detect_matrix_format(text: str) -> str:
    """Guess which of :data:`MATRIX_FORMATS` ``text`` is written in."""
    clean = _normalise_text(text)
    lines = [line.strip() for line in _split_lines(clean) if line.strip()]
    if lines and all(line.startswith("|") for line in lines):
        return "markdown"
    if "\\begin" in clean or "&" in clean or "\\\\" in clean:
        return "latex"
    matlab = _MATLAB_RE.fullmatch(clean)
    if matlab and (";" in clean or "\n" in matlab.group(1).strip() or not clean.startswith("[")):
        return "matlab"  # a plain [1, 2, 3] stays a Python list
    if re.match(r"^(?:np\.|numpy\.)?(?:array|matrix)\s*\(|^\[", clean):
        return "numpy"
    if "\t" in clean:
        return "tsv"
    if ";" in clean:
        return "semicolon"
    if "," in clean:
        return "csv"
    return "whitespace"


def _split_lines(text: str) -> list[str]:
    return [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _rows_delimited(text: str, fmt: str) -> list[list[str]]:
    rows = []
    for line in _split_lines(text):
        if not line.strip():
            continue
        if fmt == "tsv":
            cells = [c.strip() for c in line.strip(" \n").split("\t")]
            # Spreadsheets add a trailing tab after the last filled column; PDFs add spaces.
            while cells and cells[-1] == "":
                cells.pop()
        elif fmt in ("csv", "semicolon"):
            sep = "," if fmt == "csv" else ";"
            cells = [c.strip() for c in line.strip().rstrip(sep).split(sep)]
        else:
            cells = line.split()
        rows.append(cells)
    return rows


def _list_depth(body: str) -> int:
    """Deepest ``[`` nesting in ``body``, counted in one pass (no recursion, any depth)."""
    depth = deepest = 0
    for char in body:
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise MatrixParseError("unbalanced brackets in the pasted list: a ] comes first")
    return deepest


def _rows_numpy(text: str) -> list[list[str]]:
    body = re.sub(r"^(?:np\.|numpy\.)?(?:array|matrix)\s*\(", "", text.strip())
    if body != text.strip():
        body = re.sub(r",\s*dtype\s*=\s*[\w.]+\s*", "", body).rstrip()
        if not body.endswith(")"):
            raise MatrixParseError("unbalanced parentheses in the pasted array text")
        body = body[:-1]
    body = body.strip()
    if body.count("[") != body.count("]"):
        raise MatrixParseError("unbalanced brackets in the pasted list: check the [ and ]")
    depth = _list_depth(body)
    if depth > MAX_LIST_DEPTH:
        raise MatrixParseError(
            f"the pasted list is nested {depth} levels deep ({depth}-dimensional); a matrix is "
            "exactly two-dimensional, e.g. [[1, 2], [3, 4]]"
        )
    groups = re.findall(r"\[([^\[\]]*)\]", body)
    leftover = re.sub(r"\[[^\[\]]*\]", "", body)
    bad = re.search(r"[^\[\]\s,]+", leftover)
    if bad:
        raise MatrixParseError(f"unexpected text {bad.group(0)!r} outside the brackets")
    rows = []
    for group in groups:
        cells = [c for c in re.split(r"[,\s]+", group.strip()) if c != ""]
        rows.append(cells)
    return rows


def _rows_matlab(text: str) -> list[list[str]]:
    match = _MATLAB_RE.fullmatch(text.strip())
    if match is None:  # pragma: no cover - detect_matrix_format matched it
        raise MatrixParseError("could not read the MATLAB matrix: write it as [1 2; 3 4]")
    body = re.sub(r"\.\.\.[^\n]*(?:\n|$)", " ", match.group(1))  # a continued line
    rows = []
    for line in re.split(r"[;\n]", body):
        cells = [c for c in re.split(r"[,\s]+", line.strip()) if c != ""]
        if cells:  # "[1 2; 3 4;]" ends with an empty row
            rows.append(cells)
    return rows


def _markdown_cell(cell: str) -> str:
    """A table cell without Markdown emphasis or code marks (``**0**``, ``*2*``, `` `3` ``)."""
    return cell.strip().strip("*_`").strip()


def _is_number(cell: str) -> bool:
    try:
        parse_number(_markdown_cell(cell))
    except MatrixParseError:
        return False
    return True


def _rows_markdown(text: str) -> list[list[str]]:
    """The numbers of a Markdown table. A header row is column labels unless every cell of it
    is a number (tables need a header, so people put the first row there); a first column is
    row labels when the header's corner is empty or every row starts with a bold cell."""
    table = []
    for line in _split_lines(text):
        line = line.strip()
        if not line:
            continue
        body = line[1:-1] if line.endswith("|") and len(line) > 1 else line[1:]
        table.append([c.strip() for c in body.split("|")])

    def is_rule(row: list[str]) -> bool:
        return all(_MD_RULE_RE.fullmatch(c.replace(" ", "")) for c in row)

    header = table[0] if len(table) > 1 and is_rule(table[1]) else None
    rows = [row for row in (table[2:] if header else table) if not is_rule(row)]
    corner = header is not None and header[0] == ""
    labelled = corner or bool(rows) and all(re.fullmatch(r"\*\*.*\*\*", r[0]) for r in rows)
    if header is not None and not corner and all(_is_number(c) for c in header):
        rows.insert(0, header)
    return [[_markdown_cell(c) for c in (row[1:] if labelled else row)] for row in rows]


def _rows_latex(text: str) -> list[list[str]]:
    body = text
    # Find the first \begin{…} with a plain search and its \end with str.find: a lazy ``(.*?)``
    # between them is rescanned from every \begin in text holding many of them.
    begin = re.search(r"\\begin\{(?:[a-zA-Z]*matrix\*?|array\}\{[^{}]*)\}", body)
    if begin:
        end = body.find("\\end{", begin.end())
        if end < 0:
            raise MatrixParseError("could not find a \\begin{bmatrix} … \\end{bmatrix} body")
        body = body[begin.end() : end]
    elif "\\begin" in body:
        raise MatrixParseError("could not find a \\begin{bmatrix} … \\end{bmatrix} body")
    body = _LATEX_FRAC_RE.sub(lambda m: f"{m.group(1).strip()}/{m.group(2).strip()}", body)
    for token in ("\\left", "\\right", "\\hline", "$", "\\,", "\\;", "\\!", "{", "}"):
        body = body.replace(token, " ")
    rows = []
    for line in re.split(r"\\\\", body):
        if not line.strip():
            continue
        rows.append([c.strip() for c in line.split("&")])
    return rows


def parse_matrix(text: str, *, max_shape: tuple[int, int] | None = None) -> tuple[np.ndarray, str]:
    """Read a pasted matrix in any of :data:`MATRIX_FORMATS`.

    Parameters
    ----------
    text
        The clipboard text.
    max_shape
        Optional ``(rows, cols)`` limit; a bigger matrix is refused.

    Returns
    -------
    (numpy.ndarray, str)
        The values (int64 when every value is a whole number, else float64) and the format that
        was recognised.

    Raises
    ------
    MatrixParseError
        For ragged rows, a non-numeric cell (naming its row and column), empty text or a matrix
        above ``max_shape``.
    """
    if not isinstance(text, str):
        raise MatrixParseError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_PASTE_CHARS:  # before anything scans it
        raise MatrixParseError(
            f"the pasted text is {len(text):,} characters long; at most {MAX_PASTE_CHARS:,} are "
            "read (a 64×64 matrix needs far fewer)"
        )
    clean = _normalise_text(text)
    if not clean:
        raise MatrixParseError("nothing to paste: the clipboard holds no text")
    fmt = detect_matrix_format(clean)
    if fmt == "latex":
        rows = _rows_latex(clean)
    elif fmt == "numpy":
        rows = _rows_numpy(clean)
    elif fmt == "matlab":
        rows = _rows_matlab(clean)
    elif fmt == "markdown":
        rows = _rows_markdown(clean)
    else:
        rows = _rows_delimited(clean, fmt)
    values = _to_array(rows)
    if max_shape is not None and (values.shape[0] > max_shape[0] or values.shape[1] > max_shape[1]):
        raise MatrixParseError(
            f"the pasted matrix is {values.shape[0]}×{values.shape[1]}; at most "
            f"{max_shape[0]}×{max_shape[1]} fits here"
        )
    return values, fmt
