"""Sessions: every tab's state, the current tab and window geometry, autosaved and restorable.

The manager talks to tabs only through the :class:`gui.widgets.TabPage` interface
(``save_state`` / ``restore_state`` / ``state_changed``), so it covers every tab in the registry
without knowing what any of them holds.

Files in the app-data folder:

``autosave.json``
    Written 1.5 s after the last change (debounced) and when the window closes.
``running.marker``
    Exists while KernelScope runs; still there at the next start means it did not exit cleanly
    (crash, ``kill -9``, power cut), and the last autosave is offered for recovery.
``recovery.json``
    Copy of the autosave taken at such a start: the crashed work. It stays until the user
    restores or discards it, through any number of later crashes (a later run never overwrites
    it; a later crashed autosave that differs is kept beside it as ``autosave.crashed-*.json``).
``autosave.previous.json``
    The autosave as it was before ``--session FILE`` replaced the work at start-up. Like
    ``recovery.json`` it stays until the user restores or discards it, offered at every start;
    a later ``--session`` start never overwrites it (an autosave that differs is kept beside it
    as ``autosave.replaced-*.json``), and restoring it keeps the work it replaces the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QElapsedTimer, QObject, QTimer, Signal, Slot

from engine.storage import (
    MAX_NAME_BYTES,
    SESSION_KIND,
    SESSION_VERSION,
    LoadResult,
    atomic_write_text,
    document_text,
    load_document,
    make_session_data,
    normalize_session_data,
)
from gui.services import WindowServices, as_widget
from gui.session_startup import RESTORE_CHOICES, StartupMixin

__all__ = ["RESTORE_CHOICES", "SessionManager"]

AUTOSAVE_DELAY_MS = 1500
MAX_AUTOSAVE_DELAY_MS = 10_000


def _write_problem(path: Path, exc: Exception) -> str:
    """Why a write failed, in words (the writer's temporary file name is no help to a user)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        size = len(os.fsencode(path.name))
        return (
            f"the file name is {size} bytes long; file names can be at most {MAX_NAME_BYTES} bytes"
        )
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


class SessionManager(StartupMixin, QObject):
    """Collects, writes, reads and applies sessions for one window (:class:`WindowServices`).

    Signals
    -------
    autosaved(str)
        The autosave file was written (its path).
    save_failed(str)
        A write failed; the message (also shown in the status bar) says the old file was kept.
    """

    autosaved = Signal(str)
    save_failed = Signal(str)

    def __init__(
        self,
        window: WindowServices,
        data_dir: Path,
        *,
        delay_ms: int = AUTOSAVE_DELAY_MS,
        max_delay_ms: int = MAX_AUTOSAVE_DELAY_MS,
    ) -> None:
        super().__init__(as_widget(window))
        self.window = window
        self.data_dir = Path(data_dir)
        self.autosave_path = self.data_dir / "autosave.json"
        self.recovery_path = self.data_dir / "recovery.json"
        self.previous_path = self.data_dir / "autosave.previous.json"
        self.marker_path = self.data_dir / "running.marker"
        self.session_path: Path | None = None
        self.started_at = time.time()
        self._restoring = False
        self._finished = False
        self._edited = False  # a tab reported a change since the last open/save
        self._baseline: dict[str, Any] | None = None  # tab states at the last open/save
        self._tab_notes: list[str] = []  # what tabs said while a session was applied
        self._timer = QTimer(self)
        self._timer.setObjectName("autosaveTimer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.autosave_now)
        self.max_delay_ms = max_delay_ms
        self._pending_since = QElapsedTimer()
        for page in window.pages.values():
            page.state_changed.connect(self.note_edit)
        self._shown_tab = window.tab_widget.currentIndex()
        window.tab_widget.currentChanged.connect(self._tab_changed)

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        """Another tab shown is part of the session; a tab built in place (its placeholder
        replaced, the same index announced again) is not."""
        if index != self._shown_tab:
            self._shown_tab = index
            self.schedule_autosave()

    # collecting and applying ---------------------------------------------------------------
    def collect(self) -> dict[str, Any]:
        """The session's ``data``: ``{"tabs": {key: state}, "current_tab", "geometry"}``."""
        tabs: dict[str, dict[str, Any]] = {}
        for key, page in self.window.pages.items():
            try:
                state = page.save_state()
            except Exception as exc:  # one broken tab must not cost the others their state
                self._status(f"Could not save the {key} tab's state: {exc}")
                continue
            tabs[key] = state if isinstance(state, dict) else {}
        current = self.window.tab_widget.currentWidget()
        current_key = next((k for k, p in self.window.pages.items() if p is current), None)
        geometry = bytes(self.window.saveGeometry().toBase64().data()).decode("ascii")
        return make_session_data(tabs, current_key, geometry)

    def apply(self, data: dict[str, Any]) -> list[str]:
        """Restore tabs, current tab and geometry from ``data``; return notes on skipped parts."""
        clean, notes = normalize_session_data(data)
        self._restoring = True
        # A tab says what it skipped through the status channel every tab has (context).
        said: list[str] = []
        context = getattr(self.window, "context", None)
        practice = getattr(context, "practice", None)
        if practice is not None:  # its saved practice mode applies, to tabs built later too
            practice.new_session()
        status_requested = getattr(context, "status_requested", None)
        if status_requested is not None:
            status_requested.connect(self._collect_tab_note)
        self._tab_notes = said
        try:
            for key, state in clean["tabs"].items():
                page = self.window.pages.get(key)
                if page is None:
                    notes.append(f"unknown tab {key!r} ignored")
                    continue
                try:
                    page.restore_state(state)
                except ValueError as exc:  # a tab refused part of its state: it says why
                    notes.append(f"the {key} tab: {exc}")
                except Exception as exc:  # keep going: the other tabs still restore
                    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    notes.append(f"the {key} tab could not restore its state ({detail})")
            if clean["current_tab"] in self.window.pages:
                self.window.show_tab(clean["current_tab"])
            if clean["geometry"]:
                blob = QByteArray.fromBase64(clean["geometry"].encode("ascii"))
                if not self.window.restoreGeometry(blob):
                    notes.append("the window geometry was not usable")
                self.window.fit_to_screen()  # saved on a bigger or another screen
        finally:
            self._restoring = False
            if status_requested is not None:
                status_requested.disconnect(self._collect_tab_note)
        return notes + said

    @Slot(str, int)
    def _collect_tab_note(self, message: str, _timeout_ms: int) -> None:
        if message:
            self._tab_notes.append(message)

    # writing ---------------------------------------------------------------------------------
    @Slot()
    def note_edit(self) -> None:
        """A tab's state changed (its ``state_changed``): remember it and schedule an autosave."""
        if self._restoring or self._finished:
            return
        self._edited = True
        self.schedule_autosave()

    def has_unsaved_changes(self) -> bool:
        """Whether the tabs hold work that is in no session file (Open session… asks first)."""
        if not self._edited:
            return False
        if self._baseline is None:
            return True
        return self.collect()["tabs"] != self._baseline

    def _mark_saved(self, data: dict[str, Any] | None = None) -> None:
        """The tabs now match ``data`` (a session just written or read; ``None``: collect).

        A session just read is taken as its own baseline instead of collecting: collecting
        would build every tab the file does not mention, at start-up too.
        """
        self._edited = False
        tabs = (data if data is not None else self.collect()).get("tabs")
        self._baseline = tabs if isinstance(tabs, dict) else None

    @Slot()
    def schedule_autosave(self) -> None:
        """(Re)start the debounce timer: the autosave happens once edits pause.

        Changes that never pause (a slider held down, a live source) cannot postpone it for more
        than ``max_delay_ms``: after that the running timer is left to fire.
        """
        if self._restoring or self._finished:
            return
        if not self._timer.isActive():
            self._pending_since.start()
        elif self._pending_since.elapsed() >= self.max_delay_ms:
            return
        self._timer.start()

    @property
    def delay_ms(self) -> int:
        """Quiet time after the last change before the autosave is written."""
        return self._timer.interval()

    @delay_ms.setter
    def delay_ms(self, value: int) -> None:
        self._timer.setInterval(value)

    @property
    def autosave_pending(self) -> bool:
        """``True`` while a debounced autosave is waiting to run."""
        return self._timer.isActive()

    @Slot()
    def autosave_now(self) -> bool:
        """Write the autosave file now; ``False`` (and a status message) if the write failed."""
        self._timer.stop()
        if self._write(self.autosave_path, "autosave"):
            self.autosaved.emit(str(self.autosave_path))
            return True
        return False

    def save_to(self, path: str | Path) -> bool:
        """Save the session as ``path`` (Save session as…); it becomes the current session file."""
        target = Path(path)
        data = self.collect()
        if not self._write(target, "session", data):
            return False
        self._mark_saved(data)
        self._set_session_path(target)
        self._status(f"Session saved to {target}")
        return True

    def _write(self, path: Path, what: str, data: dict[str, Any] | None = None) -> bool:
        try:
            text = document_text(
                SESSION_KIND, SESSION_VERSION, self.collect() if data is None else data
            )
            atomic_write_text(path, text)
        except (OSError, ValueError) as exc:
            problem = _write_problem(path, exc)
            message = (
                f"Could not write the {what} file {path}: {problem}. The previous file is kept."
            )
            self._status(message, 0)
            self.save_failed.emit(message)
            return False
        return True

    def _set_session_path(self, path: Path | None) -> None:
        """The session file the work belongs to (``None``: none, the autosave only)."""
        self.session_path = path
        self.window.setWindowTitle("KernelScope" if path is None else f"{path.name} — KernelScope")

    # reading -----------------------------------------------------------------------------------
    def _load(self, path: Path, label: str, *, move: bool = True) -> LoadResult:
        """Read a session document (a named pipe or device is refused before opening it); an
        unusable one is moved aside only when ``move`` (the app's own files)."""
        return load_document(path, SESSION_KIND, SESSION_VERSION, label=label, move=move)

    def _read_user_session(self, source: Path) -> dict[str, Any] | None:
        """The data of a session file the user named, or ``None`` after saying why not.

        A damaged or newer file is refused and left exactly as it is: it is the user's file,
        and renaming it would make it look lost (only the app's own autosave is moved aside).
        """
        result = self._load(source, "session file", move=False)
        if result.status == "missing":
            self._status(f"Session file not found: {source}", 0)
            return None
        if not result.ok:
            self._notice(result.message)
            return None
        return result.data

    def open_file(self, path: str | Path) -> bool:
        """Open a session file (Open session…); a damaged or newer one is refused with a message
        and left as it is."""
        source = Path(path)
        data = self._read_user_session(source)
        if data is None:
            return False
        self._open_data(source, data)
        return True

    def _open_data(self, source: Path, data: dict[str, Any]) -> None:
        notes = self.apply(data)
        self._mark_saved(data)
        self._set_session_path(source)
        self._report_restored(f"Opened session {source.name}", notes)
        self.schedule_autosave()

    # finish ------------------------------------------------------------------------------------
    def finish(self, saved: bool | None = None) -> bool:
        """Clean exit: final autosave, then remove the running marker. Safe to call twice.

        ``saved`` is the outcome of an exit autosave the caller already tried (``None``: try it
        now). Returns whether the work is saved; if not, the marker stays, so the next start
        says the last run did not end cleanly instead of "Restored the last session".
        """
        if self._finished:
            return True
        if saved is None:
            saved = self.autosave_now()
        self._finished = True
        self._timer.stop()
        if saved:
            with contextlib.suppress(OSError):  # a stale marker only means one extra offer
                self.marker_path.unlink(missing_ok=True)
        return saved

    @property
    def finished(self) -> bool:
        """``True`` once :meth:`finish` ran (the window is closing or closed)."""
        return self._finished

    # messages ---------------------------------------------------------------------------------
    def _report_restored(self, prefix: str, notes: list[str]) -> None:
        if notes:
            self._status(f"{prefix}; skipped: {'; '.join(notes)}", 0)
        else:
            self._status(prefix)

    def _notice(self, message: str) -> None:
        self._status(message, 0)
        self.window.message_bar.show_message(message, kind="warning")

    def _status(self, message: str, timeout_ms: int = 8000) -> None:
        self.window.statusBar().showMessage(message, timeout_ms)
