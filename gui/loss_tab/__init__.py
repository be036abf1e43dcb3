"""Loss & regularisation tab: softmax, its Jacobian, cross-entropy, ridge regression, descent."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.loss_tab.loss_page import LossTab
from gui.widgets import TabPage

__all__ = ["LossTab", "create_tab"]


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Loss & regularisation tab."""
    return LossTab(parent, context=context)
