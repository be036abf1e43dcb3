"""Widgets shared by several tabs."""

from gui.widgets.description_page import DescriptionPage
from gui.widgets.tab_page import TabPage
from gui.widgets.wheel_guard import install_wheel_guard
from gui.widgets.worker import JobCancelled, JobControl, JobRunner

__all__ = [
    "DescriptionPage",
    "JobCancelled",
    "JobControl",
    "JobRunner",
    "TabPage",
    "install_wheel_guard",
]
