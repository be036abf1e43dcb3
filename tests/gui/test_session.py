"""Sessions in one process: autosave, Save As / Open, start-up restore, recovery, bad files.

Tests of the real tabs use ``main_window``; tests of the session machinery use ``light_window``
(tabs holding one line of text each, see ``conftest.py``), which builds in milliseconds.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer

from engine.storage import SESSION_KIND, write_document
from gui.session_files import process_command_line, process_start_ticks
from gui.tab_registry import TABS

ROOT = Path(__file__).resolve().parents[2]


def _doc(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _type(window, key: str, text: str) -> None:
    window.page(key).set_text(text)


def _text(window, key: str) -> str:
    return window.page(key).edit.text()


# --- the real tabs ------------------------------------------------------------------------------
def test_session_holds_every_tab_the_current_tab_and_geometry(main_window):
    data = main_window.sessions.collect()
    assert set(data["tabs"]) == {spec.key for spec in TABS}
    assert data["current_tab"] == TABS[0].key
    assert base64.b64decode(data["geometry"], validate=True)
    assert main_window.data_dir.name == "pytest-qt-qapp"  # QStandardPaths' app-data folder


def test_every_real_tab_state_survives_a_session_file_round_trip(main_window, tmp_path):
    before = {spec.key: main_window.page(spec.key).save_state() for spec in TABS}
    plain = json.loads(json.dumps(before))
    path = tmp_path / "s.json"
    assert main_window.sessions.save_to(path)
    assert _doc(path)["data"]["tabs"] == plain
    assert main_window.sessions.open_file(path)
    after = {spec.key: main_window.page(spec.key).save_state() for spec in TABS}
    assert json.loads(json.dumps(after)) == plain


def test_garbage_states_for_the_real_tabs_do_not_stop_a_session_from_opening(main_window, tmp_path):
    path = tmp_path / "odd.json"
    tabs = {spec.key: {"bogus": [1, "x", None], "rows": "many", "source": 7} for spec in TABS}
    tabs["no_such_tab"] = {}
    write_document(path, SESSION_KIND, 1, {"tabs": tabs, "current_tab": "layers"})
    assert main_window.sessions.open_file(path)
    assert main_window.tab_widget.currentWidget() is main_window.page("layers")
    assert "unknown tab 'no_such_tab'" in main_window.statusBar().currentMessage()


def test_app_data_and_qsettings_land_in_this_tests_home(main_window, _isolated_app_data):
    assert main_window.data_dir.is_relative_to(_isolated_app_data)
    for settings in (
        QSettings("KernelScope", "KernelScope"),
        QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "K", "K"),
    ):
        assert settings.fileName().startswith(str(_isolated_app_data))


# --- autosave -----------------------------------------------------------------------------------
def test_an_edit_autosaves_after_a_pause(light_window, qtbot):
    window = light_window()
    sessions = window.sessions
    assert not sessions.autosave_pending
    _type(window, "loss", "λ = 0.1")
    assert sessions.autosave_pending
    with qtbot.waitSignal(sessions.autosaved, timeout=5000):
        pass
    assert _doc(sessions.autosave_path)["data"]["tabs"]["loss"] == {"text": "λ = 0.1"}


def test_edits_in_quick_succession_write_once(light_window, qtbot):
    window = light_window()
    written = []
    window.sessions.autosaved.connect(written.append)
    for n in range(20):
        _type(window, "matrix", str(n))
    with qtbot.waitSignal(window.sessions.autosaved, timeout=5000):
        pass
    assert written == [str(window.sessions.autosave_path)]
    assert _doc(window.sessions.autosave_path)["data"]["tabs"]["matrix"] == {"text": "19"}


def test_changes_that_never_pause_cannot_postpone_the_autosave_forever(light_window, qtbot):
    window = light_window()
    sessions = window.sessions
    sessions.delay_ms, sessions.max_delay_ms = 200, 600
    page = window.page("gallery")
    ticker = QTimer(window)  # a change every 50 ms, like a slider held down
    ticker.timeout.connect(lambda: page.set_text(str(page.stack.count())))
    ticker.start(50)
    with qtbot.waitSignal(sessions.autosaved, timeout=5000):
        pass
    ticker.stop()  # without the cap the debounce would restart every 50 ms and never save


def test_typing_in_a_tab_is_autosaved(light_window, qtbot):
    window = light_window()
    edit = window.page("matrix").edit
    edit.setFocus()
    with qtbot.waitSignal(window.sessions.autosaved, timeout=5000):
        qtbot.keyClicks(edit, "3 1 4")
    assert _doc(window.sessions.autosave_path)["data"]["tabs"]["matrix"] == {"text": "3 1 4"}


def test_switching_tabs_is_autosaved(light_window, qtbot):
    window = light_window()
    with qtbot.waitSignal(window.sessions.autosaved, timeout=5000):
        window.show_tab("layers")
    assert _doc(window.sessions.autosave_path)["data"]["current_tab"] == "layers"


def test_a_failed_autosave_is_reported_in_the_status_bar(light_window):
    window = light_window()
    window.sessions.autosave_path.mkdir(parents=True)  # a folder where the file should go
    failures = []
    window.sessions.save_failed.connect(failures.append)
    assert not window.sessions.autosave_now()
    message = window.statusBar().currentMessage()
    assert "Could not write the autosave file" in message and "previous file is kept" in message
    assert failures == [message]
    window.sessions.autosave_path.rmdir()  # room again: the window can close without asking


# --- Save As / Open -------------------------------------------------------------------------------
def test_save_as_then_open_restores_the_work_and_is_in_recent(light_window, tmp_path):
    window = light_window()
    path = tmp_path / "lesson.kscope.json"
    _type(window, "matrix", "[[1, 2], [3, 4]]")
    window.show_tab("loss")
    assert window.menus.save_session_as(path)
    assert "Session saved" in window.statusBar().currentMessage()
    _type(window, "matrix", "something else")
    window.show_tab("matrix")
    assert window.menus.open_session(path)
    assert _text(window, "matrix") == "[[1, 2], [3, 4]]"
    assert window.tab_widget.currentWidget() is window.page("loss")
    assert window.sessions.session_path == path
    assert window.windowTitle() == "lesson.kscope.json — KernelScope"
    assert window.settings.recent()[0] == {"path": str(path.resolve()), "kind": "session"}
    window.menus.rebuild_recent_menu()
    entry = (
        window.menus.actions["actionQuit"]
        .parent()
        .findChild(type(window.menus.actions["actionQuit"]), "actionRecent1")
    )
    assert entry is not None and "lesson.kscope.json" in entry.text()


def test_opening_a_damaged_session_leaves_the_users_file_as_it_is_and_says_so(
    light_window, tmp_path
):
    window = light_window()
    path = tmp_path / "broken.json"
    path.write_text("{ this is not json")
    _type(window, "layers", "my work")
    assert not window.menus.open_session(path)
    assert path.read_text() == "{ this is not json"  # never renamed: the user named it
    assert [p.name for p in tmp_path.iterdir()] == ["broken.json"]
    bar = window.message_bar
    assert bar.isVisible() and "damaged" in bar.label.text()
    assert "not valid JSON" in bar.label.text() and "left as it is" in bar.label.text()
    assert _text(window, "layers") == "my work"  # last good state kept
    assert window.settings.recent() == []


def test_opening_a_missing_session_says_not_found(light_window, tmp_path):
    window = light_window()
    assert not window.menus.open_session(tmp_path / "gone.json")
    assert "not found" in window.statusBar().currentMessage()


# --- start-up -------------------------------------------------------------------------------------
def test_start_restores_the_work_of_a_clean_exit(light_window):
    first = light_window()
    first.sessions.start()
    _type(first, "gallery", "photo.png")
    first.show_tab("loss")
    first.close()  # clean exit: autosave written, marker removed
    assert not first.sessions.marker_path.exists()
    second = light_window()
    second.sessions.start(restore="ask")
    assert _text(second, "gallery") == "photo.png"
    assert second.tab_widget.currentWidget() is second.page("loss")
    assert not second.message_bar.isVisible()
    assert "Restored the last session" in second.statusBar().currentMessage()


def test_after_a_crash_the_autosave_is_offered_and_restored_on_request(light_window, qtbot):
    first = light_window()
    first.sessions.start()
    _type(first, "layers", "conv 3x3, 64")
    assert first.sessions.autosave_now()
    crashed_marker = first.sessions.marker_path.read_bytes()
    first.close()
    first.sessions.marker_path.write_bytes(crashed_marker)  # as if killed before closing
    second = light_window()
    second.sessions.start(restore="ask")
    bar = second.message_bar
    assert bar.isVisible() and "did not close cleanly" in bar.label.text()
    assert _text(second, "layers") == ""  # nothing applied behind the user's back
    assert _doc(second.sessions.recovery_path)["data"]["tabs"]["layers"] == {"text": "conv 3x3, 64"}
    qtbot.mouseClick(bar.buttons["restoreButton"], Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    assert _text(second, "layers") == "conv 3x3, 64"
    assert "Recovered" in second.statusBar().currentMessage()


@pytest.mark.parametrize(("restore", "expected"), [("yes", "kept"), ("no", "")])
def test_restore_yes_and_no_decide_without_asking(light_window, restore, expected):
    first = light_window()
    first.sessions.start()
    _type(first, "loss", "kept")
    assert first.sessions.autosave_now()  # the marker stays: a crash
    second = light_window()
    second.sessions.start(restore=restore)
    assert _text(second, "loss") == expected
    assert not second.message_bar.isVisible()


OTHER_INSTANCE = (
    "import sys; from pathlib import Path; from gui.session_files import marker_text; "
    "Path(sys.argv[1]).write_text(marker_text()); print('ready', flush=True); sys.stdin.read()"
)


@pytest.fixture
def other_process(tmp_path):
    """Factory: a live child process that writes its own running marker to ``path``."""
    children = []

    def start(path):
        child = subprocess.Popen(
            [sys.executable, "-c", OTHER_INSTANCE, str(path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        assert child.stdout.readline().strip() == "ready"
        return child

    yield start
    for child in children:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()


def test_a_marker_of_a_running_instance_is_not_taken_for_a_crash(light_window, other_process):
    first = light_window()
    first.sessions.start()
    _type(first, "matrix", "shared")
    assert first.sessions.autosave_now()
    other_process(first.sessions.marker_path)  # alive, and it wrote this marker itself
    second = light_window()
    assert second.sessions.other_instance_running()
    assert not second.sessions.previous_run_crashed
    second.sessions.start(restore="ask")
    assert "restoreButton" not in second.message_bar.buttons  # no recovery offer
    assert _text(second, "matrix") == "shared"
    assert "Another KernelScope is running" in second.message_bar.label.text()


@pytest.fixture
def unrelated_process():
    """A live process that is certainly not KernelScope: ``cat`` waiting for its input.

    Its command line is just ``cat``. The earlier child, ``python -c <script> <marker path>``,
    was judged by a command line holding the interpreter's and the test folder's paths, so where
    the tests ran (a checkout or venv named kernelscope) decided the outcome, and the child's
    Python start-up was part of every run of the test.
    """
    child = subprocess.Popen([shutil.which("cat") or "cat"], stdin=subprocess.PIPE)
    yield child
    child.stdin.close()
    child.wait(timeout=30)


@pytest.mark.parametrize("marker", ["reused", "old format"])
def test_a_stale_marker_whose_pid_now_belongs_to_another_program_is_a_crash(
    light_window, unrelated_process, marker
):
    first = light_window()
    first.sessions.start()
    _type(first, "matrix", "crashed work")
    assert first.sessions.autosave_now()
    pid = unrelated_process.pid  # alive (Popen returns after its exec), but not KernelScope
    assert process_command_line(pid) == [shutil.which("cat") or "cat"]
    if marker == "reused":  # the same PID, started at another time
        start = f" start {process_start_ticks(pid) - 1}"
    else:  # no start time: judged by its command line
        start = ""
    first.sessions.marker_path.write_text(f"pid {pid}{start} started Mon Jan  1 00:00:00 2024\n")
    second = light_window()
    assert not second.sessions.other_instance_running()
    assert second.sessions.previous_run_crashed
    second.sessions.start(restore="ask")
    assert "restoreButton" in second.message_bar.buttons
    assert "Another KernelScope" not in second.message_bar.label.text()


def test_corrupt_autosave_at_start_is_moved_aside_and_defaults_are_used(light_window, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "autosave.json").write_text('{"kind": "kernelscope-session", "version": 1, "da')
    window = light_window()
    window.sessions.start()
    assert not (data / "autosave.json").exists()
    assert len(list(data.glob("autosave.corrupt-*.json"))) == 1
    assert window.message_bar.isVisible()
    assert "starting with defaults" in window.message_bar.label.text()
    assert window.tab_widget.currentWidget() is window.page(TABS[0].key)


def test_future_version_autosave_is_kept_as_backup(light_window, tmp_path):
    data = tmp_path / "data"
    write_document(data / "autosave.json", SESSION_KIND, 7, {"tabs": {}})
    window = light_window()
    window.sessions.start()
    assert len(list(data.glob("autosave.future-*.json"))) == 1
    assert "newer KernelScope" in window.statusBar().currentMessage()


def test_corrupt_settings_are_moved_aside_and_the_window_says_so(light_window, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text("theme = dark")  # an INI file is not our JSON
    window = light_window()
    assert window.settings.theme == "system"
    assert len(list(data.glob("settings.corrupt-*.json"))) == 1
    assert "settings file" in window.message_bar.label.text()


def test_clean_finish_removes_the_running_marker(light_window):
    window = light_window()
    window.sessions.start()
    assert window.sessions.marker_path.exists()
    window.close()
    assert not window.sessions.marker_path.exists()
    assert _doc(window.sessions.autosave_path)["data"]["current_tab"] == TABS[0].key


def test_bad_restore_choice_is_refused(light_window):
    with pytest.raises(ValueError, match="restore"):
        light_window().sessions.start(restore="maybe")
