"""The real app in child processes: kill -9 and recover, damaged files, settings across processes,
a full disk, exceptions that must not end the app.

Children inherit the isolated HOME/XDG_* folders of ``tests/conftest.py``, so the app-data folder
is the real platform one (``$XDG_DATA_HOME/KernelScope/KernelScope``) inside a temp dir.
Children run with ``--verbose`` and the tests read their stdout line by line: no sleeping.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from engine.storage import SESSION_KIND, write_document

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and rlimits")


def _data_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "KernelScope" / "KernelScope"


def _env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")


def _run(args, timeout=90, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "gui", "--verbose", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def _current_tab(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["data"]["current_tab"]


class _Child:
    """A running app whose stdout lines can be awaited, killed by a watchdog if it hangs."""

    def __init__(self, args, *, script=None):
        command = ["-c", script, *args] if script else ["-m", "gui", "--verbose", *args]
        self.proc = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.watchdog = threading.Timer(90, self.proc.kill)
        self.watchdog.start()
        self.lines: list[str] = []

    def wait_for_line(self, fragment: str) -> str:
        for line in self.proc.stdout:
            self.lines.append(line)
            if fragment in line:
                return line
        self.proc.wait(timeout=30)
        self.watchdog.cancel()
        raise AssertionError(
            f"{fragment!r} never printed; exit {self.proc.returncode}; stdout {self.lines}; "
            f"stderr {self.proc.stderr.read()[-3000:]}"
        )

    def kill_hard(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.watchdog.cancel()
        self.proc.stdout.close()
        self.proc.stderr.close()


# Edits a user could make in the real tabs: (tab, path inside its state, new value).
EDITS = [
    ("loss", ("softmax", "logits"), [3.5, -1.0, 0.25]),
    ("layers", ("single", "filters"), 13),
    ("gallery", ("options", "blur_sigma"), 1.5),
]


def _get(state, path):
    for key in path:
        state = state[key]
    return state


@pytest.mark.slow
def test_work_autosaved_before_kill_9_is_recovered_at_the_next_start(main_window, tmp_path):
    # Start from the real tabs' own state, then change a few things as a user would.
    data = main_window.sessions.collect()
    edits = [(tab, path, value) for tab, path, value in EDITS if _has(data["tabs"], tab, path)]
    assert edits, "none of the real tabs' state fields in EDITS exists any more"
    for tab, path, value in edits:
        _get(data["tabs"][tab], path[:-1])[path[-1]] = value
    data["current_tab"] = "layers"
    session = tmp_path / "s.json"
    write_document(session, SESSION_KIND, 1, data)

    child = _Child(["--session", str(session)])
    child.wait_for_line("status: Opened session s.json")
    child.wait_for_line("autosaved")
    child.kill_hard()
    assert child.proc.returncode == -signal.SIGKILL
    folder = _data_dir()
    assert (folder / "running.marker").exists()  # no clean exit

    result = _run(["--restore-session", "yes", "--quit-after", "800"])
    assert result.returncode == 0, result.stderr
    assert "status: Recovered the last autosaved session" in result.stdout
    # the clean exit wrote the recovered session back: the edits came through both restarts
    saved = json.loads((folder / "autosave.json").read_text())["data"]
    assert saved["current_tab"] == "layers"
    for tab, path, value in edits:
        assert _get(saved["tabs"][tab], path) == value, (tab, path)
    assert not (folder / "running.marker").exists()


def _has(tabs, tab, path):
    try:
        _get(tabs[tab], path)
    except (KeyError, TypeError, IndexError):
        return False
    return True


@pytest.mark.slow
def test_corrupt_autosave_and_future_settings_are_moved_aside_and_defaults_used():
    data = _data_dir()
    data.mkdir(parents=True)
    (data / "autosave.json").write_bytes(b'{"kind": "kernelscope-session", "vers\x00\xff')
    write_document(data / "settings.json", "kernelscope-settings", 42, {"theme": "dark"})
    result = _run(["--quit-after", "800"])
    assert result.returncode == 0, result.stderr
    assert "notice: The settings file settings.json is written by a newer KernelScope" in (
        result.stdout
    )
    assert len(list(data.glob("settings.future-*.json"))) == 1
    assert "notice: The autosaved session autosave.json is damaged" in result.stdout
    assert "starting with defaults" in result.stdout
    backups = list(data.glob("autosave.corrupt-*.json"))
    assert len(backups) == 1
    assert backups[0].read_bytes().endswith(b"\x00\xff")
    assert _current_tab(data / "autosave.json") == "matrix"  # fresh, valid autosave at exit


@pytest.mark.slow
def test_an_autosave_holding_an_integer_of_5000_digits_is_kept_aside_and_the_app_starts():
    """json.loads raises a plain ValueError (not JSONDecodeError) for > 4,300 digits: it used
    to end the start-up with a traceback and exit 1, at every start, marker left behind."""
    data = _data_dir()
    data.mkdir(parents=True)
    content = (
        b'{"kind": "kernelscope-session", "version": 1, "data": {"tabs": {"layers": '
        b'{"single": {"filters": ' + b"9" * 5000 + b'}}}, "current_tab": "layers"}}'
    )
    (data / "autosave.json").write_bytes(content)
    result = _run(["--quit-after", "800"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    notice = next(line for line in result.stdout.splitlines() if "notice:" in line)
    assert "The autosaved session autosave.json is damaged" in notice
    assert "5,000 digits" in notice and "starting with defaults" in notice
    backups = list(data.glob("autosave.corrupt-*.json"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert backups[0].name in notice
    assert not (data / "running.marker").exists()  # a clean exit
    assert _current_tab(data / "autosave.json") == "matrix"  # the defaults, autosaved at exit
    again = _run(["--quit-after", "800"])  # no longer a crash at every start
    assert again.returncode == 0, again.stderr
    assert "status: Restored the last session" in again.stdout and "damaged" not in again.stdout


WRITE_SETTINGS = r"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.app import build_window
window = build_window(Path(sys.argv[1]))
window.menus.actions["actionTheme_dark"].trigger()
window.settings.set_value("zoom", 2)
window.settings.set_value("show_grid", False)
window.settings.set_value("lambda", 0.125)
window.settings.set_value("last_kernel", [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
window.settings.set_value("nothing", None)
window.settings.set_value("empty", [])
window.menus.save_session_as(Path(sys.argv[1]) / "lesson.json")
window.close()
"""

