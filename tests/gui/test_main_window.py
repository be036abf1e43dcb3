"""The main window: every registered tab builds, shows, and the window closes cleanly."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.tab_registry import TABS
from gui.widgets import TabPage


def test_window_title_and_tabs_in_registry_order(main_window):
    assert main_window.windowTitle() == "KernelScope"
    tabs = main_window.tab_widget
    shown = [tabs.tabText(i).replace("&&", "&") for i in range(tabs.count())]
    assert shown == [
        "Matrix & kernel",
        "Filter gallery",
        "Layer sizes",
        "Loss & regularisation",
        "Train",
    ]


@pytest.mark.parametrize("spec", TABS, ids=[s.key for s in TABS])
def test_each_tab_builds_and_shows(main_window, qtbot, spec):
    main_window.show_tab(spec.key)
    page = main_window.page(spec.key)
    assert isinstance(page, TabPage)
    assert page.objectName() == f"tab_{spec.key}"
    qtbot.waitUntil(page.isVisible)
    assert main_window.tab_widget.currentWidget() is page


def test_arrow_keys_on_the_tab_bar_visit_every_tab(main_window, qtbot):
    main_window.tab_widget.setCurrentIndex(0)
    bar = main_window.tab_widget.tabBar()
    visited = [main_window.tab_widget.currentWidget().objectName()]
    for _ in range(len(TABS) - 1):
        qtbot.keyClick(bar, Qt.Key.Key_Right)
        page = main_window.tab_widget.currentWidget()
        qtbot.waitUntil(page.isVisible)
        visited.append(page.objectName())
    assert visited == [f"tab_{s.key}" for s in TABS]


def test_quit_action_closes_window(main_window, qtbot):
    action = main_window.findChild(type(main_window.menuBar().actions()[0]), "actionQuit")
    assert action is not None
    with qtbot.waitSignal(main_window.closing, timeout=2000):
        action.trigger()
    assert not main_window.isVisible()


def test_status_requests_from_tabs_reach_status_bar(main_window):
    main_window.context.show_status("hello from a tab", 0)
    assert main_window.statusBar().currentMessage() == "hello from a tab"
