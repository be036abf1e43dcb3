"""Hide a tab's result widgets behind short placeholders (practice mode), and show them again.

A :class:`Veil` covers widgets the tab already has; it never changes what they show. A covered
widget is hidden and a placeholder takes its place: in the same box or form layout, in the same
splitter, or as the same tab page of a :class:`QTabWidget`. Covered widgets are ones whose owner
does not switch them on and off itself (cards, group boxes, plot pages); should the owner show
one anyway while the veil is down, the veil hides it again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QFrame,
    QLabel,
    QLayout,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from gui.colours import tone_label

if TYPE_CHECKING:
    from typing_extensions import TypeIs

#: What a hidden place says (the verb matches the panel's "Show answer" button).
PRACTICE_PLACEHOLDER = "Hidden in practice mode — check your answer or press Show answer"


@dataclass
class _Cover:
    widget: QWidget
    placeholder: QLabel | None
    #: The widget was not hidden by its owner when the veil came down (shown again when lifted).
    shown: bool = True
    down: bool = False


def _alive(obj: QObject | None) -> TypeIs[QObject]:
    return obj is not None and shiboken6.isValid(obj)


def _tab_widget(widget: QWidget) -> QTabWidget | None:
    """The tab widget ``widget`` is a page of, if it is one."""
    stack = widget.parentWidget()
    tabs = stack.parentWidget() if isinstance(stack, QStackedWidget) else None
    if isinstance(tabs, QTabWidget) and tabs.indexOf(widget) >= 0:
        return tabs
    return None


def _insert_after(layout: QLayout, widget: QWidget, placeholder: QWidget) -> bool:
    """Put ``placeholder`` right after ``widget`` in ``layout`` or a layout nested in it."""
    if isinstance(layout, QFormLayout):
        # PySide6's stubs type the (row, role) pair as object
        row, _role = cast("tuple[int, object]", layout.getWidgetPosition(widget))
        if row >= 0:
            layout.insertRow(row + 1, placeholder)
            return True
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if item.widget() is widget:
            if isinstance(layout, QBoxLayout):  # the placeholder takes the widget's share
                layout.insertWidget(index + 1, placeholder, layout.stretch(index))
                return True
            insert = getattr(layout, "insertWidget", None)  # FlowLayout
            if callable(insert):
                insert(index + 1, placeholder)
                return True
            return False
        inner = item.layout()
        if inner is not None and _insert_after(inner, widget, placeholder):
            return True
    return False


class Veil(QObject):
    """Covers widgets with placeholders while it is down (:meth:`set_down`).

    ``name`` prefixes the placeholders' object names (``f"{name}Placeholder"``).
    """

    def __init__(self, parent: QObject | None = None, *, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._name = name
        self._covers: list[_Cover] = []
        self._down = False
        self._applying = False

    # --- public ------------------------------------------------------------------------------
    @property
    def down(self) -> bool:
        """Whether the covered widgets are hidden now."""
        return self._down

    def covered(self) -> list[QWidget]:
        """The widgets this veil covers (alive ones)."""
        return [c.widget for c in self._covers if _alive(c.widget)]

    def placeholders(self) -> list[QLabel]:
        """The placeholders (alive ones), shown while the veil is down."""
        return [c.placeholder for c in self._covers if _alive(c.placeholder)]

    def cover(self, widget: QWidget | None, text: str | None = PRACTICE_PLACEHOLDER) -> None:
        """Cover ``widget`` from now on (no-op if it is covered already).

        ``text=None`` hides it without a placeholder of its own: for a widget beside another
        covered one whose placeholder says it for both. ``widget`` may be a ``parentWidget()``
        call's result (the box around a label); ``None`` there is a wiring mistake.

        Raises
        ------
        ValueError
            ``widget`` is None, or it is in no layout, splitter or tab widget.
        """
        if widget is None:
            raise ValueError("widget must be a widget to cover, got None (no parent widget?)")
        if any(c.widget is widget for c in self._covers):
            return
        placeholder = self._make_placeholder(widget, text) if text is not None else None
        cover = _Cover(widget, placeholder)
        self._covers.append(cover)
        widget.installEventFilter(self)
        widget.destroyed.connect(self._forget_dead)
        if self._down:
            self._lower(cover)

    def uncover(self, widget: QWidget) -> None:
        """Stop covering ``widget``: it is shown as its owner left it, the placeholder goes."""
        for cover in list(self._covers):
            if cover.widget is widget:
                self._lift(cover)
                self._drop(cover)

    def forget(self, widget: QWidget) -> None:
        """Stop covering ``widget`` without showing it (its owner is removing it)."""
        for cover in [c for c in self._covers if c.widget is widget]:
            self._drop(cover)

    def set_down(self, down: bool) -> None:
        """Hide every covered widget behind its placeholder (``True``) or show them again."""
        self._down = bool(down)
        self._forget_dead()
        for cover in self._covers:
            if self._down:
                self._lower(cover)
            else:
                self._lift(cover)

    # --- Qt -----------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """While down, a covered widget its owner shows is hidden again at once."""
        if event.type() == QEvent.Type.Show and self._down and not self._applying:
            for cover in self._covers:
                if cover.widget is watched and cover.down and _tab_widget(cover.widget) is None:
                    self._applying = True
                    try:
                        cover.widget.hide()
                    finally:
                        self._applying = False
        return False

    # --- private ------------------------------------------------------------------------------
    def _make_placeholder(self, widget: QWidget, text: str) -> QLabel:
        placeholder = QLabel(text)
        placeholder.setObjectName(f"{self._name}Placeholder")
        placeholder.setWordWrap(True)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setFrameShape(QFrame.Shape.StyledPanel)
        placeholder.setMargin(8)
        placeholder.setMinimumWidth(160)
        placeholder.setToolTip(
            "Practice mode hides the results until you check an answer or press Show answer; "
            "turn it off in View ▸ Practice mode or with the Practice mode box"
        )
        tone_label(placeholder, "hint")
        placeholder.hide()
        parent = widget.parentWidget()
        tabs = _tab_widget(widget)
        if tabs is not None:
            placeholder.setParent(tabs)  # becomes a page in the widget's place when down
            placeholder.hide()
        elif isinstance(parent, QSplitter):
            parent.insertWidget(parent.indexOf(widget) + 1, placeholder)
            placeholder.hide()
        elif parent is not None and (layout := parent.layout()) is not None:
            placeholder.setParent(parent)
            placeholder.hide()
            if not _insert_after(layout, widget, placeholder):
                raise ValueError(f"cannot place a placeholder beside {widget.objectName()!r}")
        else:
            raise ValueError(f"{widget.objectName()!r} is in no layout, splitter or tab widget")
        return placeholder

    def _lower(self, cover: _Cover) -> None:
        if cover.down or not _alive(cover.widget):
            return
        widget, placeholder = cover.widget, cover.placeholder
        self._applying = True
        try:
            tabs = _tab_widget(widget)
            if tabs is not None and placeholder is not None:
                index = tabs.indexOf(widget)
                current = tabs.currentIndex() == index
                title, tip = tabs.tabText(index), tabs.tabToolTip(index)
                blocked = tabs.blockSignals(True)  # the same page stays current: no change
                try:
                    tabs.removeTab(index)
                    tabs.insertTab(index, placeholder, title)
                    tabs.setTabToolTip(index, tip)
                    if current:
                        tabs.setCurrentIndex(index)
                finally:
                    tabs.blockSignals(blocked)
                cover.shown = True
            else:
                cover.shown = not widget.isHidden()
                widget.hide()
                if placeholder is not None:
                    placeholder.setVisible(cover.shown)
            cover.down = True
        finally:
            self._applying = False

    def _lift(self, cover: _Cover) -> None:
        if not cover.down:
            return
        cover.down = False
        widget, placeholder = cover.widget, cover.placeholder
        if not _alive(widget):
            return
        self._applying = True
        try:
            holder = placeholder.parentWidget() if _alive(placeholder) else None
            tabs = holder.parentWidget() if holder is not None else None
            if (
                isinstance(tabs, QTabWidget)
                and placeholder is not None
                and tabs.indexOf(placeholder) >= 0
            ):
                index = tabs.indexOf(placeholder)
                current = tabs.currentIndex() == index
                title, tip = tabs.tabText(index), tabs.tabToolTip(index)
                blocked = tabs.blockSignals(True)
                try:
                    tabs.removeTab(index)
                    tabs.insertTab(index, widget, title)
                    tabs.setTabToolTip(index, tip)
                    if current:
                        tabs.setCurrentIndex(index)
                finally:
                    tabs.blockSignals(blocked)
                placeholder.setParent(tabs)
                placeholder.hide()
            else:
                if _alive(placeholder):
                    placeholder.hide()
                widget.setVisible(cover.shown)
        finally:
            self._applying = False

    def _drop(self, cover: _Cover) -> None:
        if cover in self._covers:
            self._covers.remove(cover)
        if _alive(cover.widget):
            cover.widget.removeEventFilter(self)
        if _alive(cover.placeholder):
            cover.placeholder.hide()
            cover.placeholder.deleteLater()

    def _forget_dead(self, *_args) -> None:
        for cover in [c for c in self._covers if not _alive(c.widget)]:
            self._drop(cover)
