"""The Layer sizes tab's tutor adapter: check an output size or a parameter count on the "One
layer" page.

The generic panels come from :mod:`gui.tutor`; the tab is seen as a :class:`LayersTutorHost`
(the shared :class:`~gui.services.TutorHost` and its One layer page), so the tab's package
imports this module and this module never imports the tab.

Exercises load through the page's own spin boxes inside one undo macro, so each loaded exercise
is one Edit ▸ Undo step like any other edit of the inputs.

In practice mode the read-outs of output size, parameters and MACs (with their worked formulas),
the CNN-vs-dense comparison, the drawing to scale and the solver's 'same'-padding line are
covered until the answer is checked or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QGroupBox, QVBoxLayout

from engine.layers import same_padding
from engine.tutor import Diagnosis, Exercise, diagnose_output_size, diagnose_param_count
from gui.services import TutorHost, as_widget
from gui.tutor import CheckAnswerPanel, CheckTarget, Veil, join_tab

if TYPE_CHECKING:
    from gui.layers_tab.single_layer import SingleLayerPanel


class LayersTutorHost(TutorHost, Protocol):
    """What the Layer sizes tutor reads of its tab (:class:`gui.layers_tab.LayersTab`)."""

    #: The "One layer" page: its inputs are the exercise's, its read-outs are covered.
    single: SingleLayerPanel


class LayersTutor(QObject):
    """A "Check my answer" box on the One layer page (output height and parameter count)."""

    def __init__(self, tab: LayersTutorHost) -> None:
        super().__init__(as_widget(tab))
        self.tab = tab
        self.page = tab.single
        targets = [
            CheckTarget(
                key="output_size",
                label="Output height H′",
                kind="number",
                topics=("output_size",),
                check=self.check_size,
                describe=self.describe_size,
                load=self.load,
            ),
            CheckTarget(
                key="param_count",
                label="Parameter count",
                kind="number",
                topics=("param_count",),
                check=self.check_params,
                describe=self.describe_params,
                load=self.load,
            ),
        ]
        self.check_panel = CheckAnswerPanel(
            self.page, targets=targets, name="layersCheck", practice=tab.context.practice
        )
        join_tab(tab, self.check_panel)
        self.page.edited.connect(self.check_panel.refresh)
        self.box = QGroupBox("Check my answer", self.page)
        self.box.setObjectName("layersCheckBox")
        box_layout = QVBoxLayout(self.box)
        box_layout.setContentsMargins(4, 4, 4, 4)
        box_layout.addWidget(self.check_panel)
        self.page.add_result_box(self.box)
        page = self.page
        self.veil = Veil(self, name="layersPractice")
        self.veil.cover(page.output_label)  # its placeholder stands for the formulas below too
        for label in (page.formula_h, page.formula_w, page.params_label, page.macs_label):
            self.veil.cover(label, None)
        self.veil.cover(page.dense_label.parentWidget())  # "CNN vs fully connected"
        self.veil.cover(page.drawing.parentWidget())  # the drawing to scale
        self.veil.cover(page.same_label)  # 'same' padding's H′ is the answer when p is 'same'
        self.check_panel.answer_hidden_changed.connect(self.veil.set_down)

    def save_state(self) -> dict[str, Any]:
        """The check panel's target, answer and exercise choice (plain JSON)."""
        return {"check": self.check_panel.save_state()}

    def restore_state(self, state: object) -> None:
        """Restore :meth:`save_state` output; bad entries are skipped."""
        if isinstance(state, dict):
            self.check_panel.restore_state(state.get("check"))

    # --- the page's inputs ---------------------------------------------------------------------
    def _padding(self, v: dict[str, Any]) -> int:
        mode = v["padding_mode"]
        if mode == "valid":
            return 0
        if mode == "number":
            return int(v["padding"])
        before, after = same_padding(v["h"], v["kh"], v["stride"], v["dilation"])
        if before != after:
            raise ValueError(
                f"'same' padding here is uneven ({before} above, {after} below): choose a number "
                "padding to check an answer"
            )
        return before

    def describe_size(self) -> str:
        """The output-size question with the page's numbers."""
        v = self.page.save_state()
        return (
            f"Rows of the output of a {v['h']}-row input, kernel height {v['kh']}, padding "
            f"{self._padding(v)} on each side, stride {v['stride']}, dilation {v['dilation']}."
        )

    def check_size(self, answer: object) -> Diagnosis:
        """Diagnose ``answer`` as the output height H′."""
        v = self.page.save_state()
        return diagnose_output_size(
            v["h"], v["kh"], self._padding(v), v["stride"], v["dilation"], answer
        )

    def describe_params(self) -> str:
        """The parameter-count question with the page's numbers."""
        v = self.page.save_state()
        bias = "with a bias per filter" if v["bias"] else "no bias"
        groups = f", groups = {v['groups']}" if v["groups"] != 1 else ""
        return (
            f"Trainable parameters of {v['filters']} filters of {v['kh']}×{v['kw']} over "
            f"{v['c']} input channel(s), {bias}{groups}."
        )

    def check_params(self, answer: object) -> Diagnosis:
        """Diagnose ``answer`` as the layer's parameter count."""
        v = self.page.save_state()
        return diagnose_param_count(
            v["filters"],
            (v["kh"], v["kw"]),
            v["c"],
            answer,
            bias=v["bias"],
            groups=v["groups"],
        )

    def load(self, exercise: Exercise) -> None:
        """Set the page's inputs from an output-size or parameter exercise (one undo step)."""
        i = exercise.inputs
        if exercise.topic == "output_size":
            values = [
                ("h", i["size"]),
                ("w", i["size"]),
                ("kh", i["kernel"]),
                ("kw", i["kernel"]),
                ("padding", i["padding"]),
                ("stride", i["stride"]),
                ("dilation", i["dilation"]),
            ]
            mode, bias = "number", None
        else:
            # groups = 1 first, the exercise's groups last: every step in between is a valid layer
            values = [
                ("groups", 1),
                ("c", i["channels"]),
                ("filters", i["filters"]),
                ("kh", i["kernel"]),
                ("kw", i["kernel"]),
                ("groups", i["groups"]),
            ]
            mode, bias = None, bool(i["bias"])
        stack = self.page.undo_stack
        stack.beginMacro(f"New exercise (seed {exercise.seed})")
        try:
            if mode is not None:
                self.page.padding_mode.setCurrentText(mode)
            for name, value in values:
                self.page.spins[name].setValue(int(value))
            if bias is not None:
                self.page.bias.setChecked(bias)
        finally:
            stack.endMacro()


def attach_layers_tutor(tab: LayersTutorHost) -> LayersTutor:
    """Add a "Check my answer" box to the tab's One layer page."""
    return LayersTutor(tab)
