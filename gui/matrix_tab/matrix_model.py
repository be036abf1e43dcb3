"""Table models for the Matrix & kernel tab: an editable matrix with undo, and read-only views.

Every user edit (typing, paste, fill, resize, library pick) becomes a ``QUndoCommand`` on the
tab's shared ``QUndoStack``; the model only changes inside a command's ``redo``/``undo``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPalette,
    QUndoCommand,
    QUndoStack,
)

from engine.matrix import MatrixParseError, parse_number
from engine.numbers import as_exact
from engine.text import format_cell
from gui.colours import mix
from gui.matrix_tab.cell_colours import HIGHLIGHT_KINDS, CellColours, cell_colours

#: True on the cell to outline: the explained ("focus") cell of a read-only matrix.
OUTLINE_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def mono_font() -> QFont:
    """The system's fixed-pitch font, used for every matrix."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    return font


class MatrixModel(QAbstractTableModel):
    """An editable matrix (int64 or float64) with a title, changed only through undo commands.

    Signals
    -------
    values_changed()
        After any change of values or shape.
    title_changed(str)
        The matrix's name changed (kernels: the library pick or the user's name).
    edit_rejected(int, int, str)
        Typed text at (row, col) was refused; the message says why. Nothing changed.
    """

    values_changed = Signal()
    title_changed = Signal(str)
    edit_rejected = Signal(int, int, str)

    def __init__(
        self,
        values: np.ndarray,
        *,
        title: str = "",
        undo_stack: QUndoStack | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._values = as_exact(np.array(values))
        self._title = title
        self._stack = undo_stack
        self._highlight: dict[tuple[int, int], str] = {}
        self._colours = cell_colours(QGuiApplication.palette())

    # --- reading -------------------------------------------------------------------------
    @property
    def values(self) -> np.ndarray:
        """A copy of the matrix."""
        return self._values.copy()

    @property
    def title(self) -> str:
        """The matrix's name."""
        return self._title

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return (int(self._values.shape[0]), int(self._values.shape[1]))

    def widest_text(self) -> str:
        """The longest cell text (the view sizes its columns from it)."""
        values = self._values
        if values.dtype.kind in "iu":
            return max(format_cell(int(values.min())), format_cell(int(values.max())), key=len)
        return max((format_cell(v) for v in values.ravel().tolist()), key=len)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._values.shape[0]

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._values.shape[1]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_cell(self._values[r, c].item())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            kind = self._highlight.get((r, c))
            return QBrush(self._colours.background(kind)) if kind is not None else None
        if role == Qt.ItemDataRole.ForegroundRole:
            negative = bool(self._values[r, c] < 0)
            if (r, c) in self._highlight:
                colours = self._colours
                return QBrush(colours.negative_on_highlight if negative else colours.on_highlight)
            return QBrush(self._colours.negative) if negative else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"row {r}, column {c}: {format_cell(self._values[r, c].item())}"
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    # --- user edits (become undo commands) ------------------------------------------------
    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Parse typed text; a good number becomes an undoable edit, a bad one is refused."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        r, c = index.row(), index.column()
        try:
            number = parse_number(str(value))
        except MatrixParseError as exc:
            kept = format_cell(self._values[r, c].item())
            self.edit_rejected.emit(r, c, f"row {r}, column {c}: {exc} — kept {kept}")
            return False
        old = self._values[r, c].item()
        if old == number and isinstance(old, int) == isinstance(number, int):
            return True
        new_values = self._values.astype(np.float64) if isinstance(number, float) else None
        if new_values is None:
            new_values = self._values.copy()
        new_values[r, c] = number
        self.push_values(new_values, f"Edit {self._title or 'matrix'} ({r}, {c})")
        return True

    def push_values(self, values: np.ndarray, text: str, title: str | None = None) -> None:
        """Replace the whole matrix (and maybe the title) as one undoable step."""
        command = ReplaceMatrixCommand(self, values, text, title)
        if self._stack is not None:
            self._stack.push(command)
        else:
            command.redo()

    def push_title(self, title: str) -> None:
        """Rename as an undoable step."""
        if title != self._title:
            self.push_values(self._values, f"Rename to {title}", title)

    # --- applied by commands --------------------------------------------------------------
    def apply(self, values: np.ndarray, title: str) -> None:
        """Set values and title now (commands and restore only; not undoable by itself)."""
        new = as_exact(np.array(values))
        if new.ndim != 2 or new.size == 0:
            raise ValueError(f"values must be a non-empty 2-D matrix, got shape {new.shape}")
        if new.shape != self._values.shape:
            self.beginResetModel()
            self._values = new
            self._highlight.clear()
            self.endResetModel()
        else:
            self._values = new
            self.dataChanged.emit(self.index(0, 0), self.index(new.shape[0] - 1, new.shape[1] - 1))
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)
        self.values_changed.emit()

    def set_highlight(self, cells: dict[tuple[int, int], str]) -> None:
        """Highlight these cells as ``"window"`` or ``"focus"`` (the window of an explained
        output cell)."""
        _check_kinds(cells)
        old = set(self._highlight)
        self._highlight = dict(cells)
        touched = old | set(cells)
        if not touched:
            return
        rows = [r for r, _ in touched]
        cols = [c for _, c in touched]
        self.dataChanged.emit(
            self.index(min(rows), min(cols)),
            self.index(max(rows), max(cols)),
            [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole],
        )

    def highlighted(self) -> dict[tuple[int, int], str]:
        """Currently highlighted cells and their kind."""
        return dict(self._highlight)

    def set_palette(self, palette: QPalette) -> None:
        """Recolour the cells for ``palette`` (the views call this on a theme change)."""
        _recolour(self, palette)


