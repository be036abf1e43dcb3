"""engine.checks: one wording for every argument error, naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from engine import conv_params, output_size, pool2d, rotate_kernel
from engine.checks import (
    check_array,
    check_choice,
    check_float_array,
    check_int,
    is_int,
    is_integer,
    is_real,
    nonnegative_float,
)


def test_check_int():
    assert check_int(np.int64(3), "n") == 3 and type(check_int(np.int64(3), "n")) is int
    assert check_int(0, "padding", minimum=0) == 0
    for bad in (True, 3.0, "3", None, np.bool_(True)):
        with pytest.raises(ValueError, match=r"^n must be an integer, got"):
            check_int(bad, "n")
    with pytest.raises(ValueError, match=r"^stride must be at least 1, got 0$"):
        check_int(0, "stride", minimum=1)
    with pytest.raises(ValueError, match=r"^size must be at most 9, got 10$"):
        check_int(10, "size", maximum=9)
    for bad in (-1, 10):
        with pytest.raises(ValueError, match=rf"^index must be in 0…9, got {bad}$"):
            check_int(bad, "index", minimum=0, maximum=9)


def test_check_choice_and_array():
    assert check_choice("max", "mode", ("max", "avg")) == "max"
    with pytest.raises(ValueError, match=r"^mode must be one of \('max', 'avg'\), got 'min'$"):
        check_choice("min", "mode", ("max", "avg"))
    assert check_array([[1, 2]], "x").dtype.kind == "i"  # integers stay exact
    for bad, words in (
        ([[1], [2, 3]], "x must be a numeric array"),
        ([[True]], "x has unsupported dtype"),
        ([1, 2], "x must be 2-D, got 1-D"),
        (np.zeros((0, 3)), "x must not be empty"),
        ([[np.nan]], "x contains NaN"),
    ):
        with pytest.raises(ValueError, match=words):
            check_array(bad, "x")
    assert check_array(np.ones(3), "z", (1, 2)).shape == (3,)
    assert nonnegative_float("0.5", "lam") == 0.5


def test_check_float_array():
    given = [1, 2]
    arr = check_float_array(given, "x")
    assert arr.dtype == np.float64 and arr.tolist() == [1.0, 2.0]
    assert check_float_array(np.ones((2, 3)), "X", (2,)).shape == (2, 3)
    for bad, words in (
        (["a"], "x must be numbers"),
        ([[1.0]], "x must be 1-D, got shape"),
        ([], "x must not be empty"),
        ([1.0, np.nan], "x must be finite"),
    ):
        with pytest.raises(ValueError, match=words):
            check_float_array(bad, "x")
    source = np.zeros(3)
    check_float_array(source, "x")[0] = 5  # a new array: the caller's stays unchanged
    assert source[0] == 0


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: output_size(5, 3, stride=0), "stride must be at least 1"),
        (lambda: output_size(5, 3, padding=-1), "padding must be at least 0"),
        (lambda: conv_params(3, 3, filters=2.0), "filters must be an integer"),
        (lambda: pool2d(np.ones((4, 4)), 2, mode="min"), "mode must be one of"),
        (lambda: pool2d(np.ones((4, 4)), 2, stride=0), "stride must be at least 1"),
        (lambda: rotate_kernel([[1, np.inf]]), "kernel contains NaN or infinity"),
    ],
)
def test_engine_functions_use_the_shared_wording(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_is_int_is_integer_and_is_real_refuse_bools():
    for value in (0, -3, 2**80):
        assert is_int(value) and is_integer(value) and is_real(value)
    for value in (True, False, np.bool_(True)):
        assert not is_int(value) and not is_integer(value) and not is_real(value)
    for value in (np.int64(3), np.uint8(1)):
        assert is_integer(value) and not is_int(value) and not is_real(value)
    for value in (3.0, float("nan"), float("inf"), np.float64(2.5)):
        assert is_real(value) and not is_int(value) and not is_integer(value)
    for value in ("3", None, [1], 1j):
        assert not is_int(value) and not is_integer(value) and not is_real(value)
