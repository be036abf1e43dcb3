"""``main()`` in a real subprocess (a second QApplication in this process would abort)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, timeout=90):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "gui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_main_starts_and_quits_cleanly():
    result = _run(["--quit-after", "300"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_negative_quit_after_is_refused_with_a_message():
    result = _run(["--quit-after", "-5"])
    assert result.returncode == 2
    assert "--quit-after must not be negative" in result.stderr


def _saved_session(data_dir):
    document = json.loads((data_dir / "autosave.json").read_text(encoding="utf-8"))
    return document["data"]


@pytest.mark.slow
def test_first_start_opens_on_a_sample_image_then_restores_the_last_tab(tmp_path):
    data_dir = tmp_path / "data"
    first = _run(["--quit-after", "1500", "--data-dir", str(data_dir)])
    assert first.returncode == 0, first.stderr
    session = _saved_session(data_dir)
    assert session["current_tab"] == "gallery"
    assert session["tabs"]["gallery"]["source"] == {"kind": "sample", "name": "astronaut"}

    # The user had moved to another tab: the next start restores it instead of the gallery.
    session["current_tab"] = "layers"
    document = {"kind": "kernelscope-session", "version": 1, "data": session}
    (data_dir / "autosave.json").write_text(json.dumps(document), encoding="utf-8")
    second = _run(["--quit-after", "1500", "--data-dir", str(data_dir)])
    assert second.returncode == 0, second.stderr
    assert _saved_session(data_dir)["current_tab"] == "layers"


# --- SIGTERM / SIGINT -------------------------------------------------------------------------
BUSY_IN_A_SLOT = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
import gui.app

def block_forever():
    print("busy", flush=True)
    with open(sys.argv[1], "rb") as pipe:  # a FIFO nobody writes to: open() never returns
        pipe.read()
    print("unblocked without a signal", flush=True)

QTimer.singleShot(300, block_forever)
sys.exit(gui.app.main(["--verbose", "--data-dir", sys.argv[2]]))
"""


def _wait_for(proc, fragment, lines, timeout: float = 60.0):
    """Read the child's output until a line contains ``fragment``; fail after ``timeout`` s.

    A child that hangs without printing must fail this test, not stall the whole suite: a
    watchdog kills it, which closes its output and ends the loop. (The rest of the output stays
    in ``proc.stdout`` for ``communicate``.)
    """
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            lines.append(line)
            if fragment in line:
                return
    finally:
        watchdog.cancel()
    raise AssertionError(f"{fragment!r} never printed within {timeout:.0f} s: {lines}")


def _wait_until_blocked_on_the_fifo(pid: int, timeout: float = 30.0) -> None:
    """Poll the kernel's view of the child until its main thread sleeps in the FIFO's open()."""
    wchan = Path(f"/proc/{pid}/wchan")
    deadline = time.monotonic() + timeout
    while wchan.read_text() != "wait_for_partner":
        assert time.monotonic() < deadline, f"child never blocked (wchan {wchan.read_text()!r})"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="FIFOs, POSIX signals and /proc")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_gui_is_blocked_saves_and_quits(tmp_path, number):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data_dir = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-c", BUSY_IN_A_SLOT, str(fifo), str(data_dir)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        _wait_for(proc, "busy", lines)
        _wait_until_blocked_on_the_fifo(proc.pid)
        proc.send_signal(number)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert f"{signal.Signals(number).name} received" in err
    assert "autosaved" in out and "unblocked" not in out
    assert "Traceback" not in err
    assert (data_dir / "autosave.json").is_file()
    assert not (data_dir / "running.marker").exists()  # a clean exit


@pytest.mark.slow
def test_sigterm_while_idle_saves_and_quits(tmp_path):
    data_dir = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gui", "--verbose", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        _wait_for(proc, "autosaved", lines)  # first autosave: fully started
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "SIGTERM received" in err
    assert not (data_dir / "running.marker").exists()


def test_waiting_for_output_gives_up_on_a_silent_child():
    # The helper above must fail a hung child in bounded time instead of stalling the suite.
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], stdout=subprocess.PIPE, text=True
    )
    try:
        with pytest.raises(AssertionError, match="never printed within 1 s"):
            _wait_for(proc, "ready", [], timeout=1.0)
        assert proc.wait(timeout=10) != 0  # killed by the watchdog
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
