"""No visible control is cut off by its parents, on any tab or sub-tab, at 1100×750 or larger.

The check is the lead's screenshot tool's: a visible control whose visible region is smaller
than its own rectangle (a control scrolled entirely out of view is fine: the user can scroll).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
    QTabWidget,
    QWidget,
)
from pytestqt.exceptions import TimeoutError as WaitTimeout

from gui.tab_registry import TABS

CONTROLS = (QAbstractSpinBox, QComboBox, QAbstractButton, QLineEdit, QSlider, QLabel)
SIZES = ((1100, 750), (1920, 1080))


def clipped_controls(root: QWidget) -> list[str]:
    """Visible controls under ``root`` whose visible region is smaller than their rectangle."""
    found = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or not w.isVisible() or w.width() < 4 or w.height() < 4:
            continue
        if isinstance(w, QLabel) and not w.text().strip():
            continue
        visible = w.visibleRegion().boundingRect()
        if visible.isEmpty():
            continue  # scrolled out of view entirely
        full = QRect(0, 0, w.width(), w.height())
        text = str(w.text() if hasattr(w, "text") else "")[:30]
        cut_x = visible.width() < full.width() - 2
        cut_y = visible.height() < full.height() - 2
        if (cut_x or cut_y) and _scrolls_into_view(w, cut_x, cut_y):
            continue  # cut only by a scroll area's edge: the user scrolls to the rest
        if cut_x or cut_y:
            found.append(
                f"{type(w).__name__} {w.objectName()!r} '{text}' shows "
                f"{visible.width()}x{visible.height()} of {full.width()}x{full.height()}"
            )
        elif _squeezed(w):
            need = w.minimumSizeHint()
            found.append(
                f"{type(w).__name__} {w.objectName()!r} '{text}' is {w.width()}x{w.height()}, "
                f"needs {need.width()}x{need.height()}"
            )
    return found


def _scrolls_into_view(w: QWidget, cut_x: bool, cut_y: bool) -> bool:
    """Whether ``w`` lies in a scroll area that can scroll in every direction it is cut in.

    The feature maps of the Train tab's "What it learned" page do not fit their view at
    1100×750 (eight maps and the last layer's bars, each with a two-line caption, in about
    250×160 px), so their view scrolls by design; a caption half under its edge is one scroll
    away, not cut off. A control cut by anything else, or in a direction the area cannot
    scroll, still counts."""
    parent = w.parentWidget()
    while parent is not None:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            horizontal = area.horizontalScrollBar()
            vertical = area.verticalScrollBar()
            can_x = horizontal.isVisible() and horizontal.maximum() > 0
            can_y = vertical.isVisible() and vertical.maximum() > 0
            return (can_x or not cut_x) and (can_y or not cut_y)
        parent = area
    return False


def _squeezed(w: QWidget) -> bool:
    """A control laid out smaller than its minimum size hint (its text or arrows are cut)."""
    if isinstance(w, QLabel) and w.wordWrap():
        return False  # a wrapping label's minimum hint is not a hard minimum
    if isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox)):
        return False  # the editor inside a spin/combo box: its box is checked instead
    need = w.minimumSizeHint()
    return w.width() < need.width() - 2 or w.height() < need.height() - 2


def _innermost_tab_widgets(page: QWidget) -> list[QTabWidget]:
    inner = [t for t in page.findChildren(QTabWidget) if t.isVisible()]
    return [t for t in inner if not any(o is not t and o.isAncestorOf(t) for o in inner)]


def walk_pages(qtbot, tabs: QTabWidget, path: str, report: dict[str, list[str]]) -> None:
    """Show every page of ``tabs`` (and of nested tab widgets) and record clipped controls."""
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        page = tabs.widget(index)
        qtbot.waitUntil(page.isVisible)
        QApplication.processEvents()  # layouts of the newly shown page
        name = f"{path}/{tabs.tabText(index)}"
        nested = _innermost_tab_widgets(page)
        if nested:
            for sub in nested:
                walk_pages(qtbot, sub, name, report)
        else:
            # A page that re-flows on its first resize (the feature maps) needs a few passes
            # of the event loop before its scroll area knows the new content's size.
            settle(qtbot, tabs.window(), page)
            report[name] = clipped_controls(page)


def settle(qtbot, window, root: QWidget) -> None:
    """Let layouts finish; pass when nothing is clipped (or fail with the list)."""
    try:
        qtbot.waitUntil(lambda: not clipped_controls(root), timeout=1500)
    except WaitTimeout:
        pass  # the caller's assertion shows what is cut off


@pytest.mark.parametrize("key", [spec.key for spec in TABS])
def test_no_control_is_clipped_at_the_smallest_supported_size(main_window, qtbot, key):
    window = main_window
    window.resize(1100, 750)
    window.show_tab(key)
    page = window.page(key)
    qtbot.waitUntil(page.isVisible)
    settle(qtbot, window, page)
    assert window.width() <= 1100 and window.height() <= 750, (
        f"tab {key!r} forces the window to {window.width()}×{window.height()}"
    )
    report: dict[str, list[str]] = {}
    nested = _innermost_tab_widgets(page)
    if nested:
        for tabs in nested:
            walk_pages(qtbot, tabs, key, report)
    else:
        settle(qtbot, window, page)
        report[key] = clipped_controls(page)
    cut = {name: found for name, found in report.items() if found}
    assert not cut, f"controls cut off at 1100×750: {cut}"


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("lam", ["1e6", "123456", "3.5e-08"])
def test_ridge_controls_are_not_cut_off_by_a_large_lambda(main_window, qtbot, width, height, lam):
    """A large λ prints long weights: the column widens instead of cutting off its controls."""
    window = main_window
    window.resize(width, height)
    window.show_tab("loss")
    tab = window.page("loss")
    tab.sections.setCurrentWidget(tab.ridge_panel)
    panel = tab.ridge_panel
    qtbot.waitUntil(panel.isVisible)
    panel.lambda_edit.setFocus()
    panel.lambda_edit.selectAll()
    qtbot.keyClicks(panel.lambda_edit, lam)
    with qtbot.waitSignal(panel.updated, timeout=3000):
        qtbot.keyClick(panel.lambda_edit, "\r")
    settle(qtbot, window, panel)
    assert panel.lam() == pytest.approx(float(lam))
    assert clipped_controls(panel) == []


def test_every_tab_fits_the_smallest_supported_window(main_window, qtbot):
    """No tab's minimum size (with all its panels, the tutor's boxes too) forces the window
    past 1100×750: a bigger minimum pushes the window off a small screen."""
    window = main_window
    for key in list(window.pages):
        window.page(key)
    window.resize(1100, 750)
    QApplication.processEvents()
    too_big = {
        key: (hint.width(), hint.height())
        for key in window.pages
        if (hint := window.page(key).minimumSizeHint()).height() > 640 or hint.width() > 1090
    }
    assert not too_big, f"tabs whose minimum size does not fit 1100×750: {too_big}"
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1100, 750), timeout=2000)


def clipped_plot_parts(root: QWidget) -> list[str]:
    """Legends, titles and axes of visible pyqtgraph views under ``root`` that reach outside
    their view (a plot squeezed below its layout's minimum cuts them off)."""
    import pyqtgraph as pg

    found = []
    for view in root.findChildren(pg.GraphicsView):
        if not view.isVisible():
            continue
        area = view.viewport().rect().adjusted(-6, -6, 6, 6)  # axes overhang a few pixels
        for item in view.scene().items():
            if not isinstance(item, (pg.LegendItem, pg.AxisItem, pg.LabelItem)):
                continue
            if not item.isVisible():
                continue
            box = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
            if not area.contains(box):
                found.append(f"{view.objectName()}: {type(item).__name__} at {box} of {area}")
    return found


@pytest.mark.parametrize("key", ["loss", "gallery"])
def test_plot_legends_titles_and_axes_fit_their_plots(main_window, qtbot, key):
    window = main_window
    window.resize(1100, 750)
    window.show_tab(key)
    page = window.page(key)
    qtbot.waitUntil(page.isVisible)
    report: dict[str, list[str]] = {}

    def record(tabs: QTabWidget, path: str) -> None:
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            qtbot.waitUntil(tabs.widget(index).isVisible)
            QApplication.processEvents()
            nested = _innermost_tab_widgets(tabs.widget(index))
            for sub in nested:
                record(sub, f"{path}/{tabs.tabText(index)}")
            if not nested:
                report[f"{path}/{tabs.tabText(index)}"] = clipped_plot_parts(tabs.widget(index))

    nested = _innermost_tab_widgets(page)
    for tabs in nested:
        record(tabs, key)
    if not nested:
        report[key] = clipped_plot_parts(page)
    cut = {name: found for name, found in report.items() if found}
    assert not cut, f"plot parts cut off at 1100×750: {cut}"
