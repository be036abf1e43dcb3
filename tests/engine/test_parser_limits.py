"""The matrix parser refuses hostile text quickly and with its own error (issue 12 #4, #8, #14).

Timing checks run the parser in a child process with a time limit rather than asserting a
duration: a regression shows up as a killed child (TimeoutExpired), whatever the machine load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.matrix.parse import MatrixParseError, parse_matrix, parse_number

ROOT = Path(__file__).resolve().parents[2]


def _in_child(code: str, timeout: float = 20) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("text", ["1e99999999/1", "1e9999999/1", "1/1e-99999999", "2e401"])
def test_huge_exponents_are_refused_before_any_exact_expansion(text):
    out = _in_child(
        "from engine.matrix.parse import parse_number, MatrixParseError\n"
        f"try:\n    parse_number({text!r})\nexcept MatrixParseError as e:\n    print(e)\n",
        timeout=10,  # Fraction('1e99999999') alone ran for 270 s
    )
    assert "exponent is too large" in out


@pytest.mark.parametrize("digits", [15_000, 40_000])
def test_long_digit_runs_with_a_letter_do_not_backtrack(digits):
    """11 s (15,000) and > 40 s (40,000) with the old regex; both run here under the limit."""
    out = _in_child(
        "from engine.matrix.parse import parse_number, parse_matrix, MatrixParseError\n"
        "from engine.matrix import parse\n"
        f"text = '1' * {digits} + 'x'\n"
        "for f in (parse_number, parse_matrix):\n"
        "    try:\n        f(text)\n    except MatrixParseError as e:\n        print(e)\n"
        # The number regexes themselves, with the length limit out of the way:
        "assert parse._FRAC_RE.fullmatch(text) is None and parse._DEC_RE.fullmatch(text) is None\n"
        "print('regex ok')\n",
        timeout=10,
    )
    assert out.count("characters long") == 2 and "regex ok" in out


def test_a_csv_field_of_15000_digits_and_a_letter_is_quick(tmp_path):
    path = tmp_path / "xy.csv"
    path.write_text("x,y\n1,2\n" + "1" * 15_000 + "x,3\n", encoding="utf-8")
    out = _in_child(
        "from engine.loss.regression_data import load_xy_csv, CsvFormatError\n"
        f"try:\n    load_xy_csv({str(path)!r})\nexcept CsvFormatError as e:\n    print(e)\n",
        timeout=10,
    )
    assert "line 3, column 1" in out and "is not a number" in out


def test_a_10_mb_paste_is_refused_by_size_first():
    out = _in_child(
        "from engine.matrix.parse import parse_matrix, MatrixParseError\n"
        "try:\n    parse_matrix('1\\t' * 5_000_000)\nexcept MatrixParseError as e:\n    print(e)\n",
        timeout=10,
    )
    assert "10,000,000 characters long" in out


def test_a_5000_digit_integer_is_a_parse_error_not_a_bare_value_error():
    for text in ("5" * 5000, "5" * 150, "-" + "9" * 120 + "/3"):
        with pytest.raises(MatrixParseError):
            parse_number(text)
    with pytest.raises(MatrixParseError, match="has 150 digits"):
        parse_number("1" * 150)
    with pytest.raises(MatrixParseError, match="row 1, column 2"):
        parse_matrix("1, " + "7" * 5000)


def test_ordinary_numbers_still_read():
    assert parse_number("1/9") == pytest.approx(1 / 9)
    assert parse_number("−2.50e1") == -25.0
    assert parse_number("1e-300") == 1e-300
    assert parse_number("3.") == 3.0 and parse_number(".5") == 0.5
    assert parse_number("1000000000000") == 10**12
    assert parse_number("0." + "0" * 60 + "1") == pytest.approx(1e-61)


@pytest.mark.parametrize(
    "text",
    [
        "[[[1,2],[3,4]],[[5,6],[7,8]]]",
        "np.array([[[1, 2]], [[3, 4]]])",
        "[" * 10_000 + "1" + "]" * 10_000,
    ],
)
def test_lists_deeper_than_two_are_refused_not_flattened(text):
    with pytest.raises(MatrixParseError, match="nested .* levels deep") as info:
        parse_matrix(text)
    assert "two-dimensional" in str(info.value)


def test_unbalanced_deep_brackets_are_refused_without_recursion():
    for text in ("[" * 10_000, "[1]]][[", "[[1, 2]]]"):
        with pytest.raises(MatrixParseError, match="unbalanced"):
            parse_matrix(text)


def test_two_dimensional_and_single_row_lists_still_read():
    assert parse_matrix("[[1, 2], [3, 4]]")[0].tolist() == [[1, 2], [3, 4]]
    assert parse_matrix("[1, 2, 3]")[0].tolist() == [[1, 2, 3]]
    assert parse_matrix("np.array([[1.5, 2]], dtype=float)")[0].tolist() == [[1.5, 2.0]]


def test_many_latex_begins_without_an_end_are_refused_quickly():
    out = _in_child(
        "from engine.matrix.parse import parse_matrix, MatrixParseError\n"
        "try:\n    parse_matrix('\\\\begin{bmatrix}1 & 2' * 10_000)\n"
        "except MatrixParseError as e:\n    print(e)\n",
        timeout=10,
    )
    assert "could not find" in out
