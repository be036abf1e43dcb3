"""solve_input ("Which input?"): exact recovery, non-unique and inconsistent systems."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import solve_input
from engine.text import format_cell
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
    assert not solution.unique
    assert solution.rank < solution.unknowns == 49
    assert not solution.determined.any()
    assert all(
        np.array_equal(np.rint(r), o) for r, o in zip(solution.reproduced, outputs, strict=True)
    )
    # the smallest such input has cells like 1.89322418…: it fits only up to float rounding
    assert not solution.exact and solution.max_error < 1e-9
    assert "Many 7×7 inputs fit all 3 outputs" in solution.message
    assert "not whole numbers or simple fractions" in solution.message
    assert "only to within rounding" in solution.message
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


# --- answers beyond the cell limit; "exact" only when it verifies exactly ---------------------
def _typed(value):
    """The exact number a cell shows (``1e−06`` is 1/10⁶, ``7000000/3``), read from its text."""
    return Fraction(format_cell(value).replace("\u2212", "-"))


def _reproduces_exactly(x, kernel, output, pad):
    """Every output cell recomputed in rational arithmetic from the shown answer ``x``."""
    kernel, output = np.asarray(kernel), np.asarray(output)
    xs = [[_typed(v.item()) for v in row] for row in np.asarray(x)]
    ks = [[_typed(v.item()) for v in row] for row in kernel]
    kh, kw = kernel.shape
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            total = Fraction(0)
            for a in range(kh):
                for b in range(kw):
                    r, c = i + a - pad, j + b - pad
                    if 0 <= r < len(xs) and 0 <= c < len(xs[0]):
                        total += ks[a][b] * xs[r][c]
            if total != _typed(output[i, j].item()):
                return False
    return True


def _typed_output(x, kernel, pad):
    """The output computed in rational arithmetic from the typed kernel, written as a user
    would type or copy it (the float of the exact value: ``8e-06``, not ``7.999999999999999e-06``
    as float sums give)."""
    x, kernel = np.asarray(x), np.asarray(kernel)
    kh, kw = kernel.shape
    rows, cols = x.shape[0] + 2 * pad - kh + 1, x.shape[1] + 2 * pad - kw + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = float(
                sum(
                    _typed(kernel[a, b].item()) * int(x[i + a - pad, j + b - pad])
                    for a in range(kh)
                    for b in range(kw)
                    if 0 <= i + a - pad < x.shape[0] and 0 <= j + b - pad < x.shape[1]
                )
            )
    return out


@pytest.mark.parametrize(
    ("kernel", "output", "where"),
    [
        (np.array([[1e-200]]), np.array([[1e12]]), "input cell (1, 1) would be 1e+212"),
        (np.array([[1e-300]]), np.array([[1e12]]), "input cell (1, 1) would be larger than any"),
        (np.array([[1e-300]]), np.array([[5]]), "input cell (1, 1) would be 5e+300"),
        (np.eye(3) * 1e-200, np.full((3, 3), 1e12), "would be"),  # gave −9223372036854775808
    ],
)
def test_an_answer_beyond_the_cell_limit_is_refused_in_words(kernel, output, where):
    with pytest.raises(ValueError) as caught:
        solve_input(output, kernel)
    message = str(caught.value)
    assert where in message and "±1e+12" in message and "kernel 1" in message
    assert "9223372036854775808" not in message and "x contains" not in message


def test_tiny_weights_whose_answer_fits_still_solve_exactly():
    x = np.array([[3, -1, 4], [1, 5, -9], [2, 6, 5]])
    kernel = np.eye(3) * 1e-6  # typed as 0.000001
    out = _typed_output(x, kernel, pad=2)
    solution = solve_input(out, kernel, padding="full")
    assert solution.exact and solution.unique
    assert solution.x.dtype == np.int64 and np.array_equal(solution.x, x)
    assert _reproduces_exactly(solution.x, kernel, out, pad=2)


def test_float_noise_is_never_called_exact():
    """eye·10⁻⁶ with outputs of 7: the least-squares answer carried noise (4e-10 where 0
    belongs, 1750000.0000000002) and was reported exact because it came within 1e-9."""
    kernel = np.eye(3) * 1e-6
    out = np.full((3, 3), 7.0)
    solution = solve_input(out, kernel)
    assert not solution.unique
    if solution.exact:  # the answer's cells are 7000000/3 and such: checked exactly
        assert _reproduces_exactly(solution.x, kernel, out, pad=0)
        assert not np.any((solution.x != 0) & (np.abs(solution.x) < 1e-6))  # no noise left
    else:
        assert "only to within rounding" in solution.message


@given(seed=st.integers(0, 2**32 - 1), places=st.integers(0, 6))
def test_typed_decimal_kernels_give_the_exact_answer_verified_in_exact_arithmetic(seed, places):
    rng = np.random.default_rng(seed)
    x = rng.integers(-9, 10, (4, 4))
    typed = rng.integers(-3, 4, (3, 3))
    typed[0, 0] = 1  # the full-padding system is triangular: one answer
    kernel = typed / 10**places  # what parsing "0.003" etc. gives
    out = _typed_output(x, kernel, pad=2)
    solution = solve_input(out, kernel, padding="full")
    assert solution.exact and solution.unique and np.array_equal(solution.x, x)
    assert _reproduces_exactly(solution.x, kernel, out, pad=2)
