"""One output: heading with the kernel name, size formulas, floor note, values and pooling."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.matrix import KernelOutput
from gui.colours import tone_label
from gui.matrix_tab.matrix_model import ReadOnlyMatrixModel
from gui.matrix_tab.matrix_view import MatrixView, copy_menu_button


class OutputPanel(QFrame):
    """Shows one kernel's (or filter's) output and, optionally, its pooled output.

    Signals
    -------
    cell_hovered(int, int, int)
        ``(index, i, j)``: the mouse is over output cell (i, j) of this panel.
    cell_selected(int, int, int)
        The user selected output cell (i, j).
    pool_cell_selected(int, int, int)
        The user selected (or hovered) pooled cell (i, j).
    message(str)
        Status text (copied …).
    """

    cell_hovered = Signal(int, int, int)
    cell_selected = Signal(int, int, int)
    pool_cell_selected = Signal(int, int, int)
    message = Signal(str)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        name = f"output{index}"
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel(self)
        self.heading.setObjectName(f"{name}_heading")
        self.heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.formula = QLabel(self)
        self.formula.setObjectName(f"{name}_formula")
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setMaximumWidth(420)  # a gradient's formula wraps instead of widening
        self.floor_note = QLabel(self)
        self.floor_note.setObjectName(f"{name}_floor")
        self.floor_note.setWordWrap(True)
        tone_label(self.floor_note, "warning")
        italic = self.floor_note.font()
        italic.setItalic(True)
        self.floor_note.setFont(italic)
        self.error = QLabel(self)
        self.error.setObjectName(f"{name}_error")
        self.error.setWordWrap(True)
        tone_label(self.error, "error")
        self.model = ReadOnlyMatrixModel(self)
        self.view = MatrixView(self, editable=False)
        self.view.setObjectName(f"{name}_view")
        self.view.setModel(self.model)
        self.view.cell_hovered.connect(lambda i, j: self.cell_hovered.emit(self.index, i, j))
        self.view.selectionModel().currentChanged.connect(self._on_current)
        self.copy_button = copy_menu_button(
            self,
            f"{name}_copy",
            lambda: self.model.values if self.model.rowCount() else None,
            self.message.emit,
        )

        self.pool_heading = QLabel(self)
        self.pool_heading.setObjectName(f"{name}_pool_heading")
        self.pool_heading.setWordWrap(True)
        self.pool_model = ReadOnlyMatrixModel(self)
        self.pool_view = MatrixView(self, editable=False)
        self.pool_view.setObjectName(f"{name}_pool_view")
        self.pool_view.setModel(self.pool_model)
        self.pool_view.cell_hovered.connect(
            lambda i, j: self.pool_cell_selected.emit(self.index, i, j)
        )
        self.pool_view.selectionModel().currentChanged.connect(self._on_pool_current)
        self.pool_copy = copy_menu_button(
            self,
            f"{name}_pool_copy",
            lambda: self.pool_model.values if self.pool_model.rowCount() else None,
            self.message.emit,
        )

        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.heading, 1)
        head.addWidget(self.copy_button)
        pool_head = QHBoxLayout()
        pool_head.setContentsMargins(0, 0, 0, 0)
        pool_head.addWidget(self.pool_heading, 1)
        pool_head.addWidget(self.pool_copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        layout.addLayout(head)
        layout.addWidget(self.formula)
        layout.addWidget(self.floor_note)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(pool_head)
        layout.addWidget(self.pool_view, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.set_pooled(None, "")

    def _on_current(self, current, _previous) -> None:
        if current.isValid():
            self.cell_selected.emit(self.index, current.row(), current.column())

    def _on_pool_current(self, current, _previous) -> None:
        if current.isValid():
            self.pool_cell_selected.emit(self.index, current.row(), current.column())

    def set_result(
        self,
        heading: str,
        formula: str,
        floor_note: str,
        values: np.ndarray | None,
        shown: np.ndarray | None,
        error: str = "",
    ) -> None:
        """Show a result (or only ``error`` when ``values`` is None)."""
        self.heading.setText(heading)
        self.formula.setText(formula)
        self.formula.setVisible(bool(formula))
        self.floor_note.setText(f"Floor: {floor_note}." if floor_note else "")
        self.floor_note.setVisible(bool(floor_note))
        self.error.setText(error)
        self.error.setVisible(bool(error))
        if values is None:
            self.model.set_matrix(np.zeros((0, 0)))
            self.view.hide()
            self.copy_button.setEnabled(False)
        else:
            self.model.set_matrix(values, shown=shown)
            self.view.show()
            self.copy_button.setEnabled(True)

    def show_output(self, res: KernelOutput) -> None:
        """Show one kernel's result from the tab's :class:`~engine.matrix.MatrixResult`."""
        if res.output is None:
            self.set_result(res.name, "", "", None, None, res.error or "")
            self.set_pooled(None, "")
            return
        formula = res.formula or f"rows: {res.row_formula}\ncolumns: {res.col_formula}"
        # Size formulas keep one line each; a gradient's prose formula wraps.
        self.formula.setWordWrap(bool(res.formula))
        self.set_result(res.heading, formula, res.floor_note, res.output, res.shown)
        pooled = res.pooled
        if pooled is None:
            self.set_pooled(None, "")
        elif pooled.values is None:
            self.set_pooled(None, pooled.error)
        else:
            self.set_pooled(
                pooled.values,
                f"{pooled.heading}\nrows: {pooled.row_formula}\ncolumns: {pooled.col_formula}",
            )

    def set_pooled(self, values: np.ndarray | None, heading: str) -> None:
        """Show the pooled output under the output (hidden when ``values`` is None)."""
        self.pool_heading.setText(heading)
        self.pool_heading.setVisible(bool(heading))
        visible = values is not None
        if values is not None:
            self.pool_model.set_matrix(values)
        else:
            self.pool_model.set_matrix(np.zeros((0, 0)))
        self.pool_view.setVisible(visible)
        self.pool_copy.setVisible(visible)

    def cell_text(self, i: int, j: int) -> str:
        """Text shown in output cell (i, j)."""
        return self.model.text(i, j)

    def select_cell(self, i: int, j: int) -> None:
        """Make (i, j) the current, selected cell (as a click does)."""
        self.view.setCurrentIndex(self.model.index(i, j))
        self.view.scrollTo(self.model.index(i, j))
