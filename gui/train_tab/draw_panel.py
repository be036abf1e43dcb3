"""Draw your own digit: a canvas at the data's resolution, shown enlarged, and softmax bars."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.train import shift_images

#: Brush sizes offered (pixels across at full ink; a half-pixel soft edge around that).
BRUSH_SIZES = (1, 2, 3, 4, 5)
SHIFT_KEYS: dict[int, tuple[int, int]] = {  # Qt.Key is an IntEnum: event.key() finds it
    Qt.Key.Key_Up: (-1, 0),
    Qt.Key.Key_Down: (1, 0),
    Qt.Key.Key_Left: (0, -1),
    Qt.Key.Key_Right: (0, 1),
}


class DigitCanvas(QWidget):
    """An ``H×W`` image in [0, 1] (white ink on black), drawn with the mouse.

    Left button draws, right button erases; arrow keys shift the drawing by one pixel (zero
    fill, as the shift test does).

    Signals
    -------
    image_changed()
        After every stroke segment, shift or clear.
    """

    image_changed = Signal()

    @staticmethod
    def default_brush(shape: tuple[int, int]) -> int:
        """A stroke as wide as the data's own: 1 pixel on 8×8 digits, 3 on 28×28 (MNIST)."""
        return max(1, min(BRUSH_SIZES[-1], round(min(shape) / 9)))

    def __init__(self, parent: QWidget | None = None, shape: tuple[int, int] = (8, 8)) -> None:
        super().__init__(parent)
        self.setObjectName("digitCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 160)
        self.setToolTip("draw with the left button, erase with the right; arrow keys shift")
        self.image = np.zeros(shape, dtype=np.float32)
        #: Pen diameter in image pixels (see :meth:`set_brush`).
        self.brush = self.default_brush(shape)
        self._last: tuple[float, float] | None = None
        self._erase = False

    def set_brush(self, size: int) -> None:
        """Pen ``size`` pixels across: pixels whose centre is within ``size/2`` of the pen get
        full ink, a half-pixel rim around that partial ink."""
        self.brush = int(min(max(size, BRUSH_SIZES[0]), BRUSH_SIZES[-1]))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Room for an enlarged digit."""
        return QSize(280, 280)

    def set_shape(self, shape: tuple[int, int]) -> None:
        """Start a blank canvas of ``shape`` (the data's image size)."""
        if tuple(shape) != self.image.shape:
            self.image = np.zeros(shape, dtype=np.float32)
            self.brush = self.default_brush((shape[0], shape[1]))
            self.update()
            self.image_changed.emit()

    def set_image(self, image: np.ndarray) -> None:
        """Show ``image`` (same shape as the data) for further drawing."""
        self.image = np.clip(np.asarray(image, dtype=np.float32), 0, 1).copy()
        self.update()
        self.image_changed.emit()

    def clear(self) -> None:
        """Erase everything."""
        self.image[:] = 0
        self.update()
        self.image_changed.emit()

    def shift(self, dy: int, dx: int) -> None:
        """Move the drawing by ``(dy, dx)`` pixels; what leaves the canvas is lost."""
        self.image = shift_images(self.image[None], dy, dx)[0].astype(np.float32)
        self.update()
        self.image_changed.emit()

    # -- geometry --------------------------------------------------------------------------------
    def _cell(self) -> float:
        h, w = self.image.shape
        return max(1.0, min(self.width() / w, self.height() / h))

    def _origin(self) -> QPointF:
        h, w = self.image.shape
        cell = self._cell()
        return QPointF((self.width() - w * cell) / 2, (self.height() - h * cell) / 2)

    def cell_centre(self, row: int, col: int) -> QPointF:
        """Widget coordinates of pixel ``(row, col)``'s centre (tests press the mouse there)."""
        cell = self._cell()
        origin = self._origin()
        return QPointF(origin.x() + (col + 0.5) * cell, origin.y() + (row + 0.5) * cell)

    def _to_pixel(self, pos: QPointF) -> tuple[float, float]:
        cell = self._cell()
        origin = self._origin()
        return ((pos.y() - origin.y()) / cell, (pos.x() - origin.x()) / cell)

    # -- drawing ---------------------------------------------------------------------------------
    def _dab(self, r: float, c: float) -> None:
        """Ink (or erase) a round pen centred on the pixel under image position ``(r, c)``.

        A pixel at distance ``d`` (centre to centre) gets ink ``clip(brush/2 + 1/2 − d, 0, 1)``:
        brush 1 inks exactly that pixel, 2 adds half-ink neighbours, 3 a full plus of five
        with softer corners, and so on.  Ink is kept as the maximum of old and new (erasing as
        the minimum), so going over a stroke twice never widens or darkens it.
        """
        h, w = self.image.shape
        row, col = int(np.floor(r)), int(np.floor(c))
        if not (0 <= row < h and 0 <= col < w):
            return
        reach = self.brush / 2 + 0.5
        span = int(np.ceil(reach))
        rows = np.arange(max(0, row - span), min(h, row + span + 1))
        cols = np.arange(max(0, col - span), min(w, col + span + 1))
        distance = np.hypot(rows[:, None] - row, cols[None, :] - col)
        ink = np.clip(reach - distance, 0.0, 1.0).astype(np.float32)
        block = self.image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        if self._erase:
            np.minimum(block, 1.0 - ink, out=block)
        else:
            np.maximum(block, ink, out=block)

    def _stroke_to(self, pos: QPointF) -> None:
        r, c = self._to_pixel(pos)
        if self._last is None:
            self._dab(r, c)
        else:
            r0, c0 = self._last
            steps = max(1, int(np.ceil(2 * max(abs(r - r0), abs(c - c0)))))
            seen: set[tuple[int, int]] = set()
            for t in np.linspace(0, 1, steps + 1)[1:]:
                rr, cc = r0 + t * (r - r0), c0 + t * (c - c0)
                key = (int(np.floor(rr)), int(np.floor(cc)))
                if key not in seen:  # one dab per pixel per segment: even ink at any speed
                    seen.add(key)
                    self._dab(rr, cc)
        self._last = (r, c)
        self.update()
        self.image_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Start a stroke (right button erases)."""
        if event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return super().mousePressEvent(event)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._erase = event.button() == Qt.MouseButton.RightButton
        self._last = None
        self._stroke_to(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Continue the stroke while a button is held."""
        if event.buttons() & (Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton):
            self._stroke_to(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """End the stroke."""
        self._last = None
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Arrow keys shift the drawing by one pixel; Delete/Backspace clear it."""
        if event.key() in SHIFT_KEYS:
            self.shift(*SHIFT_KEYS[event.key()])
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Pixels as squares, a faint grid, a focus frame."""
        painter = QPainter(self)
        h, w = self.image.shape
        cell = self._cell()
        origin = self._origin()
        for r in range(h):
            for c in range(w):
                v = int(round(255 * float(self.image[r, c])))
                painter.fillRect(
                    QRectF(origin.x() + c * cell, origin.y() + r * cell, cell + 0.5, cell + 0.5),
                    QColor(v, v, v),
                )
        painter.setPen(QPen(QColor(90, 90, 90), 1))
        if cell >= 6:
            for r in range(h + 1):
                y = origin.y() + r * cell
                painter.drawLine(QPointF(origin.x(), y), QPointF(origin.x() + w * cell, y))
            for c in range(w + 1):
                x = origin.x() + c * cell
                painter.drawLine(QPointF(x, origin.y()), QPointF(x, origin.y() + h * cell))
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(QRectF(origin.x(), origin.y(), w * cell, h * cell))
        painter.end()


class ProbabilityBars(QWidget):
    """Softmax probabilities of one model as ten labelled bars; the most likely one is filled.

    ``compact`` (the feature-map grid): no heading line, a smaller font, and the percentage
    only beside the most likely class, so the chart fits a map-sized cell.
    """

    def __init__(
        self, title: str, colour: str, parent: QWidget | None = None, *, compact: bool = False
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.colour = QColor(colour)
        self.compact = compact
        self.class_names: tuple[str, ...] = tuple(str(d) for d in range(10))
        self.probabilities: np.ndarray | None = None
        if compact:
            self.setMinimumSize(70, 60)  # the font follows the row height (paintEvent)
        else:
            self.setMinimumSize(180, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """A readable chart."""
        return QSize(280, 240)

    def set_probabilities(self, probabilities: np.ndarray | None, names: tuple[str, ...]) -> None:
        """Show ``probabilities`` (one per class), or "not trained yet" for ``None``."""
        self.probabilities = None if probabilities is None else np.asarray(probabilities, float)
        self.class_names = names
        self.update()

    def predicted(self) -> int | None:
        """Index of the largest probability, or ``None``."""
        return None if self.probabilities is None else int(np.argmax(self.probabilities))

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Title line, then one bar per class with its label and percentage."""
        painter = QPainter(self)
        text = self.palette().windowText().color()
        if self.compact:  # letters as tall as a row allows (6–12 px)
            font = painter.font()
            rows = max(len(self.class_names), 1)
            font.setPixelSize(max(6, min(12, int(0.85 * self.height() / rows))))
            painter.setFont(font)
        metrics = painter.fontMetrics()
        line = metrics.height()
        painter.setPen(text)
        best = self.predicted()
        heading = self.title
        if best is not None and self.probabilities is not None:
            name = self.class_names[best] if best < len(self.class_names) else str(best)
            heading += f": {name} ({100 * self.probabilities[best]:.0f} %)"
        else:
            heading += ": not trained yet"
        if not self.compact:
            painter.drawText(
                QRectF(0, 0, self.width(), line + 4), Qt.AlignmentFlag.AlignLeft, heading
            )
        n = len(self.class_names)
        top = 0 if self.compact else line + 8
        row = max(6.0, (self.height() - top) / max(n, 1))
        label_w = max(metrics.horizontalAdvance(s) for s in self.class_names) + 8
        pct_w = metrics.horizontalAdvance("100 %") + 6
        bar_w = max(10.0, self.width() - label_w - pct_w)
        for i, name in enumerate(self.class_names):
            y = top + i * row
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y, label_w - 4, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            p = 0.0 if self.probabilities is None else float(self.probabilities[i])
            frame = QRectF(label_w, y + 1, bar_w, max(1.0, row - (2 if self.compact else 4)))
            painter.setPen(QPen(self.colour, 1))
            painter.drawRect(frame)
            fill = QColor(self.colour)
            if i != best:
                fill.setAlpha(120)
            painter.fillRect(QRectF(frame.x(), frame.y(), bar_w * p, frame.height()), fill)
            if self.compact and i != best:
                continue
            painter.setPen(text)
            painter.drawText(
                QRectF(label_w + bar_w + 4, y, pct_w, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{100 * p:.0f} %",
            )
        painter.end()
