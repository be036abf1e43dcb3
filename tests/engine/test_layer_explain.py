"""explain_layer and the inverse solvers against hand cases and what correlate2d really does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import (
    correlate2d,
    explain_layer,
    output_size,
    same_padding,
    solve_kernel,
    solve_padding,
    solve_stride,
)


def test_formulas_written_with_the_users_numbers():
    e = explain_layer(7, 7, 3, 3, padding=0, stride=2, filters=4)
    assert e.output_shape == (3, 3, 4)
    assert e.rows.formula == "H′ = ⌊(H + 2p − k)/s⌋ + 1 = ⌊(7 + 2·0 − 3)/2⌋ + 1 = ⌊4/2⌋ + 1 = 3"
    assert e.params == 112
    assert e.params_formula == "N·(kh·kw·C/groups + 1) = 4·(3·3·3 + 1) = 112"
    assert e.macs == 3 * 3 * 4 * 27
    assert e.dense_params == (7 * 7 * 3) * (3 * 3 * 4) + 36
    assert e.dense_formula.endswith("= 147·36 + 36 = 5,328")
    assert e.ratio == pytest.approx(5328 / 112)
    assert e.warnings == () and e.valid


def test_dilation_formula_and_bias_off():
    e = explain_layer(10, 12, 2, (3, 1), padding=(0, 1), dilation=2, filters=5, bias=False)
    assert e.rows.formula.endswith("⌊(10 + 2·0 − 2·(3−1) − 1)/1⌋ + 1 = ⌊5/1⌋ + 1 = 6")
    assert e.output_shape == (6, 14, 5)
    assert e.params == 5 * 3 * 1 * 2 and "+ 1" not in e.params_formula
    assert e.dense_params == (10 * 12 * 2) * (6 * 14 * 5)


def test_non_divisible_stride_names_the_uncovered_rows():
    e = explain_layer(8, 8, 1, 3, stride=2)
    assert e.rows.remainder == 1 and e.rows.never_covered == (7,)
    assert any(
        "not divisible by the stride 2" in w and "input row 7 is never covered" in w
        for w in e.warnings
    )
    alex = explain_layer(224, 224, 3, 11, padding=2, stride=4, filters=64)
    assert alex.output_shape == (55, 55, 64) and alex.params == 23_296
    assert "only padding is dropped" in alex.warnings[0] and alex.rows.never_covered == ()


def test_stride_larger_than_kernel_skips_rows():
    e = explain_layer(10, 10, 1, 2, stride=3)
    assert e.rows.never_covered == (2, 5, 8, 9)
    assert any("rows 2, 5 are skipped" in w for w in e.warnings)


def test_impossible_output_says_why():
    e = explain_layer(3, 10, 1, 5)
    assert not e.valid and e.output_shape is None and e.macs is None and e.dense_params is None
    assert "no window fits" in e.problems[0] and "padding ≥ 1" in e.problems[0]
    assert e.rows.formula.endswith("= ⌊−2/1⌋ + 1 = −1 < 1")
    assert e.cols.output == 6


def test_depthwise_groups():
    e = explain_layer(32, 32, 16, 3, padding="same", filters=16, groups=16)
    assert e.params == 16 * (3 * 3 + 1) and "/16" in e.params_formula
    assert e.output_shape == (32, 32, 16)
    with pytest.raises(ValueError, match="groups=3 must divide"):
        explain_layer(8, 8, 16, 3, groups=3, filters=6)


def test_same_padding_even_kernel_is_asymmetric():
    e = explain_layer(6, 6, 1, 4, padding="same")
    assert (e.rows.pad_before, e.rows.pad_after) == (1, 2)
    assert e.output_shape[:2] == (6, 6)
    assert any("extra row/column goes at the bottom/right" in w for w in e.warnings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"height": 0}, "height must be at least 1"),
        ({"kernel_size": 2.5}, "kernel_size must be an integer"),
        ({"padding": "full"}, "padding must be"),
        ({"padding": -1}, "padding must be at least 0"),
        ({"stride": 0}, "stride must be at least 1"),
        ({"bias": 1}, "bias must be True or False"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"height": 5, "width": 5, "channels": 1, "kernel_size": 3} | kwargs
    with pytest.raises(ValueError, match=message):
        explain_layer(
            args.pop("height"),
            args.pop("width"),
            args.pop("channels"),
            args.pop("kernel_size"),
            **args,
        )


_dims = {
    "n": st.integers(1, 16),
    "k": st.integers(1, 5),
    "p": st.integers(0, 3),
    "s": st.integers(1, 4),
    "d": st.integers(1, 3),
}


@given(**_dims, same=st.booleans())
def test_output_shape_matches_correlate2d(n, k, p, s, d, same):
    padding = "same" if same else p
    e = explain_layer(n, n + 1, 1, (k, 1), padding=padding, stride=s, dilation=d)
    try:
        real = correlate2d(
            np.ones((n, n + 1)), np.ones((k, 1)), padding=padding, stride=s, dilation=(d, 1)
        )
    except ValueError:
        assert not e.valid
        return
    assert e.output_shape[:2] == real.shape


@given(**_dims)
def test_never_covered_rows_match_correlate2d(n, k, p, s, d):
    """A row is never covered exactly when a spike in it changes no output."""
    e = explain_layer(n, 1, 1, (k, 1), padding=p, stride=s, dilation=d)
    assume(e.valid)
    for row in range(n):
        x = np.zeros((n, 1), dtype=np.int64)
        x[row, 0] = 1
        out = correlate2d(
            x, np.ones((k, 1), dtype=np.int64), padding=(p, 0), stride=s, dilation=(d, 1)
        )
        assert (out.sum() == 0) == (row in e.rows.never_covered), row


@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), d=st.integers(1, 3))
def test_same_padding_gives_ceil_n_over_s(n, k, s, d):
    before, after = same_padding(n, k, s, d)
    assert after - before in (0, 1)
    real = (
        correlate2d(
            np.ones((n, 1)),
            np.ones((k, 1)),
            padding=((before + after) // 2, 0),
            stride=s,
            dilation=(d, 1),
        )
        if before == after
        else None
    )
    if real is not None:
        assert real.shape[0] == -(-n // s)
    assert (n + before + after - d * (k - 1) - 1) // s + 1 == -(-n // s)


@given(
    n=st.integers(1, 30),
    k=st.integers(1, 6),
    wanted=st.integers(1, 30),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 2),
)
def test_inverse_solvers_are_exact_and_complete(n, k, wanted, s, p, d):
    def out(kk, pp, ss):
        if n + 2 * pp < d * (kk - 1) + 1:
            return None
        return output_size(n, kk, padding=pp, stride=ss, dilation=d)

    assert solve_padding(n, k, wanted, stride=s, dilation=d) == [
        pp for pp in range(0, 80) if out(k, pp, s) == wanted
    ]
    strides = solve_stride(n, k, wanted, padding=p, dilation=d)
    brute = [ss for ss in range(1, 80) if out(k, p, ss) == wanted]
    if wanted == 1 and strides:  # the last value means "this stride or any larger one"
        assert brute == list(range(strides[0], 80)) and strides == list(
            range(strides[0], strides[-1] + 1)
        )
    else:
        assert strides == brute
    assert solve_kernel(n, wanted, stride=s, padding=p, dilation=d) == [
        kk for kk in range(1, 80) if out(kk, p, s) == wanted
    ]


def test_inverse_hand_cases():
    assert same_padding(7, 3) == (1, 1)
    assert solve_padding(28, 5, 28) == [2]
    assert solve_stride(224, 11, 55, padding=2) == [4]
    assert solve_kernel(28, 14, stride=2, padding=1) == [3, 4]
