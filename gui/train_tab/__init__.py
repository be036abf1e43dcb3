"""Train tab: a CNN and an MLP learn handwritten digits side by side, live.

Modules: :mod:`page` (the tab), :mod:`setup_panel` (data, networks, options),
:mod:`data_source`, :mod:`persistence` (sessions, export), :mod:`export_actions` (the Export
menu: ONNX, PyTorch code), :mod:`runner`, :mod:`worker` and
:mod:`jobs` (the training thread), :mod:`plots`, :mod:`learned_panel` (with :mod:`maps_box`),
:mod:`draw_panel`, :mod:`experiments_panel`, :mod:`state` (plain-JSON state), :mod:`pixmaps`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.train_tab.page import TrainTab
from gui.widgets import TabPage

__all__ = ["TrainTab", "create_tab"]


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Train tab."""
    return TrainTab(parent, context=context)
