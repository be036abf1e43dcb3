"""The one number grammar (issues 19 and 23): exact results, positions in errors, hostile text.

The property test builds random expression trees, writes each as text (fully parenthesised and
with the fewest parentheses the precedence rules allow) and computes the expected value
independently with Python's ``fractions`` arithmetic on the tree.
"""

from __future__ import annotations

import math
import operator
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.numbers import (
    MAX_EXACT_BITS,
    MAX_EXPRESSION_CHARS,
    MAX_MAGNITUDE,
    MAX_NESTING,
    MAX_WORKING_MAGNITUDE,
    NumberExpressionError,
    as_exact,
    evaluate_number,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(8+2-2)/3+1", Fraction(11, 3)),
        ("16*(3*3*3+1)", 448),
        ("3/7", Fraction(3, 7)),
        ("0.1+0.2", Fraction(3, 10)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E2", 250),
        ("\u22122^2", -4),  # the sign binds looser than the power, as in maths
        ("(\u22122)^2", 4),
        ("2^-2", Fraction(1, 4)),
        ("2^3^2", 512),  # right-associative
        ("2**10", 1024),
        ("1/2/4", Fraction(1, 8)),  # left-associative
        ("2\u00d73\u00b74\u00f76", 4),  # × · ÷
        ("--3", 3),
        ("+5", 5),
        ("sqrt(9/4)", Fraction(3, 2)),
        ("\u221a16", 4),
        ("\u221a(4)^3", 8),
        ("8^(1/3)", 2),
        ("(-8)^(1/3)", -2),
        ("(9/4)^(3/2)", Fraction(27, 8)),
        ("log10(1000)", 3),
        ("log2(1/8)", -3),
        ("ln(1)", 0),
        ("exp(0)", 1),
        ("e^0", 1),
        ("{2+1}*2", 6),
        ("10^15/10^5", 10**10),
        ("  7  ", 7),
        ("\ufeff\u22127", -7),
        ("0^0", 1),
    ],
)
def test_exact_results(text, value):
    out = evaluate_number(text)
    assert out == value
    assert type(out) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("e", math.e),
        ("pi/2", math.pi / 2),
        ("\u03c0", math.pi),
        ("2*PI", 2 * math.pi),
        ("exp(1)", math.e),
        ("e^2", math.e**2),
        ("e^{2}", math.e**2),
        ("\u221a2", math.sqrt(2)),
        ("log(10)", math.log(10)),
        ("ln(e)", 1.0),
        ("2^0.5", math.sqrt(2)),
    ],
)
def test_irrational_results_are_floats(text, value):
    out = evaluate_number(text)
    assert type(out) is float
    assert out == pytest.approx(value, rel=1e-12)


def test_a_long_power_continues_as_a_float():
    # 10^8 × 24 bits is too long to keep exact; the float keeps about 9 digits here
    out = evaluate_number("(1.0000001)^100000000")
    assert type(out) is float
    assert out == pytest.approx(math.exp(1e8 * math.log1p(1e-7)), rel=1e-8)


def test_negative_zero_is_plain_zero():
    assert math.copysign(1.0, evaluate_number("-0*pi")) == 1.0


# --- the property: the parser agrees with Fraction arithmetic on generated trees -------------

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "^": 4}


def _leaves():
    ints = st.integers(0, 30).map(lambda n: ("num", str(n), Fraction(n)))
    decimals = st.tuples(st.integers(0, 99), st.integers(1, 3)).map(
        lambda t: ("num", f"{t[0] / 10 ** t[1]:.{t[1]}f}", Fraction(t[0], 10 ** t[1]))
    )
    return ints | decimals


def _extend(children):
    binary = st.tuples(st.sampled_from("+-*/"), children, children)
    negated = children.map(lambda c: ("neg", c))
    powers = st.tuples(children, st.integers(-3, 3)).map(lambda t: ("^", t[0], t[1]))
    return binary | negated | powers


TREES = st.recursive(_leaves(), _extend, max_leaves=12)


_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


class _TooLarge(Exception):
    """An intermediate value beyond MAX_WORKING_MAGNITUDE (the parser refuses it)."""


