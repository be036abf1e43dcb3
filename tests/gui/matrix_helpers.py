"""Shared helpers for the Matrix-tab GUI tests: a shown tab that is always shut down, and typing
into a matrix cell through its editor the way a user does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from gui.context import AppContext
from gui.matrix_tab import MatrixTab


@contextmanager
def shown_matrix_tab(qtbot, width: int = 1400, height: int = 900) -> Iterator[MatrixTab]:
    """A real Matrix tab of ``width`` × ``height``, shown and exposed; shut down after."""
    page = MatrixTab(None, context=AppContext())
    qtbot.addWidget(page)
    page.resize(width, height)
    page.show()
    qtbot.waitExposed(page)
    yield page
    page.shutdown()
    page.close()


def type_into(qtbot, view, row, col, text):
    """Type ``text`` into a cell through the view's editor (delegate) and press Enter."""
    index = view.model().index(row, col)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index)
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    if not text:
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    elif text.isascii():
        qtbot.keyClicks(editor, text)
    else:  # QTest cannot synthesise non-ASCII keys; an input method inserts the text
        editor.insert(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits and closes the editor through a queued call.
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)
