"""Spin boxes, combo boxes and sliders ignore the wheel unless focused; the scroll area scrolls."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.widgets import install_wheel_guard


def wheel(widget: QWidget, steps: int = -1) -> None:
    """Turn the wheel ``steps`` notches (negative = towards the user) over ``widget``'s centre."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QCoreApplication.sendEvent(widget, event)


@pytest.fixture
def scroll_panel(qtbot, qapp):
    """A scroll area taller content: a combo, a spin box and a slider near the top."""
    guard = install_wheel_guard(qapp)
    area = QScrollArea()
    inner = QWidget()
    layout = QVBoxLayout(inner)
    combo = QComboBox(inner)
    combo.addItems(["Laplacian", "LoG", "Kirsch N", "Kirsch NE"])
    spin = QSpinBox(inner)
    spin.setRange(0, 100)
    spin.setValue(50)
    slider = QSlider(Qt.Orientation.Horizontal, inner)
    slider.setRange(0, 100)
    slider.setValue(50)
    for w in (combo, spin, slider):
        layout.addWidget(w)
    layout.addSpacing(3000)
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.resize(300, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    area.setFocus()
    yield area, combo, spin, slider
    # Later tests must see the guard that build_window() installs, not this one.
    qapp.removeEventFilter(guard)
    guard.setParent(None)
    guard.deleteLater()


def test_unfocused_value_widgets_pass_the_wheel_to_the_scroll_area(scroll_panel):
    area, combo, spin, slider = scroll_panel
    bar = area.verticalScrollBar()
    for widget, value in ((combo, combo.currentIndex), (spin, spin.value), (slider, slider.value)):
        assert not widget.hasFocus()
        before, top = value(), bar.value()
        wheel(widget)
        assert value() == before, f"{type(widget).__name__} changed without focus"
        assert bar.value() > top, "the scroll area did not scroll"
        bar.setValue(0)


def test_focused_value_widgets_take_the_wheel(scroll_panel, qtbot):
    area, combo, spin, slider = scroll_panel
    bar = area.verticalScrollBar()
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel(combo)
    assert combo.currentIndex() == 1 and combo.currentText() == "LoG"
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin, +1)
    assert spin.value() == 51
    assert bar.value() == 0


def test_guarded_widgets_do_not_take_focus_from_the_wheel(scroll_panel):
    _area, combo, spin, slider = scroll_panel
    for widget in (combo, spin, slider):
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert isinstance(spin, QAbstractSpinBox)


def test_tabs_built_later_are_guarded(main_window, qtbot):
    """The Loss tab is built on first show, after the window: its panel spin boxes are covered."""
    main_window.show_tab("loss")
    page = main_window.page("loss")
    page.sections.setCurrentWidget(page.ridge_panel)
    spin = page.findChild(QSpinBox, "polyDegree")
    qtbot.waitUntil(spin.isVisible)
    before = spin.value()
    wheel(spin, +1)
    wheel(spin, +1)
    assert spin.value() == before
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus
