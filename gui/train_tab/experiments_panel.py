"""The experiments that answer the sheet, each repeated over seeds with error bars: overfitting
and L2 (2.3), CNN vs MLP learning curves and the shift test (2.1 iv); and the gradient check.

One page per experiment (:mod:`gui.train_tab.overfitting_page`,
:mod:`gui.train_tab.experiment_pages`); the Train tab runs them in its worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from gui.train_tab.experiment_pages import CurvesPage, ExperimentPage, GradientPage, ShiftPage
from gui.train_tab.overfitting_page import OverfittingPage


class ExperimentsPanel(QWidget):
    """The experiment pages in sub-tabs; a page's button asks the tab to run it.

    Signals
    -------
    run_requested(str, dict)
        ``"overfitting"`` (``settings``), ``"curves"`` (``seeds``, ``epochs``,
        ``min_batches``), ``"shift"`` (``seeds``, ``epochs``) or ``"gradcheck"``.
    """

    run_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overfitting = OverfittingPage()
        self.curves = CurvesPage()
        self.shift = ShiftPage()
        self.gradient = GradientPage()
        self.pages: dict[str, ExperimentPage] = {
            page.kind: page for page in (self.overfitting, self.curves, self.shift, self.gradient)
        }
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("experimentPages")
        for page, title in (
            (self.overfitting, "Overfitting && L2"),
            (self.curves, "Learning curves"),
            (self.shift, "Shift test"),
            (self.gradient, "Gradient check"),
        ):
            self.tabs.addTab(page, title)
            page.button.clicked.connect(self._on_run_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

    def buttons(self) -> list[QPushButton]:
        """The run buttons (disabled while the worker is busy)."""
        return [page.button for page in self.pages.values()]

    def _on_run_clicked(self) -> None:
        page = next(p for p in self.pages.values() if p.button is self.sender())
        try:
            options = page.options()
        except ValueError as exc:
            page.show_error(str(exc))
            return
        page.show_error("")
        self.run_requested.emit(page.kind, options)

    def starting(self, kind: str) -> None:
        """``kind`` has started: its old result is cleared."""
        page = self.pages[kind]
        page.show_error("")
        page.clear()

    def idle(self) -> None:
        """The worker has stopped: pages left without a result say what to press again."""
        for page in self.pages.values():
            page.idle()

    def show_result(self, kind: str, result: Any) -> None:
        """The job's result on its page."""
        self.pages[kind].show_result(result)

    def show_error(self, kind: str, text: str) -> None:
        """A failed job's message on its page."""
        if kind in self.pages:
            self.pages[kind].show_error(text)

    def sentence(self, kind: str) -> str:
        """The result sentence on ``kind``'s page ('' before a run)."""
        return self.pages[kind].sentence.text()

    def save_state(self) -> dict[str, Any]:
        """Every page's inputs (plain JSON types)."""
        return {kind: page.save_state() for kind, page in self.pages.items()}

    def restore_state(self, state: object) -> None:
        """Inverse of :meth:`save_state`; bad entries are ignored."""
        if not isinstance(state, dict):
            return
        for kind, page in self.pages.items():
            if isinstance(state.get(kind), dict):
                page.restore_state(state[kind])
