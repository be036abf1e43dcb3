"""The live classifier's worker: prepares a frame and runs both models on it, off the GUI thread.

The classifying loop is one long-running job on the shared :class:`gui.widgets.JobRunner`
(thread lifetime, cancel, shutdown and dropping a replaced or stopped job's late results are
the runner's).  Frames reach it through a one-slot mailbox: :meth:`LiveClassifier.submit`
replaces a frame still waiting (counted as dropped), so the answer shown is always about a
recent frame and nothing queues up behind a slow model; each result goes back with
``control.publish``.  The models are the worker's own copies (:meth:`Model.copy`): a model is
not thread-safe, and the Train tab keeps replacing its models while it trains.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from engine.train import LiveInput, Model, live_input, live_probabilities, single_threaded_blas
from gui.widgets import JobControl, JobRunner


@dataclass(frozen=True)
class LiveJob:
    """One frame to classify: its sequence number, the frame, the input size and the mode."""

    seq: int
    frame: np.ndarray
    size: tuple[int, int]
    mode: str


@dataclass(frozen=True)
class LiveResult:
    """What the worker made of one :class:`LiveJob`.

    ``prepared`` is ``None`` and ``error`` says why when the frame could not be used;
    ``probabilities`` maps each slot to its softmax vector (``None``: no model);
    ``seconds`` is the time the preparation and both models took; ``thread`` the ident of the
    thread that did it.
    """

    seq: int
    mode: str
    prepared: LiveInput | None
    probabilities: dict[str, np.ndarray | None] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    thread: int = 0


class LiveClassifier(QObject):
    """Classifies the newest submitted frame with its own copies of the models.

    Frames submitted before :meth:`start` wait in the mailbox (the newest one) until it runs.

    Signals
    -------
    result_ready(object)
        A :class:`LiveResult` of the current job (none after :meth:`stop`, none from a job
        that :meth:`start` replaced).
    """

    result_ready = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveClassifier")
        self._cond = threading.Condition()
        self._job: LiveJob | None = None  # the mailbox: at most one frame waits
        self._models: dict[str, Model | None] = {}
        self._working = 0  # jobs classifying a frame right now (a replaced one may still be)
        self._asleep = 0  # jobs asleep on the empty mailbox
        self.dropped = 0
        self.done = 0
        #: Runs the classifying loop; its ``shutdown`` (also on ``aboutToQuit``) ends it.
        self.runner = JobRunner(self, name="liveClassifier")
        self.runner.published.connect(self._on_published)

    # -- GUI side ------------------------------------------------------------------------------
    def start(self) -> None:
        """Run the classifying loop on a worker thread (a running loop is replaced)."""
        self.runner.start(self._classify_loop)

    def set_models(self, models: dict[str, Model | None]) -> None:
        """Use ``models`` from the next frame on; they must be copies no other thread uses."""
        with self._cond:
            self._models = dict(models)

    def submit(self, job: LiveJob) -> None:
        """Classify ``job`` when the worker is free; a job still waiting is dropped for it."""
        with self._cond:
            if self._job is not None:
                self.dropped += 1
            self._job = job
            self._cond.notify_all()

    @property
    def busy(self) -> bool:
        """True while a frame waits or is being classified."""
        with self._cond:
            return self._working > 0 or self._job is not None

    @property
    def waiting(self) -> bool:
        """Whether a loop sleeps on the empty mailbox, waiting for a frame (tests wait for it)."""
        with self._cond:
            return self._asleep > 0

    @property
    def running(self) -> bool:
        """Whether a worker thread is running (or stopping)."""
        return self.runner.thread_count > 0

    def stop(self) -> None:
        """Drop the waiting frame, cancel the loop and wait for its thread (through the
        runner); no result follows.  Safe before :meth:`start` and more than once."""
        with self._cond:
            self._job = None
        self.runner.shutdown()

    @Slot(object)
    def _on_published(self, result: object) -> None:
        self.result_ready.emit(result)

    # -- worker side ---------------------------------------------------------------------------
    def _wake(self) -> None:
        """Wake the loop waiting for a frame (a cancel calls this)."""
        with self._cond:
            self._cond.notify_all()

    def _classify_loop(self, control: JobControl) -> None:
        """The job: wait for the newest frame, classify it, publish the result; until
        cancelled."""
        control.on_cancel(self._wake)
        with single_threaded_blas():  # tiny models: helper threads would only spin
            while True:
                with self._cond:
                    while self._job is None and not control.cancelled():
                        self._asleep += 1
                        try:
                            self._cond.wait()
                        finally:
                            self._asleep -= 1
                    if control.cancelled():
                        return  # the frame stays for a loop that replaces this one
                    job, self._job = self._job, None
                    assert job is not None  # the wait ends on a job, or on cancel (returned)
                    models = self._models
                    self._working += 1
                try:
                    result = classify(job, models)
                finally:
                    with self._cond:
                        self._working -= 1
                        self.done += 1
                control.publish(result)


def classify(job: LiveJob, models: dict[str, Model | None]) -> LiveResult:
    """Prepare ``job``'s frame and run ``models`` on it (a bad frame gives ``error``)."""
    started = time.perf_counter()
    try:
        prepared = live_input(job.frame, job.size, job.mode)
        usable = {
            s: m if m is not None and tuple(m.input_shape[1:]) == job.size else None
            for s, m in models.items()
        }
        probabilities = live_probabilities(usable, prepared.image)
    except Exception as exc:  # a ValueError for a bad frame; anything else must not kill the thread
        return LiveResult(
            job.seq,
            job.mode,
            None,
            error=str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - started,
            thread=threading.get_ident(),
        )
    return LiveResult(
        job.seq,
        job.mode,
        prepared,
        probabilities,
        seconds=time.perf_counter() - started,
        thread=threading.get_ident(),
    )
