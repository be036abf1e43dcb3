"""The jobs the Train tab runs in its worker thread: training both models and the experiments.

Each function returns a job given a :class:`gui.train_tab.worker.TrainControl`; the arrays and
models it closes over belong to the job (the GUI keeps its own copies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine.train import (
    ExperimentStopped,
    LearningCurves,
    Model,
    OverfittingResult,
    OverfittingSettings,
    ShiftExperiment,
    Trainer,
    gradient_check,
    gradient_check_sentence,
    learning_curves,
    overfitting_experiment,
    shift_experiment,
)
from gui.train_tab.state import SHIFTS, SLOT_TITLES
from gui.train_tab.worker import Job, TrainControl

#: Validation digits the gradient check differentiates through (float64, so keep it small).
GRADIENT_CHECK_SAMPLES = 8


def training_job(trainers: dict[str, Trainer]) -> Job:
    """Train every model one batch at a time, in turn, so both curves grow together."""

    def job(worker: TrainControl) -> dict[str, tuple[Model, Any]]:
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


def _experiment(worker: TrainControl, run: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run an engine experiment with the worker's progress and stop/pause checks; ``None`` when
    stopped (the worker then reports no result)."""
    try:
        return run(
            *args,
            progress=worker.report_progress,
            should_stop=lambda: not worker.checkpoint(),
            **kwargs,
        )
    except ExperimentStopped:
        return None


def overfitting_job(settings: OverfittingSettings, data: tuple[np.ndarray, np.ndarray]) -> Job:
    """:func:`engine.train.overfitting_experiment` on ``data`` (``(x, y)``, the tab's digits)."""

    def job(worker: TrainControl) -> OverfittingResult | None:
        return _experiment(worker, overfitting_experiment, settings, data)

    return job


def learning_curves_job(
    networks: dict[str, Any],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    **kwargs: Any,
) -> Job:
    """:func:`engine.train.learning_curves` of ``networks`` (``{name: spec}``) over seeds."""

    def job(worker: TrainControl) -> LearningCurves | None:
        return _experiment(worker, learning_curves, networks, train, validation, **kwargs)

    return job


def shift_experiment_job(
    networks: dict[str, Any],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    **kwargs: Any,
) -> Job:
    """:func:`engine.train.shift_experiment` (shifts 0…3 px) of ``networks`` over seeds."""

    def job(worker: TrainControl) -> ShiftExperiment | None:
        return _experiment(worker, shift_experiment, networks, train, validation, SHIFTS, **kwargs)

    return job


def gradient_check_job(models: dict[str, Model], x: np.ndarray, y: np.ndarray, lam: float) -> Job:
    """Backprop vs central differences for every model at ``lam``: ``({slot:
    [GradientCheckRow]}, sentence)``, the sentence the engine's (it states the λ checked)."""
    xs, ys = x[:GRADIENT_CHECK_SAMPLES], y[:GRADIENT_CHECK_SAMPLES]

    def job(worker: TrainControl) -> tuple[dict[str, list], str]:
        result: dict[str, list] = {}
        for i, (slot, model) in enumerate(models.items()):
            if not worker.checkpoint():
                break
            result[slot] = gradient_check(model, xs, ys, lam)
            worker.report_progress((i + 1) / len(models), force=True)
        named = {SLOT_TITLES.get(slot, slot): rows for slot, rows in result.items()}
        return result, gradient_check_sentence(named, lam)

    return job
