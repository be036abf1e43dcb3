"""Videos for the webcam tests, written by cv2.VideoWriter: each class a distinct picture."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SIZE = (120, 160)  # height, width: the centre square is 120×120


def pattern(kind: str, i: int = 0) -> np.ndarray:
    """BGR frame: ``"ring"`` (a bright ring) or ``"bar"`` (a bright horizontal bar) on dark,
    centred, with a little frame-to-frame jitter so frames differ."""
    h, w = SIZE
    frame = np.full((h, w, 3), 15, np.uint8)
    jitter = (i % 3) - 1
    cx, cy = w // 2 + jitter, h // 2
    if kind == "ring":
        cv2.circle(frame, (cx, cy), 38, (255, 255, 255), 14)
    elif kind == "bar":
        frame[cy - 14 : cy + 14, cx - 50 : cx + 50] = 255
    else:
        raise ValueError(kind)
    return frame


def write_pattern_video(path: Path, kinds: list[str], frames_each: int, fps: float = 30.0) -> Path:
    """An MJPG ``.avi``: ``frames_each`` frames of each pattern in ``kinds``, in order."""
    h, w = SIZE
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "MJPG VideoWriter did not open"
    for kind in kinds:
        for i in range(frames_each):
            writer.write(pattern(kind, i))
    writer.release()
    assert path.stat().st_size > 0
    return path
