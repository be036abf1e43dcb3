"""Generators for the worksheet topics: true convolution, pooling, the backward pass (∂L/∂K)
and the next step of a derivation."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine.conv.backward import conv_backward, trace_kernel_grad
from engine.conv.correlate import correlate2d
from engine.conv.pooling import pool2d, pool_formula_text, trace_pool_cell
from engine.tutor._class_checks import LETTERS
from engine.tutor._derivations import derivations
from engine.tutor._exercise import TOPIC_LABELS, Exercise, ints, kernel_ints, make_exercise
from engine.tutor._exercises_conv import convolution
from engine.tutor._render import Block, Math, Matrix, Text


def true_convolution(topic: str, seed: int, difficulty: int, rng: np.random.Generator) -> Exercise:
    """True convolution (kernel flipped) at every level: valid, same, then zero padding 1 with
    stride 2."""
    del topic
    base = {1: "convolution_valid", 2: "convolution_same", 3: "convolution_stride"}[difficulty]
    exercise = convolution(base, seed, min(difficulty, 2), rng, operation="convolve")
    return _retitle(exercise, "true_convolution", difficulty)


def _retitle(exercise: Exercise, topic: str, difficulty: int) -> Exercise:
    return dataclasses.replace(
        exercise, topic=topic, difficulty=difficulty, title=TOPIC_LABELS[topic]
    )


_POOL = {
    # difficulty → (input size, window, stride, modes to pick from)
    1: (4, 2, 2, ("max",)),
    2: (5, 3, 2, ("max", "avg")),
    3: (6, 3, 1, ("avg", "max")),
}


def pooling_exercise(topic: str, seed: int, difficulty: int, rng: np.random.Generator) -> Exercise:
    """Max or average pooling of a small integer matrix, windows possibly overlapping."""
    n, size, stride, modes = _POOL[difficulty]
    mode = str(rng.choice(modes))
    x = ints(rng, 0 if difficulty == 1 else -3, 9, (n, n))
    result = pool2d(x, size, stride, mode)  # type: ignore[arg-type]
    what = "max pooling" if mode == "max" else "average pooling"
    overlap = " (the windows overlap)" if stride < size else ""
    question = (
        f"Apply {what} with {size}×{size} windows and stride {stride}{overlap} to the {n}×{n} "
        "input X (no padding). Give the whole output"
        + (" to 2 decimals." if mode == "avg" else ".")
    )
    solution: list[Block] = [Text(f"Output size per axis: {pool_formula_text(n, size, stride)}.")]
    for i in range(result.shape[0]):
        for j in range(result.shape[1]):
            trace = trace_pool_cell(x, i, j, size, stride, mode)  # type: ignore[arg-type]
            solution.append(Math(f"P[{i},{j}] = {trace.expression()}"))
    shown = result if mode == "max" else np.round(result, 2)
    solution.append(Matrix("P =" if mode == "max" else "P ≈", shown))
    return make_exercise(
        topic,
        seed,
        difficulty,
        question,
        {"x": x, "size": size, "stride": stride, "mode": mode},
        result,
        f"the {result.shape[0]}×{result.shape[1]} matrix P above",
        decimals=None if mode == "max" else 2,
        data=(Matrix("X =", x),),
        solution=solution,
    )


_BACKWARD = {1: (4, 2, 1), 2: (5, 3, 1), 3: (5, 3, 2)}  # input, kernel, stride


def backward_kernel_exercise(
    topic: str, seed: int, difficulty: int, rng: np.random.Generator
) -> Exercise:
    """∂L/∂K for O = X ⋆ K (cross-correlation, valid) from a given G = ∂L/∂O."""
    n, k, stride = _BACKWARD[difficulty]
    x = ints(rng, -2, 4, (n, n))
    kernel = kernel_ints(rng, k, -2, 2)
    out = correlate2d(x, kernel, stride=stride)
    grad = ints(rng, -2, 2, out.shape)
    while np.count_nonzero(grad) < 2:
        grad = ints(rng, -2, 2, out.shape)
    dk, _ = conv_backward(x, kernel, grad, stride=stride)
    stride_text = f" with stride {stride}" if stride > 1 else ""
    question = (
        f"The forward pass computes O = X ⋆ K (cross-correlation, valid padding{stride_text}) for "
        f"the {n}×{n} input X and the {k}×{k} kernel K. The loss L sends back G = ∂L/∂O. "
        "Compute the gradient ∂L/∂K (the whole matrix)."
    )
    solution: list[Block] = [
        Text(
            "Each weight K[a,b] meets X[i·s + a, j·s + b] in window (i, j), so "
            "∂L/∂K[a,b] = Σᵢⱼ G[i,j]·X[i·s + a, j·s + b]: X correlated with G"
            + (f" (G's taps {stride} cells apart)." if stride > 1 else ".")
        ),
    ]
    for a in range(k):
        for b in range(k):
            trace = trace_kernel_grad(x, kernel, grad, a, b, stride=stride)
            solution.append(Math(f"∂L/∂K[{a},{b}] = {trace.expression()}"))
    solution.append(Matrix("∂L/∂K =", dk))
    return make_exercise(
        topic,
        seed,
        difficulty,
        question,
        {"x": x, "kernel": kernel, "grad_out": grad, "stride": stride},
        dk,
        f"the {k}×{k} matrix ∂L/∂K above",
        data=(Matrix("X =", x), Matrix("K =", kernel), Matrix("G = ∂L/∂O =", grad)),
        solution=solution,
    )


def derivation_step_exercise(
    topic: str, seed: int, difficulty: int, rng: np.random.Generator
) -> Exercise:
    """A derivation's first lines and the choice of its next line (the right one and slips)."""
    table = derivations()
    chosen = table[int(rng.integers(0, len(table)))]
    what, lines, steps = chosen.derives, chosen.lines, chosen.steps
    step = int(rng.choice(sorted(steps)))
    why, wrong = steps[step]
    count = min(len(wrong), difficulty + 1)
    picks = sorted(rng.choice(len(wrong), size=count, replace=False).tolist())
    options: list[tuple[str, str, str]] = [(lines[step], "", ""), *(wrong[p] for p in picks)]
    order = rng.permutation(len(options)).tolist()
    options = [options[k] for k in order]
    right = next(k for k, o in enumerate(options) if o[1] == "")
    choices = tuple(o[0] for o in options)
    question = (
        f"A derivation of {what} begins as below. Which line comes next? Write it out (or give "
        "the letter of the option)."
    )
    given: list[Block] = [Math(f"({n + 1})  {line}") for n, line in enumerate(lines[:step])]
    listed: list[Block] = [Text(f"{LETTERS[k]})  {choice}") for k, choice in enumerate(choices)]
    solution: list[Block] = [
        Text(f"Next line ({step + 1}), option {LETTERS[right]}: {lines[step]} — {why}."),
    ]
    for k, (_line, code, reason) in enumerate(options):
        if code:
            solution.append(Text(f"{LETTERS[k]}) is wrong: {reason}."))
    solution.append(Text("The whole derivation:"))
    solution += [Math(f"({n + 1})  {line}") for n, line in enumerate(lines)]
    inputs: dict[str, Any] = {
        "choices": choices,
        "right": right,
        "slips": tuple((o[1], o[2]) for o in options),
    }
    return make_exercise(
        topic,
        seed,
        difficulty,
        question,
        inputs,
        LETTERS[right],
        f"{LETTERS[right]}: {lines[step]}",
        data=(*given, Text("Options:"), *listed),
        solution=solution,
        choices=choices,
    )
