"""The exercise record, its topics, and how each topic's answer is checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.tutor._arithmetic import diagnose_output_size, diagnose_param_count
from engine.tutor._class_checks import diagnose_choice, diagnose_kernel_grad, diagnose_pooling
from engine.tutor._convolution import diagnose_convolution
from engine.tutor._diagnosis import Diagnosis
from engine.tutor._render import Block, Heading, Text, to_html, to_latex, to_markdown
from engine.tutor._ridge import diagnose_ridge
from engine.tutor._softmax import diagnose_cross_entropy_grad, diagnose_softmax_jacobian

#: Exercise topics, in worksheet order.
TOPICS = (
    "convolution_valid",
    "convolution_same",
    "convolution_stride",
    "output_size",
    "param_count",
    "softmax_jacobian",
    "cross_entropy_grad",
    "ridge",
)

#: Topics for worksheets only (the tutor's panels have no tab for them yet), after :data:`TOPICS`.
CLASS_TOPICS = ("true_convolution", "pooling", "backward_kernel", "derivation_step")

#: Every topic a worksheet can use: :data:`TOPICS`, then :data:`CLASS_TOPICS`.
WORKSHEET_TOPICS = TOPICS + CLASS_TOPICS

#: A short title per topic, for menus and worksheet headings.
TOPIC_LABELS = {
    "convolution_valid": "Convolution by hand (valid padding)",
    "convolution_same": "Convolution by hand (same padding)",
    "convolution_stride": "Convolution by hand with a stride",
    "output_size": "Output size of a convolution",
    "param_count": "Parameters of a conv layer",
    "softmax_jacobian": "Softmax and its Jacobian",
    "cross_entropy_grad": "Cross-entropy gradient",
    "ridge": "Ridge regression in closed form",
    "true_convolution": "True convolution (kernel flipped)",
    "pooling": "Pooling by hand",
    "backward_kernel": "Backward pass: the kernel's gradient ∂L/∂K",
    "derivation_step": "The next step of a derivation",
}

DIFFICULTIES = (1, 2, 3)


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Exercise:
    """One generated exercise.

    Attributes
    ----------
    topic, seed, difficulty
        What generated it; ``new_exercise(topic, seed, difficulty)`` gives it again.
    title
        Short heading, e.g. ``"Convolution by hand (valid padding)"``.
    question
        The question as plain text (Unicode).
    inputs
        The exercise's data, as keyword arguments of the topic's diagnose function:
        convolution topics ``x``, ``kernel``, ``padding`` (``"valid"``, ``"same"`` or an int),
        ``stride``, ``dilation``, ``operation``; ``output_size``: ``size``, ``kernel``,
        ``padding``, ``stride``, ``dilation``; ``param_count``: ``filters``, ``kernel``,
        ``channels``, ``bias``, ``groups``; ``softmax_jacobian``: ``z``;
        ``cross_entropy_grad``: ``z``, ``y`` (class index or label vector); ``ridge``: ``X``,
        ``y``, ``lam``.
    answer
        The right answer (array, int).
    answer_text
        The answer as shown in the key (fractions exact where they are).
    decimals
        Decimals the answer is checked to, or ``None`` when it is checked exactly.
    choices
        For a multiple-choice question (``derivation_step``) the options in order; then
        ``answer`` is the right option's letter.
    """

    topic: str
    seed: int
    difficulty: int
    title: str
    question: str
    inputs: dict[str, Any]
    answer: Any
    answer_text: str
    decimals: int | None
    question_blocks: tuple[Block, ...] = field(repr=False, default=())
    solution_blocks: tuple[Block, ...] = field(repr=False, default=())
    choices: tuple[str, ...] = ()

    def check(self, answer: object) -> Diagnosis:
        """Diagnose the user's answer (array, number or text) with the topic's checker."""
        return _CHECKERS[self.topic](answer=answer, **self.inputs)

    def blocks(self, *, answers: bool = False, number: int | None = None) -> list[Block]:
        """Question blocks (with a numbered heading), plus the worked solution if ``answers``."""
        head = f"{number}. {self.title}" if number is not None else self.title
        tag = f"(seed {self.seed}, level {self.difficulty})"
        out: list[Block] = [Heading(f"{head} {tag}", 2), *self.question_blocks]
        if answers:
            out += [
                Heading("Solution", 3),
                *self.solution_blocks,
                Text(f"Answer: {self.answer_text}"),
            ]
        return out

    def to_markdown(self, *, answers: bool = False) -> str:
        """The exercise as Markdown; ``answers=True`` adds the worked solution."""
        return to_markdown(self.blocks(answers=answers))

    def to_latex(self, *, answers: bool = False) -> str:
        """The exercise as a LaTeX fragment (``amsmath``); ``answers=True`` adds the solution."""
        return to_latex(self.blocks(answers=answers))

    def to_html(self, *, answers: bool = False) -> str:
        """The exercise as HTML for ``QTextDocument``; ``answers=True`` adds the solution."""
        return to_html(self.blocks(answers=answers))


def make_exercise(
    topic: str,
    seed: int,
    difficulty: int,
    question: str,
    inputs: dict[str, Any],
    answer: Any,
    answer_text: str,
    *,
    decimals: int | None = None,
    data: Sequence[Block] = (),
    solution: Sequence[Block] = (),
    choices: tuple[str, ...] = (),
) -> Exercise:
    """An :class:`Exercise` as every generator makes it: titled by :data:`TOPIC_LABELS`, its
    question blocks the question text followed by ``data`` (the matrices, the options), its
    worked solution ``solution``."""
    return Exercise(
        topic,
        seed,
        difficulty,
        TOPIC_LABELS[topic],
        question,
        inputs,
        answer,
        answer_text,
        decimals,
        (Text(question), *data),
        tuple(solution),
        choices=choices,
    )


def ints(rng: np.random.Generator, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(low, high + 1, size=shape).astype(np.int64)


def kernel_ints(rng: np.random.Generator, size: int, low: int, high: int) -> np.ndarray:
    """A kernel with at least three non-zero taps that is not symmetric under a 180° turn, so
    that correlation and convolution give different answers."""
    while True:
        k = ints(rng, low, high, (size, size))
        if np.count_nonzero(k) >= 3 and not np.array_equal(k, k[::-1, ::-1]):
            return k


_CHECKERS: dict[str, Callable[..., Diagnosis]] = {
    "convolution_valid": diagnose_convolution,
    "convolution_same": diagnose_convolution,
    "convolution_stride": diagnose_convolution,
    "output_size": diagnose_output_size,
    "param_count": diagnose_param_count,
    "softmax_jacobian": diagnose_softmax_jacobian,
    "cross_entropy_grad": diagnose_cross_entropy_grad,
    "ridge": diagnose_ridge,
    "true_convolution": diagnose_convolution,
    "pooling": diagnose_pooling,
    "backward_kernel": diagnose_kernel_grad,
    "derivation_step": diagnose_choice,
}
