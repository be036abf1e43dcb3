"""Edit ▸ Copy: copy whatever the user has selected, wherever the keyboard focus is."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication


def copy_focused() -> bool:
    """Copy the focused widget's selection; ``False`` if there was nothing to copy.

    In order: the focused widget's own ``copy_selection()`` (widgets that know their format,
    e.g. matrix views), a table/list's selected cells as tab-separated rows, or a text widget's
    ``copy()``.
    """
    widget = QApplication.focusWidget()
    copy_selection = getattr(widget, "copy_selection", None)
    if widget is not None and callable(copy_selection):
        copy_selection()
        return True
    if isinstance(widget, QAbstractItemView) and widget.selectionModel() is not None:
        text = selected_cells_text(widget)
        if text:
            QGuiApplication.clipboard().setText(text)
            return True
    elif widget is not None and callable(copy := getattr(widget, "copy", None)):
        copy()
        return True
    return False


def selected_cells_text(view: QAbstractItemView) -> str:
    """Selected cells of a table/list as tab-separated rows (what spreadsheets paste)."""
    indexes = sorted(view.selectionModel().selectedIndexes(), key=lambda i: (i.row(), i.column()))
    if not indexes:
        return ""
    rows: dict[int, dict[int, str]] = {}
    for index in indexes:
        value = index.data()
        rows.setdefault(index.row(), {})[index.column()] = "" if value is None else str(value)
    columns = sorted({c for row in rows.values() for c in row})
    return "\n".join("\t".join(row.get(c, "") for c in columns) for _, row in sorted(rows.items()))
