"""Filter gallery tab: every classic filter on sample images, image files, video and a webcam."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.gallery_tab.page import GalleryTab
from gui.widgets import TabPage

__all__ = ["GalleryTab", "create_tab"]


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Filter gallery tab (it starts on a built-in sample image)."""
    return GalleryTab(parent, context=context)
