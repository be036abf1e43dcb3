"""A compact, monospace table view for matrices, with paste/copy keys and hover reporting."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFileDialog,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QToolTip,
    QWidget,
)

from engine.matrix import EXPORT_FORMATS, EXPORT_LABELS, EXPORT_SUFFIX, matrix_to_text
from engine.storage import save_text
from gui.matrix_tab.matrix_model import OUTLINE_ROLE, mono_font

MIN_CELL = 34
MAX_CELL = 96
#: Largest size a read-only view grows to before it scrolls (a 64×64 output stays usable).
MAX_FITTED = QSize(1400, 900)


class OutlineDelegate(QStyledItemDelegate):
    """Paints cells as usual, plus a strong frame around the cell whose model says
    :data:`OUTLINE_ROLE` (visible over the selection colour too)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        if index.data(OUTLINE_ROLE):
            painter.save()
            pen = QPen(option.palette.color(QPalette.ColorRole.Text), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
            painter.restore()


class MatrixView(QTableView):
    """Table view for one matrix.

    Signals
    -------
    paste_requested()
        The user pressed the paste shortcut (Ctrl+V) on the view.
    clear_requested()
        Delete/Backspace on a selection (editors set those cells to 0).
    cell_hovered(int, int)
        The mouse is over cell (row, col).
    """

    paste_requested = Signal()
    clear_requested = Signal()
    cell_hovered = Signal(int, int)

    def __init__(self, parent: QWidget | None = None, *, editable: bool = True) -> None:
        super().__init__(parent)
        self._editable = editable
        self.setFont(mono_font())
        self.setMouseTracking(True)
        self.setAlternatingRowColors(False)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        if editable:
            self.setEditTriggers(
                QAbstractItemView.EditTrigger.DoubleClicked
                | QAbstractItemView.EditTrigger.EditKeyPressed
                | QAbstractItemView.EditTrigger.AnyKeyPressed
            )
        else:
            self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(18)
            header.setFont(mono_font())
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setDefaultSectionSize(MIN_CELL + 8)
        self.entered.connect(self._on_entered)
        self.setItemDelegate(OutlineDelegate(self))
        self._fit_size = not editable  # read-only views take the size of their whole matrix
        if self._fit_size:
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def setModel(self, model) -> None:  # noqa: N802 (Qt override)
        """Attach a model and keep the column width fitted to its longest text."""
        super().setModel(model)
        if hasattr(model, "set_palette"):
            model.set_palette(self.palette())
        model.modelReset.connect(self.fit_columns)
        model.dataChanged.connect(self._on_data_changed)
        self.fit_columns()

    def _on_data_changed(self, _top=None, _bottom=None, roles=None) -> None:
        if roles and Qt.ItemDataRole.DisplayRole not in roles:
            return  # only colours changed (window highlight): widths stay
        self.fit_columns()

    def fit_columns(self) -> None:
        """One width for every column, just wide enough for the longest number."""
        model = self.model()
        if model is None:
            return
        metrics = self.fontMetrics()
        widest = model.widest_text() if hasattr(model, "widest_text") else "−0000"
        longest = metrics.horizontalAdvance(widest or "0")
        width = max(MIN_CELL, min(MAX_CELL, longest + 12))
        if self.horizontalHeader().defaultSectionSize() != width:
            self.horizontalHeader().setDefaultSectionSize(width)
        if self._fit_size:
            self._fit_to_contents()
        self.updateGeometry()

    def contents_size(self) -> QSize:
        """Width and height that show every cell and both headers without scroll bars."""
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        cols = model.columnCount() if model is not None else 0
        frame = 2 * self.frameWidth()
        vertical, horizontal = self.verticalHeader(), self.horizontalHeader()
        width = vertical.sizeHint().width() + cols * horizontal.defaultSectionSize() + frame
        height = horizontal.sizeHint().height() + rows * vertical.defaultSectionSize() + frame
        return QSize(width, height)

    def _fit_to_contents(self) -> None:
        # Exactly the whole matrix (up to MAX_FITTED): no scroll bars beside empty space.
        wanted = self.contents_size()
        size = wanted.boundedTo(MAX_FITTED)
        if size.width() < wanted.width():  # a horizontal scroll bar will take room below
            size.setHeight(min(MAX_FITTED.height(), size.height() + self._bar_extent()))
        if size.height() < wanted.height():
            size.setWidth(min(MAX_FITTED.width(), size.width() + self._bar_extent()))
        self.setFixedSize(size)

    def _bar_extent(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Recolour the model's cells when the theme (palette) changes."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            model = self.model()
            if hasattr(model, "set_palette"):
                model.set_palette(self.palette())

    def _on_entered(self, index: QModelIndex) -> None:
        if index.isValid():
            self.cell_hovered.emit(index.row(), index.column())

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Show a cell's tooltip just below the cell, so it never covers the cell it explains
        (Qt puts it at the mouse pointer, over the cell and its neighbours)."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.indexAt(event.pos())
            text = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
            if not text:
                QToolTip.hideText()
                return super().viewportEvent(event)
            rect = self.visualRect(index)
            below = self.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 4))
            QToolTip.showText(below, str(text), self.viewport(), rect)
            return True
        return super().viewportEvent(event)

    def event(self, event: QEvent) -> bool:
        """Claim Ctrl+V / Ctrl+C / Delete before window-level shortcuts see them."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Paste) or event.matches(
                QKeySequence.StandardKey.Copy
            ):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.matches(QKeySequence.StandardKey.Paste):
            if self._editable:
                self.paste_requested.emit()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        if self._editable and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if self.state() != QAbstractItemView.State.EditingState:
                self.clear_requested.emit()
                event.accept()
                return
        super().keyPressEvent(event)

    def selected_block(self) -> tuple[int, int, int, int] | None:
        """``(top, left, bottom, right)`` of the selection's bounding box, or None."""
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        if not indexes:
            return None
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        return (min(rows), min(cols), max(rows), max(cols))

    def copy_selection(self) -> None:
        """Copy the selected block (or everything) to the clipboard as tab-separated text."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        block = self.selected_block() or (0, 0, model.rowCount() - 1, model.columnCount() - 1)
        top, left, bottom, right = block
        lines = []
        for r in range(top, bottom + 1):
            cells = [str(model.index(r, c).data()) for c in range(left, right + 1)]
            lines.append("\t".join(cells).replace("\u2212", "-"))
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")


def copy_menu_button(parent: QWidget, name: str, get_values, on_copied=None) -> QToolButton:
    """A "Copy ▾" tool button whose menu copies ``get_values()`` in each export format."""
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText("Copy")
    button.setToolTip(
        "Copy or save this matrix as CSV, TSV, Markdown, LaTeX bmatrix or a NumPy literal"
    )
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    for fmt in EXPORT_FORMATS:
        action = QAction(f"Copy as {EXPORT_LABELS[fmt]}", menu)
        action.setObjectName(f"{name}_{fmt}")

        def copy(_checked: bool = False, fmt: str = fmt) -> None:
            values = get_values()
            if values is None:
                return
            QGuiApplication.clipboard().setText(matrix_to_text(values, fmt))
            if on_copied is not None:
                on_copied(f"Copied {values.shape[0]}×{values.shape[1]} as {EXPORT_LABELS[fmt]}")

        action.triggered.connect(copy)
        menu.addAction(action)
    menu.addSeparator()
    save = QAction("Save as file…", menu)
    save.setObjectName(f"{name}_save")

    def save_dialog(_checked: bool = False) -> None:
        values = get_values()
        if values is None:
            return
        filters = [f"{EXPORT_LABELS[f]} (*{EXPORT_SUFFIX[f]})" for f in EXPORT_FORMATS]
        path, chosen = QFileDialog.getSaveFileName(
            button, "Save matrix", "matrix.csv", ";;".join(filters)
        )
        if not path:
            return
        fmt = EXPORT_FORMATS[filters.index(chosen)] if chosen in filters else "csv"
        try:
            save_matrix(path, values, fmt)
        except OSError as exc:
            if on_copied is not None:
                on_copied(f"Could not save {path}: {exc}")
            return
        if on_copied is not None:
            on_copied(f"Saved {values.shape[0]}×{values.shape[1]} to {path}")

    save.triggered.connect(save_dialog)
    menu.addAction(save)
    button.setMenu(menu)
    return button


def save_matrix(path: str, values, fmt: str) -> None:
    """Write ``values`` to ``path`` in export format ``fmt`` (atomic replace)."""
    save_text(path, matrix_to_text(values, fmt))
