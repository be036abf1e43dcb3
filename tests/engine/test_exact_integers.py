"""Exact integer correlation never wraps int64 (issue 12 #2): Python-int brute force reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.conv import convolve2d, correlate2d, trace_cell
from engine.conv.exact import integer_route, integer_route_note
from engine.conv.layer import conv_layer, trace_layer_cell
from engine.conv.pooling import pool2d, trace_pool_cell
from engine.matrix.compute import ConvSettings, compute_outputs, display_values

BACKENDS = ("numpy", "opencv")


def brute(x, k, pad=0, stride=1, dilation=1):
    """Valid/zero-padded correlation in Python ints, from the definition."""
    rows, cols = len(x), len(x[0])
    kh, kw = len(k), len(k[0])

    def at(r, c):
        r, c = r - pad, c - pad
        return int(x[r][c]) if 0 <= r < rows and 0 <= c < cols else 0

    eh, ew = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    oh = (rows + 2 * pad - eh) // stride + 1
    ow = (cols + 2 * pad - ew) // stride + 1
    return [
        [
            sum(
                int(k[a][b]) * at(i * stride + a * dilation, j * stride + b * dilation)
                for a in range(kh)
                for b in range(kw)
            )
            for j in range(ow)
        ]
        for i in range(oh)
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_3e18_under_a_kernel_of_nines_is_exact_on_both_backends(backend):
    x = np.full((5, 6), 3 * 10**18, dtype=np.int64)
    x[2, 3] = -(10**18)
    k = np.full((3, 3), 9, dtype=np.int64)
    out = correlate2d(x, k, backend=backend)
    assert out.tolist() == brute(x.tolist(), k.tolist())
    assert out[0, 0] == 243 * 10**18  # not 3192327041775828992 nor −2⁶³
    assert all(type(v) is int for v in out.ravel())


@pytest.mark.parametrize("backend", BACKENDS)
def test_9e24_from_two_cell_limit_values_is_exact(backend):
    """Both matrices inside the typed cell limit (1e12): 9 products of 1e24 each."""
    x = np.full((4, 4), 10**12, dtype=np.int64)
    k = np.full((3, 3), 10**12, dtype=np.int64)
    out = convolve2d(x, k, padding=1, stride=2, backend=backend)
    assert out.tolist() == brute(x.tolist(), k[::-1, ::-1].tolist(), pad=1, stride=2)
    assert correlate2d(x, k, backend=backend)[0, 0] == 9 * 10**24
    assert "Python integers" in integer_route_note(x, k, backend)


def test_opencv_hands_sums_beyond_2_53_to_the_exact_int64_path_and_says_why():
    x = np.full((4, 4), 10**12, dtype=np.int64)
    x[1, 1] = 10**12 - 1  # an odd total: float64 cannot hold it above 2⁵³
    k = np.full((3, 3), 1001, dtype=np.int64)
    assert integer_route(x, k, "opencv") == "numpy"
    assert "2⁵³" in integer_route_note(x, k, "opencv")
    assert integer_route_note(x, k, "numpy") == ""
    out = correlate2d(x, k, backend="opencv")
    assert out.dtype == np.int64
    assert out.tolist() == brute(x.tolist(), k.tolist())


def test_small_integer_jobs_keep_their_usual_paths():
    x = np.arange(25, dtype=np.uint8).reshape(5, 5)
    k = np.array([[1, -2], [3, 4]])
    assert integer_route(x, k, "opencv") == "opencv"
    assert correlate2d(x, k, backend="opencv").dtype == np.int64
    assert integer_route(x.astype(float), k, "opencv") == "float"


@given(
    st.integers(-(2**62), 2**62),
    st.lists(st.integers(-(10**12), 10**12), min_size=4, max_size=4),
    st.sampled_from(BACKENDS),
    st.integers(0, 2),
    st.integers(1, 2),
    st.integers(1, 2),
)
def test_backends_agree_with_python_ints_for_any_magnitude(big, taps, backend, pad, stride, dil):
    x = np.array([[big, -big, 7, 1], [3, big // 3, -5, big], [0, 1, -big, 2]], dtype=np.int64)
    k = np.array(taps, dtype=np.int64).reshape(2, 2)
    out = correlate2d(x, k, padding=pad, stride=stride, dilation=dil, backend=backend)
    assert out.tolist() == brute(x.tolist(), k.tolist(), pad, stride, dil)


def test_trace_cell_and_layer_trace_show_the_exact_sum():
    x = np.full((3, 3), 3 * 10**18, dtype=np.int64)
    k = np.full((3, 3), 9, dtype=np.int64)
    trace = trace_cell(x, k, 0, 0)
    assert trace.total == 243 * 10**18
    assert trace.expression().endswith("= 243000000000000000000")
    w = np.stack([k, -k])[None]  # one filter, two channels
    xs = np.stack([x, x])
    out = conv_layer(xs, w, np.array([5]))
    assert out.tolist() == [[[5]]]
    out = conv_layer(xs, np.stack([k, k])[None], np.array([5]))
    assert out[0, 0, 0] == 486 * 10**18 + 5
    assert trace_layer_cell(xs, np.stack([k, k])[None], np.array([5]), 0, 0, 0).total == (
        486 * 10**18 + 5
    )


def test_the_matrix_tab_computation_and_display_keep_exact_values():
    x = np.full((4, 4), 10**12, dtype=np.int64)
    k = np.full((3, 3), 10**12, dtype=np.int64)
    (result,) = compute_outputs(x, [("big", k)], ConvSettings())
    assert result.error is None
    assert result.output.tolist() == [[9 * 10**24] * 2] * 2
    # What the explanation panel does with a trace total (this raised AttributeError: .item()).
    total = trace_cell(x, k, 0, 0).total
    for mode, expected in (("raw", 9 * 10**24), ("abs", 9 * 10**24), ("clamp", 255)):
        assert display_values(np.array([total]), mode).tolist()[0] == expected


def test_pooling_an_exact_output_beyond_int64_stays_exact():
    x = np.array([[10**12, 10**12, 0], [10**12, 1, 3], [2, 0, 5]], dtype=np.int64)
    k = np.full((2, 2), 10**12, dtype=np.int64)
    out = correlate2d(x, k)  # sums up to 3e24 + 1e12: an object array of Python ints
    assert out.dtype == object
    assert pool2d(out, 2, 1).tolist() == [[3 * 10**24 + 10**12]]
    sums = [[int(v) for v in row] for row in out.tolist()]
    assert pool2d(out, 2, 1, "avg").tolist() == [[sum(map(sum, sums)) / 4]]
    trace = trace_pool_cell(out, 0, 0, 2, 1, "avg")
    assert trace.values == tuple(v for row in sums for v in row)
    assert trace.result == sum(map(sum, sums)) / 4
