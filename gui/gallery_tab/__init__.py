"""Filter gallery tab (describes itself until its own issue builds it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.widgets import DescriptionPage, TabPage

DESCRIPTION = (
    "Prewitt, Sobel, Scharr, Laplacian, LoG, Gaussian, Canny and more on sample images, "
    "your own image files and a live webcam, side by side, with OpenCV filter2D as the "
    "reference backend."
)


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Filter gallery tab."""
    del context  # the description page needs nothing shared
    return DescriptionPage(parent, title="Filter gallery", description=DESCRIPTION)
