"""The one table of tabs: key, title and the module whose ``create_tab`` builds it.

Modules are imported only when a tab is built (``load_factory``), so a tab's heavy imports
cost nothing until then, and tests can parametrize over :data:`TABS`. The main window builds
only the visible tab at start-up; the others stand as a :class:`PendingTab` until first shown.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QWidget

from gui.context import AppContext
from gui.pg_config import configure_pyqtgraph_if_imported
from gui.widgets import TabPage

TabFactory = Callable[..., TabPage]


@dataclass(frozen=True)
class TabSpec:
    """One tab: a stable ``key`` (object name, sessions), its visible ``title`` and its module."""

    key: str
    title: str
    module: str
    #: Methods the rest of the app (menus) calls on the tab. A tab not built yet offers them
    #: without being built; calling one builds the tab and calls the real method.
    entry_points: tuple[str, ...] = ()

    def load_factory(self) -> TabFactory:
        """Import the tab's module and return its ``create_tab(parent=None, *, context)``."""
        return importlib.import_module(self.module).create_tab

    def build(self, parent: QWidget | None, context: AppContext) -> TabPage:
        """Create the tab widget, with ``objectName`` set to ``"tab_" + key``."""
        factory = self.load_factory()
        configure_pyqtgraph_if_imported()  # the tab's module may have imported pyqtgraph
        page = factory(parent, context=context)
        page.setObjectName(f"tab_{self.key}")
        return page


TABS: tuple[TabSpec, ...] = (
    TabSpec("matrix", "Matrix && kernel", "gui.matrix_tab"),
    TabSpec(
        "gallery",
        "Filter gallery",
        "gui.gallery_tab",
        entry_points=("open_image", "open_image_dialog", "open_video"),
    ),
    TabSpec("layers", "Layer sizes", "gui.layers_tab"),
    TabSpec("loss", "Loss && regularisation", "gui.loss_tab"),
    TabSpec("train", "Train", "gui.train_tab"),
)

#: The tab a first start (no session to restore) opens on: a sample photo, useful at once.
FIRST_RUN_TAB = "gallery"


class PendingTab(TabPage):
    """Stands in a tab's place until the main window builds the real tab.

    It keeps the state a session restores into it (``save_state`` returns that state unchanged,
    so an unbuilt tab loses nothing) and hands it to the real tab when that is built. The
    spec's ``entry_points`` are offered as methods that build the tab when called; any other
    public attribute it does not have builds the real tab through ``build(key)`` and is
    answered by it, so code that looks a page up in ``window.pages`` keeps working.
    """

    def __init__(
        self, spec: TabSpec, build: Callable[[str], TabPage], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self._build = build
        self.pending_state: dict[str, Any] | None = None
        self.setObjectName(f"pending_{spec.key}")

    def real_page(self) -> TabPage:
        """Build the real tab (once) and return it."""
        return self._build(self.spec.key)

    def save_state(self) -> dict[str, Any]:
        """The restored state waiting for the tab, else the real (built) tab's state."""
        if self.pending_state is not None:
            return copy.deepcopy(self.pending_state)
        return self.real_page().save_state()

    def restore_state(self, state: dict[str, Any]) -> None:
        """Keep ``state`` until the tab is built."""
        self.pending_state = copy.deepcopy(state) if isinstance(state, dict) else {}

    def undo_stack(self) -> None:
        """No undo history before the tab exists."""
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self.spec.entry_points:
            # Answer "does the tab offer this?" without building it (menus ask at start-up).
            build, key = self._build, self.spec.key

            def call_real_page(*args: Any, **kwargs: Any) -> Any:
                return getattr(build(key), name)(*args, **kwargs)

            return call_real_page
        return getattr(self.real_page(), name)
