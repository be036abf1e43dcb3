"""The Loss & regularisation tab: three sub-tabs sharing one TabPage life cycle and undo stack."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.loss_tab.derivation_panel import DerivationPanel
from gui.loss_tab.descent_panel import DescentPanel
from gui.loss_tab.ridge_panel import RidgePanel
from gui.loss_tab.softmax_panel import SoftmaxPanel
from gui.loss_tab.tutor import attach_loss_tutor
from gui.widgets import TabPage

STATE_VERSION = 1
#: Edits closer together than this (a slider drag, typing) become one undo step.
UNDO_MERGE_MS = 400
_PARTS = {"softmax": "softmax settings", "ridge": "ridge settings", "descent": "descent settings"}


class _SnapshotCommand(QUndoCommand):
    """Undo/redo between two saved states of the tab (already applied when pushed)."""

    def __init__(self, tab: LossTab, before: dict[str, Any], after: dict[str, Any]) -> None:
        changed = [label for key, label in _PARTS.items() if before.get(key) != after.get(key)]
        super().__init__("change " + (" and ".join(changed) or "settings"))
        self._tab = tab
        self._before = before
        self._after = after
        self._applied = True

    def undo(self) -> None:
        self._tab.apply_snapshot(self._before)
        self._applied = False

    def redo(self) -> None:
        if self._applied:  # first redo() happens on push: the edit is already on screen
            return
        self._tab.apply_snapshot(self._after)
        self._applied = True


class LossTab(TabPage):
    """Softmax & cross-entropy, ridge regularisation, and gradient descent.

    Attributes
    ----------
    softmax_panel, ridge_panel, descent_panel, derivation_panel
        The sub-tabs (tests drive them through their object-named widgets).
    """

    def __init__(self, parent: QWidget | None = None, *, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self.softmax_panel = SoftmaxPanel(self)
        self.ridge_panel = RidgePanel(self)
        self.descent_panel = DescentPanel(self)
        self.sections = QTabWidget(self)
        self.sections.setObjectName("lossSections")
        self.sections.addTab(self.softmax_panel, "Softmax && cross-entropy")
        self.sections.addTab(self.ridge_panel, "Ridge regularisation")
        self.sections.addTab(self.descent_panel, "Gradient descent")
        self.derivation_panel = DerivationPanel(self)
        self.sections.addTab(self.derivation_panel, "Check my derivation")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.sections)
        self._undo = QUndoStack(self)
        self._applying = False
        self._snapshot = self._settings()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MERGE_MS)
        self._undo_timer.timeout.connect(self._record_undo_step)
        for panel in (self.softmax_panel, self.ridge_panel, self.descent_panel):
            panel.edited.connect(self._on_edited)
        self.sections.currentChanged.connect(self._on_section)
        self.descent_panel.finished.connect(self._on_descent_finished)
        self.derivation_panel.edited.connect(self.state_changed)  # saved, not an undo step
        self.tutor = attach_loss_tutor(self)  # "Check my answer" sub-tabs

    # -- undo -----------------------------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        """What undo tracks: every panel's settings (not which sub-tab is shown)."""
        return copy.deepcopy(self._panels_state())  # typed tutor answers are not undoable

    def _panels_state(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "softmax": self.softmax_panel.save_state(),
            "ridge": self.ridge_panel.save_state(),
            "descent": self.descent_panel.save_state(),
        }

    @Slot()
    def _on_edited(self) -> None:
        self.state_changed.emit()
        if not self._applying:
            self._undo_timer.start()

    @Slot()
    def _record_undo_step(self) -> None:
        current = self._settings()
        if current != self._snapshot:
            before, self._snapshot = self._snapshot, current
            self._undo.push(_SnapshotCommand(self, before, current))

    def apply_snapshot(self, state: dict[str, Any]) -> None:
        """Show a state from the undo stack (without recording it as a new step)."""
        self._undo_timer.stop()
        self._applying = True
        try:
            self._restore(state)
        finally:
            self._applying = False
        self._snapshot = self._settings()
        self.state_changed.emit()

    def undo_stack(self) -> QUndoStack:
        """Undo/redo of settings edits; a slider drag or a burst of typing is one step."""
        return self._undo

    def show_section(self, name: str) -> bool:
        """Bring sub-tab ``name`` forward: ``softmax``, ``ridge``, ``descent`` or ``derivation``."""
        panels = {
            "softmax": self.softmax_panel,
            "ridge": self.ridge_panel,
            "descent": self.descent_panel,
            "derivation": self.derivation_panel,
        }
        panel = panels.get(name)
        if panel is None:
            return False
        self.sections.setCurrentWidget(panel)
        return True

    # -- life cycle -----------------------------------------------------------------------------
    @Slot(int)
    def _on_section(self, _index: int) -> None:
        self.descent_panel.stop()  # no animation behind a hidden sub-tab
        self.state_changed.emit()

    @Slot()
    def _on_descent_finished(self) -> None:
        self.context.show_status(self.descent_panel.status_label.text(), 5000)

    def deactivate(self) -> None:
        """Pause the gradient-descent animation while another tab is shown."""
        self.descent_panel.stop()

    def shutdown(self) -> None:
        """Stop every timer this tab owns (animation, coalescing, undo merging)."""
        self._undo_timer.stop()
        for panel in (self.softmax_panel, self.ridge_panel, self.descent_panel):
            panel.shutdown()
        self.derivation_panel.shutdown()

    def save_state(self) -> dict[str, Any]:
        """Logits, target, temperature, λ, degree, data, descent settings and the tutor's
        answers (plain JSON)."""
        return {
            **self._panels_state(),
            "section": self.sections.currentIndex(),
            "tutor": self.tutor.save_state(),
            "derivation": self.derivation_panel.save_state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; unknown or bad entries are ignored.

        A restored session starts a fresh undo history.
        """
        if not isinstance(state, dict):
            return
        self.apply_snapshot(state)
        self.tutor.restore_state(state.get("tutor"))
        self.derivation_panel.restore_state(state.get("derivation"))
        self._undo.clear()

    def _restore(self, state: dict[str, Any]) -> None:
        for key, panel in (
            ("softmax", self.softmax_panel),
            ("ridge", self.ridge_panel),
            ("descent", self.descent_panel),
        ):
            part = state.get(key)
            if isinstance(part, dict):
                panel.restore_state(part)
        section = state.get("section")
        if isinstance(section, int) and 0 <= section < self.sections.count():
            self.sections.setCurrentIndex(section)
