"""Plots of the regularisation panel: the fit, errors vs λ and the coefficient path."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from engine.loss import PolynomialRidgeReport
from gui.loss_tab.common import BLUE, GREY, ORANGE, OUTLINE, PURPLE, RED
from gui.widgets.plots import make_plot, make_plot_with_legend_below, series_pen, set_plot_title


class FitPlot:
    """Training / validation points, the true function, the ridge fit and the λ = 0 fit."""

    def __init__(self, parent: QWidget | None) -> None:
        self.widget, item, self.legend = make_plot_with_legend_below(
            parent, "fitPlot", title="Polynomial fit", x_label="x", y_label="y", legend_columns=5
        )
        self.plot_item = item
        self.true = item.plot(pen=pg.mkPen(GREY, width=2, dash=[6, 4]))
        self.unregularised = item.plot(pen=pg.mkPen(PURPLE, width=2, dash=[3, 3]))
        self.fit = item.plot(pen=pg.mkPen(RED, width=3))
        # Points on top of the curves, large and outlined so they stay visible under them.
        self.train = item.plot(
            pen=None, symbol="o", symbolSize=9, symbolBrush=BLUE, symbolPen=pg.mkPen(OUTLINE)
        )
        self.val = item.plot(
            pen=None, symbol="t", symbolSize=9, symbolBrush=ORANGE, symbolPen=pg.mkPen(OUTLINE)
        )
        for curve, name in (
            (self.train, "training"),
            (self.val, "validation"),
            (self.true, "true function"),
            (self.unregularised, "unregularised fit (λ = 0)"),
            (self.fit, "ridge fit (λ)"),
        ):
            self.legend.addItem(curve, name)

    def update(self, report: PolynomialRidgeReport, data, lam_text: str) -> None:
        """Redraw for ``report`` of ``data`` (a :class:`RegressionData`)."""
        self.train.setData(data.x_train, data.y_train)
        self.val.setData(data.x_val, data.y_val)
        if report.curve_true is None:
            self.true.setData([], [])
        else:
            self.true.setData(report.curve_x, report.curve_true)
        self.unregularised.setData(report.curve_x, report.curve_unregularised)
        self.fit.setData(report.curve_x, report.curve_fit)
        # Frame the data, not a wild unregularised polynomial that would squash everything.
        ys = np.concatenate([data.y_train, data.y_val])
        lo, hi = float(ys.min()), float(ys.max())
        margin = max(0.25 * (hi - lo), 0.1)
        item = self.plot_item
        item.setYRange(lo - margin, hi + margin, padding=0)
        item.setXRange(float(report.curve_x[0]), float(report.curve_x[-1]), padding=0.03)
        set_plot_title(item, f"Polynomial fit, degree {report.degree}, {lam_text}")


class ErrorPlot:
    """Training and validation MSE vs λ (log–log), the λ = 0 values as dashed lines."""

    def __init__(self, parent: QWidget | None) -> None:
        self.widget, item, legend = make_plot_with_legend_below(
            parent,
            "errorPlot",
            title="Mean squared error vs λ",
            x_label="λ (log scale)",
            y_label="MSE (log scale)",
            legend_columns=2,
        )
        item.setLogMode(x=True, y=True)
        self.train = item.plot(pen=pg.mkPen(BLUE, width=2))
        self.val = item.plot(pen=pg.mkPen(ORANGE, width=2))
        self.train0 = item.plot(pen=pg.mkPen(BLUE, dash=[4, 4]))
        self.val0 = item.plot(pen=pg.mkPen(ORANGE, dash=[4, 4]))
        self.line = pg.InfiniteLine(angle=90, pen=pg.mkPen(RED, width=2))
        item.addItem(self.line)
        for curve, name in (
            (self.train, "training"),
            (self.val, "validation"),
            (self.train0, "training, λ = 0"),
            (self.val0, "validation, λ = 0"),
        ):
            legend.addItem(curve, name)

    def update(self, report: PolynomialRidgeReport) -> None:
        """Redraw the λ sweep of ``report``; the red line marks the current λ."""
        floor = 1e-12  # a perfect fit has MSE 0, which a log axis cannot show
        lams = report.lams
        self.train.setData(lams, np.maximum(report.train_curve, floor))
        self.val.setData(lams, np.maximum(report.val_curve, floor))
        ends = np.array([lams[0], lams[-1]])
        self.train0.setData(ends, np.full(2, max(report.train_mse_unregularised, floor)))
        self.val0.setData(ends, np.full(2, max(report.val_mse_unregularised, floor)))
        lam = report.solution.lam
        self.line.setVisible(lam > 0)
        if lam > 0:
            self.line.setValue(np.log10(lam))


class CoefficientPlot:
    """Each weight w_k as λ grows: shrinkage towards 0."""

    def __init__(self, parent: QWidget | None) -> None:
        self.widget = make_plot(
            parent,
            "coefficientPlot",
            title="Coefficient path",
            x_label="λ (log scale)",
            y_label="weight w<sub>k</sub>",
        )
        item = self.widget.getPlotItem()
        item.setLogMode(x=True, y=False)
        self.line = pg.InfiniteLine(angle=90, pen=pg.mkPen(RED, width=2))
        item.addItem(self.line)
        self.curves: list[pg.PlotDataItem] = []

    def update(self, report: PolynomialRidgeReport) -> None:
        """One curve per coefficient; y range clipped to the path at λ ≥ 1e−6 for readability."""
        item = self.widget.getPlotItem()
        path = report.coefficient_path
        d = path.shape[1]
        if len(self.curves) != d:
            for curve in self.curves:
                item.removeItem(curve)
            item.legend.clear()
            self.curves = []
            for k in range(d):
                # Ten distinct hues plus dash styles: neighbours w₀/w₁, w₆/w₇ stay apart.
                self.curves.append(item.plot(pen=series_pen(k), name=f"w<sub>{k}</sub>"))
            item.legend.setColumnCount(1 if d <= 5 else (2 if d <= 10 else 3))
        for k, curve in enumerate(self.curves):
            curve.setData(report.lams, path[:, k])
        visible = path[report.lams >= 1e-6]
        top = float(np.max(np.abs(visible))) if visible.size else 1.0
        top = max(top, 1e-6) * 1.1
        item.setYRange(-top, top, padding=0)
        lam = report.solution.lam
        self.line.setVisible(lam > 0)
        if lam > 0:
            self.line.setValue(np.log10(lam))
