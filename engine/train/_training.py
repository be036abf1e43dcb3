"""Optimisers, the step-wise :class:`Trainer` and :func:`train_model`.

The trainer does one mini-batch per :meth:`Trainer.step`, so a GUI worker thread can pause,
resume or stop between batches and report :attr:`Trainer.progress`.  Everything random (the
shuffling, the shift augmentation, dropout masks) comes from generators seeded by ``seed`` and
the model's seed: the same seeds give the same history, number for number.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from engine.checks import is_integer, is_real, nonnegative_float
from engine.train._blas import single_threaded_blas
from engine.train._data import random_shift
from engine.train._model import Model

OPTIMIZERS = ("sgd", "momentum", "adam")
#: Most validation samples evaluated after each epoch; a larger set is represented by a fixed
#: seeded subsample of this size (its accuracy then has a standard error ≤ 0.5 point).
VALIDATION_EVAL_MAX = 10_000


@dataclass(frozen=True)
class TrainSettings:
    """The Train tab's defaults (also :func:`train_model`'s), and the range of each number.

    :attr:`LIMITS` is the one table of those ranges: the Train tab builds its spin boxes from it
    and checks the values a session restores against it (``lam`` and ``learning_rate`` as
    typed; ``validation_fraction`` as a fraction, shown in per cent).
    """

    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 0.01
    lam: float = 1e-4
    optimizer: str = "adam"
    augment_shift: int = 0
    validation_fraction: float = 0.2
    seed: int = 0

    #: ``{field: (lowest, highest)}`` for every number above, both ends allowed.
    LIMITS: ClassVar[dict[str, tuple[float, float]]] = {
        "learning_rate": (1e-6, 10.0),
        "batch_size": (1, 4096),
        "epochs": (1, 1000),
        "lam": (0.0, 10.0),
        "augment_shift": (0, 4),
        "validation_fraction": (0.05, 0.9),
        "seed": (0, 2_000_000_000),
    }

    @classmethod
    def within_limits(cls, name: str, value: object) -> bool:
        """Whether ``value`` is a usable ``name`` setting: a finite number (a whole one for an
        int field, never a bool) inside :attr:`LIMITS`.

        Raises
        ------
        ValueError
            ``name`` is not a numeric setting.
        """
        if name not in cls.LIMITS:
            raise ValueError(f"name must be one of {', '.join(cls.LIMITS)}, got {name!r}")
        if not is_real(value):
            return False
        if not math.isfinite(value):
            return False
        if isinstance(getattr(DEFAULTS, name), int) and float(value) != int(value):
            return False
        low, high = cls.LIMITS[name]
        return low <= value <= high


DEFAULTS = TrainSettings()


class Optimizer:
    """Updates parameters in place from their gradients."""

    def __init__(self, kind: str, learning_rate: float, momentum: float = 0.9) -> None:
        if kind not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {kind!r}")
        self.kind = kind
        self.lr = nonnegative_float(learning_rate, "learning_rate", strictly_positive=True)
        self.beta1 = float(momentum)
        self.beta2 = 0.999
        self.eps = 1e-8
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """One update: SGD ``θ -= ηg``; momentum ``v = βv + g, θ -= ηv``; Adam (bias-corrected)."""
        self.t += 1
        for key, p in params.items():
            g = grads[key]
            if self.kind == "sgd":
                p -= self.lr * g
            elif self.kind == "momentum":
                v = self.m.get(key)
                v = g.copy() if v is None else self.beta1 * v + g
                self.m[key] = v
                p -= self.lr * v
            else:
                m = self.m.get(key)
                v2 = self.v.get(key)
                b1, b2 = self.beta1, self.beta2
                m = (1 - b1) * g if m is None else b1 * m + (1 - b1) * g
                sq = g * g
                v2 = (1 - b2) * sq if v2 is None else b2 * v2 + (1 - b2) * sq
                self.m[key], self.v[key] = m, v2
                c1 = 1 - self.beta1**self.t
                c2 = 1 - self.beta2**self.t
                step = (self.lr / c1) * m / (np.sqrt(v2 / c2) + self.eps)
                p -= step.astype(p.dtype, copy=False)


@dataclass(frozen=True)
class EpochRecord:
    """Metrics after one epoch: mean cross-entropy and accuracy (training and validation).

    ``train_loss`` / ``train_accuracy`` are the running means over the epoch's mini-batches (each
    batch measured as it trained: the weights of that moment, dropout on), as Keras and PyTorch
    report them — a second pass over the training set cost 27 % of the CNN's training time.
    ``val_loss`` / ``val_accuracy`` evaluate the validation set with the epoch's final weights and
    no dropout (a fixed seeded subsample of :data:`VALIDATION_EVAL_MAX` when it is larger).  Both
    losses are the data term only (``(1/n) Σ CE``); ``penalty`` is ``λ Σ‖W‖²``.  Validation
    values are ``nan`` without validation data.
    """

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    penalty: float
    seconds: float


@dataclass
class History:
    """Per-epoch metrics of a training run (see :class:`EpochRecord`)."""

    records: list[EpochRecord] = field(default_factory=list)

    def _column(self, name: str) -> list[float]:
        return [getattr(r, name) for r in self.records]

    @property
    def epochs(self) -> list[int]:
        """1, 2, … for the finished epochs."""
        return [r.epoch for r in self.records]

    @property
    def train_loss(self) -> list[float]:
        """Training cross-entropy per epoch."""
        return self._column("train_loss")

    @property
    def train_accuracy(self) -> list[float]:
        """Training accuracy per epoch (0–1)."""
        return self._column("train_accuracy")

    @property
    def val_loss(self) -> list[float]:
        """Validation cross-entropy per epoch."""
        return self._column("val_loss")

    @property
    def val_accuracy(self) -> list[float]:
        """Validation accuracy per epoch (0–1)."""
        return self._column("val_accuracy")

    def to_dict(self) -> dict[str, list[float | None]]:
        """Plain-JSON columns (for sessions and exports); ``nan`` (no validation) → ``None``."""
        names = EpochRecord.__dataclass_fields__
        return {name: [_json_number(getattr(r, name)) for r in self.records] for name in names}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Inverse of :meth:`to_dict`; raises ``ValueError`` for missing or ragged columns."""
        names = list(EpochRecord.__dataclass_fields__)
        try:
            columns = [list(data[name]) for name in names]
        except (KeyError, TypeError):
            raise ValueError(f"history: needs the columns {', '.join(names)}") from None
        if len({len(c) for c in columns}) > 1:
            raise ValueError("history: columns have different lengths")
        records = []
        for values in zip(*columns, strict=True):
            try:
                numbers = [math.nan if v is None else float(v) for v in values]
            except (TypeError, ValueError):
                raise ValueError(f"history: not numbers: {values!r}") from None
            records.append(EpochRecord(int(numbers[0]), *numbers[1:]))
        return cls(records)


