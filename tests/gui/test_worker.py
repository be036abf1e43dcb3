"""The cancellable job runner (gui/widgets/worker.py): results, failures, cancel, replacement
(stale signals dropped), progress coalescing, shutdown — real QThreads, no sleeps."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication, QThread

from gui.widgets import JobCancelled, JobRunner

WAIT = 10_000


@pytest.fixture
def runner(qapp):
    r = JobRunner(None, name="testRunner")
    yield r
    r.shutdown()
    assert r.thread_count == 0
    r.deleteLater()


class Recorder:
    """Every signal the runner re-emits, in order."""

    def __init__(self, runner: JobRunner) -> None:
        self.events: list[tuple] = []
        runner.progress.connect(lambda d, t, s: self.events.append(("progress", d, t, s)))
        runner.finished.connect(lambda r: self.events.append(("finished", r)))
        runner.failed.connect(lambda m: self.events.append(("failed", m)))
        runner.cancelled.connect(lambda: self.events.append(("cancelled",)))

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]

    def outcomes(self) -> list[tuple]:
        return [e for e in self.events if e[0] != "progress"]


def test_a_job_runs_off_the_gui_thread_and_hands_back_its_result(qtbot, runner):
    record = Recorder(runner)
    seen = {}

    def job(control):
        seen["thread"] = threading.get_ident()
        control.report(1, 2, "half")
        control.report(2, 2, "all")
        return 41 + 1

    with qtbot.waitSignal(runner.finished, timeout=WAIT) as blocker:
        assert runner.start(job) == 1
        assert runner.busy
    assert blocker.args == [42]
    assert seen["thread"] != threading.get_ident()
    assert record.events[-2:] == [("progress", 2, 2, "all"), ("finished", 42)]
    assert not runner.busy
    assert runner.thread_count == 0  # the thread has ended when ``finished`` arrives


def test_a_failing_job_gives_its_message_and_a_bug_names_its_type(qtbot, runner):
    def bad_value(_control):
        raise ValueError("images_path: x.gz is not an IDX file")

    with qtbot.waitSignal(runner.failed, timeout=WAIT) as blocker:
        runner.start(bad_value)
    assert blocker.args == ["images_path: x.gz is not an IDX file"]

    def bug(_control):
        return len(None)  # TypeError: a bug, not a message for the user

    with qtbot.waitSignal(runner.failed, timeout=WAIT) as blocker:
        runner.start(bug)
    assert blocker.args[0].startswith("unexpected error (TypeError")
    assert not runner.busy


def test_cancel_stops_a_job_at_its_next_check(qtbot, runner):
    record = Recorder(runner)
    entered = threading.Event()

    def job(control):
        entered.set()
        control.wait(60)  # a pause between steps that a cancel cuts short
        control.check()
        return "not reached"

    runner.start(job)
    assert entered.wait(WAIT / 1000)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
        assert runner.cancelling
    assert record.outcomes() == [("cancelled",)]
    assert not runner.busy and runner.thread_count == 0


def test_cancel_wins_over_a_result_that_comes_after_it(qtbot, runner):
    record = Recorder(runner)
    release = threading.Event()

    def job(control):
        release.wait(WAIT / 1000)
        control.report(5, 5, "done anyway")  # dropped: the job was cancelled
        return "late result"

    runner.start(job)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
        release.set()
    assert record.events == [("cancelled",)]


def test_a_new_job_replaces_the_old_one_and_the_old_ones_signals_are_dropped(qtbot, runner):
    record = Recorder(runner)
    release_old, release_new = threading.Event(), threading.Event()
    old_cancelled = []

    def old(control):
        release_old.wait(WAIT / 1000)
        old_cancelled.append(control.cancelled())
        control.report(9, 10, "old progress")
        return "old"  # ignores the cancel: its result must still be dropped

    def new(control):
        release_new.wait(WAIT / 1000)
        control.report(1, 1, "new progress")
        return "new"

    assert runner.start(old) == 1
    assert runner.start(new) == 2
    release_old.set()  # the old job ends while the new one is current
    qtbot.waitUntil(lambda: runner.thread_count == 1, timeout=WAIT)
    assert runner.busy and record.events == []
    with qtbot.waitSignal(runner.finished, timeout=WAIT) as blocker:
        release_new.set()
    assert blocker.args == ["new"]
    assert old_cancelled == [True]  # starting the new job asked the old one to stop
    assert record.events == [("progress", 1, 1, "new progress"), ("finished", "new")]


def test_a_job_that_raises_after_a_cancel_counts_as_cancelled(qtbot, runner):
    def job(control):
        control.wait(60)
        raise JobCancelled("stopped")

    runner.start(job)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()


def test_progress_is_coalesced_and_the_last_report_always_arrives(qtbot, runner):
    record = Recorder(runner)

    def job(control):
        for i in range(1, 20_001):
            control.report(i, 20_000, "step")
        return None

    with qtbot.waitSignal(runner.finished, timeout=WAIT):
        runner.start(job)
    reports = [e for e in record.events if e[0] == "progress"]
    assert 1 <= len(reports) < 2_000
    assert reports[-1] == ("progress", 20_000, 20_000, "step")


def test_shutdown_cancels_and_waits_for_every_thread_and_nothing_follows(qtbot, runner):
    record = Recorder(runner)
    entered = [threading.Event(), threading.Event()]

    def job(index):
        def run(control):
            entered[index].set()
            control.wait(60)
            return index

        return run

    runner.start(job(0))
    runner.start(job(1))  # the first is cancelled but may still be stopping
    assert all(e.wait(WAIT / 1000) for e in entered)
    runner.shutdown()
    assert runner.thread_count == 0 and not runner.busy
    QCoreApplication.processEvents()  # deliver whatever the threads had queued
    assert record.events == []


def test_cancel_pressed_after_the_job_ended_but_before_its_result_arrived_wins(qtbot, runner):
    record = Recorder(runner)
    runner.start(lambda _control: "done")
    assert runner._threads[0].wait(WAIT)  # noqa: SLF001 (ended; no events processed meanwhile)
    assert runner.busy  # the outcome is still queued: Cancel is still offered
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
    assert record.events == [("cancelled",)]


def test_a_cancelled_job_that_raises_its_own_exception_is_quiet(qtbot, runner, caplog):
    class LoaderStopped(Exception):  # like engine.train.LoadCancelled: not a JobCancelled
        pass

    def job(control):
        control.wait(60)
        raise LoaderStopped("the load was cancelled")

    runner.start(job)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
    assert "raised" not in caplog.text  # no traceback logged for a requested stop


def _stepping_job(steps: list[int], total: int = 10**9):
    def job(control):
        while len(steps) < total and control.checkpoint():
            steps.append(len(steps))
            control.report(len(steps), total, "step")
        return len(steps)

    return job


def test_pause_holds_a_job_at_its_checkpoint_and_resume_lets_it_go_on(qtbot, runner):
    steps: list[int] = []
    runner.start(_stepping_job(steps))
    qtbot.waitUntil(lambda: len(steps) > 10, timeout=WAIT)
    runner.pause()
    assert runner.paused
    qtbot.waitUntil(lambda: runner.holding, timeout=WAIT)
    held = len(steps)
    QCoreApplication.processEvents()
    assert len(steps) == held and runner.busy  # nothing moves while it is held
    runner.resume()
    assert not runner.paused
    qtbot.waitUntil(lambda: len(steps) > held + 10, timeout=WAIT)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()


def test_cancel_wakes_a_paused_job(qtbot, runner):
    steps: list[int] = []
    runner.start(_stepping_job(steps))
    runner.pause()
    qtbot.waitUntil(lambda: runner.holding, timeout=WAIT)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
    assert not runner.busy and not runner.paused


def test_every_published_item_arrives_in_order_before_the_outcome(qtbot, runner):
    # Published items are not coalesced like progress: a live curve needs every epoch.
    seen: list[object] = []
    runner.published.connect(seen.append)
    runner.finished.connect(lambda result: seen.append(("finished", result)))

    def job(control):
        for i in range(2_000):
            control.publish(i)  # far faster than one per PROGRESS_MS
            control.report(i, 2_000, "step")
        return "done"

    with qtbot.waitSignal(runner.finished, timeout=WAIT):
        runner.start(job)
    assert seen == [*range(2_000), ("finished", "done")]


def test_a_replaced_or_cancelled_jobs_published_items_are_dropped(qtbot, runner):
    seen: list[object] = []
    runner.published.connect(seen.append)
    release = threading.Event()

    def old(control):
        release.wait(WAIT / 1000)
        control.publish("old")  # after it was replaced: dropped
        return None

    def new(control):
        control.publish("new")
        control.wait(60)
        control.publish("after cancel")  # dropped: cancel wins
        return None

    runner.start(old)
    runner.start(new)
    release.set()
    qtbot.waitUntil(lambda: seen == ["new"], timeout=WAIT)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
    assert seen == ["new"]


def test_a_job_started_paused_does_nothing_after_its_first_checkpoint(qtbot, runner):
    steps: list[int] = []
    runner.start(_stepping_job(steps), paused=True)
    assert runner.paused
    qtbot.waitUntil(lambda: runner.holding, timeout=WAIT)
    assert steps == []  # held before its first step
    runner.resume()
    qtbot.waitUntil(lambda: len(steps) > 10, timeout=WAIT)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()


def test_shutdown_gives_up_on_a_job_blocked_where_no_check_reaches_it(qtbot, qapp):
    # Like a driver's read() of an unplugged camera: cancel cannot wake it.
    runner = JobRunner(None, name="blockedRunner", stop_timeout_ms=100)
    blocked, release = threading.Event(), threading.Event()
    record = Recorder(runner)

    def job(_control):
        blocked.set()
        release.wait(30)  # no control.wait: the cancel does not reach it
        return "late"

    runner.start(job)
    (thread,) = runner.findChildren(QThread)
    assert blocked.wait(WAIT / 1000)
    started = time.monotonic()
    runner.shutdown()
    waited = time.monotonic() - started
    release.set()
    assert not thread.isRunning() and runner.thread_count == 0
    assert waited < 5, waited  # not the 30 s the job would have taken
    QCoreApplication.processEvents()
    assert record.events == []
    runner.deleteLater()


def test_a_job_asleep_on_its_own_condition_is_woken_by_cancel(qtbot, runner):
    cond = threading.Condition()
    asleep = threading.Event()

    def job(control):
        def wake():
            with cond:
                cond.notify_all()

        control.on_cancel(wake)
        with cond:
            asleep.set()
            while not control.cancelled():
                if not cond.wait(2 * WAIT / 1000):  # bounded: a missed wake-up fails, not hangs
                    return "never woken"
        return "woken"

    runner.start(job)
    assert asleep.wait(WAIT / 1000)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.request_cancel()
    assert runner.thread_count == 0


def test_on_cancel_after_the_cancel_wakes_at_once(qtbot, runner):
    go = threading.Event()
    calls = []

    def job(control):
        go.wait(WAIT / 1000)
        control.on_cancel(lambda: calls.append(threading.get_ident()))
        return len(calls)

    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        runner.start(job)
        runner.request_cancel()
        go.set()
    assert len(calls) == 1 and calls[0] != threading.get_ident()  # in the job's own thread
