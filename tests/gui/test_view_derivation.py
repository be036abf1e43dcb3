"""View ▸ Check my derivation… (issue 19's "Tutor entry"): from any tab, the menu entry or
Ctrl+Shift+D shows the Loss tab's derivation checker; a window without the Loss tab has no
such entry."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from gui.main_window import MainWindow
from gui.tab_registry import TABS


def make_window(qtbot, tmp_path, keys: tuple[str, ...]) -> MainWindow:
    window = MainWindow(tabs=tuple(s for s in TABS if s.key in keys), data_dir=tmp_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # window-level shortcuts need the active window
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_the_entry_opens_the_derivation_checker_from_another_tab(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, ("layers", "loss"))
    window.show_tab("layers")
    action = window.findChild(QAction, "actionCheckDerivation")
    assert action is not None and action.shortcut().toString() == "Ctrl+Shift+D"
    action.trigger()
    loss = window.page("loss")
    assert window.tab_widget.currentWidget() is loss
    assert loss.sections.currentWidget() is loss.derivation_panel
    assert loss.derivation_panel.isVisible()


def test_the_shortcut_works_after_another_loss_section_was_chosen(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, ("layers", "loss"))
    loss = window.page("loss")
    loss.sections.setCurrentWidget(loss.ridge_panel)
    window.show_tab("layers")
    qtbot.keyClick(
        window,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.tab_widget.currentWidget() is loss)
    assert loss.sections.currentWidget() is loss.derivation_panel


def test_no_entry_without_the_loss_tab(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, ("layers",))
    assert window.findChild(QAction, "actionCheckDerivation") is None


def test_other_tabs_have_no_sections_to_show(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, ("layers", "loss"))
    assert not window.page("layers").show_section("derivation")
    assert not window.page("loss").show_section("no such section")
