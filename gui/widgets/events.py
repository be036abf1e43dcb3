"""Run a callback when a widget receives certain events, without subclassing it.

The filter is a small QObject owned by the watched widget. Overriding ``eventFilter`` on a
widget that watches its own children instead is unsafe in PySide: while Qt destroys that
widget, its children still send events (layout requests, leave, hide) to the half-destroyed
Python override, which crashed the test run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject


class _EventWatcher(QObject):
    def __init__(
        self, watched: QObject, kinds: Iterable[QEvent.Type], callback: Callable[[], None]
    ) -> None:
        super().__init__(watched)
        self._kinds = frozenset(kinds)
        self._callback = callback
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in self._kinds:
            self._callback()
        return False


def on_events(
    watched: QObject, kinds: Iterable[QEvent.Type], callback: Callable[[], None]
) -> QObject:
    """Call ``callback()`` after ``watched`` receives an event of one of ``kinds`` (the event
    itself is not consumed); returns the watcher, owned by ``watched``."""
    return _EventWatcher(watched, kinds, callback)
