"""GIFT export (Moodle's plain-text question format): numerical questions with a tolerance, one
numerical question per cell of a matrix answer, derivation steps as multiple choice.

Every ``~ = # { } :`` and backslash in a title, text or option is escaped with a backslash;
line breaks are left out (a blank line ends a GIFT question).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from engine.tutor._lms import (
    QuizSheet,
    answer_cells,
    feedback_html,
    number_text,
    question_html,
    slots,
    tolerance_text,
)

_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(text: str) -> str:
    """``text`` on one line with GIFT's special characters escaped."""
    one_line = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", one_line)


def _question(title: str, text: str, answer: str, feedback: str = "") -> str:
    general = f"####{gift_escape(feedback)}" if feedback else ""
    return f"::{gift_escape(title)}::[html]{gift_escape(text)}{{{answer}{general}}}"


def gift(sheets: Sequence[QuizSheet]) -> str:
    """The questions of ``sheets`` in GIFT, each preceded by its ``$CATEGORY``."""
    out: list[str] = ["// KernelScope worksheet questions (GIFT). Import: Question bank ▸ Import."]
    category = None
    for slot in slots(sheets):
        if slot.category != category:
            category = slot.category
            out += ["", f"$CATEGORY: {category}"]
        exercise = slot.exercise
        feedback = feedback_html(exercise)
        tol = tolerance_text(exercise)
        if exercise.choices:
            right = exercise.inputs["right"]
            options = " ".join(
                ("=" if k == right else "~") + gift_escape(choice)
                for k, choice in enumerate(exercise.choices)
            )
            out += ["", _question(slot.name, question_html(exercise), options, feedback)]
        elif np.ndim(exercise.answer) == 0:
            answer = f"#{number_text(exercise.answer)}:{tol}"
            out += ["", _question(slot.name, question_html(exercise), answer, feedback)]
        else:
            for (i, j), value in answer_cells(exercise):
                cell = "" if np.ndim(exercise.answer) == 2 else f" (entry {j})"
                where = f"[{i},{j}]" if np.ndim(exercise.answer) == 2 else f"[{j}]"
                text = (
                    question_html(exercise)
                    + f"<p>Give the answer's entry {where}{cell} (rows and columns from 0).</p>"
                )
                answer = f"#{number_text(value)}:{tol}"
                out += ["", _question(f"{slot.name} {where}", text, answer, feedback)]
    return "\n".join(out) + "\n"
