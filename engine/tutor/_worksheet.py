"""Worksheets: several exercises from one seed, written as Markdown, LaTeX or HTML, and exported
to Moodle XML or GIFT; per-student copies from one master seed (:func:`make_worksheets`)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.checks import check_int, is_integer
from engine.tutor._exercise import DIFFICULTIES, TOPIC_LABELS, WORKSHEET_TOPICS, Exercise
from engine.tutor._exercises import new_exercise
from engine.tutor._render import (
    Block,
    Heading,
    PageBreak,
    Space,
    Text,
    latex_text,
    to_html,
    to_latex,
    to_markdown,
)

_LATEX_PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm,headheight=14pt]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\setcounter{MaxMatrixCols}{20}
\pagestyle{myheadings}
"""

#: What the key says on every page (header) and in its title, so it cannot pass for the sheet.
KEY_MARK = "ANSWER KEY"

#: Points per question by topic (one more at level 3).
POINTS = {
    "convolution_valid": 4,
    "convolution_same": 4,
    "convolution_stride": 4,
    "output_size": 2,
    "param_count": 2,
    "softmax_jacobian": 4,
    "cross_entropy_grad": 3,
    "ridge": 4,
    "true_convolution": 4,
    "pooling": 3,
    "backward_kernel": 4,
    "derivation_step": 2,
}

MAX_COUNT = 50
MAX_COPIES = 60


def exercise_points(exercise: Exercise) -> int:
    """Points the question is worth on a sheet: by topic, one more at level 3."""
    return POINTS.get(exercise.topic, 2) + (1 if exercise.difficulty == 3 else 0)


def _answer_space(exercise: Exercise) -> Space:
    if exercise.choices:
        return Space("Next line (or the letter of the option):", lines=2)
    answer = np.asarray(exercise.answer)
    if answer.ndim == 0:
        return Space("Answer:", lines=2)
    shape = (1, answer.size) if answer.ndim == 1 else (answer.shape[0], answer.shape[1])
    return Space("Answer:", lines=3, shape=shape)


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Worksheet:
    """A numbered list of exercises made from one seed.

    ``to_markdown``, ``to_latex`` and ``to_html`` give the sheet (name/date line, points per
    question, and with ``answer_space`` room to write under each question); with
    ``answers=True`` they give the answer key instead, marked "ANSWER KEY" in its title, in
    every question's heading and (LaTeX, PDF) in the header of every page. ``to_moodle_xml``
    and ``to_gift`` export the questions with their answers for an LMS.

    ``copy``/``copies``/``master_seed`` say which per-student copy of a
    :func:`make_worksheets` set this is (1 of 1 and ``None`` for a single sheet).
    """

    seed: int
    difficulty: int
    title: str
    exercises: tuple[Exercise, ...]
    answer_space: bool = True
    copy: int = 1
    copies: int = 1
    master_seed: int | None = None

    @property
    def points(self) -> tuple[int, ...]:
        """Points per question, in order."""
        return tuple(exercise_points(e) for e in self.exercises)

    @property
    def total_points(self) -> int:
        """The points of all questions."""
        return sum(self.points)

    def variant_text(self) -> str:
        """Which copy this is, e.g. ``"copy 3 of 30, variant seed 412345 (master seed 7)"``."""
        if self.copies == 1 and self.master_seed is None:
            return f"seed {self.seed}"
        return (
            f"copy {self.copy} of {self.copies}, variant seed {self.seed} "
            f"(master seed {self.master_seed})"
        )

    def header(self, answers: bool = False) -> str:
        """The running header of each page: the title and the copy (``ANSWER KEY`` first)."""
        text = f"{self.title} — {self.variant_text()}"
        return f"{KEY_MARK} — {text}" if answers else text

    def blocks(self, answers: bool = False) -> list[Block]:
        """The sheet (or with ``answers`` the answer key) as render blocks."""
        return [block for part in self.sections(answers) for block in part]

    def sections(self, answers: bool = False) -> list[list[Block]]:
        """:meth:`blocks` in parts: the title part (title, the copy and its seed, name/date
        line and points, or the key's warning), then one part per question (heading, data,
        answer space; in the key its solution and answer) — for a paginator that keeps a
        question on one page."""
        return self._key_sections() if answers else self._sheet_sections()

    def html_sections(self, answers: bool = False) -> list[str]:
        """:meth:`sections` as HTML fragments for Qt's ``QTextDocument``."""
        return [to_html(part) for part in self.sections(answers)]

    def _intro(self) -> str:
        topics = ", ".join(dict.fromkeys(TOPIC_LABELS[e.topic] for e in self.exercises))
        return (
            f"{self.variant_text().capitalize()}, level {self.difficulty}: "
            f"{len(self.exercises)} exercises ({topics}), {self.total_points} points. The same "
            "seed gives the same sheet in KernelScope (File ▸ New worksheet…)."
        )

    def _sheet_sections(self) -> list[list[Block]]:
        sections: list[list[Block]] = [
            [
                Heading(self.title, 1),
                Text(self._intro()),
                Text(
                    "Name: ______________________________    Date: ______________    "
                    f"Points: ______ / {self.total_points}"
                ),
            ]
        ]
        for number, (exercise, points) in enumerate(
            zip(self.exercises, self.points, strict=True), start=1
        ):
            q = exercise.blocks(number=number)
            head = q[0]
            assert isinstance(head, Heading)
            part: list[Block] = [Heading(f"{head.text} — {_points(points)}", head.level), *q[1:]]
            if self.answer_space:
                part.append(_answer_space(exercise))
            sections.append(part)
        return sections

    def _key_sections(self) -> list[list[Block]]:
        sections: list[list[Block]] = [
            [
                Heading(f"{KEY_MARK} — {self.title}", 1),
                Text(
                    f"{KEY_MARK} for {self.variant_text()}: worked solutions for the teacher, "
                    f"{self.total_points} points in all. Do not hand out."
                ),
            ]
        ]
        for number, (exercise, points) in enumerate(
            zip(self.exercises, self.points, strict=True), start=1
        ):
            q = exercise.blocks(number=number)
            head = q[0]
            assert isinstance(head, Heading)
            sections.append(
                [
                    Heading(f"{KEY_MARK} — {head.text} — {_points(points)}", head.level),
                    *q[1:],
                    Heading("Solution", 3),
                    *exercise.solution_blocks,
                    Text(f"Answer: {exercise.answer_text}"),
                ]
            )
        return sections

    def to_markdown(self, answers: bool = False) -> str:
        """The sheet as Markdown; ``answers=True`` gives the answer key."""
        return to_markdown(self.blocks(answers))

    def to_latex(self, answers: bool = False) -> str:
        """A complete LaTeX document (article, amsmath), ASCII only, the header on every page;
        ``answers=True`` gives the answer key ("ANSWER KEY" in the header of every page)."""
        return latex_document([self], answers)

    def to_html(self, answers: bool = False) -> str:
        """A complete HTML page for Qt's ``QTextDocument`` (and so ``QPdfWriter``);
        ``answers=True`` gives the answer key."""
        return html_document([self], answers)

    def to_moodle_xml(self) -> str:
        """The questions as a Moodle XML quiz (numerical with a tolerance, matrices as cloze,
        derivation steps as multiple choice), the worked solution as general feedback."""
        from engine.tutor._moodle import moodle_xml

        return moodle_xml([self])

    def to_gift(self) -> str:
        """The questions in Moodle's GIFT format (numerical with a tolerance, one question per
        matrix cell, derivation steps as multiple choice)."""
        from engine.tutor._gift import gift

        return gift([self])


