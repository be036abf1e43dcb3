"""Safe image file reading and PNG writing.

``cv2.imread`` returns ``None`` silently for missing, empty, truncated and non-image files and
fails on non-ASCII paths on Windows; a small PNG can also decode to gigabytes. :func:`load_image`
therefore reads the bytes with :func:`numpy.fromfile`, parses the width and height from the file
header *before* decoding (refusing decompression bombs), checks for truncation, decodes with
``cv2.imdecode(..., IMREAD_UNCHANGED)`` (keeps 16-bit depth and alpha), applies the EXIF
orientation itself (``IMREAD_UNCHANGED`` ignores it) and converts BGR to RGB once, here.
Every failure raises :class:`ImageLoadError` naming the file and the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from engine.checks import check_int
from engine.images._decoder_warnings import damage_warning, imdecode_with_warnings
from engine.images._headers import SUPPORTED_FORMATS, ImageHeader, read_image_header
from engine.storage import UserFileError, atomic_write_bytes, read_user_bytes

#: Largest image accepted by default (width × height); 8K × 8K.
DEFAULT_MAX_PIXELS = 64 * 1024 * 1024
#: Largest file accepted (bytes).
MAX_FILE_BYTES = 512 * 1024 * 1024

#: File-name patterns for open dialogs.
IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".jpe",
    ".bmp",
    ".dib",
    ".tif",
    ".tiff",
    ".webp",
    ".pbm",
    ".pgm",
    ".ppm",
    ".pnm",
    ".gif",
)


# UserFileError reasons → ImageLoadError reasons.
_FILE_REASONS = {"missing": "missing", "not a file": "not an image", "too large": "too large"}


class ImageLoadError(ValueError):
    """An image file could not be loaded; ``str(err)`` names the file and says why.

    Attributes
    ----------
    path : str
        The file that failed.
    reason : str
        One of ``"missing"``, ``"empty"``, ``"not an image"``, ``"truncated"``, ``"too large"``,
        ``"corrupt"``, ``"unreadable"``, ``"unsupported"``.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, detail: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {detail} ({self.path})")


def apply_exif_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """Return ``image`` as it should be displayed for EXIF ``orientation`` 1–8.

    1 = as stored, 2 = mirrored left–right, 3 = rotated 180°, 4 = mirrored top–bottom,
    5 = transposed, 6 = rotate 90° clockwise to display, 7 = transverse, 8 = rotate 90°
    counter-clockwise to display.
    """
    if orientation not in range(1, 9):
        raise ValueError(f"orientation must be an EXIF orientation 1–8, got {orientation!r}")
    ops = {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
        8: lambda a: np.rot90(a, 1),
    }
    return np.ascontiguousarray(ops[orientation](image))


