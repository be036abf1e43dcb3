"""The global exception hook: a non-modal dialog with "Copy details", a log file, no exit."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication


def _raise(exc):
    try:
        raise exc
    except Exception as caught:  # noqa: BLE001 - we want the real traceback object
        return type(caught), caught, caught.__traceback__


def test_an_error_shows_a_non_modal_dialog_and_is_logged(light_window, qtbot):
    main_window = light_window()
    reporter = main_window.errors
    with qtbot.waitSignal(reporter.error_reported, timeout=3000) as blocker:
        reporter.excepthook(*_raise(ValueError("kernel has NaN")))
    assert blocker.args[0] == "ValueError: kernel has NaN"
    dialog = reporter.dialog
    qtbot.waitExposed(dialog)
    assert not dialog.isModal()
    assert "ValueError: kernel has NaN" in dialog.message.text()
    assert "Traceback (most recent call last)" in dialog.details.toPlainText()
    log = reporter.log_path.read_text(encoding="utf-8")
    assert reporter.log_path.is_relative_to(main_window.data_dir)
    assert "ValueError: kernel has NaN" in log and "Traceback" in log
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert "ValueError: kernel has NaN" in QGuiApplication.clipboard().text()
    assert main_window.isVisible()  # the app keeps running


def test_more_errors_go_into_the_open_dialog_instead_of_stacking(light_window, qtbot):
    main_window = light_window()
    reporter = main_window.errors
    for n in range(3):
        with qtbot.waitSignal(reporter.error_reported, timeout=3000):
            reporter.excepthook(*_raise(RuntimeError(f"paint failed {n}")))
    dialogs = [w for w in main_window.findChildren(type(reporter.dialog)) if w.isVisible()]
    assert len(dialogs) == 1
    reporter.dialog.flush()
    assert "3 errors so far" in reporter.dialog.message.text()
    assert reporter.dialog.details.toPlainText().count("RuntimeError: paint failed") == 3


def test_worker_thread_errors_reach_the_dialog_through_the_gui_thread(light_window, qtbot):
    main_window = light_window()
    reporter = main_window.errors
    reporter.install()
    try:
        assert threading.excepthook == reporter.thread_excepthook
        assert sys.excepthook == reporter.excepthook

        def fail():
            raise OSError("camera vanished")

        worker = threading.Thread(target=fail, name="capture-thread")
        with qtbot.waitSignal(reporter.error_reported, timeout=5000) as blocker:
            worker.start()
        worker.join()
    finally:
        reporter.uninstall()
    assert threading.excepthook != reporter.thread_excepthook
    assert blocker.args[0] == "OSError in capture-thread: camera vanished"
    assert reporter.dialog.isVisible()


def test_ctrl_c_keeps_its_usual_meaning(light_window, capsys):
    main_window = light_window()
    main_window.errors.excepthook(*_raise_keyboard_interrupt())
    assert main_window.errors.dialog is None
    assert "KeyboardInterrupt" in capsys.readouterr().err


def _raise_keyboard_interrupt():
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as caught:
        return type(caught), caught, caught.__traceback__


def test_closing_the_window_closes_the_error_dialog(light_window, qtbot):
    main_window = light_window()
    with qtbot.waitSignal(main_window.errors.error_reported, timeout=3000):
        main_window.errors.excepthook(*_raise(ZeroDivisionError("x")))
    dialog = main_window.errors.dialog
    main_window.close()
    assert not dialog.isVisible()


@pytest.mark.parametrize("size", [0, 2_000_000])
def test_a_large_log_is_rotated_not_grown_forever(light_window, qtbot, size):
    main_window = light_window()
    log = main_window.errors.log_path
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("x" * size)
    with qtbot.waitSignal(main_window.errors.error_reported, timeout=3000):
        main_window.errors.excepthook(*_raise(ValueError("after rotation")))
    assert "after rotation" in log.read_text()
    assert log.with_suffix(".log.1").exists() == (size > 0)


def test_a_burst_of_two_thousand_errors_is_coalesced_into_one_entry(light_window, qtbot):
    main_window = light_window()
    reporter = main_window.errors
    received = []
    reporter.error_reported.connect(lambda summary, _details: received.append(summary))
    for _ in range(2000):
        reporter.excepthook(*_raise(RuntimeError("paint failed")))
    reporter.excepthook(*_raise(KeyError("other")))
    qtbot.waitUntil(lambda: len(received) == 2001, timeout=60_000)
    dialog = reporter.dialog
    dialog.flush()
    text = dialog.details.toPlainText()
    assert text.count("RuntimeError: paint failed") == 1
    assert "(the same error 1,999 more times)" in text
    assert text.count("KeyError: 'other'") == 1
    assert "2,001 errors so far" in dialog.message.text()
    assert len(text) < 5000  # kept small: one traceback per distinct error


def test_distinct_errors_beyond_the_cap_are_counted_not_kept(light_window, qtbot):
    from gui.error_reporting import MAX_SHOWN_ERRORS

    main_window = light_window()
    reporter = main_window.errors
    extra = 5
    for n in range(MAX_SHOWN_ERRORS + extra):
        with qtbot.waitSignal(reporter.error_reported, timeout=3000):
            reporter.excepthook(*_raise(ValueError(f"distinct {n}")))
    reporter.dialog.flush()
    text = reporter.dialog.details.toPlainText()
    assert f"ValueError: distinct {MAX_SHOWN_ERRORS - 1}" in text
    assert f"ValueError: distinct {MAX_SHOWN_ERRORS}\n" not in text
    assert f"… and {extra:,} more errors of other kinds" in text
