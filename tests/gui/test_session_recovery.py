"""Crashed work survives later crashes; --session keeps the autosave; orphan temporaries go;
the debounce is a debounce; Open session refuses newer files and asks before replacing edits;
a failed save at exit asks before closing.

Uses ``light_window`` (tabs of one line of text each, see ``conftest.py``). A "crash" is a
window closed without its clean finish: the running marker it wrote is put back.
"""

from __future__ import annotations

import json
import os
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from engine.storage import SESSION_KIND, write_document


def _doc(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _text(window, key):
    return window.page(key).edit.text()


def _crash(window):
    """End ``window`` as a kill -9 would: the autosave on disk, the running marker left."""
    marker = window.sessions.marker_path.read_bytes()
    window.request_quit()
    window.sessions.marker_path.write_bytes(marker)


def _crashed_run(light_window, key, text):
    """A run that types ``text`` into tab ``key``, autosaves it and crashes."""
    window = light_window()
    window.sessions.start()
    window.page(key).set_text(text)
    assert window.sessions.autosave_now()
    _crash(window)


def _clean_run(light_window, key, text):
    """A run that types ``text`` into tab ``key`` and closes cleanly (which saves it)."""
    window = light_window()
    window.sessions.start()
    window.page(key).set_text(text)
    window.close()


def test_crashed_work_survives_a_second_crash_until_restored(light_window, qtbot):
    _crashed_run(light_window, "layers", "conv 3x3, 64 — the real work")

    second = light_window()  # offered, not chosen; a tab switch autosaves defaults; crash
    second.sessions.start(restore="ask")
    assert "restoreButton" in second.message_bar.buttons
    with qtbot.waitSignal(second.sessions.autosaved, timeout=5000):
        second.show_tab("loss")
    assert _doc(second.sessions.autosave_path)["data"]["tabs"]["layers"] == {"text": ""}
    _crash(second)

    third = light_window()
    third.sessions.start(restore="ask")
    bar = third.message_bar
    assert "did not close cleanly" in bar.label.text()
    assert "autosave.crashed-" in bar.label.text()  # the second run's autosave is kept too
    qtbot.mouseClick(bar.buttons["restoreButton"], Qt.MouseButton.LeftButton)
    assert _text(third, "layers") == "conv 3x3, 64 — the real work"
    assert not third.sessions.recovery_path.exists()  # chosen: no longer pending
    assert _doc(third.sessions.autosave_path)["data"]["tabs"]["layers"] == {
        "text": "conv 3x3, 64 — the real work"
    }


def test_crashed_work_is_offered_after_a_clean_run_until_discarded(light_window, qtbot):
    _crashed_run(light_window, "matrix", "crashed work")
    second = light_window()
    second.sessions.start(restore="ask")
    qtbot.mouseClick(second.message_bar.buttons["messageBarClose"], Qt.MouseButton.LeftButton)
    second.close()  # a clean exit without a choice
    third = light_window()
    third.sessions.start(restore="ask")
    assert "still waiting" in third.message_bar.label.text()
    qtbot.mouseClick(third.message_bar.buttons["discardRecoveryButton"], Qt.MouseButton.LeftButton)
    assert not third.sessions.recovery_path.exists()
    third.close()
    fourth = light_window()
    fourth.sessions.start(restore="ask")
    assert "restoreButton" not in fourth.message_bar.buttons


def test_restore_no_keeps_the_crashed_work_for_a_later_start(light_window):
    _crashed_run(light_window, "loss", "λ = 3")
    second = light_window()
    second.sessions.start(restore="no")
    assert _text(second, "loss") == ""
    second.close()
    third = light_window()
    third.sessions.start(restore="ask")
    third.sessions.recover(third.sessions._pending_recovery())
    assert _text(third, "loss") == "λ = 3"


# --- --session FILE at start-up ---------------------------------------------------------------
def test_session_file_at_start_keeps_the_previous_autosave(light_window, tmp_path):
    _clean_run(light_window, "gallery", "last session")
    lesson = tmp_path / "lesson.json"
    write_document(lesson, SESSION_KIND, 1, {"tabs": {"gallery": {"text": "lesson"}}})
    second = light_window()
    second.sessions.start(session_file=lesson)
    assert _text(second, "gallery") == "lesson"
    backup = second.sessions.previous_path
    assert _doc(backup)["data"]["tabs"]["gallery"] == {"text": "last session"}


def test_a_damaged_session_file_at_start_offers_the_last_autosave(light_window, qtbot, tmp_path):
    _clean_run(light_window, "gallery", "last session")
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    second = light_window()
    second.sessions.start(session_file=broken)
    bar = second.message_bar
    assert "damaged" in bar.label.text() and "Restore the last autosaved session" in (
        bar.label.text()
    )
    qtbot.mouseClick(bar.buttons["restorePreviousButton"], Qt.MouseButton.LeftButton)
    assert _text(second, "gallery") == "last session"


def test_damaged_and_newer_session_files_named_at_start_are_left_as_they_are(
    light_window, tmp_path
):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    future = tmp_path / "future.json"
    write_document(future, SESSION_KIND, 99, {"tabs": {}})
    before = future.read_bytes()
    for path, words in ((broken, "damaged"), (future, "newer KernelScope")):
        window = light_window()
        window.sessions.start(session_file=path)
        text = window.message_bar.label.text()
        assert words in text and "left as it is" in text
        window.close()
    assert broken.read_text() == "{ not json" and future.read_bytes() == before  # not renamed
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "broken.json",
        "future.json",
    ]


