"""Trainer bookkeeping: the running training metrics, the validation subsample and the
shuffling between epochs."""

from __future__ import annotations

import numpy as np
import pytest

from engine.train import DEFAULTS, Trainer, _training, build_model, load_digits, split_dataset


@pytest.fixture(scope="module")
def digits():
    train, val = split_dataset(load_digits(), DEFAULTS.validation_fraction, DEFAULTS.seed)
    return train.as_input(), train.labels, val.as_input(), val.labels


def _numbered(x: np.ndarray) -> np.ndarray:
    """``x`` with sample ``i``'s top-left pixel set to ``i / 10,000``: a batch names its samples."""
    out = x.copy()
    out[:, 0, 0, 0] = np.arange(len(x)) / 10_000
    return out


def _recorded_orders(trainer: Trainer) -> list[list[int]]:
    """Run ``trainer`` to the end; the sample indices it trained on, epoch by epoch."""
    model = trainer.model
    seen: list[int] = []
    original = model.loss_and_gradients

    def recording(x, y, lam=0.0, **kwargs):
        seen.extend(int(i) for i in np.rint(np.asarray(x)[:, 0, 0, 0] * 10_000))
        return original(x, y, lam, **kwargs)

    model.loss_and_gradients = recording  # observes the batches; the real method still runs
    trainer.run()
    n = len(trainer.x)
    return [seen[e * n : (e + 1) * n] for e in range(trainer.epochs)]


def test_every_epoch_visits_every_sample_once_in_a_new_order(digits):
    x, y, _, _ = digits
    n = 96
    trainer = Trainer(build_model("mlp"), _numbered(x[:n]), y[:n], epochs=4, batch_size=10)
    orders = _recorded_orders(trainer)
    for order in orders:
        assert sorted(order) == list(range(n))  # each sample exactly once per epoch
        assert order != list(range(n))  # shuffled, not in file order
    # A new permutation every epoch (shuffling only once would repeat the first order).
    assert len({tuple(order) for order in orders}) == len(orders)
    # The same seed repeats the orders; another seed changes them.
    again = Trainer(build_model("mlp"), _numbered(x[:n]), y[:n], epochs=4, batch_size=10)
    assert _recorded_orders(again) == orders
    other = Trainer(build_model("mlp"), _numbered(x[:n]), y[:n], epochs=4, batch_size=10, seed=1)
    assert _recorded_orders(other)[0] != orders[0]


def test_training_metrics_are_the_running_means_of_the_epochs_batches(digits):
    x, y, vx, vy = digits
    n = 100  # batches of 32, 32, 32 and 4: the mean is weighted by batch size
    model = build_model("cnn", seed=1)
    trainer = Trainer(model, x[:n], y[:n], epochs=2, batch_size=32, validation=(vx, vy))
    per_epoch: list[list[tuple[float, int, int]]] = [[], []]
    while not trainer.done:
        epoch = trainer.epoch
        before = model.parameters()["conv1.weight"].copy()
        within = trainer.batches_done % trainer.batches_per_epoch
        size = min(32, n - 32 * within)
        trainer.step()
        assert not np.array_equal(before, model.parameters()["conv1.weight"])
        per_epoch[epoch].append((*model.last_batch, size))
    for record, batches in zip(trainer.history.records, per_epoch, strict=True):
        sizes = np.array([b[2] for b in batches])
        assert list(sizes) == [32, 32, 32, 4]
        ce = np.array([b[0] for b in batches])
        correct = np.array([b[1] for b in batches])
        assert record.train_loss == pytest.approx(float(np.sum(ce * sizes) / n), rel=1e-12)
        assert record.train_accuracy == pytest.approx(float(correct.sum() / n), rel=1e-12)
        assert 0 <= record.train_accuracy <= 1
    # Validation is evaluated in full with the epoch's final weights.
    val_loss, val_acc = model.data_loss(vx, vy)
    assert trainer.history.records[-1].val_loss == pytest.approx(val_loss, rel=1e-9)
    assert trainer.history.records[-1].val_accuracy == val_acc


def test_each_batchs_metrics_are_its_cross_entropy_and_correct_count(digits):
    x, y, _, _ = digits
    model = build_model("mlp", seed=2)
    loss, _ = model.loss_and_gradients(x[:20], y[:20], 0.1, training=False)
    ce, correct = model.last_batch
    probs = model.predict_proba(x[:20])
    assert ce == pytest.approx(-np.mean(np.log(probs[np.arange(20), y[:20]])), rel=1e-6)
    assert correct == int(np.sum(np.argmax(probs, axis=1) == y[:20]))
    assert loss == pytest.approx(ce + model.penalty(0.1), rel=1e-12)  # the penalty is separate


def test_a_large_validation_set_is_evaluated_on_a_fixed_seeded_subsample(digits, monkeypatch):
    x, y, vx, vy = digits
    monkeypatch.setattr(_training, "VALIDATION_EVAL_MAX", 50)
    model = build_model("mlp")
    trainer = Trainer(model, x[:64], y[:64], epochs=2, validation=(vx, vy))
    kept_x, kept_y = trainer.validation
    assert len(kept_y) == 50 < len(vy)
    # The subsample is made of real validation samples with their own labels, in order.
    rows = {tuple(v.ravel()): i for i, v in enumerate(vx)}
    picked = [rows[tuple(v.ravel())] for v in kept_x]
    assert picked == sorted(picked) and len(set(picked)) == 50
    np.testing.assert_array_equal(kept_y, vy[picked])
    trainer.run()
    record = trainer.history.records[-1]
    assert (record.val_loss, record.val_accuracy) == pytest.approx(model.data_loss(kept_x, kept_y))
    # Fixed by the seed: the same seed picks the same digits, another seed others.
    same = Trainer(build_model("mlp"), x[:64], y[:64], validation=(vx, vy))
    np.testing.assert_array_equal(same.validation[0], kept_x)
    other = Trainer(build_model("mlp"), x[:64], y[:64], seed=5, validation=(vx, vy))
    assert not np.array_equal(other.validation[0], kept_x)
    # At the limit nothing is dropped.
    small = Trainer(build_model("mlp"), x[:64], y[:64], validation=(vx[:50], vy[:50]))
    np.testing.assert_array_equal(small.validation[1], vy[:50])
