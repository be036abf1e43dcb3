"""The capture worker: reads a frame source in its own QThread and keeps only the newest frame.

``cv2.VideoCapture.read()`` blocks, so it never runs on the GUI thread. The GUI pulls the latest
frame on its own timer (:meth:`CaptureThread.take_latest`): when processing is slower than
capture, frames are dropped, never queued.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from engine.images import EndOfStream, FrameSource, FrameSourceError

# How long stop() waits for a blocked read() before giving up on a clean exit.
_STOP_TIMEOUT_MS = 5000


class CaptureThread(QThread):
    """Runs ``source.open()`` then ``source.read()`` in a loop until stopped, ended or failed.

    Signals
    -------
    source_opened(str)
        The source opened; the argument is its description.
    source_failed(str)
        Opening or reading failed; the message says why. The thread then ends.
    source_ended(str)
        A finite source (video file) ran out of frames. The thread then ends.
    """

    source_opened = Signal(str)
    source_failed = Signal(str)
    source_ended = Signal(str)

    def __init__(self, source: FrameSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._lock = threading.Lock()
        self._latest: np.ndarray | None = None
        self._seq = 0
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    # -- GUI side ------------------------------------------------------------------------------
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

    def pause(self) -> None:
        """Stop reading (the source stays open); :meth:`resume` continues."""
        self._running.clear()

    def resume(self) -> None:
        """Continue reading after :meth:`pause`."""
        self._running.set()

    @property
    def paused(self) -> bool:
        """True while paused."""
        return not self._running.is_set()

    def stop(self) -> None:
        """Stop flag → quit → wait. Safe to call more than once and before ``start``."""
        self._stop.set()
        self._running.set()
        self.quit()
        if self.isRunning() and not self.wait(_STOP_TIMEOUT_MS):
            # A driver blocked inside read(): a running QThread at exit would abort the app.
            self.terminate()
            self.wait()

    # -- worker side ---------------------------------------------------------------------------
    def run(self) -> None:  # noqa: D102 (QThread override)
        try:
            self.source.open()
        except (FrameSourceError, ValueError, OSError) as exc:
            self.source_failed.emit(str(exc))
            return
        self.source_opened.emit(self.source.description)
        try:
            self._loop()
        finally:
            self.source.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._running.wait(0.05):
                continue
            if self._stop.is_set():
                break
            started = time.monotonic()
            try:
                frame = self.source.read()
            except EndOfStream as exc:
                self.source_ended.emit(str(exc))
                return
            except FrameSourceError as exc:
                self.source_failed.emit(str(exc))
                return
            except Exception as exc:  # cv2.error from a misbehaving driver or codec
                self.source_failed.emit(f"{self.source.description} failed: {exc}")
                return
            with self._lock:
                self._latest = frame
                self._seq += 1
            interval = self.source.frame_interval
            if interval:
                # Pace files to their frame rate; the stop flag interrupts the wait at once.
                self._stop.wait(max(0.0, interval - (time.monotonic() - started)))
