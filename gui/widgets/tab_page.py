"""The small interface every tab implements, so the main window can treat them alike."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget


class TabPage(QWidget):
    """Base class of every tab's top widget.

    The main window calls :meth:`activate` / :meth:`deactivate` when the tab is shown or hidden
    (a camera tab pauses capture while hidden), :meth:`shutdown` before the window closes (stop
    threads and timers there), and :meth:`save_state` / :meth:`restore_state` for sessions.

    Signals
    -------
    state_changed()
        Emitted after any user change that :meth:`save_state` would record (autosave listens).
    """

    state_changed = Signal()

    def activate(self) -> None:
        """Called when the tab becomes the visible one."""

    def deactivate(self) -> None:
        """Called when another tab becomes visible."""

    def shutdown(self) -> None:
        """Stop every thread and timer this tab owns; called once before the window closes."""

    def save_state(self) -> dict[str, Any]:
        """Return the tab's state as plain JSON types (dict/list/str/int/float/bool/None)."""
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`save_state` returned; unknown or bad entries are ignored."""

    def show_section(self, name: str) -> bool:
        """Bring this tab's sub-page ``name`` forward (menus use it to open one directly);
        ``False`` when the tab has no such sub-page."""
        del name
        return False

    def undo_stack(self) -> QUndoStack | None:
        """The tab's undo stack, if it has one (the Edit menu's Undo/Redo act on it)."""
        return None
