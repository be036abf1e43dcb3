"""The large view of the selected filter: zoom/pan, pixel values under the cursor, levels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.images import DIVERGING_LUT, pixel_window
from engine.text import format_number
from gui.gallery_tab.pixel_panel import PixelWindowPanel, window_html
from gui.widgets.events import on_events
from gui.widgets.plots import follow_theme


def _fmt(value: object) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        v = arr.item()
        return format_number(round(v, 3) if isinstance(v, float) else v)
    return "(" + ", ".join(_fmt(v) for v in arr.tolist()) + ")"


class LargeView(QWidget):
    """A pyqtgraph image with a histogram/levels control and, for the diverging display, a
    colour bar labelled in response units; a readout line shows the values under the cursor,
    and for a kernel filter a floating panel takes the hovered pixel's output apart
    (window × kernel = products, summed), see :meth:`set_pixel_source`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("largeView")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("largeViewGraphics")
        # Background, histogram and colour-bar axes follow the light/dark theme.
        self.view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=True)
        self.view.setObjectName("largeViewBox")
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image_item)
        self.graphics.addItem(self.view, row=0, col=0)
        self.histogram = pg.HistogramLUTItem(image=self.image_item, levelMode="mono")
        self.graphics.addItem(self.histogram, row=0, col=1)
        positions = np.linspace(0.0, 1.0, len(DIVERGING_LUT))
        self.colormap = pg.ColorMap(positions, DIVERGING_LUT)
        self.color_bar = pg.ColorBarItem(
            values=(-1.0, 1.0),
            colorMap=self.colormap,
            interactive=False,
            rounding=0.001,
            colorMapMenu=False,
            label="response",
        )
        self.graphics.addItem(self.color_bar, row=0, col=2)
        self.color_bar.setVisible(False)
        self.readout = QLabel("Move the mouse over the image to read pixel values.")
        self.readout.setObjectName("pixelReadout")
        self.readout.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)
        self._display: np.ndarray | None = None
        self._raw: np.ndarray | None = None
        self._input: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None
        self._last_pos: QPointF | None = None
        self._work: np.ndarray | None = None
        self._kernel: np.ndarray | None = None
        self._border = "reflect101"
        self._title = ""
        self.pixel_panel = PixelWindowPanel(self.graphics)
        on_events(self.graphics, (QEvent.Type.Leave,), self._on_leave)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        follow_theme(self.graphics)

    def set_result(
        self,
        display: np.ndarray,
        raw: np.ndarray | None,
        input_image: np.ndarray | None,
        *,
        diverging_scale: float | None = None,
    ) -> bool:
        """Show a display-ready image (the pipeline's uint8 gray/RGB); ``raw``/``input_image``
        feed the cursor readout.

        Levels stay fixed (0–255 at first, then whatever the user set on the histogram), so live
        video does not flicker. Returns False (and keeps the old image) for an empty image.
        """
        safe = np.asarray(display)
        if safe.size == 0 or safe.ndim not in (2, 3):
            return False
        first = self.image_item.image is None
        reshaped = self._shape is not None and self._shape[:2] != safe.shape[:2]
        self.image_item.setImage(safe, autoLevels=False)
        if first:
            self.image_item.setLevels((0, 255))
            self.histogram.setLevels(0, 255)
        self.histogram.setHistogramRange(0, 255)
        if first or reshaped:
            self.view.autoRange(padding=0.01)
        self._shape = safe.shape
        self._display, self._raw, self._input = safe, raw, input_image
        # A colour-mapped image has no meaningful grey levels: the colour bar replaces the
        # histogram/levels control while the diverging display is on.
        if diverging_scale is not None:
            m = diverging_scale if diverging_scale > 0 else 1.0
            self.color_bar.setLevels(values=(-m, m))
            self.color_bar.setVisible(True)
            self.histogram.setVisible(False)
            self.image_item.setLevels((0, 255))
        else:
            self.color_bar.setVisible(False)
            self.histogram.setVisible(True)
        if self._last_pos is not None:
            self._on_mouse_moved(self._last_pos)
        return True

    def set_pixel_source(
        self, work: np.ndarray | None, kernel: np.ndarray | None, border: str, title: str
    ) -> None:
        """What the hover panel takes apart: the working image the filter saw, its kernel
        (``None`` for results that are not one kernel's response) and the border mode."""
        self._work, self._kernel, self._border, self._title = work, kernel, border, title
        if kernel is None or work is None:
            self.pixel_panel.hide()

    def reset_levels(self) -> None:
        """Back to the full 0–255 display range."""
        self.image_item.setLevels((0, 255))
        self.histogram.setLevels(0, 255)

    def pixel_text(self, x: int, y: int) -> str:
        """The readout for image pixel (column ``x``, row ``y``), or '' outside the image."""
        if self._display is None:
            return ""
        h, w = self._display.shape[:2]
        if not (0 <= x < w and 0 <= y < h):
            return ""
        parts = [f"x={x} y={y}"]
        if self._input is not None and self._input.shape[:2] == (h, w):
            parts.append(f"input {_fmt(self._input[y, x])}")
        if self._raw is not None and self._raw.shape[:2] == (h, w):
            parts.append(f"response {_fmt(self._raw[y, x])}")
        parts.append(f"shown {_fmt(self._display[y, x])}")
        return "   ".join(parts)

    def _on_leave(self) -> None:
        """The mouse left the image widget: no pixel is hovered."""
        self.pixel_panel.hide()
        self._last_pos = None

    def _on_mouse_moved(self, pos: QPointF) -> None:
        self._last_pos = pos
        if self._display is None or not self.view.sceneBoundingRect().contains(pos):
            self.pixel_panel.hide()
            return
        point = self.view.mapSceneToView(pos)
        x, y = int(np.floor(point.x())), int(np.floor(point.y()))
        text = self.pixel_text(x, y)
        if not text:
            self.pixel_panel.hide()
            return
        self.readout.setText(text)
        self._show_window(x, y, self.graphics.mapFromScene(pos))

    def _show_window(self, x: int, y: int, cursor) -> None:
        work, kernel = self._work, self._kernel
        if work is None or kernel is None or self._display is None:
            self.pixel_panel.hide()
            return
        if work.shape[:2] != self._display.shape[:2]:
            self.pixel_panel.hide()
            return
        win = pixel_window(work, kernel, y, x, border=self._border)
        shown = _fmt(self._display[y, x])
        self.pixel_panel.show_window(window_html(win, self._title, shown), cursor)
