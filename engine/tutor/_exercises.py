"""``new_exercise``: pick the topic's generator with a reproducible random stream."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.checks import check_int
from engine.tutor._exercise import DIFFICULTIES, WORKSHEET_TOPICS, Exercise
from engine.tutor._exercises_class import (
    backward_kernel_exercise,
    derivation_step_exercise,
    pooling_exercise,
    true_convolution,
)
from engine.tutor._exercises_conv import convolution, output_size_exercise, param_count_exercise
from engine.tutor._exercises_loss import cross_entropy_exercise, ridge_exercise, softmax_exercise

Generator = Callable[[str, int, int, np.random.Generator], Exercise]

GENERATORS: dict[str, Generator] = {
    "convolution_valid": convolution,
    "convolution_same": convolution,
    "convolution_stride": convolution,
    "output_size": output_size_exercise,
    "param_count": param_count_exercise,
    "softmax_jacobian": softmax_exercise,
    "cross_entropy_grad": cross_entropy_exercise,
    "ridge": ridge_exercise,
    "true_convolution": true_convolution,
    "pooling": pooling_exercise,
    "backward_kernel": backward_kernel_exercise,
    "derivation_step": derivation_step_exercise,
}


def new_exercise(topic: str, seed: int, difficulty: int = 1) -> Exercise:
    """A random small-number exercise on ``topic`` (one of :data:`WORKSHEET_TOPICS`: the
    tutor's :data:`TOPICS` and the worksheet-only :data:`CLASS_TOPICS`).

    The same ``(topic, seed, difficulty)`` always gives the same exercise; show the seed so a
    student or teacher can regenerate it. Difficulty 1 is a warm-up, 2 the sheet's level, 3
    adds true convolution, stride with dilation, floors, groups, soft labels or an intercept.

    Raises
    ------
    ValueError
        Naming ``topic``, ``seed`` or ``difficulty``.
    """
    if topic not in WORKSHEET_TOPICS:
        raise ValueError(f"topic must be one of {WORKSHEET_TOPICS}, got {topic!r}")
    value = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be 1, 2 or 3, got {difficulty!r}")
    rng = np.random.default_rng([value, WORKSHEET_TOPICS.index(topic), int(difficulty)])
    return GENERATORS[topic](topic, value, int(difficulty), rng)
