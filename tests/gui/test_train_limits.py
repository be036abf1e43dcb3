"""The Train tab's spin boxes and its session restore read the engine's one limits table
(TrainSettings.LIMITS): a value at a spin box's end is restored, one just beyond is not."""

from __future__ import annotations

import pytest

from engine.train import TrainSettings
from gui.train_tab.setup_panel import DataBox, OptionsBox
from gui.train_tab.state import LIMITS, MAX_HISTORY_EPOCHS, TrainOptions


@pytest.fixture
def boxes(qtbot):
    data, options = DataBox(), OptionsBox()
    qtbot.addWidget(data)
    qtbot.addWidget(options)
    return data, options


def test_the_spin_boxes_hold_exactly_the_engine_ranges(boxes):
    data, options = boxes
    spins = {
        "learning_rate": options.learning_rate,
        "lam": options.lam,
        "batch_size": options.batch_size,
        "epochs": options.epochs,
        "seed": data.seed,
        "augment_shift": data.shift,
        "max_samples": data.samples,
    }
    for name, spin in spins.items():
        assert (spin.minimum(), spin.maximum()) == pytest.approx(LIMITS[name]), name
    low, high = TrainSettings.LIMITS["validation_fraction"]
    assert (data.validation.minimum(), data.validation.maximum()) == (100 * low, 100 * high)
    assert MAX_HISTORY_EPOCHS == TrainSettings.LIMITS["epochs"][1]
    assert LIMITS.items() >= TrainSettings.LIMITS.items()


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_a_session_value_at_the_end_is_restored_and_beyond_it_is_not(name):
    low, high = LIMITS[name]
    whole = isinstance(getattr(TrainOptions(), name), int)
    step = 1 if whole else high * 1e-9
    options = TrainOptions()
    assert getattr(options.updated({name: high}), name) == high
    assert getattr(options.updated({name: low}), name) == low
    assert options.updated({name: high + step}) == options
    assert options.updated({name: low - step}) == options
    assert options.updated({name: True}) == options
