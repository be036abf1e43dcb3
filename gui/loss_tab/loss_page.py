"""The Loss & regularisation tab: three sub-tabs sharing one TabPage life cycle."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.loss_tab.descent_panel import DescentPanel
from gui.loss_tab.ridge_panel import RidgePanel
from gui.loss_tab.softmax_panel import SoftmaxPanel
from gui.widgets import TabPage

STATE_VERSION = 1


class LossTab(TabPage):
    """Softmax & cross-entropy, ridge regularisation, and gradient descent.

    Attributes
    ----------
    softmax_panel, ridge_panel, descent_panel
        The three sub-tabs (tests drive them through their object-named widgets).
    """

    def __init__(self, parent: QWidget | None = None, *, context: AppContext) -> None:
        super().__init__(parent)
        self._context = context
        self.softmax_panel = SoftmaxPanel(self)
        self.ridge_panel = RidgePanel(self)
        self.descent_panel = DescentPanel(self)
        self.sections = QTabWidget(self)
        self.sections.setObjectName("lossSections")
        self.sections.addTab(self.softmax_panel, "Softmax && cross-entropy")
        self.sections.addTab(self.ridge_panel, "Ridge regularisation")
        self.sections.addTab(self.descent_panel, "Gradient descent")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.sections)
        for panel in (self.softmax_panel, self.ridge_panel, self.descent_panel):
            panel.edited.connect(self.state_changed)
        self.sections.currentChanged.connect(self._on_section)
        self.descent_panel.finished.connect(self._on_descent_finished)

    @Slot(int)
    def _on_section(self, _index: int) -> None:
        self.descent_panel.stop()  # no animation behind a hidden sub-tab
        self.state_changed.emit()

    @Slot()
    def _on_descent_finished(self) -> None:
        self._context.show_status(self.descent_panel.status_label.text(), 5000)

    def deactivate(self) -> None:
        """Pause the gradient-descent animation while another tab is shown."""
        self.descent_panel.stop()

    def shutdown(self) -> None:
        """Stop every timer this tab owns (animation and coalescing)."""
        for panel in (self.softmax_panel, self.ridge_panel, self.descent_panel):
            panel.shutdown()

    def save_state(self) -> dict[str, Any]:
        """Logits, target, temperature, λ, degree, data and descent settings (plain JSON)."""
        return {
            "version": STATE_VERSION,
            "section": self.sections.currentIndex(),
            "softmax": self.softmax_panel.state(),
            "ridge": self.ridge_panel.state(),
            "descent": self.descent_panel.state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; unknown or bad entries are ignored."""
        if not isinstance(state, dict):
            return
        for key, panel in (
            ("softmax", self.softmax_panel),
            ("ridge", self.ridge_panel),
            ("descent", self.descent_panel),
        ):
            part = state.get(key)
            if isinstance(part, dict):
                panel.set_state(part)
        section = state.get("section")
        if isinstance(section, int) and 0 <= section < self.sections.count():
            self.sections.setCurrentIndex(section)
