"""To-scale drawing of one conv layer: padded input → kernel → output (QPainter)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.layers import LayerExplanation

INPUT_FILL = QColor(147, 197, 253)
PAD_FILL = QColor(226, 232, 240)
KERNEL_FILL = QColor(251, 191, 36)
OUTPUT_FILL = QColor(134, 239, 172)
UNCOVERED = QColor(239, 68, 68, 150)
EDGE = QColor(51, 65, 85)
WINDOW = QColor(180, 83, 9)


class LayerDrawing(QWidget):
    """Draws input (with its zero padding), kernel and output boxes with one common scale.

    Cells get grid lines when they are at least 5 px; the first window is outlined on the input
    (dots on its taps when dilated), the next one (one stride on) dashed, with the two output
    cells they produce; never-covered input rows/columns are tinted red.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerDrawing")
        self.setMinimumSize(360, 190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.explanation: LayerExplanation | None = None
        self.scale = 0.0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """A wide, short strip."""
        return QSize(560, 240)

    def set_explanation(self, explanation: LayerExplanation | None) -> None:
        """Draw this layer (``None`` keeps an empty frame)."""
        self.explanation = explanation
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Lay the three boxes out left to right at one scale and paint them."""
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        e = self.explanation
        if e is None:
            return
        h, w, c = e.input_shape
        r, cl = e.rows, e.cols
        padded = (h + r.pad_before + r.pad_after, w + cl.pad_before + cl.pad_after)
        kernel = (r.effective_kernel, cl.effective_kernel)
        out = e.output_shape
        if out is None:  # the window sticks out of the input: leave room for it
            boxes = [(padded[0], max(padded[1], kernel[1])), kernel]
            boxes[0] = (max(padded[0], kernel[0]), boxes[0][1])
        else:
            boxes = [padded, kernel, out[:2]]
        margin, gap, title_h = 14.0, 56.0, 34.0
        depth_px = 10.0
        avail_w = self.width() - 2 * margin - gap * (len(boxes) - 1) - depth_px * len(boxes)
        avail_h = self.height() - 2 * margin - title_h - depth_px
        units_w = sum(b[1] for b in boxes)
        units_h = max(b[0] for b in boxes)
        self.scale = max(min(avail_w / units_w, avail_h / units_h, 36.0), 0.05)
        s = self.scale
        used = units_w * s + gap * (len(boxes) - 1) + depth_px * len(boxes)
        x = max(margin, (self.width() - used) / 2)
        top = margin + depth_px
        fm = painter.fontMetrics()

        def title(x0: float, width: float, text: str) -> None:
            painter.setPen(self.palette().text().color())
            rect = QRectF(x0 - gap / 2, top + units_h * s + 6, width + gap, title_h)
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

        # input: padding ring, stacked channels, real input, first window, uncovered lines
        self._stack(painter, x, top, padded[1] * s, padded[0] * s, c, PAD_FILL)
        painter.fillRect(QRectF(x, top, padded[1] * s, padded[0] * s), PAD_FILL)
        inner = QRectF(x + cl.pad_before * s, top + r.pad_before * s, w * s, h * s)
        painter.fillRect(inner, INPUT_FILL)
        for i in r.never_covered:
            painter.fillRect(QRectF(inner.left(), inner.top() + i * s, inner.width(), s), UNCOVERED)
        for j in cl.never_covered:
            painter.fillRect(
                QRectF(inner.left() + j * s, inner.top(), s, inner.height()), UNCOVERED
            )
        self._grid(painter, QRectF(x, top, padded[1] * s, padded[0] * s), padded)
        painter.setPen(QPen(EDGE, 1.5))
        painter.drawRect(inner)
        if r.pad_before or r.pad_after or cl.pad_before or cl.pad_after:
            painter.setPen(QPen(EDGE, 1, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(x, top, padded[1] * s, padded[0] * s))
        window = QRectF(x, top, kernel[1] * s, kernel[0] * s)
        painter.setPen(QPen(WINDOW, 2))
        painter.drawRect(window)
        if out is not None and out[1] > 1:  # the next window, one stride to the right
            painter.setPen(QPen(WINDOW, 1.5, Qt.PenStyle.DashLine))
            painter.drawRect(window.translated(cl.stride * s, 0))
        if (r.dilation > 1 or cl.dilation > 1) and s >= 4:
            painter.setBrush(WINDOW)
            for a in range(r.k):
                for b in range(cl.k):
                    centre = QPointF(
                        x + (b * cl.dilation + 0.5) * s, top + (a * r.dilation + 0.5) * s
                    )
                    painter.drawEllipse(centre, s / 4, s / 4)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        pad_note = f"\npadded to {padded[0]}×{padded[1]}" if padded != (h, w) else ""
        title(x, padded[1] * s, f"input {h}×{w}×{c}{pad_note}")
        first_kernel_x = x
        input_w = padded[1] if out is not None else max(padded[1], kernel[1])
        x += input_w * s + depth_px + gap

        # kernel
        self._stack(painter, x, top, kernel[1] * s, kernel[0] * s, c // e.groups, KERNEL_FILL)
        krect = QRectF(x, top, kernel[1] * s, kernel[0] * s)
        painter.fillRect(krect, KERNEL_FILL)
        self._grid(painter, krect, kernel)
        painter.setPen(QPen(EDGE, 1.5))
        painter.drawRect(krect)
        dil = f" (d={r.dilation})" if kernel != e.kernel_size else ""
        title(x, kernel[1] * s, f"kernel {e.kernel_size[0]}×{e.kernel_size[1]}{dil}\n×{e.filters}")
        self._arrow(painter, first_kernel_x + input_w * s + depth_px + 4, x - 6, top + 12)
        kx = x
        x += kernel[1] * s + depth_px + gap

        # output
        if out is None:
            painter.setPen(QColor(185, 28, 28))
            painter.drawText(
                QRectF(x - gap / 2, top, self.width() - x, fm.height() * 3),
                Qt.TextFlag.TextWordWrap,
                "no output:\nkernel larger than\nthe padded input",
            )
            return
        self._arrow(painter, kx + kernel[1] * s + depth_px + 4, x - 6, top + 12)
        self._stack(painter, x, top, out[1] * s, out[0] * s, e.filters, OUTPUT_FILL)
        orect = QRectF(x, top, out[1] * s, out[0] * s)
        painter.fillRect(orect, OUTPUT_FILL)
        self._grid(painter, orect, out[:2])
        painter.setPen(QPen(WINDOW, 2))
        painter.drawRect(QRectF(x, top, s, s))
        if out[1] > 1:
            painter.setPen(QPen(WINDOW, 1.5, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(x + s, top, s, s))
        painter.setPen(QPen(EDGE, 1.5))
        painter.drawRect(orect)
        title(x, out[1] * s, f"output {out[0]}×{out[1]}×{out[2]}")

    def _grid(self, painter: QPainter, rect: QRectF, cells: tuple[int, int]) -> None:
        s = self.scale
        if s < 5:
            return
        painter.setPen(QPen(QColor(71, 85, 105, 90), 1))
        for i in range(1, cells[0]):
            painter.drawLine(
                QPointF(rect.left(), rect.top() + i * s), QPointF(rect.right(), rect.top() + i * s)
            )
        for j in range(1, cells[1]):
            painter.drawLine(
                QPointF(rect.left() + j * s, rect.top()),
                QPointF(rect.left() + j * s, rect.bottom()),
            )

    @staticmethod
    def _stack(painter: QPainter, x: float, y: float, w: float, h: float, depth: int, fill: QColor):
        """Up to three offset sheets behind a box: it has ``depth`` channels."""
        sheets = min(depth - 1, 3)
        for n in range(sheets, 0, -1):
            off = n * 3.5
            rect = QRectF(x + off, y - off, w, h)
            painter.fillRect(rect, fill.darker(100 + 12 * n))
            painter.setPen(QPen(EDGE, 0.8))
            painter.drawRect(rect)

    @staticmethod
    def _arrow(painter: QPainter, x0: float, x1: float, y: float) -> None:
        if x1 - x0 < 8:
            return
        painter.setPen(QPen(EDGE, 1.5))
        painter.drawLine(QPointF(x0, y), QPointF(x1, y))
        painter.drawLine(QPointF(x1, y), QPointF(x1 - 6, y - 4))
        painter.drawLine(QPointF(x1, y), QPointF(x1 - 6, y + 4))
