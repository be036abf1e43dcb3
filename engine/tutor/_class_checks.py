"""Checks for the worksheet topics pooling, backward pass (∂L/∂K) and derivation steps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from engine.checks import is_integer
from engine.conv.backward import conv_backward, trace_kernel_grad
from engine.conv.pooling import pool2d, trace_pool_cell
from engine.tutor._diagnosis import (
    Alternative,
    Diagnosis,
    Finding,
    Precision,
    as_answer_array,
    diagnose_array,
    shape_text,
)

_MODE_TEXT = {"max": "max pooling", "avg": "average pooling"}


def _matrix_answer(answer: object) -> np.ndarray:
    ans = as_answer_array(answer)
    if ans.ndim == 1:
        ans = ans[None, :]
    if ans.ndim != 2:
        raise ValueError(f"answer must be a matrix, got shape {ans.shape}")
    return ans


def diagnose_pooling(
    x: object,
    answer: object,
    *,
    size: int = 2,
    stride: int | None = None,
    mode: Literal["max", "avg"] = "max",
    decimals: int = 2,
) -> Diagnosis:
    """Check a pooled matrix and name the slip.

    Codes: ``wrong_mode`` (max for average or back), ``no_division`` (the window's sum, not its
    mean), ``stride`` (windows a size apart, or side by side), ``transposed``, ``arithmetic``,
    ``wrong_shape``, ``unexplained``.

    Raises
    ------
    ValueError
        Naming the bad argument.
    """
    xa = np.asarray(x)
    step = size if stride is None else stride
    expected = pool2d(xa, size, step, mode)
    ans = _matrix_answer(answer)
    task = f"the task asks for {_MODE_TEXT[mode]} with {size}×{size} windows and stride {step}"
    alts: list[Alternative] = []

    def add(code: str, what: str, value_of: Any, size_of: str = "") -> None:
        try:
            value = value_of()
        except ValueError:
            return
        alts.append(Alternative(code, np.asarray(value), what, task, size_of))

    other: Literal["max", "avg"] = "avg" if mode == "max" else "max"
    add("wrong_mode", _MODE_TEXT[other], lambda: pool2d(xa, size, step, other))
    if mode == "avg":
        add(
            "no_division",
            "the window sums (not divided by the window size)",
            lambda: pool2d(xa, size, step, "avg") * size * size,
        )
    for s in sorted({1, size} - {step}):
        add("stride", f"stride {s}", lambda s=s: pool2d(xa, size, s, mode), f"stride {s}")
    alts.append(Alternative("transposed", expected.T, "the right result transposed", task))
    exact = mode == "max" and xa.dtype.kind in "iu"

    def work(cell: tuple[int, int]) -> str:
        return trace_pool_cell(xa, cell[0], cell[1], size, step, mode).expression()

    return diagnose_array(
        ans,
        expected,
        alts,
        precision=Precision(exact=exact, decimals=decimals),
        noun=shape_text(ans.shape),
        task=task,
        work=work,
    )


def diagnose_kernel_grad(
    x: object, kernel: object, grad_out: object, answer: object, *, stride: int = 1
) -> Diagnosis:
    """Check ``∂L/∂K`` for ``O = X ⋆ K`` (cross-correlation, valid) given ``G = ∂L/∂O``.

    Codes: ``flipped_kernel`` (G correlated with X flipped: the result turned by 180°),
    ``transposed``, ``sign``, ``input_grad`` (∂L/∂X given instead: the input's shape),
    ``arithmetic`` (each wrong entry with its sum ``Σ G·X``), ``wrong_shape``, ``unexplained``.

    Raises
    ------
    ValueError
        Naming the bad argument.
    """
    xa, ka, ga = np.asarray(x), np.asarray(kernel), np.asarray(grad_out)
    dk, dx = conv_backward(xa, ka, ga, stride=stride)
    ans = _matrix_answer(answer)
    task = "∂L/∂K[a,b] = Σᵢⱼ G[i,j]·X[i·s + a, j·s + b]: X correlated with G"
    alts = [
        Alternative("flipped_kernel", dk[::-1, ::-1], "the right ∂L/∂K turned by 180°", task),
        Alternative("transposed", dk.T, "the right ∂L/∂K transposed", task),
        Alternative("sign", -dk, "the right ∂L/∂K with every sign flipped", task),
        Alternative("input_grad", dx, "∂L/∂X (the gradient for the input)", task, "∂L/∂X"),
    ]

    def work(cell: tuple[int, int]) -> str:
        return trace_kernel_grad(xa, ka, ga, cell[0], cell[1], stride=stride).expression()

    exact = all(a.dtype.kind in "iu" for a in (xa, ka, ga))
    return diagnose_array(
        ans,
        dk,
        alts,
        precision=Precision(exact=exact, decimals=2),
        noun=shape_text(ans.shape),
        task=task,
        work=work,
    )


LETTERS = "ABCDEFGH"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("−", "-").lower()


def diagnose_choice(
    choices: Sequence[str],
    right: int,
    slips: Sequence[tuple[str, str]],
    answer: object,
) -> Diagnosis:
    """Check the next line of a derivation, typed out or picked as a letter (``"B"``, ``"b)"``)
    or a 0-based index.

    ``slips[k]`` is ``(code, why)`` for a wrong option ``k`` (``("", "")`` for the right one).
    Codes: the wrong option's slip code, ``not_an_option`` (no letter or line of the list).
    """
    letter = LETTERS[right]
    picked: int | None = None
    if is_integer(answer):
        picked = int(answer) if 0 <= int(answer) < len(choices) else None
    elif isinstance(answer, str):
        text = answer.strip().rstrip(").:").strip()
        if len(text) == 1 and text.upper() in LETTERS[: len(choices)]:
            picked = LETTERS.index(text.upper())
        else:
            typed = _normalise(answer)
            picked = next((k for k, c in enumerate(choices) if _normalise(c) == typed), None)
    else:
        raise ValueError(f"answer must be a letter, an index or the line, got {answer!r}")
    precision = Precision(exact=True)
    if picked == right:
        return Diagnosis(True, letter, letter, [], [], precision)
    if picked is None:
        message = (
            f"{answer!r} is none of the options {', '.join(LETTERS[: len(choices)])}; "
            f"write the letter or copy the line"
        )
        return Diagnosis(
            False, letter, answer, [], [Finding("not_an_option", message, 0, 1)], precision
        )
    code, why = slips[picked]
    message = f"option {LETTERS[picked]} is not the next line: {why}"
    return Diagnosis(False, letter, LETTERS[picked], [], [Finding(code, message, 0, 1)], precision)
