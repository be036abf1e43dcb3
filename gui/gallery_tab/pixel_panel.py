"""The large view's pixel hover: the hovered pixel's window, the kernel, products and sum.

The numbers come from :func:`engine.images.pixel_window` on the frame's working image (after
colour conversion and pre-blur) with the gallery's border mode, so the sum is the filter's
response at that pixel. The panel floats over the image in the corner farthest from the
cursor and never covers the hovered pixel.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from engine.images import PixelWindow
from engine.text import format_short

#: Larger kernels are summarised (a 15×15 table would cover the image).
MAX_LISTED_SIDE = 7
#: Windows up to this many columns show their three tables side by side.
SIDE_BY_SIDE_COLUMNS = 5
#: Space kept between the panel, the cursor and the view's edges.
MARGIN = 8


def _number(value: float) -> str:
    return format_short(round(float(value), 2), 4)


def _cell(value: np.ndarray | float) -> str:
    if np.ndim(value) == 0:
        return _number(float(value))
    return "/".join(_number(v) for v in np.ravel(value))


def _table(title: str, grid: np.ndarray, outside: np.ndarray | None = None) -> str:
    rows = []
    centre = (grid.shape[0] // 2, grid.shape[1] // 2)
    for r in range(grid.shape[0]):
        cells = []
        for c in range(grid.shape[1]):
            text = html.escape(_cell(grid[r, c]))
            if outside is not None and outside[r, c]:
                text = f"<i>{text}</i>"  # supplied by the border mode
            if (r, c) == centre:
                text = f"<b>{text}</b>"
            cells.append(f'<td align="right">&nbsp;{text}&nbsp;</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div><b>{html.escape(title)}</b></div>"
        f'<table cellspacing="0" cellpadding="0" border="1">{"".join(rows)}</table>'
    )


def window_html(win: PixelWindow, title: str, shown: str) -> str:
    """Rich text for ``win``: the window, the kernel, the products and the sum."""
    kh, kw = win.kernel.shape
    head = (
        f"<b>{html.escape(title)}</b> at x={win.col}, y={win.row} "
        f"({kh}×{kw} window, border {html.escape(win.border)})"
    )
    total = _cell(win.result)
    parts = [head]
    if max(kh, kw) <= MAX_LISTED_SIDE:
        tables = [
            _table("input window", win.values, win.outside),
            _table("× kernel", win.kernel),
            _table("= products", win.products),
        ]
        if kw * (3 if win.values.ndim == 3 else 1) <= SIDE_BY_SIDE_COLUMNS:
            # Side by side: a short, wide panel leaves more of the image free.
            cells = "".join(f'<td valign="top">{t}&nbsp;&nbsp;</td>' for t in tables)
            parts.append(f'<table cellspacing="0"><tr>{cells}</tr></table>')
        else:
            parts += tables
        if win.outside.any():
            parts.append("<div><i>italic</i>: outside the image, filled by the border mode</div>")
    else:
        parts.append(f"<div>a {kh}×{kw} window is too large to list</div>")
    parts.append(
        f"<div><b>Σ products = {html.escape(total)}</b> → shown {html.escape(shown)}</div>"
    )
    return "".join(parts)


class PixelWindowPanel(QFrame):
    """A small floating panel (child of the image widget) with :func:`window_html` text."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("pixelWindowPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)  # opaque: the image must not show through the numbers
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label = QLabel(self)
        self.label.setObjectName("pixelWindowText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        self.label.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label)
        self.hide()

    def show_window(self, text: str, cursor: QPoint) -> None:
        """Show ``text`` across the parent from ``cursor`` (parent coordinates): in the corner
        or edge middle farthest from it, never over it; hidden if no place leaves it free."""
        self.label.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        if parent is None:  # only ever shown over its parent
            return
        area = parent.rect()
        size = self.size()
        left, top = MARGIN, MARGIN
        right = max(MARGIN, area.width() - size.width() - MARGIN)
        bottom = max(MARGIN, area.height() - size.height() - MARGIN)
        middle_x, middle_y = (left + right) // 2, (top + bottom) // 2
        places = [QPoint(x, y) for x in (left, right) for y in (top, bottom)]
        places += [QPoint(middle_x, top), QPoint(middle_x, bottom)]
        places += [QPoint(left, middle_y), QPoint(right, middle_y)]

        def distance(p: QPoint) -> float:
            dx = p.x() + size.width() / 2 - cursor.x()
            dy = p.y() + size.height() / 2 - cursor.y()
            return dx * dx + dy * dy

        places.sort(key=distance, reverse=True)
        keep_free = QRect(cursor.x() - MARGIN, cursor.y() - MARGIN, 2 * MARGIN, 2 * MARGIN)
        for place in places:
            if not QRect(place, size).intersects(keep_free):
                self.move(place)
                self.show()
                self.raise_()
                return
        self.hide()
