"""Value widgets ignore the mouse wheel unless they have focus; the scroll area scrolls instead.

Qt gives spin boxes, combo boxes and sliders every wheel event over them, focused or not, so
scrolling a control panel silently changed kernels and recomputed results. One application-wide
event filter (:func:`install_wheel_guard`) covers every such widget, including those of tabs and
panels built later: an unfocused one passes the wheel to its nearest scroll area, and it gets
``Qt.StrongFocus`` (click or Tab) instead of Qt's ``WheelFocus`` so the wheel never focuses it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QScrollBar,
    QWidget,
)

#: Widgets whose value the wheel changes.
GUARDED_TYPES: tuple[type[QWidget], ...] = (QAbstractSpinBox, QComboBox, QAbstractSlider)


def is_guarded(widget: QObject) -> bool:
    """Whether ``widget`` is a value widget the guard keeps from taking unfocused wheel events."""
    return isinstance(widget, GUARDED_TYPES) and not isinstance(widget, QScrollBar)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """The event filter behind :func:`install_wheel_guard` (one per application)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            # hasFocus() follows focus proxies (a spin box's line edit, an editable combo's).
            if is_guarded(watched) and not watched.hasFocus():  # type: ignore[attr-defined]
                self._forward(watched, event)  # type: ignore[arg-type]
                return True
        elif kind == QEvent.Type.Polish and is_guarded(watched):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:  # type: ignore[attr-defined]
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # type: ignore[attr-defined]
        return False

    @staticmethod
    def _forward(widget: QWidget, event: QWheelEvent) -> None:
        """Scroll the nearest scroll area as if the wheel had turned over it."""
        event.accept()  # handled here: Qt must not propagate it to the parents as well
        area = _scroll_area_of(widget)
        if area is None:
            return
        viewport = area.viewport()
        local = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
        forwarded = QWheelEvent(
            local,
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
        )
        QCoreApplication.sendEvent(viewport, forwarded)


def install_wheel_guard(app: QCoreApplication | None = None) -> WheelGuard:
    """Install the guard on ``app`` (default: the running application) once; returns it."""
    target = app if app is not None else QCoreApplication.instance()
    if target is None:
        raise ValueError("app must be given or a QApplication must exist")
    existing = target.findChild(WheelGuard, "wheelGuard")
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(target)
    guard.setObjectName("wheelGuard")
    target.installEventFilter(guard)
    return guard
