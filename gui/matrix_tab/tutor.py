"""The Matrix & kernel tab's tutor adapter: "Check my answer" and "Which input?" sub-tabs.

The generic panels come from :mod:`gui.tutor`; this module knows the tab, but only as a
:class:`MatrixTutorHost` (the parts of :class:`gui.matrix_tab.page.MatrixTab` it reads), so the
page imports it and it never imports the page.

Both read the tab's public state (``input_model``, ``kernels``, ``settings``, ``result``) and
change it only the way a user edit does (``push_values`` and the settings controls, inside one
undo macro), so Edit ▸ Undo takes a loaded exercise or a recovered input back in one step.

In practice mode the output cards, the cell explanation (window picture and sum of products),
the worked solution and the solver's target (which follows the first output) are covered with
placeholders until the answer is checked or shown.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from engine.tutor import Diagnosis, Exercise, diagnose_convolution
from gui.services import TutorHost, as_widget
from gui.tutor import CheckAnswerPanel, CheckTarget, Veil, WhichInputPanel, join_tab, read_int

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QTabWidget

    from engine.matrix import MatrixResult
    from gui.matrix_tab.explain_panel import ExplainPanel
    from gui.matrix_tab.kernels_box import KernelsBox
    from gui.matrix_tab.matrix_model import MatrixModel
    from gui.matrix_tab.output_panel import OutputPanel
    from gui.matrix_tab.settings_bar import SettingsBar
    from gui.matrix_tab.side_panels import SolutionPanel, SolverPanel

CONV_TOPICS = ("convolution_valid", "convolution_same", "convolution_stride")
OPERATION_TEXT = {"correlate": "Cross-correlation", "convolve": "True convolution"}


class MatrixTutorHost(TutorHost, Protocol):
    """What the Matrix tutor reads and sets of its tab (:class:`~gui.matrix_tab.page.MatrixTab`)."""

    input_model: MatrixModel
    kernels: KernelsBox
    settings: SettingsBar
    #: The output cards, one per kernel (or per padding when comparing).
    panels: list[OutputPanel]
    result: MatrixResult | None
    bottom: QTabWidget
    explain_panel: ExplainPanel
    solution: SolutionPanel
    solver: SolverPanel

    @property
    def kernel_models(self) -> list[MatrixModel]:
        """The kernels' models, in order."""
        ...

    def layer_mode(self) -> bool:
        """Whether the tab shows one conv layer (several channels) instead of kernels."""
        ...

    def undo_stack(self) -> QUndoStack:
        """The tab's undo stack (a loaded exercise is one macro on it)."""
        ...


