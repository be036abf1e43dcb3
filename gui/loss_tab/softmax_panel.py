"""Softmax & cross-entropy panel: logits in; probabilities, Jacobian, loss, gradient out."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.checks import is_int
from engine.loss import (
    cross_entropy_from_logits,
    cross_entropy_grad,
    logit_sweep,
    max_abs_error,
    numerical_gradient,
    numerical_jacobian,
    parse_vector,
    softmax,
    softmax_derivation_html,
    softmax_jacobian,
    target_vector,
)
from engine.text import format_vector as fmt_vector
from gui.loss_tab.common import (
    Coalescer,
    DerivationView,
    message_label,
    readout_label,
    show_message,
)
from gui.loss_tab.logit_editor import LogitEditor
from gui.loss_tab.softmax_plots import GradientPlot, JacobianHeatmap, ProbabilityPlot, SweepPlot
from gui.widgets.panels import ControlsViewsPanel

SWEEP_HALF_WIDTH = 10.0
SWEEP_POINTS = 201


class SoftmaxPanel(ControlsViewsPanel):
    """Editable logits and target; every number derived from them is plotted and checked.

    Signals
    -------
    edited()
        The user changed something :meth:`save_state` records.
    updated()
        The plots and read-outs were recomputed.
    """

    edited = Signal()
    updated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._target = np.array([1.0, 0.0, 0.0])
        self._coalescer = Coalescer(self, self.recompute)
        self.editor = LogitEditor(self)
        logit_box = QGroupBox("Logits z", self.controls)
        QVBoxLayout(logit_box).addWidget(self.editor)
        self.add_controls(
            logit_box,
            self._build_target_box(self.controls),
            self._build_readouts(self.controls),
        )

        self.probability_plot = ProbabilityPlot(self)
        self.jacobian_plot = JacobianHeatmap(self)
        self.gradient_plot = GradientPlot(self)
        self.sweep_plot = SweepPlot(self)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.probability_plot.widget)
        top.addWidget(self.jacobian_plot.widget)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.gradient_plot.widget)
        bottom.addWidget(self.sweep_plot.widget)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(top)
        plots.addWidget(bottom)
        self.derivation = DerivationView(self, object_name="softmaxDerivation")
        self.views = QTabWidget(self)
        self.views.setObjectName("softmaxViews")
        self.views.addTab(plots, "Plots")
        self.views.addTab(self.derivation, "Step-by-step derivation")
        self.set_views(self.views)

        self.editor.logits_changed.connect(self._on_input)
        self.editor.class_count_changed.connect(self._on_class_count)
        self.recompute()

    # -- construction ---------------------------------------------------------------------------
    def _build_target_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Target y", parent)
        self.index_radio = QRadioButton("Class index (from 0)", box)
        self.index_radio.setObjectName("targetIndexRadio")
        self.soft_radio = QRadioButton("Soft labels", box)
        self.soft_radio.setObjectName("targetSoftRadio")
        self.index_radio.setChecked(True)
        group = QButtonGroup(box)
        group.addButton(self.index_radio)
        group.addButton(self.soft_radio)
        self.class_spin = QSpinBox(box)
        self.class_spin.setObjectName("targetClass")
        self.class_spin.setRange(0, 2)
        # Counted from 0, as the tables, the worksheets, the Train tab's digits and numpy do.
        self.class_spin.setToolTip("The true class, counted from 0 (0 … K − 1): y is one-hot")
        self.soft_edit = QLineEdit("0.7, 0.2, 0.1", box)
        self.soft_edit.setObjectName("softLabels")
        self.soft_edit.setToolTip(
            "K numbers ≥ 0 that sum to 1, separated by commas or spaces (fractions like 1/3 work)"
        )
        self.soft_edit.setEnabled(False)
        self.target_error = message_label(box, "targetError")
        form = QFormLayout(box)
        form.addRow(self.index_radio, self.class_spin)
        form.addRow(self.soft_radio, self.soft_edit)
        form.addRow(self.target_error)
        self.index_radio.toggled.connect(self._on_target_mode)
        self.class_spin.valueChanged.connect(lambda _v: self._on_target_input())
        self.soft_edit.editingFinished.connect(self._on_target_input)
        return box

    def _build_readouts(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Numbers", parent)
        self.loss_label = readout_label(box, "lossLabel")
        self.jacobian_check_label = readout_label(box, "jacobianCheckLabel")
        self.gradient_check_label = readout_label(box, "gradientCheckLabel")
        self.gradient_label = readout_label(box, "gradientLabel")
        self.sweep_spin = QSpinBox(box)
        self.sweep_spin.setObjectName("sweepIndex")
        self.sweep_spin.setRange(0, 2)
        self.sweep_spin.setPrefix("z")
        self.sweep_spin.setToolTip("Which logit the loss curve sweeps (±10 around its value)")
        form = QFormLayout(box)
        form.addRow(self.loss_label)
        form.addRow(self.gradient_label)
        form.addRow(self.jacobian_check_label)
        form.addRow(self.gradient_check_label)
        form.addRow("Sweep logit", self.sweep_spin)
        self.sweep_spin.valueChanged.connect(lambda _v: self._on_input())
        return box

    # -- state ----------------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """Plain-JSON state: logits, temperature, target, sweep index."""
        return {
            "logits": self.editor.logits(),
            "temperature": self.editor.temperature(),
            "target_mode": "soft" if self.soft_radio.isChecked() else "index",
            "target_index": self.class_spin.value(),
            "soft_labels": self.soft_edit.text(),
            "sweep_index": self.sweep_spin.value(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state`; missing or bad entries keep the current values."""
        logits = state.get("logits")
        if isinstance(logits, list) and all(isinstance(v, (int, float)) for v in logits):
            finite = [float(v) for v in logits if np.isfinite(v)]
            if len(finite) == len(logits) and len(logits) >= 2:
                self.editor.set_logits(finite)
        temperature = state.get("temperature")
        if isinstance(temperature, (int, float)) and np.isfinite(temperature) and temperature > 0:
            self.editor.set_temperature(float(temperature))
        if isinstance(state.get("soft_labels"), str):
            self.soft_edit.setText(state["soft_labels"])
        index = state.get("target_index")
        if is_int(index):
            self.class_spin.setValue(index)
        sweep = state.get("sweep_index")
        if is_int(sweep):
            self.sweep_spin.setValue(sweep)
        mode = state.get("target_mode")
        if mode in ("soft", "index"):
            (self.soft_radio if mode == "soft" else self.index_radio).setChecked(True)
        self._on_target_input(emit=False)
        self.recompute()

    def target(self) -> np.ndarray:
        """The last valid target vector."""
        return self._target.copy()

    def shutdown(self) -> None:
        """Stop the pending recomputation timer."""
        self._coalescer.stop()

    def flush(self) -> None:
        """Run a pending (coalesced) recomputation now."""
        self._coalescer.flush()

    # -- slots ----------------------------------------------------------------------------------
    @Slot()
    def _on_input(self) -> None:
        self._coalescer.request()
        self.edited.emit()

    @Slot(int)
    def _on_class_count(self, k: int) -> None:
        self.class_spin.setMaximum(k - 1)
        self.sweep_spin.setMaximum(k - 1)
        if self.soft_radio.isChecked():
            self._resize_soft_labels(k)
        self._on_target_input(emit=False)

    def _resize_soft_labels(self, k: int) -> None:
        """Keep soft labels usable when K changes: pad with zeros / drop the tail, renormalise."""
        try:
            values = parse_vector(self.soft_edit.text(), name="soft labels")
        except ValueError:
            return
        if values.size == k:
            return
        resized = np.zeros(k)
        resized[: min(k, values.size)] = values[:k]
        if resized.sum() <= 0 or np.any(resized < 0):
            resized = np.full(k, 1.0 / k)
        resized = resized / resized.sum()
        self.soft_edit.setText(", ".join(f"{v:.6g}" for v in resized))

    @Slot(bool)
    def _on_target_mode(self, index_mode: bool) -> None:
        self.class_spin.setEnabled(index_mode)
        self.soft_edit.setEnabled(not index_mode)
        if not index_mode:
            self._resize_soft_labels(len(self.editor.logits()))
        self._on_target_input()

    def _on_target_input(self, emit: bool = True) -> None:
        """Validate the target; on error show why and keep the last good target."""
        k = len(self.editor.logits())
        try:
            if self.index_radio.isChecked():
                target = target_vector(self.class_spin.value(), k)
            else:
                values = parse_vector(self.soft_edit.text(), name="soft labels")
                target = target_vector(values, k)
        except ValueError as exc:
            show_message(self.target_error, f"{exc}. Keeping the last valid target.")
            if self._target.size != k:  # K changed under an invalid entry: fall back to one-hot
                self._target = target_vector(min(self.class_spin.value(), k - 1), k)
                self._coalescer.request()
            return
        show_message(self.target_error, None)
        self._target = target
        self._coalescer.request()
        if emit:
            self.edited.emit()

    # -- computation ----------------------------------------------------------------------------
    @Slot()
    def recompute(self) -> None:
        """Recompute every number from the logits, temperature and last valid target."""
        z = np.asarray(self.editor.logits())
        t = self.editor.temperature()
        y = self._target if self._target.size == z.size else target_vector(0, z.size)
        p = softmax(z, temperature=t)
        jac = softmax_jacobian(z, temperature=t)
        jac_fd = numerical_jacobian(lambda v: softmax(v, temperature=t), z)
        loss = cross_entropy_from_logits(z, y, temperature=t)
        grad = cross_entropy_grad(z, y, temperature=t)
        grad_fd = numerical_gradient(lambda v: cross_entropy_from_logits(v, y, temperature=t), z)
        index = min(self.sweep_spin.value(), z.size - 1)
        values = np.linspace(z[index] - SWEEP_HALF_WIDTH, z[index] + SWEEP_HALF_WIDTH, SWEEP_POINTS)
        losses, slopes = logit_sweep(z, y, index, values, temperature=t)

        self.probability_plot.update(p, y)
        self.jacobian_plot.update(jac)
        self.gradient_plot.update(grad, grad_fd)
        self.sweep_plot.update(index, values, losses, slopes, float(z[index]))
        self.loss_label.setText(f"Cross-entropy L = {loss:.6f}")
        rows = [fmt_vector(grad[i : i + 4], 3)[1:-1] for i in range(0, grad.size, 4)]
        self.gradient_label.setText("∂L/∂z = [" + ",\n         ".join(rows) + "]")
        self.jacobian_check_label.setText(
            f"Jacobian: max |J − J_fd| = {max_abs_error(jac, jac_fd):.2e}"
        )
        self.gradient_check_label.setText(
            f"Gradient: max |g − g_fd| = {max_abs_error(grad, grad_fd):.2e}"
        )
        self.derivation.set_derivation(softmax_derivation_html(z, y, temperature=t))
        self.updated.emit()
