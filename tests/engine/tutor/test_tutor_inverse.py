"""solve_input ("Which input?"): exact recovery, non-unique and inconsistent systems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import solve_input
from tests.engine.reference import brute_force_correlate

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
SOBEL_Y = SOBEL_X.T
LAPLACE = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
BOX = np.ones((3, 3), dtype=np.int64)


def corr(x, k, pad=0, stride=1):
    out = brute_force_correlate(x, k, (pad,) * 4, (stride, stride), (1, 1))
    return out.astype(np.int64 if np.asarray(x).dtype.kind in "iu" else np.float64)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 7))
def test_full_padding_recovers_the_input_exactly(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 10, (n, n))
    k = rng.integers(-2, 3, (3, 3))
    k[0, 0] = 1  # a non-zero corner makes the full-padding system triangular, so unique
    out = corr(x, k, pad=2)
    solution = solve_input(out, k, padding="full")
    assert solution.exact and solution.unique
    assert solution.x.dtype == np.int64 and np.array_equal(solution.x, x)
    assert solution.rank == solution.unknowns == n * n
    assert solution.residual == 0 and solution.worst is None
    assert solution.determined.all()
    assert solution.message.startswith(f"Exactly one {n}×{n} input reproduces this output")


def test_several_same_padding_outputs_pin_the_input_down():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 9, (6, 6))
    kernels = [SOBEL_X, SOBEL_Y, LAPLACE, BOX]
    outputs = [corr(x, k, pad=1) for k in kernels]
    solution = solve_input(outputs, kernels, padding="same")
    assert solution.exact and solution.unique and np.array_equal(solution.x, x)
    assert all(np.array_equal(r, o) for r, o in zip(solution.reproduced, outputs, strict=True))


def test_valid_outputs_of_edge_kernels_fit_many_inputs():
    """The sheet's situation: three 5×5 tables of a 7×7 input. Edge kernels ignore constants
    and ramps, so many inputs fit and no input cell is determined."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 9, (7, 7))
    kernels = [SOBEL_X, SOBEL_Y, LAPLACE]
    outputs = [corr(x, k) for k in kernels]
    solution = solve_input(outputs, kernels)
    assert solution.exact and not solution.unique
    assert solution.rank < solution.unknowns == 49
    assert not solution.determined.any()
    assert all(
        np.array_equal(np.rint(r), o) for r, o in zip(solution.reproduced, outputs, strict=True)
    )
    assert "Many 7×7 inputs reproduce all 3 outputs exactly" in solution.message
    # the difference to the true input lies in the null space: it changes no output
    diff = x - solution.x
    for k in kernels:
        assert np.allclose(corr(diff.astype(float), k), 0, atol=1e-8)


def test_inconsistent_tables_give_the_best_input_and_how_far_it_is():
    """Three 5×5 tables copied with one slip: no single input reproduces them."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 9, (7, 7))
    kernels = [SOBEL_X, BOX, LAPLACE]
    outputs = [corr(x, k) for k in kernels]
    outputs[1][2, 3] += 5  # a slip in the second table
    solution = solve_input(outputs, kernels)
    assert not solution.exact
    assert solution.residual > 0.1
    # least squares: no worse than the true input, and the residual is the reproduced error
    true_residual = np.sqrt(
        sum(((corr(x, k) - o) ** 2).sum() for k, o in zip(kernels, outputs, strict=True))
    )
    assert solution.residual <= true_residual + 1e-9
    reproduced = [corr(solution.x.astype(float), k) for k in kernels]
    errors = [np.abs(r - o) for r, o in zip(reproduced, outputs, strict=True)]
    assert solution.residual == pytest.approx(np.sqrt(sum((e**2).sum() for e in errors)))
    assert solution.max_error == pytest.approx(max(e.max() for e in errors))
    assert solution.worst[0] == 1  # the worst cell is in the table with the slip
    message = solution.message
    assert message.startswith("No single 7×7 input reproduces all 3 outputs")
    assert "‖r‖ = " in message and "output 2" in message


def test_stride_needs_no_shape_when_the_smallest_input_fits_and_reports_free_cells():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 9, (5, 5))
    out = corr(x, BOX, stride=2)
    solution = solve_input(out, BOX, stride=2)
    assert solution.x.shape == (5, 5) and solution.exact and not solution.unique
    with_shape = solve_input(out, BOX, stride=2, input_shape=(5, 5))
    assert np.allclose(with_shape.x, solution.x)


def test_per_output_settings_and_convolution():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 9, (5, 5))
    k = np.array([[1, 2, 0], [0, -1, 0], [0, 0, 3]])
    outputs = [corr(x, k[::-1, ::-1], pad=2), corr(x, k, pad=1)]
    solution = solve_input(
        outputs, [k, k], padding=["full", "same"], operation=["convolve", "correlate"]
    )
    assert solution.exact and solution.unique and np.array_equal(solution.x, x)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"outputs": [np.zeros((3, 3))], "kernels": [BOX, BOX]}, "kernels"),
        ({"outputs": "abc", "kernels": BOX}, "outputs"),
        ({"outputs": np.zeros((3, 3)), "kernels": np.zeros(3)}, "kernels"),
        ({"outputs": np.zeros((3, 3)), "kernels": BOX, "padding": ["valid", "same"]}, "padding"),
        ({"outputs": np.zeros((3, 3)), "kernels": BOX, "operation": "flip"}, "operation"),
        ({"outputs": np.zeros((3, 3)), "kernels": BOX, "input_shape": (4, 4)}, "outputs"),
        ({"outputs": np.zeros((3, 3)), "kernels": BOX, "input_shape": "big"}, "input_shape"),
        ({"outputs": np.zeros((30, 30)), "kernels": BOX}, "input_shape"),
        ({"outputs": [np.zeros((3, 3)), np.zeros((4, 4))], "kernels": [BOX, BOX]}, "outputs"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        solve_input(**kwargs)
