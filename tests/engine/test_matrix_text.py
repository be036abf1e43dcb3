"""Cells and pasted matrices: every accepted shape, every refusal, never eval."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.matrix.export import matrix_to_text
from engine.matrix.parse import (
    MatrixParseError,
    as_exact,
    detect_matrix_format,
    parse_matrix,
    parse_number,
)
from engine.text import format_cell


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("3", 3, int),
        (" -7 ", -7, int),
        ("\u22122", -2, int),
        ("+4", 4, int),
        ("2.5", 2.5, float),
        ("-.5", -0.5, float),
        ("1e-3", 0.001, float),
        ("1/9", 1 / 9, float),
        ("-2/16", -0.125, float),
        ("\u22121/4", -0.25, float),
        ("4/2", 2, int),
        ("1.5/3", 0.5, float),
    ],
)
def test_parse_number_accepts(text, value, kind):
    out = parse_number(text)
    assert out == pytest.approx(value)
    assert type(out) is kind


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("nan", "finite"),
        ("-inf", "finite"),
        ("Infinity", "finite"),
        ("1e400", "finite"),
        ("1/0", "divides by zero"),
        ("abc", "not a number"),
        ("1,5", "decimal point"),
        ("__import__('os')", "not a number"),
        ("2**3", "not a number"),
        ("1_000", "not a number"),
        ("\u0663", "not a number"),  # Arabic-Indic three: float() would accept it
        ("9" * 20, "too large"),
    ],
)
def test_parse_number_refuses_with_message(text, fragment):
    with pytest.raises(MatrixParseError, match=fragment):
        parse_number(text)


SHEET = np.array([[3, 3, 2], [0, 0, 1], [3, 1, 2]])


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("3\t3\t2\n0\t0\t1\n3\t1\t2\n", "tsv"),
        ("3\t3\t2\t\n0\t0\t1\t\n3\t1\t2\t\n", "tsv"),  # spreadsheet trailing tab
        ("3,3,2\n0,0,1\n3,1,2", "csv"),
        ("3; 3; 2\n0; 0; 1\n3; 1; 2", "semicolon"),
        ("3 3 2\n0  0 1\n\n3 1    2\n", "whitespace"),
        ("[[3, 3, 2], [0, 0, 1], [3, 1, 2]]", "numpy"),
        ("np.array([[3, 3, 2],\n [0, 0, 1],\n [3, 1, 2]])", "numpy"),
        ("array([[3, 3, 2], [0, 0, 1], [3, 1, 2]], dtype=int64)", "numpy"),
        ("[[3 3 2]\n [0 0 1]\n [3 1 2]]", "numpy"),
        ("\\begin{bmatrix} 3 & 3 & 2 \\\\ 0 & 0 & 1 \\\\ 3 & 1 & 2 \\end{bmatrix}", "latex"),
        ("3 & 3 & 2 \\\\\n 0 & 0 & 1 \\\\\n 3 & 1 & 2", "latex"),
        ("$\\begin{pmatrix}3&3&2\\\\0&0&1\\\\3&1&2\\end{pmatrix}$", "latex"),
    ],
)
def test_parse_matrix_formats(text, fmt):
    values, found = parse_matrix(text)
    assert found == fmt
    assert values.dtype == np.int64
    np.testing.assert_array_equal(values, SHEET)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff3\t3\t2\n0\t0\t1\n3\t1\t2",  # a file saved by Windows Notepad, pasted whole
        "\ufeff[[3, 3, 2], [0, 0, 1], [3, 1, 2]]",
        "3,3,2\n\ufeff0,0,1\n3,1,2\ufeff",  # two such files pasted one after the other
        "3 3 2\n0 0\u200b 1\n3 1 2",  # a zero-width space from a web page
    ],
)
def test_byte_order_marks_and_zero_width_spaces_are_not_part_of_a_number(text):
    values, _ = parse_matrix(text)  # was "'\ufeff3' is not a number"
    np.testing.assert_array_equal(values, SHEET)
    assert parse_number("\ufeff\u22127") == -7


def test_parse_matrix_fractions_and_unicode_minus():
    values, _ = parse_matrix("1/9\t\u22122/16\n0.5\t\u22121")
    np.testing.assert_allclose(values, [[1 / 9, -0.125], [0.5, -1]])
    latex, _ = parse_matrix("\\begin{bmatrix} \\frac{1}{9} & -\\frac{2}{16} \\end{bmatrix}")
    np.testing.assert_allclose(latex, [[1 / 9, -0.125]])


@pytest.mark.parametrize(
    ("text", "fragment", "row", "col"),
    [
        ("1 2 3\n4 5", "row 2 has 2 values but row 1 has 3", 1, None),
        ("1,2\n3,x", "row 2, column 2: 'x'", 1, 1),
        ("[[1, 2], [3]]", "row 2 has 1 value", 1, None),
        ("[[1, 2], [3, 4]", "unbalanced", None, None),
        ("1\tnan", "row 1, column 2", 0, 1),
        ("", "no text", None, None),
        ("[[1, 2]] + os.system('x')", "outside the brackets", None, None),
    ],
)
def test_parse_matrix_refuses_with_location(text, fragment, row, col):
    with pytest.raises(MatrixParseError, match=fragment) as info:
        parse_matrix(text)
    assert info.value.row == row
    assert info.value.col == col


def test_parse_matrix_max_shape():
    with pytest.raises(MatrixParseError, match="at most 2×2"):
        parse_matrix("1 2 3\n4 5 6", max_shape=(2, 2))


def test_detect_format():
    assert detect_matrix_format("1\t2") == "tsv"
    assert detect_matrix_format("1 2") == "whitespace"
    assert detect_matrix_format("[1, 2]") == "numpy"


def test_format_cell_round_trips_common_values():
    assert format_cell(-3) == "\u22123"
    assert format_cell(1 / 9) == "1/9"
    assert format_cell(-0.125) == "\u22120.125"
    assert format_cell(2.0) == "2"
    for v in (1 / 9, -2 / 16, 0.5, 7, -12, 1 / 3, 2 / 7):
        assert parse_number(format_cell(v)) == pytest.approx(v, rel=1e-12)


def test_as_exact_turns_whole_floats_into_ints():
    assert as_exact(np.array([[1.0, 2.0]])).dtype == np.int64
    assert as_exact(np.array([[1.5, 2.0]])).dtype == np.float64


@given(
    hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
        elements=st.integers(-(10**6), 10**6),
    ),
    st.sampled_from(["csv", "tsv", "latex", "numpy"]),
)
def test_exported_integer_matrices_paste_back_exactly(values, fmt):
    parsed, _ = parse_matrix(matrix_to_text(values, fmt))
    np.testing.assert_array_equal(parsed, values)


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    ),
    st.sampled_from(["csv", "tsv", "numpy"]),
)
def test_exported_float_matrices_paste_back_exactly(values, fmt):
    parsed, _ = parse_matrix(matrix_to_text(values, fmt))
    np.testing.assert_array_equal(parsed.astype(np.float64), values)
