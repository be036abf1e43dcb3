"""engine.text: the one number formatter (exact ints, fractions, floats, Unicode minus)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import format_cell, format_number, parse_number
from engine.text import MINUS, format_short, format_vector


def test_integers_are_exact_however_large():
    assert format_number(3) == "3"
    assert format_number(np.int64(-5)) == f"{MINUS}5"
    assert format_number(2**70) == str(2**70)
    assert format_number(np.array([3 * 10**18], dtype=object)[0] * 9) == str(27 * 10**18)
    assert format_number(Fraction(8, 4)) == "2"
    assert format_number(True) == "1"


def test_floats():
    assert format_number(3.0) == "3"
    assert format_number(-0.0) == "0"
    assert format_number(1 / 3) == "0.333333"
    assert format_number(1 / 3, 3) == "0.333"
    assert format_number(-1.5e-7) == f"{MINUS}1.5e{MINUS}07"  # the exponent's minus too
    assert format_number(1e20) == "1e+20"
    assert format_number(float("nan")) == "nan"
    assert format_number(float("-inf")) == f"{MINUS}inf"
    assert format_number(-2, parens=True) == f"({MINUS}2)"
    assert format_number(2, parens=True) == "2"


def test_fractions_and_short_decimals():
    assert format_cell(1 / 9) == "1/9"
    assert format_cell(-0.125) == f"{MINUS}0.125"
    assert format_cell(2.0) == "2"
    assert format_cell(np.pi) == "3.14159"
    assert format_cell(1e20) == "100000000000000000000"
    assert format_number(Fraction(1, 3)) == "0.333333"
    assert format_number(Fraction(1, 3), fractions=True) == "1/3"
    assert format_number(Fraction(-1, 2), fractions=True, parens=True) == f"({MINUS}1/2)"
    assert format_number(Fraction(1, 2)) == "0.5"


def test_short_and_vector_use_significant_digits_for_whole_numbers_too():
    assert format_short(1e6) == "1e+06"
    assert format_short(123456.0) == "1.235e+05"
    assert format_short(-0.0) == "0"
    assert format_short(2 / 3, 2) == "0.67"
    assert format_vector([1, -0.5, 1 / 3]) == f"[1, {MINUS}0.5, 0.3333]"
    assert format_vector(np.zeros((2, 2)), 3) == "[0, 0, 0, 0]"


@pytest.mark.parametrize("digits", [0, -1, 2.5, True, "4"])
def test_bad_digits_name_the_argument(digits):
    with pytest.raises(ValueError, match="digits"):
        format_number(1.5, digits)


def test_float_noise_next_to_a_fraction_is_written_as_the_fraction():
    assert format_cell(1e-17) == "0"
    assert format_cell(-1e-17) == "0"  # not "0/1"
    assert format_cell(1 / 3 + 1e-16) == "1/3"
    assert format_cell(1e-9) == "1e" + MINUS + "09"


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(
        lambda v: v == 0 or abs(v) >= 1e-9
    )
)
def test_every_cell_text_reads_back(value):
    text = format_cell(value)
    assert "-" not in text
    assert parse_number(text) == pytest.approx(value, rel=1e-5, abs=1e-300)


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(1, 10_000))
def test_small_fractions_read_back_exactly(num, den):
    value = num / den  # below 10⁶ a float's error is far below the 10⁻⁸ gap between such fractions
    text = format_cell(value)
    assert "e" not in text
    assert parse_number(text) == value
