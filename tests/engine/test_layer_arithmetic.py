"""output_size and conv_params against hand-computed cases and correlate2d's real shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import conv_params, correlate2d, output_size


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "d", "expected"),
    [
        (7, 3, 0, 1, 1, 5),
        (7, 3, 1, 1, 1, 7),
        (7, 3, 0, 2, 1, 3),
        (7, 2, 0, 2, 1, 3),  # (7-2)/2 = 2.5 -> floor -> 3 outputs
        (227, 11, 0, 4, 1, 55),  # AlexNet conv1
        (32, 5, 0, 1, 1, 28),  # LeNet-5 C1
        (7, 3, 0, 1, 2, 3),
    ],
)
def test_output_size_hand_cases(n, k, p, s, d, expected):
    assert output_size(n, k, padding=p, stride=s, dilation=d) == expected


def test_conv_params_published_counts():
    assert conv_params(5, 1, 6) == 156  # LeNet-5 C1
    assert conv_params(11, 3, 96) == 34_944  # AlexNet conv1 (original)
    assert conv_params(3, 512, 512) == 2_359_808  # VGG-16 conv5
    assert conv_params((3, 3), 3, 64, bias=False) == 1728
    assert isinstance(conv_params(3, 10**6, 10**6), int)


@given(
    n=st.integers(1, 30),
    k=st.integers(1, 7),
    p=st.integers(0, 4),
    s=st.integers(1, 4),
    d=st.integers(1, 3),
)
def test_output_size_matches_real_convolution(n, k, p, s, d):
    assume(n + 2 * p >= d * (k - 1) + 1)
    out = correlate2d(
        np.ones((n, 3)), np.ones((k, 1)), padding=(p, 0), stride=(s, 1), dilation=(d, 1)
    )
    assert out.shape[0] == output_size(n, k, padding=p, stride=s, dilation=d)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0, "k": 3}, "n must be at least 1"),
        ({"n": 5, "k": 3, "stride": 0}, "stride must be at least 1"),
        ({"n": 5, "k": 3, "padding": -1}, "padding must be at least 0"),
        ({"n": 5.0, "k": 3}, "n must be an integer"),
        ({"n": 2, "k": 5}, "no output"),
    ],
)
def test_output_size_errors(kwargs, message):
    n = kwargs.pop("n")
    k = kwargs.pop("k")
    with pytest.raises(ValueError, match=message):
        output_size(n, k, **kwargs)


def test_conv_params_errors():
    with pytest.raises(ValueError, match="in_channels must be at least 1"):
        conv_params(3, 0, 4)
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        conv_params((3, 3, 3), 1, 1)