class ReplaceMatrixCommand(QUndoCommand):
    """Undoable replacement of a model's values and title."""

    def __init__(
        self, model: MatrixModel, values: np.ndarray, text: str, title: str | None = None
    ) -> None:
        super().__init__(text)
        self._model = model
        self._old = (model.values, model.title)
        self._new = (as_exact(np.array(values)), model.title if title is None else title)

    def redo(self) -> None:
        self._model.apply(*self._new)

    def undo(self) -> None:
        self._model.apply(*self._old)


class ListCommand(QUndoCommand):
    """Undoable insert or removal of an item in an owner's list (kernels, channels, filters).

    The owner provides ``insert_item(index, item)`` and ``remove_item(index) -> item``; the
    removed item (a model) is kept alive here so older commands that refer to it stay valid.
    """

    def __init__(self, owner: Any, op: str, index: int, item: Any, text: str) -> None:
        super().__init__(text)
        self._owner, self._op, self._index, self._item = owner, op, index, item

    def redo(self) -> None:
        if self._op == "insert":
            self._owner.insert_item(self._index, self._item)
        else:
            self._item = self._owner.remove_item(self._index)

    def undo(self) -> None:
        if self._op == "insert":
            self._owner.remove_item(self._index)
        else:
            self._owner.insert_item(self._index, self._item)