def _json_number(value: float) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _int(value: object, name: str, minimum: int) -> int:
    if not is_integer(value) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


class Trainer:
    """Mini-batch training of ``model`` on ``(x, y)``, one batch per :meth:`step`.

    Parameters are those of :func:`train_model`.  Use :meth:`step` (one batch; returns ``True``
    while there is more to do), :meth:`step_epoch` (the rest of the current epoch) or
    :meth:`run`.  :attr:`history` grows by one :class:`EpochRecord` at the end of each epoch.
    Raises ``FloatingPointError`` if the loss becomes NaN or infinite (learning rate too high).
    """

    def __init__(
        self,
        model: Model,
        x: np.ndarray,
        y: np.ndarray,
        *,
        epochs: int = DEFAULTS.epochs,
        batch_size: int = DEFAULTS.batch_size,
        learning_rate: float = DEFAULTS.learning_rate,
        lam: float = DEFAULTS.lam,
        optimizer: str = DEFAULTS.optimizer,
        augment_shift: int = DEFAULTS.augment_shift,
        seed: int = DEFAULTS.seed,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.model = model
        self.x = model._input(x)
        self.y = model._labels(y, len(self.x))
        if len(self.x) == 0:
            raise ValueError("x must hold at least one sample")
        self.epochs = _int(epochs, "epochs", 1)
        self.batch_size = _int(batch_size, "batch_size", 1)
        self.lam = nonnegative_float(lam, "lam")
        self.augment_shift = _int(augment_shift, "augment_shift", 0)
        self.seed = _int(seed, "seed", 0)
        self.optimizer = Optimizer(optimizer, learning_rate)
        if validation is not None:
            vx = model._input(validation[0])
            vy = model._labels(validation[1], len(vx))
            if len(vx) > VALIDATION_EVAL_MAX:
                keep = np.sort(
                    np.random.default_rng([self.seed, 3]).choice(
                        len(vx), VALIDATION_EVAL_MAX, replace=False
                    )
                )
                vx, vy = vx[keep], vy[keep]
            validation = (vx, vy)
        #: What is evaluated after each epoch (at most VALIDATION_EVAL_MAX samples).
        self.validation = validation
        self.history = History()
        self.batches_per_epoch = math.ceil(len(self.x) / self.batch_size)
        self.total_batches = self.epochs * self.batches_per_epoch
        self.batches_done = 0
        self._rng = np.random.default_rng([self.seed, 2])
        self._order: np.ndarray | None = None
        self._epoch_x: np.ndarray | None = None
        self._epoch_start = 0.0
        self._epoch_sums = [0.0, 0, 0]  # Σ batch CE·n, Σ correct, Σ n over the current epoch
        self.last_batch_loss = math.nan

    @property
    def epoch(self) -> int:
        """Number of finished epochs."""
        return len(self.history.records)

    @property
    def done(self) -> bool:
        """True when every epoch has run."""
        return self.batches_done >= self.total_batches

    @property
    def progress(self) -> float:
        """Fraction of all batches done, 0–1."""
        return self.batches_done / self.total_batches

    def step(self) -> bool:
        """Train on the next mini-batch; at the end of an epoch evaluate and record it.

        Returns ``True`` while batches remain.
        """
        if self.done:
            return False
        within = self.batches_done % self.batches_per_epoch
        if within == 0:
            self._epoch_start = time.perf_counter()
            self._epoch_sums = [0.0, 0, 0]
            self._order = self._rng.permutation(len(self.x))
            self._epoch_x = (
                random_shift(self.x, self.augment_shift, self._rng)
                if self.augment_shift
                else self.x
            )
        assert self._order is not None and self._epoch_x is not None
        idx = self._order[within * self.batch_size : (within + 1) * self.batch_size]
        # Divergence (a too-large learning rate) overflows float32 on the way; it is reported
        # once, as FloatingPointError, instead of as a stream of RuntimeWarnings.
        with single_threaded_blas(), np.errstate(over="ignore", invalid="ignore"):
            loss, grads = self.model.loss_and_gradients(self._epoch_x[idx], self.y[idx], self.lam)
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} at epoch {self.epoch + 1}: lower the learning rate"
                )
            self.optimizer.step(self.model.parameters(), grads)
        batch_ce, batch_correct = self.model.last_batch
        self._epoch_sums[0] += batch_ce * len(idx)
        self._epoch_sums[1] += batch_correct
        self._epoch_sums[2] += len(idx)
        self.last_batch_loss = loss
        self.batches_done += 1
        if self.batches_done % self.batches_per_epoch == 0:
            self._finish_epoch()
        return not self.done

    def _finish_epoch(self) -> None:
        total, correct, seen = self._epoch_sums
        train_loss, train_acc = total / seen, correct / seen
        with single_threaded_blas():
            val_loss = val_acc = math.nan
            if self.validation is not None:
                val_loss, val_acc = self.model.data_loss(*self.validation)
        self.history.records.append(
            EpochRecord(
                self.epoch + 1,
                train_loss,
                train_acc,
                val_loss,
                val_acc,
                self.model.penalty(self.lam),
                time.perf_counter() - self._epoch_start,
            )
        )

    def step_epoch(self) -> EpochRecord | None:
        """Run the rest of the current epoch; return its record (``None`` when already done)."""
        if self.done:
            return None
        while self.step() and self.batches_done % self.batches_per_epoch:
            pass
        return self.history.records[-1]

    def run(
        self,
        on_epoch: Callable[[EpochRecord], object] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> History:
        """Train to the end (or until ``should_stop()`` is true, checked between batches)."""
        while not self.done:
            if should_stop is not None and should_stop():
                break
            finished = self.epoch
            self.step()
            if on_epoch is not None and self.epoch > finished:
                on_epoch(self.history.records[-1])
        return self.history


def train_model(
    model: Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = DEFAULTS.epochs,
    batch_size: int = DEFAULTS.batch_size,
    learning_rate: float = DEFAULTS.learning_rate,
    lam: float = DEFAULTS.lam,
    optimizer: str = DEFAULTS.optimizer,
    augment_shift: int = DEFAULTS.augment_shift,
    seed: int = DEFAULTS.seed,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    on_epoch: Callable[[EpochRecord], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> History:
    """Train ``model`` in place with mini-batches; return the per-epoch :class:`History`.

    Parameters
    ----------
    model
        From :func:`build_model`.
    x, y
        Images ``(N, C, H, W)`` and integer labels ``(N,)``.
    epochs, batch_size, learning_rate
        Passes over the data, samples per update, step size η.
    lam
        λ of the penalty ``λ Σ‖W‖²`` (weights only).
    optimizer
        ``"sgd"``, ``"momentum"`` (β = 0.9) or ``"adam"`` (β₁ = 0.9, β₂ = 0.999).
    augment_shift
        Each epoch, shift every training image by a random ``(dy, dx)`` in ``±augment_shift``.
    seed
        Seeds shuffling and augmentation: same model seed + same ``seed`` → same history.
    validation
        ``(x_val, y_val)`` evaluated after each epoch (a fixed subsample of
        :data:`VALIDATION_EVAL_MAX` samples when larger).  Training metrics are the running
        means over each epoch's batches (:class:`EpochRecord`).
    on_epoch
        Called with each :class:`EpochRecord`.
    should_stop
        Checked before each batch; training stops early when it returns ``True``.
    """
    trainer = Trainer(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        lam=lam,
        optimizer=optimizer,
        augment_shift=augment_shift,
        seed=seed,
        validation=validation,
    )
    return trainer.run(on_epoch, should_stop)
