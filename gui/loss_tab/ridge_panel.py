"""Regularisation panel: polynomial ridge regression on generated or CSV data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QSlider,
    QSplitter,
    QTabWidget,
    QWidget,
)

from engine.checks import is_int, is_real
from engine.loss import (
    PolynomialRidgeReport,
    RegressionData,
    parse_vector,
    polynomial_ridge_report,
    ridge_derivation_html,
)
from engine.text import format_short as fmt
from gui.loss_tab.common import (
    Coalescer,
    DerivationView,
    message_label,
    readout_label,
    show_message,
)
from gui.loss_tab.ridge_data import DataBox
from gui.loss_tab.ridge_plots import CoefficientPlot, ErrorPlot, FitPlot
from gui.widgets.panels import ControlsViewsPanel
from gui.widgets.spin_boxes import int_spin

#: λ slider: position p ↦ λ = 10^(LOG_MIN + p / STEPS_PER_DECADE).
LOG_MIN, LOG_MAX, STEPS_PER_DECADE = -8, 2, 10
DEFAULT_LAMBDA = 1e-4
#: Largest λ that can be typed (beyond it every weight is ~0 anyway).
MAX_LAMBDA = 1e6


def lambda_from_position(position: int) -> float:
    """λ for a slider position (log scale, 1e−8…1e2)."""
    return 10.0 ** (LOG_MIN + position / STEPS_PER_DECADE)


def position_from_lambda(lam: float) -> int:
    """Nearest slider position for λ > 0."""
    p = round((math.log10(lam) - LOG_MIN) * STEPS_PER_DECADE)
    return max(0, min((LOG_MAX - LOG_MIN) * STEPS_PER_DECADE, p))


class RidgePanel(ControlsViewsPanel):
    """Data, polynomial degree and λ on the left; fit, errors, path and derivation on the right.

    Signals
    -------
    edited()
        The user changed something :meth:`save_state` records.
    updated()
        Plots and read-outs were recomputed.
    """

    edited = Signal()
    updated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: RegressionData | None = None
        self._lam = DEFAULT_LAMBDA  # λ > 0 shown when the λ = 0 box is off (slider or typed value)
        self.report: PolynomialRidgeReport | None = None
        self._coalescer = Coalescer(self, self.recompute)
        self.data_box = DataBox(self.controls)
        self.data_box.data_changed.connect(self._on_data_setting)
        self.add_controls(self.data_box, self._build_model_box(self.controls))

        self.fit_plot = FitPlot(self)
        self.error_plot = ErrorPlot(self)
        self.coefficient_plot = CoefficientPlot(self)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.error_plot.widget)
        bottom.addWidget(self.coefficient_plot.widget)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.fit_plot.widget)
        plots.addWidget(bottom)
        plots.setSizes([500, 400])
        self.derivation = DerivationView(self, object_name="ridgeDerivation")
        self.views = QTabWidget(self)
        self.views.setObjectName("ridgeViews")
        self.views.addTab(plots, "Fit and λ sweep")
        self.views.addTab(self.derivation, "Closed-form derivation")
        self.set_views(self.views)
        self._data = self.data_box.data()
        self._show_lambda_text()
        self.recompute()

    # -- construction ---------------------------------------------------------------------------
    def _build_model_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Model: (1/n)‖Xw − y‖² + λ‖w‖²", parent)
        self.degree_spin = int_spin(
            box, "polyDegree", 0, 20, 9, "Polynomial degree d (d + 1 weights)"
        )
        self.lambda_slider = QSlider(Qt.Orientation.Horizontal, box)
        self.lambda_slider.setObjectName("lambdaSlider")
        self.lambda_slider.setRange(0, (LOG_MAX - LOG_MIN) * STEPS_PER_DECADE)
        self.lambda_slider.setValue(position_from_lambda(DEFAULT_LAMBDA))
        self.lambda_slider.setToolTip("λ on a log scale from 1e−8 to 100")
        self.lambda_edit = QLineEdit(box)
        self.lambda_edit.setObjectName("lambdaEdit")
        self.lambda_edit.setToolTip("Type an exact λ ≥ 0, e.g. 0.05 or 3e-4 (0 = no penalty)")
        self.lambda_edit.setMaximumWidth(90)
        self.lambda_error = message_label(box, "lambdaError")
        self.lambda_zero_check = QCheckBox("λ = 0 (no regularisation)", box)
        self.lambda_zero_check.setObjectName("lambdaZero")
        self.lambda_label = readout_label(box, "lambdaLabel")
        self.ridge_warning = message_label(box, "ridgeWarning", warning=True)
        self.error_label = readout_label(box, "ridgeErrors")
        self.weights_label = readout_label(box, "ridgeWeights")
        form = QFormLayout(box)
        form.addRow("Degree", self.degree_spin)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.lambda_slider, 1)
        slider_row.addWidget(self.lambda_edit)
        form.addRow("λ", slider_row)
        form.addRow(self.lambda_error)
        form.addRow(self.lambda_label)
        form.addRow(self.lambda_zero_check)
        form.addRow(self.ridge_warning)
        form.addRow(self.error_label)
        form.addRow(self.weights_label)
        self.degree_spin.valueChanged.connect(self._on_model_setting)
        self.lambda_slider.valueChanged.connect(self._on_lambda_slider)
        self.lambda_edit.editingFinished.connect(self._on_lambda_typed)
        self.lambda_zero_check.toggled.connect(self._on_lambda_zero)
        return box

    # -- public API ----------------------------------------------------------------------------
    def lam(self) -> float:
        """The current λ (0 when the λ = 0 box is ticked)."""
        return 0.0 if self.lambda_zero_check.isChecked() else self._lam

    def load_csv(self, path: str | Path) -> bool:
        """Load ``x, y`` data from ``path``; on error show it next to the button, keep the data."""
        return self.data_box.load_csv(path)

    def save_state(self) -> dict[str, Any]:
        """Plain-JSON state: data settings, degree and λ."""
        return {
            **self.data_box.save_state(),
            "degree": self.degree_spin.value(),
            "lambda": self.lam(),
            "lambda_nonzero": self._lam,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state`; missing or bad entries keep the current values."""
        degree = state.get("degree")
        if is_int(degree):
            self.degree_spin.setValue(degree)
        for key in ("lambda_nonzero", "lambda"):
            lam = state.get(key)
            if is_real(lam):
                if math.isfinite(lam) and 0 < lam <= MAX_LAMBDA:
                    self._set_lambda(float(lam))
                    break
        lam = state.get("lambda")
        if is_real(lam) and math.isfinite(lam):
            self.lambda_zero_check.setChecked(lam == 0)
        self.data_box.restore_state(state)
        self.flush()

    def shutdown(self) -> None:
        """Stop the pending recomputation timer."""
        self._coalescer.stop()

    def flush(self) -> None:
        """Run a pending (coalesced) recomputation now."""
        self._coalescer.flush()

    # -- slots ----------------------------------------------------------------------------------
    @Slot()
    def _on_data_setting(self) -> None:
        self._data = self.data_box.data()
        self._coalescer.request()
        self.edited.emit()

    @Slot()
    def _on_model_setting(self) -> None:
        self._coalescer.request()
        self.edited.emit()

    @Slot(bool)
    def _on_lambda_zero(self, zero: bool) -> None:
        self.lambda_slider.setEnabled(not zero)
        self._show_lambda_text()
        self._on_model_setting()

    @Slot(int)
    def _on_lambda_slider(self, position: int) -> None:
        self._lam = lambda_from_position(position)
        show_message(self.lambda_error, None)
        self._show_lambda_text()
        self._on_model_setting()

    @Slot()
    def _on_lambda_typed(self) -> None:
        """Validate a typed λ; on error explain next to the field and keep the last λ."""
        try:
            values = parse_vector(self.lambda_edit.text(), name="λ")
            if values.size != 1:
                raise ValueError(f"λ must be one number, got {values.size}")
            lam = float(values[0])
            if lam < 0:
                raise ValueError(
                    f"λ must be ≥ 0, got {fmt(lam)}: a negative penalty rewards large weights "
                    "and the loss has no minimum"
                )
            if lam > MAX_LAMBDA:
                raise ValueError(f"λ must be at most {MAX_LAMBDA:g}, got {fmt(lam)}")
        except ValueError as exc:
            show_message(self.lambda_error, f"{exc}. Keeping λ = {fmt(self.lam())}.")
            return
        show_message(self.lambda_error, None)
        if lam == 0:
            self.lambda_zero_check.setChecked(True)
            return
        self._set_lambda(lam)
        if self.lambda_zero_check.isChecked():
            self.lambda_zero_check.setChecked(False)  # recomputes through _on_lambda_zero
        else:
            self._on_model_setting()

    def _set_lambda(self, lam: float) -> None:
        """Use λ exactly; the slider moves to the nearest position without overriding it."""
        self._lam = lam
        self.lambda_slider.blockSignals(True)
        self.lambda_slider.setValue(position_from_lambda(lam))
        self.lambda_slider.blockSignals(False)
        self._show_lambda_text()

    def _show_lambda_text(self) -> None:
        self.lambda_edit.setText(f"{self.lam():.4g}")

    # -- computation ----------------------------------------------------------------------------
    @Slot()
    def recompute(self) -> None:
        """Fit, sweep λ and redraw everything for the current data, degree and λ."""
        data = self._data
        if data is None:
            return
        lam = self.lam()
        report = polynomial_ridge_report(
            data, self.degree_spin.value(), lam, true_key=self.data_box.true_key()
        )
        self.report = report
        lam_text = "λ = 0" if lam == 0 else f"λ = {lam:.3g}"
        n = data.x_train.size
        self.lambda_label.setText(f"{lam_text}   (nλ = {fmt(n * lam)})")
        self.fit_plot.update(report, data, lam_text)
        self.error_plot.update(report)
        self.coefficient_plot.update(report)
        show_message(self.ridge_warning, report.solution.warning)
        self.error_label.setText(
            f"train MSE = {report.train_mse:.4g}\nvalidation MSE = {report.val_mse:.4g}\n"
            f"(λ = 0: train {report.train_mse_unregularised:.4g}, "
            f"validation {report.val_mse_unregularised:.4g})"
        )
        w = report.solution.weights
        rows = [", ".join(fmt(v, 3) for v in w[i : i + 4]) for i in range(0, min(w.size, 12), 4)]
        shown = ",\n     ".join(rows) + (", …" if w.size > 12 else "")
        self.weights_label.setText(
            f"w = [{shown}]\n‖w‖ = {fmt(float((w @ w) ** 0.5))}\n"
            f"t = (x {'+' if report.center < 0 else '−'} {fmt(abs(report.center), 3)})"
            f" / {fmt(report.scale, 3)}"
        )
        sign = "+" if report.center < 0 else "−"
        features = (
            f"[1, t, …, t<sup>{report.degree}</sup>] with t = (x {sign} "
            f"{fmt(abs(report.center), 3)}) / {fmt(report.scale, 3)} "
            "(the x range mapped to [−1, 1])"
        )
        self.derivation.set_derivation(
            ridge_derivation_html(report.X_train, data.y_train, lam, features=features)
        )
        self.updated.emit()
