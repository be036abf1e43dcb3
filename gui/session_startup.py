"""Start-up of a session: restore, recovery of crashed work, ``--session FILE``, the marker.

A mixin of :class:`gui.session.SessionManager` (kept apart so each file stays small); the
guarantees are listed in :mod:`gui.session` and the README's "Your work is kept".
"""

from __future__ import annotations

import contextlib
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.storage import (
    SESSION_KIND,
    SESSION_VERSION,
    LoadResult,
    atomic_write_text,
    document_text,
)
from gui.services import WindowServices
from gui.session_files import (
    ORPHAN_GRACE_S,
    marker_process_alive,
    marker_text,
    remove_orphan_temporaries,
)

RESTORE_CHOICES = ("ask", "yes", "no")


class StartupMixin:
    """What :meth:`start` does, and the Restore / Discard offer of crashed work.

    Uses the manager's paths, ``apply``, ``open_file``, ``autosave_now`` and message helpers.
    """

    window: WindowServices
    data_dir: Path
    autosave_path: Path
    recovery_path: Path
    previous_path: Path
    marker_path: Path
    started_at: float
    _edited: bool
    _baseline: dict[str, Any] | None

    if TYPE_CHECKING:  # provided by SessionManager
        session_path: Path | None

        def apply(self, data: dict[str, Any]) -> list[str]: ...
        def collect(self) -> dict[str, Any]: ...
        def autosave_now(self) -> bool: ...
        def schedule_autosave(self) -> None: ...
        def _load(self, path: Path, label: str, *, move: bool = True) -> LoadResult: ...
        def _open_data(self, source: Path, data: dict[str, Any]) -> None: ...
        def _set_session_path(self, path: Path | None) -> None: ...
        def _mark_saved(self, data: dict[str, Any] | None = None) -> None: ...
        def _report_restored(self, prefix: str, notes: list[str]) -> None: ...
        def _notice(self, message: str) -> None: ...
        def _status(self, message: str, timeout_ms: int = 8000) -> None: ...

    @property
    def previous_run_crashed(self) -> bool:
        """``True`` if the last run left its running marker behind (no clean exit).

        A marker whose process is still alive (and is the KernelScope that wrote it, not a
        program that got the same PID later) belongs to another instance running now.
        """
        if not self.marker_path.exists():
            return False
        return not self.other_instance_running()

    def other_instance_running(self) -> bool:
        """``True`` if the running marker names another KernelScope process that is alive."""
        try:
            text = self.marker_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        return marker_process_alive(text)

    @property
    def recovery_pending(self) -> bool:
        """Crashed work waits in ``recovery.json`` for the user to restore or discard it."""
        return self.recovery_path.is_file()

    def start(self, restore: str = "ask", session_file: str | Path | None = None) -> None:
        """Start-up: restore the last session (or ``session_file``) and mark this run as running.

        ``restore``: ``"ask"`` restores the autosave after a clean exit and *offers* crashed work
        (message bar: Restore / Discard) until the user chooses; ``"yes"`` restores the crashed
        work (or the autosave) without asking; ``"no"`` starts with defaults (crashed work is
        still kept for a later start). ``session_file`` opens that file instead of the autosave;
        the autosave is kept in ``autosave.previous.json`` first, offered until the user restores
        or discards it (at this and later starts, after any crashed work).
        """
        if restore not in RESTORE_CHOICES:
            raise ValueError(f"restore must be one of {RESTORE_CHOICES}, got {restore!r}")
        crashed = self.previous_run_crashed
        another = self.other_instance_running()
        if another:
            self.window.message_bar.show_message(
                "Another KernelScope is running: both autosave to the same file. Use "
                "File ▸ Save session as… to keep this window's work separately."
            )
        remove_orphan_temporaries(
            self.data_dir, self.started_at - (ORPHAN_GRACE_S if another else 0.0)
        )
        self._write_marker()
        autosave = self._load(self.autosave_path, "autosaved session")
        if not autosave.ok and autosave.status != "missing":
            self._notice(autosave.message)
        extra = self._keep_crashed_work(autosave) if crashed and autosave.ok else ""
        recovery = self._pending_recovery()
        if session_file is not None:
            self._start_with_file(Path(session_file), autosave, recovery)
        elif recovery is not None and crashed and restore == "yes":
            self.recover(recovery)
            return
        elif restore != "no" and autosave.ok and not crashed:
            notes = self.apply(autosave.data)
            self._mark_saved(autosave.data)
            self._report_restored("Restored the last session", notes)
        if recovery is not None and restore != "no":
            self._offer_recovery(recovery, crashed, extra)  # first: the bar holds one offer
        elif session_file is None and restore != "no":
            previous = self._pending_previous()
            if previous is not None:
                self._offer_previous(previous, self._previous_waiting())

    def _start_with_file(
        self, source: Path, autosave: LoadResult, recovery: dict[str, Any] | None
    ) -> None:
        """``--session FILE``: keep the autosave it replaces, open the file, offer the kept work
        (instead of the file when it cannot be opened)."""
        result = self._load(source, "session file", move=False)  # the user's file: never moved
        data = result.data if result.ok else None
        same_work = (
            data is not None and autosave.ok and data.get("tabs") == autosave.data.get("tabs")
        )
        extra = ""
        crashed_copy = recovery is not None and recovery.get("tabs") == autosave.data.get("tabs")
        if autosave.ok and not same_work and not crashed_copy:  # else nothing is replaced
            extra = self._keep_replaced_work(autosave.data)
        previous = self._pending_previous()
        kept = f"kept as {self.previous_path.name} until you restore or discard it"
        if data is not None:
            self._open_data(source, data)
            if previous is not None:
                self._offer_previous(
                    previous,
                    f"Opened {source.name}. The work autosaved before it is {kept}.{extra}",
                )
            return
        problem = result.message or f"Session file not found: {source}."
        if previous is None:
            self._notice(problem)
            return
        self._status(problem, 0)
        self._offer_previous(
            previous, f"{problem} Restore the last autosaved session instead ({kept})?{extra}"
        )

    def _keep_replaced_work(self, data: dict[str, Any]) -> str:
        """Keep ``data`` (work about to be replaced) as ``autosave.previous.json``; if earlier
        work already waits there (never overwritten) and differs, beside it. Returns a sentence
        about that extra copy, or ``""``."""
        pending = self._pending_previous()
        if pending is not None and pending.get("tabs") == data.get("tabs"):
            return ""
        target = self.previous_path if pending is None else self._replaced_path()
        try:
            atomic_write_text(target, document_text(SESSION_KIND, SESSION_VERSION, data))
        except (OSError, ValueError) as exc:
            self._status(f"Could not keep a copy of the last autosave: {exc}", 0)
            return ""
        if target == self.previous_path:
            return ""
        return f" The work autosaved since then is kept as {target.name} (File ▸ Open session…)."

    def _replaced_path(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            path = self.data_dir / f"autosave.replaced-{stamp}{f'-{n}' if n else ''}.json"
            if not path.exists():
                return path
        return path

    def _pending_previous(self) -> dict[str, Any] | None:
        """The work kept in ``autosave.previous.json`` until the user decides, or ``None``."""
        if not self.previous_path.is_file():
            return None
        result = self._load(self.previous_path, "kept earlier session")
        if not result.ok:
            if result.message:
                self._notice(result.message)
            return None
        return result.data

    def _previous_waiting(self) -> str:
        try:
            stamp = time.strftime(
                "%Y-%m-%d %H:%M:%S", time.localtime(self.previous_path.stat().st_mtime)
            )
        except OSError:
            stamp = "earlier"
        return (
            f"The work a session file replaced at a start ({stamp}) is still kept as "
            f"{self.previous_path.name} until you restore or discard it."
        )

    def _offer_previous(self, data: dict[str, Any], message: str) -> None:
        self.window.message_bar.show_message(
            message,
            kind="warning",
            buttons=(
                (
                    "restorePreviousButton",
                    "Restore earlier work",
                    partial(self.restore_previous, data),
                ),
                ("discardPreviousButton", "Discard", self.discard_previous),
            ),
        )

    def restore_previous(self, data: dict[str, Any]) -> None:
        """Apply the work kept in ``autosave.previous.json`` (its Restore button); the work it
        replaces is kept as ``autosave.replaced-*.json`` unless it is defaults or an unedited
        session file, and the kept file is no longer pending once the autosave holds it."""
        kept = ""
        if self._edited or (self._baseline is not None and self.session_path is None):
            path = self._replaced_path()
            try:
                atomic_write_text(
                    path, document_text(SESSION_KIND, SESSION_VERSION, self.collect())
                )
                kept = f"; the work shown until now is kept as {path.name} (File ▸ Open session…)"
            except (OSError, ValueError) as exc:
                self._status(f"Could not keep a copy of the current work ({exc}); not restored", 0)
                return
        notes = self.apply(data)
        self._edited = True  # it is in no session file
        self._baseline = None
        self._set_session_path(None)  # Save session must not write it over the opened file
        self._report_restored(f"Restored the earlier work{kept}", notes)
        if self.autosave_now():
            with contextlib.suppress(OSError):
                self.previous_path.unlink(missing_ok=True)

    def discard_previous(self) -> None:
        """Forget the work kept in ``autosave.previous.json`` (its Discard button)."""
        with contextlib.suppress(OSError):
            self.previous_path.unlink(missing_ok=True)
        self._status("Discarded the work a session file had replaced")

    def _keep_crashed_work(self, autosave: LoadResult) -> str:
        """After a crash: the autosave becomes ``recovery.json`` unless crashed work is already
        waiting there (never overwritten); a different later one is kept beside it. Returns a
        sentence about that extra copy, or ``""``."""
        text = document_text(SESSION_KIND, SESSION_VERSION, autosave.data)
        pending = self._pending_recovery()
        if pending is None:
            try:
                atomic_write_text(self.recovery_path, text)
            except (OSError, ValueError) as exc:
                self._status(f"Could not keep a copy of the crashed work: {exc}", 0)
            return ""
        if pending.get("tabs") == autosave.data.get("tabs"):
            return ""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        extra = self.data_dir / f"autosave.crashed-{stamp}.json"
        try:
            atomic_write_text(extra, text)
        except (OSError, ValueError):
            return ""
        return (
            f" The work autosaved before a later crash is kept as {extra} (File ▸ Open session…)."
        )

    def _pending_recovery(self) -> dict[str, Any] | None:
        if not self.recovery_pending:
            return None
        result = self._load(self.recovery_path, "recovery file")
        if not result.ok:
            if result.message:
                self._notice(result.message)
            return None
        return result.data

    def _write_marker(self) -> None:
        try:
            atomic_write_text(self.marker_path, marker_text())
        except OSError as exc:
            # A full disk still has room for an empty file (no data blocks): an empty marker
            # is read as "did not exit cleanly" if this run cannot save at exit either.
            with contextlib.suppress(OSError):
                self.marker_path.touch()
            self.window.message_bar.show_message(
                f"KernelScope cannot write to {self.data_dir} ({exc.strerror or exc}): your work "
                "will not be autosaved until there is room. Use File ▸ Save session as… to save "
                "it somewhere else.",
                kind="warning",
            )

    def _offer_recovery(self, data: dict[str, Any], crashed: bool, extra: str = "") -> None:
        try:
            stamp = time.strftime(
                "%Y-%m-%d %H:%M:%S", time.localtime(self.recovery_path.stat().st_mtime)
            )
        except OSError:
            stamp = "earlier"
        why = (
            "KernelScope did not close cleanly last time."
            if crashed
            else "Work from a KernelScope that did not close cleanly is still waiting."
        )
        self.window.message_bar.show_message(
            f"{why} Restore the work saved at {stamp} (kept as {self.recovery_path} until you "
            f"restore or discard it)?{extra}",
            kind="warning",
            buttons=(
                ("restoreButton", "Restore", lambda: self.recover(data)),
                ("discardRecoveryButton", "Discard", self.discard_recovery),
            ),
        )

    def recover(self, data: dict[str, Any]) -> None:
        """Apply the crashed work (the message bar's Restore button); it is then no longer kept
        as pending recovery (it is the session now, autosaved as usual)."""
        notes = self.apply(data)
        self._edited = True  # it is in no session file
        self._baseline = None
        self._report_restored("Recovered the last autosaved session", notes)
        if self.autosave_now():
            with contextlib.suppress(OSError):
                self.recovery_path.unlink(missing_ok=True)

    def discard_recovery(self) -> None:
        """Forget the crashed work (the message bar's Discard button)."""
        with contextlib.suppress(OSError):
            self.recovery_path.unlink(missing_ok=True)
        self._status("Discarded the work of the run that did not close cleanly")