class ReadOnlyMatrixModel(QAbstractTableModel):
    """A read-only matrix view (outputs, pooled outputs, the padded input) with highlights.

    ``pad`` = ``(top, left)`` shifts the header labels so they show input coordinates, and
    ``padding_mask`` marks cells that are zero padding (drawn greyed).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._values = np.zeros((0, 0))
        self._shown = self._values
        self._texts: list[list[str]] | None = []
        self._offset = (0, 0)
        self._padding: np.ndarray | None = None
        self._highlight: dict[tuple[int, int], str] = {}
        self._tips: dict[tuple[int, int], str] = {}
        self._colours = cell_colours(QGuiApplication.palette())

    def set_matrix(
        self,
        values: np.ndarray,
        *,
        shown: np.ndarray | None = None,
        offset: tuple[int, int] = (0, 0),
        padding_mask: np.ndarray | None = None,
    ) -> None:
        """Show ``shown`` (defaults to ``values``); ``values`` are the raw numbers for tooltips."""
        shown_arr = values if shown is None else shown
        same_shape = shown_arr.shape == self._shown.shape and offset == self._offset
        if not same_shape:
            self.beginResetModel()
        self._values = values
        self._shown = shown_arr
        if shown_arr.dtype.kind in "iu":  # integers: formatted lazily, only visible cells
            self._texts = None
        else:
            self._texts = [[format_cell(v) for v in row] for row in shown_arr.tolist()]
        self._offset = offset
        self._padding = padding_mask
        if not same_shape:
            self._highlight.clear()
            self._tips.clear()
            self.endResetModel()
        elif shown_arr.size:
            self.dataChanged.emit(
                self.index(0, 0), self.index(shown_arr.shape[0] - 1, shown_arr.shape[1] - 1)
            )

    @property
    def values(self) -> np.ndarray:
        """The raw numbers (before the display mode)."""
        return self._values.copy()

    @property
    def shown(self) -> np.ndarray:
        """The numbers as displayed."""
        return self._shown.copy()

    def text(self, r: int, c: int) -> str:
        """The text shown in cell (r, c)."""
        if self._texts is None:
            return str(int(self._shown[r, c])).replace("-", "\u2212")
        return self._texts[r][c]

    def widest_text(self) -> str:
        """The longest cell text (the view sizes its columns from it)."""
        if self._texts is None:
            if not self._shown.size:
                return "0"
            low, high = int(self._shown.min()), int(self._shown.max())
            return max(str(low).replace("-", "\u2212"), str(high), key=len)
        return max((t for row in self._texts for t in row), key=len, default="0")

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._shown.shape[0]

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self._shown.ndim < 2 else self._shown.shape[1]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        is_pad = self._padding is not None and bool(self._padding[r, c])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, c)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            colours = self._colours
            kind = self._highlight.get((r, c))
            if kind is not None:
                colour = colours.background(kind)
                # a window reaching into the padding: paler, still dark text on it
                return QBrush(mix(colour, colours.padding, 0.45) if is_pad else colour)
            return QBrush(colours.padding) if is_pad else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colours = self._colours
            negative = not is_pad and bool(self._shown[r, c] < 0)
            if (r, c) in self._highlight:
                return QBrush(colours.negative_on_highlight if negative else colours.on_highlight)
            if is_pad:
                return QBrush(colours.padding_text)
            return QBrush(colours.negative) if negative else None
        if role == Qt.ItemDataRole.FontRole and is_pad:
            font = mono_font()
            font.setItalic(True)
            return font
        if role == OUTLINE_ROLE:
            return self._highlight.get((r, c)) == "focus"
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tips.get((r, c))
            if tip:
                return tip
            # np.asarray: an exact sum beyond int64 is a plain Python int (object array)
            raw = format_cell(np.asarray(self._values[r, c]).item()) if self._values.shape else ""
            label = "zero padding" if is_pad else f"value {raw}"
            return f"({r - self._offset[0]}, {c - self._offset[1]}): {label}"
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            shift = self._offset[0] if orientation == Qt.Orientation.Vertical else self._offset[1]
            return str(section - shift).replace("-", "\u2212")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_highlight(
        self, cells: dict[tuple[int, int], str], tips: dict[tuple[int, int], str] | None = None
    ) -> None:
        """Highlight cells as ``"window"`` or ``"focus"`` (and give them tooltips), clearing
        the previous highlight."""
        _check_kinds(cells)
        touched = set(self._highlight) | set(cells)
        self._highlight = dict(cells)
        self._tips = dict(tips or {})
        if touched and self._shown.size:
            rows = [r for r, _ in touched]
            cols = [c for _, c in touched]
            self.dataChanged.emit(
                self.index(min(rows), min(cols)),
                self.index(max(rows), max(cols)),
                [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole],
            )

    def highlighted(self) -> dict[tuple[int, int], str]:
        """Currently highlighted cells and their kind."""
        return dict(self._highlight)

    def set_palette(self, palette: QPalette) -> None:
        """Recolour the cells for ``palette`` (the views call this on a theme change)."""
        _recolour(self, palette)


def _check_kinds(cells: dict[tuple[int, int], str]) -> None:
    bad = {kind for kind in cells.values() if kind not in HIGHLIGHT_KINDS}
    if bad:
        raise ValueError(f"highlight kinds must be in {HIGHLIGHT_KINDS}, got {sorted(bad)!r}")


def _recolour(model: MatrixModel | ReadOnlyMatrixModel, palette: QPalette) -> None:
    colours: CellColours = cell_colours(palette)
    if colours.same_as(model._colours):
        return
    model._colours = colours
    rows, cols = model.rowCount(), model.columnCount()
    if rows and cols:
        model.dataChanged.emit(
            model.index(0, 0),
            model.index(rows - 1, cols - 1),
            [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole],
        )
