"""Moodle XML export: numerical questions with a tolerance, matrix answers as one cloze
(multianswer) question with a NUMERICAL box per cell, derivation steps as multiple choice."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from engine.tutor._exercise import Exercise


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def _common(question: ET.Element, name: str, text: str, exercise: Exercise) -> None:
    _text(question, "name", name)
    _text(question, "questiontext", text, "html")
    _text(question, "generalfeedback", feedback_html(exercise), "html")


def _numerical(name: str, exercise: Exercise, points: int) -> ET.Element:
    q = ET.Element("question", {"type": "numerical"})
    _common(q, name, question_html(exercise), exercise)
    ET.SubElement(q, "defaultgrade").text = str(points)
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    answer = ET.SubElement(q, "answer", {"fraction": "100", "format": "moodle_auto_format"})
    ET.SubElement(answer, "text").text = number_text(exercise.answer)
    ET.SubElement(answer, "tolerance").text = tolerance_text(exercise)
    _text(answer, "feedback", "Right.", "html")
    return q


def _cloze(name: str, exercise: Exercise) -> ET.Element:
    cells = answer_cells(exercise)
    rows = 1 + max(i for (i, _), _ in cells)
    cols = 1 + max(j for (_, j), _ in cells)
    tol = tolerance_text(exercise)
    by_cell = dict(cells)
    table = "".join(
        "<tr>"
        + "".join(
            f"<td>{{1:NUMERICAL:={number_text(by_cell[(i, j)])}:{tol}}}</td>" for j in range(cols)
        )
        + "</tr>"
        for i in range(rows)
    )
    text = (
        question_html(exercise)
        + f"\n<p>Your answer ({rows}×{cols}, one number per box):</p>"
        + f'<table border="1" cellpadding="4">{table}</table>'
    )
    q = ET.Element("question", {"type": "cloze"})
    _common(q, name, text, exercise)
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    return q


def _multichoice(name: str, exercise: Exercise, points: int) -> ET.Element:
    q = ET.Element("question", {"type": "multichoice"})
    _common(q, name, question_html(exercise), exercise)
    ET.SubElement(q, "defaultgrade").text = str(points)
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "single").text = "true"
    ET.SubElement(q, "shuffleanswers").text = "false"  # the text names the options A, B, …
    ET.SubElement(q, "answernumbering").text = "ABCD"
    right = exercise.inputs["right"]
    slips = exercise.inputs["slips"]
    for k, choice in enumerate(exercise.choices):
        answer = ET.SubElement(
            q, "answer", {"fraction": "100" if k == right else "0", "format": "html"}
        )
        ET.SubElement(answer, "text").text = html.escape(choice)
        why = "Right." if k == right else f"Not the next line: {slips[k][1]}."
        _text(answer, "feedback", html.escape(why), "html")
    return q


def moodle_xml(sheets: Sequence[QuizSheet]) -> str:
    """The questions of ``sheets`` as a Moodle XML ``<quiz>`` (UTF-8 text).

    Numbers are checked with the exercise's tolerance (0 for exact integer answers, one unit of
    the last decimal asked for otherwise); the worked solution is each question's general
    feedback. Several copies go into one category per question (see
    :func:`engine.tutor._lms.slots`).
    """
    quiz = ET.Element("quiz")
    category = None
    for slot in slots(sheets):
        if slot.category != category:
            category = slot.category
            head = ET.SubElement(quiz, "question", {"type": "category"})
            _text(head, "category", category)
        exercise = slot.exercise
        if exercise.choices:
            quiz.append(_multichoice(slot.name, exercise, slot.points))
        elif np.ndim(exercise.answer) == 0:
            quiz.append(_numerical(slot.name, exercise, slot.points))
        else:
            quiz.append(_cloze(slot.name, exercise))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
