"""An input-matrix editor: size, fills, paste in many formats, copy/export, inline errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from engine.matrix import (
    FORMAT_LABELS,
    MATRIX_LIMITS,
    MatrixParseError,
    crop_patch,
    fill_checkerboard,
    fill_ramp,
    fill_random_ints,
    fill_zeros,
    parse_matrix,
    parse_number,
    resize_matrix,
)
from gui.colours import tone_label
from gui.matrix_tab.matrix_model import MatrixModel
from gui.matrix_tab.matrix_view import MatrixView, copy_menu_button
from gui.widgets.spin_boxes import int_spin


class MatrixEditor(QWidget):
    """Edits one :class:`MatrixModel`: typed cells, size spin boxes, fills, paste and copy.

    ``image_source`` returns the gallery's current image (or None) for "crop from image".

    Signals
    -------
    message(str)
        A status message for the main window (pasted, copied, filled …).
    """

    message = Signal(str)

    def __init__(
        self,
        model: MatrixModel,
        parent: QWidget | None = None,
        *,
        name: str,
        heading: str,
        max_side: int,
        image_source: Callable[[], np.ndarray | None] | None = None,
        show_size: bool = True,
        fixed_shape: bool = False,
    ) -> None:
        super().__init__(parent)
        self._fixed_shape = fixed_shape
        self.setObjectName(name)
        self.model = model
        self.max_side = max_side
        self._image_source = image_source

        self.heading = QLabel(heading, self)
        self.heading.setObjectName(f"{name}_heading")
        self.heading.setStyleSheet("font-weight: 600;")
        self.rows_spin = self._size_spin(f"{name}_rows", "Rows")
        self.cols_spin = self._size_spin(f"{name}_cols", "Columns")
        self.fill_button = QToolButton(self)
        self.fill_button.setObjectName(f"{name}_fill")
        self.fill_button.setText("Fill")
        self.fill_button.setToolTip("Fill with zeros, random integers, a ramp, a checkerboard …")
        self.fill_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.fill_button.setMenu(self._build_fill_menu())
        self.paste_button = QToolButton(self)
        self.paste_button.setObjectName(f"{name}_paste")
        self.paste_button.setText("Paste")
        self.paste_button.setToolTip(
            "Paste a matrix (Ctrl+V): tab/comma/space-separated, [[…]] NumPy text or a LaTeX "
            "bmatrix. A single number pastes into the current cell."
        )
        self.paste_button.clicked.connect(self.paste_from_clipboard)
        self.copy_button = copy_menu_button(
            self, f"{name}_copy", lambda: self.model.values, self.message.emit
        )

        self.view = MatrixView(self, editable=True)
        self.view.setObjectName(f"{name}_view")
        self.view.setModel(model)
        self.view.paste_requested.connect(self.paste_from_clipboard)
        self.view.clear_requested.connect(self.clear_selection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName(f"{name}_error")
        tone_label(self.error_label, "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.header_row = QHBoxLayout()
        self.header_row.setContentsMargins(0, 0, 0, 0)
        self.header_row.setSpacing(4)
        self.header_row.addWidget(self.heading)
        self.header_row.addStretch(1)
        if show_size:
            self.header_row.addWidget(self.rows_spin)
            times = QLabel("×", self)
            self.header_row.addWidget(times)
            self.header_row.addWidget(self.cols_spin)
        else:
            self.rows_spin.hide()
            self.cols_spin.hide()
        for button in (self.fill_button, self.paste_button, self.copy_button):
            self.header_row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(self.header_row)
        layout.addWidget(self.view, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error_label)

        model.values_changed.connect(self._sync_from_model)
        model.edit_rejected.connect(self._on_edit_rejected)
        self._sync_from_model()

    # --- building ----------------------------------------------------------------------------
    def _size_spin(self, name: str, what: str) -> QSpinBox:
        tip = f"{what} (1…{self.max_side}); shrinking crops, growing adds zeros"
        spin = int_spin(self, name, 1, self.max_side, 1, tip, keyboard_tracking=False)
        spin.valueChanged.connect(self._on_size_spin)
        return spin

    def _build_fill_menu(self) -> QMenu:
        menu = QMenu(self)
        entries = [
            ("zeros", "Zeros", lambda: self.fill("zeros")),
            ("ramp", "Ramp 0, 1, 2, …", lambda: self.fill("ramp")),
            ("checker", "Checkerboard 0 / 1", lambda: self.fill("checkerboard")),
            ("checker255", "Checkerboard 0 / 255", lambda: self.fill("checkerboard", high=255)),
            ("crop", "Crop patch from gallery image", lambda: self.fill("crop")),
        ]
        for key, text, slot in entries:
            action = QAction(text, menu)
            action.setObjectName(f"{self.objectName()}_fill_{key}")
            action.triggered.connect(slot)
            menu.addAction(action)
        menu.addSeparator()
        box = QWidget(menu)
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 2, 8, 2)
        name = self.objectName()
        low, high = MATRIX_LIMITS["random_value"]
        self.random_low = int_spin(box, f"{name}_random_low", low, high, 0, "Lowest integer")
        self.random_high = int_spin(box, f"{name}_random_high", low, high, 9, "Highest integer")
        go = QPushButton("Random integers", box)
        go.setObjectName(f"{self.objectName()}_fill_random")
        go.clicked.connect(lambda: (self.fill("random"), menu.close()))
        row.addWidget(go)
        row.addWidget(QLabel("from", box))
        row.addWidget(self.random_low)
        row.addWidget(QLabel("to", box))
        row.addWidget(self.random_high)
        widget_action = QWidgetAction(menu)
        widget_action.setDefaultWidget(box)
        menu.addAction(widget_action)
        return menu

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction("Paste matrix", self.paste_from_clipboard)
        menu.addAction("Copy selection (TSV)", self.view.copy_selection)
        menu.addAction("Set selected cells to 0", self.clear_selection)
        menu.addSeparator()
        menu.addMenu(self.copy_button.menu()).setText("Copy whole matrix as")
        menu.addMenu(self.fill_button.menu()).setText("Fill")
        menu.exec(self.view.viewport().mapToGlobal(pos))

    # --- model sync --------------------------------------------------------------------------
    def _sync_from_model(self) -> None:
        self.show_error("")
        rows, cols = self.model.shape
        for spin, value in ((self.rows_spin, rows), (self.cols_spin, cols)):
            if spin.value() != value:
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)

    def _on_size_spin(self) -> None:
        self.resize_to((self.rows_spin.value(), self.cols_spin.value()))

    def _on_edit_rejected(self, _row: int, _col: int, text: str) -> None:
        self.show_error(text)

    def show_error(self, text: str) -> None:
        """Show an inline error under the table ('' hides it)."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def error_text(self) -> str:
        """The inline error currently shown ('' when none)."""
        return self.error_label.text() if self.error_label.isVisibleTo(self) else ""

    # --- user operations (all undoable) -------------------------------------------------------
    def resize_to(self, shape: tuple[int, int]) -> None:
        """Crop or zero-extend to ``shape``."""
        if tuple(shape) == self.model.shape:
            return
        self.show_error("")
        values = resize_matrix(self.model.values, shape)
        self.model.push_values(
            values, f"Resize {self.model.title or 'matrix'} to {shape[0]}×{shape[1]}"
        )

    def fill(self, kind: str, *, high: int = 1) -> bool:
        """Fill the whole matrix: ``zeros``, ``ramp``, ``checkerboard``, ``random`` or ``crop``."""
        shape = self.model.shape
        try:
            if kind == "zeros":
                values = fill_zeros(shape)
            elif kind == "ramp":
                values = fill_ramp(shape)
            elif kind == "checkerboard":
                values = fill_checkerboard(shape, high=high)
            elif kind == "random":
                values = fill_random_ints(
                    shape, self.random_low.value(), self.random_high.value(), seed=None
                )
            elif kind == "crop":
                image = self._image_source() if self._image_source else None
                if image is None:
                    raise ValueError("no gallery image yet: open one in the Filter gallery tab")
                values = crop_patch(image, shape)
            else:
                raise ValueError(f"unknown fill {kind!r}")
        except ValueError as exc:
            self.show_error(f"Fill: {exc}")
            return False
        self.show_error("")
        self.model.push_values(values, f"Fill {self.model.title or 'matrix'} ({kind})")
        self.message.emit(f"Filled {shape[0]}×{shape[1]} ({kind})")
        return True

    def clear_selection(self) -> None:
        """Set the selected cells to 0 in one undoable step."""
        indexes = self.view.selectionModel().selectedIndexes()
        if not indexes:
            return
        values = self.model.values
        for index in indexes:
            values[index.row(), index.column()] = 0
        self.model.push_values(values, "Clear cells")

    def paste_text(self, text: str) -> bool:
        """Paste ``text``: a single number goes into the current cell, a matrix replaces all.

        A bad paste changes nothing and shows which row/column is wrong.
        """
        stripped = text.strip()
        current = self.view.currentIndex()
        single = stripped and not any(ch in stripped for ch in "\n\t,;[&\\ ")
        if single and current.isValid():
            try:
                parse_number(stripped)
            except MatrixParseError as exc:
                self.show_error(f"Paste refused: {exc}")
                return False
            self.model.setData(current, stripped)
            self.show_error("")
            return True
        try:
            values, fmt = parse_matrix(text, max_shape=(self.max_side, self.max_side))
        except MatrixParseError as exc:
            self.show_error(f"Paste refused, nothing changed: {exc}")
            return False
        if self._fixed_shape and values.shape != self.model.shape:
            want = self.model.shape
            self.show_error(
                f"Paste refused, nothing changed: this matrix is {want[0]}×{want[1]} but the "
                f"pasted one is {values.shape[0]}×{values.shape[1]}; change the size above first"
            )
            return False
        self.show_error("")
        rows, cols = values.shape
        self.model.push_values(values, f"Paste {rows}×{cols} into {self.model.title or 'matrix'}")
        self.message.emit(f"Pasted a {rows}×{cols} matrix ({FORMAT_LABELS[fmt]})")
        return True

    def paste_from_clipboard(self) -> bool:
        """Paste the clipboard's text (see :meth:`paste_text`)."""
        return self.paste_text(QGuiApplication.clipboard().text())
