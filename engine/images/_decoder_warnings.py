"""Catch what libjpeg prints while OpenCV decodes a JPEG.

A JPEG cut in half with an end marker appended decodes without an error: libjpeg prints
"Corrupt JPEG data: premature end of data segment" on the C ``stderr`` and fills the missing
part with grey, and ``cv2.imdecode`` returns the grey-bottomed picture as if all were well.
The only sign is that line on file descriptor 2, so :func:`imdecode_with_warnings` points fd 2
at a temporary file for the duration of the decode and returns what was written there.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading

import cv2
import numpy as np

# fd 2 is process-wide: two decodes must not redirect it at the same time.
_LOCK = threading.Lock()

#: libjpeg warnings that mean image data is missing (the rest, e.g. "extraneous bytes before
#: marker", are common in camera files and harmless).
DAMAGE_WARNINGS = ("premature end of data segment", "premature end of jpeg file")


def imdecode_with_warnings(raw: bytes, flags: int) -> tuple[np.ndarray | None, str]:
    """``cv2.imdecode(raw, flags)`` and the text the decoder wrote to ``stderr`` meanwhile.

    Text on fd 2 that does not come from the decoder (another thread printing during the few
    milliseconds of the decode) is written back to ``stderr`` afterwards, so nothing is lost.
    """
    buffer = np.frombuffer(raw, np.uint8)
    with _LOCK, tempfile.TemporaryFile() as capture:
        with contextlib.suppress(AttributeError, ValueError, OSError):
            sys.stderr.flush()
        try:
            saved = os.dup(2)
        except OSError:  # no fd 2 at all (a Windows GUI process): decode without listening
            return cv2.imdecode(buffer, flags), ""
        try:
            os.dup2(capture.fileno(), 2)
            try:
                decoded = cv2.imdecode(buffer, flags)
            finally:
                os.dup2(saved, 2)
        finally:
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode("utf-8", "replace")
    others = [line for line in text.splitlines() if not _from_libjpeg(line)]
    if others:
        os.write(2, ("\n".join(others) + "\n").encode("utf-8", "replace"))
    return decoded, text


def _from_libjpeg(line: str) -> bool:
    low = line.lower()
    return "jpeg" in low or "marker" in low or not low.strip()


def damage_warning(text: str) -> str | None:
    """The first line of decoder output that says image data is missing, else ``None``."""
    for line in text.splitlines():
        if any(w in line.lower() for w in DAMAGE_WARNINGS):
            return line.strip()
    return None
