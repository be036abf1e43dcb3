"""Check my derivation: hostile input is refused quickly with a message; the reader's reach."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.derivation import DERIVATION_LIMITS, check_derivation


def _timed(text, **kwargs):
    start = time.perf_counter()
    try:
        result = check_derivation(text, **kwargs)
    except ValueError as error:
        result = error
    return result, time.perf_counter() - start


def test_ten_megabytes_are_refused_before_reading():
    result, seconds = _timed("e^{z_1}" * 1_500_000, topic="softmax_derivative")
    assert isinstance(result, ValueError)
    assert "steps" in str(result) and "characters" in str(result)
    assert seconds < 0.5
    many, seconds = _timed(["z_1"] * 100_000)
    assert isinstance(many, ValueError) and "lines" in str(many)
    assert seconds < 0.5


def test_ten_thousand_open_brackets():
    result, seconds = _timed("(" * 10_000 + "z_1" + ")" * 10_000)
    assert isinstance(result, ValueError)
    assert seconds < 0.5
    line, seconds = _timed("(" * 5_000 + "z_1")  # one line longer than a line may be
    assert not line.steps[0].ok and "characters" in line.steps[0].message
    deep, seconds = _timed("(" * 200 + "z_1" + ")" * 200)
    assert not deep.steps[0].readable
    assert "nested more than" in deep.steps[0].message
    assert seconds < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('ls')",
        "__import__",
        "eval (z_1)",
        "z_1; import os",
        "\\input{x}",
        "sum_k^",  # lines that end where the reader looks ahead (found by fuzzing)
        "\\frac{\\partial",
        "z_1^{",
        "L(",
    ],
)
def test_code_is_just_unreadable_text(text):
    result, seconds = _timed(text, topic="softmax_derivative")
    assert not result.steps[0].ok
    assert not result.steps[0].readable
    assert "character" in result.steps[0].message
    assert seconds < 0.5


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("e^{e^{e^{99}}}", "nested more than 2 deep"),
        ("e^{e^{e^{e^{e^{99}}}}}", "nested more than 2 deep"),
        ("10^{10^{10}} = 1", "exponent larger than"),
        ("(z_1)^{999999999999} = 1", "exponent larger than"),
        ("z_1 = 1234567890123456789", "more than 12 digits"),
        (r"\sum_k \sum_l \sum_m \sum_i z_k", "sums nested more than 3"),
    ],
)
def test_huge_exponents_and_numbers_are_refused(text, words):
    result, seconds = _timed(text, topic="softmax_derivative")
    assert words in result.steps[0].message
    assert seconds < 1.0


def test_overflow_is_reported_not_raised():
    result, seconds = _timed("e^{e^{99}} = e^{e^{99}} + 1")
    assert result.steps[0].ok is False
    assert "no value at the sample points" in result.steps[0].message
    assert seconds < 1.0


def test_the_limits_are_published():
    assert DERIVATION_LIMITS["text characters"] < 10_000_000
    assert DERIVATION_LIMITS["exponent nesting"] == 2


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_result_or_a_value_error(text):
    try:
        result = check_derivation(text, topic="softmax_derivative")
    except ValueError:
        return
    assert len(result.steps) == len([line for line in text.splitlines() if line.strip()]) or (
        len(result.steps) <= len(text.splitlines())
    )
    for step in result.steps:
        assert isinstance(step.message, str) and step.message


@pytest.mark.parametrize(
    "line",
    [
        r"\frac{\partial \hat y_i}{\partial z_j} = \hat{y_i}\left(\delta_{ij} - \hat y_j\right)",
        r"\frac{\partial ŷ_i}{\partial z_j} = ŷ_i\,(δ_{ij} − ŷ_j)",
        "dŷ: " * 0 + "∂ŷ_i/∂z_j = y_hat_i * (delta_ij - y_hat_j)",
        r"$$\frac{\partial \hat{y}_i}{\partial z_j} = \hat{y}_i \cdot (\delta_{ij} - \hat{y}_j)$$",
        r"\frac{\partial \hat y_i}{\partial z_j} &= \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"
        r"\left(\delta_{ij} - \frac{\exp(z_j)}{\sum_{k=1}^K \exp z_k}\right) \\",
    ],
)
def test_notations_students_write(line):
    result = check_derivation(line, topic="softmax_derivative")
    assert result.steps[0].ok, result.steps[0].message
    assert result.reaches_target is True
