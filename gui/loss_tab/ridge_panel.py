"""Regularisation panel: polynomial ridge regression on generated or CSV data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.loss_derivations import fmt, ridge_derivation_html
from engine.regression_data import (
    TRUE_FUNCTIONS,
    RegressionData,
    generate_data,
    load_xy_csv,
    split_train_validation,
)
from engine.ridge_report import PolynomialRidgeReport, polynomial_ridge_report
from gui.loss_tab.common import (
    Coalescer,
    DerivationView,
    message_label,
    readout_label,
    show_message,
)
from gui.loss_tab.ridge_plots import CoefficientPlot, ErrorPlot, FitPlot

#: λ slider: position p ↦ λ = 10^(LOG_MIN + p / STEPS_PER_DECADE).
LOG_MIN, LOG_MAX, STEPS_PER_DECADE = -8, 2, 10


def lambda_from_position(position: int) -> float:
    """λ for a slider position (log scale, 1e−8…1e2)."""
    return 10.0 ** (LOG_MIN + position / STEPS_PER_DECADE)


def position_from_lambda(lam: float) -> int:
    """Nearest slider position for λ > 0."""
    p = round((math.log10(lam) - LOG_MIN) * STEPS_PER_DECADE)
    return max(0, min((LOG_MAX - LOG_MIN) * STEPS_PER_DECADE, p))


class RidgePanel(QWidget):
    """Data, polynomial degree and λ on the left; fit, errors, path and derivation on the right.

    Signals
    -------
    edited()
        The user changed something :meth:`state` records.
    updated()
        Plots and read-outs were recomputed.
    """

    edited = Signal()
    updated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._csv_xy = None
        self._csv_path = ""
        self._data: RegressionData | None = None
        self.report: PolynomialRidgeReport | None = None
        self._coalescer = Coalescer(self, self.recompute)
        controls = QWidget(self)
        column = QVBoxLayout(controls)
        column.addWidget(self._build_data_box(controls))
        column.addWidget(self._build_model_box(controls))
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(340)
        scroll.setMaximumWidth(420)

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
        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.views, 1)
        self._regenerate()
        self.recompute()

    # -- construction ---------------------------------------------------------------------------
    def _build_data_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Data", parent)
        self.generated_radio = QRadioButton("Generated", box)
        self.generated_radio.setObjectName("dataGeneratedRadio")
        self.generated_radio.setChecked(True)
        self.csv_radio = QRadioButton("Loaded CSV", box)
        self.csv_radio.setObjectName("dataCsvRadio")
        self.csv_radio.setEnabled(False)
        self.csv_radio.setToolTip("Load a CSV file first")
        group = QButtonGroup(box)
        group.addButton(self.generated_radio)
        group.addButton(self.csv_radio)
        self.function_combo = QComboBox(box)
        self.function_combo.setObjectName("trueFunction")
        for f in TRUE_FUNCTIONS.values():
            self.function_combo.addItem(f"{f.label}: {f.formula}", f.key)
        self.function_combo.setCurrentIndex(self.function_combo.findData("sine2"))
        self.n_train_spin = self._spin(box, "nTrain", 2, 500, 20, "Training points n")
        self.n_val_spin = self._spin(box, "nValidation", 1, 500, 30, "Validation points")
        self.seed_spin = self._spin(
            box, "dataSeed", 0, 99_999, 1, "Random seed (same seed, same data)"
        )
        self.noise_spin = QDoubleSpinBox(box)
        self.noise_spin.setObjectName("noise")
        self.noise_spin.setRange(0.0, 2.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setValue(0.2)
        self.noise_spin.setToolTip("Standard deviation of the Gaussian noise added to y")
        self.load_button = QPushButton("Load CSV…", box)
        self.load_button.setObjectName("loadCsvButton")
        self.load_button.setToolTip(
            "Two numeric columns x, y; a header line and # comments are fine"
        )
        self.csv_label = QLabel("no file loaded", box)
        self.csv_label.setObjectName("csvPathLabel")
        self.csv_label.setWordWrap(True)
        self.val_fraction_spin = QDoubleSpinBox(box)
        self.val_fraction_spin.setObjectName("validationFraction")
        self.val_fraction_spin.setRange(0.1, 0.9)
        self.val_fraction_spin.setSingleStep(0.05)
        self.val_fraction_spin.setValue(0.3)
        self.val_fraction_spin.setToolTip("Share of CSV rows held out for validation")
        self.csv_error = message_label(box, "csvError")
        form = QFormLayout(box)
        form.addRow(self.generated_radio)
        form.addRow("True function", self.function_combo)
        form.addRow("Training n", self.n_train_spin)
        form.addRow("Validation n", self.n_val_spin)
        form.addRow("Noise σ", self.noise_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow(self.csv_radio, self.load_button)
        form.addRow(self.csv_label)
        form.addRow("Validation share", self.val_fraction_spin)
        form.addRow(self.csv_error)
        for spin in (self.n_train_spin, self.n_val_spin, self.seed_spin):
            spin.valueChanged.connect(self._on_data_setting)
        self.noise_spin.valueChanged.connect(self._on_data_setting)
        self.val_fraction_spin.valueChanged.connect(self._on_data_setting)
        self.function_combo.currentIndexChanged.connect(self._on_data_setting)
        self.generated_radio.toggled.connect(self._on_data_setting)
        self.load_button.clicked.connect(self._choose_csv)
        return box

    @staticmethod
    def _spin(parent: QWidget, name: str, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox(parent)
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    def _build_model_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Model: (1/n)‖Xw − y‖² + λ‖w‖²", parent)
        self.degree_spin = self._spin(
            box, "polyDegree", 0, 20, 9, "Polynomial degree d (d + 1 weights)"
        )
        self.lambda_slider = QSlider(Qt.Orientation.Horizontal, box)
        self.lambda_slider.setObjectName("lambdaSlider")
        self.lambda_slider.setRange(0, (LOG_MAX - LOG_MIN) * STEPS_PER_DECADE)
        self.lambda_slider.setValue(position_from_lambda(1e-3))
        self.lambda_slider.setToolTip("λ on a log scale from 1e−8 to 100")
        self.lambda_zero_check = QCheckBox("λ = 0 (no regularisation)", box)
        self.lambda_zero_check.setObjectName("lambdaZero")
        self.lambda_label = readout_label(box, "lambdaLabel")
        self.ridge_warning = message_label(box, "ridgeWarning", warning=True)
        self.error_label = readout_label(box, "ridgeErrors")
        self.weights_label = readout_label(box, "ridgeWeights")
        form = QFormLayout(box)
        form.addRow("Degree", self.degree_spin)
        form.addRow("λ", self.lambda_slider)
        form.addRow(self.lambda_label)
        form.addRow(self.lambda_zero_check)
        form.addRow(self.ridge_warning)
        form.addRow(self.error_label)
        form.addRow(self.weights_label)
        self.degree_spin.valueChanged.connect(self._on_model_setting)
        self.lambda_slider.valueChanged.connect(self._on_model_setting)
        self.lambda_zero_check.toggled.connect(self._on_lambda_zero)
        return box

    # -- public API ----------------------------------------------------------------------------
    def lam(self) -> float:
        """The current λ (0 when the λ = 0 box is ticked)."""
        if self.lambda_zero_check.isChecked():
            return 0.0
        return lambda_from_position(self.lambda_slider.value())

    def load_csv(self, path: str | Path) -> bool:
        """Load ``x, y`` data from ``path``; on error show it and keep the current data."""
        try:
            xy = load_xy_csv(path)
            split_train_validation(*xy, self.val_fraction_spin.value(), seed=0)
        except ValueError as exc:
            show_message(self.csv_error, f"{Path(path).name}: {exc}")
            return False
        show_message(self.csv_error, None)
        self._csv_xy = xy
        self._csv_path = str(path)
        self.csv_label.setText(f"{Path(path).name}: {xy[0].size} rows")
        self.csv_label.setToolTip(str(path))
        self.csv_radio.setEnabled(True)
        self.csv_radio.setChecked(True)  # triggers _on_data_setting
        self._on_data_setting()
        return True

    def state(self) -> dict[str, Any]:
        """Plain-JSON state: data settings, degree and λ."""
        return {
            "source": "csv" if self.csv_radio.isChecked() else "generated",
            "function": self.function_combo.currentData(),
            "n_train": self.n_train_spin.value(),
            "n_val": self.n_val_spin.value(),
            "noise": self.noise_spin.value(),
            "seed": self.seed_spin.value(),
            "csv_path": self._csv_path,
            "validation_fraction": self.val_fraction_spin.value(),
            "degree": self.degree_spin.value(),
            "lambda": self.lam(),
            "lambda_position": self.lambda_slider.value(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state`; missing or bad entries keep the current values."""
        widgets = (self.function_combo, self.n_train_spin, self.n_val_spin, self.noise_spin)
        for w in (*widgets, self.seed_spin, self.val_fraction_spin, self.degree_spin):
            w.blockSignals(True)
        try:
            index = self.function_combo.findData(state.get("function"))
            if index >= 0:
                self.function_combo.setCurrentIndex(index)
            for key, spin in (
                ("n_train", self.n_train_spin),
                ("n_val", self.n_val_spin),
                ("seed", self.seed_spin),
                ("degree", self.degree_spin),
            ):
                value = state.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    spin.setValue(value)
            for key, dspin in (
                ("noise", self.noise_spin),
                ("validation_fraction", self.val_fraction_spin),
            ):
                value = state.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    dspin.setValue(float(value))
        finally:
            for w in (*widgets, self.seed_spin, self.val_fraction_spin, self.degree_spin):
                w.blockSignals(False)
        lam = state.get("lambda")
        if isinstance(lam, (int, float)) and not isinstance(lam, bool) and math.isfinite(lam):
            self.lambda_zero_check.setChecked(lam <= 0)
            if lam > 0:
                self.lambda_slider.setValue(position_from_lambda(float(lam)))
        path = state.get("csv_path")
        if state.get("source") == "csv" and isinstance(path, str) and path:
            if not self.load_csv(path):
                self.generated_radio.setChecked(True)
        else:
            self.generated_radio.setChecked(True)
        self._regenerate()
        self.recompute()

    def shutdown(self) -> None:
        """Stop the pending recomputation timer."""
        self._coalescer.stop()

    def flush(self) -> None:
        """Run a pending (coalesced) recomputation now."""
        self._coalescer.flush()

    # -- slots ----------------------------------------------------------------------------------
    @Slot()
    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load x, y data", "", "CSV and text files (*.csv *.txt *.tsv);;All files (*)"
        )
        if path:
            self.load_csv(path)
            self.edited.emit()

    @Slot()
    def _on_data_setting(self) -> None:
        generated = self.generated_radio.isChecked()
        for w in (self.function_combo, self.n_train_spin, self.n_val_spin, self.noise_spin):
            w.setEnabled(generated)
        self.val_fraction_spin.setEnabled(not generated)
        self._regenerate()
        self._coalescer.request()
        self.edited.emit()

    @Slot()
    def _on_model_setting(self) -> None:
        self._coalescer.request()
        self.edited.emit()

    @Slot(bool)
    def _on_lambda_zero(self, zero: bool) -> None:
        self.lambda_slider.setEnabled(not zero)
        self._on_model_setting()

    def _regenerate(self) -> None:
        if self.csv_radio.isChecked() and self._csv_xy is not None:
            self._data = split_train_validation(
                *self._csv_xy,
                self.val_fraction_spin.value(),
                seed=self.seed_spin.value(),
                source=Path(self._csv_path).name,
            )
        else:
            self._data = generate_data(
                self.n_train_spin.value(),
                self.n_val_spin.value(),
                self.noise_spin.value(),
                self.function_combo.currentData(),
                seed=self.seed_spin.value(),
            )

    # -- computation ----------------------------------------------------------------------------
    @Slot()
    def recompute(self) -> None:
        """Fit, sweep λ and redraw everything for the current data, degree and λ."""
        data = self._data
        if data is None:
            return
        lam = self.lam()
        generated = not self.csv_radio.isChecked()
        report = polynomial_ridge_report(
            data,
            self.degree_spin.value(),
            lam,
            true_key=self.function_combo.currentData() if generated else None,
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
            f"t = (x − {fmt(report.center, 3)}) / {fmt(report.scale, 3)}"
        )
        self.derivation.set_derivation(ridge_derivation_html(report.X_train, data.y_train, lam))
        self.updated.emit()