def _points(points: int) -> str:
    return f"{points} point{'s' if points != 1 else ''}"


def latex_document(sheets: Sequence[Worksheet], answers: bool) -> str:
    """One LaTeX document of ``sheets`` (each on new pages, its header on each of them)."""
    parts = []
    for number, sheet in enumerate(sheets):
        mark = latex_text(sheet.header(answers))
        start = "\\newpage\n" if number else ""
        parts.append(f"{start}\\markright{{{mark}}}\n" + to_latex(sheet.blocks(answers)))
    title = latex_text(sheets[0].title)
    return (
        _LATEX_PREAMBLE
        + f"\\title{{{title}}}\n\\date{{}}\n\\begin{{document}}\n"
        + "\n".join(parts)
        + "\\end{document}\n"
    )


def html_document(sheets: Sequence[Worksheet], answers: bool) -> str:
    """One HTML page of ``sheets``, each after a page break."""
    blocks: list[Block] = []
    for number, sheet in enumerate(sheets):
        if number:
            blocks.append(PageBreak())
        blocks += sheet.blocks(answers)
    title = sheets[0].title
    if answers:
        title = f"{KEY_MARK} — {title}"
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>\n" + to_html(blocks) + "</body></html>\n"
    )


@dataclass(frozen=True, eq=False)
class WorksheetSet:
    """Per-student copies of one worksheet, all made from ``seed`` (see :func:`make_worksheets`).

    ``to_markdown``/``to_latex``/``to_html`` give every copy, each starting on a new page (with
    ``answers=True``: the answer key of every copy); ``to_moodle_xml``/``to_gift`` put the
    copies of question *n* into one category each, for Moodle's "random question from a
    category".
    """

    seed: int
    sheets: tuple[Worksheet, ...]

    @property
    def seeds(self) -> tuple[int, ...]:
        """The variant seed of each copy, in order."""
        return tuple(s.seed for s in self.sheets)

    def to_markdown(self, answers: bool = False) -> str:
        """Every copy (or every copy's key) as Markdown, separated by rules."""
        blocks: list[Block] = []
        for number, sheet in enumerate(self.sheets):
            if number:
                blocks.append(PageBreak())
            blocks += sheet.blocks(answers)
        return to_markdown(blocks)

    def to_latex(self, answers: bool = False) -> str:
        """One LaTeX document, each copy from a new page with its own header."""
        return latex_document(self.sheets, answers)

    def to_html(self, answers: bool = False) -> str:
        """One HTML page of every copy, page breaks between them."""
        return html_document(self.sheets, answers)

    def to_moodle_xml(self) -> str:
        """Every copy's questions as one Moodle XML quiz (a category per question)."""
        from engine.tutor._moodle import moodle_xml

        return moodle_xml(self.sheets)

    def to_gift(self) -> str:
        """Every copy's questions in GIFT (a category per question)."""
        from engine.tutor._gift import gift

        return gift(self.sheets)


