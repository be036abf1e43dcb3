"""Read the text of each page back from a PDF that Qt's ``QPdfWriter`` wrote (for tests).

A small reader of exactly what Qt writes (PDF 1.4, a classic xref table, Flate-compressed
content streams, Type0 fonts with a ``/ToUnicode`` CMap, one glyph per ``Tj``), so tests can
assert on what a printed page says without a PDF library or a tool (no QtPdf in the wheel).
Anything else it does not understand raises ``ValueError``: a test then fails, it never
passes on text it could not read.
"""

from __future__ import annotations

import re
import zlib

_REF = rb"(\d+)\s+0\s+R"


class _Pdf:
    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"%PDF-"):
            raise ValueError("not a PDF")
        self.data = data
        start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        if not data.startswith(b"xref", start):
            raise ValueError("no classic xref table")
        self.offsets: dict[int, int] = {}
        pos = start + 4
        while True:
            head = re.compile(rb"\s*(\d+)\s+(\d+)\s*\n").match(data, pos)
            if head is None:
                break
            first, count = int(head.group(1)), int(head.group(2))
            pos = head.end()
            for k in range(count):
                entry = data[pos : pos + 20]
                offset, _gen, kind = entry.split()[:3]
                if kind == b"n":
                    self.offsets[first + k] = int(offset)
                pos += 20
        trailer = data[pos : data.index(b"startxref", pos)]
        self.root = int(re.search(rb"/Root\s+" + _REF, trailer).group(1))

    def body(self, number: int) -> bytes:
        """The object's text up to ``stream`` or ``endobj``."""
        start = self.offsets[number]
        head = re.compile(rb"\s*%d\s+0\s+obj" % number).match(self.data, start)
        if head is None:
            raise ValueError(f"object {number} is not where the xref says")
        end = min(
            i
            for i in (self.data.find(b"stream", head.end()), self.data.find(b"endobj", start))
            if i >= 0
        )
        return self.data[head.end() : end]

    def stream(self, number: int) -> bytes:
        """The object's stream, inflated."""
        body = self.body(number)
        start = self.offsets[number] + self.data[self.offsets[number] :].index(b"stream") + 6
        if self.data[start : start + 2] == b"\r\n":
            start += 2
        elif self.data[start : start + 1] == b"\n":
            start += 1
        length = re.search(rb"/Length\s+(?:" + _REF + rb"|(\d+))", body)
        if length.group(1) is not None:
            size = int(self.body(int(length.group(1))).strip())
        else:
            size = int(length.group(2))
        raw = self.data[start : start + size]
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    def pages(self) -> list[int]:
        """The page objects, in order."""
        catalog = self.body(self.root)
        return self._kids(int(re.search(rb"/Pages\s+" + _REF, catalog).group(1)))

    def _kids(self, number: int) -> list[int]:
        body = self.body(number)
        if re.search(rb"/Type\s*/Page(?!s)", body):
            return [number]
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S).group(1)
        pages: list[int] = []
        for ref in re.findall(_REF, kids):
            pages += self._kids(int(ref))
        return pages


