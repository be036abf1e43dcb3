"""The small shared object every tab receives through its constructor (no globals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import QObject, Signal

from gui.recent_files import RecentFiles
from gui.settings_store import AppSettings


class PracticeMode(QObject):
    """The one practice-mode switch every tab's tutor shares (View ▸ Practice mode and the
    "Practice mode" box of each "Check my answer" panel).

    While it is on, each tutor hides the results of the exercise at hand until the user checks
    an answer or presses "Show answer"; the tutors decide what to hide, this only holds the switch.

    Signals
    -------
    changed(bool)
        The mode was switched on (``True``) or off; emitted only when it really changes.
    """

    changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("practiceMode")
        self._enabled = False
        #: Switched (or restored) since the last session was applied.
        self._chosen = False
        self._deferred = False

    @property
    def enabled(self) -> bool:
        """Whether practice mode is on."""
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Switch practice mode on or off (``changed`` only when the value changes).

        Inside :meth:`deferred_restore` a value is taken only if the mode has not been set
        since the session was applied (:meth:`new_session`).
        """
        if self._deferred and self._chosen:
            return
        self._chosen = True
        enabled = bool(enabled)
        if enabled != self._enabled:
            self._enabled = enabled
            self.changed.emit(enabled)

    def new_session(self) -> None:
        """A session is being applied: the mode saved with it applies, even when a tab that
        holds it is built (and restored) later."""
        self._chosen = False

    @contextmanager
    def deferred_restore(self) -> Iterator[None]:
        """While a tab built after its session was applied restores its saved state: a mode
        saved with it does not undo a switch made since (View ▸ Practice mode, a panel box).

        Tabs are built lazily; without this, switching the mode off in the first seconds
        after start-up was undone by the next tab built, its saved state saying "on".
        """
        self._deferred = True
        try:
            yield
        finally:
            self._deferred = False


class AppContext(QObject):
    """Cross-tab links, the status bar and the recent-files list, handed to each tab's
    ``create_tab``.

    ``recent_files`` is the app-wide list (the main window passes the one stored in the
    settings file); without it the context keeps a list in memory only. ``practice`` is the
    shared :class:`PracticeMode` switch.

    Signals
    -------
    status_requested(str, int)
        A tab wants a message in the main window's status bar for ``int`` ms (0 = until replaced).
    kernel_sent(str, object)
        A named kernel (numpy array) was sent from the Matrix tab to the Filter gallery.
    image_changed(object)
        The Filter gallery's current still image (numpy array) changed; the Matrix tab can crop
        a patch from it.
    kernel_opened(str, object)
        A named kernel (2-D numpy array, e.g. a trained filter) to open in the Matrix tab; the
        main window shows that tab and adds the kernel.
    network_sent(object, str)
        A Layer-sizes network (``{"name", "input_shape", "layers"}``) for the Train tab's slot
        ``"cnn"`` or ``"mlp"``; the main window shows the Train tab and hands it over.
    """

    status_requested = Signal(str, int)
    kernel_sent = Signal(str, object)
    image_changed = Signal(object)
    kernel_opened = Signal(str, object)
    network_sent = Signal(object, str)

    def __init__(
        self, parent: QObject | None = None, *, recent_files: RecentFiles | None = None
    ) -> None:
        super().__init__(parent)
        self._current_image: np.ndarray | None = None
        self.practice = PracticeMode(self)
        self.recent_files = (
            recent_files if recent_files is not None else RecentFiles(AppSettings(None), self)
        )

    @property
    def current_image(self) -> np.ndarray | None:
        """The gallery's current image, or ``None`` before one is loaded."""
        return self._current_image

    def set_current_image(self, image: np.ndarray | None) -> None:
        """Record the gallery's current image and tell listeners."""
        self._current_image = image
        self.image_changed.emit(image)

    def show_status(self, message: str, timeout_ms: int = 5000) -> None:
        """Ask the main window to show ``message`` in its status bar."""
        self.status_requested.emit(message, timeout_ms)

    def send_kernel(self, name: str, kernel: np.ndarray) -> None:
        """Offer ``kernel`` (2-D array) to the Filter gallery as a custom tile."""
        self.kernel_sent.emit(name, np.array(kernel, copy=True))

    def open_kernel_in_matrix(self, name: str, kernel: np.ndarray) -> None:
        """Ask for ``kernel`` (2-D array) to be opened in the Matrix tab as a kernel."""
        self.kernel_opened.emit(name, np.array(kernel, copy=True))

    def send_network_to_train(self, network: dict, slot: str) -> None:
        """Offer a Layer-sizes ``network`` to the Train tab's ``slot`` (``"cnn"``/``"mlp"``)."""
        self.network_sent.emit(dict(network), slot)
