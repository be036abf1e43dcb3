"""F1 help: every tab with the shortcut the View menu gives it, the tutor features, and a page
from each exercise-sheet question to the tab that answers it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from gui.help_dialog import SHEET_ROWS, TAB_HELP, overview_html, sheet_html
from gui.tab_registry import TABS, TabSpec


def _open_help(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.menus.help_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _plain(title: str) -> str:
    return title.replace("&&", "&")


def test_f1_lists_every_tab_with_the_view_menus_shortcut(light_window, qtbot):
    window = light_window()
    dialog = _open_help(window, qtbot)
    text = dialog.browser.toPlainText()
    assert len(TABS) == 5 and "Train" in text
    for spec in TABS:
        action = window.findChild(QAction, f"actionTab_{spec.key}")
        shortcut = action.shortcut().toString()
        assert f"{_plain(spec.title)} ({shortcut}):" in text, spec.key
    assert f"Ctrl+1 … Ctrl+{len(TABS)}" in text
    dialog.close()


def test_help_describes_the_tutor_worksheets_and_practice_mode(light_window, qtbot):
    window = light_window()
    text = _open_help(window, qtbot).browser.toPlainText()
    for phrase in (
        "Check my answer",
        "New exercise",
        "Which input?",
        "File ▸ New worksheet…",
        "View ▸ Practice mode",
        "answer key",
        "count from 0",
        "autosaved",
        "F11",
    ):
        assert phrase in text, phrase
    # the worksheet entry named in the help is the one in the File menu
    worksheet = window.findChild(QAction, "actionNewWorksheet")
    assert worksheet.text().replace("&", "") == "New worksheet…"
    window.menus.help_dialog.close()


def test_every_registered_tab_has_a_help_line():
    assert set(TAB_HELP) == {spec.key for spec in TABS}
    assert all(TAB_HELP.values())


def test_a_new_tab_in_the_registry_appears_in_the_help_with_its_shortcut():
    extra = (*TABS, TabSpec("notes", "Notes && more", "tests.gui.conftest"))
    html = overview_html(extra)
    assert "<b>Notes &amp; more</b> (Ctrl+6)" in html
    assert "Ctrl+1 … Ctrl+6" in html


def test_the_sheet_page_maps_each_question_to_a_real_tab(light_window, qtbot):
    window = light_window()
    dialog = _open_help(window, qtbot)
    dialog.pages.setCurrentWidget(dialog.sheet_browser)
    text = dialog.sheet_browser.toPlainText()
    assert "Which tab answers which sheet question" in text
    keys = {spec.key for spec in TABS}
    for question, key, _where in SHEET_ROWS:
        assert question in text
        assert key is None or key in keys, key
    # the sheet's parts: convolutions (sizes, padding/stride, Prewitt/Sobel, parameters),
    # CNN vs MLP (2.1 iv), the softmax derivative (2.2), cross-entropy and ridge (2.3)
    for needle in (
        "Output size",
        "padding and stride",
        "Prewitt and Sobel filters on an image",
        "Parameters of a conv layer",
        "2.1 (iv) · CNN vs MLP: weight sharing",
        "2.1 (iv) · CNN vs MLP: translation invariance",
        "2.2 · Derivative of the softmax",
        "2.3 · Gradient of the cross-entropy",
        "2.3 · L2 regularisation and the ridge closed form",
    ):
        assert needle in text, needle
    # each named tab appears with its title and shortcut
    html = sheet_html()
    for n, spec in enumerate(TABS, start=1):
        if any(key == spec.key for _q, key, _w in SHEET_ROWS):
            assert f"<b>{escape(_plain(spec.title))}</b><br>(Ctrl+{n})" in html, spec.key
    dialog.close()
