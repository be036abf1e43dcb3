"""The sliding window as a picture: each window cell shows weight, input and their product, and
an arrow leads from the window to the outlined output cell that their sum fills."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.text import format_cell
from gui.colours import mix
from gui.matrix_tab.cell_colours import cell_colours

PAD = 8
GAP = 2
ARROW = 52


@dataclass(frozen=True)
class PictureCell:
    """One window cell: its weight, input value and product (``padding``: a zero-padding cell)."""

    weight: float | int
    value: float | int
    product: float | int
    padding: bool


def _text(value: float | int) -> str:
    return format_cell(value)


class WindowPicture(QWidget):
    """Draws a k×k window (weight / input / product per cell) and its output cell.

    :meth:`show_window` sets what is drawn; :meth:`clear` empties it.  Tests read
    :attr:`cells`, :meth:`cell_lines` and :meth:`output_rect` / :meth:`cell_rect`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("windowPicture")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.cells: list[list[PictureCell | None]] = []
        self.labels = ("w", "x")
        self.output_label = ""
        self.total: float | int = 0
        self.caption = ""
        self.setToolTip(
            "Each window cell: weight w, input x and their product w·x; the products add up to "
            "the outlined output cell"
        )

    # --- content ---------------------------------------------------------------------------
    def show_window(
        self,
        cells: list[list[PictureCell | None]],
        total: float | int,
        output_label: str,
        caption: str = "",
        labels: tuple[str, str] = ("w", "x"),
    ) -> None:
        """Draw ``cells`` (rows of the window; None: an empty place) whose products sum to
        ``total``; ``labels`` name the two factors (weight and input by default)."""
        self.cells = cells
        self.labels = labels
        self.total = total
        self.output_label = output_label
        self.caption = caption
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        """Draw nothing."""
        self.show_window([], 0, "", "")

    def cell_lines(self, r: int, c: int) -> tuple[str, str, str]:
        """The three lines drawn in window cell (r, c): weight, input, product."""
        cell = self.cells[r][c]
        if cell is None:
            return ("", "", "")
        value = _text(cell.value) + (" (pad)" if cell.padding else "")
        first, second = self.labels
        return (f"{first} {_text(cell.weight)}", f"{second} {value}", f"= {_text(cell.product)}")

    def compact(self) -> bool:
        """More than 3×3 cells: each cell shows ``w·x`` and ``= product`` on two lines."""
        return sum(len(row) for row in self.cells) > 9

    def _drawn_lines(self, r: int, c: int) -> list[tuple[str, bool]]:
        """``(text, bold)`` lines drawn in cell (r, c)."""
        cell = self.cells[r][c]
        if cell is None:
            return []
        first, second, product = self.cell_lines(r, c)
        if self.compact():
            value = _text(cell.value) + ("ᵖ" if cell.padding else "")
            return [(f"{_text(cell.weight)}·{value}", False), (product, True)]
        return [(first, False), (second, False), (product, True)]

    # --- geometry ----------------------------------------------------------------------------
    def _fonts(self) -> tuple[QFont, QFont]:
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        bold = QFont(self.font())
        bold.setBold(True)
        return small, bold

    def _cell_size(self) -> QSize:
        small, bold = self._fonts()
        fm_small, fm_bold = QFontMetrics(small), QFontMetrics(bold)
        width = 0
        for r, row in enumerate(self.cells):
            for c in range(len(row)):
                for text, is_bold in self._drawn_lines(r, c):
                    width = max(width, (fm_bold if is_bold else fm_small).horizontalAdvance(text))
        small_lines = 1 if self.compact() else 2
        height = small_lines * fm_small.height() + fm_bold.height() + 6
        return QSize(max(width + 10, 36 if self.compact() else 44), height)

    def _caption_height(self) -> int:
        return self.fontMetrics().height() + 4 if self.caption else 0

    def cell_rect(self, r: int, c: int) -> QRectF:
        """Where window cell (r, c) is drawn."""
        size = self._cell_size()
        top = PAD + self._caption_height()
        return QRectF(
            PAD + c * (size.width() + GAP),
            top + r * (size.height() + GAP),
            size.width(),
            size.height(),
        )

    def _grid_rect(self) -> QRectF:
        rows = len(self.cells)
        cols = len(self.cells[0]) if rows else 0
        if not rows:
            return QRectF()
        return self.cell_rect(0, 0).united(self.cell_rect(rows - 1, cols - 1))

    def output_rect(self) -> QRectF:
        """Where the outlined output cell is drawn (right of the window, level with its middle)."""
        grid = self._grid_rect()
        _small, bold = self._fonts()
        fm = QFontMetrics(bold)
        width = 16 + max(
            fm.horizontalAdvance(_text(self.total)), fm.horizontalAdvance(self.output_label)
        )
        height = 2 * fm.height() + 10
        return QRectF(grid.right() + ARROW, grid.center().y() - height / 2, width, height)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        if not self.cells:
            return QSize(200, 60)
        grid, out = self._grid_rect(), self.output_rect()
        return QSize(int(out.right()) + PAD, int(max(grid.bottom(), out.bottom())) + PAD)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.sizeHint()

    # --- painting ----------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Base)
        colours = cell_colours(palette)
        painter.fillRect(self.rect(), base)
        if not self.cells:
            painter.setPen(mix(text, base, 0.5))
            painter.drawText(
                self.rect().adjusted(PAD, PAD, -PAD, -PAD),
                Qt.TextFlag.TextWordWrap,
                "Hover over or click an output cell: its window appears here, cell by cell.",
            )
            return
        small, bold = self._fonts()
        if self.caption:
            painter.setPen(text)
            painter.drawText(QPointF(PAD, PAD + self.fontMetrics().ascent()), self.caption)
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                rect = self.cell_rect(r, c)
                if cell is None:  # a place no product comes from
                    painter.setPen(QPen(mix(text, base, 0.7), 1, Qt.PenStyle.DotLine))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(rect)
                    continue
                fill = colours.window
                if cell.padding:
                    fill = mix(colours.window, colours.padding, 0.45)
                painter.fillRect(rect, fill)
                painter.setPen(QPen(mix(colours.on_highlight, fill, 0.5), 1))
                painter.drawRect(rect)
                lines = self._drawn_lines(r, c)
                inner = rect.adjusted(4, 2, -4, -2)
                third = inner.height() / len(lines)
                for k, (line, is_bold) in enumerate(lines):
                    painter.setFont(bold if is_bold else small)
                    negative = is_bold and cell.product < 0
                    painter.setPen(
                        colours.negative_on_highlight if negative else colours.on_highlight
                    )
                    box = QRectF(inner.left(), inner.top() + k * third, inner.width(), third)
                    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    painter.drawText(box, right, line)
        grid, out = self._grid_rect(), self.output_rect()
        # The window's outline and an arrow "Σ" to the output cell link the two.
        painter.setPen(QPen(text, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(grid.adjusted(-2, -2, 2, 2))
        start = QPointF(grid.right() + 6, grid.center().y())
        end = QPointF(out.left() - 4, out.center().y())
        path = QPainterPath(start)
        path.lineTo(end)
        painter.drawPath(path)
        head = QPolygonF([end, end + QPointF(-9, -5), end + QPointF(-9, 5)])
        painter.setBrush(text)
        painter.drawPolygon(head)
        painter.setFont(bold)
        painter.drawText(
            QRectF(start.x(), start.y() - 22, end.x() - start.x(), 18),
            Qt.AlignmentFlag.AlignCenter,
            "Σ",
        )
        painter.setBrush(colours.focus)
        painter.setPen(QPen(text, 3))
        painter.drawRect(out)
        painter.setPen(colours.on_highlight)
        painter.drawText(
            out.adjusted(4, 4, -4, -out.height() / 2),
            Qt.AlignmentFlag.AlignCenter,
            self.output_label,
        )
        painter.drawText(
            out.adjusted(4, out.height() / 2, -4, -4),
            Qt.AlignmentFlag.AlignCenter,
            _text(self.total),
        )
