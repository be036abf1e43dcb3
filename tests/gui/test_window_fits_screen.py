"""The window fits the screen it opens on: at a first start and with a restored geometry.

Each case starts a process with an offscreen screen of its own size (the screen is fixed when
the QApplication starts), builds the real window as ``main()`` does and prints its geometry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gui.main_window import DEFAULT_SIZE
from tests.offscreen_screens import offscreen_platform

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(["kernelscope"])
from gui.app import build_window
window = build_window(Path(sys.argv[1]))
window.sessions.start(restore="no")
saved, place = sys.argv[2], sys.argv[3]
if saved:  # a session's geometry, applied as a restore applies it
    window.sessions.apply({"tabs": {}, "current_tab": None, "geometry": saved})
window.show()
if place:  # the user moves and resizes the window
    window.setGeometry(*map(int, place.split(",")))
app.processEvents()
area = window.screen().availableGeometry()
frame = window.frameGeometry()
print(json.dumps({
    "area": [area.x(), area.y(), area.width(), area.height()],
    "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
    "size": [window.width(), window.height()],
    "geometry": bytes(window.saveGeometry().toBase64().data()).decode("ascii"),
}))
window.close()
"""


def _open_window(
    tmp_path: Path, screen: tuple[int, int], geometry: str = "", place: str = ""
) -> dict:
    """Open the window on an offscreen ``screen``; restore ``geometry`` (a session's), then
    ``place`` it at ``"x,y,w,h"``; return where it is and its saved geometry."""
    env = dict(os.environ, QT_QPA_PLATFORM=offscreen_platform(*screen, tmp_path / "screens"))
    env["PYTHONPATH"] = str(ROOT)
    data = tmp_path / f"data-{screen[0]}x{screen[1]}"
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(data), geometry, place],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _inside(frame: list[int], area: list[int]) -> bool:
    x, y, w, h = frame
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


def _frame_margins(opened: dict) -> tuple[int, int]:
    """The window frame's extra width and height (title bar, borders)."""
    return opened["frame"][2] - opened["size"][0], opened["frame"][3] - opened["size"][1]


def test_on_a_desktop_screen_the_window_opens_at_its_default_size(qtbot, tmp_path):
    from gui.app import build_window

    window = build_window(tmp_path / "data")  # this run's screen is 1920×1080
    qtbot.addWidget(window)
    assert (window.width(), window.height()) == DEFAULT_SIZE
    window.shutdown()


def test_on_a_laptop_screen_the_window_fits_the_available_area(tmp_path):
    opened = _open_window(tmp_path, (1366, 768))
    assert opened["area"] == [0, 0, 1366, 768]
    assert _inside(opened["frame"], opened["area"]), opened
    _, frame_h = _frame_margins(opened)
    assert opened["size"] == [1280, 768 - frame_h]  # only the height had to give
    assert opened["frame"][3] == 768


def test_at_1100_by_750_the_whole_window_is_on_the_screen(tmp_path):
    opened = _open_window(tmp_path, (1100, 750))
    assert _inside(opened["frame"], opened["area"]), opened
    assert opened["frame"][2:] == [1100, 750]  # the whole screen, frame included


def test_a_geometry_saved_on_a_bigger_screen_is_fitted_when_restored(tmp_path):
    # Saved on a 2560×1440 monitor: a window of 2400×1350 at (100, 60).
    from_big = _open_window(tmp_path, (2560, 1440), place="100,60,2400,1350")["geometry"]
    restored = _open_window(tmp_path, (1366, 768), from_big)
    assert _inside(restored["frame"], restored["area"]), restored
    assert restored["size"][0] <= 1366 and restored["size"][1] <= 768
    # a geometry that fits is restored as it was
    same = _open_window(tmp_path, (2560, 1440), from_big)
    assert same["size"] == [2400, 1350] and same["geometry"] == from_big