def _check_choices(
    topics: Sequence[str] | None, count: int | None, difficulty: int, title: str
) -> tuple[tuple[str, ...], int]:
    from engine.tutor._exercise import TOPICS

    chosen = tuple(TOPICS if topics is None else topics)
    if not chosen or isinstance(topics, str):
        raise ValueError(
            f"topics must be a non-empty list of topics from {WORKSHEET_TOPICS}, got {topics!r}"
        )
    for topic in chosen:
        if topic not in WORKSHEET_TOPICS:
            raise ValueError(f"topics: {topic!r} is not one of {WORKSHEET_TOPICS}")
    if count is None:
        count = len(chosen)
    if not is_integer(count) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be an integer from 1 to {MAX_COUNT}, got {count!r}")
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be 1, 2 or 3, got {difficulty!r}")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be non-empty text, got {title!r}")
    return chosen, int(count)


def make_worksheet(
    seed: int,
    topics: Sequence[str] | None = None,
    count: int | None = None,
    *,
    difficulty: int = 2,
    title: str = "KernelScope worksheet",
    answer_space: bool = True,
) -> Worksheet:
    """A worksheet of ``count`` exercises on ``topics``, all drawn from ``seed``.

    Parameters
    ----------
    seed
        Non-negative integer; the same arguments always give the same sheet.
    topics
        Topics from :data:`WORKSHEET_TOPICS` (default: the tutor's :data:`TOPICS`), used in
        turn.
    count
        Number of exercises (1–50; default one per topic).
    difficulty
        1, 2 or 3 for every exercise.
    title
        Heading of the sheet.
    answer_space
        Leave room to write under each question (an empty grid of the answer's shape).

    Raises
    ------
    ValueError
        Naming ``seed``, ``topics``, ``count``, ``difficulty`` or ``title``.
    """
    value = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
    chosen, number = _check_choices(topics, count, difficulty, title)
    return _sheet(value, chosen, number, int(difficulty), title.strip(), bool(answer_space))


def _sheet(
    seed: int,
    topics: tuple[str, ...],
    count: int,
    difficulty: int,
    title: str,
    answer_space: bool,
    **copy: int,
) -> Worksheet:
    # one sub-seed per exercise from the sheet's seed: exercise k is new_exercise(…, seeds[k])
    seeds = np.random.default_rng([seed, 7919]).integers(0, 10**6, size=count)
    exercises = tuple(
        new_exercise(topics[k % len(topics)], int(seeds[k]), difficulty) for k in range(count)
    )
    return Worksheet(seed, difficulty, title, exercises, answer_space, **copy)


def variant_seeds(seed: int, copies: int) -> tuple[int, ...]:
    """The copies' seeds from a master ``seed``: distinct, reproducible, 0…999,999 (so each
    copy can be made again from its own seed in the dialog)."""
    value = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
    number = check_int(copies, "copies", minimum=1, maximum=MAX_COPIES)
    rng = np.random.default_rng([value, 104729])
    return tuple(int(s) for s in rng.choice(10**6, size=number, replace=False))


def make_worksheets(
    seed: int,
    copies: int,
    topics: Sequence[str] | None = None,
    count: int | None = None,
    *,
    difficulty: int = 2,
    title: str = "KernelScope worksheet",
    answer_space: bool = True,
) -> WorksheetSet:
    """``copies`` per-student variants of a worksheet from one master ``seed``.

    Copy *k* is ``make_worksheet(variant_seeds(seed, copies)[k], topics, count, …)``: the same
    questions on the same topics with other numbers; each copy prints its variant seed (and the
    master seed), and the key lists the answers of every copy.

    Raises
    ------
    ValueError
        Naming ``seed``, ``copies`` (1–60) or one of :func:`make_worksheet`'s arguments.
    """
    seeds = variant_seeds(seed, copies)
    chosen, number = _check_choices(topics, count, difficulty, title)
    sheets = tuple(
        _sheet(
            s,
            chosen,
            number,
            int(difficulty),
            title.strip(),
            bool(answer_space),
            copy=k,
            copies=len(seeds),
            master_seed=int(seed),
        )
        for k, s in enumerate(seeds, start=1)
    )
    return WorksheetSet(int(seed), sheets)
