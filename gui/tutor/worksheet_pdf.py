"""Worksheets and answer keys as A4 PDF, laid out page by page with Qt alone (no new dependency).

``QTextDocument.print_`` has no running header and splits a question anywhere, so the pages
are made here: every page gets a header line — the copy's :meth:`engine.tutor.Worksheet.header`
(``ANSWER KEY — …`` in bold on the key, the variant seed on every copy) and "page k of n" —
and each question (:meth:`~engine.tutor.Worksheet.html_sections`) is one ``QTextDocument``
laid out for the PDF writer, placed whole on the page where it fits, else started on a new
page; a question longer than a page (a key's worked sums) is cut between lines, tables whole,
a heading never left at the foot of a page.
Copies of a set each start on a new page and count their own pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
)

from engine.tutor import KEY_MARK, Worksheet, WorksheetSet

#: Page margins and the header band, in millimetres; body text and header sizes in points.
MARGIN_MM = 16.0
HEADER_MM = 10.0
GAP_MM = 1.5
BODY_PT = 11
HEADER_PT = 9
RESOLUTION = 300


@dataclass
class _Piece:
    """A slice ``[top, top + height)`` of ``document`` drawn at ``y`` of a page's body."""

    document: QTextDocument
    top: float
    height: float
    y: float


def _document(html: str, writer: QPdfWriter, width: float) -> QTextDocument:
    document = QTextDocument()
    # laid out for the PDF device: point sizes and the HTML's pixel lengths scale to 300 dpi
    document.documentLayout().setPaintDevice(writer)
    font = QFont()
    font.setPointSize(BODY_PT)
    document.setDefaultFont(font)
    document.setHtml(f'<html><head><meta charset="utf-8"></head><body>{html}</body></html>')
    document.setTextWidth(width)
    return document


def paginate(
    sections: list[str], writer: QPdfWriter, width: float, body: float, gap: float
) -> list[list[_Piece]]:
    """Place ``sections`` (HTML) on pages of ``width`` × ``body`` device pixels: whole where
    they fit on what is left of the page, else on the next page; one taller than a page is cut
    between lines (:func:`_cuts`), starting where the page has room."""
    pages: list[list[_Piece]] = [[]]
    y = 0.0
    for html in sections:
        document = _document(html, writer, width)
        height = document.size().height()
        if height <= body - y:
            pages[-1].append(_Piece(document, 0.0, height, y))
            y += height + gap
            continue
        if height <= body:
            pages.append([_Piece(document, 0.0, height, 0.0)])
            y = height + gap
            continue
        cuts = _cuts(document)
        top = 0.0
        while height - top > body - y:
            room = top + body - y
            cut = max((c for c in cuts if top < c <= room), default=None)
            if cut is None and y > 0:  # not even the first lines fit: next page
                pages.append([])
                y = 0.0
                continue
            cut = room if cut is None else cut  # one line taller than a page
            pages[-1].append(_Piece(document, top, cut - top, y))
            pages.append([])
            top, y = cut, 0.0
        pages[-1].append(_Piece(document, top, height - top, y))
        y += height - top + gap
    return [page for page in pages if page]


def _cuts(document: QTextDocument) -> list[float]:
    """Where ``document`` may be cut between pages: above a paragraph or inside one leaving at
    least two of its lines on each page; never inside or right above a table (it moves whole,
    with the line that labels it) nor between a heading and its first paragraph."""
    layout = document.documentLayout()
    cuts: set[float] = set()
    after_heading = False
    block = document.begin()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if table is not None:  # no cut in or above it: it stays with its label ("X =")
            after_heading = False
            block = table.lastCursorPosition().block().next()
            continue
        rect = layout.blockBoundingRect(block)
        lines = block.layout()
        count = lines.lineCount()
        if not after_heading:  # a heading keeps its first paragraph whole
            # above the paragraph, or inside it leaving two lines on each page
            for index in (0, *range(2, count - 1)):
                if index < count:
                    cuts.add(rect.top() + lines.lineAt(index).y())
        after_heading = block.blockFormat().headingLevel() > 0
        block = block.next()
    return sorted(cuts)


def _draw_header(
    painter: QPainter, writer: QPdfWriter, left: str, right: str, width: float, height: float
) -> None:
    font = QFont()
    font.setPointSize(HEADER_PT)
    font.setBold(left.startswith(KEY_MARK))
    painter.setFont(font)
    metrics = QFontMetricsF(font, writer)
    right_width = metrics.horizontalAdvance(right) + metrics.averageCharWidth() * 2
    line = height - writer.resolution() / 25.4 * 3  # 3 mm between the rule and the body
    text_box = QRectF(0, 0, width - right_width, line)
    elided = metrics.elidedText(left, Qt.TextElideMode.ElideMiddle, text_box.width())
    align = Qt.AlignmentFlag.AlignBottom
    painter.drawText(text_box, int(align | Qt.AlignmentFlag.AlignLeft), elided)
    painter.drawText(
        QRectF(width - right_width, 0, right_width, line),
        int(align | Qt.AlignmentFlag.AlignRight),
        right,
    )
    pen = QPen()
    pen.setWidthF(writer.resolution() / 25.4 * 0.25)
    painter.setPen(pen)
    rule = line + metrics.descent()
    painter.drawLine(0, int(rule), int(width), int(rule))


def worksheet_pdf(worksheet: Worksheet | WorksheetSet, *, answers: bool = False) -> bytes:
    """The worksheet (or with ``answers`` its answer key) as A4 PDF bytes, the header on every
    page (``ANSWER KEY`` first on the key, the copy and its variant seed on each sheet)."""
    sheets = worksheet.sheets if isinstance(worksheet, WorksheetSet) else (worksheet,)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle((f"{KEY_MARK} — " if answers else "") + sheets[0].title)
    writer.setCreator("KernelScope")
    writer.setResolution(RESOLUTION)
    margin = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            margin,
            QPageLayout.Unit.Millimeter,
        )
    )
    mm = writer.resolution() / 25.4
    width, height = float(writer.width()), float(writer.height())
    header = HEADER_MM * mm
    painter = QPainter(writer)
    try:
        first = True
        for sheet in sheets:
            sections = sheet.html_sections(answers)
            # the title part stays with the first question (no page with a title alone)
            sections = [sections[0] + sections[1], *sections[2:]] if len(sections) > 1 else sections
            pages = paginate(sections, writer, width, height - header, GAP_MM * mm)
            for number, pieces in enumerate(pages, start=1):
                if not first:
                    writer.newPage()
                first = False
                _draw_header(
                    painter, writer, sheet.header(answers), f"page {number} of {len(pages)}",
                    width, header,
                )  # fmt: skip
                for piece in pieces:
                    painter.save()
                    painter.translate(0, header + piece.y - piece.top)
                    clip = QRectF(0, piece.top, width, piece.height)
                    painter.setClipRect(clip)
                    context = QAbstractTextDocumentLayout.PaintContext()
                    context.clip = clip
                    piece.document.documentLayout().draw(painter, context)
                    painter.restore()
    finally:
        painter.end()  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data())
