"""Menus and shortcuts: File, Edit (undo/redo/copy), View (full screen, tabs, theme), Help."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

from gui.tab_registry import TABS


def _action(window, name) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def test_menu_bar_has_file_edit_view_help(main_window):
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
    "actionHelp": "F1",
}


def test_actions_have_their_shortcuts(main_window):
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


def test_ctrl_number_switches_tabs(main_window, qtbot):
    for n, spec in enumerate(TABS, start=1):
        qtbot.keyClick(
            main_window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.ControlModifier
        )
        assert main_window.tab_widget.currentWidget() is main_window.page(spec.key)


def test_f11_toggles_full_screen_and_the_check_mark_follows(main_window, qtbot):
    action = _action(main_window, "actionFullScreen")
    action.trigger()
    qtbot.waitUntil(main_window.isFullScreen)
    qtbot.waitUntil(action.isChecked)
    action.trigger()
    qtbot.waitUntil(lambda: not main_window.isFullScreen())
    qtbot.waitUntil(lambda: not action.isChecked())


def test_undo_redo_follow_the_current_tabs_stack(main_window):
    undo, redo = _action(main_window, "actionUndo"), _action(main_window, "actionRedo")
    with_stack = [
        s.key for s in TABS if isinstance(main_window.page(s.key).undo_stack(), QUndoStack)
    ]
    without = [s.key for s in TABS if s.key not in with_stack]
    for key in without:
        main_window.show_tab(key)
        assert not undo.isEnabled() and not redo.isEnabled()
    if not with_stack:
        pytest.skip("no tab has an undo stack yet")
    key = with_stack[0]
    main_window.show_tab(key)
    stack = main_window.page(key).undo_stack()
    stack.clear()
    assert not undo.isEnabled()
    stack.push(QUndoCommand("type 5 in cell (1, 2)"))
    assert undo.isEnabled() and undo.text() == "&Undo type 5 in cell (1, 2)"
    undo.trigger()
    assert stack.index() == 0 and redo.isEnabled() and not undo.isEnabled()
    redo.trigger()
    assert stack.index() == 1
    if without:  # switching to a tab without a stack unbinds
        main_window.show_tab(without[0])
        assert not undo.isEnabled()
        stack.undo()
        assert not redo.isEnabled()


def test_copy_puts_selected_table_cells_on_the_clipboard(main_window, qtbot):
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


def _range(top, left, bottom, right):
    from PySide6.QtWidgets import QTableWidgetSelectionRange

    return QTableWidgetSelectionRange(top, left, bottom, right)


def test_about_lists_real_library_versions_and_copies_them(main_window, qtbot):
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


def test_help_explains_shortcuts_and_autosave(main_window, qtbot):
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


def test_theme_override_changes_the_palette_and_is_remembered(main_window, keep_palette):
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


def test_theme_follows_a_system_change_only_in_system_mode(main_window, keep_palette):
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
    if not hasattr(page, "open_image"):
        assert not action.isEnabled() or hasattr(page, "open_image_dialog")
        pytest.skip("the gallery has no open_image(path) yet")
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


def test_a_recent_file_that_has_gone_is_dropped_with_a_message(main_window, tmp_path):
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