def _lesson_file(tmp_path, name="lesson.json", text="lesson"):
    path = tmp_path / name
    write_document(path, SESSION_KIND, 1, {"tabs": {"gallery": {"text": text}}})
    return path


def test_unanswered_previous_work_survives_a_later_session_file_start(
    light_window, qtbot, tmp_path
):
    """Edit, quit; --session damaged.json, quit without answering; --session good.json: the
    defaults used to overwrite autosave.previous.json and the edit existed nowhere."""
    _clean_run(light_window, "gallery", "my edit")
    broken = tmp_path / "damaged.json"
    broken.write_text("{ not json")
    second = light_window()
    second.sessions.start(session_file=broken)
    assert "restorePreviousButton" in second.message_bar.buttons
    second.close()  # quit without answering: the defaults are autosaved
    third = light_window()
    third.sessions.start(session_file=_lesson_file(tmp_path))
    assert _text(third, "gallery") == "lesson"
    previous = third.sessions.previous_path
    assert _doc(previous)["data"]["tabs"]["gallery"] == {"text": "my edit"}
    bar = third.message_bar
    assert "autosave.previous.json" in bar.label.text()
    replaced = list(previous.parent.glob("autosave.replaced-*.json"))  # the defaults of run 2
    assert len(replaced) == 1 and replaced[0].name in bar.label.text()
    qtbot.mouseClick(bar.buttons["restorePreviousButton"], Qt.MouseButton.LeftButton)
    assert _text(third, "gallery") == "my edit"
    assert not previous.exists()  # decided: no longer pending
    assert third.sessions.session_path is None and third.windowTitle() == "KernelScope"
    assert _doc(third.sessions.autosave_path)["data"]["tabs"]["gallery"] == {"text": "my edit"}


def test_previous_work_is_offered_at_later_starts_until_discarded(light_window, qtbot, tmp_path):
    _clean_run(light_window, "layers", "before the lesson")
    second = light_window()
    second.sessions.start(session_file=_lesson_file(tmp_path))
    assert "restorePreviousButton" in second.message_bar.buttons
    second.close()
    third = light_window()  # a plain start: the lesson is restored, the earlier work offered
    third.sessions.start()
    assert _text(third, "gallery") == "lesson"
    assert "still kept" in third.message_bar.label.text()
    qtbot.mouseClick(third.message_bar.buttons["discardPreviousButton"], Qt.MouseButton.LeftButton)
    assert not third.sessions.previous_path.exists()
    third.close()
    fourth = light_window()
    fourth.sessions.start()
    assert "restorePreviousButton" not in fourth.message_bar.buttons
    assert _text(fourth, "gallery") == "lesson"


