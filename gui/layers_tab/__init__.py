"""Layer sizes tab (describes itself until its own issue builds it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.widgets import DescriptionPage, TabPage

DESCRIPTION = (
    "Output size O = ⌊(H − d(k−1) − 1 + 2p)/s⌋ + 1, parameters N(k·k·C+1), multiply-"
    "accumulates and receptive field for one layer and for whole networks such as LeNet-5, "
    "AlexNet and VGG-16."
)


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Layer sizes tab."""
    del context  # the description page needs nothing shared
    return DescriptionPage(parent, title="Layer sizes", description=DESCRIPTION)
