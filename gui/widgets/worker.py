"""One way to run slow work off the GUI thread: a cancellable job runner.

A *job* is a plain function ``job(control) -> result``.  :meth:`JobRunner.start` runs it on a
``QThread`` of its own; the job reports with ``control.report(done, total, text)`` and polls
``control.cancelled()`` (or calls ``control.check()``, which raises :class:`JobCancelled`)
between steps.  A job that can pause calls ``control.checkpoint()`` between steps instead: it
blocks while :meth:`JobRunner.pause` holds it and returns ``False`` once cancelled.  A
long-running job that sleeps on a lock of its own (waiting for the next frame to classify)
registers a wake-up with ``control.on_cancel(wake)``, so a cancel or :meth:`JobRunner.shutdown`
reaches it there too.  The runner lives in the GUI thread and re-emits what the current job did:

- ``progress(done, total, text)`` — coalesced in the worker thread to one report every
  :data:`PROGRESS_MS` (the last report, ``done == total``, always goes through);
- ``published(item)`` — every object the job hands over with ``control.publish(item)``, none
  dropped, in order, before the job's outcome (a finished epoch for a live curve: what must
  not be coalesced away);
- ``finished(result)``, ``failed(message)`` or ``cancelled()`` — exactly one of them per job,
  after its thread has ended.

Rules that make it safe to use from widgets:

- **One current job.**  Starting a job while one runs cancels the old one; every signal carries
  the job's generation number and only the current generation's signals are re-emitted, so a
  replaced job can never overwrite newer results (its result is dropped even if it finishes).
- **Cancel wins.**  After :meth:`JobRunner.request_cancel` the job ends with ``cancelled`` —
  never ``finished`` or ``failed`` — whatever it returns or raises on the way out, even when it
  had already ended and only its outcome was still on the way to the GUI thread.
- **Nothing outlives its owner.**  :meth:`JobRunner.shutdown` cancels and waits for every
  thread the runner started (call it from the owner's ``closeEvent`` / ``shutdown``); it also
  runs on ``QCoreApplication.aboutToQuit``.  A ``QThread`` still running at exit aborts the
  process.  A job that can block where no check reaches it (a driver's ``read()`` of an
  unplugged camera) is given up on after ``stop_timeout_ms``: its thread is terminated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

#: Least time between two progress reports of one job (ms).
PROGRESS_MS = 50
#: The exceptions whose text is shown as it is (anything else is named with its type too).
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, OSError, MemoryError, KeyError)

_log = logging.getLogger(__name__)


class JobCancelled(Exception):  # noqa: N818 (a request, not an error)
    """Raised by :meth:`JobControl.check` once the job was asked to stop."""


class JobControl:
    """What a job sees: cancellation and progress (used from the worker thread)."""

    def __init__(self, thread: _JobThread, interval_ms: float) -> None:
        self._thread = thread
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._interval = interval_ms / 1000
        self._last = -float("inf")
        self._wakers: list[Callable[[], None]] = []
        self._wakers_lock = threading.Lock()
        #: True while the job is held at :meth:`checkpoint` by a pause (tests wait for it).
        self.holding = False

    def cancel(self) -> None:
        """Ask the job to stop at its next check (any thread); wakes a paused job and calls
        every wake-up registered with :meth:`on_cancel`."""
        self._cancel.set()
        self._running.set()
        with self._wakers_lock:
            wakers = list(self._wakers)
        for wake in wakers:
            wake()

    def on_cancel(self, wake: Callable[[], None]) -> None:
        """Call ``wake()`` when the job is cancelled — at once if it already is.

        For a job that blocks on a condition of its own: ``wake`` notifies that condition, and
        the job checks :meth:`cancelled` when it wakes.  ``wake`` runs in the thread that
        cancels (the GUI thread, or the job's own when it is already cancelled), so it must
        only take locks the job holds briefly.
        """
        with self._wakers_lock:
            self._wakers.append(wake)
        # After the append: a cancel from now on calls ``wake`` itself, an earlier one is seen.
        if self._cancel.is_set():
            wake()

    def pause(self) -> None:
        """Hold the job at its next :meth:`checkpoint` (any thread)."""
        if not self._cancel.is_set():
            self._running.clear()

    def resume(self) -> None:
        """Let a paused job go on."""
        self._running.set()

    @property
    def paused(self) -> bool:
        """Whether the job is asked to hold (between :meth:`pause` and :meth:`resume`)."""
        return not self._running.is_set()

    def checkpoint(self) -> bool:
        """Block while paused; then ``True`` to go on, ``False`` once cancelled (a job that
        can pause calls this between steps)."""
        if not self._running.is_set():
            self.holding = True
            self._running.wait()
            self.holding = False
        return not self._cancel.is_set()

    def cancelled(self) -> bool:
        """Whether the job was asked to stop."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`JobCancelled` if the job was asked to stop."""
        if self._cancel.is_set():
            raise JobCancelled("the job was cancelled")

    def wait(self, seconds: float) -> bool:
        """Block up to ``seconds`` (a job's pause between steps); ``True`` once cancelled."""
        return self._cancel.wait(seconds)

    def report(self, done: int, total: int, text: str = "") -> None:
        """Report ``done`` of ``total`` steps and what is happening (coalesced)."""
        now = time.monotonic()
        if done < total and now - self._last < self._interval:
            return
        self._last = now
        self._thread.reported.emit(self._thread.generation, int(done), int(total), str(text))

    def publish(self, item: object) -> None:
        """Hand ``item`` to the GUI thread as it is: never coalesced, in order, before the
        outcome (the job must not touch ``item`` afterwards)."""
        self._thread.published.emit(self._thread.generation, item)


class _JobThread(QThread):
    """Runs one job; its signals carry its generation so the runner can drop stale ones."""

    reported = Signal(int, int, int, str)  # generation, done, total, text
    published = Signal(int, object)  # generation, item
    ended = Signal(int, str, object)  # generation, "finished" / "failed" / "cancelled", payload

    def __init__(
        self,
        generation: int,
        job: Callable[[JobControl], Any],
        errors: tuple[type[BaseException], ...],
        interval_ms: float,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.generation = generation
        self._job = job
        self._errors = errors
        self.control = JobControl(self, interval_ms)

    def run(self) -> None:
        """Run the job and emit one ``ended`` (QThread entry point)."""
        outcome: tuple[str, object]
        try:
            result = self._job(self.control)
        except Exception as exc:
            if isinstance(exc, JobCancelled) or self.control.cancelled():
                outcome = ("cancelled", None)  # how a job stops when asked (LoadCancelled…)
            elif isinstance(exc, self._errors):
                outcome = ("failed", str(exc) or type(exc).__name__)
            else:  # a bug in the job: say so, never kill the thread silently
                _log.exception("job %s raised", self.objectName())
                outcome = ("failed", f"unexpected error ({type(exc).__name__}: {exc})")
        else:
            outcome = ("finished", result)
        if self.control.cancelled():
            outcome = ("cancelled", None)
        self.ended.emit(self.generation, *outcome)


class JobRunner(QObject):
    """Runs one job at a time off the GUI thread; cancel, replace, and stale signals dropped.

    Parameters
    ----------
    parent
        The owner (a widget); it must call :meth:`shutdown` before it is deleted.
    name
        Object name of the runner and its threads (tests and thread dumps show it).
    errors
        Exceptions whose message is meant for the user (``failed`` carries ``str(exc)``).
    progress_ms
        Least time between two progress reports.
    stop_timeout_ms
        How long :meth:`shutdown` waits for a thread before terminating it (``None``: as long
        as it takes).  Only for jobs that block in calls they cannot interrupt: a terminated
        thread runs none of its ``finally`` blocks.

    Signals
    -------
    started()
        A job was started (also when it replaced one).
    progress(int, int, str)
        Steps done, steps in all, what is happening.
    published(object)
        An item the job handed over with ``control.publish`` (every one, in order).
    finished(object)
        The job's result.
    failed(str)
        Why the job failed (a sentence for the user).
    cancelled()
        The job stopped after :meth:`request_cancel`.
    """

    started = Signal()
    progress = Signal(int, int, str)
    published = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        name: str = "jobRunner",
        errors: tuple[type[BaseException], ...] = USER_ERRORS,
        progress_ms: float = PROGRESS_MS,
        stop_timeout_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._errors = errors
        self._progress_ms = progress_ms
        self._stop_timeout_ms = stop_timeout_ms
        self._generation = 0
        self._current: _JobThread | None = None
        self._threads: list[_JobThread] = []  # every thread not yet ended, current or not
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        """Whether a job is current (running, or cancelling and not yet ended)."""
        return self._current is not None

    @property
    def cancelling(self) -> bool:
        """Whether the current job was asked to stop and has not ended yet."""
        return self._current is not None and self._current.control.cancelled()

    @property
    def generation(self) -> int:
        """Number of the current (or last) job: 1 for the first."""
        return self._generation

    @property
    def thread_count(self) -> int:
        """Threads started and not yet ended (a replaced job may still be stopping)."""
        return len(self._threads)

    def start(self, job: Callable[[JobControl], Any], *, paused: bool = False) -> int:
        """Run ``job`` on a new thread (cancelling the current job); return its generation.

        With ``paused`` the job is held at its first ``control.checkpoint()`` until
        :meth:`resume` (nothing it does after that checkpoint happens before).
        """
        if self._current is not None:
            self._current.control.cancel()
        self._generation += 1
        thread = _JobThread(self._generation, job, self._errors, self._progress_ms, self)
        if paused:
            thread.control.pause()
        thread.setObjectName(f"{self.objectName()}_{self._generation}")
        thread.reported.connect(self._on_reported)
        thread.published.connect(self._on_published)
        thread.ended.connect(self._on_ended)
        self._threads.append(thread)
        self._current = thread
        thread.start()
        self.started.emit()
        return self._generation

    @Slot()
    def request_cancel(self) -> None:
        """Ask the current job to stop; it ends with ``cancelled`` (nothing if idle)."""
        if self._current is not None:
            self._current.control.cancel()

    @Slot()
    def pause(self) -> None:
        """Hold the current job at its next ``control.checkpoint()`` (nothing if idle)."""
        if self._current is not None:
            self._current.control.pause()

    @Slot()
    def resume(self) -> None:
        """Let the current job go on after :meth:`pause`."""
        if self._current is not None:
            self._current.control.resume()

    @property
    def paused(self) -> bool:
        """Whether the current job is asked to hold."""
        return self._current is not None and self._current.control.paused

    @property
    def holding(self) -> bool:
        """Whether the current job is held at a checkpoint right now."""
        return self._current is not None and self._current.control.holding

    @Slot()
    def shutdown(self) -> None:
        """Cancel every job and wait for every thread this runner started; no signal follows."""
        self._current = None  # whatever the threads still have queued is stale now
        for thread in self._threads:
            thread.control.cancel()
        for thread in list(self._threads):
            if self._stop_timeout_ms is None:
                thread.wait()
            elif not thread.wait(self._stop_timeout_ms):
                # Blocked where no check reaches it: a running QThread at exit would abort.
                _log.warning("job %s did not stop: terminating it", thread.objectName())
                thread.terminate()
                thread.wait()
            self._forget(thread)

    # -- from the job threads (queued: these run in the runner's thread) -------------------------
    def _is_live(self, generation: int) -> bool:
        """Whether a signal of job ``generation`` is still wanted (current, not cancelled)."""
        current = self._current
        return (
            current is not None
            and generation == current.generation
            and not current.control.cancelled()
        )

    @Slot(int, int, int, str)
    def _on_reported(self, generation: int, done: int, total: int, text: str) -> None:
        if self._is_live(generation):
            self.progress.emit(done, total, text)

    @Slot(int, object)
    def _on_published(self, generation: int, item: object) -> None:
        if self._is_live(generation):
            self.published.emit(item)

    @Slot(int, str, object)
    def _on_ended(self, generation: int, kind: str, payload: object) -> None:
        thread = next((t for t in self._threads if t.generation == generation), None)
        if thread is not None:
            thread.wait()  # ``ended`` is its last act: this returns at once
            self._forget(thread)
        current = self._current
        if current is None or generation != current.generation:
            return  # replaced or shut down: a stale job's outcome is dropped
        self._current = None
        if current.control.cancelled():  # Cancel pressed after the job's last check
            kind = "cancelled"
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "failed":
            self.failed.emit(str(payload))
        else:
            self.cancelled.emit()

    def _forget(self, thread: _JobThread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
            thread.deleteLater()
