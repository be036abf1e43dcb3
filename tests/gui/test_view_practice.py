"""View ▸ Practice mode (issue 19): the menu entry is the same switch as each tutor panel's
"Practice mode" box; its check mark follows the box; it hides a tab's result until Show answer
(Layer sizes, Matrix, Loss); switching it off shows everything; the mode survives a session
saved and opened again.

Each window holds only the real tab under test (building them all costs seconds); what is
asserted is what the user sees.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from gui.main_window import MainWindow
from gui.tab_registry import TABS
from gui.tutor.veil import PRACTICE_PLACEHOLDER

LAYERS_ONLY = tuple(spec for spec in TABS if spec.key == "layers")


def make_window(qtbot, data_dir) -> MainWindow:
    window = MainWindow(tabs=LAYERS_ONLY, data_dir=data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def practice_action(window) -> QAction:
    action = window.findChild(QAction, "actionPracticeMode")
    assert action is not None
    return action


def visible_placeholders(page) -> int:
    return sum(
        1 for w in page.findChildren(QLabel) if w.isVisible() and w.text() == PRACTICE_PLACEHOLDER
    )


def test_the_entry_sits_in_the_view_menu_and_is_checkable(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path / "data")
    try:
        action = practice_action(window)
        view = next(
            a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View"
        )
        assert action in view.actions()
        assert action.isCheckable() and not action.isChecked()
        assert action.text().replace("&", "") == "Practice mode"
    finally:
        window.close()


def test_view_practice_mode_hides_the_result_and_show_answer_reveals_it(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path / "data")
    try:
        page = window.page("layers")
        window.show_tab("layers")
        panel = page.tutor.check_panel
        single = page.single
        exercise = panel.load_exercise("output_size", 4, 2)
        i = exercise.inputs
        h = (i["size"] + 2 * i["padding"] - i["dilation"] * (i["kernel"] - 1) - 1) // i[
            "stride"
        ] + 1
        assert single.output_label.isVisible() and f"{h} × {h}" in single.output_label.text()

        action = practice_action(window)
        action.trigger()  # View ▸ Practice mode on
        assert window.context.practice.enabled and action.isChecked()
        assert panel.practice_box.isChecked()  # the panel's box follows the menu
        assert panel.answer_hidden
        assert not single.output_label.isVisible() and not single.params_label.isVisible()
        assert visible_placeholders(page) >= 1
        assert panel.show_answer_button.isVisible()

        qtbot.mouseClick(panel.show_answer_button, Qt.MouseButton.LeftButton)
        assert not panel.answer_hidden and single.output_label.isVisible()
        assert f"{h} × {h}" in single.output_label.text()
        assert not panel.show_answer_button.isVisible()

        panel.load_exercise("output_size", 5, 2)  # a new exercise is hidden again
        assert not single.output_label.isVisible()
        action.trigger()  # off: everything is shown again
        assert not window.context.practice.enabled and not action.isChecked()
        assert not panel.practice_box.isChecked()
        assert single.output_label.isVisible() and single.params_label.isVisible()
        assert visible_placeholders(page) == 0
    finally:
        window.close()


def test_the_check_mark_follows_the_panel_box(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path / "data")
    try:
        panel = window.page("layers").tutor.check_panel
        window.show_tab("layers")
        action = practice_action(window)
        qtbot.mouseClick(panel.practice_box, Qt.MouseButton.LeftButton)
        assert window.context.practice.enabled and action.isChecked()
        qtbot.mouseClick(panel.practice_box, Qt.MouseButton.LeftButton)
        assert not window.context.practice.enabled and not action.isChecked()
    finally:
        window.close()


def test_the_mode_set_in_the_menu_survives_a_session(qtbot, tmp_path):
    path = tmp_path / "practice.kscope.json"
    window = make_window(qtbot, tmp_path / "one")
    try:
        window.page("layers")  # built: its panel saves the mode
        practice_action(window).trigger()
        assert window.sessions.save_to(path)
    finally:
        window.close()

    again = make_window(qtbot, tmp_path / "two")
    try:
        action = practice_action(again)
        assert not action.isChecked()
        assert again.sessions.open_file(path)
        again.show_tab("layers")
        qtbot.waitUntil(lambda: again.context.practice.enabled)
        assert action.isChecked()
        assert again.page("layers").tutor.check_panel.practice_box.isChecked()
        action.trigger()
        saved = tmp_path / "off.kscope.json"
        assert again.sessions.save_to(saved)
    finally:
        again.close()

    third = make_window(qtbot, tmp_path / "three")
    try:
        third.context.practice.set_enabled(True)
        assert practice_action(third).isChecked()
        assert third.sessions.open_file(saved)
        third.show_tab("layers")
        qtbot.waitUntil(lambda: not third.context.practice.enabled)
        assert not practice_action(third).isChecked()
    finally:
        third.close()


def _only(key: str):
    return tuple(spec for spec in TABS if spec.key == key)


@pytest.mark.parametrize(
    ("key", "panel_of", "topic"),
    [
        ("matrix", lambda tab: tab.tutor.check_panel, "convolution_valid"),
        ("loss", lambda tab: tab.tutor.softmax_check, "softmax_jacobian"),
    ],
)
def test_view_practice_mode_in_the_matrix_and_loss_tabs(qtbot, tmp_path, key, panel_of, topic):
    window = MainWindow(tabs=_only(key), data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        tab = window.page(key)
        window.show_tab(key)
        panel = panel_of(tab)
        if key == "matrix":
            tab.bottom.setCurrentWidget(panel)
        else:
            tab.softmax_panel.views.setCurrentWidget(panel)
        panel.load_exercise(topic, 12, 2)
        assert visible_placeholders(tab) == 0
        practice_action(window).trigger()
        assert panel.answer_hidden and visible_placeholders(tab) >= 1
        if key == "matrix":
            assert not any(card.isVisible() for card in tab.panels)
        qtbot.mouseClick(panel.show_answer_button, Qt.MouseButton.LeftButton)
        assert not panel.answer_hidden and visible_placeholders(tab) == 0
        if key == "matrix":
            assert all(card.isVisible() for card in tab.panels)
        panel.load_exercise(topic, 13, 2)
        assert panel.answer_hidden and visible_placeholders(tab) >= 1
        practice_action(window).trigger()
        assert not window.context.practice.enabled and visible_placeholders(tab) == 0
    finally:
        window.close()  # shuts its tabs down


MATRIX_AND_LAYERS = tuple(spec for spec in TABS if spec.key in ("matrix", "layers"))


def _saved_with_practice(qtbot, tmp_path, enabled: bool):
    path = tmp_path / f"practice-{enabled}.kscope.json"
    window = MainWindow(tabs=MATRIX_AND_LAYERS, data_dir=tmp_path / f"save-{enabled}")
    qtbot.addWidget(window)
    try:
        window.page("matrix")
        window.page("layers")
        window.context.practice.set_enabled(enabled)
        assert window.sessions.save_to(path)
    finally:
        window.close()
    return path


def test_a_tab_built_later_does_not_undo_a_switch_made_since_the_session_opened(qtbot, tmp_path):
    path = _saved_with_practice(qtbot, tmp_path, True)
    window = MainWindow(tabs=MATRIX_AND_LAYERS, data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    try:
        assert window.sessions.open_file(path)
        window.show_tab("matrix")
        assert window.is_built("matrix") and not window.is_built("layers")
        action = practice_action(window)
        assert window.context.practice.enabled and action.isChecked()
        action.trigger()  # the user switches it off before Layer sizes is built
        layers = window.page("layers")  # built now (idle time), restoring "practice: on"
        assert not window.context.practice.enabled and not action.isChecked()
        assert not layers.tutor.check_panel.practice_box.isChecked()
        assert not layers.tutor.check_panel.answer_hidden  # nothing hidden in its page
        assert window.sessions.open_file(path)  # opening the session again applies its mode
        assert window.context.practice.enabled and action.isChecked()
    finally:
        window.close()


def test_a_session_opened_before_any_tutor_tab_is_built_still_applies_its_mode(qtbot, tmp_path):
    path = _saved_with_practice(qtbot, tmp_path, False)
    window = MainWindow(tabs=MATRIX_AND_LAYERS, data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    try:
        practice_action(window).trigger()  # on, with no tab built yet
        assert window.context.practice.enabled
        assert window.sessions.open_file(path)
        window.page("layers")
        window.page("matrix")
        assert not window.context.practice.enabled
        assert not practice_action(window).isChecked()
    finally:
        window.close()
