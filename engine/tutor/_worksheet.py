"""Worksheets: several exercises from one seed, written as Markdown, LaTeX or HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.checks import check_int
from engine.tutor._exercise import DIFFICULTIES, TOPIC_LABELS, TOPICS, Exercise
from engine.tutor._exercises import new_exercise
from engine.tutor._render import Block, Heading, Text, latex_text, to_html, to_latex, to_markdown

_LATEX_PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\setcounter{MaxMatrixCols}{20}
"""


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Worksheet:
    """A numbered list of exercises made from one seed.

    ``to_markdown``, ``to_latex`` and ``to_html`` give the sheet; with ``answers=True`` the
    sheet is followed by the answer key (each exercise's worked solution and answer).
    """

    seed: int
    difficulty: int
    title: str
    exercises: tuple[Exercise, ...]

    def _blocks(self, answers: bool) -> list[Block]:
        topics = ", ".join(dict.fromkeys(TOPIC_LABELS[e.topic] for e in self.exercises))
        blocks: list[Block] = [
            Heading(self.title, 1),
            Text(
                f"Seed {self.seed}, level {self.difficulty}: {len(self.exercises)} exercises "
                f"({topics}). The same seed gives the same sheet in KernelScope "
                "(File ▸ New worksheet…)."
            ),
        ]
        for number, exercise in enumerate(self.exercises, start=1):
            blocks += exercise.blocks(number=number)
        if answers:
            blocks.append(Heading("Answer key", 1))
            for number, exercise in enumerate(self.exercises, start=1):
                blocks.append(Heading(f"{number}. {exercise.title}", 2))
                blocks += [*exercise.solution_blocks, Text(f"Answer: {exercise.answer_text}")]
        return blocks

    def to_markdown(self, answers: bool = False) -> str:
        """The sheet as Markdown; ``answers=True`` appends the answer key."""
        return to_markdown(self._blocks(answers))

    def to_latex(self, answers: bool = False) -> str:
        """A complete LaTeX document (article, amsmath), ASCII only; ``answers=True`` appends
        the answer key on a new page."""
        body = to_latex(self._blocks(answers))
        if answers:
            body = body.replace("\\section*{Answer key}", "\\newpage\n\\section*{Answer key}", 1)
        title = latex_text(self.title)
        return (
            _LATEX_PREAMBLE
            + f"\\title{{{title}}}\n\\date{{}}\n\\begin{{document}}\n"
            + body
            + "\\end{document}\n"
        )

    def to_html(self, answers: bool = False) -> str:
        """A complete HTML page for Qt's ``QTextDocument`` (and so ``QPdfWriter``);
        ``answers=True`` appends the answer key."""
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title></head><body>\n"
            + to_html(self._blocks(answers))
            + "</body></html>\n"
        )


def make_worksheet(
    seed: int,
    topics: Sequence[str] | None = None,
    count: int | None = None,
    *,
    difficulty: int = 2,
    title: str = "KernelScope worksheet",
) -> Worksheet:
    """A worksheet of ``count`` exercises on ``topics``, all drawn from ``seed``.

    Parameters
    ----------
    seed
        Non-negative integer; the same arguments always give the same sheet.
    topics
        Topics from :data:`TOPICS` (default: all of them), used in turn.
    count
        Number of exercises (1–50; default one per topic).
    difficulty
        1, 2 or 3 for every exercise.
    title
        Heading of the sheet.

    Raises
    ------
    ValueError
        Naming ``seed``, ``topics``, ``count``, ``difficulty`` or ``title``.
    """
    value = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
    chosen = tuple(TOPICS if topics is None else topics)
    if not chosen or isinstance(topics, str):
        raise ValueError(f"topics must be a non-empty list of topics from {TOPICS}, got {topics!r}")
    for topic in chosen:
        if topic not in TOPICS:
            raise ValueError(f"topics: {topic!r} is not one of {TOPICS}")
    if count is None:
        count = len(chosen)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= 50:
        raise ValueError(f"count must be an integer from 1 to 50, got {count!r}")
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be 1, 2 or 3, got {difficulty!r}")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be non-empty text, got {title!r}")
    # one sub-seed per exercise from the sheet's seed: exercise k is new_exercise(…, seeds[k])
    seeds = np.random.default_rng([value, 7919]).integers(0, 10**6, size=int(count))
    exercises = tuple(
        new_exercise(chosen[k % len(chosen)], int(seeds[k]), int(difficulty))
        for k in range(int(count))
    )
    return Worksheet(value, int(difficulty), title.strip(), exercises)
