"""Edit menu: Undo/Redo bound to the visible tab's undo stack, and Copy."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu

from gui.clipboard_copy import copy_focused
from gui.menus._base import MenuBase


class EditMenu(MenuBase):
    """Edit ▸ …: Undo/Redo follow the visible tab (:meth:`bind_undo_stack`)."""

    _stack: QUndoStack | None
    _stack_connections: list

    def _build_edit(self, menu: QMenu) -> None:
        menu.setObjectName("menuEdit")
        keys = QKeySequence.StandardKey
        self._add(menu, "actionUndo", "&Undo", self.undo, keys.Undo)
        self._add(menu, "actionRedo", "&Redo", self.redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        menu.addSeparator()
        self._add(
            menu,
            "actionCopy",
            "&Copy",
            self.copy,
            keys.Copy,
            "Copy the selection (text, or table cells as tab-separated values)",
        )

    @Slot()
    def bind_undo_stack(self) -> None:
        """Point Undo/Redo at the visible tab's undo stack (disabled if it has none)."""
        for connection in self._stack_connections:
            QObject.disconnect(connection)
        self._stack_connections = []
        page = self.window.tab_widget.currentWidget()
        stack = page.undo_stack() if hasattr(page, "undo_stack") else None
        self._stack = stack if isinstance(stack, QUndoStack) else None
        undo, redo = self.actions["actionUndo"], self.actions["actionRedo"]
        if self._stack is None:
            for action, text in ((undo, "&Undo"), (redo, "&Redo")):
                action.setEnabled(False)
                action.setText(text)
            return
        s = self._stack
        self._stack_connections = [
            s.canUndoChanged.connect(undo.setEnabled),
            s.canRedoChanged.connect(redo.setEnabled),
            s.undoTextChanged.connect(self._show_undo_text),
            s.redoTextChanged.connect(self._show_redo_text),
        ]
        undo.setEnabled(s.canUndo())
        redo.setEnabled(s.canRedo())
        undo.setText(f"&Undo {s.undoText()}".rstrip())
        redo.setText(f"&Redo {s.redoText()}".rstrip())

    @Slot(str)
    def _show_undo_text(self, text: str) -> None:
        self.actions["actionUndo"].setText(f"&Undo {text}".rstrip())

    @Slot(str)
    def _show_redo_text(self, text: str) -> None:
        self.actions["actionRedo"].setText(f"&Redo {text}".rstrip())

    @Slot()
    def undo(self) -> None:
        """Edit ▸ Undo on the visible tab's stack."""
        if self._stack is not None:
            self._stack.undo()

    @Slot()
    def redo(self) -> None:
        """Edit ▸ Redo on the visible tab's stack."""
        if self._stack is not None:
            self._stack.redo()

    @Slot()
    def copy(self) -> bool:
        """Edit ▸ Copy (see :func:`gui.clipboard_copy.copy_focused`)."""
        if copy_focused():
            return True
        self.window.statusBar().showMessage("Nothing selected to copy", 4000)
        return False
