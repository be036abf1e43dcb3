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
    Copy of the autosave taken at such a start, so the offer survives new autosaves.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QElapsedTimer, QObject, QTimer, Signal, Slot

from engine.storage import (
    SESSION_KIND,
    SESSION_VERSION,
    atomic_write_text,
    document_text,
    load_document,
    make_session_data,
    normalize_session_data,
)

if TYPE_CHECKING:
    from gui.main_window import MainWindow

AUTOSAVE_DELAY_MS = 1500
MAX_AUTOSAVE_DELAY_MS = 10_000
RESTORE_CHOICES = ("ask", "yes", "no")


class SessionManager(QObject):
    """Collects, writes, reads and applies sessions for one :class:`MainWindow`.

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
        window: MainWindow,
        data_dir: Path,
        *,
        delay_ms: int = AUTOSAVE_DELAY_MS,
        max_delay_ms: int = MAX_AUTOSAVE_DELAY_MS,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.data_dir = Path(data_dir)
        self.autosave_path = self.data_dir / "autosave.json"
        self.recovery_path = self.data_dir / "recovery.json"
        self.marker_path = self.data_dir / "running.marker"
        self.session_path: Path | None = None
        self._restoring = False
        self._finished = False
        self._timer = QTimer(self)
        self._timer.setObjectName("autosaveTimer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.autosave_now)
        self.max_delay_ms = max_delay_ms
        self._pending_since = QElapsedTimer()
        for page in window.pages.values():
            page.state_changed.connect(self.schedule_autosave)
        window.tab_widget.currentChanged.connect(self.schedule_autosave)

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
        try:
            for key, state in clean["tabs"].items():
                page = self.window.pages.get(key)
                if page is None:
                    notes.append(f"unknown tab {key!r} ignored")
                    continue
                try:
                    page.restore_state(state)
                except Exception as exc:  # keep going: the other tabs still restore
                    notes.append(f"the {key} tab could not restore its state ({exc})")
            if clean["current_tab"] in self.window.pages:
                self.window.show_tab(clean["current_tab"])
            if clean["geometry"]:
                blob = QByteArray.fromBase64(clean["geometry"].encode("ascii"))
                if not self.window.restoreGeometry(blob):
                    notes.append("the window geometry was not usable")
        finally:
            self._restoring = False
        return notes

    # writing ---------------------------------------------------------------------------------
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
        if not self._write(target, "session"):
            return False
        self._set_session_path(target)
        self._status(f"Session saved to {target}")
        return True

    def _write(self, path: Path, what: str) -> bool:
        try:
            text = document_text(SESSION_KIND, SESSION_VERSION, self.collect())
            atomic_write_text(path, text)
        except (OSError, ValueError) as exc:
            message = f"Could not write the {what} file {path}: {exc}. The previous file is kept."
            self._status(message, 0)
            self.save_failed.emit(message)
            return False
        return True

    def _set_session_path(self, path: Path) -> None:
        self.session_path = path
        self.window.setWindowTitle(f"{path.name} — KernelScope")

    # reading -----------------------------------------------------------------------------------
    def open_file(self, path: str | Path) -> bool:
        """Open a session file (Open session…); a damaged one is moved aside and reported."""
        source = Path(path)
        result = load_document(source, SESSION_KIND, SESSION_VERSION, label="session file")
        if result.status == "missing":
            self._status(f"Session file not found: {source}", 0)
            return False
        if not result.ok:
            self._notice(result.message)
            return False
        notes = self.apply(result.data)
        self._set_session_path(source)
        self._report_restored(f"Opened session {source.name}", notes)
        self.schedule_autosave()
        return True

    # start and finish ----------------------------------------------------------------------
    @property
    def previous_run_crashed(self) -> bool:
        """``True`` if the last run left its running marker behind (no clean exit).

        A marker whose process is still alive belongs to another KernelScope that is running
        now, not to a crash.
        """
        if not self.marker_path.exists():
            return False
        return not self.other_instance_running()

    def other_instance_running(self) -> bool:
        """``True`` if the running marker names another process that is alive (POSIX only)."""
        try:
            words = self.marker_path.read_text(encoding="utf-8").split()
            pid = int(words[1]) if len(words) > 1 and words[0] == "pid" else 0
        except (OSError, ValueError):
            return False
        if pid <= 0 or pid == os.getpid() or os.name != "posix":
            return False
        try:
            os.kill(pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def start(self, restore: str = "ask", session_file: str | Path | None = None) -> None:
        """Start-up: restore the last session (or ``session_file``) and mark this run as running.

        ``restore``: ``"ask"`` restores the autosave after a clean exit and *offers* it (message
        bar) after a crash; ``"yes"`` always restores it; ``"no"`` starts with defaults.
        """
        if restore not in RESTORE_CHOICES:
            raise ValueError(f"restore must be one of {RESTORE_CHOICES}, got {restore!r}")
        crashed = self.previous_run_crashed
        if self.other_instance_running():
            self.window.message_bar.show_message(
                "Another KernelScope is running: both autosave to the same file. Use "
                "File ▸ Save session as… to keep this window's work separately."
            )
        self._write_marker()
        if session_file is not None:
            self.open_file(session_file)
            return
        if restore == "no":
            return
        result = load_document(
            self.autosave_path, SESSION_KIND, SESSION_VERSION, label="autosaved session"
        )
        if result.status == "missing":
            return
        if not result.ok:
            self._notice(result.message)
            return
        if crashed and restore == "ask":
            self._offer_recovery(result.data)
            return
        notes = self.apply(result.data)
        prefix = "Recovered the last autosaved session" if crashed else "Restored the last session"
        self._report_restored(prefix, notes)

    def finish(self) -> None:
        """Clean exit: final autosave, then remove the running marker. Safe to call twice."""
        if self._finished:
            return
        self.autosave_now()
        self._finished = True
        self._timer.stop()
        try:
            self.marker_path.unlink(missing_ok=True)
        except OSError:  # a stale marker only means one extra recovery offer
            pass

    def _write_marker(self) -> None:
        try:
            atomic_write_text(self.marker_path, f"pid {os.getpid()} started {time.ctime()}\n")
        except OSError as exc:
            self._status(f"Could not write {self.marker_path}: {exc}", 0)

    def _offer_recovery(self, data: dict[str, Any]) -> None:
        try:
            atomic_write_text(
                self.recovery_path, document_text(SESSION_KIND, SESSION_VERSION, data)
            )
            kept = f" (a copy is kept as {self.recovery_path})"
        except (OSError, ValueError):
            kept = ""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.autosave_path.stat().st_mtime))
        self.window.message_bar.show_message(
            "KernelScope did not close cleanly last time. Restore the work autosaved at "
            f"{stamp}{kept}?",
            kind="warning",
            buttons=(("restoreButton", "Restore", lambda: self.recover(data)),),
        )

    def recover(self, data: dict[str, Any]) -> None:
        """Apply an offered autosave (the message bar's Restore button)."""
        notes = self.apply(data)
        self._report_restored("Recovered the last autosaved session", notes)
        self.schedule_autosave()

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
