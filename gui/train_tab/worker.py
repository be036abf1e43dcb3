"""The Train tab's jobs on the shared :class:`gui.widgets.JobRunner`: time left and epochs.

Thread lifetime, pause, stop and dropping a stopped job's late signals are the runner's.  What
is the Train tab's own is what a job reports: a Train job is a plain function ``job(worker)``
given a :class:`TrainControl`; it calls :meth:`TrainControl.checkpoint` between batches (it
blocks while paused and returns ``False`` once asked to stop) and reports with
:meth:`TrainControl.report_progress` (fraction done and a time-left estimate, coalesced to one
report every ``PROGRESS_MS``) and :meth:`TrainControl.report_epoch` (every epoch, never
coalesced).  Both travel as items on the runner's ``published`` channel, in order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject

from gui.widgets import JobControl, JobRunner

#: Least time between two progress reports (ms): the GUI redraws at most ~12 times a second.
PROGRESS_MS = 80
#: What a Train job raises to stop with a message for the user (others are bugs, named so).
TRAIN_ERRORS: tuple[type[BaseException], ...] = (ValueError, FloatingPointError, MemoryError)


@dataclass(frozen=True)
class Progress:
    """Fraction done (0–1), estimated seconds left (``nan`` while unknown), and the job's
    clock when it was reported."""

    fraction: float
    seconds_left: float
    at: float


@dataclass(frozen=True)
class Epoch:
    """A model slot (``"cnn"``/``"mlp"``), its :class:`engine.train.EpochRecord` and a copy of
    the model after that epoch (the GUI's own, so it never reads arrays being trained)."""

    slot: str
    record: object
    model: object


class TrainControl:
    """What a Train job sees (in the worker thread): pause/stop checks, progress with the time
    left, finished epochs.

    Parameters
    ----------
    control
        The runner's control of this job.
    clock
        Seconds from an arbitrary start; tests pass a fake clock to check the time left.
    """

    def __init__(self, control: JobControl, clock: Callable[[], float] = time.perf_counter) -> None:
        self._control = control
        self._clock = clock
        self._started = clock()
        self._paused_for = 0.0
        self._last_report = -math.inf

    def checkpoint(self) -> bool:
        """Block while paused; return ``False`` when the job must stop.  Time spent here is
        not the job's work: the time-left estimate leaves it out."""
        waited = self._clock()
        go_on = self._control.checkpoint()
        self._paused_for += self._clock() - waited
        return go_on

    @property
    def stopping(self) -> bool:
        """True once the job was asked to stop."""
        return self._control.cancelled()

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
        self._control.publish(Progress(float(fraction), float(left), now))

    def report_epoch(self, slot: str, record: object, model_copy: object) -> None:
        """Hand one finished epoch (and the model as it is now) to the GUI."""
        self._control.publish(Epoch(slot, record, model_copy))


Job = Callable[[TrainControl], Any]


def runner_job(
    kind: str, job: Job, *, clock: Callable[[], float] = time.perf_counter
) -> Callable[[JobControl], tuple[str, Any]]:
    """``job`` as a :class:`JobRunner` job: its result comes back as ``(kind, result)``, after
    a last progress report of 1.0 (none when it was stopped)."""

    def run(control: JobControl) -> tuple[str, Any]:
        worker = TrainControl(control, clock)
        result = job(worker)
        if not control.cancelled():
            worker.report_progress(1.0, force=True)
        return kind, result

    return run


def make_runner(parent: QObject | None = None) -> JobRunner:
    """The Train tab's runner: one job at a time, :data:`TRAIN_ERRORS` shown as they are."""
    return JobRunner(parent, name="trainWorker", errors=TRAIN_ERRORS)
