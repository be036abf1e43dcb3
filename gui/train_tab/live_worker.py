"""The live classifier's worker: prepares a frame and runs both models on it, off the GUI thread.

One frame waits at most (:meth:`LiveClassifier.submit` replaces a waiting one, which is then
counted as dropped), so the answer shown is always about a recent frame and nothing queues up
behind a slow model.  The models are the worker's own copies (:meth:`Model.copy`): a model is
not thread-safe, and the Train tab keeps replacing its models while it trains.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from engine.train import LiveInput, Model, live_input, live_probabilities, single_threaded_blas


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


class LiveClassifier(QThread):
    """Classifies the newest submitted frame with its own copies of the models.

    Signals
    -------
    result_ready(object)
        A :class:`LiveResult` (queued to the GUI thread).
    """

    result_ready = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveClassifier")
        self._cond = threading.Condition()
        self._job: LiveJob | None = None
        self._models: dict[str, Model | None] = {}
        self._busy = False
        self._stop = False
        self.dropped = 0
        self.done = 0

    # -- GUI side ------------------------------------------------------------------------------
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
            self._cond.notify()

    @property
    def busy(self) -> bool:
        """True while a frame waits or is being classified."""
        with self._cond:
            return self._busy or self._job is not None

    def stop(self) -> None:
        """Stop flag → wake → quit → wait.  Safe before ``start`` and more than once."""
        with self._cond:
            self._stop = True
            self._job = None
            self._cond.notify_all()
        self.quit()
        if self.isRunning():
            self.wait()

    # -- worker side ---------------------------------------------------------------------------
    def run(self) -> None:  # noqa: D102 (QThread override)
        with single_threaded_blas():  # tiny models: helper threads would only spin
            while True:
                with self._cond:
                    while self._job is None and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    job, self._job = self._job, None
                    assert job is not None  # the wait ends on a job, or on stop (returned)
                    models = self._models
                    self._busy = True
                try:
                    result = classify(job, models)
                finally:
                    with self._cond:
                        self._busy = False
                        self.done += 1
                self.result_ready.emit(result)


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
