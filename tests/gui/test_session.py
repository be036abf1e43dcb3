"""Sessions in one process: autosave, Save As / Open, start-up restore, recovery, bad files."""

from __future__ import annotations

import base64
import json

import pytest
from PySide6.QtCore import Qt

from engine.session_file import SESSION_KIND, write_document
from gui.app import build_window
from gui.tab_registry import TABS


def _doc(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def fresh_window(qtbot, tmp_path):
    """Build a window on ``tmp_path / "data"``; returns a factory so tests can restart it."""
    windows = []

    def make(data_dir=None):
        window = build_window(data_dir or tmp_path / "data")
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def test_session_holds_every_tab_the_current_tab_and_geometry(main_window):
    data = main_window.sessions.collect()
    assert set(data["tabs"]) == {spec.key for spec in TABS}
    assert data["current_tab"] == TABS[0].key
    assert base64.b64decode(data["geometry"], validate=True)


def test_default_data_dir_lands_in_the_isolated_home(main_window, _isolated_app_data):
    assert main_window.data_dir.is_relative_to(_isolated_app_data)


def test_a_state_change_autosaves_after_a_pause(main_window, qtbot):
    sessions = main_window.sessions
    assert not sessions.autosave_pending
    main_window.page(TABS[-1].key).state_changed.emit()
    assert sessions.autosave_pending
    with qtbot.waitSignal(sessions.autosaved, timeout=5000):
        pass
    assert _doc(sessions.autosave_path)["kind"] == SESSION_KIND


def test_edits_in_quick_succession_write_once(main_window, qtbot):
    sessions = main_window.sessions
    written = []
    sessions.autosaved.connect(written.append)
    page = main_window.page(TABS[0].key)
    for _ in range(20):
        page.state_changed.emit()
    with qtbot.waitSignal(sessions.autosaved, timeout=5000):
        pass
    assert written == [str(sessions.autosave_path)]


def test_switching_tabs_is_autosaved(main_window, qtbot):
    main_window.show_tab("layers")
    with qtbot.waitSignal(main_window.sessions.autosaved, timeout=5000):
        pass
    assert _doc(main_window.sessions.autosave_path)["data"]["current_tab"] == "layers"


def test_save_as_then_open_restores_current_tab_and_is_in_recent(main_window, tmp_path):
    path = tmp_path / "lesson.kscope.json"
    main_window.show_tab("loss")
    assert main_window.menus.save_session_as(path)
    assert "Session saved" in main_window.statusBar().currentMessage()
    main_window.show_tab("matrix")
    assert main_window.menus.open_session(path)
    assert main_window.tab_widget.currentWidget() is main_window.page("loss")
    assert main_window.sessions.session_path == path
    recent = main_window.settings.recent()
    assert recent[0] == {"path": str(path.resolve()), "kind": "session"}
    main_window.menus.rebuild_recent_menu()
    entry = main_window.menus.recent_menu.findChild(
        type(main_window.menus.actions["actionQuit"]), "actionRecent1"
    )
    assert entry is not None and "lesson.kscope.json" in entry.text()


def test_every_tab_state_survives_a_session_file_round_trip(main_window, tmp_path):
    before = {spec.key: main_window.page(spec.key).save_state() for spec in TABS}
    plain = json.loads(json.dumps(before))
    path = tmp_path / "s.json"
    assert main_window.sessions.save_to(path)
    assert _doc(path)["data"]["tabs"] == plain
    assert main_window.sessions.open_file(path)
    after = {spec.key: main_window.page(spec.key).save_state() for spec in TABS}
    assert json.loads(json.dumps(after)) == plain


def test_garbage_tab_states_do_not_stop_a_session_from_opening(main_window, tmp_path):
    path = tmp_path / "odd.json"
    tabs = {spec.key: {"bogus": [1, "x", None], "rows": "many"} for spec in TABS}
    tabs["no_such_tab"] = {}
    write_document(path, SESSION_KIND, 1, {"tabs": tabs, "current_tab": "layers"})
    assert main_window.sessions.open_file(path)
    assert main_window.tab_widget.currentWidget() is main_window.page("layers")
    assert "unknown tab 'no_such_tab'" in main_window.statusBar().currentMessage()


def test_opening_a_damaged_session_moves_it_aside_and_says_so(main_window, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ this is not json")
    main_window.show_tab("layers")
    assert not main_window.menus.open_session(path)
    assert not path.exists()
    backups = list(tmp_path.glob("broken.corrupt-*.json"))
    assert len(backups) == 1 and backups[0].read_text() == "{ this is not json"
    bar = main_window.message_bar
    assert bar.isVisible() and "damaged" in bar.label.text() and backups[0].name in bar.label.text()
    assert main_window.tab_widget.currentWidget() is main_window.page("layers")
    assert main_window.settings.recent() == []


def test_opening_a_missing_session_says_not_found(main_window, tmp_path):
    assert not main_window.menus.open_session(tmp_path / "gone.json")
    assert "not found" in main_window.statusBar().currentMessage()


def test_start_restores_the_autosave_of_a_clean_exit(fresh_window):
    first = fresh_window()
    first.sessions.start()
    first.show_tab("loss")
    first.close()  # clean exit: autosave written, marker removed
    assert not first.sessions.marker_path.exists()
    second = fresh_window()
    second.sessions.start(restore="ask")
    assert second.tab_widget.currentWidget() is second.page("loss")
    assert not second.message_bar.isVisible()
    assert "Restored the last session" in second.statusBar().currentMessage()


def test_after_a_crash_the_autosave_is_offered_and_restored_on_request(fresh_window, qtbot):
    first = fresh_window()
    first.sessions.start()
    first.show_tab("layers")
    assert first.sessions.autosave_now()
    crashed_marker = first.sessions.marker_path.read_bytes()
    first.close()
    first.sessions.marker_path.write_bytes(crashed_marker)  # as if killed before closing
    second = fresh_window()
    second.show()
    second.sessions.start(restore="ask")
    bar = second.message_bar
    assert bar.isVisible() and "did not close cleanly" in bar.label.text()
    assert second.tab_widget.currentWidget() is second.page("matrix")  # nothing applied yet
    assert second.sessions.recovery_path.exists()
    qtbot.mouseClick(bar.buttons["restoreButton"], Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    assert second.tab_widget.currentWidget() is second.page("layers")
    assert "Recovered" in second.statusBar().currentMessage()


@pytest.mark.parametrize(("restore", "expected"), [("yes", "loss"), ("no", "matrix")])
def test_restore_yes_and_no_decide_without_asking(fresh_window, restore, expected):
    first = fresh_window()
    first.sessions.start()
    first.show_tab("loss")
    assert first.sessions.autosave_now()  # marker stays: a crash
    second = fresh_window()
    second.sessions.start(restore=restore)
    assert second.tab_widget.currentWidget() is second.page(expected)
    assert not second.message_bar.isVisible()


def test_corrupt_autosave_at_start_is_moved_aside_and_defaults_are_used(fresh_window, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "autosave.json").write_text('{"kind": "kernelscope-session", "version": 1, "da')
    window = fresh_window()
    window.show()
    window.sessions.start()
    assert not (data / "autosave.json").exists()
    assert len(list(data.glob("autosave.corrupt-*.json"))) == 1
    assert window.message_bar.isVisible()
    assert "starting with defaults" in window.message_bar.label.text()
    assert window.tab_widget.currentWidget() is window.page(TABS[0].key)


def test_future_version_autosave_is_kept_as_backup(fresh_window, tmp_path):
    data = tmp_path / "data"
    write_document(data / "autosave.json", SESSION_KIND, 7, {"tabs": {}})
    window = fresh_window()
    window.sessions.start()
    assert len(list(data.glob("autosave.future-*.json"))) == 1
    assert "newer KernelScope" in window.statusBar().currentMessage()


def test_corrupt_settings_are_moved_aside_and_the_window_says_so(fresh_window, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text("theme = dark")  # an INI file is not our JSON
    window = fresh_window()
    window.show()
    assert window.settings.theme == "system"
    assert len(list(data.glob("settings.corrupt-*.json"))) == 1
    assert "settings file" in window.message_bar.label.text()


def test_a_failed_autosave_is_reported_in_the_status_bar(main_window):
    main_window.sessions.autosave_path.mkdir(parents=True)  # a folder where the file should go
    failures = []
    main_window.sessions.save_failed.connect(failures.append)
    assert not main_window.sessions.autosave_now()
    message = main_window.statusBar().currentMessage()
    assert "Could not write the autosave file" in message and "previous file is kept" in message
    assert failures == [message]


def test_clean_finish_removes_the_running_marker(fresh_window):
    window = fresh_window()
    window.sessions.start()
    assert window.sessions.marker_path.exists()
    window.close()
    assert not window.sessions.marker_path.exists()
    assert _doc(window.sessions.autosave_path)["data"]["current_tab"] == TABS[0].key


def test_bad_restore_choice_is_refused(main_window):
    with pytest.raises(ValueError, match="restore"):
        main_window.sessions.start(restore="maybe")


def test_qsettings_of_any_tab_land_in_this_tests_home(_isolated_app_data):
    from PySide6.QtCore import QSettings

    for settings in (
        QSettings("KernelScope", "KernelScope"),
        QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "K", "K"),
    ):
        assert settings.fileName().startswith(str(_isolated_app_data))
