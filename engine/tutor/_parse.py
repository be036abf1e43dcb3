"""Read a typed or pasted answer: one number, a vector or a matrix."""

from __future__ import annotations

import re

import numpy as np

from engine.matrix.parse import MatrixParseError, parse_matrix, parse_number

# "w = [1, 2]", "J =", "ŷ − y ≈ …": a short label before the numbers is dropped.
_LABEL = re.compile(r"^\s*[^\d\s\[\-+−.(\\]{1,12}\s*[=≈:]\s*")


def parse_answer(text: str) -> int | float | np.ndarray:
    """Read an answer as typed: a number (``7``, ``−1.5``, ``3/7``), a vector (``0.2, 0.7, 0.1``)
    or a matrix in any format :func:`engine.parse_matrix` reads (TSV, CSV, whitespace,
    ``[[…]]``, LaTeX ``bmatrix``).

    A leading label such as ``w =`` or ``O:`` is ignored; a vector in brackets (``[1, 2]``) or on
    one line gives a 1-D array; several lines give a 2-D array.

    Raises
    ------
    ValueError
        (:class:`engine.MatrixParseError`) naming ``text`` and the cell that could not be read.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    clean = _LABEL.sub("", text.strip(), count=1).strip()
    if not clean:
        raise MatrixParseError("text is empty: type a number, a vector or a matrix")
    if "\n" not in clean and not re.search(r"[\s,;\t&\[]", clean):
        try:
            return parse_number(clean)
        except MatrixParseError as exc:
            raise MatrixParseError(f"text: {exc}") from None
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
