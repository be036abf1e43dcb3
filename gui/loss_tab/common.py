"""Small pieces the three Loss-tab panels share: plots, message labels, coalescing, text view."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QTextBrowser, QWidget

from gui.colours import tone_label

#: Colours used consistently across the tab (colour-blind friendly Okabe–Ito palette).
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#777777"
BLACK = "#222222"

#: Delay that merges a burst of slider events into one recomputation.
COALESCE_MS = 30


def style_plot_item(item: pg.PlotItem, *, title: str, x_label: str, y_label: str) -> None:
    """Title, axis labels, grid, dark text and no SI-prefix rescaling (numbers stay as shown)."""
    item.setTitle(title, color=BLACK, size="10pt")
    item.setLabel("bottom", x_label, color=BLACK)
    item.setLabel("left", y_label, color=BLACK)
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setMenuEnabled(False)
    for axis in ("bottom", "left"):
        item.getAxis(axis).setTextPen(BLACK)
        item.getAxis(axis).setPen(GREY)
        item.getAxis(axis).enableAutoSIPrefix(False)


def make_plot(
    parent: QWidget | None,
    object_name: str,
    *,
    title: str,
    x_label: str,
    y_label: str,
    legend: bool = True,
) -> pg.PlotWidget:
    """A white ``PlotWidget`` with a title, both axis labels, a grid and (optionally) a legend."""
    plot = pg.PlotWidget(parent, background="w")
    plot.setObjectName(object_name)
    item = plot.getPlotItem()
    style_plot_item(item, title=title, x_label=x_label, y_label=y_label)
    if legend:
        item.addLegend(offset=(-8, 8), labelTextColor=BLACK, brush=pg.mkBrush(255, 255, 255, 210))
    plot.setMinimumSize(260, 190)
    return plot


def make_plot_with_legend_below(
    parent: QWidget | None,
    object_name: str,
    *,
    title: str,
    x_label: str,
    y_label: str,
    legend_columns: int,
) -> tuple[pg.GraphicsLayoutWidget, pg.PlotItem, pg.LegendItem]:
    """A plot whose legend sits in its own row below the axes, never covering the data."""
    widget = pg.GraphicsLayoutWidget(parent)
    widget.setObjectName(object_name)
    widget.setBackground("w")
    widget.setMinimumSize(300, 240)
    item = widget.addPlot(row=0, col=0)
    style_plot_item(item, title=title, x_label=x_label, y_label=y_label)
    legend = pg.LegendItem(colCount=legend_columns, labelTextColor=BLACK)
    widget.addItem(legend, row=1, col=0)
    return widget, item, legend


def controls_column(parent: QWidget, controls: QWidget) -> QScrollArea:
    """Wrap a panel's control column in a vertical scroll area of a readable, bounded width."""
    scroll = QScrollArea(parent)
    scroll.setWidget(controls)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(340)
    scroll.setMaximumWidth(420)
    return scroll


def message_label(parent: QWidget | None, object_name: str, *, warning: bool = False) -> QLabel:
    """A word-wrapped label for an input's error (red) or a warning (amber); hidden when empty."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    tone_label(label, "warning" if warning else "error")
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.setVisible(False)
    return label


def show_message(label: QLabel, text: str | None) -> None:
    """Show ``text`` in ``label`` (and its tooltip), or clear and hide it."""
    label.setText(text or "")
    label.setToolTip(text or "")
    label.setVisible(bool(text))


def readout_label(parent: QWidget | None, object_name: str) -> QLabel:
    """A selectable monospace label for numbers the user reads off (loss, errors, weights)."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    # No word wrap: the texts break lines themselves, and wrapped labels in a form layout get
    # too little height (the last line was clipped).
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class Coalescer(QObject):
    """Runs ``callback`` once, ``COALESCE_MS`` after the last of a burst of :meth:`request` calls.

    Slider drags fire dozens of ``valueChanged`` per second; recomputing on each would lag.
    The timer is owned by this object (a child of the panel) and stopped by :meth:`stop`.
    """

    def __init__(self, parent: QObject, callback: Callable[[], None]) -> None:
        super().__init__(parent)
        self._callback = callback
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(callback)

    def request(self) -> None:
        """Schedule the callback (restarts the delay)."""
        self._timer.start()

    def flush(self) -> None:
        """Run a pending callback now."""
        if self._timer.isActive():
            self._timer.stop()
            self._callback()

    def stop(self) -> None:
        """Drop a pending callback."""
        self._timer.stop()

    def is_pending(self) -> bool:
        """Whether a callback is scheduled."""
        return self._timer.isActive()


class DerivationView(QTextBrowser):
    """Read-only rich text for the step-by-step derivations."""

    def __init__(self, parent: QWidget | None = None, *, object_name: str) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setOpenExternalLinks(False)
        font = QFont(self.font())
        font.setPointSizeF(max(10.0, font.pointSizeF() + 1))
        self.setFont(font)
        # Light "paper" like the plots, readable under the dark theme too.
        self.setStyleSheet("QTextBrowser { background: #ffffff; color: #222222; }")
        self.document().setDefaultStyleSheet(
            "h3 { color: #0b3d91; margin-top: 10px; } p { margin: 4px 0; }"
        )

    def set_derivation(self, html_text: str) -> None:
        """Replace the text, keeping the scroll position."""
        bar = self.verticalScrollBar()
        position = bar.value()
        self.setHtml(html_text)
        bar.setValue(position)
