"""The experiments' plots: means with ± sd error bars (pyqtgraph ``ErrorBarItem``) over seeds.

* :class:`LambdaPlots` — accuracy (training and validation) and the weight norm against λ on a
  labelled log axis, with λ = 0 drawn as its own point left of a break (not at some small λ),
  the best λ marked, and early stopping and dropout as two more points beside λ = 0;
* :class:`SizePlot` — CNN vs MLP validation accuracy against the training-set size;
* :class:`ShiftPlot` — CNN vs MLP accuracy on digits shifted 0…3 pixels.

Every number drawn comes from the engine's :class:`engine.train.SeedStats`; the plots only
scale accuracies to percent and place λ on the axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.train import OverfittingResult, SeedStats
from gui.train_tab.plots import SLOT_COLOURS, make_plot
from gui.train_tab.state import SHIFTS
from gui.widgets.plot_hint import PlotHint
from gui.widgets.plots import ink_name, make_plot_with_legend_below

TRAIN_COLOUR, VAL_COLOUR, NORM_COLOUR = "#009E73", "#CC79A7", "#E69F00"
EARLY_COLOUR, DROPOUT_COLOUR = "#56B4E9", "#D55E00"
#: How far (in decades) the early-stopping and dropout points sit left and right of λ = 0.
ARM_OFFSET = 0.25
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class ErrorSeries:
    """One line with symbols and its ± sd error bars on ``plot`` (named in ``legend`` when one
    is given, else in the plot's own legend)."""

    def __init__(
        self,
        plot: pg.PlotWidget | pg.PlotItem,
        colour: str,
        name: str | None,
        symbol: str = "o",
        legend: pg.LegendItem | None = None,
    ) -> None:
        pen = pg.mkPen(colour, width=2)
        self.curve = plot.plot(
            pen=pen, symbol=symbol, symbolBrush=colour, symbolPen=None, name=name
        )
        if legend is not None and name:  # a legend of its own, outside the plot
            legend.addItem(self.curve, name)
        self.bars = pg.ErrorBarItem(beam=0.08, pen=pen)
        self.set_bars([], [], [])
        plot.addItem(self.bars)

    def set_bars(self, xs: Sequence[float], means: Sequence[float], sds: Sequence[float]) -> None:
        """Error bars of ± ``sds`` around ``means`` at ``xs`` (ErrorBarItem needs arrays)."""
        sd = np.asarray(sds, dtype=float)
        self.bars.setData(
            x=np.asarray(xs, dtype=float), y=np.asarray(means, dtype=float), top=sd, bottom=sd
        )

    def set(self, xs: Sequence[float], stats: Sequence[SeedStats], scale: float = 100.0) -> None:
        """Draw ``mean`` at ``xs`` with bars of ± ``sd`` (both times ``scale``)."""
        means = [scale * s.mean for s in stats]
        sds = [scale * s.sd for s in stats]
        self.curve.setData(list(xs), means)
        self.set_bars(xs, means, sds)

    def clear(self) -> None:
        """No points, no bars."""
        self.curve.setData([], [])
        self.set_bars([], [], [])

    def bar_count(self) -> int:
        """How many error bars are drawn (tests read it)."""
        x = self.bars.opts.get("x")
        return 0 if x is None else len(x)

    def half_heights(self) -> list[float]:
        """The drawn bars' half-heights (tests compare them with the engine's sd)."""
        top = self.bars.opts.get("top")
        return [] if top is None else [float(v) for v in top]


def lambda_positions(lambdas: Sequence[float]) -> tuple[list[float], list[tuple[float, str]]]:
    """x position of each λ and the axis ticks: log₁₀ λ for λ > 0; λ = 0 one decade left of the
    smallest decade shown, past a break (a log axis has no place for 0)."""
    positive = [lam for lam in lambdas if lam > 0]
    low = math.floor(math.log10(min(positive))) if positive else -4
    high = math.ceil(math.log10(max(positive))) if positive else -1
    zero_x = low - 1.0
    xs = [math.log10(lam) if lam > 0 else zero_x for lam in lambdas]
    ticks = [(zero_x, "0")] + [
        (float(d), f"10{str(d).translate(_SUPERSCRIPT)}") for d in range(low, high + 1)
    ]
    return xs, ticks


class LambdaPlots(QWidget):
    """Accuracy (training, validation) above, Σ‖W‖² below, both against λ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The legend has its own row below the axes: with four entries it covered data.
        self.acc_view, self.acc_plot, self.legend = make_plot_with_legend_below(
            self,
            "lambdaPlot",
            title="Accuracy after training (mean ± sd)",
            x_label="λ",
            y_label="accuracy (%)",
            legend_columns=2,
        )
        self.acc_view.setMinimumSize(200, 210)
        self.norm_plot = make_plot(
            self, "normPlot", "Weight norm Σ‖W‖² (mean ± sd)", "λ", "Σ‖W‖²", legend=False
        )
        self.norm_plot.setXLink(self.acc_plot)
        self.acc_plot.getViewBox().setLimits(yMin=0, yMax=105)
        legend = self.legend
        self.train = ErrorSeries(self.acc_plot, TRAIN_COLOUR, "training", legend=legend)
        self.val = ErrorSeries(self.acc_plot, VAL_COLOUR, "validation", "s", legend=legend)
        self.norm = ErrorSeries(self.norm_plot, NORM_COLOUR, None, symbol="t")
        # The other two regularisers, each one point beside λ = 0: early stopping, dropout.
        self.early = ErrorSeries(self.acc_plot, EARLY_COLOUR, "early stopping", "t1", legend)
        self.dropout = ErrorSeries(self.acc_plot, DROPOUT_COLOUR, "dropout", "d", legend)
        # λ = 0 sits left of a break: its points are drawn alone, never joined to λ > 0.
        self.zero_points = {
            key: plot.plot(pen=None, symbol=sym, symbolBrush=colour, symbolPen=None)
            for key, plot, colour, sym in (
                ("train", self.acc_plot, TRAIN_COLOUR, "o"),
                ("val", self.acc_plot, VAL_COLOUR, "s"),
                ("norm", self.norm_plot, NORM_COLOUR, "t"),
            )
        }
        dash = pg.mkPen("#888888", width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        self.breaks = [pg.InfiniteLine(angle=90, pen=dash) for _ in range(2)]
        for line, plot in zip(self.breaks, (self.acc_plot, self.norm_plot), strict=True):
            line.hide()
            plot.addItem(line)
        self.best_marker = self.acc_plot.plot(
            pen=None, symbol="star", symbolSize=20, symbolBrush=VAL_COLOUR, symbolPen="w"
        )
        self.best_label = pg.TextItem(anchor=(0.5, 1.25))  # above the star: the best is a peak
        self.acc_plot.addItem(self.best_label)
        self.hint = PlotHint(self.acc_view, "lambdaPlotHint")
        self.idle()
        self._set_ticks(lambda_positions([0.0, 1e-4, 1e-3, 1e-2, 1e-1])[1])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.acc_view, 2)
        layout.addWidget(self.norm_plot, 1)

    def _set_ticks(self, ticks: list[tuple[float, str]]) -> None:
        for item in (self.acc_plot, self.norm_plot.getPlotItem()):
            item.getAxis("bottom").setTicks([ticks, []])
        self.acc_plot.setXRange(ticks[0][0] - 0.6, ticks[-1][0] + 0.4, padding=0)

    def show_result(self, result: OverfittingResult) -> None:
        """Draw one experiment: per λ training and validation accuracy and Σ‖W‖² (mean ± sd),
        the best λ starred, and beside the base λ (0) its early-stopped and dropout arms."""
        lambdas, val = result.lambdas, result.val_accuracy
        xs, ticks = lambda_positions(lambdas)
        self._set_ticks(ticks)
        joined = [i for i, lam in enumerate(lambdas) if lam > 0]
        alone = [i for i, lam in enumerate(lambdas) if lam == 0]
        for series, stats, key, scale in (
            (self.train, result.train_accuracy, "train", 100.0),
            (self.val, val, "val", 100.0),
            (self.norm, result.weight_norm, "norm", 1.0),
        ):
            series.curve.setData([xs[i] for i in joined], [scale * stats[i].mean for i in joined])
            series.set_bars(xs, [scale * s.mean for s in stats], [scale * s.sd for s in stats])
            self.zero_points[key].setData(
                [xs[i] for i in alone], [scale * stats[i].mean for i in alone]
            )
        for line in self.breaks:
            line.setPos(ticks[0][0] + 0.5)
            line.setVisible(bool(alone) and bool(joined))
        base = result.base_index
        base_name = f"λ = {lambdas[base]:g}"
        self.early.set([xs[base] - ARM_OFFSET], [result.early_stopping])
        self._rename(self.early, f"{base_name}, epoch {result.best_epoch}")
        if result.dropout is not None:
            self.dropout.set([xs[base] + ARM_OFFSET], [result.dropout])
            self._rename(self.dropout, f"{base_name}, dropout {result.settings.dropout:g}")
        else:
            self.dropout.clear()
        best = result.best_index
        best_x, best_y = xs[best], 100 * val[best].mean
        self.best_marker.setData([best_x], [best_y])
        self.best_label.setText(f"best λ = {lambdas[best]:g}", color=ink_name())
        self.best_label.setPos(best_x, best_y)
        self.acc_plot.setYRange(0, 105, padding=0)
        self.norm_plot.enableAutoRange(axis="y")
        self.hint.hide()

    def _rename(self, series: ErrorSeries, name: str) -> None:
        if (label := self.legend.getLabel(series.curve)) is not None:
            label.setText(name, color=ink_name())

    def idle(self) -> None:
        """Empty: say what to press."""
        self.hint.show_hint("Press Run overfitting experiment to see accuracy against λ.")

    def clear(self) -> None:
        """Empty plots with the hint."""
        for series in (self.train, self.val, self.norm, self.early, self.dropout):
            series.clear()
        for item in (*self.zero_points.values(), self.best_marker):
            item.setData([], [])
        self.best_label.setText("")
        for line in self.breaks:
            line.hide()
        self.hint.show_hint("Running… the plots appear when every seed has finished.")


class _TwoNetworkPlot(QWidget):
    """CNN and MLP as two error-bar series on one plot, with a hint while empty."""

    def __init__(
        self,
        parent: QWidget | None,
        name: str,
        title: str,
        x_label: str,
        hint: str,
        legend_offset: tuple[int, int] = (-8, 8),
    ) -> None:
        super().__init__(parent)
        self.plot = make_plot(
            self, name, title, x_label, "accuracy (%)", legend_offset=legend_offset
        )
        self.plot.getPlotItem().getViewBox().setLimits(yMin=0, yMax=105)
        self.plot.setYRange(0, 100)
        self.series = {
            slot: ErrorSeries(self.plot, colour, slot.upper())
            for slot, colour in SLOT_COLOURS.items()
        }
        self.hint = PlotHint(self.plot, f"{name}Hint")
        self._empty_text = hint
        self.idle()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def _draw(
        self, xs: Sequence[float], stats: Mapping[str, Sequence[SeedStats]], names: dict[str, str]
    ) -> None:
        legend = self.plot.getPlotItem().legend
        for slot, series in self.series.items():
            series.set(xs, stats.get(slot, ()))
            if legend is not None and (sample := legend.getLabel(series.curve)) is not None:
                sample.setText(names.get(slot, slot.upper()), color=ink_name())
        self.hint.hide()

    def idle(self) -> None:
        """Empty: say what to press."""
        self.hint.show_hint(self._empty_text)

    def clear(self) -> None:
        """Empty plot with the running hint."""
        for series in self.series.values():
            series.clear()
        self.hint.show_hint("Running… the points appear when every seed has finished.")


class ShiftPlot(_TwoNetworkPlot):
    """Accuracy on validation digits shifted 0…3 pixels, CNN vs MLP, mean ± sd."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            "shiftPlot",
            "Shift test: accuracy on shifted digits (mean ± sd)",
            "shift (pixels)",
            "Press Run shift test to train both networks per seed and shift their digits.",
        )
        self.plot.setXRange(-0.2, max(SHIFTS) + 0.2, padding=0)
        self.plot.getPlotItem().getAxis("bottom").setTicks([[(s, str(s)) for s in SHIFTS]])

    def show_result(
        self, shifts: Sequence[int], stats: Mapping[str, Sequence[SeedStats]], names: dict[str, str]
    ) -> None:
        """``stats[slot][i]`` at ``shifts[i]``; ``names`` are the legend entries."""
        self._draw([float(s) for s in shifts], stats, names)


class SizePlot(_TwoNetworkPlot):
    """Validation accuracy against the number of training digits (log axis), CNN vs MLP."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            "sizePlot",
            "Accuracy vs training digits (mean ± sd)",
            "training digits",
            "Press Run learning curves to train both networks on growing training sets.",
            legend_offset=(-8, -8),  # bottom right: accuracy rises with the training digits
        )

    def show_result(
        self, sizes: Sequence[int], stats: Mapping[str, Sequence[SeedStats]], names: dict[str, str]
    ) -> None:
        """``stats[slot][i]`` at ``sizes[i]`` training digits (x placed at log₁₀ size)."""
        xs = [math.log10(n) for n in sizes]
        self.plot.getPlotItem().getAxis("bottom").setTicks(
            [[(x, f"{n:,}") for x, n in zip(xs, sizes, strict=True)], []]
        )
        self.plot.setXRange(xs[0] - 0.15, xs[-1] + 0.15, padding=0)
        self._draw(xs, stats, names)
