"""Test-wide set-up: offscreen Qt, a clean settings folder, hypothesis profiles, thread checks."""

from __future__ import annotations

import os
import weakref
from pathlib import Path

import pytest

# Before any Qt import: tests never need a display. Qt's offscreen screen is 800×800; the run
# uses a 1920×1080 one, so the window opens at its default size as on a desktop.
if os.environ.setdefault("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    import tempfile

    from tests.offscreen_screens import DESKTOP, offscreen_platform

    _screens = Path(tempfile.mkdtemp(prefix="kernelscope-screens-"))  # one per run: no races
    os.environ["QT_QPA_PLATFORM"] = offscreen_platform(*DESKTOP, _screens)

from hypothesis import HealthCheck, settings  # noqa: E402

# Shared 2-core machines are slow and noisy: no per-example deadline; CI runs more examples.
settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _isolated_app_data(tmp_path_factory, monkeypatch):
    """Every test writes settings, autosaves and logs into its own temporary folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("KERNELSCOPE_NO_CAMERA", "1")
    _point_qsettings_at(home / ".config")
    yield home


def _point_qsettings_at(folder) -> None:
    """QSettings caches its user folder at first use; re-point it so each test gets its own."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # engine-only runs without Qt installed
        return
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))


_started_qthreads: weakref.WeakSet = weakref.WeakSet()


def _track_qthread_starts() -> None:
    """Record every QThread that is started, so a test can check none is left running."""
    try:
        from PySide6.QtCore import QThread
    except ImportError:  # engine-only runs without Qt installed
        return
    if getattr(QThread.start, "_kernelscope_tracked", False):
        return
    original = QThread.start

    def start(self, *args, **kwargs):
        _started_qthreads.add(self)
        return original(self, *args, **kwargs)

    start._kernelscope_tracked = True  # type: ignore[attr-defined]
    QThread.start = start  # type: ignore[method-assign]


_track_qthread_starts()


@pytest.fixture(autouse=True)
def _no_dangling_qthreads():
    """Fail a test that leaves a QThread running (it would abort the process at exit)."""
    yield
    running = []
    for thread in list(_started_qthreads):
        try:
            if thread.isRunning():
                running.append(thread)
        except RuntimeError:  # C++ object already deleted: it is not running
            continue
    if running:
        for thread in running:
            thread.requestInterruption()
            thread.quit()
            thread.wait(2000)
            # Reported once, here: a thread that will not stop must not fail every later test.
            _started_qthreads.discard(thread)
        pytest.fail(f"test left {len(running)} QThread(s) running: {running}")
