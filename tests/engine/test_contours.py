"""Marching-squares contours: endpoints on the level, closed curves, agreement with pyqtgraph."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.loss.contours import contour_polyline, contour_segments


def _edge_value(grid, point):
    """Linear interpolation of ``grid`` at a point that lies on a cell edge."""
    r, c = point
    r0, c0 = int(np.floor(r)), int(np.floor(c))
    if r == r0:  # horizontal edge
        c0 = min(c0, grid.shape[1] - 2)
        t = c - c0
        return (1 - t) * grid[r0, c0] + t * grid[r0, c0 + 1]
    r0 = min(r0, grid.shape[0] - 2)
    t = r - r0
    return (1 - t) * grid[r0, c0] + t * grid[r0 + 1, c0]


@given(
    hnp.arrays(float, st.tuples(st.integers(2, 12), st.integers(2, 12)), elements=st.floats(-5, 5)),
    st.floats(-4, 4),
)
def test_every_endpoint_lies_on_the_level(grid, level):
    segments = contour_segments(grid, level)
    assert segments.ndim == 3 and segments.shape[1:] == (2, 2)
    for point in segments.reshape(-1, 2):
        assert 0 <= point[0] <= grid.shape[0] - 1 and 0 <= point[1] <= grid.shape[1] - 1
        assert _edge_value(grid, point) == pytest.approx(level, abs=1e-9)


def test_a_circle_is_closed_and_round():
    r = np.linspace(-2, 2, 80)  # no sample exactly on the circle (degenerate vertices)
    X, Y = np.meshgrid(r, r)
    xs, ys = contour_polyline(X**2 + Y**2, [1.0], r, r)
    finite = np.isfinite(xs)
    assert np.max(np.abs(np.hypot(xs[finite], ys[finite]) - 1)) < 2e-3
    seg = contour_segments(X**2 + Y**2, 1.0).reshape(-1, 2).round(9)
    _, counts = np.unique(seg, axis=0, return_counts=True)
    assert np.all(counts == 2)  # every vertex joins two segments: a closed loop


def test_saddle_and_flat_grids():
    saddle = np.array([[1.0, -1.0], [-1.0, 1.0]])
    assert contour_segments(saddle, 0.0).shape == (2, 2, 2)
    assert contour_segments(np.zeros((3, 3)), 1.0).shape == (0, 2, 2)
    with pytest.raises(ValueError, match="at least 2×2"):
        contour_segments(np.zeros(3), 0.0)


def test_total_length_matches_pyqtgraph_isocurve():
    pg = pytest.importorskip("pyqtgraph")
    r = np.linspace(-3, 3, 60)
    X, Y = np.meshgrid(r, r)
    grid = X**2 + 3 * Y**2 + X * Y
    ours = contour_segments(grid, 4.0)
    length = np.sum(np.linalg.norm(ours[:, 1] - ours[:, 0], axis=1))
    theirs = 0.0
    for line in pg.functions.isocurve(grid, 4.0, connected=True):
        pts = np.asarray(line, dtype=float)
        theirs += np.sum(np.linalg.norm(np.diff(pts, axis=0), axis=1))
    assert length == pytest.approx(theirs, rel=1e-6)