class MatrixTutor(QObject):
    """Builds and feeds the Matrix tab's "Check my answer" and "Which input?" panels."""

    def __init__(self, tab: MatrixTutorHost) -> None:
        parent = as_widget(tab)
        super().__init__(parent)
        self.tab = tab
        self._followed: weakref.WeakSet = weakref.WeakSet()  # cards the kernel box follows
        self.kernel_combo = QComboBox(parent)
        self.kernel_combo.setObjectName("checkKernel")
        self.kernel_combo.setToolTip("The kernel whose output you computed")
        self.kernel_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kernel_combo.setMinimumContentsLength(10)
        target = CheckTarget(
            key="convolution",
            label="Convolution output",
            kind="matrix",
            topics=CONV_TOPICS,
            check=self.check,
            describe=self.describe,
            load=self.load,
            problem=lambda: [a.tolist() for a in self._problem()[::2]],
        )
        self.check_panel = CheckAnswerPanel(
            parent, targets=[target], name="matrixCheck", practice=tab.context.practice
        )
        self.check_panel.header.insertWidget(0, QLabel("Kernel", parent))
        self.check_panel.header.insertWidget(1, self.kernel_combo)
        self.kernel_combo.currentIndexChanged.connect(lambda _i: self.check_panel.refresh())
        self.which_input = WhichInputPanel(
            parent, kernels=tab.kernels.named_kernels, settings=self.solve_settings,
            outputs=self._outputs,
        )  # fmt: skip
        self.which_input.use_input.connect(self.use_input)
        join_tab(tab, self.check_panel, self.which_input)
        tab.bottom.addTab(self.check_panel, "Check my answer")
        tab.bottom.addTab(self.which_input, "Which input?")
        self.veil = Veil(self, name="matrixPractice")
        self._cards: list[QWidget] = []  # the output cards covered
        explain = tab.explain_panel
        self.veil.cover(explain.text.parentWidget())  # the window picture and the sum
        self.veil.cover(tab.solution.preview)
        self.veil.cover(tab.solver.target_editor)
        self.check_panel.answer_hidden_changed.connect(self.veil.set_down)
        for signal in (tab.input_model.values_changed, tab.kernels.changed, tab.settings.changed):
            signal.connect(self.refresh)
        self.refresh()

    # --- state of the tab ----------------------------------------------------------------------
    def kernel_index(self) -> int:
        """Index of the chosen kernel (0 when none is chosen)."""
        return max(self.kernel_combo.currentIndex(), 0)

    def _follow_selection(self) -> None:
        """Selecting a cell in a kernel's output card makes that kernel the one checked."""
        for panel in self.tab.panels:
            if panel not in self._followed:
                self._followed.add(panel)
                panel.cell_selected.connect(self._on_cell_selected)

    def _on_cell_selected(self, p: int, _i: int, _j: int) -> None:
        if not self._comparing() and 0 <= p < self.kernel_combo.count():
            self.kernel_combo.setCurrentIndex(p)

    def save_state(self) -> dict[str, Any]:
        """The checked kernel, the check panel and the Which-input boxes (plain JSON)."""
        return {
            "kernel": self.kernel_index(),
            "check": self.check_panel.save_state(),
            "which_input": self.which_input.save_state(),
        }

    def restore_state(self, state: object) -> None:
        """Restore :meth:`save_state` output after the tab's kernels; bad entries are skipped."""
        if not isinstance(state, dict):
            return
        self.refresh()  # one combo entry and one output box per restored kernel
        kernel = read_int(state.get("kernel"), 0, self.kernel_combo.count() - 1)
        if kernel is not None:
            self.kernel_combo.setCurrentIndex(kernel)
        self.check_panel.restore_state(state.get("check"))
        self.which_input.restore_state(state.get("which_input"))

    def refresh(self, *_args) -> None:
        """Follow the tab's kernels and settings."""
        self._follow_selection()
        self._cover_cards()
        names = [name for name, _ in self.tab.kernels.named_kernels()]
        if [self.kernel_combo.itemText(i) for i in range(self.kernel_combo.count())] != names:
            index = self.kernel_combo.currentIndex()
            self.kernel_combo.blockSignals(True)
            self.kernel_combo.clear()
            self.kernel_combo.addItems(names)
            self.kernel_combo.setCurrentIndex(min(max(index, 0), len(names) - 1))
            self.kernel_combo.blockSignals(False)
        self.check_panel.refresh()
        self.which_input.refresh()

    def _cover_cards(self) -> None:
        """Every output card is covered in practice mode; removed cards are forgotten."""
        cards: list[QWidget] = list(self.tab.panels)
        for card in self._cards:
            if all(card is not c for c in cards):
                self.veil.forget(card)
        for card in cards:
            self.veil.cover(card)
        self._cards = cards

    def solve_settings(self) -> dict[str, Any]:
        """Padding, stride, dilation and operation as the engine's tutor functions take them."""
        s = self.tab.settings.conv_settings()
        return {
            "padding": s.padding_spec,
            "stride": s.stride,
            "dilation": s.dilation,
            "operation": s.operation,
        }

    def _problem(self) -> tuple[np.ndarray, str, np.ndarray]:
        if self.tab.layer_mode():
            raise ValueError(
                "Check my answer works in “Matrix & kernels” mode (one input, one kernel)."
            )
        name, kernel = self.tab.kernels.named_kernels()[self.kernel_index()]
        return self.tab.input_model.values, name, kernel

    def describe(self) -> str:
        """What is asked, with the current input, kernel and settings."""
        x, name, k = self._problem()
        s = self.solve_settings()
        pad = s["padding"]
        pad_text = f"{pad} padding" if isinstance(pad, str) else f"zero padding {pad}"
        out = ""
        result = self.tab.result
        index = self.kernel_index()
        if result is not None and not self._comparing() and index < len(result.outputs):
            output = result.outputs[index].output
            if output is not None:
                out = f" → a {output.shape[0]}×{output.shape[1]} output"
        return (
            f"{OPERATION_TEXT[s['operation']]} of the {x.shape[0]}×{x.shape[1]} input with "
            f"{name} ({k.shape[0]}×{k.shape[1]}), {pad_text}, stride {s['stride']}, "
            f"dilation {s['dilation']}{out} (before pooling)."
        )

    def check(self, answer: object) -> Diagnosis:
        """Diagnose ``answer`` as the chosen kernel's output with the tab's settings."""
        x, _name, k = self._problem()
        return diagnose_convolution(x, k, answer, **self.solve_settings())

    def _comparing(self) -> bool:
        """Whether the tab compares paddings of one kernel (its outputs are then per padding)."""
        comparing = getattr(self.tab.settings, "comparing", None)
        return bool(comparing()) if callable(comparing) else False

    def _outputs(self) -> list[tuple[str, np.ndarray | None]]:
        """One ``(name, output or None)`` per kernel, in the kernels' order."""
        result = self.tab.result
        if result is None or result.layer is not None or self._comparing():
            return []
        return [(r.name, r.output) for r in result.outputs]

    # --- changing the tab ----------------------------------------------------------------------
    def load(self, exercise: Exercise) -> None:
        """Set input, chosen kernel and settings from a convolution exercise (one undo step)."""
        inputs = exercise.inputs
        tab = self.tab
        stack = tab.undo_stack()
        stack.beginMacro(f"New exercise (seed {exercise.seed})")
        try:
            bar = tab.settings
            bar.set_choice("mode", "single")
            padding = inputs["padding"]
            if isinstance(padding, str):
                bar.set_choice("padding", padding)
            else:
                bar.set_choice("padding", "custom")
                bar.custom_pad.setValue(int(padding))
            bar.stride.setValue(int(inputs["stride"]))
            bar.dilation.setValue(int(inputs["dilation"]))
            bar.set_choice("operation", inputs["operation"])
            tab.input_model.push_values(np.asarray(inputs["x"]), "Exercise input")
            model = tab.kernel_models[self.kernel_index()]
            model.push_values(np.asarray(inputs["kernel"]), "Exercise kernel", "Exercise K")
        finally:
            stack.endMacro()

    def use_input(self, x: np.ndarray) -> None:
        """Load a recovered input into the tab's input (undoable)."""
        self.tab.input_model.push_values(np.asarray(x), "Use the recovered input")
        self.tab.context.show_status("Loaded the recovered input into the Matrix tab", 4000)


def attach_matrix_tutor(tab: MatrixTutorHost) -> MatrixTutor:
    """Add "Check my answer" and "Which input?" beside the tab's other bottom sub-tabs."""
    return MatrixTutor(tab)
