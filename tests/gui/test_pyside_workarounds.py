"""The None/bool reference-count guard for PySide6 6.12 on CPython < 3.12."""

from __future__ import annotations

import os
import subprocess
import sys

import gui  # noqa: F401  (importing the package applies the guard)
from gui.pyside_workarounds import keep_none_alive

# Each QLabel.setText drops one reference to None on the affected PySide6: 30 000 calls are
# several times what a fresh interpreter holds, so without the guard this aborts with
# "Fatal Python error: none_dealloc".
_MANY_CALLS = """
import gui
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(30_000):
    label.setText(str(i))
    label.setVisible(i % 2 == 0)
print("survived")
"""


def test_guard_is_applied_on_import_and_idempotent():
    if sys.version_info >= (3, 12):
        assert keep_none_alive() is False  # immortal singletons: nothing to do
    else:
        assert sys.getrefcount(None) > 2**49
        assert keep_none_alive() is False


def test_many_qt_calls_do_not_deallocate_none():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", _MANY_CALLS], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
