"""Train tab ▸ Experiments (issue 20): each experiment runs over seeds in the worker, ends with
the engine's sentence and draws mean ± sd error bars; λ reaches the models; a stale worker's
signals are dropped (issue 21 item 11's mutants) — real widgets, 200 digits, a few epochs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt, QThread

from engine.train import Trainer
from gui.train_tab.experiment_plots import ARM_OFFSET, lambda_positions
from gui.train_tab.page import PAGES
from gui.train_tab.state import SLOTS, make_model
from gui.train_tab.worker import Epoch, Progress
from tests.gui.test_train_tab import TRAIN_TIMEOUT, make_tab, train

RUN_TIMEOUT = 60_000


@pytest.fixture
def tab(qtbot):
    page = make_tab(qtbot)
    page.resize(1100, 750)
    page.show()
    page.pages.setCurrentIndex(PAGES.index("experiments"))
    yield page
    page.shutdown()


def run(qtbot, tab, page) -> None:
    """Click ``page``'s button and wait until its sentence is shown and the worker is free."""
    tab.experiments.tabs.setCurrentWidget(page)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    assert tab.busy and not page.button.isEnabled()
    qtbot.waitUntil(lambda: not tab.busy, timeout=RUN_TIMEOUT)
    assert page.error.text() == ""
    assert page.result is not None and page.sentence.isVisible()


def test_overfitting_experiment_draws_lambda_zero_alone_error_bars_and_best_lambda(qtbot, tab):
    page = tab.experiments.overfitting
    assert (page.noise.minimum(), page.noise.maximum()) == (0, 50)
    assert (page.seeds.value(), page.seeds.minimum(), page.seeds.maximum()) == (3, 1, 10)
    page.train_size.setValue(100)
    page.hidden.setValue(32)
    page.noise.setValue(30)
    page.epochs.setValue(4)
    page.seeds.setValue(2)
    page.lambdas_edit.setText("0.01, 0, 1")
    run(qtbot, tab, page)
    result = page.result
    # What the GUI set is what the engine ran, on the tab's 200 digits: 100 train, 100 validate.
    s = result.settings
    assert (s.train_size, s.hidden, s.label_noise, s.epochs) == (100, 32, 0.3, 4)
    assert result.lambdas == (0.0, 0.01, 1.0) and len(result.seeds) == 2
    assert result.n_validation == 100
    assert page.sentence.text() == result.sentence
    assert "2 seeds, 100 validation digits" in page.sentence.text()
    plots = page.plots
    # λ = 0 is its own point left of the break, one decade below the smallest decade shown
    # (not at 1e-5), and the joined line starts at the smallest λ > 0.
    xs, ticks = lambda_positions(result.lambdas)
    assert xs == [-3.0, -2.0, 0.0] and ticks[0] == (-3.0, "0")
    zero_x, _ = plots.zero_points["val"].getData()
    assert list(zero_x) == [-3.0]
    line_x, line_y = plots.val.curve.getData()
    assert list(line_x) == [-2.0, 0.0]
    assert plots.breaks[0].isVisible() and -3.0 < plots.breaks[0].value() < -2.0
    # Error bars: one per λ, ± sd in percent (the norm's in its own units).
    for series, stats, scale in (
        (plots.train, result.train_accuracy, 100),
        (plots.val, result.val_accuracy, 100),
        (plots.norm, result.weight_norm, 1),
    ):
        assert series.bar_count() == 3
        np.testing.assert_allclose(series.half_heights(), [scale * st.sd for st in stats])
    np.testing.assert_allclose(line_y, [100 * st.mean for st in result.val_accuracy[1:]])
    # The best λ is marked on the validation curve and starred in the table.
    best_x, best_y = plots.best_marker.getData()
    assert list(best_x) == [xs[result.best_index]]
    assert best_y[0] == pytest.approx(100 * result.val_accuracy[result.best_index].mean)
    assert plots.best_label.textItem.toPlainText() == f"best λ = {result.best_lambda:g}"
    assert page.table.item(result.best_index, 0).text().endswith("★")
    assert page.table.item(0, 2).text() == result.val_accuracy[0].percent()
    # Early stopping and dropout: one point each beside λ = 0, in the table after the λs.
    assert result.dropout is not None and 1 <= result.best_epoch <= 4
    for series, stats, dx in (
        (plots.early, result.early_stopping, -1),
        (plots.dropout, result.dropout, 1),
    ):
        x, y = series.curve.getData()
        assert list(x) == [pytest.approx(-3.0 + dx * ARM_OFFSET)]
        assert list(y) == [pytest.approx(100 * stats.mean)]
        assert series.half_heights() == [pytest.approx(100 * stats.sd)]
    assert page.table.rowCount() == 5
    assert page.table.item(3, 0).text() == f"0, epoch {result.best_epoch}"
    assert page.table.item(3, 2).text() == result.early_stopping.percent()
    assert page.table.item(4, 2).text() == result.dropout.percent()
    entries = [label.text for _sample, label in plots.legend.items]
    assert f"λ = 0, epoch {result.best_epoch}" in entries and "λ = 0, dropout 0.5" in entries
    # λ = 1 crushes the weights: the norm falls with λ.
    assert result.weight_norm[2].mean < result.weight_norm[0].mean


