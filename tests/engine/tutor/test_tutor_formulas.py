"""diagnose_output_size and diagnose_param_count: each planted formula slip is named first."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import diagnose_output_size, diagnose_param_count


def size_slips(n, k, p, s, d):
    """The right size and every slip's number, written out independently."""
    ke = d * (k - 1) + 1
    right = math.floor((n + 2 * p - ke) / s) + 1
    slips = {
        "no_floor": math.ceil((n + 2 * p - ke) / s) + 1,
        "padding_once": math.floor((n + p - ke) / s) + 1,
        "no_plus_one": math.floor((n + 2 * p - ke) / s),
        "dilation_ignored": math.floor((n + 2 * p - k) / s) + 1,
        "dilation_extent": math.floor((n + 2 * p - d * k) / s) + 1,
        "stride_ignored": n + 2 * p - ke + 1,
        "padding_ignored": math.floor((n - ke) / s) + 1,
    }
    return right, slips


@st.composite
def layers(draw, code=""):
    """A layer where the slip ``code`` can happen (padding for padding slips, and so on)."""
    k = draw(st.integers(2 if "dilation" in code else 1, 7))
    d = draw(st.integers(2 if "dilation" in code else 1, 3))
    p = draw(st.integers(1 if "padding" in code else 0, 3))
    s = draw(st.integers(2 if code in ("no_floor", "stride_ignored") else 1, 4))
    n = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 60))
    return n, k, p, s, d


@pytest.mark.parametrize(
    "code",
    [
        "no_floor",
        "padding_once",
        "no_plus_one",
        "dilation_ignored",
        "dilation_extent",
        "stride_ignored",
        "padding_ignored",
    ],
)
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_planted_size_slip_is_named_first(code, data):
    layer = data.draw(layers(code))
    n, k, p, s, d = layer
    right, slips = size_slips(n, k, p, s, d)
    planted = slips[code]
    # the slip must apply here and give a number no other slip gives
    assume(planted != right and planted >= 0)
    assume(code != "dilation_extent" or n + 2 * p >= d * k)
    assume(code != "padding_ignored" or n >= d * (k - 1) + 1)
    assume(code != "dilation_ignored" or n + 2 * p >= k)
    assume(all(v != planted for c, v in slips.items() if c != code))
    diagnosis = diagnose_output_size(n, k, p, s, d, planted)
    assert not diagnosis.correct
    assert diagnosis.codes[0] == code, (diagnosis.codes, layer)


@given(layer=layers())
def test_right_size_is_correct_with_no_findings(layer):
    n, k, p, s, d = layer
    right, _ = size_slips(n, k, p, s, d)
    diagnosis = diagnose_output_size(n, k, p, s, d, right)
    assert diagnosis.correct and diagnosis.findings == []
    assert diagnose_output_size(n, k, p, s, d, str(right)).correct


def test_unfloored_value_as_the_sheet_writes_it_is_no_floor():
    # (7 + 2·0 − 3)/3 + 1 = 2.33…, right is 2
    for answer in (7 / 3, "2.33", "7/3", 3):
        diagnosis = diagnose_output_size(7, 3, 0, 3, 1, answer)
        assert diagnosis.codes[0] == "no_floor", answer
    assert "without the floor" in diagnose_output_size(7, 3, 0, 3, 1, "2.33").summary
    assert "rounded up" in diagnose_output_size(7, 3, 0, 3, 1, 3).summary


def test_unexplained_size_quotes_the_right_computation():
    diagnosis = diagnose_output_size(32, 5, 2, 1, 1, 17)
    assert diagnosis.codes == ["unexplained"]
    assert "⌊(32 + 2·2 − 5)/1⌋ + 1 = 32" in diagnosis.summary


def param_slips(n, k, c, bias, g):
    b = 1 if bias else 0
    right = n * (k * k * c // g + b)
    slips = {
        "no_bias" if bias else "bias_added": n * k * k * c // g
        if bias
        else n * (k * k * c // g + 1),
        "no_channels": n * (k * k + b),
        "kernel_not_squared": n * (k * c // g + b),
        "groups_ignored": n * (k * k * c + b),
        "bias_per_channel": n * (c // g) * (k * k + 1),
        "no_filters": k * k * c // g + b,
    }
    if bias and c // g > 1:
        slips["no_channels, no_bias"] = n * k * k  # both slips at once (named no_channels)
    return right, slips


@st.composite
def conv_layers(draw):
    g = draw(st.sampled_from([1, 1, 2, 4]))
    c = g * draw(st.integers(1, 16))
    n = g * draw(st.integers(1, 32))
    k = draw(st.integers(1, 7))
    bias = draw(st.booleans())
    return n, k, c, bias, g


@pytest.mark.parametrize(
    "code",
    [
        "no_bias",
        "bias_added",
        "no_channels",
        "kernel_not_squared",
        "groups_ignored",
        "bias_per_channel",
        "no_filters",
    ],
)
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(layer=conv_layers())
def test_planted_parameter_slip_is_named_first(code, layer):
    n, k, c, bias, g = layer
    right, slips = param_slips(n, k, c, bias, g)
    assume(code in slips)
    assume(code != "bias_per_channel" or bias)
    planted = slips[code]
    assume(planted != right)
    assume(all(v != planted for other, v in slips.items() if other != code))
    diagnosis = diagnose_param_count(n, k, c, planted, bias=bias, groups=g)
    assert diagnosis.codes[0] == code, (diagnosis.codes, layer)
    assert diagnose_param_count(n, k, c, right, bias=bias, groups=g).correct


def test_parameter_messages_name_the_formula():
    diagnosis = diagnose_param_count(32, 3, 3, 864)
    assert diagnosis.codes == ["no_bias"]
    assert "32·(3·3·3 + 1) = 896" in diagnosis.summary
    diagnosis = diagnose_param_count(64, (3, 5), 16, 64 * (3 * 16 + 1))
    assert diagnosis.codes[0] == "kernel_not_squared"
    assert diagnose_param_count(64, (3, 5), 16, 64 * (15 * 16 + 1)).correct


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: diagnose_output_size(0, 3, 0, 1, 1, 1), "size"),
        (lambda: diagnose_output_size(5, 3.0, 0, 1, 1, 1), "kernel"),
        (lambda: diagnose_output_size(5, 3, -1, 1, 1, 1), "padding"),
        (lambda: diagnose_output_size(5, 3, 0, 0, 1, 1), "stride"),
        (lambda: diagnose_output_size(5, 3, 0, 1, True, 1), "dilation"),
        (lambda: diagnose_output_size(5, 3, 0, 1, 1, "three"), "text"),
        (lambda: diagnose_output_size(5, 3, 0, 1, 1, [1, 2]), "answer"),
        (lambda: diagnose_output_size(2, 5, 0, 1, 1, 1), "size"),
        (lambda: diagnose_param_count(0, 3, 3, 1), "filters"),
        (lambda: diagnose_param_count(4, (3,), 3, 1), "kernel"),
        (lambda: diagnose_param_count(4, 3, "3", 1), "channels"),
        (lambda: diagnose_param_count(4, 3, 3, 1, groups=2), "groups"),
        (lambda: diagnose_param_count(4, 3, 3, float("nan")), "answer"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, name):
    with pytest.raises(ValueError, match=name):
        call()
