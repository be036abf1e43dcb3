"""What the LMS exports share: the questions of worksheets in order, numbers as text.

The writers (:mod:`engine.tutor._moodle`, :mod:`engine.tutor._gift`) read a sheet as a
:class:`QuizSheet`, the little of :class:`engine.tutor.Worksheet` they need, so they never import
the worksheet module (which calls them): no import circle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from engine.tutor._exercise import Exercise
from engine.tutor._render import Text, to_html


class QuizSheet(Protocol):
    """What an LMS export reads of a worksheet (:class:`engine.tutor.Worksheet` is one)."""

    @property
    def title(self) -> str:
        """The sheet's title (the quiz category is named after it)."""
        ...

    @property
    def copy(self) -> int:
        """Which per-student copy this is, from 1."""
        ...

    @property
    def exercises(self) -> Sequence[Exercise]:
        """The questions, in order."""
        ...

    @property
    def points(self) -> Sequence[int]:
        """Points per question, in order."""
        ...


@dataclass(frozen=True)
class Slot:
    """Question ``number`` of copy ``copy``: its exercise, points and category."""

    number: int
    copy: int
    exercise: Exercise
    points: int
    name: str
    category: str


def _category_name(text: str) -> str:
    # "/" separates Moodle category levels
    return text.replace("/", "-").strip() or "KernelScope"


def slots(sheets: Sequence[QuizSheet]) -> Iterator[Slot]:
    """Every question of ``sheets``, question by question (all copies of question 1 first).

    One copy: one category named after the sheet. Several: one category per question,
    ``<title>/Q01 <topic>``, holding every copy's variant — Moodle's "random question from a
    category" then gives each student one variant.
    """
    if not sheets:
        raise ValueError("sheets must hold at least one worksheet")
    title = _category_name(sheets[0].title)
    many = len(sheets) > 1
    count = len(sheets[0].exercises)
    for number in range(1, count + 1):
        for sheet in sheets:
            exercise = sheet.exercises[number - 1]
            label = exercise.title
            category = f"$course$/top/{title}"
            if many:
                category += f"/Q{number:02d} {_category_name(label)}"
            name = f"Q{number:02d} {label} — seed {exercise.seed}"
            if many:
                name = f"Q{number:02d} copy {sheet.copy:02d} {label} — seed {exercise.seed}"
            yield Slot(number, sheet.copy, exercise, sheet.points[number - 1], name, category)


def number_text(value: object) -> str:
    """A number as Moodle reads it: plain decimals, no exponent, no ``−0``."""
    v = float(value)  # type: ignore[arg-type]
    if not np.isfinite(v):
        raise ValueError(f"answer {value!r} is not a finite number")
    if v == int(v) and abs(v) < 2**53:
        return str(int(v))
    text = f"{v:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tolerance_text(exercise: Exercise) -> str:
    """The exercise's tolerance: 0 when exact, else one unit of the last decimal asked for."""
    if exercise.decimals is None:
        return "0"
    return number_text(10.0 ** (-exercise.decimals))


def question_html(exercise: Exercise) -> str:
    """The question (text, data matrices, options) as an HTML fragment."""
    return to_html(exercise.question_blocks).strip()


def feedback_html(exercise: Exercise) -> str:
    """The worked solution and the answer, for after the attempt."""
    blocks = [*exercise.solution_blocks, Text(f"Answer: {exercise.answer_text}")]
    return to_html(blocks).strip()


def answer_cells(exercise: Exercise) -> list[tuple[tuple[int, int], float]]:
    """``((row, col), value)`` of every answer cell; a vector is one row."""
    arr = np.asarray(exercise.answer, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    return [((i, j), float(arr[i, j])) for i in range(arr.shape[0]) for j in range(arr.shape[1])]
