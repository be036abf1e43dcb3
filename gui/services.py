"""What the app shell's parts need from each other, as small Protocols (no concrete classes).

The menus (:mod:`gui.menus`) and the session manager (:mod:`gui.session`,
:mod:`gui.session_startup`) are built by :class:`gui.main_window.MainWindow` and talk back to
it; they depend on :class:`WindowServices` here instead of importing the window (which imports
them), so the shell has no import circle. ``MainWindow`` satisfies the Protocol structurally;
``tests/test_import_graph.py`` keeps any circle from coming back.

Tabs handing things to each other through the window see the receiving page as a
:class:`KernelReceiver` or :class:`NetworkReceiver`.

The gallery's file dialogs (:mod:`gui.gallery_tab.file_actions`) see their page as a
:class:`FileActionsHost`, the Train tab's Export menu (:mod:`gui.train_tab.export_actions`) as
an :class:`ExportHost`, in the same way.

Each tab's tutor adapter (``gui/matrix_tab/tutor.py``, ``gui/layers_tab/tutor.py``,
``gui/loss_tab/tutor.py``) sees its page as a :class:`TutorHost` (extended, in the adapter's
module, by the few parts of that page it reads); the generic panels of :mod:`gui.tutor` are
joined to it by :func:`gui.tutor.join_tab`. So no tutor module imports a tab page, and no tab
page's package is imported by :mod:`gui.tutor`.

This module imports only leaf modules (widgets, settings, theme, message bar, recent files).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import QByteArray, QObject, SignalInstance
    from PySide6.QtWidgets import QLabel, QMenuBar, QPushButton, QStatusBar, QTabWidget

    from engine.images import GalleryPipeline
    from engine.train import History, Model
    from gui.context import AppContext
    from gui.message_bar import MessageBar
    from gui.recent_files import RecentFiles
    from gui.settings_store import AppSettings
    from gui.theme import ThemeController
    from gui.widgets import TabPage

__all__ = [
    "ExportHost",
    "FileActionsHost",
    "KernelReceiver",
    "NetworkReceiver",
    "SessionServices",
    "TutorHost",
    "WindowServices",
    "as_widget",
]


class SessionServices(Protocol):
    """What the menus ask of the session manager (:class:`gui.session.SessionManager`)."""

    session_path: Path | None

    def has_unsaved_changes(self) -> bool:
        """``True`` if a tab changed since the session was last opened or saved."""
        ...

    def open_file(self, path: str | Path) -> bool:
        """Open a session file; ``False`` (and a message) if it could not be used."""
        ...

    def save_to(self, path: str | Path) -> bool:
        """Write the session to ``path``; ``False`` (and a message) if it failed."""
        ...


class WindowServices(Protocol):
    """What menus and sessions need from the main window (a ``QMainWindow``).

    The app-level parts (tabs, message bar, recent files, theme, settings, sessions, the shared
    :class:`~gui.context.AppContext`) plus the few ``QMainWindow`` methods they call. Use
    :func:`as_widget` where a Qt parent is needed.
    """

    pages: dict[str, TabPage]
    tab_widget: QTabWidget
    message_bar: MessageBar
    recent_files: RecentFiles
    theme: ThemeController
    settings: AppSettings
    context: AppContext

    @property
    def sessions(self) -> SessionServices:
        """The session manager (read-only here, so a :class:`SessionManager` attribute fits)."""
        ...

    def show_tab(self, key: str) -> None:
        """Make the tab registered under ``key`` the visible one."""
        ...

    def page(self, key: str) -> TabPage:
        """The tab registered under ``key``, built if need be."""
        ...

    def save_settings(self) -> bool:
        """Write the settings file; ``False`` (and a status message) on failure."""
        ...

    def fit_to_screen(self) -> None:
        """Move and shrink the window into its screen's available area."""
        ...

    # The QMainWindow methods the shell's parts call.
    def menuBar(self) -> QMenuBar: ...  # noqa: N802, D102 (Qt names)
    def statusBar(self) -> QStatusBar: ...  # noqa: N802, D102
    def saveGeometry(self) -> QByteArray: ...  # noqa: N802, D102
    def restoreGeometry(self, geometry: QByteArray) -> bool: ...  # noqa: N802, D102
    def setWindowTitle(self, title: str) -> None: ...  # noqa: N802, D102
    def isFullScreen(self) -> bool: ...  # noqa: N802, D102
    def showNormal(self) -> None: ...  # noqa: N802, D102
    def showFullScreen(self) -> None: ...  # noqa: N802, D102
    def close(self) -> bool: ...  # noqa: D102
    def installEventFilter(self, watcher: QObject) -> None: ...  # noqa: N802, D102


