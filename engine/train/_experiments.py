"""The experiments that answer the sheet: shift test, λ sweep, gradient check; and the
confusion matrix and misclassified samples."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.train._blas import single_threaded_blas
from engine.train._data import shift_images
from engine.train._model import Model, build_model
from engine.train._training import DEFAULTS, train_model

#: The four one-axis directions of the shift test: down, up, right, left.
SHIFT_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def shift_test(
    model: Model, x: np.ndarray, y: np.ndarray, shifts: Sequence[int] = (0, 1, 2, 3)
) -> dict[int, float]:
    """Accuracy on ``x`` moved by each distance in ``shifts`` (zero fill).

    For ``s > 0`` the accuracy is the mean over the four directions (down, up, right, left by
    ``s`` pixels), so no direction is favoured.  Returns ``{shift: accuracy 0–1}``.
    """
    arr = np.asarray(x)
    labels = np.asarray(y)
    result: dict[int, float] = {}
    for s in shifts:
        s = int(s)
        if s < 0:
            raise ValueError(f"shifts must be ≥ 0, got {s}")
        moves = [(0, 0)] if s == 0 else [(dy * s, dx * s) for dy, dx in SHIFT_DIRECTIONS]
        accs = [np.mean(model.predict(shift_images(arr, dy, dx)) == labels) for dy, dx in moves]
        result[s] = float(np.mean(accs))
    return result


@dataclass(frozen=True)
class LambdaSweep:
    """Final training and validation accuracy (and cross-entropy) for each λ."""

    lambdas: tuple[float, ...]
    train_accuracy: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    weight_norm: tuple[float, ...]


def lambda_sweep(
    spec: object,
    x: np.ndarray,
    y: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray],
    lambdas: Sequence[float] = (0.0, 1e-4, 1e-3, 1e-2, 1e-1),
    *,
    epochs: int = 10,
    seed: int = 0,
    on_result: Callable[[int, float, float, float], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
    **train_kwargs: object,
) -> LambdaSweep:
    """Train a fresh model of ``spec`` (same seed each time) for every λ and record accuracies.

    ``weight_norm`` is ``Σ‖W‖²`` after training: it shrinks as λ grows.  ``on_result(i, λ,
    train_acc, val_acc)`` is called after each λ; ``should_stop`` ends the sweep early (the
    result then holds the λ values done so far).  Other keyword arguments go to
    :func:`train_model`.
    """
    rows: list[tuple[float, ...]] = []
    input_shape = tuple(np.asarray(x).shape[1:])
    for i, lam in enumerate(lambdas):
        if should_stop is not None and should_stop():
            break
        model = build_model(spec, input_shape, seed=seed)
        history = train_model(
            model,
            x,
            y,
            epochs=epochs,
            lam=float(lam),
            seed=seed,
            validation=validation,
            should_stop=should_stop,
            **train_kwargs,  # type: ignore[arg-type]
        )
        if len(history.records) < epochs:  # stopped early: no result for this λ
            break
        last = history.records[-1]
        norm = model.penalty(1.0)
        rows.append((float(lam), last.train_accuracy, last.val_accuracy))
        rows[-1] += (last.train_loss, last.val_loss, norm)
        if on_result is not None:
            on_result(i, float(lam), last.train_accuracy, last.val_accuracy)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    return LambdaSweep(*(tuple(c) for c in columns))


@dataclass(frozen=True)
class GradientCheckRow:
    """Largest relative error ``|g_bp − g_fd| / max(|g_bp|, |g_fd|, floor)`` of one parameter.

    ``floor = max(1e-8, 1e-4 · max |g_bp|)`` over that parameter: an entry whose gradient is a
    ten-thousandth of the largest is measured against the largest's scale, so the difference
    quotient's round-off (≈ 1e-10 at ε = 1e-6) does not pass for a large relative error.
    """

    layer: str
    parameter: str
    max_relative_error: float
    max_abs_error: float
    checked: int


def gradient_check(
    model: Model,
    x: np.ndarray,
    y: np.ndarray,
    lam: float = DEFAULTS.lam,
    *,
    eps: float = 1e-6,
    max_entries: int = 20,
    seed: int = 0,
) -> list[GradientCheckRow]:
    """Backprop against central differences ``(L(θ+ε) − L(θ−ε)) / 2ε``, per parameter, in float64.

    Works on a float64 copy of ``model`` (the model itself is not changed) with dropout off.
    At most ``max_entries`` randomly chosen entries of each parameter are perturbed.  ReLU
    kinks and max-pool ties can make a difference quotient straddle a kink; with ε = 1e-6 and
    real data this is rare and shows as one large error in that row.
    """
    with single_threaded_blas():
        return _gradient_check(model.astype(np.float64), x, y, lam, eps, max_entries, seed)


def _gradient_check(
    m64: Model, x: np.ndarray, y: np.ndarray, lam: float, eps: float, max_entries: int, seed: int
) -> list[GradientCheckRow]:
    xs = np.asarray(x, dtype=np.float64)
    labels = np.asarray(y)
    _, grads = m64.loss_and_gradients(xs, labels, lam, training=False)
    rng = np.random.default_rng(seed)
    params = m64.parameters()
    rows: list[GradientCheckRow] = []
    for layer, names in m64.layer_param_names().items():
        for name in names:
            p = params[name]
            floor = max(1e-8, 1e-4 * float(np.max(np.abs(grads[name]), initial=0.0)))
            flat = p.reshape(-1)
            count = min(max_entries, flat.size)
            picks = rng.choice(flat.size, size=count, replace=False)
            rel = absolute = 0.0
            for j in picks:
                old = flat[j]
                flat[j] = old + eps
                plus = m64.loss_and_gradients(xs, labels, lam, training=False)[0]
                flat[j] = old - eps
                minus = m64.loss_and_gradients(xs, labels, lam, training=False)[0]
                flat[j] = old
                fd = (plus - minus) / (2 * eps)
                bp = float(grads[name].reshape(-1)[j])
                diff = abs(bp - fd)
                absolute = max(absolute, diff)
                rel = max(rel, diff / max(abs(bp), abs(fd), floor))
            rows.append(GradientCheckRow(layer, name, rel, absolute, count))
    return rows


def worst_gradient_row(rows: Sequence[GradientCheckRow]) -> GradientCheckRow:
    """The row with the largest relative error (the first of equals); ``rows`` not empty."""
    if not rows:
        raise ValueError("no gradient-check rows")
    return max(rows, key=lambda row: row.max_relative_error)


def gradient_check_sentence(results: Mapping[str, Sequence[GradientCheckRow]], lam: float) -> str:
    """One plain sentence about a gradient check of each model (``{name: rows}``) at ``lam``:
    the largest relative error over every parameter, and what it does and does not show."""
    rows = [(name, row) for name, checks in results.items() for row in checks]
    if not rows:
        return "No gradient was checked."
    name, worst = max(rows, key=lambda item: item[1].max_relative_error)
    error = worst.max_relative_error
    verdict = (
        "backprop agrees with the difference quotients"
        if error < 1e-3
        else "at least one gradient disagrees with its difference quotient"
    )
    entries = sum(row.checked for _n, row in rows)
    return (
        f"Checked with λ = {lam:g} on {entries:,} randomly picked weights: the largest relative "
        f"error is {error:.1e} ({name} {worst.parameter}), so {verdict} — it tests the gradient "
        "of this loss at these weights, not whether training will reach a good model."
    )


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> np.ndarray:
    """``(classes, classes)`` counts: row = true class, column = predicted class."""
    t = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(y_pred, dtype=np.int64)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length, got {t.shape}, {p.shape}")
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= classes):
        raise ValueError(f"labels must be in 0…{classes - 1}")
    return np.bincount(t * classes + p, minlength=classes * classes).reshape(classes, classes)


def misclassified(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Indices where the prediction differs from the label (ascending)."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have equal shapes, got {t.shape}, {p.shape}")
    return np.flatnonzero(t != p)
