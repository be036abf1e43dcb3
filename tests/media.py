"""Real media files written in tests: a video by ``cv2.VideoWriter``, EXIF JPEGs, PNG headers."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np


def video_frame(i: int, size: tuple[int, int] = (120, 160)) -> np.ndarray:
    """BGR frame ``i``: background level 20 + 8·i (mod 200), a white square moving right."""
    h, w = size
    frame = np.full((h, w, 3), 20 + (8 * i) % 200, dtype=np.uint8)
    x = (6 * i) % (w - 30)
    frame[40:70, x : x + 30] = 255
    frame[5:20, 5:20] = (0, 0, 255)  # a red patch (BGR) to check the RGB conversion
    return frame


def write_video(path: Path, n_frames: int = 20, fps: float = 30.0, size=(120, 160)) -> Path:
    """An MJPG ``.avi`` with ``n_frames`` frames of :func:`video_frame`."""
    h, w = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "MJPG VideoWriter did not open"
    for i in range(n_frames):
        writer.write(video_frame(i, size))
    writer.release()
    assert path.stat().st_size > 0
    return path


def exif_tiff(orientation: int, big_endian: bool = False) -> bytes:
    """A minimal TIFF/EXIF blob whose IFD0 holds only the Orientation tag (0x0112)."""
    e = ">" if big_endian else "<"
    head = (b"MM\x00*" if big_endian else b"II*\x00") + struct.pack(e + "I", 8)
    entry = struct.pack(e + "HHI", 0x0112, 3, 1) + struct.pack(e + "H", orientation) + b"\0\0"
    return head + struct.pack(e + "H", 1) + entry + struct.pack(e + "I", 0)


def jpeg_with_exif(bgr: np.ndarray, orientation: int, big_endian: bool = False) -> bytes:
    """JPEG bytes of ``bgr`` with an APP1 EXIF segment carrying ``orientation``."""
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    data = buf.tobytes()
    payload = b"Exif\x00\x00" + exif_tiff(orientation, big_endian)
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app1 + data[2:]


def _chunk(tag: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(tag + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)


def png_bytes(width: int, height: int, *, colour_type: int = 0, rows: bytes = b"") -> bytes:
    """A PNG with valid CRCs: 8-bit, ``colour_type`` (0 gray, 4 gray+alpha, ...), raw ``rows``
    (each row starts with its filter byte)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims ``width``×``height`` (with valid CRCs) and no real pixel data."""
    return png_bytes(width, height, rows=b"\x00" * 64)
