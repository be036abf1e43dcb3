"""Max/average pooling against brute-force loops, and the per-cell explanation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.conv.pooling import pool2d, pool_formula_text, pool_output_shape, trace_pool_cell


def _brute(x, size, stride, mode):
    oh = (x.shape[0] - size) // stride + 1
    ow = (x.shape[1] - size) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = [x[i * stride + a, j * stride + b] for a in range(size) for b in range(size)]
            out[i, j] = max(window) if mode == "max" else sum(window) / len(window)
    return out


def test_max_pool_of_textbook_example():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    np.testing.assert_array_equal(pool2d(x, 2), [[6, 8], [3, 4]])
    assert pool2d(x, 2).dtype == x.dtype
    np.testing.assert_allclose(pool2d(x, 2, mode="avg"), [[3.25, 5.25], [2, 2]])


@given(
    hnp.arrays(
        np.int64, st.tuples(st.integers(3, 9), st.integers(3, 9)), elements=st.integers(-50, 50)
    ),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["max", "avg"]),
)
def test_pool_matches_brute_force(x, size, stride, mode):
    np.testing.assert_allclose(pool2d(x, size, stride, mode), _brute(x, size, stride, mode))


def test_trace_explains_each_cell():
    x = np.array([[1, 3, 2], [5, -4, 0], [7, 8, 9]])
    trace = trace_pool_cell(x, 0, 1, 2, 1, "max")
    assert trace.rows == (0, 2) and trace.cols == (1, 3)
    assert trace.expression() == "max(3, 2, \u22124, 0) = 3"
    avg = trace_pool_cell(x, 1, 0, 2, 1, "avg")
    assert avg.expression() == "(5 + (\u22124) + 7 + 8)/4 = 4"
    assert avg.cells() == [(1, 0), (1, 1), (2, 0), (2, 1)]


def test_floor_drops_last_row_and_formula():
    assert pool_output_shape((5, 4), 2, 2) == (2, 2)
    assert pool_formula_text(5, 2, 2) == "⌊(5 − 2)/2⌋ + 1 = 2"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"size": 0}, "size"),
        ({"size": 4}, "does not fit"),
        ({"size": 2, "stride": 0}, "stride"),
        ({"size": 2, "mode": "median"}, "mode"),
    ],
)
def test_bad_pool_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        pool2d(np.zeros((3, 3)), **kwargs)


def test_trace_outside_output():
    with pytest.raises(ValueError, match="outside"):
        trace_pool_cell(np.zeros((4, 4)), 2, 0, 2)
