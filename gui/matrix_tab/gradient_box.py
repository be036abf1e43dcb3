"""The upstream gradient G = ∂L/∂Y of the backward pass: an editable matrix of the output's
shape, all ones by default, or a small integer pattern."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from engine.matrix import default_grad_out
from gui.colours import tone_label
from gui.matrix_tab.matrix_editor import MatrixEditor
from gui.matrix_tab.matrix_model import MatrixModel


class GradientBox(QGroupBox):
    """Edits G; its shape follows the forward output's (:meth:`fit_shape`)."""

    def __init__(self, parent: QWidget | None = None, *, undo_stack: QUndoStack) -> None:
        super().__init__("Upstream gradient G = ∂L/∂Y", parent)
        self.setObjectName("gradientBox")
        self.model = MatrixModel(default_grad_out((5, 5)), title="G", undo_stack=undo_stack)
        self.editor = MatrixEditor(
            self.model,
            self,
            name="gradientEditor",
            heading="",
            max_side=64,
            show_size=False,
            fixed_shape=True,
        )
        self.editor.heading.hide()
        note = QLabel(
            "G has the shape of the output Y (it follows the settings). Type, paste or fill it; "
            "all ones makes ∂L/∂K the sum of the inputs each weight met.",
            self,
        )
        note.setObjectName("gradientNote")
        note.setWordWrap(True)
        tone_label(note, "hint")
        self.ones_button = self._button("gradientOnes", "All ones", "ones")
        self.pattern_button = self._button("gradientPattern", "Pattern −1…2", "pattern")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.ones_button)
        buttons.addWidget(self.pattern_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.editor)
        layout.addWidget(note)

    def _button(self, name: str, text: str, pattern: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(f"Set G to {text.lower()} (undoable)")
        button.clicked.connect(lambda: self.set_pattern(pattern))
        return button

    def set_pattern(self, pattern: str) -> None:
        """Fill G with ``"ones"`` or ``"pattern"`` as one undoable step."""
        self.model.push_values(default_grad_out(self.model.shape, pattern), f"G: {pattern}")

    def fit_shape(self, shape: tuple[int, int]) -> bool:
        """Give G ``shape`` (kept where it overlaps, new cells 1); not an undoable edit.

        Returns True when G changed.
        """
        if self.model.shape == shape:
            return False
        values = np.ones(shape, dtype=self.model.values.dtype)
        old = self.model.values
        rows, cols = min(shape[0], old.shape[0]), min(shape[1], old.shape[1])
        values[:rows, :cols] = old[:rows, :cols]
        self.model.apply(values, self.model.title)
        return True
