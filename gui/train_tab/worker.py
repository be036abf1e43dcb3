"""The Train tab's worker thread: training and experiments run here, never in the GUI thread.

A job is a plain function ``job(worker) -> result`` that calls :meth:`TrainWorker.checkpoint`
between batches (it blocks while paused and returns ``False`` once asked to stop) and reports
with :meth:`TrainWorker.report_progress` / :meth:`TrainWorker.report_epoch`.  Signals cross to
the GUI thread queued; progress is coalesced to at most one report every ``PROGRESS_MS``, so a
fast job cannot flood the event loop.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

#: Least time between two progress reports (ms): the GUI redraws at most ~12 times a second.
PROGRESS_MS = 80

Job = Callable[["TrainWorker"], Any]


class TrainWorker(QThread):
    """Runs one job; pause / resume / stop between batches.

    Every signal's first argument is the worker itself, so the GUI can drop what a worker it
    has already stopped still had queued.

    Signals
    -------
    progress(worker, float, float)
        Fraction done (0–1) and estimated seconds left (``nan`` while unknown).
    epoch_finished(worker, str, object, object)
        A model slot (``"cnn"``/``"mlp"``), its :class:`engine.train.EpochRecord` and a copy of
        the model after that epoch (the GUI's own, so it never reads arrays being trained).
    result_ready(worker, str, object)
        The job's kind and its result (not emitted when the job was stopped).
    failed(worker, str)
        The job raised; the message is meant for the user.
    done(worker)
        The job has ended (last signal of a run, whatever happened).
    """

    progress = Signal(object, float, float)
    epoch_finished = Signal(object, str, object, object)
    result_ready = Signal(object, str, object)
    failed = Signal(object, str)
    done = Signal(object)

    def __init__(
        self,
        kind: str,
        job: Job,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._job = job
        #: Seconds from an arbitrary start; tests pass a fake clock to check the time left.
        self._clock = clock
        self._stop = False
        self._running = threading.Event()
        self._running.set()
        self._started = 0.0
        self._paused_for = 0.0
        self._last_report = -math.inf
        #: True while the job is held at a checkpoint by :meth:`pause` (tests wait for it).
        self.holding = False
        self.setObjectName(f"trainWorker_{kind}")

    # -- GUI-thread controls ---------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return not self._running.is_set()

    def pause(self) -> None:
        """Hold the job at its next checkpoint."""
        self._running.clear()

    def resume(self) -> None:
        """Let a paused job continue."""
        self._running.set()

    def stop(self) -> None:
        """Ask the job to end at its next checkpoint (wakes a paused job)."""
        self._stop = True
        self._running.set()

    def stop_and_wait(self) -> None:
        """Stop, end the thread's event loop and wait until the thread has finished."""
        self.stop()
        self.quit()
        self.wait()

    # -- called by the job, in the worker thread -------------------------------------------------
    def checkpoint(self) -> bool:
        """Block while paused; return ``False`` when the job must stop."""
        if not self._running.is_set():
            waited = self._clock()
            self.holding = True
            self._running.wait()
            self.holding = False
            self._paused_for += self._clock() - waited
        return not self._stop

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop

    def report_progress(self, fraction: float, *, force: bool = False) -> None:
        """Report ``fraction`` done with a time-left estimate (coalesced unless ``force``).

        Time left = active time so far × (1 − fraction) / fraction: the work done so far, paused
        time excluded, predicts the rest (training's batches and epochs cost the same each).
        ``nan`` until 1 % is done.
        """
        now = self._clock()
        if not force and (now - self._last_report) * 1000 < PROGRESS_MS:
            return
        self._last_report = now
        active = now - self._started - self._paused_for
        left = active * (1 - fraction) / fraction if fraction > 0.01 else math.nan
        self.progress.emit(self, float(fraction), float(left))

    def report_epoch(self, slot: str, record: object, model_copy: object) -> None:
        """Hand one finished epoch (and the model as it is now) to the GUI."""
        self.epoch_finished.emit(self, slot, record, model_copy)

    def run(self) -> None:
        """Run the job (QThread entry point)."""
        self._started = self._clock()
        try:
            result = self._job(self)
        except (ValueError, FloatingPointError, MemoryError) as exc:
            self.failed.emit(self, str(exc))
        else:
            if not self._stop:
                self.report_progress(1.0, force=True)
                self.result_ready.emit(self, self.kind, result)
        finally:
            self.done.emit(self)
