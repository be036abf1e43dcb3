"""diagnose_convolution: planted slips are named first, right answers pass, bad input raises.

Every slip answer is built here with the brute-force reference loop, not with engine code.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import diagnose_convolution, trace_cell
from tests.engine.reference import brute_force_correlate

PADS = {"valid": 0, "same": 1, "full": 2}  # per side, for a 3×3 kernel with stride 1


def ref(x, k, padding="valid", stride=1, flip=False):
    """Brute-force cross-correlation (or convolution with ``flip``) of a 3×3 kernel.

    "same" is TensorFlow's SAME: output ceil(n/s), the odd extra padding at the bottom/right.
    """
    kk = k[::-1, ::-1] if flip else k
    if padding == "same":
        n = x.shape[0]
        total = max((-(-n // stride) - 1) * stride + 3 - n, 0)
        pads = (total // 2, total - total // 2) * 2
    else:
        p = PADS[padding]
        pads = (p, p, p, p)
    out = brute_force_correlate(x, kk, pads, (stride, stride), (1, 1))
    return out.astype(np.int64)


@st.composite
def problems(draw):
    """A random integer input and an asymmetric 3×3 kernel, with a task padding/operation."""
    n = draw(st.integers(5, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 7, size=(n, n))
    k = rng.integers(-2, 3, size=(3, 3))
    assume(not np.array_equal(k, k[::-1, ::-1]) and not np.array_equal(k, k.T))
    assume(np.count_nonzero(k) >= 4)
    padding = draw(st.sampled_from(["valid", "same", "full"]))
    operation = draw(st.sampled_from(["correlate", "convolve"]))
    return x, k, padding, operation


def candidates(x, k, padding, operation):
    """Every slip's answer, computed independently, keyed by slip code."""
    flip = operation == "convolve"
    right = ref(x, k, padding, flip=flip)
    out = {
        "flipped_kernel": ref(x, k, padding, flip=not flip),
        "transposed": right.T,
        "sign": -right,
        "kernel_transposed": ref(x, k.T, padding, flip=flip),
        "stride": ref(x, k, padding, stride=2, flip=flip),
    }
    for name in PADS:
        if name != padding:
            out[f"padding_{name}"] = ref(x, k, name, flip=flip)
    return right, out


def _unique(planted, right, others, code):
    if planted.shape == right.shape and np.array_equal(planted, right):
        return False
    return not any(
        c != code and v.shape == planted.shape and np.array_equal(v, planted)
        for c, v in others.items()
    )


SLIPS = [
    "flipped_kernel",
    "transposed",
    "sign",
    "kernel_transposed",
    "stride",
    "padding_valid",
    "padding_same",
    "padding_full",
]


@pytest.mark.parametrize("code", SLIPS)
@given(problem=problems())
def test_planted_slip_is_named_first(code, problem):
    x, k, padding, operation = problem
    assume(code != f"padding_{padding}")
    right, others = candidates(x, k, padding, operation)
    planted = others[code]
    assume(_unique(planted, right, others, code))
    d = diagnose_convolution(x, k, planted, padding=padding, operation=operation)
    assert not d.correct
    assert d.findings[0].code == code, d.codes
    assert d.findings[0].matched == d.findings[0].total == planted.size


@given(problem=problems(), data=st.data())
def test_arithmetic_slips_list_exactly_the_wrong_cells(problem, data):
    x, k, padding, operation = problem
    right, _ = candidates(x, k, padding, operation)
    count = data.draw(st.integers(1, 3))
    flat = data.draw(
        st.lists(st.integers(0, right.size - 1), min_size=count, max_size=count, unique=True)
    )
    answer = right.copy()
    for index in flat:
        answer.flat[index] += data.draw(st.sampled_from([-3, -1, 1, 2, 10]))
    d = diagnose_convolution(x, k, answer, padding=padding, operation=operation)
    assert d.findings[0].code == "arithmetic", d.codes
    expected_cells = sorted(divmod(i, right.shape[1]) for i in flat)
    assert d.wrong_cells == expected_cells
    assert [s.cell for s in d.findings[0].slips] == expected_cells


