"""The Train tab's time-left estimate, on a fake clock: the formula's exact values, paused time
left out, and within 30 % of the real remaining time after the first epoch of a training run
whose first epoch is slower and whose epochs end with an evaluation."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from engine.train import DEFAULTS, Trainer, build_model, load_digits, split_dataset
from gui.train_tab import jobs
from gui.train_tab.runner import format_seconds
from gui.train_tab.worker import Epoch, Progress, TrainControl, make_runner, runner_job

WAIT = 10_000


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def runner(qapp):
    r = make_runner()
    yield r
    r.shutdown()
    assert r.thread_count == 0
    r.deleteLater()


def _reports(runner) -> list[tuple[float, float, float]]:
    """(fake time, fraction, seconds left) of every progress report of ``runner``'s job."""
    seen: list[tuple[float, float, float]] = []

    def keep(item: object) -> None:
        if isinstance(item, Progress):
            seen.append((item.at, item.fraction, item.seconds_left))

    runner.published.connect(keep)
    return seen


def test_time_left_is_the_active_time_scaled_by_the_fraction_still_to_do(qtbot, runner):
    clock = FakeClock()

    def job(worker: TrainControl) -> None:
        clock.now += 0.05
        worker.report_progress(0.005, force=True)  # under 1 %: not estimated yet
        clock.now += 9.95
        worker.report_progress(0.25, force=True)
        clock.now += 10.0
        worker.report_progress(0.5, force=True)
        clock.now += 0.01
        worker.report_progress(0.6)  # 10 ms after the last report: coalesced away

    seen = _reports(runner)
    with qtbot.waitSignal(runner.finished, timeout=WAIT) as blocker:
        runner.start(runner_job("train", job, clock=clock))
    assert blocker.args == [("train", None)]
    assert math.isnan(seen[0][2])
    assert seen[1][1:] == (0.25, pytest.approx(30.0))  # 10 s for a quarter: 30 s to go
    assert seen[2][1:] == (0.5, pytest.approx(20.0))
    assert seen[3][1:] == (1.0, 0.0)  # the end is always reported
    assert len(seen) == 4
    assert format_seconds(30.0) == "30 s left" and format_seconds(125.0) == "2 min 05 s left"
    assert format_seconds(math.nan) == "estimating time left…"


def test_paused_time_is_not_counted(qtbot, runner):
    clock = FakeClock()
    paused = threading.Event()

    def job(worker: TrainControl) -> None:
        clock.now += 10.0
        worker.report_progress(0.25, force=True)
        paused.wait(WAIT / 1000)  # until the test has pressed Pause
        worker.checkpoint()  # held here while paused
        clock.now += 10.0
        worker.report_progress(0.5, force=True)

    seen = _reports(runner)
    with qtbot.waitSignal(runner.finished, timeout=WAIT):
        runner.start(runner_job("train", job, clock=clock))
        runner.pause()
        paused.set()
        qtbot.waitUntil(lambda: runner.holding, timeout=WAIT)
        clock.now += 3600.0  # an hour paused
        runner.resume()
    assert [round(left, 6) for _t, f, left in seen if f == 0.5] == [20.0]


def test_estimate_is_within_30_percent_after_the_first_epoch(qtbot, runner):
    """Both default models train for real; the fake clock charges each batch a cost with
    ±15 % jitter, 25 % more in the first epoch (warm-up), and a validation pass at each
    epoch's end costing a tenth of an epoch — the shape measured on the Train tab.  While a
    whole epoch is still to run the estimate is within 30 % of the time really left; in the
    last epoch within 30 % of an epoch's time (the final validation pass comes after the
    last batch, which the fraction of batches cannot see)."""
    train, _ = split_dataset(load_digits(), DEFAULTS.validation_fraction, DEFAULTS.seed)
    x, y = train.as_input()[:160], train.labels[:160]
    epochs = 8
    trainers = {
        slot: Trainer(build_model(slot), x, y, epochs=epochs, batch_size=32)
        for slot in ("cnn", "mlp")
    }
    clock = FakeClock()
    rng = np.random.default_rng(0)
    cost = {"cnn": 0.040, "mlp": 0.008}  # seconds per batch
    for slot, trainer in trainers.items():
        real_step = trainer.step

        def step(slot=slot, trainer=trainer, real_step=real_step) -> bool:
            warm_up = 1.25 if trainer.epoch == 0 else 1.0
            clock.now += cost[slot] * warm_up * rng.uniform(0.85, 1.15)
            more = real_step()
            if trainer.batches_done % trainer.batches_per_epoch == 0:
                clock.now += 0.1 * cost[slot] * trainer.batches_per_epoch  # validation
            return more

        trainer.step = step  # the real step still runs; the clock charges for it
    seen = _reports(runner)
    # Epochs done by both models at each progress report: the epochs published before it.
    finished = dict.fromkeys(trainers, 0)
    epochs_done: list[int] = []

    def count(item: object) -> None:
        if isinstance(item, Epoch):
            finished[item.slot] += 1
        elif isinstance(item, Progress):
            epochs_done.append(min(finished.values()))

    runner.published.connect(count)
    start = clock.now
    with qtbot.waitSignal(runner.finished, timeout=120_000):
        runner.start(runner_job("train", jobs.training_job(trainers), clock=clock))
    end = clock.now
    assert all(t.done for t in trainers.values())
    epoch_time = (end - start) / epochs
    checked = 0
    for (now, fraction, left), done in zip(seen, epochs_done, strict=True):
        if done < 1 or fraction >= 1.0:
            continue
        truth = end - now
        slack = 0.3 * (truth if done < epochs - 1 else epoch_time)
        assert abs(left - truth) <= slack, (fraction, left, truth)
        checked += 1
    assert checked >= 10