def _value(tree, bits: list[int]) -> Fraction:
    """The exact value of ``tree`` computed on the tree, children left to right as written;
    ZeroDivisionError where it has none, _TooLarge past the working magnitude. ``bits`` collects
    the size of every intermediate numerator and denominator."""
    kind = tree[0]
    if kind == "num":
        return tree[2]
    if kind == "neg":
        return -_value(tree[1], bits)
    if kind == "^":
        out = _value(tree[1], bits) ** tree[2]
    else:
        left, right = _value(tree[1], bits), _value(tree[2], bits)
        out = _OPERATORS[kind](left, right)
    if abs(out) > MAX_WORKING_MAGNITUDE:
        raise _TooLarge
    bits.append(max(out.numerator.bit_length(), out.denominator.bit_length()))
    return out


def _full(tree) -> str:
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "neg":
        return f"(\u2212{_full(tree[1])})"
    if kind == "^":
        return f"({_full(tree[1])})^({tree[2]})"
    return f"({_full(tree[1])}{kind}{_full(tree[2])})"


def _level(tree) -> int:
    return 5 if tree[0] == "num" else _PRECEDENCE[tree[0]]


def _minimal(tree) -> str:
    """``tree`` with only the parentheses precedence needs (left-associative + − * /,
    right-associative ^ that binds tighter than a sign)."""
    kind = tree[0]

    def wrap(child, needed: int) -> str:
        text = _minimal(child)
        return f"({text})" if _level(child) < needed else text

    if kind == "num":
        return tree[1]
    if kind == "neg":
        return f"-{wrap(tree[1], 3)}"
    if kind == "^":
        exponent = f"({tree[2]})" if tree[2] < 0 else str(tree[2])
        return f"{wrap(tree[1], 5)}^{exponent}"
    level = _PRECEDENCE[kind]
    return f"{wrap(tree[1], level)} {kind} {wrap(tree[2], level + 1)}"


@settings(max_examples=300, deadline=None)
@given(TREES, st.booleans())
def test_the_parser_agrees_with_fraction_arithmetic(tree, minimal):
    text = _minimal(tree) if minimal else _full(tree)
    bits: list[int] = []
    try:
        expected = _value(tree, bits)
    except ZeroDivisionError:
        with pytest.raises(NumberExpressionError, match="divides by zero") as info:
            evaluate_number(text)
        assert info.value.position is not None and text[info.value.position] in "/^"
        return
    except _TooLarge:
        with pytest.raises(NumberExpressionError, match="too large to compute"):
            evaluate_number(text)
        return
    # Exact values past MAX_EXACT_BITS continue as floats (tested in test_limits_at_their_edges)
    assume(max(bits, default=0) < MAX_EXACT_BITS // 2)
    if abs(expected) > MAX_MAGNITUDE:
        with pytest.raises(NumberExpressionError, match="beyond"):
            evaluate_number(text)
        return
    out = evaluate_number(text)
    assert out == expected, text
    assert type(out) is (int if expected.denominator == 1 else Fraction)


# --- errors name the argument and the position -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("(8+2-2))", "text: unexpected ')' at position 8", 7),
        ("2+", "a number is missing at the end (position 3)", 2),
        ("2 3", "unexpected '3' at position 3: put an operator", 2),
        ("2\u03c0", "unexpected 'π' at position 2", 1),
        ("(1", "'(' at position 1 is never closed", 0),
        ("(1}", "expected ')' to close '(' at position 1", 2),
        ("abc", "unknown name 'abc' at position 1", 0),
        ("__import__('os')", "unexpected '_' at position 1", 0),
        ("1_000", "unexpected '_' at position 2", 1),
        ("\u0663", "unexpected '٣' at position 1", 0),  # Arabic-Indic three
        ("1,5", "unexpected ',' at position 2: use a decimal point", 1),
        ("sqrt 2", "'sqrt' at position 1 needs parentheses", 0),
        ("1.2.3", "unexpected '.3' at position 4", 3),
        ("1..2", "unexpected '.2' at position 3", 2),
        ("2*.", "unexpected '.' at position 3", 2),
        ("4/(2-2)", "divides by zero ('/' at position 2)", 1),
        ("0^-1", "divides by zero", 1),
        ("sqrt(-4)", "square root of a negative number", 0),
        ("log(0)", "logarithm of a number ≤ 0", 0),
        ("(-2)^0.5", "negative number to a fractional power", 4),
        ("nan", "'nan' at position 1: numbers must be finite", 0),
    ],
)
def test_errors_name_the_argument_and_the_position(text, message, position):
    with pytest.raises(NumberExpressionError, match="^text: ") as info:
        evaluate_number(text)
    assert message in str(info.value)
    assert info.value.position == position
    assert info.value.name == "text" and str(info.value) == f"text: {info.value.reason}"


