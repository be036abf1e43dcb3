"""Fixtures for GUI tests: a built main window that is always closed and checked for leaks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.app import build_window


@pytest.fixture
def main_window(qtbot):
    """The real KernelScope window, shown; closed (tabs shut down) after the test."""
    window = build_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


@pytest.fixture(autouse=True)
def _no_leaked_windows(qapp):
    """Fail a test that leaves a visible top-level window behind."""
    yield
    transient = (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w.windowType() not in transient
    ]
    for widget in leaked:
        widget.close()
    names = [f"{type(w).__name__}:{w.objectName()}" for w in leaked]
    assert not leaked, f"visible top-level widgets left open: {names}"
