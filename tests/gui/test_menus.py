"""Menus and shortcuts: File, Edit (undo/redo/copy), View (full screen, tabs, theme), Help."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem, QWidget

from gui.tab_registry import TABS


def _action(window, name) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def test_menu_bar_has_file_edit_view_help(light_window):
    main_window = light_window()
    titles = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Help"]


SHORTCUTS = {
    "actionOpenImage": "Ctrl+O",
    "actionOpenSession": "Ctrl+Shift+O",
    "actionSaveSession": "Ctrl+S",
    "actionSaveSessionAs": "Ctrl+Shift+S",
    "actionQuit": "Ctrl+Q",
    "actionUndo": "Ctrl+Z",
    "actionRedo": "Ctrl+Shift+Z",
    "actionCopy": "Ctrl+C",
    "actionFullScreen": "F11",
    "actionTab_matrix": "Ctrl+1",
    "actionTab_gallery": "Ctrl+2",
    "actionTab_layers": "Ctrl+3",
    "actionTab_loss": "Ctrl+4",
    "actionTab_train": "Ctrl+5",
    "actionHelp": "F1",
}


def test_actions_have_their_shortcuts(light_window):
    main_window = light_window()
    missing = {
        name: keys
        for name, keys in SHORTCUTS.items()
        if keys not in [s.toString() for s in _action(main_window, name).shortcuts()]
    }
    assert not missing


def test_shortcuts_are_not_ambiguous(main_window):
    seen: dict[str, str] = {}
    for action in main_window.findChildren(QAction):
        for shortcut in action.shortcuts():
            key = shortcut.toString()
            assert key not in seen, f"{key} on {seen.get(key)} and {action.objectName()}"
            seen[key] = action.objectName()


def test_ctrl_number_switches_tabs(light_window, qtbot):
    main_window = light_window()
    for n, spec in enumerate(TABS, start=1):
        qtbot.keyClick(
            main_window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.ControlModifier
        )
        assert main_window.tab_widget.currentWidget() is main_window.page(spec.key)


def test_f11_toggles_full_screen_and_the_check_mark_follows(light_window, qtbot):
    main_window = light_window()
    action = _action(main_window, "actionFullScreen")
    action.trigger()
    qtbot.waitUntil(main_window.isFullScreen)
    qtbot.waitUntil(action.isChecked)
    action.trigger()
    qtbot.waitUntil(lambda: not main_window.isFullScreen())
    qtbot.waitUntil(lambda: not action.isChecked())


def test_undo_redo_follow_the_current_tabs_stack(light_window):
    window = light_window()
    undo, redo = _action(window, "actionUndo"), _action(window, "actionRedo")
    assert not undo.isEnabled() and not redo.isEnabled()
    window.page("matrix").set_text("5")
    assert undo.isEnabled() and undo.text() == "&Undo type '5'"
    window.show_tab("layers")  # another tab, another (empty) stack
    assert not undo.isEnabled()
    window.page("matrix").set_text("6")  # edits elsewhere do not touch this tab's actions
    assert not undo.isEnabled()
    window.show_tab("matrix")
    undo.trigger()
    assert window.page("matrix").edit.text() == "5" and redo.isEnabled()
    assert redo.text() == "&Redo type '6'"
    redo.trigger()
    assert window.page("matrix").edit.text() == "6"


def test_ctrl_z_undoes_in_the_current_tab(light_window, qtbot):
    window = light_window()
    window.page("loss").set_text("a")
    window.page("loss").set_text("b")
    window.show_tab("loss")
    window.tab_widget.tabBar().setFocus()
    qtbot.keyClick(window.tab_widget.tabBar(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.page("loss").edit.text() == "a"


def test_real_tabs_with_an_undo_stack_are_bound(main_window):
    undo = _action(main_window, "actionUndo")
    for spec in TABS:
        main_window.show_tab(spec.key)
        stack = main_window.page(spec.key).undo_stack()
        if isinstance(stack, QUndoStack):
            assert main_window.menus._stack is stack
            assert undo.isEnabled() == stack.canUndo()
        else:
            assert not undo.isEnabled()


def test_copy_puts_selected_table_cells_on_the_clipboard(light_window, qtbot):
    main_window = light_window()
    table = QTableWidget(2, 3)
    qtbot.addWidget(table)
    for r in range(2):
        for c in range(3):
            table.setItem(r, c, QTableWidgetItem(str(10 * r + c)))
    table.show()
    qtbot.waitExposed(table)
    table.activateWindow()
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    table.setRangeSelected(table.model().index(0, 1) and _range(0, 1, 1, 2), True)
    assert main_window.menus.copy()
    assert QGuiApplication.clipboard().text() == "1\t2\n11\t12"
    table.close()


def test_copy_lets_a_widget_with_copy_selection_format_its_own_text(main_window, qtbot):
    page = main_window.page("matrix")
    views = [
        w
        for w in page.findChildren(QWidget)
        if callable(getattr(w, "copy_selection", None)) and w.isVisible()
    ]
    assert views, "the matrix tab's tables format their own copies (copy_selection)"
    view = views[0]
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    if callable(getattr(view, "selectAll", None)):
        view.selectAll()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("")
    assert main_window.menus.copy()
    via_menu = clipboard.text()
    clipboard.setText("")
    view.copy_selection()
    assert via_menu and via_menu == clipboard.text()


def test_copy_with_nothing_copyable_focused_says_so(light_window, qtbot):
    main_window = light_window()
    plain = QWidget()
    plain.setObjectName("plainFocus")
    plain.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    qtbot.addWidget(plain)
    plain.show()
    qtbot.waitExposed(plain)
    plain.activateWindow()
    plain.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is plain)
    assert not main_window.menus.copy()
    assert main_window.statusBar().currentMessage() == "Nothing selected to copy"
    plain.close()


def _range(top, left, bottom, right):
    from PySide6.QtWidgets import QTableWidgetSelectionRange

    return QTableWidgetSelectionRange(top, left, bottom, right)


def test_about_lists_real_library_versions_and_copies_them(light_window, qtbot):
    main_window = light_window()
    import pyqtgraph
    import PySide6
    from PySide6.QtCore import qVersion

    _action(main_window, "actionAbout").trigger()
    dialog = main_window.menus.about_dialog
    qtbot.waitExposed(dialog)
    assert not dialog.isModal()
    text = dialog.versions.toPlainText()
    for expected in (
        f"Qt: {qVersion()}",
        f"PySide6: {PySide6.__version__}",
        f"OpenCV: {cv2.__version__}",
        f"numpy: {np.__version__}",
        f"pyqtgraph: {pyqtgraph.__version__}",
    ):
        assert expected in text
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == text
    dialog.close()


def test_help_explains_shortcuts_and_autosave(light_window, qtbot):
    main_window = light_window()
    _action(main_window, "actionHelp").trigger()
    dialog = main_window.menus.help_dialog
    qtbot.waitExposed(dialog)
    text = dialog.browser.toPlainText()
    assert "autosaved" in text and "Ctrl+1" in text and "F11" in text
    dialog.close()


@pytest.fixture
def keep_palette(qapp):
    palette = qapp.palette()
    yield
    qapp.setPalette(palette)


def test_theme_override_changes_the_palette_and_is_remembered(light_window, keep_palette):
    main_window = light_window()
    app = QApplication.instance()
    _action(main_window, "actionTheme_dark").trigger()
    assert app.palette().window().color().lightness() < 80
    assert app.palette().text().color().lightness() > 180
    assert main_window.settings.theme == "dark"
    assert '"theme": "dark"' in main_window.settings.path.read_text()
    _action(main_window, "actionTheme_light").trigger()
    assert app.palette().window().color().lightness() > 180
    _action(main_window, "actionTheme_system").trigger()
    assert (
        main_window.theme.mode == "system"
        and _action(main_window, "actionTheme_system").isChecked()
    )
    expected = (
        "dark" if QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
    )
    assert main_window.theme.scheme == expected


def test_theme_follows_a_system_change_only_in_system_mode(light_window, keep_palette):
    main_window = light_window()
    hints = QGuiApplication.styleHints()
    main_window.theme.set_mode("light")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # what the platform sends
    assert main_window.theme.scheme == "light"
    main_window.theme.set_mode("system")
    with pytest.raises(ValueError, match="mode"):
        main_window.theme.set_mode("purple")


def test_open_image_goes_to_the_gallery_or_is_disabled(main_window, tmp_path):
    action = _action(main_window, "actionOpenImage")
    page = main_window.page("gallery")
    assert action.isEnabled()
    good = tmp_path / "ramp.png"
    cv2.imwrite(str(good), np.tile(np.arange(64, dtype=np.uint8), (48, 1)))
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    main_window.show_tab("matrix")
    assert main_window.menus.open_image(good)
    assert main_window.tab_widget.currentWidget() is page
    assert main_window.settings.recent()[0] == {"path": str(good.resolve()), "kind": "image"}
    assert not main_window.menus.open_image(bad)
    assert [r["path"] for r in main_window.settings.recent()] == [str(good.resolve())]


def test_a_recent_file_that_has_gone_is_dropped_with_a_message(light_window, tmp_path):
    main_window = light_window()
    path = tmp_path / "old.kscope.json"
    assert main_window.menus.save_session_as(path)
    path.unlink()
    main_window.menus.rebuild_recent_menu()
    entry = main_window.menus.recent_menu.findChild(QAction, "actionRecent1")
    entry.trigger()
    assert "no longer exists" in main_window.statusBar().currentMessage()
    assert main_window.settings.recent() == []
    main_window.menus.rebuild_recent_menu()
    assert not main_window.menus.recent_menu.findChild(QAction, "actionClearRecent").isEnabled()


def test_standard_keys_resolve_on_this_platform():
    assert QKeySequence(QKeySequence.StandardKey.Open).toString() == "Ctrl+O"


def test_file_dialogs_start_in_the_folder_of_the_last_file_of_that_kind(light_window, tmp_path):
    window = light_window()
    assert Path(window.menus.start_folder("session")).is_dir()
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    assert window.menus.save_session_as(lessons / "week1.kscope.json")
    assert window.menus.start_folder("session") == str(lessons.resolve())
    assert window.menus.start_folder("image") != str(lessons.resolve())


def test_the_saved_theme_is_used_at_the_next_start(light_window, keep_palette, tmp_path):
    first = light_window()
    _action(first, "actionTheme_dark").trigger()
    first.close()
    second = light_window()
    assert second.theme.mode == "dark"
    assert _action(second, "actionTheme_dark").isChecked()
    assert second.theme.apply() == "dark"  # what main() does at start-up
    assert QApplication.instance().palette().window().color().lightness() < 80
