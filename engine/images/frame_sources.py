"""Where gallery frames come from: webcam, video file, still image or a synthetic pattern.

All sources share one small interface (:class:`FrameSource`): ``open()``, ``read()`` → an RGB
(or grayscale) ``numpy`` frame, ``close()``. Webcams and video files go through the *same*
capture code (:class:`CaptureSource` around ``cv2.VideoCapture``), so a test can use a real
video file as the "camera". BGR → RGB happens once, here.

Camera indices are validated (never ``-1``: ``cv2.VideoCapture(-1)`` can crash the process);
setting the environment variable ``KERNELSCOPE_NO_CAMERA=1`` disables every real camera (tests
set it).
"""

from __future__ import annotations

import math
import os
import sys
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from engine.checks import is_integer
from engine.images.chart import make_test_chart
from engine.storage import UserFileError, require_regular_file

#: Highest camera index probed / accepted.
MAX_CAMERA_INDEX = 15
NO_CAMERA_ENV = "KERNELSCOPE_NO_CAMERA"
#: Resolutions offered for webcams (width, height).
CAMERA_RESOLUTIONS = ((320, 240), (640, 480), (800, 600), (1280, 720), (1920, 1080))
VIDEO_SUFFIXES = (".avi", ".mp4", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg", ".wmv")


class FrameSourceError(RuntimeError):
    """A source failed: could not open, or stopped delivering frames. The message says which."""


class EndOfStream(FrameSourceError):
    """A finite source (video file, limited synthetic pattern) has no more frames."""


def cameras_disabled() -> bool:
    """True when ``KERNELSCOPE_NO_CAMERA`` is set to a non-empty value other than ``0``."""
    return os.environ.get(NO_CAMERA_ENV, "") not in ("", "0")


def validate_camera_index(index: object) -> int:
    """``index`` as an int in ``0..MAX_CAMERA_INDEX``, or ``ValueError`` (``-1`` is refused)."""
    if not is_integer(index):
        raise ValueError(f"camera index must be an int, got {index!r}")
    if not 0 <= int(index) <= MAX_CAMERA_INDEX:
        raise ValueError(f"camera index must be between 0 and {MAX_CAMERA_INDEX}, got {index!r}")
    return int(index)


def _validate_resolution(resolution: object) -> tuple[int, int] | None:
    if resolution is None:
        return None
    try:
        pair: tuple[object, ...] = tuple(resolution)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(
            f"resolution must be (width, height) or None, got {resolution!r}"
        ) from None
    if len(pair) != 2:
        raise ValueError(f"resolution must be (width, height) or None, got {resolution!r}")
    values = []
    for v in pair:
        if not is_integer(v) or not 16 <= v <= 7680:
            raise ValueError(f"resolution must be two ints in 16..7680, got {resolution!r}")
        values.append(int(v))
    return values[0], values[1]


def _candidate_indices() -> list[int]:
    """Indices worth probing: the ``/dev/videoN`` nodes on Linux, else ``0..MAX``."""
    if sys.platform.startswith("linux"):
        found = []
        for node in Path("/dev").glob("video*"):
            suffix = node.name[5:]
            if suffix.isdigit() and int(suffix) <= MAX_CAMERA_INDEX:
                found.append(int(suffix))
        return sorted(found)
    return list(range(4))


def probe_cameras() -> list[int]:
    """Indices of cameras that open, checked one by one (``[]`` when cameras are disabled)."""
    if cameras_disabled():
        return []
    working = []
    for index in _candidate_indices():
        cap = cv2.VideoCapture(validate_camera_index(index))
        try:
            if cap.isOpened():
                working.append(index)
        finally:
            cap.release()
    return working


class FrameSource(ABC):
    """The interface every frame source implements.

    Attributes
    ----------
    kind : str
        ``"camera"``, ``"video"``, ``"image"`` or ``"synthetic"``.
    description : str
        Shown in the status bar, e.g. ``"camera 0"`` or ``"video clip.avi"``.
    live : bool
        True when frames keep changing (camera, video, synthetic).
    frame_interval : float or None
        Seconds between frames when the source does not pace itself (video files, synthetic);
        ``None`` for cameras (``read`` blocks until the next frame) and still images.
    frames_read : int
        Frames delivered so far.
    """

    kind = "image"
    live = False

    def __init__(self, description: str) -> None:
        self.description = description
        self.frame_interval: float | None = None
        self.frames_read = 0

    @abstractmethod
    def open(self) -> None:
        """Acquire the source; raises :class:`FrameSourceError` if that fails."""

    @abstractmethod
    def read(self) -> np.ndarray:
        """The next frame; :class:`EndOfStream` at the end, :class:`FrameSourceError` on failure."""

    def close(self) -> None:  # noqa: B027 (optional hook: most sources hold nothing)
        """Release the source (safe to call twice)."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CaptureSource(FrameSource):
    """Webcam or video file through ``cv2.VideoCapture`` — one code path for both.

    Build it with :meth:`camera` or :meth:`video`.
    """

    def __init__(
        self,
        target: int | str,
        kind: str,
        description: str,
        resolution: tuple[int, int] | None = None,
        loop: bool = False,
    ) -> None:
        super().__init__(description)
        self.kind = kind
        self.live = True
        self.loop = bool(loop)
        self.loops = 0
        self._target = target
        self._resolution = resolution
        self._cap: cv2.VideoCapture | None = None
        self.fps = 0.0
        self.size: tuple[int, int] | None = None

    @classmethod
    def camera(cls, index: int, resolution: tuple[int, int] | None = None) -> CaptureSource:
        """Webcam ``index`` (validated, never -1), optionally asking for ``(width, height)``."""
        idx = validate_camera_index(index)
        return cls(idx, "camera", f"camera {idx}", _validate_resolution(resolution))

    @classmethod
    def video(cls, path: str | os.PathLike[str], *, loop: bool = False) -> CaptureSource:
        """A video file, played at its own frame rate; with ``loop`` it restarts at the end."""
        p = Path(path)
        return cls(str(p), "video", f"video {p.name}", loop=loop)

    def open(self) -> None:
        """Open the camera or file; :class:`FrameSourceError` with the reason if it fails."""
        if self.kind == "camera":
            if cameras_disabled():
                raise FrameSourceError(
                    f"{self.description}: cameras are disabled ({NO_CAMERA_ENV}=1)"
                )
            cap = cv2.VideoCapture(int(self._target))
        else:
            try:  # a FIFO would block the FFmpeg probe forever: only regular files
                path = require_regular_file(str(self._target), what="video")
            except UserFileError as exc:
                raise FrameSourceError(f"{self.description}: {exc}") from None
            cap = cv2.VideoCapture(str(path))
        if not cap.isOpened():
            cap.release()
            if self.kind == "camera":
                raise FrameSourceError(
                    f"{self.description} could not be opened: no such camera, it is in use by "
                    "another program, or access was denied"
                )
            raise FrameSourceError(
                f"{self.description} could not be opened: not a video OpenCV can decode"
            )
        if self._resolution is not None:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._resolution[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._resolution[1])
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if math.isfinite(fps) and 1.0 <= fps <= 240.0 else 0.0
        if self.kind == "video":
            self.frame_interval = 1.0 / self.fps if self.fps else 1.0 / 25.0
        self._cap = cap
        self.frames_read = 0

    def read(self) -> np.ndarray:
        """Next frame as RGB; ``EndOfStream`` after a video's last frame."""
        if self._cap is None:
            raise FrameSourceError(f"{self.description} is not open")
        ok, frame = self._cap.read()
        if (not ok or frame is None) and self.loop and self.kind == "video" and self.frames_read:
            ok, rewound = self._rewind_and_read()
            frame = rewound if rewound is not None else frame
        if not ok or frame is None or frame.size == 0:
            if self.kind == "video" and self.frames_read > 0:
                raise EndOfStream(f"{self.description} ended after {self.frames_read} frames")
            if self.kind == "video":
                raise FrameSourceError(f"{self.description}: no frame could be decoded")
            raise FrameSourceError(f"{self.description} stopped delivering frames")
        self.frames_read += 1
        if frame.ndim == 2:
            rgb = frame
        elif frame.shape[2] == 4:
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
        else:
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        self.size = (int(rgb.shape[1]), int(rgb.shape[0]))
        return rgb

    def _rewind_and_read(self) -> tuple[bool, np.ndarray | None]:
        """Back to the first frame (seek, or reopen if the container cannot seek)."""
        assert self._cap is not None
        self.loops += 1
        if self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
            ok, frame = self._cap.read()
            if ok and frame is not None:
                return True, frame
        self._cap.release()
        self._cap = cv2.VideoCapture(str(self._target))
        return self._cap.read()

    def close(self) -> None:
        """Release the capture."""
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class StillImageSource(FrameSource):
    """One image, returned by every ``read`` (read-only)."""

    def __init__(self, image: np.ndarray, description: str = "image") -> None:
        super().__init__(description)
        arr = np.asarray(image)
        if arr.ndim not in (2, 3) or arr.size == 0:
            raise ValueError(f"image must be a non-empty 2-D or 3-D array, got shape {arr.shape}")
        self._image = arr.view()
        self._image.setflags(write=False)

    def open(self) -> None:
        """Nothing to acquire."""

    def read(self) -> np.ndarray:
        """The image."""
        self.frames_read += 1
        return self._image


class SyntheticSource(FrameSource):
    """The test chart scrolling sideways: moving edges without any hardware.

    Parameters
    ----------
    size
        ``(height, width)`` of the frames.
    fps
        Frames per second to pace at.
    n_frames
        Stop with :class:`EndOfStream` after this many frames (``None`` = never).
    step
        Pixels the chart moves per frame.
    """

    kind = "synthetic"
    live = True

    def __init__(
        self,
        size: tuple[int, int] = (480, 640),
        *,
        fps: float = 30.0,
        n_frames: int | None = None,
        step: int = 3,
    ) -> None:
        super().__init__("synthetic moving chart")
        if not (isinstance(fps, (int, float)) and 1 <= fps <= 240):
            raise ValueError(f"fps must be between 1 and 240, got {fps!r}")
        if n_frames is not None and (not isinstance(n_frames, int) or n_frames < 1):
            raise ValueError(f"n_frames must be a positive int or None, got {n_frames!r}")
        self._chart = make_test_chart(*size)
        self.frame_interval = 1.0 / float(fps)
        self._n_frames = n_frames
        self._step = int(step)

    def open(self) -> None:
        """Restart from the first frame."""
        self.frames_read = 0

    def read(self) -> np.ndarray:
        """The chart shifted by ``step × frame number`` pixels (wrapping around)."""
        if self._n_frames is not None and self.frames_read >= self._n_frames:
            raise EndOfStream(f"{self.description} ended after {self.frames_read} frames")
        frame = np.roll(self._chart, self.frames_read * self._step, axis=1)
        self.frames_read += 1
        return frame
