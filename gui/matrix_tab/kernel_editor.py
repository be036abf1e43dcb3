"""A kernel editor: library picker, name, flip/rotate/transpose/normalise, sum and separability."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.conv import (
    FILTER_LIBRARY,
    flip_kernel,
    get_filter,
    match_library_filter,
    normalise_kernel,
    rotate_kernel,
    separability,
    transpose_kernel,
)
from engine.matrix import kernel_about, kernel_name
from engine.text import format_cell
from gui.colours import tone_label
from gui.matrix_tab.matrix_editor import MatrixEditor
from gui.matrix_tab.matrix_model import MatrixModel
from gui.matrix_tab.state import MAX_KERNEL_SIDE

CUSTOM = "custom"


def _vector_text(values: np.ndarray) -> str:
    return "[" + ", ".join(format_cell(v) for v in values.tolist()) + "]"


class KernelEditor(QFrame):
    """Edits one kernel model; emits ``remove_requested`` / ``send_requested`` for the tab.

    Signals
    -------
    remove_requested(object)
        The × button: remove this kernel (the tab makes it undoable).
    send_requested(str, object)
        "Send to gallery" with the kernel's name and values.
    message(str)
        Status text.
    """

    remove_requested = Signal(object)
    send_requested = Signal(str, object)
    message = Signal(str)

    def __init__(
        self,
        model: MatrixModel,
        parent: QWidget | None = None,
        *,
        name: str,
        image_source: Callable[[], np.ndarray | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.model = model
        self._buttons: dict[str, QToolButton] = {}
        self.editor = MatrixEditor(
            model,
            self,
            name=f"{name}_matrix",
            heading="",
            max_side=MAX_KERNEL_SIDE,
            image_source=image_source,
        )
        self.editor.message.connect(self.message)
        self.editor.heading.hide()

        self.library = QComboBox(self)
        self.library.setObjectName(f"{name}_library")
        self.library.setToolTip("Pick a kernel from the filter library")
        self.library.addItem("Custom", CUSTOM)
        for key, item in FILTER_LIBRARY.items():
            self.library.addItem(item.name, key)
            self.library.setItemData(self.library.count() - 1, item.description, 3)
        self.library.activated.connect(self._on_library_pick)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName(f"{name}_name")
        self.name_edit.setPlaceholderText("name")
        self.name_edit.setToolTip("The kernel's name, shown above its output")
        self.name_edit.setMaximumWidth(150)
        self.name_edit.editingFinished.connect(self._on_name_edited)
        self.remove_button = self._tool("remove", "✕", "Remove this kernel", self._on_remove)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(self.library, 1)
        top.addWidget(self.name_edit, 1)
        top.addWidget(self.remove_button)

        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(2)
        for key, text, tip, slot in (
            ("flip_h", "⇆", "Flip left ↔ right", lambda: self.transform("flip_h")),
            ("flip_v", "⇅", "Flip top ↕ bottom", lambda: self.transform("flip_v")),
            ("rot90", "↻90°", "Rotate 90° clockwise", lambda: self.transform("rot90")),
            (
                "transpose",
                "Aᵀ",
                "Transpose (swap rows and columns)",
                lambda: self.transform("transpose"),
            ),
            (
                "normalise",
                "Σ=1",
                "Normalise: divide by the sum so the weights add up to 1",
                lambda: self.transform("normalise"),
            ),
            (
                "send",
                "→ Gallery",
                "Send this kernel to the Filter gallery as a custom tile",
                self._on_send,
            ),
        ):
            button = self._tool(key, text, tip, slot)
            tools.addWidget(button)
        tools.addStretch(1)

        self.info = QLabel("", self)
        self.info.setObjectName(f"{name}_info")
        self.info.setWordWrap(True)
        tone_label(self.info, "hint")
        self.about = QLabel("", self)
        self.about.setObjectName(f"{name}_about")
        self.about.setWordWrap(True)
        self.about.setToolTip("What this kernel responds to")

        layout = self.editor.layout()
        assert isinstance(layout, QVBoxLayout)  # MatrixEditor lays itself out in a column
        layout.insertLayout(0, top)
        layout.insertLayout(1, tools)
        layout.addWidget(self.about)
        layout.addWidget(self.info)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.editor)

        model.values_changed.connect(self._refresh)
        model.title_changed.connect(self._refresh)
        self._refresh()

    def _tool(self, key: str, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        self._buttons[key] = button
        button.setObjectName(f"{self.objectName()}_{key}")
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def button(self, key: str) -> QToolButton:
        """The tool button ``key`` (flip_h, flip_v, rot90, transpose, normalise, send, remove)."""
        return self._buttons[key]

    # --- display ---------------------------------------------------------------------------
    def display_name(self) -> str:
        """The name shown above this kernel's output and in the export: the user's own name,
        else the library filter its values match, else "Custom"."""
        return kernel_name(self.model.title, self.model.values)

    def _refresh(self, *_args) -> None:
        values = self.model.values
        name = self.display_name()
        if self.name_edit.text() != name:
            self.name_edit.setText(name)
        match = match_library_filter(values)
        key = match.key if match and match.scale == 1 and not match.rotated else CUSTOM
        self.library.setCurrentIndex(max(0, self.library.findData(key)))
        total = values.sum()
        sep = separability(values)
        if sep.separable and sep.column is not None and sep.row is not None:
            scale = "" if sep.scale == 1 else f"{sep.scale} · "
            sep_text = (
                f"separable: {scale}{_vector_text(sep.column)}ᵀ ⊗ {_vector_text(sep.row)} "
                f"({values.shape[0] + values.shape[1]} instead of {values.size} "
                "multiplications per cell)"
            )
        elif sep.rank == 0:
            sep_text = "all zeros"
        else:
            sep_text = f"not separable (rank {sep.rank})"
        self.info.setText(f"sum = {format_cell(total.item())} · {sep_text}")
        self.about.setText(kernel_about(values))

    # --- user operations -----------------------------------------------------------------------
    def _on_library_pick(self, index: int) -> None:
        key = self.library.itemData(index)
        if key == CUSTOM:
            return
        item = get_filter(key)
        self.model.push_values(np.array(item.kernel), f"Pick {item.name}", item.name)

    def pick(self, key: str) -> None:
        """Choose library kernel ``key`` (as the combo box does)."""
        index = self.library.findData(key)
        if index < 0:
            raise ValueError(f"key {key!r} is not a library filter")
        self.library.setCurrentIndex(index)
        self._on_library_pick(index)

    def _on_name_edited(self) -> None:
        text = self.name_edit.text().strip()
        if text and text != self.display_name():
            self.model.push_title(text)

    def transform(self, op: str) -> bool:
        """Apply flip_h, flip_v, rot90, transpose or normalise as one undoable step."""
        values = self.model.values
        try:
            if op == "flip_h":
                new = flip_kernel(values, "horizontal")
            elif op == "flip_v":
                new = flip_kernel(values, "vertical")
            elif op == "rot90":
                new = rotate_kernel(values, 1)
            elif op == "transpose":
                new = transpose_kernel(values)
            elif op == "normalise":
                new = normalise_kernel(values)
            else:
                raise ValueError(f"unknown operation {op!r}")
        except ValueError as exc:
            self.editor.show_error(f"Cannot {op}: {exc}")
            return False
        self.model.push_values(new, f"{op} {self.model.title}")
        return True

    def _on_remove(self) -> None:
        self.remove_requested.emit(self.model)

    def _on_send(self) -> None:
        self.send_requested.emit(self.display_name(), self.model.values)