def test_the_name_of_the_argument_starts_the_message():
    with pytest.raises(ValueError, match="^λ: unknown name 'x'"):
        evaluate_number("1/x", name="λ")
    with pytest.raises(ValueError, match="^text: is empty"):
        evaluate_number("   ")
    with pytest.raises(ValueError, match="^text: must be a string, got int"):
        evaluate_number(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_magnitude must be in"):
        evaluate_number("1", max_magnitude=float("inf"))


def test_error_kinds():
    kinds = {}
    for text in ("2+", "1/0", "10^10^10"):
        with pytest.raises(NumberExpressionError) as info:
            evaluate_number(text)
        kinds[text] = info.value.kind
    assert kinds == {"2+": "syntax", "1/0": "domain", "10^10^10": "range"}


# --- limits: hostile text is refused by the parser's own limits --------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2^2^2^2^2^2", "too large to compute"),
        ("e^{e^{e^{99}}}", "too large to compute"),
        ("10^10^10", "too large to compute"),
        ("9^9^9^9", "too large to compute"),
        ("(1/3)^(-10^9)", "too large to compute"),
        ("exp(1000)", "too large to compute"),
        ("1e401", "exponent of '1e401' at position 1 is too large"),
        ("1e99999999", "exponent"),
        ("9" * 101, "has 101 digits"),
        ("1e200", "too large"),
        ("x" * 10_000_000, "10,000,000 characters is too long"),
        ("(" * 10_000 + "1" + ")" * 10_000, "characters is too long"),
        ("(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1), "nested more than 40"),
        ("\u221a" * (MAX_NESTING + 1) + "2", "nested more than 40"),
        ("2" + "^2" * (MAX_NESTING + 1), "nested more than 40"),
        ("1e12+1", "beyond ±1e+12"),
        ("-(10^13)", "beyond ±1e+12"),
    ],
)
def test_hostile_input_is_refused_by_the_limits(text, fragment):
    with pytest.raises(ValueError, match="^text: ") as info:
        evaluate_number(text)
    assert fragment in str(info.value)


def test_limits_at_their_edges():
    assert evaluate_number("1e12") == 10**12
    assert evaluate_number("-10^12") == -(10**12)
    assert evaluate_number("(" * MAX_NESTING + "1" + ")" * MAX_NESTING) == 1
    assert evaluate_number("1+" * ((MAX_EXPRESSION_CHARS - 1) // 2) + "1") == 250
    assert evaluate_number("-" * (MAX_EXPRESSION_CHARS - 1) + "1") == -1  # signs: a loop
    with pytest.raises(NumberExpressionError, match="501 characters"):
        evaluate_number("1" + " " * MAX_EXPRESSION_CHARS)
    assert evaluate_number("10^13", max_magnitude=1e15) == 10**13
    # exact numbers that would grow without bound continue as floats
    tiny = evaluate_number("(1/3)^3000")
    assert tiny == 0.0 and type(tiny) is float
    assert evaluate_number("(1/3)^20 * 3^20") == 1


def test_as_exact_lives_here():
    assert as_exact(np.array([[1.0, 2.0]])).dtype == np.int64
    assert as_exact(np.array([[1.5, 2.0]])).dtype == np.float64
    assert as_exact(np.array([2e12])).dtype == np.float64  # beyond MAX_MAGNITUDE: not int


def test_matrix_and_conv_use_the_one_table():
    import engine.conv.kernel_tools as kernel_tools
    import engine.matrix.parse as parse
    import engine.numbers as numbers

    assert parse.MAX_MAGNITUDE is numbers.MAX_MAGNITUDE and parse.as_exact is numbers.as_exact
    assert kernel_tools.as_exact is numbers.as_exact
    # engine.conv no longer reaches up into engine.matrix (the design circle of issue 23)
    assert "engine.matrix" not in Path(kernel_tools.__file__).read_text(encoding="utf-8")


# --- one grammar everywhere: answers, matrix cells, logits and λ -------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(8+2-2)/3+1", 11 / 3),
        ("(8 + 2 - 2)/3 + 1", 11 / 3),
        ("16*(3*3*3+1)", 448),
        ("O = 2^3", 8),
        ("sqrt( 2 )/2", math.sqrt(2) / 2),
        ("1 - 2", -1),
        ("e^-1", math.exp(-1)),
    ],
)
def test_an_answer_may_be_one_expression(text, value):
    from engine.tutor import parse_answer

    out = parse_answer(text)
    assert out == pytest.approx(value, rel=1e-15)
    assert type(out) is (int if isinstance(value, int) else float)


