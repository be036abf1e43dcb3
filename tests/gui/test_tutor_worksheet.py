"""File ▸ New worksheet…: live preview, reproducible sheets, export of sheet and answer key."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from engine.tutor import TOPIC_LABELS, make_worksheet
from gui.tutor.worksheet_dialog import answer_key_path


@pytest.fixture
def dialog(light_window, qtbot):
    window = light_window()
    action = window.findChild(QAction, "actionNewWorksheet")
    action.trigger()
    dialog = window.menus.worksheet_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.close()


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_preview_follows_the_choices_and_the_seed_reproduces(dialog):
    dialog.set_topics(["output_size", "ridge"])
    dialog.count.setValue(3)
    dialog.seed.setValue(17)
    text = dialog.preview.toPlainText()
    assert text.count(TOPIC_LABELS["output_size"]) >= 2  # used in turn: size, ridge, size
    assert TOPIC_LABELS["ridge"] in text
    assert TOPIC_LABELS["softmax_jacobian"] not in text
    assert "ANSWER KEY" not in text
    dialog.show_key.setChecked(True)
    assert "ANSWER KEY" in dialog.preview.toPlainText()
    dialog.show_key.setChecked(False)
    dialog.seed.setValue(18)
    assert dialog.preview.toPlainText() != text
    dialog.seed.setValue(17)
    assert dialog.preview.toPlainText() == text
    expected = make_worksheet(17, ["output_size", "ridge"], 3, difficulty=2)
    assert dialog.worksheet.to_markdown() == expected.to_markdown()
    dialog.set_topics([])
    assert not dialog.export_button.isEnabled()


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", ".md"), ("latex", ".tex")])
def test_exports_sheet_and_separate_answer_key_as_text(dialog, tmp_path, fmt, suffix):
    dialog.seed.setValue(5)
    sheet, key = dialog.export(tmp_path / f"week 3{suffix}", fmt)
    assert key == answer_key_path(sheet) == tmp_path / f"week 3-answers{suffix}"
    ws = dialog.worksheet
    render = ws.to_markdown if fmt == "markdown" else ws.to_latex
    assert sheet.read_text(encoding="utf-8") == render(answers=False)
    assert key.read_text(encoding="utf-8") == render(answers=True)
    assert "ANSWER KEY" not in sheet.read_text(encoding="utf-8")
    assert "ANSWER KEY" in key.read_text(encoding="utf-8")
    assert "week 3-answers" in dialog.status.text()


def test_exports_pdf_files_with_pages(dialog, tmp_path):
    dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
    sheet, key = dialog.export(tmp_path / "sheet.pdf", "pdf")
    sheet_bytes, key_bytes = sheet.read_bytes(), key.read_bytes()
    assert sheet_bytes.startswith(b"%PDF") and key_bytes.startswith(b"%PDF")
    assert sheet_bytes.rstrip().endswith(b"%%EOF")
    assert 1 <= pdf_pages(sheet_bytes) < pdf_pages(key_bytes)  # the key adds worked solutions


def test_export_to_a_missing_folder_says_so_and_writes_nothing(dialog, tmp_path):
    with pytest.raises(OSError):
        dialog.export(tmp_path / "no such folder" / "sheet.md", "markdown")
    assert not (tmp_path / "no such folder").exists()


def test_random_seed_button_draws_new_seeds_and_remakes_the_sheet(dialog, qtbot):
    dialog.set_topics(["output_size", "param_count"])
    dialog.seed.setValue(0)
    seeds, previews = [0], {dialog.preview.toPlainText()}
    for _ in range(5):
        qtbot.mouseClick(dialog.random_seed, Qt.MouseButton.LeftButton)
        seed = dialog.seed.value()
        assert 0 <= seed <= dialog.seed.maximum()
        # the sheet shown is the one the new seed makes
        assert dialog.worksheet.seed == seed
        topics = ["output_size", "param_count"]
        expected = make_worksheet(seed, topics, dialog.count.value(), difficulty=2)
        assert dialog.worksheet.to_markdown() == expected.to_markdown()
        seeds.append(seed)
        previews.add(dialog.preview.toPlainText())
    # 5 draws from a million seeds: repeats (or draws that stay small) mean it is not random
    assert len(set(seeds)) == 6, seeds
    assert max(seeds) > 1000, seeds
    assert len(previews) >= 3


def test_an_answer_key_that_cannot_be_written_leaves_the_old_sheet(dialog, tmp_path):
    sheet = tmp_path / "week.md"
    sheet.write_text("last week's sheet", encoding="utf-8")
    answer_key_path(sheet).mkdir()  # a folder where the key should go
    with pytest.raises(OSError):
        dialog.export(sheet, "markdown")
    assert sheet.read_text(encoding="utf-8") == "last week's sheet"  # all or nothing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week-answers.md", "week.md"]


def test_exports_copies_as_moodle_xml_and_gift_that_read_back(dialog, tmp_path):
    import xml.etree.ElementTree as ET

    from tests.engine.test_worksheets_class import check_gift, check_moodle

    dialog.set_topics(["output_size", "pooling", "derivation_step"])
    dialog.count.setValue(3)
    dialog.copies.setValue(4)
    dialog.answer_space.setChecked(False)
    assert len(dialog.worksheets.sheets) == 4
    assert "ANSWER KEY" not in dialog.preview.toPlainText()
    assert dialog.preview.toPlainText().count("Name: ") == 4
    sheet, key = dialog.export(tmp_path / "quiz.xml", "moodle")
    seen, _ = check_moodle(sheet.read_text(encoding="utf-8"), dialog.worksheets.sheets)
    assert len(seen) == 12 and ET.parse(sheet).getroot().tag == "quiz"
    assert "ANSWER KEY" in key.read_text(encoding="utf-8")
    gift, _key = dialog.export(tmp_path / "quiz.txt", "gift")
    _, per_exercise = check_gift(gift.read_text(encoding="utf-8"), dialog.worksheets.sheets)
    assert len(per_exercise) == 12
    md, md_key = dialog.export(tmp_path / "copies.md", "markdown")
    text = md.read_text(encoding="utf-8")
    assert text.count("Name: ___") == 4 and "**Answer:**" not in text
    key_lines = md_key.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("# ANSWER KEY — ") for line in key_lines) == 4
