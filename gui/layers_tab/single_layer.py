"""One conv layer: inputs, formulas with the user's numbers, warnings, inverse solver, drawing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.checks import is_int
from engine.layers import (
    SINGLE_LAYER_RANGES,
    LayerExplanation,
    check_single_layer_state,
    describe_solutions,
    explain_layer,
    same_padding,
    solve_kernel,
    solve_padding,
    solve_stride,
)
from gui.colours import tone_box
from gui.layers_tab.layer_drawing import LayerDrawing
from gui.widgets.panels import ControlsColumn
from gui.widgets.spin_boxes import int_spin

PADDING_MODES = ("number", "valid", "same")

# name, label, minimum, maximum (the engine's table), default, tooltip
SPINS = (
    ("h", "Height H", *SINGLE_LAYER_RANGES["h"], 7, "input rows"),
    ("w", "Width W", *SINGLE_LAYER_RANGES["w"], 7, "input columns"),
    ("c", "Channels C", *SINGLE_LAYER_RANGES["c"], 3, "input channels"),
    ("kh", "Kernel kh", *SINGLE_LAYER_RANGES["kh"], 3, "kernel rows"),
    ("kw", "Kernel kw", *SINGLE_LAYER_RANGES["kw"], 3, "kernel columns"),
    ("padding", "Padding p", *SINGLE_LAYER_RANGES["padding"], 0, "zeros added on each side"),
    ("stride", "Stride s", *SINGLE_LAYER_RANGES["stride"], 2, "step between windows (both axes)"),
    (
        "dilation",
        "Dilation d",
        *SINGLE_LAYER_RANGES["dilation"],
        1,
        "spacing between kernel taps (both axes)",
    ),
    (
        "filters",
        "Filters N",
        *SINGLE_LAYER_RANGES["filters"],
        4,
        "output channels = number of kernels",
    ),
    (
        "groups",
        "Groups",
        *SINGLE_LAYER_RANGES["groups"],
        1,
        "channel groups; groups = C is a depthwise convolution",
    ),
    (
        "wanted",
        "Wanted H′",
        *SINGLE_LAYER_RANGES["wanted"],
        7,
        "output rows you want; the solver lists what gives it",
    ),
)


def ratio_text(ratio: float) -> str:
    """A parameter ratio with thousands separators and one decimal unless it is whole:
    ``126,871`` (not ``126,871.0``), ``2.5``."""
    text = f"{ratio:,.1f}"
    return text[:-2] if text.endswith(".0") else text


class _InputsCommand(QUndoCommand):
    """Undoable change of the one-layer inputs; successive edits of the same field merge
    (typing "224" is one step)."""

    def __init__(self, panel: SingleLayerPanel, before: dict, after: dict, changed: tuple):
        super().__init__(f"Change {', '.join(changed)}")
        self._panel, self.before, self.after, self.changed = panel, before, after, changed
        self._done = False

    def id(self) -> int:  # noqa: D102 - Qt override
        return 2

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802, D102 - Qt override
        if not isinstance(other, _InputsCommand) or other.changed != self.changed:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:  # noqa: D102 - Qt override
        if self._done:  # the first redo happens on push, after the user already made the edit
            self._panel._restore_from_undo(self.after)
        self._done = True

    def undo(self) -> None:  # noqa: D102 - Qt override
        self._panel._restore_from_undo(self.before)


def _label(name: str, *, big: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if big:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        label.setFont(font)
    return label


class SingleLayerPanel(QWidget):
    """Inputs of one ``Conv2d`` and everything :func:`engine.explain_layer` says about it.

    Signals
    -------
    edited()
        After the user changed any input (also by undo/redo).
    reveal_requested()
        Undo/redo changed the inputs: show this page.
    """

    edited = Signal()

    reveal_requested = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, undo_stack: QUndoStack | None = None
    ) -> None:
        super().__init__(parent)
        self.spins: dict[str, QSpinBox] = {}
        self.explanation: LayerExplanation | None = None
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self._loading = False
        self._build()
        self._recompute()
        self._last_state = self.save_state()

    def _build(self) -> None:
        inputs = QGroupBox("Input and layer")
        form = QFormLayout(inputs)
        for name, _text, low, high, default, tip in SPINS:
            spin = int_spin(None, f"spin_{name}", low, high, default, tip)
            spin.valueChanged.connect(self._on_edited)
            self.spins[name] = spin
        self.padding_mode = QComboBox()
        self.padding_mode.setObjectName("comboPaddingMode")
        self.padding_mode.addItems(PADDING_MODES)
        self.padding_mode.setToolTip(
            "number: p zeros per side · valid: no padding · same: output ⌈H/s⌉ "
            "(TensorFlow SAME; odd totals put the extra zero at the bottom/right)"
        )
        self.padding_mode.currentIndexChanged.connect(self._on_edited)
        self.bias = QCheckBox("bias (one per filter)")
        self.bias.setObjectName("checkBias")
        self.bias.setChecked(True)
        self.bias.toggled.connect(self._on_edited)
        self.depthwise = QPushButton("Depthwise (groups = C, N = C)")
        self.depthwise.setObjectName("buttonDepthwise")
        self.depthwise.clicked.connect(self._make_depthwise)
        for name in ("h", "w", "c"):
            form.addRow(SPINS[[s[0] for s in SPINS].index(name)][1], self.spins[name])
        kernel_row = QHBoxLayout()
        kernel_row.addWidget(self.spins["kh"])
        kernel_row.addWidget(QLabel("×"))
        kernel_row.addWidget(self.spins["kw"])
        form.addRow("Kernel kh × kw", kernel_row)
        padding_row = QHBoxLayout()
        padding_row.addWidget(self.padding_mode)
        padding_row.addWidget(self.spins["padding"])
        form.addRow("Padding", padding_row)
        for name in ("stride", "dilation", "filters", "groups"):
            form.addRow(SPINS[[s[0] for s in SPINS].index(name)][1], self.spins[name])
        form.addRow("", self.bias)
        form.addRow("", self.depthwise)

        solver = QGroupBox("Inverse solver (rows; columns work the same way)")
        solver_layout = QVBoxLayout(solver)
        wanted_row = QFormLayout()
        wanted_row.addRow("Wanted output H′", self.spins["wanted"])
        solver_layout.addLayout(wanted_row)
        self.solve_label = _label("labelSolve")
        self.same_label = _label("labelSame")
        self.apply_same = QPushButton("Use the 'same' padding")
        self.apply_same.setObjectName("buttonApplySame")
        self.apply_same.clicked.connect(self._apply_same)
        solver_layout.addWidget(self.solve_label)
        solver_layout.addWidget(self.same_label)
        solver_layout.addWidget(self.apply_same)
        solver_layout.addStretch(1)

        left = QVBoxLayout()
        left.addWidget(inputs)
        left.addWidget(solver, 1)

        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.output_label = _label("labelOutput", big=True)
        self.formula_h = _label("labelFormulaH")
        self.formula_w = _label("labelFormulaW")
        self.params_label = _label("labelParams")
        self.macs_label = _label("labelMacs")
        self.rf_label = _label("labelReceptiveField")
        for label in (self.formula_h, self.formula_w, self.params_label, self.macs_label):
            label.setFont(mono)
        self.warning_label = _label("labelWarnings")
        self.error_label = _label("labelLayerError")
        # Boxes tinted from the palette's tones, re-tinted on every theme switch.
        tone_box(self.warning_label, "warning", padding=6)
        tone_box(self.error_label, "error", padding=6)
        results = QGroupBox("Output size, parameters and MACs")
        rl = QVBoxLayout(results)
        for widget in (self.output_label, self.formula_h, self.formula_w, self.params_label):
            rl.addWidget(widget)
        rl.addWidget(self.macs_label)
        rl.addWidget(self.rf_label)
        rl.addWidget(self.error_label)
        rl.addWidget(self.warning_label)
        self.dense_label = _label("labelDense")
        self.dense_label.setFont(mono)
        self.ratio_label = _label("labelRatio")
        dense = QGroupBox("CNN vs fully connected (same input and output sizes)")
        dl = QVBoxLayout(dense)
        dl.addWidget(self.dense_label)
        dl.addWidget(self.ratio_label)
        self.drawing = LayerDrawing()
        drawing = QGroupBox(
            "To scale: input (grey = padding, red = never covered) → kernel → output"
        )
        QVBoxLayout(drawing).addWidget(self.drawing)
        right = QVBoxLayout()
        right.addWidget(results)
        right.addWidget(dense)
        right.addWidget(drawing, 1)
        self._results_column = right
        self._drawing_box = drawing

        layout = QHBoxLayout(self)
        left_box = QWidget()
        left_box.setLayout(left)
        layout.addWidget(ControlsColumn(self, left_box))
        # The results scroll too: boxes added below them (the tutor's) or long warnings must
        # not push the window's minimum height past the screen.
        right_box = QWidget()
        right_box.setObjectName("singleLayerResults")
        right_box.setLayout(right)
        results_scroll = QScrollArea(self)
        results_scroll.setWidget(right_box)
        results_scroll.setWidgetResizable(True)
        results_scroll.setFrameShape(QFrame.Shape.NoFrame)
        results_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(results_scroll, 1)

    def add_result_box(self, box: QWidget) -> None:
        """Show ``box`` among the results: below "CNN vs fully connected", above the drawing
        to scale (which gives up the height). The tutor's "Check my answer" box goes here."""
        self._results_column.insertWidget(self._results_column.indexOf(self._drawing_box), box)

    # -- state -------------------------------------------------------------------------------

    def save_state(self) -> dict[str, Any]:
        """All inputs as plain JSON types."""
        values: dict[str, Any] = {name: spin.value() for name, spin in self.spins.items()}
        values["padding_mode"] = self.padding_mode.currentText()
        values["bias"] = self.bias.isChecked()
        return values

    def restore_state(self, state: object) -> list[str]:
        """Restore :meth:`save_state` output; unknown keys are ignored, and a value a spin box
        cannot hold is skipped (never clamped or overflowed): returns a note on each skip."""
        if not isinstance(state, dict):
            return []
        state, notes = check_single_layer_state(state)
        self._loading = True
        try:
            for name, spin in self.spins.items():
                value = state.get(name)
                if is_int(value):
                    spin.setValue(value)  # checked against the table above: within range
            mode = state.get("padding_mode")
            if mode in PADDING_MODES:
                self.padding_mode.setCurrentText(mode)
            if isinstance(state.get("bias"), bool):
                self.bias.setChecked(state["bias"])
        finally:
            self._loading = False
        self._recompute()
        self._last_state = self.save_state()
        return notes

    def _restore_from_undo(self, state: dict[str, Any]) -> None:
        self.restore_state(state)
        self.reveal_requested.emit()
        self.edited.emit()

    # -- slots -------------------------------------------------------------------------------
    @Slot()
    def _on_edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._recompute()
        after = self.save_state()
        changed = tuple(sorted(k for k in after if after[k] != self._last_state.get(k)))
        if changed:
            self.undo_stack.push(_InputsCommand(self, self._last_state, after, changed))
            self._last_state = after
        self.edited.emit()

    @Slot()
    def _make_depthwise(self) -> None:
        c = self.spins["c"].value()
        self._loading = True
        self.spins["filters"].setValue(c)
        self.spins["groups"].setValue(c)
        self._loading = False
        self._on_edited()

    @Slot()
    def _apply_same(self) -> None:
        v = self.save_state()
        before, after = same_padding(v["h"], v["kh"], v["stride"], v["dilation"])
        if before == after and same_padding(v["w"], v["kw"], v["stride"], v["dilation"]) == (
            before,
            after,
        ):
            self._loading = True
            self.padding_mode.setCurrentText("number")
            self.spins["padding"].setValue(before)
            self._loading = False
            self._on_edited()
        else:
            self.padding_mode.setCurrentText("same")

    def _padding_arg(self, v: dict[str, Any]) -> int | str:
        return v["padding"] if v["padding_mode"] == "number" else v["padding_mode"]

    def _recompute(self) -> None:
        v = self.save_state()
        self.spins["padding"].setEnabled(v["padding_mode"] == "number")
        try:
            e = explain_layer(
                v["h"],
                v["w"],
                v["c"],
                (v["kh"], v["kw"]),
                padding=self._padding_arg(v),
                stride=v["stride"],
                dilation=v["dilation"],
                filters=v["filters"],
                bias=v["bias"],
                groups=v["groups"],
            )
        except ValueError as exc:  # e.g. groups not dividing C: keep the last good result shown
            self.error_label.setText(f"⚠ {exc}. The figures below are for the last valid layer.")
            self.error_label.show()
            return
        self.explanation = e
        self._show(e, v)

    def _show(self, e: LayerExplanation, v: dict[str, Any]) -> None:
        out = e.output_shape
        if out is None:
            self.output_label.setText("Output: none — the kernel does not fit")
        else:
            self.output_label.setText(f"Output: {out[0]} × {out[1]} × {out[2]}  (H′ × W′ × N)")
        self.formula_h.setText(e.rows.formula)
        self.formula_w.setText(e.cols.formula)
        self.params_label.setText(f"Parameters: {e.params_formula}")
        self.macs_label.setText(f"MACs: {e.macs_formula}")
        self.rf_label.setVisible(out is not None)
        self.rf_label.setText(
            f"Each output sees a {e.rows.effective_kernel}×{e.cols.effective_kernel} patch "
            f"(receptive field d(k−1)+1) of {v['c'] // v['groups']} channel(s); neighbouring "
            f"outputs are {e.rows.stride} input pixels apart (jump)."
        )
        self.error_label.setText("\n".join(f"⚠ {p}" for p in e.problems))
        self.error_label.setVisible(bool(e.problems))
        self.warning_label.setText("\n".join(f"• {w}" for w in e.warnings))
        self.warning_label.setVisible(bool(e.warnings))
        if e.dense_params is None or e.ratio is None:
            self.dense_label.setText("Dense layer: — (no output to connect to)")
            self.ratio_label.setText("")
        else:
            self.dense_label.setText(f"Dense: {e.dense_formula}\nConv:  {e.params:,}")
            self.ratio_label.setText(
                f"A fully connected layer would need <b>{ratio_text(e.ratio)}×</b> the parameters: "
                f"the conv layer shares one {v['kh']}×{v['kw']} kernel per filter across all "
                f"{out[0] * out[1]:,} output positions and looks only at a local patch."
                if out
                else ""
            )
        self._show_solver(v)
        self.drawing.set_explanation(e)

    def _show_solver(self, v: dict[str, Any]) -> None:
        n, k, s, d, want = v["h"], v["kh"], v["stride"], v["dilation"], v["wanted"]
        p = self.explanation.rows.pad_before if self.explanation else 0
        pads = solve_padding(n, k, want, stride=s, dilation=d)
        strides = solve_stride(n, k, want, padding=p, dilation=d)
        stride_text = describe_solutions(strides)
        if want == 1 and strides:
            stride_text = f"≥ {strides[0]}"
        kernels = solve_kernel(n, want, stride=s, padding=p, dilation=d)
        self.solve_label.setText(
            f"For H = {n} and H′ = {want}:\n"
            f"• padding p (k={k}, s={s}, d={d}): {describe_solutions(pads)}\n"
            f"• stride s (k={k}, p={p}, d={d}): {stride_text}\n"
            f"• kernel k (s={s}, p={p}, d={d}): {describe_solutions(kernels)}"
        )
        before, after = same_padding(n, k, s, d)
        how = (
            f"padding={before} on each side"
            if before == after
            else f"{before} top + {after} bottom (odd total: PyTorch padding='same' or F.pad)"
        )
        self.same_label.setText(
            f"'same' (H′ = ⌈{n}/{s}⌉ = {-(-n // s)}): {how}; total = (H′−1)·s + d(k−1) + 1 − H "
            f"= {before + after}"
        )