def test_each_cell_of_a_vector_or_matrix_answer_may_be_an_expression():
    from engine.tutor import parse_answer

    vector = parse_answer("[8/2, 2^3]")
    assert vector.tolist() == [4, 8] and vector.dtype == np.int64
    assert parse_answer("2^3 1/2").tolist() == [8, 0.5]
    assert parse_answer("1 -2").tolist() == [1, -2]  # spaced plain numbers stay a vector
    matrix = parse_answer("2^2 -(1)\n(1+1)*3 0")
    assert matrix.tolist() == [[4, -1], [6, 0]] and matrix.dtype == np.int64
    latex = parse_answer("\\begin{bmatrix} 2^{3} & \\frac{1}{2} \\\\ 3 & 4 \\end{bmatrix}")
    assert latex.tolist() == [[8, 0.5], [3, 4]]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 + x", "text: unknown name 'x' at position 5"),
        ("1 2 x", "row 1, column 3: 'x' is not a number"),
        ("(8+2-2))", "text: unexpected ')' at position 8"),
        ("[8/2, 2^]", "column 2: '2^' is not a number: a number is missing"),
        ("10^10^10", "too large to compute"),
        ("1e13", "beyond ±1e+12"),
    ],
)
def test_a_bad_answer_names_the_position_or_the_cell(text, fragment):
    from engine.tutor import parse_answer

    with pytest.raises(ValueError) as info:
        parse_answer(text)
    assert fragment in str(info.value)


def test_matrix_cells_read_arithmetic_with_the_same_grammar():
    from engine.matrix import MatrixParseError, parse_matrix, parse_number

    assert parse_number("2^3") == 8 and type(parse_number("2^3")) is int
    assert parse_number("-(4)") == -4
    assert parse_number("1/3+1/6") == 0.5 and type(parse_number("1/3+1/6")) is float
    assert parse_number("\u221a2") == pytest.approx(math.sqrt(2))
    values, _ = parse_matrix("2^3, 1/4\n-(1), 3*3")
    assert values.tolist() == [[8, 0.25], [-1, 9]]
    for bad, fragment in [
        ("2^", "is not a number: a number is missing"),
        ("2**3", "write a power as 2^3"),
        ("2^50", "beyond ±1e+12"),
        ("8/(2-2)", "divides by zero"),
        ("1,5", "decimal point"),
    ]:
        with pytest.raises(MatrixParseError, match=re.escape(fragment)):
            parse_number(bad)


def test_logits_and_lambda_use_the_same_grammar():
    from engine.loss import parse_vector

    assert parse_vector("1/10", name="λ").tolist() == [0.1]
    np.testing.assert_allclose(parse_vector("2^-3, e^-1; (1+1)/4"), [0.125, math.exp(-1), 0.5])
    with pytest.raises(ValueError, match="λ entry 1: '1/x' is not a number: unknown name 'x'"):
        parse_vector("1/x", name="λ")
    with pytest.raises(ValueError, match=r"entry 2: '10\^10\^10' is not finite or too large"):
        parse_vector("1 10^10^10")
