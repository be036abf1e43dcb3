"""The jobs the Train tab runs in its worker thread: training both models and the experiments.

Each function returns a job for :class:`gui.train_tab.worker.TrainWorker`; the arrays and
models it closes over belong to the job (the GUI keeps its own copies).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.train import Model, Trainer, gradient_check, lambda_sweep, shift_test
from gui.train_tab.state import SHIFTS
from gui.train_tab.worker import Job, TrainWorker

#: Validation digits the gradient check differentiates through (float64, so keep it small).
GRADIENT_CHECK_SAMPLES = 8


def training_job(trainers: dict[str, Trainer]) -> Job:
    """Train every model one batch at a time, in turn, so both curves grow together."""

    def job(worker: TrainWorker) -> dict[str, tuple[Model, Any]]:
        while not all(t.done for t in trainers.values()):
            if not worker.checkpoint():
                break
            for slot, trainer in trainers.items():
                if trainer.done:
                    continue
                finished = trainer.epoch
                trainer.step()
                if trainer.epoch > finished:
                    worker.report_epoch(slot, trainer.history.records[-1], trainer.model.copy())
            worker.report_progress(float(np.mean([t.progress for t in trainers.values()])))
        return {slot: (t.model.copy(), t.history) for slot, t in trainers.items()}

    return job


def shift_test_job(models: dict[str, Model], x: np.ndarray, y: np.ndarray) -> Job:
    """Accuracy of each model on ``x`` shifted 0…3 pixels: ``{slot: {shift: accuracy}}``."""

    def job(worker: TrainWorker) -> dict[str, dict[int, float]]:
        result: dict[str, dict[int, float]] = {}
        for i, (slot, model) in enumerate(models.items()):
            if not worker.checkpoint():
                break
            result[slot] = shift_test(model, x, y, SHIFTS)
            worker.report_progress((i + 1) / len(models), force=True)
        return result

    return job


def lambda_sweep_job(
    network: dict[str, Any],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    lambdas: Sequence[float],
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    **train_kwargs: Any,
) -> Job:
    """Train a fresh copy of ``network`` for every λ; partial results after each λ."""
    x, y = train
    total = max(1, len(lambdas) * epochs * math.ceil(len(x) / batch_size))

    def job(worker: TrainWorker) -> Any:
        batches = 0

        def should_stop() -> bool:  # called before each batch: a cheap progress counter too
            nonlocal batches
            batches += 1
            worker.report_progress(min(batches / total, 1.0))
            return not worker.checkpoint()

        def on_result(i: int, lam: float, train_acc: float, val_acc: float) -> None:
            worker.report_partial((i, lam, train_acc, val_acc))

        return lambda_sweep(
            network,
            x,
            y,
            validation,
            list(lambdas),
            epochs=epochs,
            seed=seed,
            batch_size=batch_size,
            on_result=on_result,
            should_stop=should_stop,
            **train_kwargs,
        )

    return job


def gradient_check_job(models: dict[str, Model], x: np.ndarray, y: np.ndarray, lam: float) -> Job:
    """Backprop vs central differences for every model: ``{slot: [GradientCheckRow]}``."""
    xs, ys = x[:GRADIENT_CHECK_SAMPLES], y[:GRADIENT_CHECK_SAMPLES]

    def job(worker: TrainWorker) -> dict[str, list]:
        result: dict[str, list] = {}
        for i, (slot, model) in enumerate(models.items()):
            if not worker.checkpoint():
                break
            result[slot] = gradient_check(model, xs, ys, lam)
            worker.report_progress((i + 1) / len(models), force=True)
        return result

    return job