def test_bad_lambda_text_is_named_next_to_the_input(qtbot, tab):
    page = tab.experiments.overfitting
    page.lambdas_edit.setText("0, banana")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    assert not tab.busy
    assert "banana" in page.error.text() and page.error.isVisible()


def test_too_many_training_digits_fail_with_the_engines_message(qtbot, tab):
    page = tab.experiments.overfitting
    page.train_size.setValue(195)  # 200 digits: fewer than 10 would be left to validate
    page.epochs.setValue(1)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.busy, timeout=RUN_TIMEOUT)
    assert "training digits must be 10…190" in page.error.text()
    assert page.result is None and not page.sentence.isVisible()
    assert page.plots.hint.text().startswith("Press Run overfitting experiment")


def test_learning_curves_over_seeds_with_error_bars(qtbot, tab):
    page = tab.experiments.curves
    page.seeds.setValue(2)
    page.epochs.setValue(1)
    page.min_batches.setValue(5)
    run(qtbot, tab, page)
    result = page.result
    assert result.sizes == (50, 100, 160)  # sizes up to the 160 training digits, then all
    assert len(result.seeds) == 2 and result.n_validation == 40
    assert page.sentence.text() == result.sentence
    assert "2 seeds, 40 validation digits" in page.sentence.text()
    assert page.table.rowCount() == 3
    for slot, name in (("cnn", "CNN"), ("mlp", "MLP")):
        series = page.plot.series[slot]
        assert series.bar_count() == 3
        np.testing.assert_allclose(
            series.half_heights(), [100 * s.sd for s in result.accuracy[name]]
        )
        _x, y = series.curve.getData()
        np.testing.assert_allclose(y, [100 * s.mean for s in result.accuracy[name]])
    x, _y = page.plot.series["cnn"].curve.getData()
    np.testing.assert_allclose(x, [math.log10(n) for n in (50, 100, 160)])


def test_shift_test_over_seeds_shows_each_network_in_its_own_column(qtbot, tab):
    page = tab.experiments.shift
    page.seeds.setValue(2)
    page.epochs.setValue(2)
    run(qtbot, tab, page)
    result = page.result
    assert result.shifts == (0, 1, 2, 3) and len(result.seeds) == 2
    assert page.sentence.text() == result.sentence
    assert "2 seeds, 40 validation digits" in page.sentence.text()
    table = page.table
    assert [table.horizontalHeaderItem(c).text() for c in (1, 2)] == ["CNN", "MLP"]
    assert table.item(0, 1).text() == f"{tab.models['cnn'].n_params:,}"
    assert table.item(0, 2).text() == f"{tab.models['mlp'].n_params:,}"
    # The second network's column (and curve) holds the second network's numbers.
    assert result.accuracy["CNN"] != result.accuracy["MLP"]
    for column, slot, name in ((1, "cnn", "CNN"), (2, "mlp", "MLP")):
        texts = [table.item(r + 1, column).text() for r in range(4)]
        assert texts == [s.percent() for s in result.accuracy[name]]
        series = page.plot.series[slot]
        assert series.bar_count() == 4
        _x, y = series.curve.getData()
        np.testing.assert_allclose(y, [100 * s.mean for s in result.accuracy[name]])
        np.testing.assert_allclose(
            series.half_heights(), [100 * s.sd for s in result.accuracy[name]]
        )
    legend = page.plot.plot.getPlotItem().legend
    entries = [label.text for _sample, label in legend.items]
    assert entries == [
        f"CNN ({result.n_params['CNN']:,} params)",
        f"MLP ({result.n_params['MLP']:,} params)",
    ]


def test_the_gradient_check_uses_the_lambda_set_in_the_tab(qtbot, tab):
    tab.options_box.lam.setValue(0.5)
    train(qtbot, tab)
    page = tab.experiments.gradient
    run(qtbot, tab, page)
    checks, sentence = page.result
    assert set(checks) == set(SLOTS)
    assert sentence.startswith("Checked with λ = 0.5 on ")
    assert page.sentence.text() == sentence
    rows = sum(len(found) for found in checks.values())
    assert page.table.rowCount() == rows
    assert max(float(page.table.item(r, 2).text()) for r in range(rows)) < 1e-3


