"""Tabs are built when first needed: only the first at start-up, the rest on show or when idle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gui.main_window import MainWindow
from gui.tab_registry import FIRST_RUN_TAB, TABS, PendingTab
from tests.gui.conftest import NOTE_TABS


def _window(qtbot, tmp_path, tabs=NOTE_TABS) -> MainWindow:
    # Not shown: no idle-time builds, so what is built is exactly what was asked for.
    window = MainWindow(tabs=tabs, data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    return window


def _built(window: MainWindow) -> list[str]:
    return [key for key in window.pages if window.is_built(key)]


def test_a_first_start_builds_only_the_tab_it_shows(qtbot, tmp_path):
    window = _window(qtbot, tmp_path, TABS)  # the real tabs, menus included
    assert _built(window) == []  # nothing is built before it is needed
    assert isinstance(window.pages[TABS[0].key], PendingTab)
    # tab titles and order are there before the tabs are
    titles = [window.tab_widget.tabText(i) for i in range(window.tab_widget.count())]
    assert titles == [spec.title for spec in TABS]
    window.show_tab(FIRST_RUN_TAB)  # as main() does on a first start
    window.show()  # no event loop has run: no idle-time build yet
    assert _built(window) == [FIRST_RUN_TAB]
    assert window.tab_widget.currentWidget() is window.pages[FIRST_RUN_TAB]
    window.shutdown()


def test_showing_builds_and_activates_the_current_tab(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    window.show()
    page = window.pages[TABS[0].key]
    assert window.is_built(TABS[0].key) and window.tab_widget.currentWidget() is page
    assert not window.is_built("loss")  # no event loop has run: no idle-time build yet
    # Edit ▸ Undo follows the tab built at show time
    assert not window.menus.actions["actionUndo"].isEnabled()
    page.set_text("first")
    assert window.menus.actions["actionUndo"].isEnabled()
    window.close()


def test_show_tab_and_page_build_on_demand_in_place(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    index = window.tab_widget.indexOf(window.pages["layers"])
    window.show_tab("layers")
    page = window.page("layers")
    assert not isinstance(page, PendingTab) and window.pages["layers"] is page
    assert window.tab_widget.currentWidget() is page
    assert window.tab_widget.indexOf(page) == index
    assert page.objectName() == "tab_layers"
    assert window.tab_widget.count() == len(TABS)
    # Edit ▸ Undo follows the newly built tab's undo stack
    page.set_text("hello")
    assert window.menus.actions["actionUndo"].isEnabled()
    window.menus.actions["actionUndo"].trigger()
    assert page.edit.text() == ""
    # page() of another tab builds it without showing it
    loss = window.page("loss")
    assert window.is_built("loss") and window.tab_widget.currentWidget() is page
    assert window.pages["loss"] is loss
    window.shutdown()


def test_an_unbuilt_tab_keeps_its_restored_state(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    notes = window.sessions.apply({"tabs": {"loss": {"text": "λ = 0.5"}}, "current_tab": None})
    assert notes == []
    assert not window.is_built("loss")
    data = window.sessions.collect()
    assert data["tabs"]["loss"] == {"text": "λ = 0.5"}
    assert not window.is_built("loss")  # saving did not need to build it
    # a second restore replaces the waiting state
    window.sessions.apply({"tabs": {"loss": {"text": "λ = 2"}}})
    page = window.page("loss")
    assert page.edit.text() == "λ = 2"
    assert page.save_state() == {"text": "λ = 2"}
    # edits in the newly built tab reach the autosave
    page.set_text("λ = 3")
    qtbot.waitUntil(lambda: window.sessions.autosave_path.exists(), timeout=5000)
    saved = json.loads(window.sessions.autosave_path.read_text(encoding="utf-8"))
    assert saved["data"]["tabs"]["loss"] == {"text": "λ = 3"}
    window.shutdown()


def test_saving_a_never_restored_unbuilt_tab_asks_the_real_tab(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    assert not window.is_built("layers")
    assert window.sessions.collect()["tabs"]["layers"] == {"text": ""}
    assert window.is_built("layers")
    window.shutdown()


def test_methods_asked_of_a_pending_tab_are_answered_by_the_real_tab(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    pending = window.pages["layers"]
    pending.set_text("via the placeholder")  # NoteTab.set_text: builds the real tab
    assert window.page("layers").edit.text() == "via the placeholder"
    assert not hasattr(pending, "_no_such_private_thing")
    window.shutdown()


def test_the_other_tabs_are_built_while_idle_after_showing(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: _built(window) == [spec.key for spec in TABS], timeout=10_000)
    assert not window.findChild(type(window._idle_builds), "idleTabBuilds").isActive()
    assert window.tab_widget.currentWidget() is window.page(TABS[0].key)
    window.close()


def test_closing_before_the_idle_builds_stops_them(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    window.show()
    window.close()  # saves the session (which builds what it must) and shuts every tab down
    assert not window._idle_builds.isActive()
    saved = json.loads(window.sessions.autosave_path.read_text(encoding="utf-8"))
    assert set(saved["data"]["tabs"]) == {spec.key for spec in TABS}


def test_entry_points_answer_without_building_and_exist_on_the_real_tabs(main_window):
    # Declared entry points must be real methods of the built tabs (the menus call them).
    for spec in TABS:
        page = main_window.page(spec.key)
        for name in spec.entry_points:
            assert callable(getattr(page, name)), (spec.key, name)


def test_calling_an_entry_point_builds_the_tab(qtbot, tmp_path):
    window = _window(qtbot, tmp_path, TABS)
    pending = window.pages["gallery"]
    assert isinstance(pending, PendingTab) and "open_image" in pending.spec.entry_points
    # File ▸ Open image is enabled at start-up without building the gallery
    assert window.menus.actions["actionOpenImage"].isEnabled()
    assert callable(pending.open_video) and not window.is_built("gallery")
    missing = tmp_path / "missing.png"
    assert pending.open_image(str(missing)) is False  # the real tab's answer
    assert window.is_built("gallery")
    assert "missing.png" in window.page("gallery").status_strip.message_label.text()
    window.shutdown()


_PYQTGRAPH_PROBE = """
import sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(["probe"])
from gui.app import build_window
window = build_window(Path(tempfile.mkdtemp()))
print("after start-up:", "pyqtgraph" in sys.modules)
window.page("gallery")
import pyqtgraph as pg
print("gallery built:", pg.getConfigOption("imageAxisOrder"))
window.shutdown()
"""


def test_pyqtgraph_is_imported_and_configured_only_with_a_tab_that_uses_it(tmp_path):
    # A fresh process: in this one pyqtgraph is long imported.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", _PYQTGRAPH_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert "after start-up: False" in result.stdout
    assert "gallery built: row-major" in result.stdout


def test_building_a_pyqtgraph_tab_applies_the_row_major_option(qtbot, tmp_path):
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="col-major")
    try:
        window = _window(qtbot, tmp_path, TABS)
        window.page("gallery")
        assert pg.getConfigOption("imageAxisOrder") == "row-major"
        window.shutdown()
    finally:
        pg.setConfigOptions(imageAxisOrder="row-major")
