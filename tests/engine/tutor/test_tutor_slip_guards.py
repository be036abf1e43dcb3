"""Guards in the tutor's slip lists that a mutation used to slip past (issue 21 #11).

Each test fails when the line it names is mutated: the softmax ``z/Σz`` guard
(``_softmax.py``: only when Σz ≠ 0), stride 3 among the strides tried (``_convolution.py``) and
the guard that adds the combined "other operation with another padding" slips.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine import diagnose_convolution, diagnose_softmax
from tests.engine.reference import brute_force_correlate

KERNEL = np.array([[1, 2, 0], [0, 1, -1], [-2, 0, 1]])  # neither symmetric nor transposable


def corr(x, k, pad=0, stride=1, flip=False):
    """Brute-force cross-correlation (or true convolution with ``flip``)."""
    kk = k[::-1, ::-1] if flip else k
    return brute_force_correlate(x, kk, (pad,) * 4, (stride, stride), (1, 1)).astype(np.int64)


@pytest.mark.parametrize("z", [[2, -1], [3, 1, 2], [-1, -2, 0], [0.5, 0.25, 0.25]])
def test_logits_over_their_sum_are_named_when_the_sum_is_not_zero(z):
    # sums 1, 6, −3 and 1: the z/Σz slip is looked for whenever Σz ≠ 0
    za = np.asarray(z, float)
    d = diagnose_softmax(za, za / za.sum())
    assert d.codes[0] == "linear_normalisation", d.codes
    assert "no exp" in d.findings[0].message


@pytest.mark.parametrize("z", [[1, -1], [2, -3, 1], [0.5, -0.5, 0.0]])
def test_logits_summing_to_zero_are_diagnosed_without_dividing_by_zero(z):
    za = np.asarray(z, float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # z/0 would warn (divide by zero, invalid value)
        d = diagnose_softmax(za, np.exp(za))  # e^z not normalised
        right = diagnose_softmax(za, np.exp(za) / np.exp(za).sum())
    assert d.codes[0] == "no_normalisation" and "linear_normalisation" not in d.codes
    assert right.correct


@pytest.mark.parametrize("task_stride", [1, 2])
def test_an_answer_made_with_stride_3_is_named(task_stride):
    rng = np.random.default_rng(31)
    x = rng.integers(-3, 7, (9, 9))  # stride 1 → 7×7, 2 → 4×4, 3 → 3×3, 4 → 2×2
    answer = corr(x, KERNEL, stride=3)
    d = diagnose_convolution(x, KERNEL, answer, stride=task_stride)
    assert d.codes[0] == "stride", d.codes
    assert "stride 3" in d.findings[0].message
    assert f"the task asks for stride {task_stride}" in d.findings[0].message


@pytest.mark.parametrize(
    ("operation", "padding", "slip_pad", "code", "words"),
    [
        ("correlate", "same", 0, "padding_valid", "true convolution (the kernel flipped)"),
        ("correlate", "valid", 2, "padding_full", "true convolution (the kernel flipped)"),
        ("convolve", "full", 0, "padding_valid", "cross-correlation (the kernel not flipped)"),
    ],
)
def test_the_other_operation_with_another_padding_is_named(
    operation, padding, slip_pad, code, words
):
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 7, (7, 7))
    # the slip: the other operation AND another padding (an answer of another shape)
    answer = corr(x, KERNEL, pad=slip_pad, flip=operation == "correlate")
    d = diagnose_convolution(x, KERNEL, answer, padding=padding, operation=operation)
    assert d.codes[0] == code, d.codes
    assert words in d.findings[0].message
    # the other operation with the task's own padding is the plain flipped-kernel slip, once
    same = corr(
        x, KERNEL, pad={"valid": 0, "same": 1, "full": 2}[padding], flip=operation == "correlate"
    )
    d = diagnose_convolution(x, KERNEL, same, padding=padding, operation=operation)
    assert d.codes[0] == "flipped_kernel"
    assert f"padding_{padding}" not in d.codes
