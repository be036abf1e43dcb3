"""Widgets shared by several tabs."""

from gui.widgets.description_page import DescriptionPage
from gui.widgets.tab_page import TabPage

__all__ = ["DescriptionPage", "TabPage"]