def test_restoring_previous_work_keeps_the_work_it_replaces(light_window, qtbot, tmp_path):
    _clean_run(light_window, "matrix", "older work")
    second = light_window()
    second.sessions.start(session_file=_lesson_file(tmp_path))
    second.page("gallery").set_text("lesson, edited")  # in no file but the autosave
    qtbot.mouseClick(second.message_bar.buttons["restorePreviousButton"], Qt.MouseButton.LeftButton)
    assert _text(second, "matrix") == "older work"
    kept = list(second.sessions.data_dir.glob("autosave.replaced-*.json"))
    assert len(kept) == 1 and _doc(kept[0])["data"]["tabs"]["gallery"] == {"text": "lesson, edited"}
    assert kept[0].name in second.statusBar().currentMessage()


def test_a_session_file_right_after_a_crash_still_offers_the_crashed_work(light_window, tmp_path):
    _crashed_run(light_window, "matrix", "crashed")
    lesson = tmp_path / "lesson.json"
    write_document(lesson, SESSION_KIND, 1, {"tabs": {"matrix": {"text": "lesson"}}})
    second = light_window()
    second.sessions.start(session_file=lesson)
    assert _text(second, "matrix") == "lesson"
    assert "restoreButton" in second.message_bar.buttons
    assert _doc(second.sessions.recovery_path)["data"]["tabs"]["matrix"] == {"text": "crashed"}


# --- orphan temporaries -----------------------------------------------------------------------
def test_orphan_temporaries_of_interrupted_saves_are_removed_at_start(light_window, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    old = data / ".autosave.json.abc123.tmp"
    old.write_bytes(b"x" * 1000)
    other = data / ".settings.json.ffff.tmp"
    other.write_bytes(b"{")
    past = time.time() - 3600
    for path in (old, other):
        os.utime(path, (past, past))
    fresh = data / ".autosave.json.new1.tmp"  # written after this instance started
    window = light_window()
    fresh.write_bytes(b"in flight")
    os.utime(fresh, (time.time() + 5, time.time() + 5))
    keep = data / "notes.tmp"  # not one of our temporaries (no leading dot)
    keep.write_text("mine")
    window.sessions.start()
    assert not old.exists() and not other.exists()
    assert fresh.exists() and keep.exists()


# --- the autosave debounce --------------------------------------------------------------------
def test_a_later_edit_pushes_the_autosave_back(light_window, qtbot):
    window = light_window()
    sessions = window.sessions
    sessions.delay_ms = 400
    page = window.page("matrix")
    written = []
    sessions.autosaved.connect(lambda _path: written.append(time.monotonic()))
    page.set_text("first")
    remaining_at_first = sessions._timer.remainingTime()
    qtbot.waitUntil(lambda: sessions._timer.remainingTime() < 200, timeout=2000)
    page.set_text("second")  # a debounce starts the quiet period again
    assert sessions._timer.remainingTime() > 300
    assert remaining_at_first > 300
    edited_at = time.monotonic()
    with qtbot.waitSignal(sessions.autosaved, timeout=3000):
        pass
    assert written and written[0] - edited_at >= 0.35
    assert _doc(sessions.autosave_path)["data"]["tabs"]["matrix"] == {"text": "second"}


# --- File ▸ Open session… -------------------------------------------------------------------------
def _answer_next_dialog(qtbot, act):
    """Run ``act(dialog)`` on the next modal dialog once it is shown (they block in exec())."""

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, poll)
            return
        act(dialog)

    QTimer.singleShot(0, poll)


def test_open_session_refuses_a_future_version_file(light_window, tmp_path):
    window = light_window()
    window.page("layers").set_text("mine")
    future = tmp_path / "from-the-future.json"
    write_document(future, SESSION_KIND, 99, {"tabs": {"layers": {"text": "theirs"}}})
    assert not window.menus.open_session(future)
    assert _text(window, "layers") == "mine"
    assert "newer KernelScope" in window.message_bar.label.text()
    assert window.settings.recent() == []


