"""The small interface every tab implements, so the main window can treat them alike."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


class TabPage(QWidget):
    """Base class of every tab's top widget.

    The main window calls :meth:`activate` / :meth:`deactivate` when the tab is shown or hidden
    (a camera tab pauses capture while hidden), :meth:`shutdown` before the window closes (stop
    threads and timers there), and :meth:`save_state` / :meth:`restore_state` for sessions.
    """

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
