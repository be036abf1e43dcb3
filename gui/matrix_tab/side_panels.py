"""The "Which filter is this?" solver and the worked-solution export panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.checks import is_int
from engine.conv import KernelSolution, fit_kernel
from engine.matrix import (
    EXPORT_FORMATS,
    EXPORT_LABELS,
    EXPORT_SUFFIX,
    MATRIX_LIMITS,
    ConvSettings,
)
from engine.storage import save_text
from engine.text import format_cell
from gui.colours import set_tone, tone_label
from gui.matrix_tab.matrix_editor import MatrixEditor
from gui.matrix_tab.matrix_model import MatrixModel, ReadOnlyMatrixModel, mono_font
from gui.matrix_tab.matrix_view import MatrixView
from gui.matrix_tab.state import MAX_INPUT_SIDE, read_int_pair, read_matrix
from gui.widgets.spin_boxes import int_spin


class SolverPanel(QWidget):
    """Given the tab's input and an output matrix, find the kernel by least squares.

    ``problem()`` returns ``(input, settings)``; ``outputs()`` the current ``(name, output)``
    pairs (``output`` None for a kernel that does not fit).  A target copied from an output stays
    linked to it and follows every recompute, until the user edits it; a label says which.

    Signals
    -------
    use_kernel(str, object)
        "Add as kernel" with a name and the solved kernel.
    """

    use_kernel = Signal(str, object)
    message = Signal(str)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        undo_stack: QUndoStack,
        problem: Callable[[], tuple[np.ndarray, ConvSettings]],
        outputs: Callable[[], list[tuple[str, np.ndarray | None]]],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("solverPanel")
        self._problem = problem
        self._outputs = outputs
        self.target_model = MatrixModel(
            np.zeros((5, 5), dtype=np.int64), title="Target output", undo_stack=undo_stack
        )
        self.target_editor = MatrixEditor(
            self.target_model, self, name="solverTarget", heading="Output to explain", max_side=64
        )
        self.target_editor.message.connect(self.message)
        #: Index of the output the target follows, or None once the user edited it.
        self._link: int | None = None
        self._syncing = False
        self.target_model.values_changed.connect(self._on_target_changed)
        self.link_label = QLabel(self)
        self.link_label.setObjectName("solverLink")
        self.link_label.setWordWrap(True)
        tone_label(self.link_label, "hint")
        self.source = QComboBox(self)
        self.source.setObjectName("solverSource")
        self.source.setToolTip("Copy one of the current outputs here as the target")
        # Long output names must not widen the panel past a 1100 px window.
        self.source.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.source.setMinimumContentsLength(10)
        self.copy_output = QPushButton("Use this output", self)
        self.copy_output.setObjectName("solverUseOutput")
        self.copy_output.clicked.connect(self._on_copy_output)
        low, high = MATRIX_LIMITS["solver_side"]
        self.k_rows = int_spin(self, "solverRows", low, high, 3, "Rows of the kernel to solve for")
        self.k_cols = int_spin(
            self, "solverCols", low, high, 3, "Columns of the kernel to solve for"
        )
        self.solve_button = QPushButton("Solve for the kernel", self)
        self.solve_button.setObjectName("solverSolve")
        self.solve_button.setDefault(True)
        self.solve_button.clicked.connect(self.solve)
        self.result = QLabel(
            "Paste or copy an output, choose the kernel size, and solve: every output cell is "
            "one linear equation in the unknown weights (least squares).",
            self,
        )
        self.result.setObjectName("solverResult")
        self.result.setWordWrap(True)
        self.result_model = ReadOnlyMatrixModel(self)
        self.result_view = MatrixView(self, editable=False)
        self.result_view.setObjectName("solverKernelView")
        self.result_view.setModel(self.result_model)
        self.result_view.hide()
        self.add_button = QPushButton("Add as kernel", self)
        self.add_button.setObjectName("solverAdd")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self._on_add)
        self.solution: KernelSolution | None = None

        row1 = QHBoxLayout()
        row1.addWidget(self.source, 1)
        row1.addWidget(self.copy_output)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("Kernel size", self))
        row2.addWidget(self.k_rows)
        row2.addWidget(QLabel("×", self))
        row2.addWidget(self.k_cols)
        row2.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(row1)
        left.addWidget(self.link_label)
        left.addWidget(self.target_editor, 1)
        right = QVBoxLayout()
        right.addLayout(row2)
        # on its own line: beside the size it made the panel too wide for a 1100 px window
        right.addWidget(self.solve_button, 0, Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.result)
        right.addWidget(self.result_view, 0, Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

    def refresh_sources(self) -> None:
        """Refill the list of outputs and bring a linked target up to date."""
        current = self.source.currentIndex()
        self.source.blockSignals(True)
        self.source.clear()
        for index, (name, values) in enumerate(self._outputs()):
            if values is not None:
                self.source.addItem(name, index)
        self.source.setCurrentIndex(min(max(current, 0), self.source.count() - 1))
        self.source.blockSignals(False)
        self.copy_output.setEnabled(self.source.count() > 0)
        self._sync()

    def link_to(self, index: int) -> None:
        """Make the target follow output ``index`` (not an undoable edit)."""
        self._link = index
        self._sync()

    def _sync(self) -> None:
        outputs = self._outputs()
        linked = self._link is not None and self._link < len(outputs)
        values = outputs[self._link][1] if self._link is not None and linked else None
        if self._link is None:
            self._show_link("Your own matrix: it does not follow the input or the kernels.", "note")
        elif values is None:
            self._show_link(
                f"Not the current output: output {self._link + 1} cannot be computed now, so "
                "this is an earlier copy.",
                "warning",
            )
        else:
            if values.shape != self.target_model.shape or not np.array_equal(
                values, self.target_model.values
            ):
                self._syncing = True
                try:
                    self.target_model.apply(values, self.target_model.title)
                finally:
                    self._syncing = False
            name = outputs[self._link][0]
            self._show_link(
                f"Live: the output of {name}, updated whenever the input, kernels or settings "
                "change. Edit it to explain a matrix of your own.",
                "hint",
            )

    def _show_link(self, text: str, tone: str) -> None:
        if self.link_label.text() != text:
            self.link_label.setText(text)
            set_tone(self.link_label, tone)

    def _on_target_changed(self, *_args) -> None:
        if self._syncing:
            return
        if self._link is not None:
            self._link = None
            self._sync()
        self._forget_solution()

    def _forget_solution(self) -> None:
        if self.solution is not None:
            self.solution = None
            self.result.setText("The target changed: solve again for its kernel.")
            self.result_view.hide()
            self.add_button.setEnabled(False)

    def _on_copy_output(self) -> None:
        index = self.source.currentData()
        if index is None:
            return
        values = self._outputs()[index][1]
        if values is None:
            return
        self._syncing = True
        try:
            self.target_model.push_values(values, "Copy output to the solver")
        finally:
            self._syncing = False
        self._forget_solution()
        self.link_to(index)

    def solve(self) -> KernelSolution | None:
        """Solve for the kernel with the tab's input and settings; report in the panel."""
        x, settings = self._problem()
        try:
            sol = fit_kernel(
                x,
                self.target_model.values,
                (self.k_rows.value(), self.k_cols.value()),
                **settings.operation_kwargs(),
            )
        except ValueError as exc:
            self.solution = None
            self.result.setText(f"Cannot solve: {exc}")
            self.result_view.hide()
            self.add_button.setEnabled(False)
            return None
        self.solution = sol
        if sol.exact:
            verdict = "Exact: this kernel reproduces every output cell."
        else:
            verdict = (
                "Not exact: no kernel of this size gives this output; best least-squares fit, "
                f"largest error {format_cell(sol.max_error)}."
            )
        unique = (
            "The input determines every weight (unique solution)."
            if sol.unique
            else f"Not unique: rank {sol.rank} < {sol.unknowns} unknowns; "
            "the smallest-norm kernel is shown."
        )
        if sol.match is not None:
            named = f"Library filter: {sol.match.describe()}."
        elif sol.exact:
            named = "No library filter matches."
        else:
            named = ""
        self.result.setText(
            f"{sol.equations} equations, {sol.unknowns} unknowns. {verdict} {unique} {named}"
        )
        self.result_model.set_matrix(sol.kernel)
        self.result_view.show()
        self.add_button.setEnabled(True)
        return sol

    def save_state(self) -> dict[str, Any]:
        """The target output and the kernel size (plain JSON types)."""
        return {
            "target": self.target_model.values.tolist(),
            "size": [self.k_rows.value(), self.k_cols.value()],
            "link": self._link,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; bad entries keep the current value."""
        target = read_matrix(state.get("target"), MAX_INPUT_SIDE)
        if target is not None:
            self.target_model.apply(target, self.target_model.title)
        link = state.get("link")
        if is_int(link) and 0 <= link < 64:
            self.link_to(link)
        size = read_int_pair(state.get("size"), *MATRIX_LIMITS["solver_side"])
        if size is not None:
            self.k_rows.setValue(size[0])
            self.k_cols.setValue(size[1])

    def _on_add(self) -> None:
        if self.solution is None:
            return
        match = self.solution.match
        name = match.describe() if match is not None else "Solved kernel"
        self.use_kernel.emit(name, self.solution.kernel)


class SolutionPanel(QWidget):
    """Preview, copy and save the worked solution in any export format.

    ``render(fmt)`` returns the worked solution text in that format.
    """

    message = Signal(str)

    def __init__(self, parent: QWidget | None, *, render: Callable[[str], str]) -> None:
        super().__init__(parent)
        self.setObjectName("solutionPanel")
        self._render = render
        self.format = QComboBox(self)
        self.format.setObjectName("solutionFormat")
        for fmt in EXPORT_FORMATS:
            self.format.addItem(EXPORT_LABELS[fmt], fmt)
        self.format.setCurrentIndex(self.format.findData("markdown"))
        self.format.currentIndexChanged.connect(self.refresh)
        self.copy_button = QPushButton("Copy worked solution", self)
        self.copy_button.setObjectName("solutionCopy")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton("Save…", self)
        self.save_button.setObjectName("solutionSave")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("solutionPreview")
        self.preview.setReadOnly(True)
        self.preview.setFont(mono_font())
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        row = QHBoxLayout()
        row.addWidget(QLabel("Format", self))
        row.addWidget(self.format)
        row.addStretch(1)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.preview, 1)

    def current_format(self) -> str:
        """The chosen export format key."""
        return str(self.format.currentData())

    def set_format(self, fmt: str) -> None:
        """Choose export format ``fmt`` (as the combo box does)."""
        self.format.setCurrentIndex(self.format.findData(fmt))

    def save_state(self) -> dict[str, Any]:
        """The chosen export format."""
        return {"format": self.current_format()}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore the export format (an unknown one is ignored)."""
        fmt = state.get("format")
        if isinstance(fmt, str) and self.format.findData(fmt) >= 0:
            self.set_format(fmt)

    def refresh(self) -> None:
        """Re-render the preview (only while the panel is visible: it can be long)."""
        if self.isVisible():
            self.preview.setPlainText(self._render(self.current_format()))

    def text(self) -> str:
        """The worked solution in the chosen format."""
        return self._render(self.current_format())

    def copy(self) -> None:
        """Copy the worked solution to the clipboard."""
        QGuiApplication.clipboard().setText(self.text())
        self.message.emit(f"Copied the worked solution ({EXPORT_LABELS[self.current_format()]})")

    def save_to(self, path: str) -> None:
        """Write the worked solution to ``path`` (atomic replace)."""
        save_text(path, self.text())
        self.message.emit(f"Saved the worked solution to {path}")

    def _on_save_clicked(self) -> None:
        fmt = self.current_format()
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save worked solution",
            f"worked_solution{EXPORT_SUFFIX[fmt]}",
            f"{EXPORT_LABELS[fmt]} (*{EXPORT_SUFFIX[fmt]});;All files (*)",
        )
        if path:
            try:
                self.save_to(path)
            except OSError as exc:
                self.message.emit(f"Could not save {path}: {exc}")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Render when shown."""
        super().showEvent(event)
        self.refresh()