def test_single_arithmetic_slip_shows_the_sum_of_products_and_both_numbers():
    x = np.arange(25).reshape(5, 5) % 7
    k = np.array([[1, 0, -1], [2, 0, -2], [1, 0, 3]])
    right = ref(x, k)
    answer = right.copy()
    answer[1, 2] += 4
    d = diagnose_convolution(x, k, answer)
    (slip,) = d.findings[0].slips
    assert slip.cell == (1, 2)
    assert slip.given == right[1, 2] + 4 and slip.expected == right[1, 2]
    assert slip.work == trace_cell(x, k, 1, 2).expression()
    assert slip.work.endswith(f"= {right[1, 2]}".replace("-", "\u2212"))
    message = d.findings[0].message
    assert "8 of 9 cells" in message and "(1, 2)" in message
    assert str(right[1, 2] + 4).replace("-", "\u2212") in message


def test_flipped_kernel_message_gives_the_evidence():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 9, (7, 7))
    k = np.array([[1, 2, 0], [0, 1, -1], [-2, 0, 1]])
    d = diagnose_convolution(x, k, ref(x, k, flip=True))
    assert d.codes[0] == "flipped_kernel"
    message = d.findings[0].message
    assert message.startswith("your 5×5 matches true convolution — the kernel flipped —")
    assert "in 25 of 25 cells" in message
    assert "cross-correlation, which PyTorch calls convolution" in message


def test_flipped_kernel_with_one_slip_still_names_the_flip_and_the_odd_cell():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 9, (7, 7))
    k = np.array([[1, 2, 0], [0, 1, -1], [-2, 0, 1]])
    answer = ref(x, k, flip=True)
    answer[4, 0] += 1
    d = diagnose_convolution(x, k, answer)
    assert d.codes[0] == "flipped_kernel"
    assert "24 of 25 cells (not (4, 0))" in d.findings[0].message
    assert len(d.wrong_cells) > 1  # cells are marked against the right answer


def test_window_shift_and_dilation_are_recognised():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 9, (7, 7))
    k = np.array([[1, 2, 0], [0, 1, -1], [-2, 0, 1]])
    # every window one row down: the valid windows start at row 1
    padded = np.pad(x, 1)
    shifted = brute_force_correlate(padded, k, (0, 0, 0, 0), (1, 1), (1, 1)).astype(np.int64)
    answer = shifted[2:7, 1:6]
    d = diagnose_convolution(x, k, answer)
    assert d.codes[0] == "window_shift"
    assert "one cell down" in d.findings[0].message
    dilated = brute_force_correlate(x, k, (0, 0, 0, 0), (1, 1), (2, 2)).astype(np.int64)
    assert diagnose_convolution(x, k, dilated, dilation=2).correct
    d = diagnose_convolution(x, k, ref(x, k), dilation=2)  # taps side by side: 5×5, not 3×3
    assert d.codes[0] == "dilation"
    assert "the answer should be 3×3" in d.findings[-1].message


def test_right_answers_pass_with_no_findings():
    rng = np.random.default_rng(6)
    x = rng.integers(-5, 9, (6, 6))
    k = rng.integers(-3, 4, (3, 3))
    for padding in PADS:
        for stride in (1, 2):
            for operation, flip in (("correlate", False), ("convolve", True)):
                right = ref(x, k, padding, stride, flip)
                d = diagnose_convolution(
                    x, k, right, padding=padding, stride=stride, operation=operation
                )
                assert d.correct and d.findings == [] and d.wrong_cells == []
                assert np.array_equal(d.expected, right)


