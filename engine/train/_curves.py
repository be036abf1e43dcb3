"""CNN vs MLP over seeds: learning curves against the training-set size, and the shift test
(sheet 2.1 iv) with error bars.

Both train fresh models of each network once per seed (seed ``s`` seeds the weights, the
shuffling and, for the learning curves, which training digits a size uses) and measure them on
one fixed validation set, so the networks are compared seed by seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.train._experiments import shift_test
from engine.train._model import build_model
from engine.train._repeats import (
    DEFAULT_SEEDS,
    Budget,
    Comparison,
    ExperimentStopped,
    SeedStats,
    batches,
    compare,
    seed_list,
    seed_stats,
)
from engine.train._training import train_model

#: Training-set sizes of the learning curves (the whole training set is always added).
LEARNING_CURVE_SIZES = (50, 100, 200, 400, 800)
#: Fewest mini-batches a learning-curve run trains (small sets get more epochs).
MIN_BATCHES = 300


@dataclass(frozen=True)
class LearningCurves:
    """Validation accuracy of each network against the number of training digits.

    ``accuracy[name][i]`` is a :class:`SeedStats` for ``sizes[i]``; ``comparisons[i]`` compares
    the second network with the first at that size; ``epochs[i]`` is how many epochs that size
    trained (at least ``MIN_BATCHES`` mini-batches).
    """

    names: tuple[str, ...]
    sizes: tuple[int, ...]
    epochs: tuple[int, ...]
    seeds: tuple[int, ...]
    n_validation: int
    n_params: dict[str, int]
    accuracy: dict[str, tuple[SeedStats, ...]]
    comparisons: tuple[Comparison, ...]

    @property
    def sentence(self) -> str:
        """One plain sentence: what the numbers show and what they do not."""
        return learning_curve_sentence(self)


@dataclass(frozen=True)
class ShiftExperiment:
    """Accuracy of each network on validation digits shifted 0…3 px, over seeds.

    ``accuracy[name][i]`` is a :class:`SeedStats` for ``shifts[i]`` (mean of the four
    directions); ``comparisons[i]`` compares the second network with the first.
    """

    names: tuple[str, ...]
    shifts: tuple[int, ...]
    seeds: tuple[int, ...]
    n_validation: int
    n_params: dict[str, int]
    accuracy: dict[str, tuple[SeedStats, ...]]
    comparisons: tuple[Comparison, ...]

    @property
    def sentence(self) -> str:
        """One plain sentence: what the numbers show and what they do not."""
        return shift_sentence(self)


def _prepare(
    networks: dict[str, Any], train: tuple[np.ndarray, np.ndarray], validation: tuple[Any, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if len(networks) != 2:
        raise ValueError("compare exactly two networks, e.g. {'CNN': 'cnn', 'MLP': 'mlp'}")
    x, y = np.asarray(train[0]), np.asarray(train[1])
    vx, vy = np.asarray(validation[0]), np.asarray(validation[1])
    if len(x) != len(y) or len(vx) != len(vy) or len(vy) == 0 or len(y) == 0:
        raise ValueError("training and validation need images with one label each")
    return x, y, vx, vy


def _fit(
    spec: Any,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    epochs: int,
    budget: Budget,
    train_kwargs: dict[str, Any],
) -> Any:
    budget.check()
    model = build_model(spec, tuple(x.shape[1:]), seed=seed)
    history = train_model(
        model, x, y, epochs=epochs, seed=seed, should_stop=budget.tick, **train_kwargs
    )
    if len(history.records) < epochs:
        raise ExperimentStopped("stopped")
    return model


def learning_curves(
    networks: dict[str, Any],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    sizes: Sequence[int] = LEARNING_CURVE_SIZES,
    *,
    seeds: int = DEFAULT_SEEDS,
    first_seed: int = 0,
    epochs: int = 15,
    min_batches: int = MIN_BATCHES,
    progress: Callable[[float], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
    **train_kwargs: Any,
) -> LearningCurves:
    """Train both ``networks`` (``{name: spec}``) on the first ``n`` of a seeded permutation of
    the training digits for every size ``n`` (sizes above the set are dropped, the whole set is
    added) and measure them on ``validation``.  Other keyword arguments go to
    :func:`train_model` (``batch_size``, ``learning_rate``, ``lam``, ``optimizer``, …)."""
    x, y, vx, vy = _prepare(networks, train, validation)
    seed_ids = seed_list(seeds, first_seed)
    chosen = sorted({int(n) for n in sizes if 10 <= int(n) < len(y)} | {len(y)})
    batch = int(train_kwargs.get("batch_size", 32))
    run_epochs = [max(int(epochs), math.ceil(min_batches / math.ceil(n / batch))) for n in chosen]
    total = sum(batches(n, batch, e) for n, e in zip(chosen, run_epochs, strict=True))
    budget = Budget(total * len(seed_ids) * 2, progress, should_stop)
    values: dict[str, list[list[float]]] = {name: [[] for _ in chosen] for name in networks}
    params: dict[str, int] = {}
    for seed in seed_ids:
        order = np.random.default_rng([seed, 21]).permutation(len(y))
        for i, (n, e) in enumerate(zip(chosen, run_epochs, strict=True)):
            idx = np.sort(order[:n])
            for name, spec in networks.items():
                model = _fit(spec, x[idx], y[idx], seed, e, budget, train_kwargs)
                params[name] = model.n_params
                values[name][i].append(float(np.mean(model.predict(vx) == vy)))
    acc = {name: tuple(seed_stats(v) for v in rows) for name, rows in values.items()}
    first, second = list(networks)
    comparisons = tuple(
        compare(acc[first][i], acc[second][i], len(vy), (first, second)) for i in range(len(chosen))
    )
    return LearningCurves(
        (first, second),
        tuple(chosen),
        tuple(run_epochs),
        seed_ids,
        len(vy),
        params,
        acc,
        comparisons,
    )


def shift_experiment(
    networks: dict[str, Any],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    shifts: Sequence[int] = (0, 1, 2, 3),
    *,
    seeds: int = DEFAULT_SEEDS,
    first_seed: int = 0,
    epochs: int = 20,
    progress: Callable[[float], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
    **train_kwargs: Any,
) -> ShiftExperiment:
    """Train both ``networks`` once per seed on all of ``train`` and run :func:`shift_test` on
    ``validation`` for each.  Other keyword arguments go to :func:`train_model`."""
    x, y, vx, vy = _prepare(networks, train, validation)
    seed_ids = seed_list(seeds, first_seed)
    shift_ids = tuple(int(s) for s in shifts)
    batch = int(train_kwargs.get("batch_size", 32))
    budget = Budget(batches(len(y), batch, epochs) * len(seed_ids) * 2, progress, should_stop)
    values: dict[str, list[list[float]]] = {name: [[] for _ in shift_ids] for name in networks}
    params: dict[str, int] = {}
    for seed in seed_ids:
        for name, spec in networks.items():
            model = _fit(spec, x, y, seed, epochs, budget, train_kwargs)
            params[name] = model.n_params
            result = shift_test(model, vx, vy, shift_ids)
            for i, s in enumerate(shift_ids):
                values[name][i].append(result[s])
    acc = {name: tuple(seed_stats(v) for v in rows) for name, rows in values.items()}
    first, second = list(networks)
    comparisons = tuple(
        compare(acc[first][i], acc[second][i], len(vy), (first, second))
        for i in range(len(shift_ids))
    )
    return ShiftExperiment((first, second), shift_ids, seed_ids, len(vy), params, acc, comparisons)


def _lead(c: Comparison, value_a: SeedStats, value_b: SeedStats) -> str:
    if not c.measurable:
        return f"{c.a} {value_a.percent()} vs {c.b} {value_b.percent()}: {c.words()}"
    winner, loser = (c.b, c.a) if c.difference > 0 else (c.a, c.b)
    points = f"{100 * abs(c.difference):.1f} points (noise ± {100 * c.noise:.1f})"
    return f"the {winner} beats the {loser} by {points}"


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _seeds_text(seeds: tuple[int, ...], n_val: int) -> str:
    plural = "s" if len(seeds) != 1 else ""
    return f"mean ± sd over {len(seeds)} seed{plural}, {n_val:,} validation digits"


def learning_curve_sentence(result: LearningCurves) -> str:
    """The learning curves in one plain sentence."""
    a, b = result.names
    smallest, largest = 0, len(result.sizes) - 1
    parts = []
    for i in sorted({smallest, largest}):
        c = result.comparisons[i]
        lead = _lead(c, result.accuracy[a][i], result.accuracy[b][i])
        parts.append(f"with {result.sizes[i]:,} training digits {lead}")
    return _capitalised(
        f"{'; '.join(parts)} ({_seeds_text(result.seeds, result.n_validation)}) — this compares "
        f"these two networks ({result.n_params.get(a, 0):,} and {result.n_params.get(b, 0):,} "
        "parameters) with these settings; it does not show which is better on other data or "
        "with more tuning."
    )


def shift_sentence(result: ShiftExperiment) -> str:
    """The shift test in one plain sentence."""
    a, b = result.names
    parts = []
    for i, s in enumerate(result.shifts):
        if s == 0 and len(result.shifts) > 1:
            continue
        c = result.comparisons[i]
        parts.append(f"at {s} px {_lead(c, result.accuracy[a][i], result.accuracy[b][i])}")
    if 0 in result.shifts:
        i = result.shifts.index(0)
        c = result.comparisons[i]
        parts.insert(0, f"unshifted {_lead(c, result.accuracy[a][i], result.accuracy[b][i])}")
    return _capitalised(
        f"{'; '.join(parts)} ({_seeds_text(result.seeds, result.n_validation)}) — a gap that "
        "grows with the shift shows the one network copes better with moved digits, not why "
        "(weight sharing and pooling both play a part)."
    )
