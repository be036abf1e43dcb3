"""The files around a session in the app-data folder: the running marker, orphan temporaries.

Kept apart from :mod:`gui.session` (which decides *when* to save and restore) so each stays
small. No Qt here.

The running marker names this process by its PID *and* its start time: after a reboot or a
long time, another program can have the same PID, and only the pair identifies a process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

#: Orphan temporaries of a *running* other instance are left alone unless older than this.
ORPHAN_GRACE_S = 600.0


def process_start_ticks(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux ``/proc``), else ``None``.

    Together with the PID this identifies a process: a reused PID has a different start time.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # Field 2 (the command name) is in parentheses and may itself contain spaces or ")".
    fields = raw[raw.rfind(")") + 2 :].split()
    try:
        return int(fields[19])  # field 22 overall: starttime
    except (IndexError, ValueError):
        return None


def process_command_line(pid: int) -> list[str] | None:
    """The arguments process ``pid`` was started with (Linux ``/proc``), else ``None``."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [os.fsdecode(part) for part in raw.split(b"\0") if part]


def looks_like_kernelscope(command: list[str]) -> bool:
    """Whether a command line starts KernelScope (the script, ``-m gui`` or ``gui.app``)."""
    text = " ".join(command).lower()
    return "kernelscope" in text or "gui.app" in text or " -m gui" in f" {text}"


def marker_text(pid: int | None = None) -> str:
    """The running marker's content for process ``pid`` (default: this one)."""
    pid = os.getpid() if pid is None else pid
    ticks = process_start_ticks(pid)
    start = f" start {ticks}" if ticks is not None else ""
    return f"pid {pid}{start} started {time.ctime()}\n"


def marker_process_alive(text: str) -> bool:
    """Whether the process a marker names is still running *and is the one that wrote it*.

    Markers record ``pid N start T``: on Linux the PID must exist with the same start time. An
    older marker without ``start`` is checked by the process's command line instead. Elsewhere
    only "a process with this PID exists" can be checked.
    """
    words = text.split()
    try:
        pid = int(words[1]) if len(words) > 1 and words[0] == "pid" else 0
        ticks = int(words[3]) if len(words) > 3 and words[2] == "start" else None
    except ValueError:
        return False
    if pid <= 0 or pid == os.getpid():
        return False
    if sys.platform.startswith("linux") and Path("/proc/self/stat").exists():
        now = process_start_ticks(pid)
        if now is None:
            return False  # no such process
        if ticks is not None:
            return now == ticks
        command = process_command_line(pid)
        return command is not None and looks_like_kernelscope(command)
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphan_temporaries(folder: Path, older_than: float) -> list[Path]:
    """Delete ``.<name>.*.tmp`` files in ``folder`` last modified before ``older_than``.

    The atomic writer (:func:`engine.storage.atomic_write_bytes`) leaves one behind only when
    the process dies mid-write (``kill -9``, power cut); one was 7.2 MB. Returns what was
    removed; files that cannot be removed are left alone.
    """
    removed: list[Path] = []
    try:
        candidates = list(folder.glob(".*.tmp"))
    except OSError:
        return removed
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < older_than:
                path.unlink()
                removed.append(path)
    return removed