def test_integers_are_exact_and_floats_are_checked_to_the_shown_decimals():
    x = np.arange(16).reshape(4, 4)
    d = diagnose_convolution(x, np.ones((3, 3), dtype=int), ref(x, np.ones((3, 3), int)) + 0.01)
    assert not d.correct  # an integer exercise has no tolerance
    box = np.full((3, 3), 1 / 9)
    right = brute_force_correlate(x, box, (0, 0, 0, 0), (1, 1), (1, 1))
    rounded = np.round(right.astype(float), 2)
    assert diagnose_convolution(x, box, rounded).correct
    assert diagnose_convolution(x, box, np.round(right.astype(float), 1) + 0.05).correct is False
    assert diagnose_convolution(x, box, "5 6\n9 10").correct  # exact thirds average to integers


def test_answers_may_be_typed_text():
    x = np.arange(16).reshape(4, 4)
    k = np.array([[1, 0], [0, -1]])
    right = brute_force_correlate(x, k, (0, 0, 0, 0), (1, 1), (1, 1)).astype(np.int64)
    text = "\n".join("\t".join(str(v) for v in row) for row in right)
    assert diagnose_convolution(x, k, text).correct
    assert diagnose_convolution(x, k, text.replace("-", "−")).correct


def test_answer_of_another_size_says_which_size_is_expected_and_what_has_that_size():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 9, (7, 7))
    k = np.array([[1, 2, 0], [0, 1, -1], [-2, 0, 1]])
    d = diagnose_convolution(x, k, ref(x, k, "valid"), padding="same")
    assert d.codes[0] == "padding_valid" and "wrong_shape" in d.codes
    assert "same padding" in d.findings[0].message and "7×7" in d.findings[0].message
    garbage = np.full((5, 5), 99)
    d = diagnose_convolution(x, k, garbage, padding="same")
    assert d.codes == ["wrong_shape"]
    message = d.findings[0].message
    assert "your answer is 5×5 but the answer should be 7×7" in message
    assert "5×5 is what valid padding gives" in message
    assert d.wrong_cells == []


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"x": np.zeros(3), "kernel": np.ones((2, 2)), "answer": np.zeros((2, 2))}, "x"),
        ({"x": np.zeros((3, 3)), "kernel": [[1, 2], [3]], "answer": np.zeros((2, 2))}, "kernel"),
        ({"x": np.zeros((3, 3)), "kernel": np.ones((2, 2)), "answer": "1 x\n3 4"}, "text"),
        ({"x": np.zeros((3, 3)), "kernel": np.ones((2, 2)), "answer": [[np.nan]]}, "answer"),
        (
            {
                "x": np.zeros((3, 3)),
                "kernel": np.ones((2, 2)),
                "answer": np.zeros((2, 2)),
                "operation": "flip",
            },
            "operation",
        ),
        (
            {
                "x": np.zeros((3, 3)),
                "kernel": np.ones((2, 2)),
                "answer": np.zeros((2, 2)),
                "padding": "huge",
            },
            "padding",
        ),
        (
            {
                "x": np.zeros((3, 3)),
                "kernel": np.ones((2, 2)),
                "answer": np.zeros((2, 2)),
                "stride": 0,
            },
            "stride",
        ),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        diagnose_convolution(**kwargs)


def test_many_arithmetic_slips_are_all_listed_but_only_the_first_fifty_written_out():
    rng = np.random.default_rng(8)
    x = rng.integers(0, 9, (20, 20))
    k = np.array([[1, 2, 0], [0, 1, -1], [-2, 0, 1]])
    right = ref(x, k)
    answer = right.copy()
    wrong = rng.choice(right.size, 60, replace=False)
    answer.flat[wrong] += 1
    d = diagnose_convolution(x, k, answer)
    slips = d.findings[0].slips
    assert d.codes[0] == "arithmetic" and len(slips) == len(d.wrong_cells) == 60
    assert all(s.work for s in slips[:50]) and not any(s.work for s in slips[50:])