READ_SETTINGS = r"""
import json, sys
from pathlib import Path
from gui.settings_store import AppSettings
s = AppSettings(Path(sys.argv[1]) / "settings.json")
assert s.load().ok
keys = ["zoom", "show_grid", "lambda", "last_kernel", "nothing", "empty"]
print(json.dumps({"theme": s.theme, "recent": s.recent(),
                  **{k: [s.value(k), type(s.value(k)).__name__] for k in keys}}))
"""


def test_settings_written_in_one_process_read_back_with_types_in_another(tmp_path):
    for code in (WRITE_SETTINGS,):
        done = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)],
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert done.returncode == 0, done.stderr
    read = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS, str(tmp_path)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert read.returncode == 0, read.stderr
    values = json.loads(read.stdout)
    assert values["theme"] == "dark"
    assert values["zoom"] == [2, "int"]
    assert values["show_grid"] == [False, "bool"]
    assert values["lambda"] == [0.125, "float"]
    assert values["last_kernel"] == [[[1, 0, -1], [2, 0, -2], [1, 0, -1]], "list"]
    assert values["nothing"] == [None, "NoneType"]
    assert values["empty"] == [[], "list"]
    assert values["recent"] == [
        {"path": str((tmp_path / "lesson.json").resolve()), "kind": "session"}
    ]


def _small_file_limit():
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (120, 120))


@pytest.mark.slow
def test_disk_full_at_exit_keeps_the_previous_autosave_and_the_app_exits_cleanly():
    data = _data_dir()
    write_document(data / "autosave.json", SESSION_KIND, 1, {"tabs": {}, "current_tab": "loss"})
    before = (data / "autosave.json").read_bytes()
    result = _run(["--restore-session", "no", "--quit-after", "800"], preexec_fn=_small_file_limit)
    assert result.returncode == 0, result.stderr
    assert "save failed: Could not write the autosave file" in result.stdout
    assert "previous file is kept" in result.stdout
    assert (data / "autosave.json").read_bytes() == before
    assert not [p.name for p in data.iterdir() if p.name.endswith(".tmp")]


RAISE_IN_APP = r"""
import sys, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
import gui.app

def slot_fails():
    raise ZeroDivisionError("boom in a slot")

def thread_fails():
    raise RuntimeError("boom in a worker")

QTimer.singleShot(100, slot_fails)
QTimer.singleShot(200, lambda: threading.Thread(target=thread_fails, name="worker-7").start())
sys.exit(gui.app.main(["--verbose", "--quit-after", "1500"]))
"""


