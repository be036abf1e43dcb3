"""Worksheet PDFs read back page by page (issue 19): "ANSWER KEY" in the header of every page of
the key and in its title, never on the sheet; each copy's variant seed in every page header;
the name/date line and points on each copy's first page; an answer space under each question,
on the page of its question; copies start on a new page and count their own pages.

The pages' text is read from the PDF bytes Qt wrote (:mod:`tests.gui.pdf_text`), not from the
HTML that went in.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from engine.tutor import make_worksheet, make_worksheets
from gui.tutor.worksheet_pdf import worksheet_pdf
from tests.gui.pdf_text import document_title, page_texts

TOPICS = ["convolution_same", "softmax_jacobian", "output_size", "ridge", "derivation_step"]


@pytest.fixture(scope="module")
def copies():
    return make_worksheets(31, 3, TOPICS, difficulty=3, title="Week 6")


@pytest.fixture(scope="module")
def key_pages(qapp, copies):
    data = worksheet_pdf(copies, answers=True)
    return data, page_texts(data)


@pytest.fixture(scope="module")
def sheet_pages(qapp, copies):
    data = worksheet_pdf(copies, answers=False)
    return data, page_texts(data)


def flat(text: str) -> str:
    """One line, blanks as single spaces, ligatures (ﬁ) as letters: text as a reader sees it."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def heading(sheet, number: int, answers: bool = False) -> str:
    """Question ``number``'s heading as printed, up to "point" (1 point / 2 points)."""
    exercise = sheet.exercises[number - 1]
    text = f"{exercise.blocks(number=number)[0].text} — {sheet.points[number - 1]} point"
    return flat(("ANSWER KEY — " if answers else "") + text)


def copy_runs(pages: list[str]) -> list[list[str]]:
    """The pages split where the header's count restarts at "page 1 of n"."""
    runs: list[list[str]] = []
    for page in pages:
        header = page.splitlines()[0]  # the title on the left, "page k of n" on the right
        number, total = map(int, re.search(r" page (\d+) of (\d+)$", header).groups())
        if number == 1:
            runs.append([])
        runs[-1].append(page)
        assert len(runs[-1]) == number and number <= total
    for run in runs:
        assert int(re.search(r"of (\d+)$", run[0].splitlines()[0]).group(1)) == len(run)
    return runs


def test_every_page_of_the_key_has_answer_key_in_its_header_and_the_title_too(key_pages, copies):
    data, pages = key_pages
    assert len(pages) >= 6  # several pages per copy: the worked sums of a 6×6 convolution
    assert document_title(data) == "ANSWER KEY — Week 6"
    runs = copy_runs(pages)
    assert len(runs) == 3 and all(len(run) >= 2 for run in runs)
    for run, sheet in zip(runs, copies.sheets, strict=True):
        for page in run:
            header = page.splitlines()[0]
            assert header.startswith("ANSWER KEY — Week 6 — copy "), header
            assert f"variant seed {sheet.seed} (master seed 31)" in header
        body = flat(" ".join(run))
        for exercise in sheet.exercises:
            assert flat(f"Answer: {exercise.answer_text}") in body


def test_the_key_gives_each_question_its_solution_after_its_heading(key_pages, copies):
    _data, pages = key_pages
    for run, sheet in zip(copy_runs(pages), copies.sheets, strict=True):
        text = flat(" ".join(run))
        at = 0
        for number, exercise in enumerate(sheet.exercises, start=1):
            at = text.index(heading(sheet, number, answers=True), at)
            assert text.index(flat(f"Answer: {exercise.answer_text}"), at) > at


def test_the_sheet_never_says_answer_key_and_prints_each_copys_seed(sheet_pages, copies):
    data, pages = sheet_pages
    assert document_title(data) == "Week 6"
    assert not any("ANSWER KEY" in page or "Solution" in page for page in pages)
    runs = copy_runs(pages)
    assert len(runs) == 3
    for run, sheet in zip(runs, copies.sheets, strict=True):
        for page in run:
            assert f"variant seed {sheet.seed} (master seed 31)" in page.splitlines()[0]
        first = run[0]
        assert re.search(r"Name: _{10,}", first) and re.search(r"Date: _{6,}", first)
        assert f"Points: ______ / {sheet.total_points}" in first
        body = flat(" ".join(run))
        for exercise in sheet.exercises:  # (not "Answer: 5" before question "5. …")
            given = re.escape(flat(f"Answer: {exercise.answer_text}")) + r"(?![\d.])"
            assert re.search(given, body) is None, exercise.answer_text


def test_each_question_has_its_points_and_an_answer_space_on_its_page(sheet_pages, copies):
    _data, pages = sheet_pages
    for run, sheet in zip(copy_runs(pages), copies.sheets, strict=True):
        texts = [flat(page) for page in run]
        for number, exercise in enumerate(sheet.exercises, start=1):
            head = heading(sheet, number)
            where = [k for k, text in enumerate(texts) if head in text]
            assert len(where) == 1, (number, exercise.topic, where)
            text = texts[where[0]]
            after = text[text.index(head) + len(head) :]
            if number < len(sheet.exercises) and heading(sheet, number + 1) in after:
                after = after[: after.index(heading(sheet, number + 1))]
            label = "Next line (or the letter of the option):" if exercise.choices else "Answer:"
            assert label in after, (number, exercise.topic)  # on the question's own page


def test_a_single_sheet_has_one_run_of_pages_with_its_seed(qapp):
    sheet = make_worksheet(8, ["pooling", "param_count"], difficulty=1, title="Quiz")
    (run,) = copy_runs(page_texts(worksheet_pdf(sheet)))
    assert all(page.splitlines()[0].startswith("Quiz — seed 8 ") for page in run)
    key = page_texts(worksheet_pdf(sheet, answers=True))
    assert all(page.splitlines()[0].startswith("ANSWER KEY — Quiz — seed 8 ") for page in key)


def test_the_dialog_exports_copies_as_pdf_sheet_and_key(light_window, qtbot, tmp_path):
    from PySide6.QtGui import QAction

    window = light_window()
    window.findChild(QAction, "actionNewWorksheet").trigger()
    dialog = window.menus.worksheet_dialog
    qtbot.waitExposed(dialog)
    try:
        dialog.set_topics(["output_size", "pooling", "derivation_step"])
        dialog.count.setValue(3)
        dialog.copies.setValue(3)
        dialog.seed.setValue(44)
        dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
        sheet, key = dialog.export(tmp_path / "week 7.pdf", "pdf")
        assert (sheet.name, key.name) == ("week 7.pdf", "week 7-answers.pdf")
        seeds = [s.seed for s in dialog.worksheets.sheets]
        sheet_runs = copy_runs(page_texts(sheet.read_bytes()))
        key_runs = copy_runs(page_texts(key.read_bytes()))
        assert len(sheet_runs) == len(key_runs) == 3
        for seed, sheet_run, key_run in zip(seeds, sheet_runs, key_runs, strict=True):
            assert all(
                f"variant seed {seed} (master seed 44)" in p.splitlines()[0] for p in sheet_run
            )
            assert all(p.startswith("ANSWER KEY — ") for p in key_run)
            assert all(
                f"variant seed {seed} (master seed 44)" in p.splitlines()[0] for p in key_run
            )
        assert document_title(key.read_bytes()).startswith("ANSWER KEY — ")
        assert "week 7-answers.pdf" in dialog.status.text()
    finally:
        dialog.close()
