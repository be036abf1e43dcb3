"""The page scaffold of a panel with controls on the left and views (plots, text) on the right.

The control column scrolls vertically and is always wide enough for its widest control: a
readout that grows (a large λ prints long weights) widens the column instead of cutting off
spin-box arrows and fields at its right edge, at any window size.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QStyle, QVBoxLayout, QWidget

from gui.widgets.events import on_events

#: The control column is at least this wide (readable forms) and, unless its content needs
#: more, at most :data:`COLUMN_MAX_WIDTH`.
COLUMN_MIN_WIDTH = 340
COLUMN_MAX_WIDTH = 420


class ControlsColumn(QScrollArea):
    """A vertical scroll area around ``content`` whose width follows the content's minimum."""

    def __init__(self, parent: QWidget | None, content: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("controlsColumn")
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        on_events(content, (QEvent.Type.LayoutRequest,), self._fit_width)
        self._fit_width()

    def _fit_width(self) -> None:
        content = self.widget()
        if content is None:
            return
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        needed = content.minimumSizeHint().width() + bar + 2 * self.frameWidth() + 2
        width = max(COLUMN_MIN_WIDTH, needed)
        self.setMinimumWidth(width)
        self.setMaximumWidth(max(COLUMN_MAX_WIDTH, width))


class ControlsViewsPanel(QWidget):
    """Base of a panel page: control boxes stacked in a :class:`ControlsColumn` on the left,
    one views widget (sub-tabs, splitters of plots) taking the rest of the width.

    Subclasses call :meth:`add_controls` for each group box, then :meth:`set_views`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controls = QWidget(self)
        self.controls.setObjectName("panelControls")
        self._column = QVBoxLayout(self.controls)
        self._column.addStretch(1)
        self.controls_column = ControlsColumn(self, self.controls)
        self._layout = QHBoxLayout(self)
        self._layout.addWidget(self.controls_column)

    def add_controls(self, *boxes: QWidget) -> None:
        """Append control boxes to the column (above its closing stretch)."""
        for box in boxes:
            self._column.insertWidget(self._column.count() - 1, box)

    def set_views(self, views: QWidget) -> None:
        """The widget right of the controls; it takes all remaining width."""
        self._layout.addWidget(views, 1)