@pytest.mark.slow
def test_exceptions_in_slots_and_threads_are_logged_shown_and_survived():
    result = subprocess.run(
        [sys.executable, "-c", RAISE_IN_APP],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert "kernelscope error: ZeroDivisionError: boom in a slot" in result.stdout
    assert "kernelscope error: RuntimeError in worker-7: boom in a worker" in result.stdout
    log = (_data_dir() / "logs" / "kernelscope-errors.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "boom in a slot" in log and "boom in a worker" in log
    assert "autosaved" in result.stdout  # kept running to the normal, saved exit


CLOSE_WHILE_CAPTURING = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
import gui.app
from gui.main_window import MainWindow

def close_once_frames_flow():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    capture = window.page("gallery").capture
    if capture is not None and capture.running and capture.frames_captured >= 3:
        print("capturing", capture.frames_captured, flush=True)
        window.close()  # what the window's close button does
    else:
        QTimer.singleShot(20, close_once_frames_flow)

QTimer.singleShot(50, close_once_frames_flow)
sys.exit(gui.app.main(["--verbose", "--session", sys.argv[1]]))
"""


def _write_video(path: Path, frames: int = 300) -> Path:
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    assert writer.isOpened()
    for n in range(frames):
        frame = np.zeros((48, 64, 3), np.uint8)
        frame[:, (n % 64) :] = 200
        writer.write(frame)
    writer.release()
    return path


@pytest.mark.slow
def test_closing_the_window_while_the_camera_runs_exits_cleanly(tmp_path):
    video = _write_video(tmp_path / "camera.avi")
    session = tmp_path / "live.json"
    write_document(
        session,
        SESSION_KIND,
        1,
        {
            "tabs": {"gallery": {"source": {"kind": "video", "path": str(video)}}},
            "current_tab": "gallery",
        },
    )
    result = subprocess.run(
        [sys.executable, "-c", CLOSE_WHILE_CAPTURING, str(session)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "capturing" in result.stdout
    assert "Destroyed while thread" not in result.stderr and "Traceback" not in result.stderr
    saved = json.loads((_data_dir() / "autosave.json").read_text())["data"]
    assert saved["tabs"]["gallery"]["source"] == {"kind": "video", "path": str(video)}


def test_an_unknown_restore_choice_is_refused_by_the_command_line():
    result = _run(["--restore-session", "maybe"])
    assert result.returncode == 2
    assert "invalid choice: 'maybe'" in result.stderr


# --- named pipes (FIFOs) anywhere a path is read --------------------------------------------
FIFO_EVERYWHERE = r"""
import sys
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
app = QApplication([])
import gui.app
from gui.main_window import MainWindow

fifo = sys.argv[1]

def say(what, text):
    print(f"{what}: {text}", flush=True)

def run():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    gallery = window.page("gallery")
    strip = gallery.status_strip.message_label
    say("restored gallery", strip.text())
    say("restored ridge", window.page("loss").ridge_panel.data_box.csv_error.text())
    say("menu open", f"{window.menus.open_image(fifo)} {strip.text()}")
    window.recent_files.add(fifo, "image")
    opened = window.menus.open_recent(fifo, "image")
    say("file recent", f"{opened} {window.statusBar().currentMessage()} {strip.text()}")
    window.recent_files.add(fifo, "image")
    gallery.source_bar.recent_chosen.emit(fifo, "image")  # what its Recent menu entry sends
    say("gallery recent", strip.text())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(fifo)])
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    gallery.dropEvent(drop)
    say("drop", strip.text())
    network = window.page("layers").network
    say("network", f"{network.load_network(fifo)} {network.file_label.text()}")
    data_box = window.page("loss").ridge_panel.data_box
    say("csv", f"{data_box.load_csv(fifo)} {data_box.csv_error.text()}")
    say("session", f"{window.menus.open_session(fifo)} {window.message_bar.label.text()}")
    window.request_quit()

