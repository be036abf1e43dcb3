"""TrainSettings.LIMITS is the one table of the Train tab's number ranges: every numeric setting
has an entry, the defaults lie inside, and within_limits accepts exactly the finite numbers of the
right kind inside it (both ends included)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.train import DEFAULTS, TrainSettings

NUMERIC = [f.name for f in dataclasses.fields(TrainSettings) if f.name != "optimizer"]


def test_every_numeric_setting_has_a_range_holding_its_default():
    assert sorted(TrainSettings.LIMITS) == sorted(NUMERIC)
    assert "LIMITS" not in {f.name for f in dataclasses.fields(TrainSettings)}
    for name in NUMERIC:
        low, high = TrainSettings.LIMITS[name]
        assert low < high
        assert low <= getattr(DEFAULTS, name) <= high
        assert TrainSettings.within_limits(name, getattr(DEFAULTS, name))


@pytest.mark.parametrize("name", NUMERIC)
def test_the_ends_are_inside_and_just_beyond_is_not(name):
    low, high = TrainSettings.LIMITS[name]
    assert TrainSettings.within_limits(name, low) and TrainSettings.within_limits(name, high)
    whole = isinstance(getattr(DEFAULTS, name), int)
    below = low - 1 if whole else float(np.nextafter(low, -math.inf))
    above = high + 1 if whole else float(np.nextafter(high, math.inf))
    assert not TrainSettings.within_limits(name, below)
    assert not TrainSettings.within_limits(name, above)


@pytest.mark.parametrize("bad", [True, False, None, "3", [3], math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", NUMERIC)
def test_what_is_not_a_finite_number_is_refused(name, bad):
    assert not TrainSettings.within_limits(name, bad)


def test_int_settings_take_whole_numbers_only():
    assert TrainSettings.within_limits("epochs", 3.0)
    assert not TrainSettings.within_limits("epochs", 3.5)
    assert TrainSettings.within_limits("lam", 3)  # a float setting takes an int


def test_an_unknown_setting_is_named():
    with pytest.raises(ValueError, match="name must be one of .*, got 'optimizer'"):
        TrainSettings.within_limits("optimizer", 1)


@given(st.sampled_from(NUMERIC), st.floats(allow_nan=False, allow_infinity=False))
def test_within_limits_is_the_interval_test(name, value):
    low, high = TrainSettings.LIMITS[name]
    whole = isinstance(getattr(DEFAULTS, name), int)
    expected = low <= value <= high and (not whole or value == int(value))
    assert TrainSettings.within_limits(name, value) == expected