def decode_image(
    data: bytes | np.ndarray,
    name: str | os.PathLike[str] = "<bytes>",
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> np.ndarray:
    """Decode image bytes as :func:`load_image` does (``name`` only labels errors)."""
    raw = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
    if not raw:
        raise ImageLoadError(name, "empty", "the file is empty (0 bytes)")
    header = read_image_header(raw)
    if header is None:
        raise ImageLoadError(
            name,
            "not an image",
            "not an image file KernelScope can read (expected "
            + ", ".join(SUPPORTED_FORMATS)
            + ")",
        )
    if header.width <= 0 or header.height <= 0:
        if header.truncated:
            raise ImageLoadError(name, "truncated", f"the {header.format} file is truncated")
        raise ImageLoadError(
            name, "corrupt", f"the {header.format} header gives no valid image size"
        )
    if header.pixels > max_pixels:
        raise ImageLoadError(
            name,
            "too large",
            f"the {header.format} header says {header.width}×{header.height} = "
            f"{header.pixels:,} pixels, more than the limit of {max_pixels:,}; refused "
            "before decoding",
        )
    if header.truncated:
        raise ImageLoadError(
            name, "truncated", f"the {header.format} file is truncated (data is missing)"
        )
    warnings = ""
    try:
        if header.format == "JPEG":  # libjpeg only *prints* that data is missing: listen
            decoded, warnings = imdecode_with_warnings(raw, cv2.IMREAD_UNCHANGED)
        else:
            decoded = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:
        raise ImageLoadError(
            name, "corrupt", f"the {header.format} data could not be decoded: {exc.err}"
        ) from None
    if decoded is None or decoded.size == 0:
        raise ImageLoadError(
            name,
            "corrupt",
            f"the {header.format} data is corrupt or truncated and could not be decoded",
        )
    damage = damage_warning(warnings)
    if damage is not None:
        raise ImageLoadError(
            name,
            "corrupt",
            f"the {header.format} file looks damaged: part of its image data is missing (the "
            f"decoder said {damage!r}) and that part would show as a grey area",
        )
    if decoded.shape[:2] != (header.height, header.width):
        raise ImageLoadError(
            name,
            "corrupt",
            f"the {header.format} file looks damaged: its header promises "
            f"{header.width}×{header.height} pixels but {decoded.shape[1]}×{decoded.shape[0]} "
            "were decoded",
        )
    return _normalise_decoded(decoded, header, name)


def _normalise_decoded(
    img: np.ndarray, header: ImageHeader, name: str | os.PathLike[str]
) -> np.ndarray:
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.dtype not in (np.uint8, np.uint16, np.float32):
        if img.dtype.kind not in "iuf":
            raise ImageLoadError(name, "unsupported", f"pixel type {img.dtype} is not supported")
        img = img.astype(np.float32)
    if img.ndim == 3:
        if img.shape[2] == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        elif img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
        else:
            raise ImageLoadError(
                name, "unsupported", f"{img.shape[2]} colour channels are not supported"
            )
    elif img.ndim != 2:
        raise ImageLoadError(name, "unsupported", f"decoded shape {img.shape} is not an image")
    if header.orientation != 1:
        img = apply_exif_orientation(img, header.orientation)
    return img


def load_image(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Load an image file as RGB ``(H, W, 3)``, RGBA ``(H, W, 4)`` or grayscale ``(H, W)``.

    PNG, JPEG, BMP, TIFF, WebP, PNM and GIF; 8-bit images stay ``uint8``, 16-bit ``uint16``,
    float TIFF ``float32``. EXIF orientation is applied. Non-ASCII paths work.

    Parameters
    ----------
    path
        The file to read.
    max_pixels
        Refuse images whose header claims more pixels than this, before decoding.

    Raises
    ------
    ImageLoadError
        (a ``ValueError``) naming the file and the reason: missing, empty, not an image,
        truncated, too large, corrupt, unreadable.
    """
    check_int(max_pixels, "max_pixels", minimum=1)
    p = Path(path)
    try:  # refuses FIFOs, devices and link loops before opening: those would hang or confuse
        data = read_user_bytes(p, what="image", max_bytes=MAX_FILE_BYTES)
    except UserFileError as exc:
        reason = _FILE_REASONS.get(exc.reason, "unreadable")
        raise ImageLoadError(p, reason, str(exc).rstrip(".")) from None
    return decode_image(data, p, max_pixels=max_pixels)


def save_png(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write an RGB/RGBA/grayscale ``uint8`` or ``uint16`` array as PNG, atomically.

    The file is written to a temporary file next to ``path`` and moved into place, so a failed
    write never leaves a truncated PNG behind. Non-ASCII paths work.

    Raises
    ------
    ValueError
        For an array that is not a 2-D or 3-/4-channel ``uint8``/``uint16`` image.
    OSError
        When the file cannot be written.
    """
    arr = np.asarray(image)
    if arr.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"image must be uint8 or uint16 to save as PNG, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGBA2BGRA)
    elif arr.ndim != 2:
        raise ValueError(f"image must be (H, W), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"image must not be empty, got shape {arr.shape}")
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(arr))
    if not ok:
        raise ValueError(f"OpenCV could not encode an image of shape {arr.shape} as PNG")
    atomic_write_bytes(path, buf.tobytes(), make_parents=False)