def test_lambda_set_in_the_gui_reaches_the_models_it_trains(qtbot, tab):
    tab.options_box.lam.setValue(0.05)
    train(qtbot, tab)
    o = tab.options
    assert o.lam == 0.05

    def by_hand(slot: str, lam: float):
        model = make_model(tab.networks[slot], tab.input_shape(), tab.dataset.n_classes, o.seed)
        Trainer(
            model,
            tab.train_x,
            tab.train_y,
            epochs=o.epochs,
            batch_size=o.batch_size,
            learning_rate=o.learning_rate,
            lam=lam,
            optimizer=o.optimizer,
            augment_shift=o.augment_shift,
            seed=o.seed,
            validation=(tab.val_x, tab.val_y),
        ).run()
        return model.parameters()

    for slot in SLOTS:
        gui = tab.models[slot].parameters()
        same, without = by_hand(slot, 0.05), by_hand(slot, 0.0)
        for key in gui:
            np.testing.assert_allclose(gui[key], same[key], rtol=1e-5, atol=1e-6)
        assert any(not np.allclose(gui[k], without[k], rtol=1e-3, atol=1e-4) for k in gui)


def test_a_stopped_workers_late_signals_change_nothing(qtbot, tab):
    tab.options_box.epochs.setValue(400)
    qtbot.mouseClick(tab.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.histories["cnn"].records) >= 1, timeout=TRAIN_TIMEOUT)
    (old,) = tab.job_runner.findChildren(QThread)  # the job's thread (its signals)
    record, model = tab.histories["cnn"].records[0], tab.models["cnn"]
    tab.reset_button.click()  # stops the worker; no event loop runs before the emits below
    assert not tab.busy and shiboken6.isValid(old)
    status = tab.status_label.text()

    def late_signals() -> None:
        """What a stopped job still had queued, arriving now."""
        old.published.emit(old.generation, Progress(0.5, 30.0, 0.0))
        old.published.emit(old.generation, Epoch("cnn", record, model))
        old.reported.emit(old.generation, 1, 2, "late")
        old.ended.emit(old.generation, "failed", "late failure")
        old.ended.emit(old.generation, "finished", ("train", {}))

    late_signals()  # after Reset: all of it is dropped
    assert tab.histories["cnn"].records == []
    assert tab.curves.point_count("cnn") == 0 and tab.progress.value() == 0
    assert tab.time_label.text() == "" and tab.status_label.text() == status
    assert not tab.trained("cnn")
    # … and while a newer run is current: still dropped, the new run goes on.
    qtbot.mouseClick(tab.train_button, Qt.MouseButton.LeftButton)
    assert tab.busy
    late_signals()
    assert record not in tab.histories["cnn"].records and tab.busy
    assert tab.progress.value() != 500 and tab.status_label.text().startswith("Training on")


def test_reset_stops_a_running_experiment_and_shows_no_result(qtbot, tab):
    page = tab.experiments.overfitting
    page.train_size.setValue(100)
    page.epochs.setValue(2000)
    tab.experiments.tabs.setCurrentWidget(page)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    (thread,) = tab.job_runner.findChildren(QThread)
    qtbot.waitUntil(lambda: tab.progress.value() > 0, timeout=RUN_TIMEOUT)
    # The engine's per-batch progress drives the bar and the time-left estimate.
    qtbot.waitUntil(lambda: tab.time_label.text().endswith(" left"), timeout=RUN_TIMEOUT)
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    assert not tab.busy and not thread.isRunning()
    assert page.result is None and not page.sentence.isVisible()
    assert page.plots.val.bar_count() == 0 and page.button.isEnabled()
    assert page.plots.hint.isVisible() and page.plots.hint.text().startswith("Press Run")


def test_experiment_inputs_survive_save_and_restore(qtbot, tab):
    exp = tab.experiments
    exp.overfitting.noise.setValue(20)
    exp.overfitting.seeds.setValue(5)
    exp.overfitting.lambdas_edit.setText("0, 0.01")
    exp.curves.min_batches.setValue(77)
    exp.shift.epochs.setValue(9)
    state = tab.save_state()
    other = make_tab(qtbot)
    try:
        other.restore_state(state)
        o = other.experiments
        assert (o.overfitting.noise.value(), o.overfitting.seeds.value()) == (20, 5)
        assert o.overfitting.lambdas_edit.text() == "0, 0.01"
        assert o.curves.min_batches.value() == 77 and o.shift.epochs.value() == 9
        # Values outside a box's range (a hand-edited or old session) are ignored.
        bad = {"overfitting": {"noise": 80, "seeds": 11, "lambdas": 3}, "shift": {"epochs": 1.5}}
        o.restore_state(bad)
        assert (o.overfitting.noise.value(), o.overfitting.seeds.value()) == (20, 5)
        assert o.shift.epochs.value() == 9
        o.restore_state({"sweep_slot": "mlp", "lambdas": "0, 1"})  # an old session's layout
        assert o.overfitting.lambdas_edit.text() == "0, 0.01"
    finally:
        other.shutdown()
