"""The Matrix & kernel tab page: editors on the left, outputs and explanations on the right.

One-way flow: any edit or settings change calls :meth:`MatrixTab.recompute`, which makes one
engine call (:func:`engine.matrix.compute_matrix` / ``compute_layer`` / ``compare_paddings``) and
hands the one :class:`~engine.matrix.MatrixResult` to the output cards, the explainer, the solver
and the export panel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.conv import get_filter
from engine.matrix import (
    SHEET_FORMULA_NOTE,
    SIZE_FORMULA_LINE,
    MatrixResult,
    compare_paddings,
    compute_backward,
    compute_layer,
    compute_matrix,
    geometry_for,
    worked_solution,
)
from gui.colours import tone_label
from gui.context import AppContext
from gui.matrix_tab.explain_panel import ExplainPanel
from gui.matrix_tab.explainer import CellExplainer
from gui.matrix_tab.flow_layout import FlowLayout
from gui.matrix_tab.gradient_box import GradientBox
from gui.matrix_tab.kernel_editor import KernelEditor
from gui.matrix_tab.kernels_box import MAX_KERNELS, KernelsBox
from gui.matrix_tab.layer_panel import LayerPanel
from gui.matrix_tab.matrix_editor import MatrixEditor
from gui.matrix_tab.matrix_model import MatrixModel
from gui.matrix_tab.output_panel import OutputPanel
from gui.matrix_tab.settings_bar import SettingsBar, SettingsCommand
from gui.matrix_tab.side_panels import SolutionPanel, SolverPanel
from gui.matrix_tab.state import (
    MAX_INPUT_SIDE,
    STATE_VERSION,
    read_kernels,
    read_matrix,
)
from gui.matrix_tab.tutor import attach_matrix_tutor
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
__all__ = ["DEFAULT_INPUT", "DEFAULT_KERNELS", "MAX_KERNELS", "MatrixTab"]


def _scroll(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class MatrixTab(TabPage):
    """Type or paste a matrix and kernels; see, explain and export the exact outputs."""

    def __init__(self, parent: QWidget | None = None, *, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self._stack = QUndoStack(self)
        self._stack.setObjectName("matrixUndoStack")
        self._updating = False
        self._applying = False
        self._settings_state: dict | None = None
        #: The one result of the last recompute (None before the first).
        self.result: MatrixResult | None = None
        self.panels: list[OutputPanel] = []

        self.settings = SettingsBar(self)
        self.settings.undo_button.setText("Undo")
        self.settings.redo_button.setText("Redo")
        self.settings.undo_button.clicked.connect(self._stack.undo)
        self.settings.redo_button.clicked.connect(self._stack.redo)
        for signal in (
            self._stack.canUndoChanged,
            self._stack.canRedoChanged,
            self._stack.indexChanged,
        ):
            signal.connect(self._update_undo_buttons)
        self.settings.changed.connect(self._on_settings_changed)
        self.op_note = self.settings.note

        image = lambda: self.context.current_image  # noqa: E731 (shared by several editors)
        self.input_model = MatrixModel(DEFAULT_INPUT, title="input", undo_stack=self._stack)
        self.input_model.values_changed.connect(self.recompute)
        self.input_editor = MatrixEditor(
            self.input_model,
            self,
            name="inputEditor",
            heading="Input matrix",
            max_side=MAX_INPUT_SIDE,
            image_source=image,
        )
        self.input_editor.message.connect(self._status)
        self.kernels = KernelsBox(self, undo_stack=self._stack, image_source=image)
        self.kernels.changed.connect(self.recompute)
        self.kernels.send_requested.connect(self._send_to_gallery)
        self.kernels.message.connect(self._status)
        self.add_kernel_button = self.kernels.add_button
        single = QWidget(self)
        single_layout = QVBoxLayout(single)
        single_layout.setContentsMargins(4, 4, 4, 4)
        single_layout.addWidget(self.input_editor)
        self.gradient = GradientBox(self, undo_stack=self._stack)
        self.gradient.model.values_changed.connect(self.recompute)
        self.gradient.hide()
        single_layout.addWidget(self.gradient)
        single_layout.addWidget(self.kernels)
        single_layout.addStretch(1)

        self.layer_panel = LayerPanel(self, undo_stack=self._stack, image_source=image)
        self.layer_panel.changed.connect(self.recompute)
        self.layer_panel.message.connect(self._status)
        self.left = QStackedWidget(self)
        self.left.setObjectName("editorStack")
        self.left.addWidget(_scroll(single, "singleScroll"))
        self.left.addWidget(_scroll(self.layer_panel, "layerScroll"))
        self.left.setMinimumWidth(360)

        self.outputs_title = QLabel(self)
        self.outputs_title.setObjectName("outputsTitle")
        self.outputs_title.setWordWrap(True)
        self.outputs_title.setStyleSheet("font-weight: 600;")
        self.size_note = QLabel(SIZE_FORMULA_LINE, self)
        self.size_note.setObjectName("sizeFormulaNote")
        self.size_note.setWordWrap(True)
        self.size_note.setToolTip(SHEET_FORMULA_NOTE)
        tone_label(self.size_note, "hint")
        outputs = QWidget(self)
        # Cards keep the size of their whole matrix and wrap to the next row (never cut off).
        self.outputs_layout = FlowLayout(outputs)
        self.outputs_layout.setContentsMargins(4, 4, 4, 4)
        self.outputs_scroll = _scroll(outputs, "outputsScroll")
        out_box = QWidget(self)
        out_box_layout = QVBoxLayout(out_box)
        out_box_layout.setContentsMargins(0, 0, 0, 0)
        out_box_layout.addWidget(self.outputs_title)
        out_box_layout.addWidget(self.size_note)
        out_box_layout.addWidget(self.outputs_scroll, 1)

        self.explain_panel = ExplainPanel(self)
        self.explainer = CellExplainer(
            self.explain_panel,
            result=lambda: self.result,
            panels=lambda: self.panels,
            input_models=self._input_models,
            gradient_model=lambda: self.gradient.model,
        )
        self.solver = SolverPanel(
            self, undo_stack=self._stack, problem=self._solver_problem, outputs=self._named_outputs
        )
        self.solver.use_kernel.connect(lambda name, k: self.kernels.add_kernel(name, k))
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
        # The explanation (padded input, window picture, text) gets a little more than half:
        # the output cards wrap and scroll, the window picture should not.
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 5)
        right.setSizes([400, 500])
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
        self._updating = True  # one recompute after all default kernels are in
        for key in DEFAULT_KERNELS:
            item = get_filter(key)
            self.kernels.insert_item(
                len(self.kernels.models), self.kernels.new_model(item.name, item.kernel)
            )
        self._updating = False
        self._on_settings_changed()
        self.solver.link_to(0)  # the solver starts on the first output, and follows it
        self._stack.clear()
        self._update_undo_buttons()
        if self.panels:
            self.panels[0].select_cell(0, 0)
        self.tutor = attach_matrix_tutor(self)  # "Check my answer" and "Which input?" sub-tabs

    # --- kernels -------------------------------------------------------------------------------
    @property
    def kernel_models(self) -> list[MatrixModel]:
        """The kernels' models, in order."""
        return self.kernels.models

    @property
    def kernel_editors(self) -> list[KernelEditor]:
        """The kernels' editors, in order."""
        return self.kernels.editors

    def kernel_editor(self, index: int) -> KernelEditor:
        """The editor of kernel ``index``."""
        return self.kernels.editors[index]

    def add_kernel(self, name: str | None = None, values: np.ndarray | None = None) -> None:
        """Add a kernel (identity 3×3 by default) as one undoable step."""
        self.kernels.add_kernel(name, values)

    def _send_to_gallery(self, name: str, values: np.ndarray) -> None:
        self.context.send_kernel(name, values)
        self._status(f"Sent {name} to the Filter gallery")

    def _input_models(self) -> list[MatrixModel]:
        if self.layer_mode():
            return list(self.layer_panel.channel_models)
        return [self.input_model]

    # --- settings --------------------------------------------------------------------------------
    def _on_settings_changed(self) -> None:
        new = self.settings.save_state()
        old = self._settings_state
        self._settings_state = new
        if old is not None and old != new and not self._updating and not self._applying:
            self._stack.push(SettingsCommand(self, old, new))
        layer = self.layer_mode()
        self.left.setCurrentIndex(1 if layer else 0)
        self.explain_panel.channel_spin.setVisible(layer)
        self.gradient.setVisible(self.settings.backward_pass())
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

    # --- computing -------------------------------------------------------------------------------
    def compute(self) -> MatrixResult:
        """The one engine call for the current editors and settings."""
        settings = self.settings.conv_settings()
        options = {
            "display": self.settings.display.currentData(),
            "pooling": self.settings.pooling(),
        }
        if self.layer_mode():
            x, w, bias = self.layer_panel.arrays()
            return compute_layer(x, w, bias, settings, **options)
        kernels = self.kernels.named_kernels()
        self.settings.set_kernel_names([name for name, _ in kernels])
        index = min(max(self.settings.compare_kernel.currentIndex(), 0), len(kernels) - 1)
        name, kernel = kernels[index]
        x = self.input_model.values
        if self.settings.comparing():
            return compare_paddings(x, name, kernel, settings, **options)
        if self.settings.backward_pass():
            try:
                shape = geometry_for(x.shape, kernel.shape, settings).output_shape
            except ValueError:  # the kernel does not fit: its card says why
                return compute_matrix(x, [(name, kernel)], settings, **options)
            self._updating = True  # G follows Y's shape: one recompute, not two
            try:
                self.gradient.fit_shape(shape)
            finally:
                self._updating = False
            return compute_backward(x, name, kernel, self.gradient.model.values, settings)
        return compute_matrix(x, kernels, settings, **options)

    def recompute(self, *_args) -> None:
        """Recompute every output from the current editors and settings."""
        if self._updating:
            return
        self.result = self.compute()
        self.outputs_title.setText(self.result.title)
        self._ensure_panels(len(self.result.outputs))
        for panel, res in zip(self.panels, self.result.outputs, strict=True):
            panel.show_output(res)
        self.solver.refresh_sources()
        self.solution.refresh()
        self.explainer.refresh()

    def _ensure_panels(self, count: int) -> None:
        while len(self.panels) < count:
            panel = OutputPanel(len(self.panels), self)
            self.explainer.connect_panel(panel)
            panel.message.connect(self._status)
            self.outputs_layout.addWidget(panel)
            self.panels.append(panel)
        while len(self.panels) > count:
            panel = self.panels.pop()
            panel.hide()
            self.outputs_layout.removeWidget(panel)
            panel.deleteLater()

    # --- solver / export -----------------------------------------------------------------------
    def _solver_problem(self):
        return self.input_model.values, self.settings.conv_settings()

    def _named_outputs(self) -> list[tuple[str, np.ndarray | None]]:
        if self.result is None or self.result.layer is not None:
            return []
        return [(r.name, r.output) for r in self.result.outputs]

    def worked_solution(self, fmt: str) -> str:
        """The whole worked solution in ``fmt`` (as shown in the export panel)."""
        if self.result is None:
            return ""
        try:
            return worked_solution(self.result, fmt)
        except ValueError as exc:
            return f"Cannot write the worked solution: {exc}\n"

    # --- undo ------------------------------------------------------------------------------------
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
    def save_state(self) -> dict[str, Any]:
        """Input, kernels (name and values), settings, the layer, solver and export format."""
        return {
            "version": STATE_VERSION,
            "settings": self.settings.save_state(),
            "input": self.input_model.values.tolist(),
            "kernels": self.kernels.save_state(),
            "layer": self.layer_panel.save_state(),
            "solver": self.solver.save_state(),
            "solution": self.solution.save_state(),
            "gradient": self.gradient.model.values.tolist(),
            "tutor": self.tutor.save_state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; missing or bad entries keep the current value.

        Restoring is not an undoable edit: the undo stack is cleared afterwards.
        """
        if not isinstance(state, dict):
            return
        self.explain_panel.stop()
        self._updating = True
        try:
            refused: list[str] = []
            if isinstance(state.get("settings"), dict):
                self.settings.restore_state(state["settings"], refused)
            values = read_matrix(state.get("input"), MAX_INPUT_SIDE, refused, name="input")
            if values is not None:
                self.input_model.apply(values, self.input_model.title)
            kernels = read_kernels(state.get("kernels"), refused)
            if kernels:
                self.kernels.replace_all(kernels)
            if isinstance(state.get("layer"), dict):
                self.layer_panel.restore_state(state["layer"])
            # Version 1 kept the solver's and export panel's parts at the top level.
            solver = state.get("solver")
            if not isinstance(solver, dict):
                solver = {"target": state.get("solver_target"), "size": state.get("solver_size")}
            self.solver.restore_state(solver)
            solution = state.get("solution")
            if not isinstance(solution, dict):
                solution = {"format": state.get("solution_format")}
            self.solution.restore_state(solution)
            gradient = read_matrix(state.get("gradient"), MAX_INPUT_SIDE, refused, name="∂L/∂O")
            if gradient is not None:
                self.gradient.model.apply(gradient, self.gradient.model.title)
        finally:
            self._updating = False
        if refused:  # the same limits as typing: kept the current values and say why
            self.context.show_status(f"Matrix & kernel: {'; '.join(refused)}", 0)
        self._stack.clear()
        self._settings_state = None  # restoring is not an undoable settings change
        self._on_settings_changed()
        self.tutor.restore_state(state.get("tutor"))  # after the kernels: one box per kernel

    def undo_stack(self) -> QUndoStack:
        """The tab's undo stack: every matrix edit, paste, fill and kernel change."""
        return self._stack

    def deactivate(self) -> None:
        """Pause step playback while the tab is hidden."""
        self.explain_panel.stop()

    def shutdown(self) -> None:
        """Stop the step timer."""
        self.explain_panel.stop()