class KernelReceiver(Protocol):
    """A tab that takes a kernel from another tab (the Matrix tab: a trained filter)."""

    def add_kernel(self, name: str | None = None, values: np.ndarray | None = None) -> None:
        """Add ``values`` as a kernel called ``name`` (one undoable step)."""
        ...


class NetworkReceiver(Protocol):
    """A tab that takes a network from another tab (the Train tab: a Layer-sizes network)."""

    def receive_network(self, network: object, slot: str) -> None:
        """``network`` replaces the model in ``slot``."""
        ...


class CameraPicker(Protocol):
    """The gallery's camera list (:class:`gui.gallery_tab.source_bar.SourceBar`)."""

    def set_cameras(self, indices: list[int] | None) -> None:
        """Show the camera indices found (``None``: not probed yet)."""
        ...


class BackendChoice(Protocol):
    """The gallery's options panel, as far as saving asks it."""

    def backend(self) -> str:
        """The convolution backend chosen (``"opencv"``, ``"numpy"`` …)."""
        ...


class FileActionsHost(Protocol):
    """What the gallery's open/save dialogs need from their page (a ``QWidget``).

    :class:`gui.gallery_tab.page.GalleryTab` satisfies it; :func:`as_widget` gives the dialogs'
    parent.
    """

    recent: RecentFiles
    frame: np.ndarray | None
    selected: str
    pipeline: GalleryPipeline

    @property
    def source_bar(self) -> CameraPicker:
        """The camera list (read-only here, so the page's own SourceBar fits)."""
        ...

    @property
    def options_panel(self) -> BackendChoice:
        """The options panel (read-only here, so the page's own OptionsPanel fits)."""
        ...

    def open_image(self, path: str | Path) -> bool:
        """Open an image file as the input; ``False`` (and a message) if it cannot be read."""
        ...

    def open_video(self, path: str | Path) -> bool:
        """Play a video file as the input; ``False`` (and a message) if it cannot be opened."""
        ...

    def show_message(self, message: str, *, error: bool = True) -> None:
        """Say something in the page's status strip."""
        ...


class ExportHost(Protocol):
    """What the Train tab's Export menu needs from its tab (a ``QWidget``):
    :class:`gui.train_tab.page.TrainTab` satisfies it."""

    models: dict[str, Model | None]
    histories: dict[str, History]
    val_x: np.ndarray
    export_button: QPushButton
    status_label: QLabel

    def trained(self, slot: str) -> bool:
        """Whether model ``slot`` (``"cnn"`` / ``"mlp"``) has been trained or loaded."""
        ...

    def export_dialog(self) -> None:
        """Ask where to save the weights and networks (.npz + JSON)."""
        ...


class TutorHost(Protocol):
    """What a tab's tutor adapter needs from any tab page (a ``QWidget``): the shared context
    (practice mode, the status bar) and the signal that autosaves the session. Every
    :class:`gui.widgets.TabPage` with a ``context`` satisfies it."""

    context: AppContext
    state_changed: SignalInstance


def as_widget(service: WindowServices | FileActionsHost | ExportHost | TutorHost) -> QWidget:
    """``service`` as the Qt parent of actions and dialogs (every service here is a widget)."""
    if not isinstance(service, QWidget):
        raise TypeError(f"a window service must be a QWidget, got {type(service).__name__}")
    return service
