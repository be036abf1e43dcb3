"""Image file headers read without decoding: format, size, EXIF orientation, truncation.

:func:`read_image_header` lets :func:`engine.images.io.load_image` refuse decompression bombs and
truncated files before ``cv2.imdecode`` sees a byte, and apply the EXIF orientation itself.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SUPPORTED_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WebP", "PNM", "GIF")


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
