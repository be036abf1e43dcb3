"""Widgets shared by several tabs."""

from gui.widgets.description_page import DescriptionPage
from gui.widgets.tab_page import TabPage
from gui.widgets.wheel_guard import install_wheel_guard

__all__ = ["DescriptionPage", "TabPage", "install_wheel_guard"]
