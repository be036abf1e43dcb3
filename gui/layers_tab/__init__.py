"""Layer sizes tab: one conv layer's arithmetic written out, and a whole-network builder."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu, QTabWidget, QToolButton, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.layers_tab.network_panel import NetworkPanel
from gui.layers_tab.single_layer import SingleLayerPanel
from gui.layers_tab.tutor import attach_layers_tutor
from gui.widgets import TabPage

PAGES = ("single", "network")


class LayersTab(TabPage):
    """Two pages: "One layer" (:class:`SingleLayerPanel`) and "Whole network"
    (:class:`NetworkPanel`), sharing one undo stack; undo/redo shows the page it changes."""

    def __init__(self, parent: QWidget | None = None, *, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self._undo_stack = QUndoStack(self)  # one stack for both pages
        self.single = SingleLayerPanel(undo_stack=self._undo_stack)
        self.single.setObjectName("singleLayerPanel")
        self.network = NetworkPanel(show_status=context.show_status, undo_stack=self._undo_stack)
        self.network.setObjectName("networkPanel")
        self.pages = QTabWidget()
        self.pages.setObjectName("layersPages")
        self.pages.addTab(self.single, "One layer")
        self.pages.addTab(self.network, "Whole network")
        self.pages.setCornerWidget(self._send_to_train_button(), Qt.Corner.TopRightCorner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.pages)
        self._undo_stack.clear()
        self.single.reveal_requested.connect(lambda: self.show_page("single"))
        self.network.reveal_requested.connect(lambda: self.show_page("network"))
        self.single.edited.connect(self.state_changed)
        self.network.edited.connect(self.state_changed)
        self.pages.currentChanged.connect(lambda _i: self.state_changed.emit())
        self.tutor = attach_layers_tutor(self)  # "Check my answer" on the One layer page

    def _send_to_train_button(self) -> QToolButton:
        """A "Send to Train" menu (as the CNN / as the MLP): the network replaces that slot."""
        button = QToolButton(self)
        button.setObjectName("sendToTrainButton")
        button.setText("Send to Train")
        button.setToolTip("train this network on digits in the Train tab (replaces its CNN or MLP)")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        for slot, title in (("cnn", "as the CNN"), ("mlp", "as the MLP")):
            action = menu.addAction(title)
            action.setObjectName(f"sendToTrain_{slot}")
            action.triggered.connect(lambda _=False, s=slot: self.send_to_train(s))
        button.setMenu(menu)
        return button

    def send_to_train(self, slot: str) -> None:
        """Hand the whole network to the Train tab's ``slot`` (``"cnn"`` or ``"mlp"``)."""
        self.context.send_network_to_train(self.network.save_state(), slot)

    def show_page(self, key: str) -> None:
        """Show ``"single"`` or ``"network"``."""
        self.pages.setCurrentIndex(PAGES.index(key))

    def save_state(self) -> dict[str, Any]:
        """One-layer inputs, the network and the visible page, as plain JSON types."""
        return {
            "page": PAGES[self.pages.currentIndex()],
            "single": self.single.save_state(),
            "network": self.network.save_state(),
            "tutor": self.tutor.save_state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; missing or bad parts keep their current value."""
        if not isinstance(state, dict):
            return
        notes = self.single.restore_state(state.get("single"))
        problem = self.network.restore_state(state.get("network"))
        notes += [problem] if problem else []
        if notes:  # skipped, never clamped or half-applied: say what (a session lists it)
            self.context.show_status(f"Layer sizes: {'; '.join(notes)}", 0)
        if state.get("page") in PAGES:
            self.show_page(state["page"])
        self.tutor.restore_state(state.get("tutor"))
        self._undo_stack.clear()

    def undo_stack(self) -> QUndoStack | None:
        """The tab's undo stack: one-layer inputs and network edits, in the order made."""
        return self._undo_stack


def create_tab(parent: QWidget | None = None, *, context: AppContext) -> TabPage:
    """Build the Layer sizes tab."""
    return LayersTab(parent, context=context)
