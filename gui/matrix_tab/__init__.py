"""Matrix & kernel tab: type or paste a matrix and kernels, see and explain exact outputs."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.matrix_tab.page import MatrixTab
from gui.widgets import TabPage

__all__ = ["MatrixTab", "create_tab"]


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Matrix & kernel tab."""
    return MatrixTab(parent, context=context)
