"""The Train tab's plots follow the light/dark theme (issue 13 #7): the shared themed plot set-up,
on first show, after training, after the shift test renames its legend, and after a switch."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from gui.colours import contrast_ratio
from gui.train_tab.page import PAGES
from gui.widgets.plots import plot_axis_colour, plot_background, plot_ink

TRAIN_TIMEOUT = 60_000


def _colour(value) -> QColor:
    return value if isinstance(value, QColor) else pg.mkColor(value)


def _plot_colours(view: pg.GraphicsView) -> dict[str, set[str]]:
    """Every colour the plot paints its frame and text with, by part."""
    found: dict[str, set[str]] = {"background": {view.backgroundBrush().color().name()}}
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            found.setdefault("axis line", set()).add(item.pen().color().name())
            found.setdefault("tick text", set()).add(item.textPen().color().name())
            if item.labelText:
                found.setdefault("axis label", set()).add(_colour(item.labelStyle["color"]).name())
        elif isinstance(item, pg.LegendItem):
            found.setdefault("legend", set()).add(item.brush().color().name())
        elif isinstance(item, pg.LabelItem) and item.text:
            # titles and legend entries (the shift test's entries are renamed after a run)
            found.setdefault("text", set()).add(_colour(item.opts["color"]).name())
    return found


#: The Train tab's plots: curves, and the experiments' (overfitting, learning curves, shift).
TRAIN_PLOTS = {"lossPlot", "accuracyPlot", "lambdaPlot", "normPlot", "sizePlot", "shiftPlot"}


def _assert_train_plots_follow(page) -> None:
    views = page.findChildren(pg.GraphicsView)
    names = {view.objectName() for view in views}
    assert TRAIN_PLOTS <= names
    ink, background = plot_ink().name(), plot_background().name()
    expected = {
        "background": {background},
        "axis line": {plot_axis_colour().name()},
        "tick text": {ink},
        "axis label": {ink},
        "legend": {background},
        "text": {ink},
    }
    for view in views:
        if view.objectName() in TRAIN_PLOTS:
            # The accuracy plot shows the loss plot's four series: the one legend is there;
            # the weight-norm plot's one series needs none.
            shared = view.objectName() in {"accuracyPlot", "normPlot"}
            want = {k: v for k, v in expected.items() if not (shared and k == "legend")}
            assert _plot_colours(view) == want, view.objectName()
    assert contrast_ratio(plot_ink(), plot_background()) >= 7


def test_train_plots_follow_the_theme_after_training_and_a_switch(main_window, qtbot):
    window = main_window
    window.theme.set_mode("light")
    window.show_tab("train")
    page = window.page("train")
    qtbot.waitUntil(page.isVisible)
    page.data_box.samples.setValue(200)
    page.options_box.epochs.setValue(2)
    window.theme.set_mode("dark")
    assert plot_background().lightness() < 60
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=TRAIN_TIMEOUT)
    assert page.curves.point_count("cnn") == 2
    page.pages.setCurrentIndex(PAGES.index("experiments"))
    page.experiments.shift.seeds.setValue(1)
    page.experiments.shift.epochs.setValue(1)
    qtbot.mouseClick(page.experiments.shift.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=TRAIN_TIMEOUT)
    legend = page.experiments.shift.plot.plot.getPlotItem().legend
    entries = [label.text for _sample, label in legend.items]
    assert any("params)" in text for text in entries), entries
    _assert_train_plots_follow(page)  # dark, including the legend text set after the run
    window.theme.set_mode("light")
    assert plot_background().lightness() > 200
    _assert_train_plots_follow(page)
