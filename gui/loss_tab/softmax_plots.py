"""The four softmax plots: probabilities, Jacobian heatmap, gradient check and loss sweep."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from gui.loss_tab.common import BLUE, GREY, ORANGE, OUTLINE, RED, SKY
from gui.loss_tab.logit_editor import MAX_CLASSES
from gui.widgets.plots import (
    KEEP_COLOUR,
    ink_name,
    make_plot,
    make_plot_with_legend_below,
    set_plot_title,
)


def _text_pool(
    item: pg.PlotItem, count: int, *, anchor: tuple[float, float], keep_colour: bool = False
) -> list:
    """Re-used text items; ``keep_colour`` ones are not re-coloured by the theme."""
    texts = []
    for _ in range(count):
        text = pg.TextItem("", color=ink_name(), anchor=anchor)
        setattr(text, KEEP_COLOUR, keep_colour)
        text.setVisible(False)
        item.addItem(text)
        texts.append(text)
    return texts


def _class_ticks(item: pg.PlotItem, axis: str, k: int, prefix: str) -> None:
    # Bars and cells sit at 1 … K; they are labelled from 0, like the tables and numpy.
    item.getAxis(axis).setTicks([[(i + 1, f"{prefix}{i}") for i in range(k)]])


class ProbabilityPlot:
    """Bars of ŷ = softmax(z/T) beside the target y, with each probability printed."""

    def __init__(self, parent: QWidget | None) -> None:
        # The legend sits below the axes: inside, it covered the bars of the last classes.
        self.widget, item, legend = make_plot_with_legend_below(
            parent,
            "probabilityPlot",
            title="Softmax probabilities ŷ vs target y",
            x_label="class k",
            y_label="probability",
            legend_columns=2,
        )
        self.plot_item = item
        self.bars = pg.BarGraphItem(x=[1], height=[0], width=0.38, brush=BLUE)
        self.target = pg.BarGraphItem(x=[1], height=[0], width=0.38, brush=pg.mkBrush(ORANGE))
        item.addItem(self.bars)
        item.addItem(self.target)
        legend.addItem(self.bars, "softmax ŷ")
        legend.addItem(self.target, "target y")
        item.setYRange(0, 1.12, padding=0)
        item.setMouseEnabled(x=False, y=False)
        # A fixed pool of labels, re-used: creating TextItems on every redraw is the slow part.
        self._texts = _text_pool(item, MAX_CLASSES, anchor=(0.5, 1.0))

    def update(self, p: np.ndarray, y: np.ndarray) -> None:
        """Redraw for probabilities ``p`` and target ``y``."""
        k = p.size
        x = np.arange(1, k + 1, dtype=float)
        self.bars.setOpts(x=x - 0.2, height=p)
        self.target.setOpts(x=x + 0.2, height=y)
        item = self.plot_item
        font = QFont()
        font.setPointSize(8 if k > 6 else 9)
        for i, text in enumerate(self._texts):
            text.setVisible(i < k)
            if i < k:
                text.setText(f"{p[i]:.3f}", color=ink_name())
                text.setFont(font)
                text.setPos(x[i] - 0.2, float(p[i]) + 0.01)
        _class_ticks(item, "bottom", k, "")
        item.setXRange(0.4, k + 0.6, padding=0)


class JacobianHeatmap:
    """``J_ij = ŷ_i(δ_ij − ŷ_j)`` as a diverging heatmap with the value written in each cell."""

    def __init__(self, parent: QWidget | None) -> None:
        self.widget = make_plot(
            parent,
            "jacobianPlot",
            # pyqtgraph makes a title's width the plot's minimum width: with the closed form
            # ŷ_i(δ_ij − ŷ_j) as well, the colour bar was pushed out of a 1100 px window.
            title="Softmax Jacobian  J<sub>ij</sub> = ∂ŷ<sub>i</sub>/∂z<sub>j</sub>",
            x_label="logit z<sub>j</sub> (column j)",
            y_label="output ŷ<sub>i</sub> (row i)",
            legend=False,
        )
        self.widget.setToolTip("J<sub>ij</sub> = ŷ<sub>i</sub>(δ<sub>ij</sub> − ŷ<sub>j</sub>)")
        item = self.widget.getPlotItem()
        item.invertY(True)
        item.setAspectLocked(False)
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=False, y=False)
        self.colormap = pg.colormap.get("CET-D1")
        self.image = pg.ImageItem()
        self.image.setColorMap(self.colormap)
        item.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=(-0.25, 0.25), colorMap=self.colormap, interactive=False, width=14, label="J"
        )
        self.colorbar.setImageItem(self.image, insert_in=item)
        # Cell labels stay black/white for their cell's colour, whatever the theme.
        self._texts = _text_pool(
            item, MAX_CLASSES * MAX_CLASSES, anchor=(0.5, 0.5), keep_colour=True
        )
        self.values = np.zeros((0, 0))

    def update(self, jac: np.ndarray) -> None:
        """Show the K×K matrix ``jac``."""
        k = jac.shape[0]
        self.values = jac
        limit = max(float(np.max(np.abs(jac))), 1e-12)
        self.image.setImage(jac, levels=(-limit, limit))
        self.image.setRect(QRectF(0.5, 0.5, k, k))
        self.colorbar.setLevels((-limit, limit))
        item = self.widget.getPlotItem()
        font = QFont()
        font.setPointSize(9 if k <= 5 else 7)
        for index, text in enumerate(self._texts):
            i, j = divmod(index, MAX_CLASSES)
            text.setVisible(i < k and j < k)
            if i < k and j < k:
                value = float(jac[i, j])
                colour = "w" if abs(value) > 0.6 * limit else OUTLINE
                text.setText("0" if value == 0 else f"{value:.3f}".replace("-", "−"), color=colour)
                text.setFont(font)
                text.setPos(j + 1, i + 1)
        _class_ticks(item, "bottom", k, "z")
        _class_ticks(item, "left", k, "ŷ")
        item.setXRange(0.5, k + 0.5, padding=0)
        item.setYRange(0.5, k + 0.5, padding=0)


class GradientPlot:
    """The analytic gradient ŷ − y beside its central-difference estimate."""

    def __init__(self, parent: QWidget | None) -> None:
        # The legend sits below the axes: inside, it covered the class-2 bars.
        self.widget, item, legend = make_plot_with_legend_below(
            parent,
            "gradientPlot",
            title="Gradient ∂L/∂z = ŷ − y vs finite differences",
            x_label="class k",
            y_label="∂L/∂z<sub>k</sub>",
            legend_columns=2,
        )
        self.plot_item = item
        self.analytic = pg.BarGraphItem(x=[1], height=[0], width=0.38, brush=BLUE)
        self.numeric = pg.BarGraphItem(
            x=[1], height=[0], width=0.38, brush=SKY, pen=pg.mkPen(OUTLINE)
        )
        item.addItem(self.analytic)
        item.addItem(self.numeric)
        legend.addItem(self.analytic, "analytic (ŷ − y)/T")
        legend.addItem(self.numeric, "central difference")
        item.addLine(y=0, pen=pg.mkPen(GREY))
        item.setMouseEnabled(x=False, y=False)

    def update(self, analytic: np.ndarray, numeric: np.ndarray) -> None:
        """Redraw both bar sets."""
        k = analytic.size
        x = np.arange(1, k + 1, dtype=float)
        self.analytic.setOpts(x=x - 0.2, height=analytic)
        self.numeric.setOpts(x=x + 0.2, height=numeric)
        item = self.plot_item
        _class_ticks(item, "bottom", k, "")
        item.setXRange(0.4, k + 0.6, padding=0)
        top = max(float(np.max(np.abs(analytic))), 1e-3) * 1.25
        item.setYRange(-top, top, padding=0)


class SweepPlot:
    """Loss and its slope as one logit is swept, with the current value marked."""

    def __init__(self, parent: QWidget | None) -> None:
        self.widget = make_plot(
            parent,
            "sweepPlot",
            title="Sweeping one logit",
            x_label="swept logit z<sub>i</sub>",
            y_label="value",
        )
        item = self.widget.getPlotItem()
        self.loss_curve = item.plot(pen=pg.mkPen(RED, width=2), name="loss L")
        self.slope_curve = item.plot(
            pen=pg.mkPen(BLUE, width=2, dash=[5, 3]), name="slope ∂L/∂z<sub>i</sub>"
        )
        self.marker = item.plot(
            symbol="o", symbolBrush=RED, symbolPen=OUTLINE, symbolSize=9, pen=None, name="current z"
        )
        self.line = pg.InfiniteLine(angle=90, pen=pg.mkPen(GREY, dash=[2, 2]))
        item.addItem(self.line)

    def update(
        self, index: int, values: np.ndarray, losses: np.ndarray, slopes: np.ndarray, z_i: float
    ) -> None:
        """Redraw the sweep of logit ``index`` (0-based) around its current value ``z_i``."""
        self.loss_curve.setData(values, losses)
        self.slope_curve.setData(values, slopes)
        current = int(np.argmin(np.abs(values - z_i)))
        self.marker.setData([z_i], [losses[current]])
        self.line.setValue(z_i)
        set_plot_title(
            self.widget.getPlotItem(), f"Loss as z<sub>{index}</sub> is swept (others fixed)"
        )
