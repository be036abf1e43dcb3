"""Every export format pastes back: ``parse_matrix(matrix_to_text(x, fmt))`` gives ``x``.

CSV, TSV and NumPy text keep full precision, so they give ``x`` exactly; Markdown and LaTeX
write cells as the screen shows them (``format_cell``: integers, fractions up to /10000, six
significant digits otherwise), so they give exactly the values on screen. Integers and
fractions are shown exactly, so every format gives them back exactly. Plus the hand-written
shapes people paste: MATLAB ``[1 2; 3 4]`` and Markdown tables with or without labels.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.matrix import (
    EXPORT_FORMATS,
    MatrixParseError,
    matrix_to_text,
    parse_matrix,
    parse_number,
)
from engine.text import format_cell

EXACT_FORMATS = ("csv", "tsv", "numpy")
SHOWN_FORMATS = ("markdown", "latex")
SHAPES = st.tuples(st.integers(1, 6), st.integers(1, 6))


def test_the_formats_under_test_are_all_the_export_formats():
    assert set(EXACT_FORMATS + SHOWN_FORMATS) == set(EXPORT_FORMATS)


def _read_back(values: np.ndarray, fmt: str) -> np.ndarray:
    parsed, detected = parse_matrix(matrix_to_text(values, fmt))
    # one CSV or TSV column is one number a line, which is also whitespace-separated text
    assert detected == fmt or (fmt in ("csv", "tsv") and values.shape[1] == 1)
    assert parsed.shape == values.shape
    return parsed


@given(arrays(np.int64, SHAPES, elements=st.integers(-(10**12), 10**12)))
def test_integer_matrices_round_trip_exactly_through_every_format(values):
    for fmt in EXPORT_FORMATS:
        parsed = _read_back(values, fmt)
        assert parsed.dtype == np.int64, fmt
        np.testing.assert_array_equal(parsed, values, err_msg=fmt)


_FRACTIONS = st.builds(
    Fraction, st.integers(-(10**6), 10**6), st.sampled_from([1, 2, 3, 4, 7, 9, 16, 100, 9973])
)


@given(
    SHAPES.flatmap(
        lambda shape: st.lists(
            _FRACTIONS, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]
        ).map(lambda cells, shape=shape: np.array([float(c) for c in cells]).reshape(shape))
    )
)
def test_fraction_matrices_round_trip_exactly_through_every_format(values):
    for fmt in EXPORT_FORMATS:
        np.testing.assert_array_equal(_read_back(values, fmt), values, err_msg=fmt)


_FLOATS = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@given(arrays(np.float64, SHAPES, elements=_FLOATS))
def test_float_matrices_round_trip_exactly_or_as_shown(values):
    for fmt in EXACT_FORMATS:
        np.testing.assert_array_equal(_read_back(values, fmt), values, err_msg=fmt)
    shown = np.array([[parse_number(format_cell(v)) for v in row] for row in values.tolist()])
    for fmt in SHOWN_FORMATS:
        parsed = _read_back(values, fmt)
        np.testing.assert_array_equal(parsed, shown, err_msg=fmt)
        # the screen shows six significant digits; below 1e-15 a cell counts as float noise
        np.testing.assert_allclose(parsed, values, rtol=1e-5, atol=1e-15, err_msg=fmt)


def test_the_apps_own_markdown_copy_of_a_wide_matrix_pastes_back():
    x = np.arange(16).reshape(2, 8) - 5  # the 8-column case
    text = matrix_to_text(x, "markdown")
    assert text.startswith("|   | 0 | 1 |")
    parsed, fmt = parse_matrix(text)
    assert fmt == "markdown"
    np.testing.assert_array_equal(parsed, x)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1 2; 3 4]", [[1, 2], [3, 4]]),
        ("[1, 2; 3, 4]", [[1, 2], [3, 4]]),
        ("A = [1 -2 0.5; 3 4 1/4];", [[1, -2, 0.5], [3, 4, 0.25]]),
        ("[1 2\n 3 4]", [[1, 2], [3, 4]]),  # rows on lines, as MATLAB also allows
        ("[1 2; 3 4;]", [[1, 2], [3, 4]]),
        ("[1 2 ...\n 3; 4 5 6]", [[1, 2, 3], [4, 5, 6]]),  # a continued line
        ("[−1 2; 3 4]", [[-1, 2], [3, 4]]),
    ],
)
def test_matlab_matrices_are_read(text, expected):
    parsed, fmt = parse_matrix(text)
    assert fmt == "matlab"
    np.testing.assert_array_equal(parsed, np.array(expected))


def test_a_python_list_is_still_a_python_list():
    assert parse_matrix("[1, 2, 3]")[1] == "numpy"
    assert parse_matrix("[[1, 2], [3, 4]]")[1] == "numpy"


def test_a_ragged_matlab_matrix_names_the_row():
    with pytest.raises(MatrixParseError, match="row 2 has 1 value but row 1 has 2"):
        parse_matrix("[1 2; 3]")
    with pytest.raises(MatrixParseError, match="row 1, column 2"):
        parse_matrix("[1 x; 3 4]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # tables need a header: a numeric one is the first row of numbers
        ("| 1 | 2 |\n|---|---|\n| 3 | 4 |", [[1, 2], [3, 4]]),
        # text column labels are left out
        ("| a | b |\n|:-:|--:|\n| 3 | 4 |\n| 5 | 6 |", [[3, 4], [5, 6]]),
        # pandas' DataFrame.to_markdown(): empty corner, an index column
        (
            "|    |   0 |   1 |\n|---:|----:|----:|\n|  0 |   1 |   2 |\n|  1 |   3 |   4 |",
            [[1, 2], [3, 4]],
        ),
        # bold row labels without a header; emphasis on a value is no part of it
        ("| **r0** | 1 | *2* |\n| **r1** | `3` | 4 |", [[1, 2], [3, 4]]),
        # no outer pipe at the end of a line
        ("| 1 | 2\n|---|---\n| 3 | 4", [[1, 2], [3, 4]]),
        ("|   | 0 |\n|---|---:|\n| **0** | −1/9 |", [[-1 / 9]]),
    ],
)
def test_markdown_tables_are_read(text, expected):
    parsed, fmt = parse_matrix(text)
    assert fmt == "markdown"
    np.testing.assert_array_equal(parsed, np.array(expected))


def test_a_markdown_table_with_a_text_cell_names_it():
    with pytest.raises(MatrixParseError, match="row 2, column 1: 'x' is not a number"):
        parse_matrix("|   | 0 |\n|---|---|\n| **0** | 1 |\n| **1** | x |")
