"""Repeating an experiment over seeds: per-seed values, mean ± sd, a 95 % interval, and
comparisons that call a difference smaller than its noise "no measurable difference".

Noise of a comparison (two arms run with the same seeds, on the same validation digits):

* the seeds' part: the 95 % t interval of the per-seed differences' mean,
  ``t₀.₉₇₅(k−1) · sd(d) / √k`` (no seeds' part with one seed);
* the validation set's part: ``1.96 · √(p₁(1−p₁)/n + p₂(1−p₂)/n)``, the binomial sampling error
  of two accuracies measured on ``n`` digits (it does not shrink with more seeds: every seed is
  measured on the same digits).

The noise is the larger of the two; a difference is measurable when ``|difference| > noise``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.checks import is_integer

#: Seeds an experiment repeats over by default, and at most.
DEFAULT_SEEDS = 3
MAX_SEEDS = 10

#: Two-sided 95 % quantiles of Student's t for 1…9 degrees of freedom (up to 10 seeds).
T_975 = (12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157)

#: What an experiment calls a difference smaller than its noise.
NO_DIFFERENCE = "no measurable difference"


class ExperimentStopped(Exception):
    """Raised inside an experiment when its ``should_stop`` callback returned ``True``."""


def seed_list(seeds: int, first: int = 0) -> tuple[int, ...]:
    """``seeds`` consecutive seeds from ``first``; ``seeds`` must be 1…``MAX_SEEDS``."""
    if not is_integer(seeds):
        raise ValueError(f"seeds must be a whole number 1…{MAX_SEEDS}, got {seeds!r}")
    if not 1 <= int(seeds) <= MAX_SEEDS:
        raise ValueError(f"seeds must be 1…{MAX_SEEDS}, got {seeds}")
    if isinstance(first, bool) or int(first) < 0:
        raise ValueError(f"the first seed must be ≥ 0, got {first}")
    return tuple(range(int(first), int(first) + int(seeds)))


@dataclass(frozen=True)
class SeedStats:
    """One quantity measured once per seed: ``values`` (per seed), ``mean``, ``sd`` (sample
    standard deviation, ``ddof = 1``; 0 for one seed) and the 95 % t interval of the mean
    ``[low, high]`` (``mean`` itself for one seed)."""

    values: tuple[float, ...]
    mean: float
    sd: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        """Half the 95 % interval's width."""
        return (self.high - self.low) / 2

    def percent(self) -> str:
        """``"83.2 ± 2.7 %"`` for an accuracy (0–1): mean ± sd in percent."""
        return f"{100 * self.mean:.1f} ± {100 * self.sd:.1f} %"


def seed_stats(values: Sequence[float]) -> SeedStats:
    """:class:`SeedStats` of per-seed ``values`` (at least one, all finite)."""
    arr = np.asarray([float(v) for v in values], dtype=float)
    if arr.size == 0:
        raise ValueError("seed_stats needs at least one value")
    if not np.all(np.isfinite(arr)):
        raise ValueError("seed_stats: every value must be finite")
    mean = float(arr.mean())
    if arr.size == 1:
        return SeedStats((mean,), mean, 0.0, mean, mean)
    sd = float(arr.std(ddof=1))
    half = t_quantile(arr.size - 1) * sd / math.sqrt(arr.size)
    return SeedStats(tuple(float(v) for v in arr), mean, sd, mean - half, mean + half)


def t_quantile(df: int) -> float:
    """Two-sided 95 % quantile of Student's t with ``df`` degrees of freedom (1.96 beyond 9)."""
    if df < 1:
        raise ValueError(f"df must be ≥ 1, got {df}")
    return T_975[df - 1] if df <= len(T_975) else 1.959964


def sampling_noise(p1: float, p2: float, n: int) -> float:
    """95 % half-width of the difference of two accuracies each measured on ``n`` samples."""
    if n <= 0:
        return math.inf
    p1, p2 = min(max(p1, 0.0), 1.0), min(max(p2, 0.0), 1.0)
    return 1.959964 * math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)


@dataclass(frozen=True)
class Comparison:
    """Arm ``b`` against arm ``a``: ``difference = mean(b) − mean(a)`` (accuracy, 0–1),
    ``noise`` its 95 % half-width (see the module docstring), ``measurable`` when larger."""

    a: str
    b: str
    difference: float
    noise: float

    @property
    def measurable(self) -> bool:
        """True when the difference is larger than its noise."""
        return abs(self.difference) > self.noise

    def words(self) -> str:
        """``"6.6 points higher (noise ± 2.9)"`` or ``"no measurable difference (…)"``."""
        points = 100 * abs(self.difference)
        noise = f"noise ± {100 * self.noise:.1f}"
        if not self.measurable:
            return f"{NO_DIFFERENCE} ({100 * self.difference:+.1f} points, {noise})"
        side = "higher" if self.difference > 0 else "lower"
        return f"{points:.1f} points {side} ({noise})"


def compare(a: SeedStats, b: SeedStats, n_validation: int, names: tuple[str, str]) -> Comparison:
    """Compare two arms run with the same seeds on the same ``n_validation`` digits."""
    if len(a.values) != len(b.values):
        raise ValueError("compare: both arms need one value per seed")
    diffs = np.subtract(b.values, a.values)
    seeds_part = 0.0
    if diffs.size > 1:
        seeds_part = t_quantile(diffs.size - 1) * float(diffs.std(ddof=1)) / math.sqrt(diffs.size)
    noise = max(seeds_part, sampling_noise(a.mean, b.mean, n_validation))
    return Comparison(names[0], names[1], float(diffs.mean()), noise)


class Budget:
    """Counts an experiment's mini-batches for ``progress(fraction)`` and asks ``should_stop``
    before each one (raising :class:`ExperimentStopped`)."""

    def __init__(
        self,
        total: int,
        progress: Callable[[float], object] | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        self.total = max(1, int(total))
        self.done = 0
        self._progress = progress
        self._should_stop = should_stop

    def tick(self) -> bool:
        """One more batch: report progress; ``True`` means stop (train_model's callback)."""
        self.done += 1
        if self._progress is not None:
            self._progress(min(self.done / self.total, 1.0))
        return self._should_stop is not None and bool(self._should_stop())

    def check(self) -> None:
        """Raise :class:`ExperimentStopped` when asked to stop."""
        if self._should_stop is not None and self._should_stop():
            raise ExperimentStopped("stopped")


def batches(n: int, batch_size: int, epochs: int) -> int:
    """Mini-batches in ``epochs`` epochs over ``n`` samples."""
    return int(epochs) * math.ceil(int(n) / max(1, int(batch_size)))
