"""Plots of the gradient-descent panel: loss contours with constraints, and loss per step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from engine.loss import DescentPath, DescentScene, contour_polyline
from gui.loss_tab.common import BLUE, GREEN, GREY, ORANGE, OUTLINE, PURPLE, RED
from gui.widgets.plots import make_plot, make_plot_with_legend_below

#: A log axis cannot show 0 (a noise-free fit has zero loss): values are drawn at least this.
LOG_FLOOR = 1e-12


class ContourPlot:
    """Loss contours of the two-weight problem, the L2 circle / L1 diamond, the descent path."""

    def __init__(self, parent: QWidget | None) -> None:
        # The legend sits below the square (aspect-locked) view instead of covering contours.
        self.widget, item, self.legend = make_plot_with_legend_below(
            parent,
            "contourPlot",
            title="Gradient descent on the loss contours",
            x_label="w<sub>1</sub>",
            y_label="w<sub>2</sub>",
            legend_columns=2,
        )
        self.widget.setMinimumSize(320, 320)
        self.plot_item = item
        item.setAspectLocked(True)
        self.contours = self._add(item.plot(pen=pg.mkPen("#9db4c0", width=1)), "loss contours")
        self.circle = self._add(item.plot(pen=pg.mkPen(GREEN, width=2)), "L2 circle ‖w‖₂ = ‖w*‖₂")
        self.diamond = self._add(
            item.plot(pen=pg.mkPen(PURPLE, width=2, dash=[6, 3])), "L1 diamond |w₁|+|w₂| = ‖w*‖₂"
        )
        self.path = self._add(
            item.plot(
                pen=pg.mkPen(RED, width=2),
                symbol="o",
                symbolSize=4,
                symbolBrush=RED,
                symbolPen=None,
            ),
            "descent path",
        )
        self.current = self._add(
            item.plot(
                pen=None,
                symbol="o",
                symbolSize=11,
                symbolBrush="w",
                symbolPen=pg.mkPen(RED, width=3),
            ),
            "current w<sub>k</sub>",
        )
        self.minimum = self._add(
            item.plot(
                pen=None, symbol="star", symbolSize=18, symbolBrush=ORANGE, symbolPen=OUTLINE
            ),
            "closed form w* (ridge)",
        )
        self.least_squares = self._add(
            item.plot(pen=None, symbol="s", symbolSize=9, symbolBrush=BLUE, symbolPen=OUTLINE),
            "least squares (λ = 0)",
        )
        self.l1 = self._add(
            item.plot(pen=None, symbol="d", symbolSize=12, symbolBrush=PURPLE, symbolPen=OUTLINE),
            "L1-constrained optimum",
        )
        item.addLine(x=0, pen=pg.mkPen(GREY, width=1))
        item.addLine(y=0, pen=pg.mkPen(GREY, width=1))

    def _add(self, curve: pg.PlotDataItem, name: str) -> pg.PlotDataItem:
        self.legend.addItem(curve, name)
        return curve

    def set_scene(self, scene: DescentScene, path: DescentPath) -> None:
        """Draw contours and shapes for a new problem / λ / start."""
        xs, ys = contour_polyline(scene.grid, scene.levels, scene.w1, scene.w2)
        self.contours.setData(xs, ys, connect="finite")
        self.circle.setData(scene.circle[:, 0], scene.circle[:, 1])
        self.diamond.setData(scene.diamond[:, 0], scene.diamond[:, 1])
        self.minimum.setData([path.minimiser[0]], [path.minimiser[1]])
        self.least_squares.setData([scene.least_squares[0]], [scene.least_squares[1]])
        self.l1.setData([scene.l1_minimum[0]], [scene.l1_minimum[1]])
        item = self.plot_item
        item.setXRange(float(scene.w1[0]), float(scene.w1[-1]), padding=0)
        item.setYRange(float(scene.w2[0]), float(scene.w2[-1]), padding=0)

    def show_steps(self, weights: np.ndarray) -> None:
        """Show the path up to the last row of ``weights``."""
        self.path.setData(weights[:, 0], weights[:, 1])
        self.current.setData([weights[-1, 0]], [weights[-1, 1]])


class LossCurvePlot:
    """``L(w_k)`` per iteration (log y) and the closed-form minimum ``L(w*)``."""

    def __init__(self, parent: QWidget | None) -> None:
        self.widget = make_plot(
            parent,
            "lossCurvePlot",
            title="Loss per iteration",
            x_label="iteration k",
            y_label="L(w<sub>k</sub>) (log scale)",
        )
        item = self.widget.getPlotItem()
        item.setLogMode(x=False, y=True)
        self.curve = item.plot(pen=pg.mkPen(RED, width=2), name="L(w<sub>k</sub>)")
        self.floor = item.plot(pen=pg.mkPen(ORANGE, width=2, dash=[6, 4]), name="L(w*) closed form")

    def set_path(self, path: DescentPath) -> None:
        """Fix the axes for the whole run, so the animation does not rescale every frame."""
        steps = max(path.losses.size - 1, 1)
        low = max(path.min_loss, LOG_FLOOR)
        self.floor.setData([0, steps], [low, low])
        item = self.widget.getPlotItem()
        item.setXRange(0, steps, padding=0.02)
        top = max(float(np.max(path.losses)), low)
        item.setYRange(np.log10(low) - 0.05, np.log10(top) + 0.1, padding=0)

    def show_steps(self, losses: np.ndarray) -> None:
        """Show the first ``len(losses)`` losses."""
        self.curve.setData(np.arange(losses.size), np.maximum(losses, LOG_FLOOR))
