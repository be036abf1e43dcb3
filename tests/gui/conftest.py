"""Fixtures for GUI tests: a built main window that is always closed and checked for leaks."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout

from gui.app import build_window
from gui.main_window import MainWindow
from gui.tab_registry import TABS, TabSpec
from gui.widgets import TabPage
from tests.gui.test_train_tab import make_tab, train


@pytest.fixture
def qtbot(qtbot):
    """pytest-qt's ``qtbot``, whose ``addWidget`` keeps the widget alive until the test ends.

    pytest-qt holds only weak references; a page a test (or a fixture that returns, not yields)
    drops became garbage in a reference cycle with its C++ side alive, and a collection that
    started inside a later test destroyed it there: the collector cleared its pyqtgraph items'
    attributes before the C++ destructor asked them for size hints (AttributeError from
    ``LabelItem.sizeHint``, then a corrupted exception state — an INTERNALERROR or a segfault).
    Kept alive, every such widget is closed and deleted here at teardown, in Qt's order (one a
    test deleted itself is left alone); :func:`_no_leaked_windows` then collects what is left."""
    kept: list = []

    def add_widget(widget, *, before_close_func=None):
        kept.append((widget, before_close_func))

    qtbot.addWidget = add_widget
    yield qtbot
    for widget, before_close in reversed(kept):
        if shiboken6.isValid(widget):
            if before_close is not None:
                before_close(widget)
            widget.close()
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    kept.clear()


@pytest.fixture
def main_window(qtbot):
    """The real KernelScope window, shown; closed (tabs shut down) after the test."""
    window = build_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


class NoteTab(TabPage):
    """A small real tab (one line of text, an undo stack) for testing app-level machinery —
    sessions, menus, error dialogs — without paying for building the four real tabs."""

    def __init__(self, parent=None, *, context) -> None:
        super().__init__(parent)
        del context
        self.edit = QLineEdit(self)
        self.edit.setObjectName("noteEdit")
        self.stack = QUndoStack(self)
        QVBoxLayout(self).addWidget(self.edit)
        self.edit.textEdited.connect(lambda _text: self.state_changed.emit())

    def set_text(self, text: str) -> None:
        """A user edit: undoable and announced through ``state_changed``."""
        self.stack.push(_SetText(self, self.edit.text(), text))
        self.state_changed.emit()

    def save_state(self) -> dict:
        return {"text": self.edit.text()}

    def restore_state(self, state: dict) -> None:
        if isinstance(state.get("text"), str):
            self.edit.setText(state["text"])

    def undo_stack(self) -> QUndoStack:
        return self.stack


class _SetText(QUndoCommand):
    def __init__(self, tab: NoteTab, old: str, new: str) -> None:
        super().__init__(f"type {new!r}")
        self.tab, self.old, self.new = tab, old, new

    def redo(self) -> None:
        self.tab.edit.setText(self.new)

    def undo(self) -> None:
        self.tab.edit.setText(self.old)


@dataclass(frozen=True)
class _NoteTabSpec(TabSpec):
    def load_factory(self):
        return NoteTab


NOTE_TABS = tuple(_NoteTabSpec(spec.key, spec.title, "tests.gui.conftest") for spec in TABS)


@pytest.fixture
def light_window(qtbot, tmp_path):
    """Factory: ``light_window(data_dir=None)`` builds a shown MainWindow whose tabs are
    :class:`NoteTab` s (same keys and titles as the real ones); all are closed after the test.
    ``data_dir`` defaults to ``tmp_path / "data"``, so a second call "restarts" the app."""
    windows = []

    def make(data_dir=None):
        window = MainWindow(tabs=NOTE_TABS, data_dir=data_dir or tmp_path / "data")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # window-level shortcuts need the active window
        qtbot.waitUntil(window.isActiveWindow)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def train_tab(qtbot):
    """A shown Train tab (1100×750) on the small digit subset of
    :func:`tests.gui.test_train_tab.make_tab`, shut down after the test."""
    page = make_tab(qtbot)
    page.resize(1100, 750)
    page.show()
    yield page
    page.shutdown()


@pytest.fixture
def trained_train_tab(qtbot, train_tab):
    """:func:`train_tab` after one short training run of both models."""
    train(qtbot, train_tab)
    return train_tab


@pytest.fixture(autouse=True)
def _no_leaked_windows(qapp):
    """Fail a test that leaves a visible top-level window behind."""
    yield
    # Widgets a test handed to deleteLater() go first: listing top-level widgets while their
    # C++ side is half torn down crashed the process (a segfault in this fixture under load).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # Then the reference cycles they leave (Python wrappers whose C++ side is gone) are
    # collected here, where it is harmless, not by a collection that happens to start inside a
    # later test: a Python-owned page collected there had its pyqtgraph items' attributes
    # cleared before its C++ destructor asked them for size hints (AttributeError from
    # LabelItem.sizeHint, then a corrupted exception state: INTERNALERROR or a segfault).
    gc.collect()
    gc.freeze()  # what survived is checked once here, not again after every later test
    transient = (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen)
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if shiboken6.isValid(w) and w.isVisible() and w.windowType() not in transient
    ]
    for widget in leaked:
        widget.close()
    names = [f"{type(w).__name__}:{w.objectName()}" for w in leaked]
    assert not leaked, f"visible top-level widgets left open: {names}"
