"""Generators for the convolution, output-size and parameter-count exercises."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.conv.correlate import convolve2d, correlate2d
from engine.conv.geometry import conv_geometry, size_formula_text
from engine.conv.trace import trace_cell
from engine.layers.arithmetic import conv_params, output_size
from engine.tutor._exercise import Exercise, ints, kernel_ints, make_exercise
from engine.tutor._render import Block, Math, Matrix, Text

_CONV: dict[str, dict[int, tuple[Any, ...]]] = {
    # topic: difficulty → (input size, kernel size, kernel range, padding, stride, dilation, op)
    "convolution_valid": {
        1: (4, 3, (-1, 1), "valid", 1, 1, "correlate"),
        2: (5, 3, (-2, 2), "valid", 1, 1, "correlate"),
        3: (6, 3, (-3, 3), "valid", 1, 1, "convolve"),
    },
    "convolution_same": {
        1: (4, 3, (-1, 1), "same", 1, 1, "correlate"),
        2: (5, 3, (-2, 2), "same", 1, 1, "correlate"),
        3: (5, 3, (-2, 3), "same", 1, 1, "convolve"),
    },
    "convolution_stride": {
        1: (5, 3, (-1, 1), "valid", 2, 1, "correlate"),
        2: (6, 3, (-2, 2), 1, 2, 1, "correlate"),
        3: (7, 3, (-2, 2), 1, 3, 2, "correlate"),
    },
}

_OP_QUESTION = {
    "correlate": "cross-correlation (what PyTorch and TensorFlow call convolution: the kernel is "
    "not flipped)",
    "convolve": "true convolution (rotate the kernel by 180° first)",
}


def convolution(
    topic: str,
    seed: int,
    difficulty: int,
    rng: np.random.Generator,
    operation: str | None = None,
) -> Exercise:
    """A convolution by hand; ``operation`` overrides the level's (``"convolve"``: true
    convolution)."""
    n, k, (lo, hi), padding, stride, dilation, op = _CONV[topic][difficulty]
    op = operation or op
    x = ints(rng, 0 if difficulty < 3 else -2, 4 + difficulty, (n, n))
    kernel = kernel_ints(rng, k, lo, hi)
    kw: dict[str, Any] = {"padding": padding, "stride": stride, "dilation": dilation}
    result = (correlate2d if op == "correlate" else convolve2d)(x, kernel, **kw)
    geo = conv_geometry(x.shape, kernel.shape, **kw)
    pad_text = f"{padding} padding" if isinstance(padding, str) else f"zero padding {padding}"
    settings = [pad_text, f"stride {stride}"] + ([f"dilation {dilation}"] if dilation > 1 else [])
    question = (
        f"Compute the {_OP_QUESTION[op]} of the {n}×{n} input X with the {k}×{k} kernel K, "
        f"using {', '.join(settings)}. Give the whole output matrix."
    )
    top, bottom, _, _ = geo.pad
    formula = size_formula_text(n, k, top + bottom, stride, dilation)
    solution: list[Block] = [Text(f"Output size per axis: {formula}.")]
    if op == "convolve":
        solution.append(Matrix("Rotated kernel:", kernel[::-1, ::-1]))
    if padding != "valid":
        solution.append(Text(f"Zero padding: {top} row(s)/column(s) on each side."))
    for i in range(result.shape[0]):
        for j in range(result.shape[1]):
            trace = trace_cell(x, kernel, i, j, mode=op, **kw)  # type: ignore[arg-type]
            # every tap, zero weights too, as the Matrix tab and the worked solution write it
            solution.append(Math(f"O[{i},{j}] = {trace.expression()}"))
    solution.append(Matrix("O =", result))
    return make_exercise(
        topic,
        seed,
        difficulty,
        question,
        {"x": x, "kernel": kernel, **kw, "operation": op},
        result,
        f"the {result.shape[0]}×{result.shape[1]} matrix O above",
        data=(Matrix("X =", x), Matrix("K =", kernel)),
        solution=solution,
    )


def output_size_exercise(
    topic: str, seed: int, difficulty: int, rng: np.random.Generator
) -> Exercise:
    while True:
        k = int(rng.choice([3, 5] if difficulty == 1 else [2, 3, 4, 5, 7]))
        p = int(rng.integers(0, 3))
        s = 1 if difficulty == 1 else int(rng.integers(2, 4))
        d = 1 if difficulty < 3 else int(rng.integers(2, 4))
        n = int(rng.integers(6, 17) if difficulty == 1 else rng.integers(7, 33))
        ke = d * (k - 1) + 1
        # level 2 and 3 want the floor to matter (the sheet's formula forgets it)
        if n + 2 * p >= ke and (difficulty == 1 or (n + 2 * p - ke) % s):
            break
    answer = output_size(n, k, padding=p, stride=s, dilation=d)
    dil = f", dilation {d}" if d > 1 else ""
    question = (
        f"A {n}×{n} feature map goes through a convolution with a {k}×{k} kernel, zero padding "
        f"{p} on each side, stride {s}{dil}. How many rows does the output have?"
    )
    ke_text = f"{k}" if d == 1 else f"({d}·({k}−1)+1)"
    span = n + 2 * p - ke
    solution: list[Block] = [
        Text("O = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1; the floor drops rows that no window reaches."),
        Math(f"O = ⌊({n} + 2·{p} − {ke_text})/{s}⌋ + 1 = ⌊{span}/{s}⌋ + 1 = {answer}"),
    ]
    inputs = {"size": n, "kernel": k, "padding": p, "stride": s, "dilation": d}
    return make_exercise(
        topic, seed, difficulty, question, inputs, answer, str(answer), solution=solution
    )


def param_count_exercise(
    topic: str, seed: int, difficulty: int, rng: np.random.Generator
) -> Exercise:
    groups = 1
    bias = True
    if difficulty == 1:
        k, c, n = int(rng.choice([3, 5])), int(rng.choice([1, 3])), int(rng.choice([4, 8, 16, 32]))
    elif difficulty == 2:
        k = int(rng.choice([1, 3, 5, 7]))
        c = int(rng.choice([3, 8, 16, 32]))
        n = int(rng.choice([16, 32, 64]))
        bias = bool(rng.integers(0, 2))
    else:
        k = int(rng.choice([3, 5]))
        c = int(rng.choice([16, 32, 64]))
        groups = int(rng.choice([2, 4, c]))
        n = int(c * rng.choice([1, 2]))
        bias = bool(rng.integers(0, 2))
    answer = conv_params(k, c, n, bias=bias, groups=groups)
    extra = []
    if not bias:
        extra.append("no bias (bias=False)")
    if groups > 1:
        extra.append("depthwise (groups = C)" if groups == c else f"groups = {groups}")
    extras = f", {', '.join(extra)}" if extra else ", with a bias per filter"
    question = (
        f"A conv layer takes {c} input channel{'s' if c > 1 else ''} and has {n} filters of "
        f"size {k}×{k}{extras}. How many trainable parameters does it have?"
    )
    per = f"{k}·{k}·{c}" + (f"/{groups}" if groups > 1 else "")
    formula = f"N·(k·k·C/groups{' + 1' if bias else ''})"
    solution: list[Block] = [
        Text(f"Each filter has k·k·C/groups weights{' and one bias' if bias else ''}: {formula}."),
        Math(f"{n}·({per}{' + 1' if bias else ''}) = {answer}"),
    ]
    inputs = {"filters": n, "kernel": k, "channels": c, "bias": bias, "groups": groups}
    return make_exercise(
        topic, seed, difficulty, question, inputs, answer, str(answer), solution=solution
    )