def _lesson(tmp_path):
    path = tmp_path / "lesson.json"
    write_document(path, SESSION_KIND, 1, {"tabs": {"matrix": {"text": "from file"}}})
    return path


def _click(name):
    return lambda box: box.findChild(type(box.buttons()[0]), name).click()


def test_open_session_with_unsaved_edits_asks_and_cancel_keeps_work_and_undo(
    light_window, qtbot, tmp_path
):
    window = light_window()
    window.sessions.start()
    window.page("matrix").set_text("unsaved edit")
    seen = []
    _answer_next_dialog(
        qtbot, lambda box: (seen.append(box.text()), _click("cancelOpenButton")(box))
    )
    assert not window.menus.open_session_checked(_lesson(tmp_path))
    assert "unsaved" in seen[0]
    assert _text(window, "matrix") == "unsaved edit"
    assert window.page("matrix").stack.canUndo()


def test_open_session_discard_replaces_the_edits(light_window, qtbot, tmp_path):
    window = light_window()
    window.sessions.start()
    window.page("matrix").set_text("unsaved edit")
    _answer_next_dialog(qtbot, _click("discardEditsButton"))
    assert window.menus.open_session_checked(_lesson(tmp_path))
    assert _text(window, "matrix") == "from file"


def test_open_session_save_writes_the_edits_first(light_window, qtbot, tmp_path):
    window = light_window()
    window.sessions.start()
    mine = tmp_path / "mine.json"
    assert window.menus.save_session_as(mine)
    window.page("matrix").set_text("second thoughts")
    _answer_next_dialog(qtbot, _click("saveEditsButton"))
    assert window.menus.open_session_checked(_lesson(tmp_path))
    assert _doc(mine)["data"]["tabs"]["matrix"] == {"text": "second thoughts"}
    assert _text(window, "matrix") == "from file"


def test_open_session_without_edits_does_not_ask(light_window, tmp_path):
    window = light_window()
    window.sessions.start()
    assert window.menus.open_session_checked(_lesson(tmp_path))  # would block if it asked
    assert _text(window, "matrix") == "from file"


# --- a failed save at exit ------------------------------------------------------------------------
def test_a_failed_save_at_exit_asks_and_can_save_elsewhere(light_window, qtbot, tmp_path):
    window = light_window()
    window.sessions.start()
    window.page("loss").set_text("precious")
    window.sessions.autosave_path.mkdir(parents=True)  # the autosave cannot be written
    texts = []

    def cancel(box):
        texts.append(box.text() + box.informativeText())
        box.findChild(type(box.buttons()[0]), "cancelCloseButton").click()

    _answer_next_dialog(qtbot, cancel)
    window.close()
    assert window.isVisible()  # cancelled: still open, nothing lost
    assert "could not save your work" in texts[0] and "Could not write the autosave" in texts[0]

    elsewhere = tmp_path / "elsewhere.kscope.json"

    def pick_file(dialog):
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(elsewhere))
        dialog.accept()

    def save_elsewhere(box):
        _answer_next_dialog(qtbot, pick_file)
        box.findChild(type(box.buttons()[0]), "saveElsewhereButton").click()

    _answer_next_dialog(qtbot, save_elsewhere)
    window.close()
    assert not window.isVisible()
    assert _doc(elsewhere)["data"]["tabs"]["loss"] == {"text": "precious"}
    assert window.sessions.marker_path.exists()  # the next start knows the exit was not clean


def test_quit_without_saving_closes_and_keeps_the_marker(light_window, qtbot):
    window = light_window()
    window.sessions.start()
    window.sessions.autosave_path.mkdir(parents=True)
    _answer_next_dialog(
        qtbot, lambda box: box.findChild(type(box.buttons()[0]), "quitWithoutSavingButton").click()
    )
    window.close()
    assert not window.isVisible()
    assert window.sessions.marker_path.exists()
