"""The one table of tabs: key, title and the module whose ``create_tab`` builds it.

Modules are imported only when the window is built (``load_factory``), so a tab's heavy imports
cost nothing until then, and tests can parametrize over :data:`TABS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.widgets import TabPage

TabFactory = Callable[..., TabPage]


@dataclass(frozen=True)
class TabSpec:
    """One tab: a stable ``key`` (object name, sessions), its visible ``title`` and its module."""

    key: str
    title: str
    module: str

    def load_factory(self) -> TabFactory:
        """Import the tab's module and return its ``create_tab(parent=None, *, context)``."""
        return importlib.import_module(self.module).create_tab

    def build(self, parent: QWidget | None, context: AppContext) -> TabPage:
        """Create the tab widget, with ``objectName`` set to ``"tab_" + key``."""
        page = self.load_factory()(parent, context=context)
        page.setObjectName(f"tab_{self.key}")
        return page


TABS: tuple[TabSpec, ...] = (
    TabSpec("matrix", "Matrix && kernel", "gui.matrix_tab"),
    TabSpec("gallery", "Filter gallery", "gui.gallery_tab"),
    TabSpec("layers", "Layer sizes", "gui.layers_tab"),
    TabSpec("loss", "Loss && regularisation", "gui.loss_tab"),
)
