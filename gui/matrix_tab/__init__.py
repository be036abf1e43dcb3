"""Matrix & kernel tab (describes itself until its own issue builds it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.widgets import DescriptionPage, TabPage

DESCRIPTION = (
    "Type or paste a matrix and one or more kernels and see the exact output for valid, "
    "same or full padding, any stride and dilation, as convolution or cross-correlation. "
    "Step through every output cell's sum of products, and export the worked solution."
)


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Matrix & kernel tab."""
    del context  # the description page needs nothing shared
    return DescriptionPage(parent, title="Matrix &amp; kernel", description=DESCRIPTION)
