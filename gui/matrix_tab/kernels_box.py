"""The "Kernels" box: up to six kernel editors, each adding/removing as one undoable step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QGroupBox, QPushButton, QVBoxLayout, QWidget

from engine.conv import get_filter
from engine.matrix import MATRIX_LIMITS
from gui.matrix_tab.kernel_editor import KernelEditor
from gui.matrix_tab.matrix_model import ListCommand, MatrixModel

MAX_KERNELS = MATRIX_LIMITS["kernels"][1]


class KernelsBox(QGroupBox):
    """Owns the kernel models and their editors (the list :class:`ListCommand` edits).

    Signals
    -------
    changed()
        A kernel was added, removed, edited or renamed.
    send_requested(str, object)
        A kernel's "→ Gallery" button, with its name and values.
    message(str)
        Status text.
    """

    changed = Signal()
    send_requested = Signal(str, object)
    message = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        undo_stack: QUndoStack,
        image_source: Callable[[], np.ndarray | None] | None = None,
    ) -> None:
        super().__init__("Kernels", parent)
        self.setObjectName("kernelsBox")
        self._stack = undo_stack
        self._image_source = image_source
        self.models: list[MatrixModel] = []
        self.editors: list[KernelEditor] = []
        self._quiet = False  # replace_all emits ``changed`` once, never with an empty list
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self.add_button = QPushButton("+ Add kernel", self)
        self.add_button.setObjectName("addKernelButton")
        self.add_button.setToolTip(f"Up to {MAX_KERNELS} kernels, each with its own output")
        self.add_button.clicked.connect(lambda: self.add_kernel())
        self._layout.addWidget(self.add_button)

    def new_model(self, name: str, values: np.ndarray) -> MatrixModel:
        """A kernel model on the tab's undo stack (not shown until inserted)."""
        return MatrixModel(np.array(values), title=name, undo_stack=self._stack)

    def insert_item(self, index: int, model: MatrixModel) -> None:
        """Show kernel ``model`` at ``index`` (ListCommand calls this)."""
        editor = KernelEditor(
            model, self, name=f"kernelEditor{id(model) % 100000}", image_source=self._image_source
        )
        editor.remove_requested.connect(self.remove_kernel)
        editor.send_requested.connect(self.send_requested)
        editor.message.connect(self.message)
        model.values_changed.connect(self.changed)
        model.title_changed.connect(self.changed)
        self.models.insert(index, model)
        self.editors.insert(index, editor)
        self._layout.insertWidget(index, editor)
        self._renumber()
        self._emit_changed()

    def remove_item(self, index: int) -> MatrixModel:
        """Remove the kernel at ``index`` and return its model (ListCommand calls this)."""
        model = self.models.pop(index)
        editor = self.editors.pop(index)
        model.values_changed.disconnect(self.changed)
        model.title_changed.disconnect(self.changed)
        editor.hide()
        self._layout.removeWidget(editor)
        editor.deleteLater()
        self._renumber()
        self._emit_changed()
        return model

    def _emit_changed(self) -> None:
        if not self._quiet:
            self.changed.emit()

    def _renumber(self) -> None:
        for i, editor in enumerate(self.editors):
            editor.setObjectName(f"kernelEditor{i}")
            editor.remove_button.setEnabled(len(self.editors) > 1)
        self.add_button.setEnabled(len(self.editors) < MAX_KERNELS)

    def add_kernel(self, name: str | None = None, values: np.ndarray | None = None) -> None:
        """Add a kernel (identity 3×3 by default) as one undoable step."""
        if len(self.models) >= MAX_KERNELS:
            self.message.emit(f"At most {MAX_KERNELS} kernels")
            return
        if values is None:
            item = get_filter("identity")
            name, values = item.name, np.array(item.kernel)
        model = self.new_model(name or "Kernel", values)
        self._stack.push(ListCommand(self, "insert", len(self.models), model, f"Add kernel {name}"))

    def remove_kernel(self, model: MatrixModel) -> None:
        """Remove a kernel as one undoable step (the last one stays)."""
        if len(self.models) <= 1 or model not in self.models:
            return
        index = self.models.index(model)
        self._stack.push(ListCommand(self, "remove", index, model, f"Remove {model.title}"))

    def replace_all(self, kernels: list[tuple[str, np.ndarray]]) -> None:
        """Show exactly ``kernels`` (restoring a session; not undoable); ``changed`` once."""
        self._quiet = True
        try:
            while self.models:
                self.remove_item(len(self.models) - 1)
            for name, values in kernels[:MAX_KERNELS]:
                self.insert_item(len(self.models), self.new_model(name, values))
        finally:
            self._quiet = False
        self.changed.emit()

    def named_kernels(self) -> list[tuple[str, np.ndarray]]:
        """``(shown name, values)`` of every kernel, in order."""
        pairs = zip(self.editors, self.models, strict=True)
        return [(editor.display_name(), model.values) for editor, model in pairs]

    def save_state(self) -> list[dict]:
        """Each kernel's title and values (plain JSON types)."""
        return [{"name": m.title, "values": m.values.tolist()} for m in self.models]
