"""Loss & regularisation tab (describes itself until its own issue builds it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.widgets import DescriptionPage, TabPage

DESCRIPTION = (
    "Softmax and its Jacobian, cross-entropy and its gradient, mean squared error with L2 "
    "(ridge) regularisation in closed form and by gradient descent, all checked numerically"
    " and plotted."
)


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Loss & regularisation tab."""
    del context  # the description page needs nothing shared
    return DescriptionPage(parent, title="Loss &amp; regularisation", description=DESCRIPTION)
