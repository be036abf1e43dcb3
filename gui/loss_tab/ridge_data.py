"""The data box of the regularisation panel: generated data or a loaded CSV file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QWidget,
)

from engine.checks import is_int, is_real
from engine.loss import (
    TRUE_FUNCTIONS,
    RegressionData,
    generate_data,
    load_xy_csv,
    split_train_validation,
)
from gui.loss_tab.common import message_label, show_message
from gui.widgets.spin_boxes import float_spin, int_spin

#: Rows the regularisation panel takes from a CSV file. Measured from load to redrawn plots:
#: 10,000 rows 1.1 s, 20,000 rows 1.4 s, 100,000 rows 4.5 s, 1,000,000 rows 30 s (the GUI is
#: blocked meanwhile); ridge regression on a few thousand points already shows every effect.
MAX_RIDGE_ROWS = 20_000
#: Larger files are refused before parsing (parsing 2 MB takes about 0.5 s).
MAX_RIDGE_CSV_BYTES = 2_000_000


class DataBox(QGroupBox):
    """Generated data (true function, n, noise, seed) or a CSV file split into train/validation.

    Signals
    -------
    data_changed()
        :meth:`data` changed (a setting was edited or a CSV file loaded).
    """

    data_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        self._csv_xy: tuple[np.ndarray, np.ndarray] | None = None
        self._csv_path = ""
        self.generated_radio = QRadioButton("Generated", self)
        self.generated_radio.setObjectName("dataGeneratedRadio")
        self.generated_radio.setChecked(True)
        self.csv_radio = QRadioButton("Loaded CSV", self)
        self.csv_radio.setObjectName("dataCsvRadio")
        self.csv_radio.setEnabled(False)
        self.csv_radio.setToolTip("Load a CSV file first")
        group = QButtonGroup(self)
        group.addButton(self.generated_radio)
        group.addButton(self.csv_radio)
        self.function_combo = QComboBox(self)
        self.function_combo.setObjectName("trueFunction")
        for f in TRUE_FUNCTIONS.values():
            self.function_combo.addItem(f"{f.label}: {f.formula}", f.key)
        self.function_combo.setCurrentIndex(self.function_combo.findData("sine2"))
        self.n_train_spin = int_spin(self, "nTrain", 2, 500, 20, "Training points n")
        self.n_val_spin = int_spin(self, "nValidation", 1, 500, 30, "Validation points")
        self.seed_spin = int_spin(self, "dataSeed", 0, 99_999, 1, "Same seed, same data and split")
        self.noise_spin = float_spin(
            self, "noise", 0.0, 2.0, 0.2, "Standard deviation of the Gaussian noise added to y"
        )
        self.load_button = QPushButton("Load CSV…", self)
        self.load_button.setObjectName("loadCsvButton")
        self.load_button.setToolTip(
            "Two numeric columns x, y; a header line and # comments are fine"
        )
        self.csv_label = QLabel("no file loaded", self)
        self.csv_label.setObjectName("csvPathLabel")
        self.csv_label.setWordWrap(True)
        self.val_fraction_spin = float_spin(
            self, "validationFraction", 0.1, 0.9, 0.3, "Share of CSV rows held out for validation"
        )
        self.val_fraction_spin.setEnabled(False)
        self.csv_error = message_label(self, "csvError")
        form = QFormLayout(self)
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
            spin.valueChanged.connect(self._on_setting)
        self.noise_spin.valueChanged.connect(self._on_setting)
        self.val_fraction_spin.valueChanged.connect(self._on_setting)
        self.function_combo.currentIndexChanged.connect(self._on_setting)
        self.generated_radio.toggled.connect(self._on_setting)
        self.load_button.clicked.connect(self._choose_csv)

    # -- public API ----------------------------------------------------------------------------
    def is_generated(self) -> bool:
        """Whether the data come from a known true function (not a CSV file)."""
        return not self.csv_radio.isChecked()

    def true_key(self) -> str | None:
        """Key of the generating function, or None for CSV data."""
        return self.function_combo.currentData() if self.is_generated() else None

    def data(self) -> RegressionData:
        """The current training and validation points."""
        if not self.is_generated() and self._csv_xy is not None:
            return split_train_validation(
                *self._csv_xy,
                self.val_fraction_spin.value(),
                seed=self.seed_spin.value(),
                source=Path(self._csv_path).name,
            )
        return generate_data(
            self.n_train_spin.value(),
            self.n_val_spin.value(),
            self.noise_spin.value(),
            self.function_combo.currentData(),
            seed=self.seed_spin.value(),
        )

    def load_csv(self, path: str | Path) -> bool:
        """Load ``x, y`` data from ``path``; on error show it and keep the current data.

        At most :data:`MAX_RIDGE_ROWS` rows (files over :data:`MAX_RIDGE_CSV_BYTES` are refused
        before parsing): everything runs in the GUI thread, and the panel's fit, λ sweep and
        plots grow with the rows.
        """
        try:
            size = os.stat(path).st_size
        except (OSError, ValueError):
            size = 0  # load_xy_csv says what is wrong with the path
        try:
            if size > MAX_RIDGE_CSV_BYTES:
                raise ValueError(
                    f"the file is {size / 1e6:.1f} MB; this panel reads at most "
                    f"{MAX_RIDGE_CSV_BYTES / 1e6:.0f} MB (about {MAX_RIDGE_ROWS:,} rows). A "
                    "random sample of the rows shows λ at work just as well"
                )
            xy = load_xy_csv(path)
            if xy[0].size > MAX_RIDGE_ROWS:
                raise ValueError(
                    f"the file has {xy[0].size:,} rows; this panel takes at most "
                    f"{MAX_RIDGE_ROWS:,}. A random sample of the rows shows λ at work just as well"
                )
        except ValueError as exc:
            show_message(self.csv_error, f"{Path(path).name}: {exc}")
            return False
        show_message(self.csv_error, None)
        self._csv_xy = xy
        self._csv_path = str(path)
        self.csv_label.setText(f"{Path(path).name}: {xy[0].size} rows")
        self.csv_label.setToolTip(str(path))
        self.csv_radio.setEnabled(True)
        self.csv_radio.blockSignals(True)
        self.csv_radio.setChecked(True)
        self.csv_radio.blockSignals(False)
        self._on_setting()
        return True

    def save_state(self) -> dict[str, Any]:
        """Plain-JSON data settings."""
        return {
            "source": "generated" if self.is_generated() else "csv",
            "function": self.function_combo.currentData(),
            "n_train": self.n_train_spin.value(),
            "n_val": self.n_val_spin.value(),
            "noise": self.noise_spin.value(),
            "seed": self.seed_spin.value(),
            "csv_path": self._csv_path,
            "validation_fraction": self.val_fraction_spin.value(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` without emitting per widget; emits ``data_changed`` once."""
        spins = (self.n_train_spin, self.n_val_spin, self.seed_spin)
        floats = (self.noise_spin, self.val_fraction_spin)
        widgets = (self.function_combo, self.generated_radio, *spins, *floats)
        for w in widgets:
            w.blockSignals(True)
        try:
            index = self.function_combo.findData(state.get("function"))
            if index >= 0:
                self.function_combo.setCurrentIndex(index)
            for key, spin in zip(("n_train", "n_val", "seed"), spins, strict=True):
                value = state.get(key)
                if is_int(value):
                    spin.setValue(value)
            for key, dspin in zip(("noise", "validation_fraction"), floats, strict=True):
                value = state.get(key)
                if is_real(value):
                    if np.isfinite(value):
                        dspin.setValue(float(value))
            self.generated_radio.setChecked(True)
        finally:
            for w in widgets:
                w.blockSignals(False)
        path = state.get("csv_path")
        if state.get("source") == "csv" and isinstance(path, str) and path:
            self.load_csv(path)  # on failure the message shows and generated data stay
        self._on_setting()

    # -- slots ----------------------------------------------------------------------------------
    @Slot()
    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load x, y data", "", "CSV and text files (*.csv *.txt *.tsv);;All files (*)"
        )
        if path:
            self.load_csv(path)

    @Slot()
    def _on_setting(self) -> None:
        generated = self.is_generated()
        for w in (self.function_combo, self.n_train_spin, self.n_val_spin, self.noise_spin):
            w.setEnabled(generated)
        self.val_fraction_spin.setEnabled(not generated)
        self.data_changed.emit()
