"""pyqtgraph plots that follow the light/dark theme, and the plot set-up the tabs share.

Every plot (and image view) is registered with :func:`follow_theme`: background, axes, tick and
axis-label text, titles, legends and marked text items take their colours from the application
palette, and are re-coloured when View ▸ Theme (or the system) changes it. Data colours come
from :data:`QUALITATIVE` (ten hues that stay apart on white and on the dark background) and
:func:`series_pen` adds dash styles when there are more lines than hues.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from gui.colours import follow_palette, is_dark, mix

#: Ten qualitative hues (Tableau 10 / matplotlib "tab10"): pairwise distinct, legible on white
#: and on the dark theme's background.
QUALITATIVE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
#: Dash patterns cycled with the hues, so neighbouring lines also differ in style.
DASHES: tuple[list[float] | None, ...] = (None, [7.0, 3.0], [2.0, 2.0])

#: Text items with this attribute set to True keep their own colour (e.g. labels on heatmap
#: cells, whose background does not change with the theme).
KEEP_COLOUR = "keep_colour"


def plot_background(palette: QPalette | None = None) -> QColor:
    """The plot area's background: the palette's Base (white in light, near-black in dark)."""
    pal = palette if palette is not None else QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Base)


def plot_ink(palette: QPalette | None = None) -> QColor:
    """Text colour on plots: titles, tick labels, axis labels, legends."""
    pal = palette if palette is not None else QGuiApplication.palette()
    return QColor("#e6e6e6") if is_dark(pal) else QColor("#222222")


def plot_axis_colour(palette: QPalette | None = None) -> QColor:
    """Axis lines and grid: between the ink and the background."""
    return mix(plot_ink(palette), plot_background(palette), 0.45)


def series_pen(index: int, *, width: float = 2.0) -> pg.QtGui.QPen:
    """The pen of line ``index`` of a multi-line plot: hue by index, dashes every ten lines
    and on every third line, so ten or more lines stay apart in colour and style."""
    colour = QUALITATIVE[index % len(QUALITATIVE)]
    dash = DASHES[(index + index // len(QUALITATIVE)) % len(DASHES)]
    pen = pg.mkPen(colour, width=width)
    if dash is not None:
        pen.setDashPattern(dash)
    return pen


def _recolour_label(label: pg.LabelItem, ink: QColor) -> None:
    label.setText(label.text, color=ink)


def _recolour_axis(axis: pg.AxisItem, ink: QColor, line: QColor) -> None:
    axis.setPen(line)
    axis.setTextPen(ink)
    if axis.labelText or axis.labelUnits:
        style = dict(axis.labelStyle)
        style["color"] = ink.name()
        axis.labelStyle = style
        axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **style)


def apply_plot_theme(view: pg.GraphicsView) -> None:
    """Colour ``view`` (a ``PlotWidget``, ``GraphicsLayoutWidget`` …) from the current palette."""
    ink, background, line = plot_ink(), plot_background(), plot_axis_colour()
    view.setBackground(background)
    legend_brush = QColor(background)
    legend_brush.setAlpha(215)
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            _recolour_axis(item, ink, line)
        elif isinstance(item, pg.LegendItem):
            item.setBrush(pg.mkBrush(legend_brush))
            item.setPen(pg.mkPen(line))
            item.opts["labelTextColor"] = ink
        elif isinstance(item, pg.LabelItem):
            _recolour_label(item, ink)
        elif isinstance(item, pg.TextItem) and not getattr(item, KEEP_COLOUR, False):
            item.setColor(ink)
    view.setProperty("plotScheme", "dark" if is_dark() else "light")


def follow_theme(view: pg.GraphicsView) -> None:
    """Apply :func:`apply_plot_theme` now and after every palette (theme) change."""
    follow_palette(view, lambda: apply_plot_theme(view))


def set_plot_title(item: pg.PlotItem, title: str) -> None:
    """Change a plot's title in the current ink colour."""
    item.setTitle(title, color=plot_ink(), size="10pt")


def style_plot_item(item: pg.PlotItem, *, title: str, x_label: str, y_label: str) -> None:
    """Title, axis labels, grid and no SI-prefix rescaling (numbers stay as shown)."""
    ink = plot_ink()
    set_plot_title(item, title)
    item.setLabel("bottom", x_label, color=ink.name())
    item.setLabel("left", y_label, color=ink.name())
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setMenuEnabled(False)
    for axis in ("bottom", "left"):
        item.getAxis(axis).enableAutoSIPrefix(False)


def make_plot(
    parent: QWidget | None,
    object_name: str,
    *,
    title: str,
    x_label: str,
    y_label: str,
    legend: bool = True,
    legend_offset: tuple[int, int] = (-8, 8),
) -> pg.PlotWidget:
    """A themed ``PlotWidget`` with a title, both axis labels, a grid and (optionally) a legend
    (``legend_offset`` as in pyqtgraph: negative x from the right, negative y from the bottom)."""
    plot = pg.PlotWidget(parent)
    plot.setObjectName(object_name)
    item = plot.getPlotItem()
    style_plot_item(item, title=title, x_label=x_label, y_label=y_label)
    if legend:
        item.addLegend(offset=legend_offset)
    plot.setMinimumSize(260, 190)
    follow_theme(plot)
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
    """A themed plot whose legend sits in its own row below the axes, never covering data."""
    widget = pg.GraphicsLayoutWidget(parent)
    widget.setObjectName(object_name)
    widget.setMinimumSize(300, 240)
    item = widget.addPlot(row=0, col=0)
    style_plot_item(item, title=title, x_label=x_label, y_label=y_label)
    legend = pg.LegendItem(colCount=legend_columns)
    widget.addItem(legend, row=1, col=0)
    follow_theme(widget)
    return widget, item, legend


def ink_name() -> str:
    """:func:`plot_ink` as ``#rrggbb`` (for ``TextItem.setText(..., color=...)``)."""
    return plot_ink().name()


__all__ = [
    "DASHES",
    "KEEP_COLOUR",
    "QUALITATIVE",
    "apply_plot_theme",
    "follow_theme",
    "ink_name",
    "make_plot",
    "make_plot_with_legend_below",
    "plot_axis_colour",
    "plot_background",
    "plot_ink",
    "series_pen",
    "set_plot_title",
    "style_plot_item",
]