def _cmap(text: bytes) -> dict[int, str]:
    table: dict[int, str] = {}

    def chars(hex_text: bytes) -> str:
        raw = bytes.fromhex(hex_text.decode("ascii"))
        return raw.decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            table[int(src, 16)] = chars(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for k, item in enumerate(re.findall(rb"<([0-9A-Fa-f]*)>", dst)):
                    table[lo_i + k] = chars(item)
            else:
                first = chars(dst[1:-1])
                for k in range(hi_i - lo_i + 1):
                    table[lo_i + k] = first[:-1] + chr(ord(first[-1]) + k)
    return table


def page_texts(data: bytes) -> list[str]:
    """The text of each page of ``data`` (PDF bytes): a line per text run, blanks as one space."""
    pdf = _Pdf(data)
    texts = []
    for page in pdf.pages():
        body = pdf.body(page)
        resources = re.search(rb"/Resources\s+" + _REF, body)
        res = pdf.body(int(resources.group(1))) if resources else body
        fonts: dict[bytes, dict[int, str]] = {}
        font_dict = re.search(rb"/Font\s*<<(.*?)>>", res, re.S)
        for name, ref in re.findall(rb"/(\w+)\s+" + _REF, font_dict.group(1) if font_dict else b""):
            font = pdf.body(int(ref))
            unicode = re.search(rb"/ToUnicode\s+" + _REF, font)
            if unicode is None:
                raise ValueError(f"font {name!r} has no ToUnicode map")
            fonts[name] = _cmap(pdf.stream(int(unicode.group(1))))
        contents = re.search(rb"/Contents\s+" + _REF, body)
        content = pdf.stream(int(contents.group(1)))
        texts.append(_page_text(content, fonts))
    return texts


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """``m`` then ``n`` (PDF matrices ``a b c d e f``)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _page_text(content: bytes, fonts: dict[bytes, dict[int, str]]) -> str:
    """Glyphs in drawing order; a new line where the baseline moves, a space where the next
    glyph is far more than a glyph's step to the right (table cells, the header's two ends)."""
    out: list[str] = []
    cmap: dict[int, str] = {}
    operand: list[bytes] = []
    ctm, stack = _IDENTITY, []
    text_line = _IDENTITY
    last: tuple[float, float] | None = None  # device x, y of the last glyph
    advance = 0.0  # the mean step from glyph to glyph, in device units
    for token in re.finditer(rb"<[0-9A-Fa-f]*>|/\w+|-?\d*\.?\d+|[A-Za-z*']+", content):
        word = token.group(0)
        if word == b"q":
            stack.append(ctm)
        elif word == b"Q":
            ctm = stack.pop() if stack else _IDENTITY
        elif word == b"cm":
            ctm = _multiply(tuple(float(v) for v in operand[-6:]), ctm)
        elif word == b"BT":
            text_line = _IDENTITY
        elif word == b"Tm":
            text_line = tuple(float(v) for v in operand[-6:])
        elif word == b"Td":
            dx, dy = float(operand[-2]), float(operand[-1])
            text_line = _multiply((1.0, 0.0, 0.0, 1.0, dx, dy), text_line)
        elif word == b"Tf":
            cmap = fonts[operand[-2][1:]]
        elif word == b"Tj":
            m = _multiply(text_line, ctm)
            x, y = m[4], m[5]
            if last is not None:
                if abs(y - last[1]) > 0.5:
                    out.append("\n")
                elif x > last[0]:
                    step = x - last[0]
                    if advance and step > 3 * advance:  # a gap: table cells, tab stops
                        if out and out[-1] not in " \t":
                            out.append(" ")
                    else:
                        advance = step if not advance else 0.8 * advance + 0.2 * step
            glyphs = bytes.fromhex(operand[-1][1:-1].decode("ascii"))
            for k in range(0, len(glyphs), 2):
                out.append(cmap.get(int.from_bytes(glyphs[k : k + 2], "big"), "\ufffd"))
            last = (x, y)
        if re.fullmatch(rb"[A-Za-z*']+", word):
            operand = []
        else:
            operand.append(word)
    # Qt's ToUnicode maps its space glyph to a tab: runs of blanks become one space
    text = re.sub(r"[ \t]+", " ", "".join(out))
    return re.sub(r" *\n[\s]*", "\n", text).strip()


def document_title(data: bytes) -> str:
    """The ``/Title`` of the PDF's document information (Qt writes it as UTF-16 with a BOM)."""
    pdf = _Pdf(data)
    trailer = data[data.rindex(b"trailer") :]
    info = re.search(rb"/Info\s+" + _REF, trailer)
    if info is None:
        raise ValueError("no document information")
    body = pdf.body(int(info.group(1)))
    match = re.search(rb"/Title\s*\(((?:\\.|[^\\)])*)\)", body, re.S)
    if match is None:
        raise ValueError("no /Title")
    raw = re.sub(rb"\\(.)", rb"\1", match.group(1))
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
