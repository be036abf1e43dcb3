"""The Train tab's plots: live loss/accuracy curves (the experiments' are in
:mod:`gui.train_tab.experiment_plots`).

The plots are the shared themed ones (:mod:`gui.widgets.plots`): background, axes, titles and
legend text follow View ▸ Theme; the data colours (Okabe–Ito) read on both backgrounds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QWidget

from engine.train import History
from gui.widgets.plot_hint import PlotHint
from gui.widgets.plots import make_plot as themed_plot

#: Okabe–Ito colours: the CNN blue, the MLP orange; validation curves dashed.
SLOT_COLOURS = {"cnn": "#0072B2", "mlp": "#D55E00"}


def make_plot(
    parent: QWidget | None,
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    *,
    legend: bool = True,
    legend_offset: tuple[int, int] = (-8, 8),
) -> pg.PlotWidget:
    """The shared themed plot (:func:`gui.widgets.plots.make_plot`), a little smaller: the
    Train tab shows four plots at once."""
    plot = themed_plot(
        parent,
        name,
        title=title,
        x_label=x_label,
        y_label=y_label,
        legend=legend,
        legend_offset=legend_offset,
    )
    plot.setMinimumSize(200, 150)
    return plot


def _pen(slot: str, dashed: bool) -> pg.QtGui.QPen:
    return pg.mkPen(
        SLOT_COLOURS[slot],
        width=2,
        style=pg.QtCore.Qt.PenStyle.DashLine if dashed else pg.QtCore.Qt.PenStyle.SolidLine,
    )


def _finite(xs: Sequence[float], ys: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    keep = np.isfinite(y)
    return x[keep], y[keep]


#: What the empty curve plots say (before any epoch has finished).
EMPTY_CURVES = "Press Train both to see the {what} of both models, epoch by epoch."
TRAINING_CURVES = "Training… the first point appears when the first epoch ends."


class CurvesPanel(QWidget):
    """Loss and accuracy per epoch: training (solid) and validation (dashed), both models.

    The two plots show the same four series, so only the loss plot has the legend.  Training
    values are the running means over each epoch's batches, validation the whole set after it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = make_plot(self, "lossPlot", "Cross-entropy per epoch", "epoch", "loss")
        self.acc_plot = make_plot(
            self, "accuracyPlot", "Accuracy per epoch", "epoch", "accuracy (%)", legend=False
        )
        self.hints = {
            "loss": PlotHint(self.loss_plot, "lossPlotHint"),
            "acc": PlotHint(self.acc_plot, "accuracyPlotHint"),
        }
        self._training = False
        self.acc_plot.getPlotItem().getViewBox().setLimits(yMin=0, yMax=100)
        self.curves: dict[tuple[str, str, str], pg.PlotDataItem] = {}
        for slot in SLOT_COLOURS:
            for split in ("train", "val"):
                label = f"{slot.upper()} {'training' if split == 'train' else 'validation'}"
                for kind, plot in (("loss", self.loss_plot), ("acc", self.acc_plot)):
                    curve = plot.plot(pen=_pen(slot, split == "val"), name=label)
                    self.curves[(slot, split, kind)] = curve
        for plot in (self.loss_plot, self.acc_plot):
            item = plot.getPlotItem()
            for axis in ("left", "bottom"):
                # Replaying an axis's labels was half of each redraw while training (the curves
                # change, the ticks mostly do not): cached, an unchanged axis is one blit.
                item.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.acc_plot)
        self._update_hints()

    def _update_hints(self) -> None:
        """The empty plots say what to press (or that the first epoch is on its way)."""
        empty = all(self.point_count(slot) == 0 for slot in SLOT_COLOURS)
        for key, what in (("loss", "loss curves"), ("acc", "accuracy curves")):
            if not empty:
                self.hints[key].hide()
            else:
                text = TRAINING_CURVES if self._training else EMPTY_CURVES.format(what=what)
                self.hints[key].show_hint(text)

    def set_epoch_span(self, epochs: int | None) -> None:
        """Fix the epoch axis at 1…``epochs`` (while a run of that length trains, so the axis is
        not rescaled after every epoch), or let it follow the data again (``None``)."""
        self._training = epochs is not None
        self._update_hints()
        for plot in (self.loss_plot, self.acc_plot):
            if epochs is None:
                plot.enableAutoRange(axis="x")
            else:
                plot.setXRange(1, max(2, int(epochs)), padding=0.02)

    def show_history(self, slot: str, history: History | None) -> None:
        """Redraw ``slot``'s four curves from ``history`` (empty for ``None``)."""
        records = history.records if history is not None else []
        epochs = [r.epoch for r in records]
        columns = {
            ("train", "loss"): [r.train_loss for r in records],
            ("val", "loss"): [r.val_loss for r in records],
            ("train", "acc"): [100 * r.train_accuracy for r in records],
            ("val", "acc"): [100 * r.val_accuracy for r in records],
        }
        for (split, kind), values in columns.items():
            self.curves[(slot, split, kind)].setData(*_finite(epochs, values))
        self._update_hints()

    def point_count(self, slot: str) -> int:
        """Points on ``slot``'s training-loss curve (tests and the status line read it)."""
        data = self.curves[(slot, "train", "loss")].getData()[0]
        return 0 if data is None else len(data)
