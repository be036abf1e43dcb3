"""Plots and radio buttons follow the light/dark theme (issue 13 #7)."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QRadioButton, QStyle, QStyleOptionButton

from gui.colours import contrast_ratio
from gui.widgets.plots import QUALITATIVE, plot_background, plot_ink, series_pen


def _colour(value) -> QColor:
    return value if isinstance(value, QColor) else pg.mkColor(value)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_plot_follows_a_theme_switch(main_window, qtbot, scheme):
    window = main_window
    for key in list(window.pages):
        window.page(key)  # build every tab: plots exist before the switch
    other = "light" if scheme == "dark" else "dark"
    window.theme.set_mode(other)
    window.theme.set_mode(scheme)
    background, ink = plot_background(), plot_ink()
    assert contrast_ratio(ink, background) >= 7
    views = window.findChildren(pg.GraphicsView)
    names = {view.objectName() for view in views}
    assert {"probabilityPlot", "gradientPlot", "fitPlot", "coefficientPlot", "contourPlot"} <= names
    assert "largeViewGraphics" in names
    for view in views:
        assert view.backgroundBrush().color() == background, view.objectName()
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                assert item.textPen().color() == ink, view.objectName()
                if item.labelText:
                    assert _colour(item.labelStyle["color"]) == ink
            elif isinstance(item, pg.LabelItem) and item.text:
                assert _colour(item.opts["color"]) == ink, (view.objectName(), item.text)
            elif isinstance(item, pg.LegendItem):
                assert item.brush().color().rgb() == background.rgb()


def test_plot_text_items_follow_the_theme_but_heatmap_labels_keep_theirs(main_window, qtbot):
    window = main_window
    tab = window.page("loss")
    window.theme.set_mode("dark")
    probability = tab.softmax_panel.probability_plot.widget
    texts = [t for t in probability.scene().items() if isinstance(t, pg.TextItem) and t.isVisible()]
    assert texts and all(t.color == plot_ink() for t in texts)
    heat = tab.softmax_panel.jacobian_plot.widget
    cells = [t for t in heat.scene().items() if isinstance(t, pg.TextItem) and t.isVisible()]
    assert cells and any(t.color != plot_ink() for t in cells)  # black on light cells


def test_coefficient_path_lines_are_distinct(main_window, qtbot):
    window = main_window
    tab = window.page("loss")
    panel = tab.ridge_panel
    panel.degree_spin.setValue(9)
    panel.flush()
    curves = tab.ridge_panel.coefficient_plot.curves
    assert len(curves) == 10
    pens = [curve.opts["pen"] for curve in curves]
    colours = [pen.color().name() for pen in pens]
    assert len(set(colours)) == 10
    for a in range(10):
        for b in range(a + 1, 10):
            ca, cb = QColor(colours[a]), QColor(colours[b])
            pairs = zip(ca.getRgb()[:3], cb.getRgb()[:3], strict=True)
            distance = sum((x - y) ** 2 for x, y in pairs) ** 0.5
            assert distance > 60, (a, b, colours[a], colours[b])
    # neighbours also differ in dash style
    styles = [tuple(pen.dashPattern()) for pen in pens]
    assert all(styles[k] != styles[k + 1] for k in range(9))
    for background in ("#ffffff", "#1e1f22"):
        assert all(contrast_ratio(QColor(c), QColor(background)) >= 1.9 for c in QUALITATIVE)
    assert series_pen(10).color() == series_pen(0).color()
    assert tuple(series_pen(10).dashPattern()) != tuple(series_pen(0).dashPattern())


def test_gradient_legend_does_not_cover_the_bars(main_window, qtbot):
    window = main_window
    tab = window.page("loss")
    window.show_tab("loss")
    plot = tab.softmax_panel.gradient_plot
    qtbot.waitUntil(plot.widget.isVisible)
    legend = next(i for i in plot.widget.scene().items() if isinstance(i, pg.LegendItem))
    legend_rect = legend.sceneBoundingRect()
    view_rect = plot.plot_item.vb.sceneBoundingRect()
    assert not legend_rect.intersects(view_rect)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_checked_radio_button_dot_is_clearly_visible(main_window, qtbot, scheme):
    window = main_window
    window.theme.set_mode(scheme)
    radio = QRadioButton("Generated")
    radio.setChecked(True)
    qtbot.addWidget(radio)
    radio.show()
    qtbot.waitExposed(radio)
    image = radio.grab().toImage()
    option = QStyleOptionButton()
    option.initFrom(radio)
    rect = radio.style().subElementRect(QStyle.SubElement.SE_RadioButtonIndicator, option, radio)
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    strong = [
        (x, y)
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
        if contrast_ratio(QColor(image.pixel(x, y)), base) >= 3
    ]
    # Fusion's own dot covers ~20 such pixels; a clearly visible dot at least twice that.
    assert len(strong) >= 40


def test_plots_of_a_tab_built_after_the_switch_follow_the_theme(main_window, qtbot):
    """A tab first shown in the dark theme (built lazily) gets dark plots, even its own."""
    window = main_window
    window.theme.set_mode("dark")
    assert not window.is_built("train")
    window.show_tab("train")
    page = window.page("train")
    qtbot.waitUntil(page.isVisible)
    views = page.findChildren(pg.GraphicsView)
    assert views
    background = plot_background()
    assert all(view.backgroundBrush().color() == background for view in views)
