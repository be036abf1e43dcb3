"""Generators for the worksheet topics: true convolution, pooling, the backward pass (∂L/∂K)
and the next step of a derivation."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.conv.backward import conv_backward, trace_kernel_grad
from engine.conv.correlate import correlate2d
from engine.conv.pooling import pool2d, pool_formula_text, trace_pool_cell
from engine.tutor._class_checks import LETTERS
from engine.tutor._exercise import TOPIC_LABELS, Exercise, ints, kernel_ints
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
    return Exercise(
        topic,
        exercise.seed,
        difficulty,
        TOPIC_LABELS[topic],
        exercise.question,
        exercise.inputs,
        exercise.answer,
        exercise.answer_text,
        exercise.decimals,
        exercise.question_blocks,
        exercise.solution_blocks,
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
    return Exercise(
        topic,
        seed,
        difficulty,
        TOPIC_LABELS[topic],
        question,
        {"x": x, "size": size, "stride": stride, "mode": mode},
        result,
        f"the {result.shape[0]}×{result.shape[1]} matrix P above",
        None if mode == "max" else 2,
        (Text(question), Matrix("X =", x)),
        tuple(solution),
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
    return Exercise(
        topic,
        seed,
        difficulty,
        TOPIC_LABELS[topic],
        question,
        {"x": x, "kernel": kernel, "grad_out": grad, "stride": stride},
        dk,
        f"the {k}×{k} matrix ∂L/∂K above",
        None,
        (Text(question), Matrix("X =", x), Matrix("K =", kernel), Matrix("G = ∂L/∂O =", grad)),
        tuple(solution),
    )


# A derivation: (what it derives, lines, {step: (why the step holds, [(wrong line, code, why)])}).
Derivation = tuple[str, tuple[str, ...], dict[int, tuple[str, list[tuple[str, str, str]]]]]

DERIVATIONS: tuple[Derivation, ...] = (
    (
        "the softmax derivative on the diagonal, ∂ŷᵢ/∂zᵢ",
        (
            "ŷᵢ = e^(zᵢ) / Σₖ e^(zₖ)",
            "∂ŷᵢ/∂zᵢ = (e^(zᵢ)·Σₖ e^(zₖ) − e^(zᵢ)·e^(zᵢ)) / (Σₖ e^(zₖ))²",
            "= e^(zᵢ)(Σₖ e^(zₖ) − e^(zᵢ)) / (Σₖ e^(zₖ))²",
            "= e^(zᵢ)/Σₖ e^(zₖ) · (Σₖ e^(zₖ) − e^(zᵢ))/Σₖ e^(zₖ)",
            "= ŷᵢ(1 − ŷᵢ)",
        ),
        {
            1: (
                "the quotient rule (f/g)' = (f'g − fg')/g² with f = e^(zᵢ), g = Σₖ e^(zₖ), and "
                "∂g/∂zᵢ = e^(zᵢ)",
                [
                    (
                        "∂ŷᵢ/∂zᵢ = (e^(zᵢ)·Σₖ e^(zₖ) + e^(zᵢ)·e^(zᵢ)) / (Σₖ e^(zₖ))²",
                        "sign",
                        "the quotient rule subtracts f·g'",
                    ),
                    (
                        "∂ŷᵢ/∂zᵢ = (e^(zᵢ)·Σₖ e^(zₖ) − e^(zᵢ)·e^(zᵢ)) / Σₖ e^(zₖ)",
                        "denominator_not_squared",
                        "the quotient rule divides by g², here (Σₖ e^(zₖ))²",
                    ),
                    (
                        "∂ŷᵢ/∂zᵢ = e^(zᵢ) / Σₖ e^(zₖ)",
                        "ignored_denominator",
                        "the sum Σₖ e^(zₖ) depends on zᵢ too",
                    ),
                ],
            ),
            2: (
                "e^(zᵢ) factored out of the numerator",
                [
                    (
                        "= e^(zᵢ)(1 − e^(zᵢ)) / (Σₖ e^(zₖ))²",
                        "quotient_rule_slip",
                        "factoring e^(zᵢ) out of e^(zᵢ)·Σₖ e^(zₖ) leaves Σₖ e^(zₖ), not 1",
                    ),
                    (
                        "= e^(zᵢ)(Σₖ e^(zₖ) − 1) / (Σₖ e^(zₖ))²",
                        "lost_index",
                        "factoring e^(zᵢ) out of e^(zᵢ)·e^(zᵢ) leaves e^(zᵢ), not 1",
                    ),
                ],
            ),
            4: (
                "e^(zᵢ)/Σₖ e^(zₖ) = ŷᵢ and (Σₖ e^(zₖ) − e^(zᵢ))/Σₖ e^(zₖ) = 1 − ŷᵢ",
                [
                    ("= ŷᵢ(1 − e^(zᵢ))", "quotient_rule_slip", "the second factor is 1 − ŷᵢ"),
                    ("= ŷᵢ²", "repeated_index", "the second factor is 1 − ŷᵢ, not ŷᵢ"),
                    ("= ŷᵢ(1 + ŷᵢ)", "sign", "Σₖ e^(zₖ) − e^(zᵢ) over Σₖ e^(zₖ) is 1 − ŷᵢ"),
                ],
            ),
        },
    ),
    (
        "the softmax derivative off the diagonal, ∂ŷᵢ/∂zⱼ for i ≠ j",
        (
            "ŷᵢ = e^(zᵢ) / Σₖ e^(zₖ)",
            "∂ŷᵢ/∂zⱼ = (0·Σₖ e^(zₖ) − e^(zᵢ)·e^(zⱼ)) / (Σₖ e^(zₖ))²",
            "= −e^(zᵢ)e^(zⱼ) / (Σₖ e^(zₖ))²",
            "= −ŷᵢŷⱼ",
        ),
        {
            1: (
                "the quotient rule: e^(zᵢ) does not depend on zⱼ (i ≠ j), ∂g/∂zⱼ = e^(zⱼ)",
                [
                    (
                        "∂ŷᵢ/∂zⱼ = (e^(zᵢ)·Σₖ e^(zₖ) − e^(zᵢ)·e^(zⱼ)) / (Σₖ e^(zₖ))²",
                        "missing_delta",
                        "∂e^(zᵢ)/∂zⱼ = 0 for i ≠ j (the δᵢⱼ of the diagonal)",
                    ),
                    (
                        "∂ŷᵢ/∂zⱼ = (0·Σₖ e^(zₖ) − e^(zᵢ)·e^(zᵢ)) / (Σₖ e^(zₖ))²",
                        "lost_index",
                        "∂(Σₖ e^(zₖ))/∂zⱼ = e^(zⱼ), not e^(zᵢ)",
                    ),
                ],
            ),
            3: (
                "e^(zᵢ)/Σₖ e^(zₖ) = ŷᵢ and e^(zⱼ)/Σₖ e^(zₖ) = ŷⱼ",
                [
                    ("= −ŷᵢ²", "repeated_index", "the second factor is ŷⱼ, not ŷᵢ"),
                    ("= ŷᵢŷⱼ", "sign", "the minus sign of the quotient rule stays"),
                    ("= ŷᵢ(1 − ŷⱼ)", "missing_delta", "off the diagonal δᵢⱼ = 0: −ŷᵢŷⱼ"),
                ],
            ),
        },
    ),
    (
        "the gradient of the cross-entropy through softmax, ∂L/∂zⱼ",
        (
            "L = −Σₖ yₖ log ŷₖ, ŷ = softmax(z)",
            "∂L/∂zⱼ = −Σₖ yₖ (1/ŷₖ) ∂ŷₖ/∂zⱼ",
            "= −Σₖ yₖ (δₖⱼ − ŷⱼ)",
            "= −yⱼ + ŷⱼ Σₖ yₖ",
            "= ŷⱼ − yⱼ (because Σₖ yₖ = 1)",
        ),
        {
            1: (
                "the chain rule with ∂ log ŷₖ/∂zⱼ = (1/ŷₖ) ∂ŷₖ/∂zⱼ",
                [
                    (
                        "∂L/∂zⱼ = −Σₖ yₖ ∂ŷₖ/∂zⱼ",
                        "forgot_log_derivative",
                        "the derivative of log ŷₖ is (1/ŷₖ)·∂ŷₖ/∂zⱼ",
                    ),
                    (
                        "∂L/∂zⱼ = −Σₖ (1/ŷₖ) ∂ŷₖ/∂zⱼ",
                        "forgot_target",
                        "each term keeps its weight yₖ",
                    ),
                ],
            ),
            2: (
                "∂ŷₖ/∂zⱼ = ŷₖ(δₖⱼ − ŷⱼ), and ŷₖ cancels 1/ŷₖ",
                [
                    ("= −Σₖ yₖ (1 − ŷⱼ)", "missing_delta", "∂ŷₖ/∂zⱼ = ŷₖ(δₖⱼ − ŷⱼ)"),
                    (
                        "= −Σₖ yₖ ŷₖ(δₖⱼ − ŷⱼ)",
                        "forgot_log_derivative",
                        "1/ŷₖ cancels the ŷₖ of ∂ŷₖ/∂zⱼ",
                    ),
                ],
            ),
            4: (
                "the labels sum to one, Σₖ yₖ = 1 — say so: it is why the result is that simple",
                [
                    ("= ŷⱼ − 1", "forgot_target", "only yⱼ is subtracted, and only Σₖ yₖ is 1"),
                    ("= yⱼ − ŷⱼ", "sign", "−yⱼ + ŷⱼ·1 = ŷⱼ − yⱼ"),
                    ("= ŷⱼ Σₖ yₖ − yⱼ Σₖ yₖ", "dropped_sum_y", "yⱼ carries no Σₖ yₖ"),
                ],
            ),
        },
    ),
    (
        "the ridge-regression minimiser in closed form",
        (
            "L(w) = (1/n)‖Xw − y‖² + λ‖w‖²",
            "∇L = (2/n)Xᵀ(Xw − y) + 2λw = 0",
            "XᵀXw − Xᵀy + nλw = 0",
            "(XᵀX + nλI)w = Xᵀy",
            "w = (XᵀX + nλI)⁻¹Xᵀy",
        ),
        {
            1: (
                "∇‖Xw − y‖² = 2Xᵀ(Xw − y) and ∇‖w‖² = 2w",
                [
                    ("∇L = (2/n)Xᵀ(Xw − y) + λw = 0", "half_lambda", "∇(λ‖w‖²) = 2λw"),
                    ("∇L = (2/n)(Xw − y) + 2λw = 0", "lost_index", "the chain rule brings Xᵀ"),
                ],
            ),
            2: (
                "multiplied by n/2",
                [
                    ("XᵀXw − Xᵀy + λw = 0", "lambda_without_n", "multiplying by n/2 gives nλw"),
                    ("XᵀXw − Xᵀy + 2nλw = 0", "double_lambda", "n/2 times 2λw is nλw"),
                ],
            ),
            3: (
                "w collected on the left: nλw = nλI·w",
                [
                    (
                        "(XᵀX + nλ)w = Xᵀy",
                        "missing_identity",
                        "a number cannot be added to a matrix: nλI",
                    ),
                    ("XᵀXw = Xᵀy − nλw", "w_both_sides", "collect every w on one side"),
                ],
            ),
            4: (
                "XᵀX + nλI is invertible for λ > 0",
                [
                    (
                        "w = (XᵀX)⁻¹(Xᵀy − nλw)",
                        "w_both_sides",
                        "an answer with w on the right-hand side is not a closed form",
                    ),
                    ("w = (XᵀX + λI)⁻¹Xᵀy", "lambda_without_n", "the 1/n of the loss makes it nλ"),
                    (
                        "w = Xᵀy / (XᵀX + nλI)",
                        "matrix_division",
                        "there is no dividing by a matrix",
                    ),
                ],
            ),
        },
    ),
)


def derivation_step_exercise(
    topic: str, seed: int, difficulty: int, rng: np.random.Generator
) -> Exercise:
    """A derivation's first lines and the choice of its next line (the right one and slips)."""
    what, lines, steps = DERIVATIONS[int(rng.integers(0, len(DERIVATIONS)))]
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
    return Exercise(
        topic,
        seed,
        difficulty,
        TOPIC_LABELS[topic],
        question,
        inputs,
        LETTERS[right],
        f"{LETTERS[right]}: {lines[step]}",
        None,
        (Text(question), *given, Text("Options:"), *listed),
        tuple(solution),
        choices=choices,
    )
