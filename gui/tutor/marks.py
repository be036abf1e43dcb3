"""A read-only grid of numbers with per-cell marks: right (✓), wrong (✗, bold) or unknown (?).

Marks never rely on colour alone: each marked cell starts with ✓, ✗ or ? and wrong cells are
bold; the tint comes from :func:`gui.colours.tone` mixed into the palette's base colour, so it
follows the light/dark theme and keeps the normal text colour readable on top of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

from engine.text import format_cell
from gui.colours import follow_palette, mix, tone

AnyIndex = QModelIndex | QPersistentModelIndex

#: mark kind → (symbol, tone whose colour tints the cell, bold)
MARKS: dict[str, tuple[str, str, bool]] = {
    "right": ("✓", "note", False),
    "wrong": ("✗", "error", True),
    "unknown": ("?", "warning", False),
}
#: how far the cell background moves from the palette's base colour towards the tone
TINT = 0.22


def mark_background(kind: str, palette: QPalette | None = None) -> QColor:
    """The background tint of a ``kind`` cell on ``palette`` (default: the application's)."""
    pal = palette if palette is not None else QGuiApplication.palette()
    base = pal.color(QPalette.ColorRole.Base)
    return mix(base, tone(MARKS[kind][1], pal), TINT)


class MarksModel(QAbstractTableModel):
    """A matrix (or vector, shown as one row) with an optional mark per cell."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._values = np.zeros((0, 0))
        self._marks: dict[tuple[int, int], str] = {}
        self._tips: dict[tuple[int, int], str] = {}
        self._palette: QPalette | None = None

    def set_values(
        self,
        values: object,
        marks: dict[tuple[int, int], str] | None = None,
        tips: dict[tuple[int, int], str] | None = None,
    ) -> None:
        """Show ``values`` (scalar, vector or matrix) with ``marks`` (cell → mark kind) and
        ``tips`` (cell → tooltip text, e.g. the cell's sum of products)."""
        arr = np.asarray(values)
        if arr.ndim == 0:
            arr = arr.reshape(1, 1)
        elif arr.ndim == 1:
            arr = arr[None, :]
        for kind in (marks or {}).values():
            if kind not in MARKS:
                raise ValueError(f"mark must be one of {tuple(MARKS)}, got {kind!r}")
        self.beginResetModel()
        self._values = arr
        self._marks = dict(marks or {})
        self._tips = dict(tips or {})
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_values(np.zeros((0, 0)))

    @property
    def values(self) -> np.ndarray:
        """The shown values (2-D)."""
        return self._values

    def mark(self, row: int, col: int) -> str | None:
        """The mark of cell (row, col), or None."""
        return self._marks.get((row, col))

    def cell_text(self, row: int, col: int) -> str:
        """What cell (row, col) shows, e.g. ``"✗ −4"``."""
        text = format_cell(self._values[row, col].item())
        kind = self._marks.get((row, col))
        return f"{MARKS[kind][0]} {text}" if kind else text

    def set_palette(self, palette: QPalette) -> None:
        """Re-tint for ``palette`` (theme switch)."""
        self._palette = palette
        if self._values.size:
            last = self.index(self._values.shape[0] - 1, self._values.shape[1] - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._values.shape[0]

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self._values.ndim < 2 else self._values.shape[1]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        kind = self._marks.get((r, c))
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(r, c)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and kind:
            return mark_background(kind, self._palette)
        if role == Qt.ItemDataRole.FontRole and kind and MARKS[kind][2]:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and kind:
            what = {"right": "right", "wrong": "wrong", "unknown": "not determined"}[kind]
            tip = self._tips.get((r, c))
            return f"{what}: {tip}" if tip else what
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section)
        return None


class MarksView(QTableView):
    """A compact read-only view of a :class:`MarksModel` that follows the theme."""

    def __init__(self, parent: QWidget | None = None, *, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.marks = MarksModel(self)
        self.setModel(self.marks)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.marks.modelReset.connect(self._fit)
        # as tall as its rows (up to a limit), so the findings sit right below a small answer
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        follow_palette(self, lambda: self.marks.set_palette(self.palette()))

    def _fit(self) -> None:
        self.resizeColumnsToContents()
        self.resizeRowsToContents()
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Room for every row (at most 12 before it scrolls) and the header."""
        rows = min(self.marks.rowCount(), 12)
        height = self.horizontalHeader().height() + 2 * self.frameWidth() + 4
        height += sum(self.rowHeight(r) for r in range(rows)) if rows else 24
        if self.marks.columnCount() and self.horizontalScrollBar().maximum() > 0:
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(super().sizeHint().width(), height)
