"""Gradient-descent panel: an animated descent on a two-weight ridge problem."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.checks import is_real
from engine.loss import DescentPath, descent_scene, gradient_descent, two_weight_problem
from engine.text import format_short as fmt
from engine.text import format_vector as fmt_vector
from gui.loss_tab.common import (
    Coalescer,
    message_label,
    readout_label,
    show_message,
)
from gui.loss_tab.descent_plots import ContourPlot, LossCurvePlot
from gui.widgets.panels import ControlsViewsPanel
from gui.widgets.spin_boxes import float_spin, int_spin

#: Animation frame interval; a run shows at most ~FRAMES frames, whatever the step count.
FRAME_MS = 30
FRAMES = 90


class DescentPanel(ControlsViewsPanel):
    """Problem and descent settings on the left; contours and loss curve on the right.

    Signals
    -------
    edited()
        The user changed a setting :meth:`save_state` records.
    finished()
        An animated run reached its last step (or the step where it diverged).
    """

    edited = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: DescentPath | None = None
        self.shown_steps = 0
        self._coalescer = Coalescer(self, self.recompute)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._advance)
        self.add_controls(
            self._build_problem_box(self.controls),
            self._build_descent_box(self.controls),
            self._build_progress_box(self.controls),
        )
        self.contour_plot = ContourPlot(self)
        self.loss_plot = LossCurvePlot(self)
        plots = QSplitter(Qt.Orientation.Horizontal, self)
        plots.addWidget(self.contour_plot.widget)
        plots.addWidget(self.loss_plot.widget)
        # two thirds for the contours: their two-column legend was cut off at 1100 px
        plots.setSizes([680, 340])
        plots.setStretchFactor(0, 2)
        plots.setStretchFactor(1, 1)
        self.set_views(plots)
        self.recompute()

    # -- construction ---------------------------------------------------------------------------
    def _build_problem_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Two-weight problem  y ≈ w₁x₁ + w₂x₂", parent)
        self.n_spin = int_spin(box, "descentN", 5, 1000, 40, "Number of samples n")
        self.corr_spin = float_spin(
            box,
            "descentCorrelation",
            -0.95,
            0.95,
            0.8,
            "Correlation of x₁ and x₂: high values stretch the contours into narrow ellipses",
            decimals=2,
            step=0.05,
        )
        self.noise_spin = float_spin(
            box, "descentNoise", 0.0, 2.0, 0.3, "Noise σ on y", decimals=2, step=0.05
        )
        self.seed_spin = int_spin(box, "descentSeed", 0, 99_999, 0, "Random seed")
        self.lambda_spin = float_spin(
            box,
            "descentLambda",
            0.0,
            10.0,
            0.3,
            "λ of the loss (1/n)‖Xw − y‖² + λ‖w‖²",
            decimals=4,
            step=0.05,
        )
        self.penalty_check = QCheckBox("Contours include λ‖w‖²", box)
        self.penalty_check.setObjectName("contoursIncludePenalty")
        self.penalty_check.setChecked(True)
        self.penalty_check.setToolTip(
            "Off: contours of the data term only; the ridge point w* is then where a contour "
            "touches the L2 circle"
        )
        form = QFormLayout(box)
        form.addRow("Samples n", self.n_spin)
        form.addRow("Correlation ρ", self.corr_spin)
        form.addRow("Noise σ", self.noise_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow("λ", self.lambda_spin)
        form.addRow(self.penalty_check)
        for spin in (self.n_spin, self.seed_spin):
            spin.valueChanged.connect(self._on_setting)
        for dspin in (self.corr_spin, self.noise_spin, self.lambda_spin):
            dspin.valueChanged.connect(self._on_setting)
        self.penalty_check.toggled.connect(self._on_setting)
        return box

    def _build_descent_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Gradient descent  w ← w − η∇L(w)", parent)
        self.rate_spin = float_spin(
            box, "learningRate", 0.0001, 10.0, 0.2, "Learning rate η", decimals=4, step=0.01
        )
        self.steps_spin = int_spin(box, "descentSteps", 1, 5000, 100, "Number of updates")
        self.start1_spin = float_spin(
            box, "startW1", -10.0, 10.0, -2.0, "Start w₁", decimals=2, step=0.25
        )
        self.start2_spin = float_spin(
            box, "startW2", -10.0, 10.0, 3.0, "Start w₂", decimals=2, step=0.25
        )
        self.rate_warning = message_label(box, "learningRateWarning", warning=True)
        self.rule_label = QLabel(box)
        self.rule_label.setObjectName("descentRule")
        self.rule_label.setWordWrap(True)
        self.rule_label.setTextFormat(Qt.TextFormat.RichText)
        self.run_button = QPushButton("Run", box)
        self.run_button.setObjectName("runDescentButton")
        self.step_button = QPushButton("Step", box)
        self.step_button.setObjectName("stepDescentButton")
        self.end_button = QPushButton("Show all", box)
        self.end_button.setObjectName("finishDescentButton")
        self.reset_button = QPushButton("Reset", box)
        self.reset_button.setObjectName("resetDescentButton")
        # Two by two: in one row the four buttons set the column's width and squeezed the
        # contour plot's legend at 1100 px.
        buttons = QGridLayout()
        for index, button in enumerate(
            (self.run_button, self.step_button, self.end_button, self.reset_button)
        ):
            buttons.addWidget(button, index // 2, index % 2)
        form = QFormLayout(box)
        form.addRow("Learning rate η", self.rate_spin)
        form.addRow(self.rate_warning)
        form.addRow("Steps", self.steps_spin)
        form.addRow("Start w₁", self.start1_spin)
        form.addRow("Start w₂", self.start2_spin)
        form.addRow(buttons)
        form.addRow(self.rule_label)
        for dspin in (self.rate_spin, self.start1_spin, self.start2_spin):
            dspin.valueChanged.connect(self._on_setting)
        self.steps_spin.valueChanged.connect(self._on_setting)
        self.run_button.clicked.connect(self.toggle_run)
        self.step_button.clicked.connect(lambda: self._show(self.shown_steps + 1))
        self.end_button.clicked.connect(self.show_all)
        self.reset_button.clicked.connect(self.reset)
        return box

    def _build_progress_box(self, parent: QWidget) -> QGroupBox:
        # A plain vertical layout: multi-line labels in a QFormLayout were clipped.
        box = QGroupBox("Progress", parent)
        self.iteration_label = readout_label(box, "descentIterationLabel")
        self.loss_label = readout_label(box, "descentLossLabel")
        self.distance_label = readout_label(box, "descentDistanceLabel")
        self.status_label = QLabel(box)
        self.status_label.setObjectName("descentStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setMinimumHeight(2 * self.status_label.fontMetrics().height())
        layout = QVBoxLayout(box)
        for label in (self.iteration_label, self.loss_label, self.distance_label):
            layout.addWidget(label)
        layout.addWidget(self.status_label)
        return box

    # -- public API ----------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """Plain-JSON descent settings."""
        return {
            "n": self.n_spin.value(),
            "correlation": self.corr_spin.value(),
            "noise": self.noise_spin.value(),
            "seed": self.seed_spin.value(),
            "lambda": self.lambda_spin.value(),
            "contours_include_penalty": self.penalty_check.isChecked(),
            "learning_rate": self.rate_spin.value(),
            "steps": self.steps_spin.value(),
            "start": [self.start1_spin.value(), self.start2_spin.value()],
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state`; missing or bad entries keep the current values."""
        self.stop()
        numbers = {
            "n": self.n_spin,
            "seed": self.seed_spin,
            "steps": self.steps_spin,
            "correlation": self.corr_spin,
            "noise": self.noise_spin,
            "lambda": self.lambda_spin,
            "learning_rate": self.rate_spin,
        }
        for key, spin in numbers.items():
            value = state.get(key)
            if not is_real(value):
                continue
            if not math.isfinite(value):
                continue
            if isinstance(spin, QSpinBox):
                spin.setValue(int(value))
            elif isinstance(spin, QDoubleSpinBox):
                spin.setValue(float(value))
        start = state.get("start")
        if isinstance(start, list) and len(start) == 2:
            for value, spin in zip(start, (self.start1_spin, self.start2_spin), strict=True):
                if is_real(value):
                    spin.setValue(float(value))
        if isinstance(state.get("contours_include_penalty"), bool):
            self.penalty_check.setChecked(state["contours_include_penalty"])
        self.recompute()

    def is_running(self) -> bool:
        """Whether the animation timer is running."""
        return self.timer.isActive()

    @Slot()
    def toggle_run(self) -> None:
        """Start (from the beginning if finished) or pause the animation."""
        if self.timer.isActive():
            self.stop()
            return
        self.flush()
        if self.path is None:
            return
        if self.shown_steps >= self.path.weights.shape[0] - 1:
            self._show(0)
        self.timer.start()
        self.run_button.setText("Pause")

    def stop(self) -> None:
        """Pause the animation (keeps the current step)."""
        self.timer.stop()
        self.run_button.setText("Run")

    @Slot()
    def show_all(self) -> None:
        """Jump to the last step."""
        self.stop()
        if self.path is not None:
            self._show(self.path.weights.shape[0] - 1)

    @Slot()
    def reset(self) -> None:
        """Back to the start point."""
        self.stop()
        self._show(0)

    def shutdown(self) -> None:
        """Stop the animation and coalescing timers."""
        self.stop()
        self._coalescer.stop()

    def flush(self) -> None:
        """Run a pending (coalesced) recomputation now."""
        self._coalescer.flush()

    # -- slots ----------------------------------------------------------------------------------
    @Slot()
    def _on_setting(self) -> None:
        self.stop()
        self._coalescer.request()
        self.edited.emit()

    @Slot()
    def _advance(self) -> None:
        if self.path is None:
            self.stop()
            return
        last = self.path.weights.shape[0] - 1
        per_frame = max(1, math.ceil(last / FRAMES))
        self._show(min(last, self.shown_steps + per_frame))
        if self.shown_steps >= last:
            self.stop()
            self.finished.emit()

    # -- computation ----------------------------------------------------------------------------
    @Slot()
    def recompute(self) -> None:
        """Regenerate the problem, run the whole descent, redraw, and show step 0."""
        X, y, _ = two_weight_problem(
            self.n_spin.value(),
            correlation=self.corr_spin.value(),
            noise=self.noise_spin.value(),
            seed=self.seed_spin.value(),
        )
        lam = self.lambda_spin.value()
        path = gradient_descent(
            X,
            y,
            lam,
            w0=[self.start1_spin.value(), self.start2_spin.value()],
            learning_rate=self.rate_spin.value(),
            steps=self.steps_spin.value(),
        )
        self.path = path
        scene = descent_scene(X, y, lam, path, include_penalty=self.penalty_check.isChecked())
        self.contour_plot.set_scene(scene, path)
        self.loss_plot.set_path(path)
        eta_max = path.max_stable_rate
        self.rule_label.setText(
            "w ← w − η[(2/n)Xᵀ(Xw − y) + 2λw]. Converges for every start iff "
            f"0 &lt; η &lt; 2/λ<sub>max</sub>(H) = {fmt(eta_max)}, H = (2/n)XᵀX + 2λI."
        )
        if self.rate_spin.value() >= eta_max:
            show_message(
                self.rate_warning,
                f"η = {fmt(self.rate_spin.value())} ≥ 2/λmax(H) = {fmt(eta_max)}: "
                "the iterates will oscillate with growing amplitude (diverge).",
            )
        else:
            show_message(self.rate_warning, None)
        self._show(0)

    def _show(self, k: int) -> None:
        path = self.path
        if path is None:
            return
        last = path.weights.shape[0] - 1
        k = max(0, min(k, last))
        self.shown_steps = k
        self.contour_plot.show_steps(path.weights[: k + 1])
        self.loss_plot.show_steps(path.losses[: k + 1])
        w = path.weights[k]
        distance = float(((w - path.minimiser) ** 2).sum() ** 0.5)
        self.iteration_label.setText(f"step {k} / {self.steps_spin.value()}")
        self.loss_label.setText(f"L(w_k) = {path.losses[k]:.6g}\nL(w*)  = {path.min_loss:.6g}")
        self.distance_label.setText(
            f"w_k = {fmt_vector(w)}\nw*  = {fmt_vector(path.minimiser)}\n"
            f"‖w_k − w*‖ = {distance:.3e}"
        )
        if path.diverged and k == last:
            status = f"Diverged after {last} steps: the loss exceeded 10¹² × its start."
        elif k == last and distance < 1e-6 * max(1.0, float((path.minimiser**2).sum() ** 0.5)):
            status = "Converged to the closed-form point w*."
        elif k == last:
            status = "Not yet converged: more steps or a larger η (below the limit)."
        else:
            status = ""
        self.status_label.setText(status)
