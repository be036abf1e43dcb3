"""The gallery's pixel hover: the hovered pixel's window, kernel, products and sum (13 #14)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect

from engine.images import filter_same

SUM = re.compile(r"Σ products = ([−\-0-9.e+]+)")
AT = re.compile(r"x=(\d+), y=(\d+)")


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def hover(qtbot, view, x: float, y: float):
    """Move the mouse over image coordinates (x, y) of the large view; returns the cursor."""
    scene = view.view.mapViewToScene(QPointF(x, y))
    cursor = view.graphics.mapFromScene(scene)
    # Qt sends no move event when the pointer is already there (left over from another test).
    qtbot.mouseMove(view.graphics.viewport(), cursor + QPoint(7, 7))
    qtbot.mouseMove(view.graphics.viewport(), cursor)
    return cursor


@pytest.fixture
def gallery(main_window, qtbot):
    main_window.resize(1100, 750)
    main_window.show_tab("gallery")
    page = main_window.page("gallery")
    qtbot.waitUntil(lambda: page.large_view.image_item.image is not None)
    return page


@pytest.mark.parametrize("border", ["reflect101", "zero", "wrap"])
@pytest.mark.parametrize(("fx", "fy"), [(0.002, 0.002), (0.5, 0.5), (0.97, 0.2)])
def test_hover_shows_the_window_sum_for_the_shown_filter_and_border(gallery, qtbot, border, fx, fy):
    page = gallery
    combo = page.options_panel.border_combo
    combo.setCurrentIndex(combo.findData(border))
    qtbot.waitUntil(lambda: page.pipeline.options.border == border)
    page.refresh()
    view = page.large_view
    h, w = page.frame.shape[:2]
    cursor = hover(qtbot, view, fx * w, fy * h)
    panel = view.pixel_panel
    qtbot.waitUntil(panel.isVisible)
    text = panel.label.text()
    x, y = (int(v) for v in AT.search(text).groups())
    assert f"x={x} y={y}" in view.readout.text()
    # the filter shown (Sobel x), on the current frame's working image, with this border
    spec = page.pipeline.tile(page.selected)
    work = page.pipeline.working(page.frame)
    expected = float(filter_same(work, spec.kernel, border=border, backend="opencv")[y, x])
    assert _number(SUM.search(text).group(1)) == pytest.approx(expected, rel=2e-3, abs=0.06)
    assert f"border {border}" in text
    if x == 0 or y == 0:
        assert "outside the image" in text
    # the panel never covers the hovered pixel
    assert not panel.geometry().intersects(QRect(cursor.x() - 2, cursor.y() - 2, 4, 4))


def test_hover_follows_the_selected_filter_and_hides_for_non_kernel_results(gallery, qtbot):
    page = gallery
    view = page.large_view
    page.select("gaussian5")
    qtbot.waitUntil(lambda: page.header.title_label.text().startswith("Gaussian 5"))
    page.refresh()
    h, w = page.frame.shape[:2]
    hover(qtbot, view, w / 3, h / 3)
    qtbot.waitUntil(view.pixel_panel.isVisible)
    text = view.pixel_panel.label.text()
    assert "5×5 window" in text and "Gaussian 5" in text
    assert text.count("<tr>") >= 15  # window, kernel and products: 5 rows each
    page.select("canny")
    page.refresh()
    hover(qtbot, view, w / 2, h / 2)
    qtbot.waitUntil(lambda: not view.pixel_panel.isVisible())
    assert np.asarray(view.image_item.image).size > 0
