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

import contextlib
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

#: Largest image accepted by default (width × height); 8K × 8K.
DEFAULT_MAX_PIXELS = 64 * 1024 * 1024
#: Largest file accepted (bytes).
MAX_FILE_BYTES = 512 * 1024 * 1024

SUPPORTED_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WebP", "PNM", "GIF")
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


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import (os.umask can only be read by setting it): new PNGs get the usual mode.
_FILE_MODE = 0o666 & ~_current_umask()


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


@dataclass(frozen=True)
class ImageHeader:
    """What the file header says, read without decoding any pixels.

    ``truncated`` is True when the header proves data is missing (no PNG ``IEND``, no JPEG end
    marker, a BMP/RIFF shorter than its declared size, a TIFF directory past the end).
    ``orientation`` is the EXIF orientation (1 = as stored).
    """

    format: str
    width: int
    height: int
    orientation: int = 1
    truncated: bool = False

    @property
    def pixels(self) -> int:
        """``width * height`` as a Python int."""
        return self.width * self.height


def _u16(data: bytes, off: int, big: bool) -> int:
    return int(struct.unpack_from(">H" if big else "<H", data, off)[0])


def _u32(data: bytes, off: int, big: bool) -> int:
    return int(struct.unpack_from(">I" if big else "<I", data, off)[0])


def _tiff_tags(tiff: bytes, wanted: tuple[int, ...]) -> tuple[dict[int, int], bool]:
    """Read SHORT/LONG values of ``wanted`` tags from the first IFD of a TIFF blob.

    Returns the tags found and whether the directory ran past the end of the data.
    """
    if len(tiff) < 8 or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return {}, False
    big = tiff[:2] == b"MM"
    ifd = _u32(tiff, 4, big)
    if ifd + 2 > len(tiff):
        return {}, True
    count = _u16(tiff, ifd, big)
    found: dict[int, int] = {}
    for n in range(count):
        entry = ifd + 2 + 12 * n
        if entry + 12 > len(tiff):
            return found, True
        tag, typ = _u16(tiff, entry, big), _u16(tiff, entry + 2, big)
        if tag in wanted:
            if typ == 3:
                found[tag] = _u16(tiff, entry + 8, big)
            elif typ == 4:
                found[tag] = _u32(tiff, entry + 8, big)
    return found, False


def _exif_orientation(tiff: bytes) -> int:
    value = _tiff_tags(tiff, (0x0112,))[0].get(0x0112, 1)
    return value if 1 <= value <= 8 else 1


def _png_header(data: bytes) -> ImageHeader:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return ImageHeader("PNG", 0, 0, truncated=True)
    width, height = _u32(data, 16, True), _u32(data, 20, True)
    orientation = 1
    pos = data.find(b"eXIf")
    if pos >= 4:
        length = _u32(data, pos - 4, True)
        orientation = _exif_orientation(data[pos + 4 : pos + 4 + length])
    return ImageHeader("PNG", width, height, orientation, data.rfind(b"IEND") < 0)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_header(data: bytes) -> ImageHeader:
    pos, width, height, orientation = 2, 0, 0, 1
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            pos += 1  # tolerate garbage between segments like libjpeg does
            continue
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = _u16(data, pos + 2, True)
        body = data[pos + 4 : pos + 2 + length]
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            orientation = _exif_orientation(body[6:])
        elif marker in _SOF and len(body) >= 5:
            height, width = _u16(body, 1, True), _u16(body, 3, True)
        elif marker == 0xDA:  # start of scan: entropy-coded data follows, ended by EOI
            truncated = data.find(b"\xff\xd9", pos + 2 + length) < 0
            return ImageHeader("JPEG", width, height, orientation, truncated)
        pos += 2 + length
    return ImageHeader("JPEG", width, height, orientation, truncated=True)


