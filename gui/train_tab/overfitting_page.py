"""Overfitting and L2 (sheet 2.3): a small training set, a wide MLP, optionally wrong training
labels and many epochs — where regularisation measurably helps — repeated over seeds.

The engine's :func:`engine.train.overfitting_experiment` does the work; this page holds its
inputs and draws its result: accuracy and Σ‖W‖² against λ (λ = 0 as its own point), the best λ
marked, a table of mean ± sd, and the engine's sentence.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from engine.numbers import NumberExpressionError, evaluate_number
from engine.train import OVERFITTING_DEFAULTS, OverfittingResult, TrainSettings
from gui.train_tab.experiment_pages import (
    ExperimentPage,
    layout_page,
    make_table,
    row,
    seeds_spin,
    set_rows,
    spin,
)
from gui.train_tab.experiment_plots import LambdaPlots

MAX_LAMBDAS = 12
DEFAULT_LAMBDAS = ", ".join(f"{lam:g}" for lam in OVERFITTING_DEFAULTS.lambdas)


def parse_lambdas(text: str) -> list[float]:
    """``"0, 1e-3, 1/10"`` → ``[0.0, 0.001, 0.1]`` (each entry read by ``engine.numbers``);
    raises ``ValueError`` naming the bad entry."""
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:  # the one number grammar: 1e-3, 1/1000 and 10^-3 are the same λ
            value = float(evaluate_number(part, name="λ values"))
        except NumberExpressionError as exc:
            raise ValueError(f"λ values: {part!r} is not a number: {exc.reason}") from None
        low, high = TrainSettings.LIMITS["lam"]
        if not low <= value <= high:
            raise ValueError(f"λ values: {part} must be between {low:g} and {high:g}")
        values.append(value)
    if not values:
        raise ValueError("λ values: enter at least one, e.g. 0, 1e-3, 1e-2")
    if len(values) > MAX_LAMBDAS:
        raise ValueError(f"λ values: at most {MAX_LAMBDAS}")
    return sorted(set(values))


class OverfittingPage(ExperimentPage):
    """Inputs, plots, table and sentence of the overfitting & L2 experiment."""

    kind = "overfitting"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run overfitting experiment", "runOverfitting", parent)
        d = OVERFITTING_DEFAULTS
        self.train_size = spin("overfitTrainSize", 10, 100_000, d.train_size, suffix=" digits")
        self.train_size.setToolTip("training digits drawn per seed; the rest of the data validates")
        self.hidden = spin("overfitHidden", 1, 4096, d.hidden, suffix=" hidden")
        self.hidden.setToolTip("units of the MLP's one hidden layer (ReLU, then dropout arm)")
        self.noise = spin(
            "overfitNoise", 0, 50, round(100 * d.label_noise), suffix=" % wrong labels"
        )
        self.noise.setToolTip("training labels changed to another class (validation stays true)")
        self.epochs = spin("overfitEpochs", 1, 2000, d.epochs, suffix=" epochs")
        self.seeds = seeds_spin("overfitSeeds")
        self.lambdas_edit = QLineEdit(DEFAULT_LAMBDAS)
        self.lambdas_edit.setObjectName("overfitLambdas")
        self.lambdas_edit.setToolTip("λ values separated by commas (0 … 10)")
        lambdas_label = QLabel("λ values (comma-separated):")
        lambdas_label.setBuddy(self.lambdas_edit)
        self.table = make_table("overfitTable", ["λ", "training", "validation"])
        self.plots = LambdaPlots(self)
        hint = QLabel(
            "Sheet 2.3: when does L2 help? A wide MLP on a few digits, some of their labels "
            "wrong, trained long: it learns the wrong labels by heart (training accuracy is on "
            "the labels as taught). Each λ, dropout too, trains on the same digits per seed."
        )
        parts = [
            hint,
            row(self.train_size, self.hidden),
            row(self.noise, self.epochs),
            lambdas_label,
            self.lambdas_edit,
            row(self.seeds, self.button),
            self.error,
            self.table,
        ]
        layout_page(self, parts, self.plots, self.sentence)

    def options(self) -> dict[str, Any]:
        """``{"settings": OverfittingSettings}`` (raises ``ValueError`` for bad λ text)."""
        settings = replace(
            OVERFITTING_DEFAULTS,
            train_size=self.train_size.value(),
            hidden=self.hidden.value(),
            label_noise=self.noise.value() / 100,
            epochs=self.epochs.value(),
            lambdas=tuple(parse_lambdas(self.lambdas_edit.text())),
            seeds=self.seeds.value(),
        )
        return {"settings": settings}

    def clear(self) -> None:
        """A new run: no old numbers on show."""
        super().clear()
        self.plots.clear()

    def show_result(self, result: OverfittingResult) -> None:
        """Plots, table (accuracy mean ± sd per λ, the best one starred, then early stopping
        and dropout; Σ‖W‖² is plotted) and sentence."""
        self.result = result
        self.plots.show_result(result)
        rows = []
        for i, lam in enumerate(result.lambdas):
            rows.append(
                [
                    f"{lam:g}" + (" ★" if i == result.best_index else ""),
                    result.train_accuracy[i].percent(),
                    result.val_accuracy[i].percent(),
                ]
            )
        base = f"{result.lambdas[result.base_index]:g}"
        rows.append([f"{base}, epoch {result.best_epoch}", "—", result.early_stopping.percent()])
        if result.dropout is not None:
            rows.append([f"{base}, dropout", "—", result.dropout.percent()])
        set_rows(self.table, rows)
        self.show_sentence(result.sentence)

    def save_state(self) -> dict[str, Any]:
        """The inputs (plain JSON types)."""
        return {
            "train_size": self.train_size.value(),
            "hidden": self.hidden.value(),
            "noise": self.noise.value(),
            "epochs": self.epochs.value(),
            "seeds": self.seeds.value(),
            "lambdas": self.lambdas_edit.text(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`save_state`; bad entries are ignored."""
        for key, box in (
            ("train_size", self.train_size),
            ("hidden", self.hidden),
            ("noise", self.noise),
            ("epochs", self.epochs),
            ("seeds", self.seeds),
        ):
            self.restore_spin(box, state.get(key))
        text = state.get("lambdas")
        if isinstance(text, str) and len(text) < 500:
            self.lambdas_edit.setText(text)
