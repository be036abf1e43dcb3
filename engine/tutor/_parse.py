"""Read a typed or pasted answer: one number or expression, a vector or a matrix."""

from __future__ import annotations

import re

import numpy as np

from engine.matrix.parse import MatrixParseError, parse_matrix
from engine.numbers import NumberExpressionError, evaluate_number

# "w = [1, 2]", "J =", "ŷ − y ≈ …": a short label before the numbers is dropped.
_LABEL = re.compile(r"^\s*[^\d\s\[\-+−.(\\]{1,12}\s*[=≈:]\s*")
# What makes an answer several numbers: line breaks, list separators, LaTeX cells, brackets.
_SEVERAL = re.compile(r"[\n,;\t&\[]")
# One plain number as written in a list such as "1 -2 0.5" (signed, decimal or a/b).
_PLAIN = re.compile(
    r"[+\-\u2212]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:/(?:\d+(?:\.\d*)?|\.\d+))?",
    re.ASCII,
)
# A part of a spaced expression that is an operator alone: "1 + 2", "2 ^ 3".
_OPERATOR = re.compile(r"[-+*/^\u2212\u00d7\u00b7\u00f7]+")


def _as_number(value: object) -> int | float:
    return value if isinstance(value, int) else float(value)  # type: ignore[arg-type]


def _single_line(clean: str) -> int | float | np.ndarray | None:
    """A one-line answer read as one expression (``(8+2-2)/3 + 1``), else ``None`` when it is
    a list of numbers (``1 -2 0.5``, ``2^3 1/2``) for the matrix reader."""
    parts = clean.split()
    if len(parts) > 1 and all(_PLAIN.fullmatch(p) for p in parts):
        return None  # "1 -2": a vector, as before expressions were read
    try:
        return _as_number(evaluate_number(clean))
    except NumberExpressionError as exc:
        if len(parts) == 1:
            raise MatrixParseError(str(exc)) from None
        expression_error = exc
    try:
        values, _ = parse_matrix(clean)
    except MatrixParseError as exc:
        # "1 + x" is a broken expression; "1 2 x" a list with a bad entry.
        spaced = any(_OPERATOR.fullmatch(p) for p in parts) or any(
            p.count("(") != p.count(")") for p in parts
        )
        if spaced:
            raise MatrixParseError(str(expression_error)) from None
        raise MatrixParseError(f"text: {exc}", exc.row, exc.col) from None
    return values[0] if values.shape[0] == 1 and values.size > 1 else values.reshape(-1)[0].item()


def parse_answer(text: str) -> int | float | np.ndarray:
    """Read an answer as typed: a number (``7``, ``−1.5``, ``3/7``) or arithmetic
    (``(8+2-2)/3+1``, ``16*(3*3*3+1)``, ``e^2``, ``sqrt(2)/2``: see
    :func:`engine.numbers.evaluate_number`), a vector (``0.2, 0.7, 0.1``, ``[8/2, 2^3]``) or a
    matrix in any format :func:`engine.parse_matrix` reads (TSV, CSV, whitespace, ``[[…]]``,
    LaTeX ``bmatrix``), whose cells may be arithmetic written without spaces.

    A leading label such as ``w =`` or ``O:`` is ignored; a vector in brackets (``[1, 2]``) or on
    one line gives a 1-D array; several lines give a 2-D array. One expression is read exactly
    and returned as an ``int`` when whole, else as a ``float``.

    Raises
    ------
    ValueError
        (:class:`engine.MatrixParseError`) naming ``text`` and the cell that could not be read,
        or the position of the character an expression could not read.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    clean = _LABEL.sub("", text.strip(), count=1).strip()
    if not clean:
        raise MatrixParseError("text is empty: type a number, a vector or a matrix")
    if not _SEVERAL.search(clean):
        single = _single_line(clean)
        if single is not None:
            return single
    text_in = clean
    # A bracketed 1-D list "[1, 2, 3]" is a vector; parse_matrix reads "[[1, 2, 3]]".
    if clean.startswith("[") and not clean[1:].lstrip().startswith("["):
        text_in = f"[{clean}]"
    try:
        values, _ = parse_matrix(text_in)
    except MatrixParseError as exc:
        raise MatrixParseError(f"text: {exc}", exc.row, exc.col) from None
    if values.size == 1:
        return values.reshape(-1)[0].item()
    if values.shape[0] == 1 and (text_in != clean or "\n" not in clean):
        return values[0]
    return values