def _bmp_header(data: bytes) -> ImageHeader:
    if len(data) < 26:
        return ImageHeader("BMP", 0, 0, truncated=True)
    declared = _u32(data, 2, False)
    if _u32(data, 14, False) == 12:
        width, height = _u16(data, 18, False), _u16(data, 20, False)
    else:
        width, height = struct.unpack_from("<ii", data, 18)
    truncated = declared > len(data)
    return ImageHeader("BMP", abs(int(width)), abs(int(height)), truncated=truncated)


def _tiff_header(data: bytes) -> ImageHeader:
    tags, truncated = _tiff_tags(data, (256, 257, 0x0112))
    orientation = tags.get(0x0112, 1)
    return ImageHeader(
        "TIFF",
        tags.get(256, 0),
        tags.get(257, 0),
        orientation if 1 <= orientation <= 8 else 1,
        truncated,
    )


def _webp_header(data: bytes) -> ImageHeader:
    truncated = _u32(data, 4, False) + 8 > len(data)
    width = height = 0
    orientation = 1
    pos = 12
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], _u32(data, pos + 4, False)
        body = data[pos + 8 : pos + 8 + size]
        if tag == b"VP8 " and len(body) >= 10:
            width, height = _u16(body, 6, False) & 0x3FFF, _u16(body, 8, False) & 0x3FFF
        elif tag == b"VP8L" and len(body) >= 5:
            bits = _u32(body, 1, False)
            width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        elif tag == b"VP8X" and len(body) >= 10:
            width = (body[4] | body[5] << 8 | body[6] << 16) + 1
            height = (body[7] | body[8] << 8 | body[9] << 16) + 1
        elif tag == b"EXIF":
            orientation = _exif_orientation(body[6:] if body.startswith(b"Exif") else body)
        pos += 8 + size + (size & 1)
    return ImageHeader("WebP", width, height, orientation, truncated)


def _pnm_header(data: bytes) -> ImageHeader:
    fields: list[int] = []
    for line in data[2:4096].split(b"\n"):
        for token in line.split(b"#")[0].split():
            if len(fields) < 2:
                try:
                    fields.append(int(token))
                except ValueError:
                    return ImageHeader("PNM", 0, 0)
        if len(fields) == 2:
            break
    if len(fields) < 2:
        return ImageHeader("PNM", 0, 0, truncated=True)
    return ImageHeader("PNM", fields[0], fields[1])


def _gif_header(data: bytes) -> ImageHeader:
    if len(data) < 10:
        return ImageHeader("GIF", 0, 0, truncated=True)
    width, height = _u16(data, 6, False), _u16(data, 8, False)
    return ImageHeader("GIF", width, height, truncated=not data.rstrip(b"\x00").endswith(b";"))


def read_image_header(data: bytes) -> ImageHeader | None:
    """Parse format, size, EXIF orientation and truncation from an image's bytes, no decoding.

    Returns ``None`` when the bytes start like none of :data:`SUPPORTED_FORMATS`.
    """
    head = bytes(data[:16])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_header(data)
    if head.startswith(b"\xff\xd8\xff"):
        return _jpeg_header(data)
    if head.startswith(b"BM"):
        return _bmp_header(data)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return _tiff_header(data)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_header(data)
    if len(head) > 2 and head[0:1] == b"P" and head[1:2] in b"123456" and head[2:3].isspace():
        return _pnm_header(data)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_header(data)
    return None


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
    try:
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
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive int, got {max_pixels!r}")
    p = Path(path)
    if not p.exists():
        raise ImageLoadError(p, "missing", "the file does not exist")
    if p.is_dir():
        raise ImageLoadError(p, "not an image", "this is a folder, not an image file")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageLoadError(
                p, "too large", f"the file is {size:,} bytes, more than {MAX_FILE_BYTES:,}"
            )
        data = np.fromfile(p, dtype=np.uint8)
    except OSError as exc:
        raise ImageLoadError(p, "unreadable", f"cannot be read: {exc.strerror or exc}") from None
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
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".kernelscope-", suffix=".png", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.tobytes())
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else _FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