QTimer.singleShot(200, run)
sys.exit(gui.app.main(["--verbose", "--session", sys.argv[2]]))
"""


@pytest.mark.slow
def test_a_fifo_on_every_input_path_gives_a_message_never_a_hang(tmp_path):
    fifo = tmp_path / "photo.png"
    os.mkfifo(fifo)
    session = tmp_path / "pipes.json"
    write_document(
        session,
        SESSION_KIND,
        1,
        {
            "tabs": {
                "gallery": {"source": {"kind": "file", "path": str(fifo)}},
                "loss": {"ridge": {"source": "csv", "csv_path": str(fifo)}},
            },
            "current_tab": "gallery",
        },
    )
    result = subprocess.run(
        [sys.executable, "-c", FIFO_EVERYWHERE, str(fifo), str(session)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails here instead of blocking the suite forever
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {
        line.split(":", 1)[0]: line.split(":", 1)[1]
        for line in result.stdout.splitlines()
        if ":" in line and not line.startswith("kernelscope")
    }
    expected = (
        "restored gallery",
        "restored ridge",
        "menu open",
        "file recent",
        "gallery recent",
        "drop",
        "network",
        "csv",
        "session",
    )
    for what in expected:
        assert "named pipe" in lines[what], (what, result.stdout)
    for what in ("menu open", "file recent", "network", "csv", "session"):
        assert lines[what].startswith(" False"), (what, lines[what])
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_session_option_naming_a_fifo_says_so_and_starts(tmp_path):
    fifo = tmp_path / "session.json"
    os.mkfifo(fifo)
    result = _run(["--session", str(fifo), "--quit-after", "800"], timeout=60)
    assert result.returncode == 0, result.stderr
    assert "notice: The session file" in result.stdout and "named pipe" in result.stdout
    assert fifo.exists()  # not moved aside: it is not a damaged file, just not a file


SWITCH_TAB_THEN_WAIT = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
import gui.app
from gui.main_window import MainWindow

def switch_tab():  # what a user does without choosing Restore: autosaves the defaults
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    window.show_tab("loss")

QTimer.singleShot(300, switch_tab)
sys.exit(gui.app.main(["--verbose"]))
"""


@pytest.mark.slow
def test_crashed_work_survives_kill_9_twice_in_a_row(main_window, tmp_path):
    data = main_window.sessions.collect()
    tab, path, value = next((t, p, v) for t, p, v in EDITS if _has(data["tabs"], t, p))
    _get(data["tabs"][tab], path[:-1])[path[-1]] = value
    session = tmp_path / "work.json"
    write_document(session, SESSION_KIND, 1, data)
    folder = _data_dir()

    first = _Child(["--session", str(session)])  # the work, autosaved, then kill -9
    first.wait_for_line("autosaved")
    first.kill_hard()

    second = _Child([], script=SWITCH_TAB_THEN_WAIT)  # offered, not chosen; kill -9 again
    second.wait_for_line("notice: KernelScope did not close cleanly")
    second.wait_for_line("autosaved")
    second.kill_hard()
    assert _current_tab(folder / "autosave.json") == "loss"  # the defaults were autosaved

    third = _Child([])  # a third start still offers the first run's work
    line = third.wait_for_line("notice: KernelScope did not close cleanly")
    assert "autosave.crashed-" in line  # the second run's autosave is kept as well
    recovery = json.loads((folder / "recovery.json").read_text())["data"]
    assert _get(recovery["tabs"][tab], path) == value
    third.kill_hard()

    result = _run(["--restore-session", "yes", "--quit-after", "800"])  # the user says yes
    assert result.returncode == 0, result.stderr
    assert "status: Recovered the last autosaved session" in result.stdout
    saved = json.loads((folder / "autosave.json").read_text())["data"]
    assert _get(saved["tabs"][tab], path) == value
    assert not (folder / "recovery.json").exists()
    assert not (folder / "running.marker").exists()


@pytest.mark.slow
def test_disk_full_at_exit_is_not_reported_as_restored_at_the_next_start():
    data = _data_dir()
    write_document(data / "autosave.json", SESSION_KIND, 1, {"tabs": {}, "current_tab": "loss"})
    full = _run(["--restore-session", "yes", "--quit-after", "800"], preexec_fn=_small_file_limit)
    assert full.returncode == 0, full.stderr
    assert "save failed" in full.stdout
    assert (data / "running.marker").exists()  # the exit was not clean: the last save failed
    after = _run(["--quit-after", "800"])
    assert after.returncode == 0, after.stderr
    assert "Restored the last session" not in after.stdout
    assert "notice: KernelScope did not close cleanly" in after.stdout


def _tiny_file_limit():
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8, 8))  # not even the running marker fits


@pytest.mark.slow
def test_no_room_for_the_running_marker_warns_at_start_and_still_marks_the_run():
    data = _data_dir()
    write_document(data / "autosave.json", SESSION_KIND, 1, {"tabs": {}, "current_tab": "loss"})
    full = _run(["--quit-after", "800"], preexec_fn=_tiny_file_limit)
    assert full.returncode == 0, full.stderr
    assert "notice: KernelScope cannot write to" in full.stdout
    assert "will not be autosaved until there is room" in full.stdout
    assert (data / "running.marker").read_bytes() == b""  # an empty file needs no data blocks
    after = _run(["--quit-after", "800"])
    assert "notice: KernelScope did not close cleanly" in after.stdout
