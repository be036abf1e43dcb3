"""The capture worker: reads a frame source off the GUI thread and keeps only the newest frame.

``cv2.VideoCapture.read()`` blocks, so it never runs on the GUI thread.  The read loop is a job
on the shared :class:`gui.widgets.JobRunner` (thread lifetime, pause, stop and dropping a
stopped capture's late signals are the runner's).  Frames do not travel as signals: the loop
puts each one in a one-frame slot and the GUI pulls the latest frame on its own timer
(:meth:`FrameCapture.take_latest`), so when processing is slower than capture, frames are
dropped, never queued.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from engine.images import EndOfStream, FrameSource, FrameSourceError
from gui.widgets import JobControl, JobRunner

#: How long stop() waits for a blocked read() before giving up on a clean exit (ms).
STOP_TIMEOUT_MS = 5000


class FrameCapture(QObject):
    """Runs ``source.open()`` then ``source.read()`` in a loop until stopped, ended or failed.

    Signals
    -------
    source_opened(str)
        The source opened; the argument is its description.
    source_failed(str)
        Opening or reading failed; the message says why.  The thread has ended.
    source_ended(str)
        A finite source (video file) ran out of frames.  The thread has ended.

    None of them follows :meth:`stop`.
    """

    source_opened = Signal(str)
    source_failed = Signal(str)
    source_ended = Signal(str)

    def __init__(self, source: FrameSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frameCapture")
        self.source = source
        self._lock = threading.Lock()
        self._latest: np.ndarray | None = None
        self._seq = 0
        self._pause_at_start = False
        self._runner = JobRunner(
            self,
            name="frameCapture",
            errors=(FrameSourceError, ValueError, OSError),
            stop_timeout_ms=STOP_TIMEOUT_MS,
        )
        self._runner.published.connect(self._on_opened)
        self._runner.finished.connect(self._on_ended)
        self._runner.failed.connect(self.source_failed)

    # -- GUI side ------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the source and read it in a worker thread (held at once if paused before)."""
        self._runner.start(self._read_loop, paused=self._pause_at_start)

    def take_latest(self, after: int) -> tuple[int, np.ndarray] | None:
        """The newest frame and its sequence number, if newer than ``after``; else ``None``."""
        with self._lock:
            if self._latest is None or self._seq <= after:
                return None
            return self._seq, self._latest

    @property
    def frames_captured(self) -> int:
        """Frames read from the source so far."""
        with self._lock:
            return self._seq

    @property
    def running(self) -> bool:
        """Whether the worker thread is still running (or stopping)."""
        return self._runner.thread_count > 0

    def pause(self) -> None:
        """Stop reading (the source stays open); :meth:`resume` continues.  Before
        :meth:`start`: start paused."""
        self._pause_at_start = True
        self._runner.pause()

    def resume(self) -> None:
        """Continue reading after :meth:`pause`."""
        self._pause_at_start = False
        self._runner.resume()

    @property
    def paused(self) -> bool:
        """True while paused."""
        return self._runner.paused or (self._pause_at_start and not self._runner.busy)

    def stop(self) -> None:
        """Stop and wait for the thread (terminated after :data:`STOP_TIMEOUT_MS` if a driver
        is blocked inside ``read()``).  Safe to call more than once and before :meth:`start`."""
        self._runner.shutdown()

    @Slot(object)
    def _on_opened(self, description: object) -> None:
        self.source_opened.emit(str(description))

    @Slot(object)
    def _on_ended(self, message: object) -> None:
        self.source_ended.emit(str(message))

    # -- worker side ---------------------------------------------------------------------------
    def _read_loop(self, control: JobControl) -> str:
        """The job: open, then read until stopped; the end-of-stream message when it ends."""
        source = self.source
        source.open()  # FrameSourceError, ValueError, OSError: ``source_failed``
        control.publish(source.description)
        try:
            while control.checkpoint():
                started = time.monotonic()
                try:
                    frame = source.read()
                except EndOfStream as exc:
                    return str(exc)
                except FrameSourceError:
                    raise
                except Exception as exc:  # cv2.error from a misbehaving driver or codec
                    raise FrameSourceError(f"{source.description} failed: {exc}") from exc
                with self._lock:
                    self._latest = frame
                    self._seq += 1
                interval = source.frame_interval
                if interval:
                    # Pace files to their frame rate; a stop interrupts the wait at once.
                    control.wait(max(0.0, interval - (time.monotonic() - started)))
            return ""
        finally:
            source.close()
