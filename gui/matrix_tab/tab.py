"""The Matrix & kernel tab: input and kernel editors, outputs side by side, explanations."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.conv.filters import get_filter
from engine.conv.layer import layer_param_formula
from engine.conv.pooling import pool2d, pool_formula_text
from engine.matrix.compute import compute_layer_outputs, compute_outputs, display_values
from engine.matrix.export import layer_worked_solution, worked_solution
from gui.context import AppContext
from gui.matrix_tab.explain_panel import ExplainPanel
from gui.matrix_tab.kernel_editor import KernelEditor
from gui.matrix_tab.layer_panel import LayerPanel
from gui.matrix_tab.matrix_editor import MatrixEditor
from gui.matrix_tab.matrix_model import ListCommand, MatrixModel
from gui.matrix_tab.output_panel import OutputPanel
from gui.matrix_tab.settings_bar import SettingsBar, SettingsCommand
from gui.matrix_tab.side_panels import SolutionPanel, SolverPanel
from gui.matrix_tab.tab_explain import ExplainMixin
from gui.matrix_tab.tab_state import TabStateMixin
from gui.widgets import TabPage

DEFAULT_INPUT = np.array(
    [
        [3, 3, 2, 1, 0, 0, 1],
        [0, 0, 1, 3, 1, 2, 0],
        [3, 1, 2, 2, 3, 1, 2],
        [2, 0, 0, 2, 2, 3, 1],
        [2, 0, 0, 0, 1, 0, 2],
        [1, 2, 3, 0, 1, 2, 0],
        [0, 1, 1, 2, 2, 0, 3],
    ],
    dtype=np.int64,
)
DEFAULT_KERNELS = ("sobel_x", "prewitt_y", "laplacian4")
MAX_KERNELS = 6


def _scroll(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class MatrixTab(ExplainMixin, TabStateMixin, TabPage):
    """Type or paste a matrix and kernels; see, explain and export the exact outputs."""

    def __init__(self, parent: QWidget | None = None, *, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self._stack = QUndoStack(self)
        self._stack.setObjectName("matrixUndoStack")
        self._updating = False
        self._applying = False
        self._settings_state: dict | None = None
        self._focus: tuple[int, int, int] | None = None
        self._results: list = []
        self.kernel_models: list[MatrixModel] = []
        self.kernel_editors: list[KernelEditor] = []
        self.panels: list[OutputPanel] = []

        self.settings = SettingsBar(self)
        self.settings.undo_button.setText("Undo")
        self.settings.redo_button.setText("Redo")
        self.settings.undo_button.clicked.connect(self._stack.undo)
        self.settings.redo_button.clicked.connect(self._stack.redo)
        self._stack.canUndoChanged.connect(self._update_undo_buttons)
        self._stack.canRedoChanged.connect(self._update_undo_buttons)
        self._stack.indexChanged.connect(self._update_undo_buttons)
        self.settings.changed.connect(self._on_settings_changed)
        self.op_note = self.settings.note

        # Single-channel page: input editor and kernel editors.
        self.input_model = MatrixModel(DEFAULT_INPUT, title="input", undo_stack=self._stack)
        self.input_model.values_changed.connect(self.recompute)
        self.input_editor = MatrixEditor(
            self.input_model,
            self,
            name="inputEditor",
            heading="Input matrix",
            max_side=64,
            image_source=lambda: self.context.current_image,
        )
        self.input_editor.message.connect(self._status)
        kernels_box = QGroupBox("Kernels", self)
        kernels_box.setObjectName("kernelsBox")
        self.kernels_layout = QVBoxLayout(kernels_box)
        self.kernels_layout.setContentsMargins(4, 4, 4, 4)
        self.add_kernel_button = QPushButton("+ Add kernel", kernels_box)
        self.add_kernel_button.setObjectName("addKernelButton")
        self.add_kernel_button.setToolTip(f"Up to {MAX_KERNELS} kernels, each with its own output")
        self.add_kernel_button.clicked.connect(lambda: self.add_kernel())
        self.kernels_layout.addWidget(self.add_kernel_button)
        single = QWidget(self)
        single_layout = QVBoxLayout(single)
        single_layout.setContentsMargins(4, 4, 4, 4)
        single_layout.addWidget(self.input_editor)
        single_layout.addWidget(kernels_box)
        single_layout.addStretch(1)

        self.layer_panel = LayerPanel(
            self, undo_stack=self._stack, image_source=lambda: self.context.current_image
        )
        self.layer_panel.changed.connect(self.recompute)
        self.layer_panel.message.connect(self._status)
        self.left = QStackedWidget(self)
        self.left.setObjectName("editorStack")
        self.left.addWidget(_scroll(single, "singleScroll"))
        self.left.addWidget(_scroll(self.layer_panel, "layerScroll"))
        self.left.setMinimumWidth(360)

        # Outputs side by side.
        self.outputs_title = QLabel(self)
        self.outputs_title.setObjectName("outputsTitle")
        self.outputs_title.setWordWrap(True)
        self.outputs_title.setStyleSheet("font-weight: 600;")
        outputs = QWidget(self)
        self.outputs_layout = QHBoxLayout(outputs)
        self.outputs_layout.setContentsMargins(4, 4, 4, 4)
        self.outputs_layout.addStretch(1)
        self.outputs_scroll = _scroll(outputs, "outputsScroll")
        out_box = QWidget(self)
        out_box_layout = QVBoxLayout(out_box)
        out_box_layout.setContentsMargins(0, 0, 0, 0)
        out_box_layout.addWidget(self.outputs_title)
        out_box_layout.addWidget(self.outputs_scroll, 1)

        self.explain_panel = ExplainPanel(self)
        self.explain_panel.step_requested.connect(self.step)
        self.explain_panel.channel_spin.valueChanged.connect(self._refresh_focus)
        self.solver = SolverPanel(
            self, undo_stack=self._stack, problem=self._solver_problem, outputs=self._named_outputs
        )
        self.solver.use_kernel.connect(lambda name, k: self.add_kernel(name, k))
        self.solver.message.connect(self._status)
        self.solution = SolutionPanel(self, render=self.worked_solution)
        self.solution.message.connect(self._status)
        self.bottom = QTabWidget(self)
        self.bottom.setObjectName("bottomTabs")
        self.bottom.addTab(self.explain_panel, "Explain a cell")
        self.bottom.addTab(self.solver, "Which filter is this?")
        self.bottom.addTab(self.solution, "Worked solution && export")

        right = QSplitter(Qt.Orientation.Vertical, self)
        right.setObjectName("rightSplitter")
        right.addWidget(out_box)
        right.addWidget(self.bottom)
        # Equal shares: the outputs rarely need more than half, and the explanation's padded
        # input and sum-of-products text were cramped (scroll bars) in a 750 px high window.
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        right.setSizes([400, 400])
        right.setChildrenCollapsible(False)
        main = QSplitter(Qt.Orientation.Horizontal, self)
        main.setObjectName("mainSplitter")
        main.addWidget(self.left)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        main.setSizes([430, 970])
        main.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.settings)
        layout.addWidget(main, 1)

        self._stack.indexChanged.connect(self._on_stack_index)
        for key in DEFAULT_KERNELS:
            item = get_filter(key)
            self.insert_item(
                len(self.kernel_models), self._new_kernel_model(item.name, item.kernel)
            )
        self._on_settings_changed()
        if self._results and self._results[0].output is not None:
            self.solver.target_model.apply(self._results[0].output, "Target output")
        self._stack.clear()
        self._update_undo_buttons()
        if self.panels:
            self.panels[0].select_cell(0, 0)

    # --- kernels (list owner for ListCommand) ---------------------------------------------------
    def _new_kernel_model(self, name: str, values: np.ndarray) -> MatrixModel:
        model = MatrixModel(np.array(values), title=name, undo_stack=self._stack)
        return model

    def insert_item(self, index: int, model: MatrixModel) -> None:
        """Show kernel ``model`` at ``index`` (ListCommand calls this)."""
        editor = KernelEditor(
            model,
            self,
            name=f"kernelEditor{id(model) % 100000}",
            image_source=lambda: self.context.current_image,
        )
        editor.remove_requested.connect(self.remove_kernel)
        editor.send_requested.connect(self._send_to_gallery)
        editor.message.connect(self._status)
        model.values_changed.connect(self.recompute)
        model.title_changed.connect(self.recompute)
        self.kernel_models.insert(index, model)
        self.kernel_editors.insert(index, editor)
        self.kernels_layout.insertWidget(index, editor)
        self._renumber_kernels()
        self.recompute()

    def remove_item(self, index: int) -> MatrixModel:
        """Remove the kernel at ``index`` and return its model (ListCommand calls this)."""
        model = self.kernel_models.pop(index)
        editor = self.kernel_editors.pop(index)
        model.values_changed.disconnect(self.recompute)
        model.title_changed.disconnect(self.recompute)
        editor.hide()
        self.kernels_layout.removeWidget(editor)
        editor.deleteLater()
        self._renumber_kernels()
        self.recompute()
        return model

    def _renumber_kernels(self) -> None:
        for i, editor in enumerate(self.kernel_editors):
            editor.setObjectName(f"kernelEditor{i}")
            editor.remove_button.setEnabled(len(self.kernel_editors) > 1)
        self.add_kernel_button.setEnabled(len(self.kernel_editors) < MAX_KERNELS)

    def add_kernel(self, name: str | None = None, values: np.ndarray | None = None) -> None:
        """Add a kernel (identity 3×3 by default) as one undoable step."""
        if len(self.kernel_models) >= MAX_KERNELS:
            self._status(f"At most {MAX_KERNELS} kernels")
            return
        if values is None:
            item = get_filter("identity")
            name, values = item.name, np.array(item.kernel)
        model = self._new_kernel_model(name or "Kernel", values)
        index = len(self.kernel_models)
        self._stack.push(ListCommand(self, "insert", index, model, f"Add kernel {name}"))

    def remove_kernel(self, model: MatrixModel) -> None:
        """Remove a kernel as one undoable step (the last one stays)."""
        if len(self.kernel_models) <= 1 or model not in self.kernel_models:
            return
        index = self.kernel_models.index(model)
        self._stack.push(ListCommand(self, "remove", index, model, f"Remove {model.title}"))

    def kernel_editor(self, index: int) -> KernelEditor:
        """The editor of kernel ``index``."""
        return self.kernel_editors[index]

    def _send_to_gallery(self, name: str, values: np.ndarray) -> None:
        self.context.send_kernel(name, values)
        self._status(f"Sent {name} to the Filter gallery")

    # --- computing -------------------------------------------------------------------------------
    def _on_settings_changed(self) -> None:
        new = self.settings.save_state()
        old = self._settings_state
        self._settings_state = new
        if old is not None and old != new and not self._updating and not self._applying:
            self._stack.push(SettingsCommand(self, old, new))
        layer = self.settings.mode.currentData() == "layer"
        self.left.setCurrentIndex(1 if layer else 0)
        self.explain_panel.channel_spin.setVisible(layer)
        self.recompute()
        if not self._updating:
            self.state_changed.emit()

    def apply_settings(self, state: dict) -> None:
        """Set every control from ``state`` (undo/redo of a settings change)."""
        self._applying = True
        try:
            self.settings.restore_state(state)
            self._on_settings_changed()
        finally:
            self._applying = False

    def layer_mode(self) -> bool:
        """True in conv-layer mode."""
        return self.settings.mode.currentData() == "layer"

    def _ensure_panels(self, count: int) -> None:
        while len(self.panels) < count:
            panel = OutputPanel(len(self.panels), self)
            panel.cell_hovered.connect(lambda p, i, j: self.explain_cell(p, i, j, select=False))
            panel.cell_selected.connect(lambda p, i, j: self.explain_cell(p, i, j, select=True))
            panel.pool_cell_selected.connect(self.explain_pool_cell)
            panel.message.connect(self._status)
            self.outputs_layout.insertWidget(self.outputs_layout.count() - 1, panel)
            self.panels.append(panel)
        while len(self.panels) > count:
            panel = self.panels.pop()
            panel.hide()
            self.outputs_layout.removeWidget(panel)
            panel.deleteLater()

    def recompute(self, *_args) -> None:
        """Recompute every output from the current editors and settings."""
        if self._updating:
            return
        settings = self.settings.conv_settings()
        display = self.settings.display.currentData()
        if self.layer_mode():
            x, w, bias = self.layer_panel.arrays()
            self._results = compute_layer_outputs(x, w, bias, settings)
            k = w.shape[2:]
            self.outputs_title.setText(
                f"{w.shape[0]} output map(s), one per filter · parameters N·(k·k·C + 1) = "
                f"{layer_param_formula(k, x.shape[0], w.shape[0])}"
            )
        else:
            kernels = [
                (editor.display_name(), model.values)
                for editor, model in zip(self.kernel_editors, self.kernel_models, strict=True)
            ]
            self._results = compute_outputs(self.input_model.values, kernels, settings)
            self.outputs_title.setText(f"Outputs — {settings.describe()}")
        self._ensure_panels(len(self._results))
        pooling = self.settings.pooling()
        for panel, res in zip(self.panels, self._results, strict=True):
            if res.output is None:
                panel.set_result(res.name, "", "", None, None, res.error or "")
                panel.set_pooled(None, "")
                continue
            formula = f"rows: {res.row_formula}\ncolumns: {res.col_formula}"
            shown = display_values(res.output, display)
            panel.set_result(res.heading, formula, res.floor_note, res.output, shown)
            panel.set_pooled(*self._pooled(res.output, pooling))
        self.solver.refresh_sources()
        self.solution.refresh()
        self._refresh_focus()

    def _pooled(self, output: np.ndarray, pooling) -> tuple[np.ndarray | None, str]:
        if pooling is None:
            return None, ""
        mode, size, stride = pooling
        label = "Max" if mode == "max" else "Average"
        if size > min(output.shape):
            oh, ow = output.shape
            return None, f"{label} pooling {size}×{size} does not fit this {oh}×{ow} output"
        pooled = pool2d(output, size, stride, mode)
        rows = pool_formula_text(output.shape[0], size, stride)
        cols = pool_formula_text(output.shape[1], size, stride)
        return pooled, f"{label} pool {size}×{size}, stride {stride}\nrows: {rows}\ncolumns: {cols}"

    # --- solver / export helpers ---------------------------------------------------------------
    def _solver_problem(self):
        return self.input_model.values, self.settings.conv_settings()

    def _named_outputs(self) -> list[tuple[str, np.ndarray]]:
        if self.layer_mode():
            return []
        return [(r.name, r.output) for r in self._results if r.output is not None]

    def worked_solution(self, fmt: str) -> str:
        """The whole worked solution in ``fmt`` (as shown in the export panel)."""
        settings = self.settings.conv_settings()
        try:
            if self.layer_mode():
                x, w, bias = self.layer_panel.arrays()
                return layer_worked_solution(x, w, bias, settings, fmt)
            return worked_solution(
                self.input_model.values,
                self._results,
                settings,
                fmt,
                pooling=self.settings.pooling(),
            )
        except ValueError as exc:
            return f"Cannot write the worked solution: {exc}\n"

    def _update_undo_buttons(self, *_args) -> None:
        for button, able, text in (
            (self.settings.undo_button, self._stack.canUndo(), self._stack.undoText()),
            (self.settings.redo_button, self._stack.canRedo(), self._stack.redoText()),
        ):
            button.setEnabled(able)
            button.setToolTip(
                f"{button.text()}: {text}" if able else f"Nothing to {button.text().lower()}"
            )

    def _on_stack_index(self, _index: int) -> None:
        if not self._updating:
            self.state_changed.emit()

    def _status(self, message: str) -> None:
        self.context.show_status(message, 4000)

    # --- TabPage interface ---------------------------------------------------------------------
    def undo_stack(self) -> QUndoStack:
        """The tab's undo stack: every matrix edit, paste, fill and kernel change."""
        return self._stack

    def deactivate(self) -> None:
        """Pause step playback while the tab is hidden."""
        self.explain_panel.stop()

    def shutdown(self) -> None:
        """Stop the step timer."""
        self.explain_panel.stop()
