"""The Matrix & kernel and Layer sizes tabs read one limits table each from the engine
(engine.matrix.MATRIX_LIMITS; engine.layers' SINGLE_LAYER_RANGES and MAX_* constants): every
spin box's range is the table's, and a session value at an end is restored while one beyond it
is refused (or, for the conv layer's C and N, clamped to the end)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QSpinBox

from engine.layers import (
    MAX_INPUT_CHANNELS,
    MAX_INPUT_SIDE,
    MAX_LAYER_INT,
    SINGLE_LAYER_RANGES,
)
from engine.matrix import MATRIX_LIMITS, clamp_to_matrix_limits, within_matrix_limits
from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.layers_tab.layer_form import LayerForm
from gui.matrix_tab.matrix_editor import MatrixEditor
from tests.gui.matrix_helpers import shown_matrix_tab

SETTINGS = ("custom_pad", "stride", "dilation", "pool_size", "pool_stride")


def span(spin: QSpinBox) -> tuple[int, int]:
    return (spin.minimum(), spin.maximum())


@pytest.fixture
def matrix_tab(qtbot):
    with shown_matrix_tab(qtbot) as page:
        yield page


@pytest.fixture
def layers_tab(qtbot):
    page = LayersTab(context=AppContext())
    qtbot.addWidget(page)
    return page


def test_every_matrix_spin_box_holds_exactly_the_table(matrix_tab):
    page = matrix_tab
    expected = {getattr(page.settings, name): name for name in SETTINGS}
    expected |= {
        page.solver.k_rows: "solver_side",
        page.solver.k_cols: "solver_side",
        page.layer_panel.c_spin: "layer_channels",
        page.layer_panel.n_spin: "layer_filters",
        page.layer_panel.k_spin: "kernel_side",
        page.layer_panel.h_spin: "input_side",
        page.layer_panel.w_spin: "input_side",
    }
    sides = {MATRIX_LIMITS[n][1]: n for n in ("input_side", "kernel_side")}
    editors = page.findChildren(MatrixEditor)
    assert page.input_editor in editors and len(editors) > 10
    for matrix in editors:  # input, kernels, layer channels/filters/bias, target, gradient
        side = sides[matrix.max_side]
        expected |= {matrix.rows_spin: side, matrix.cols_spin: side}
        expected |= {matrix.random_low: "random_value", matrix.random_high: "random_value"}
    for spin, name in expected.items():
        assert span(spin) == MATRIX_LIMITS[name], (spin.objectName(), name)
    # A new spin box in these panels without an entry in the table fails here.
    for panel in (page.settings, page.layer_panel, page.solver):
        unlisted = [s.objectName() for s in panel.findChildren(QSpinBox) if s not in expected]
        assert not unlisted, unlisted
    # The kernels box holds at most the table's count.
    while page.kernels.add_button.isEnabled():
        page.kernels.add_button.click()
    assert len(page.kernels.editors) == MATRIX_LIMITS["kernels"][1]


@pytest.mark.parametrize("name", SETTINGS)
def test_a_matrix_setting_at_its_end_is_restored_and_beyond_it_is_refused(matrix_tab, name):
    bar = matrix_tab.settings
    spin = getattr(bar, name)
    low, high = MATRIX_LIMITS[name]
    for value in (low, high):
        bar.restore_state({name: value}, refused := [])
        assert spin.value() == value and not refused
    for value in (low - 1, high + 1, 2**40):
        bar.restore_state({name: value}, refused := [])
        assert spin.value() == high
        assert len(refused) == 1 and f"{low}…{high}" in refused[0]
    bar.restore_state({name: True}, refused := [])
    assert spin.value() == high and not refused


def test_matrix_sizes_at_the_table_ends_are_restored_and_beyond_are_refused(matrix_tab):
    page = matrix_tab
    top_in = MATRIX_LIMITS["input_side"][1]
    top_k = MATRIX_LIMITS["kernel_side"][1]
    state = page.save_state()
    page.restore_state(state | {"input": [[1] * top_in], "kernels": [{"values": [[2] * top_k]}]})
    assert page.input_model.values.shape == (1, top_in)
    assert page.kernels.models[0].values.shape == (1, top_k)
    page.restore_state(
        state | {"input": [[1] * (top_in + 1)], "kernels": [{"values": [[2] * (top_k + 1)]}]}
    )
    assert page.input_model.values.shape == (1, top_in)  # kept
    assert page.kernels.models[0].values.shape == (1, top_k)

    low, high = MATRIX_LIMITS["solver_side"]
    for size, shown in (
        ([low, high], (low, high)),
        ([high + 1, 2], (low, high)),
        ([0, 2], (1, 15)),
    ):
        page.solver.restore_state({"size": size})
        assert (page.solver.k_rows.value(), page.solver.k_cols.value()) == shown


def test_conv_layer_channels_and_filters_are_clamped_to_the_table(matrix_tab):
    panel = matrix_tab.layer_panel
    state = panel.save_state()
    for key, name in (("channels", "layer_channels"), ("filters", "layer_filters")):
        low, high = MATRIX_LIMITS[name]
        for saved, restored in ((low, low), (high, high), (high + 1, high), (low - 1, low)):
            panel.restore_state(state | {key: saved})
            assert getattr(panel, key) == restored, (key, saved)


def test_the_matrix_table_checks_whole_numbers_only():
    for name, (low, high) in MATRIX_LIMITS.items():
        assert within_matrix_limits(name, low) and within_matrix_limits(name, high)
        assert not within_matrix_limits(name, low - 1) and not within_matrix_limits(name, high + 1)
        assert not within_matrix_limits(name, float(low)) and not within_matrix_limits(name, "1")
        assert clamp_to_matrix_limits(name, high + 10**30) == high
        assert clamp_to_matrix_limits(name, low - 1) == low
    assert not within_matrix_limits("stride", True)
    with pytest.raises(ValueError, match="name must be one of"):
        within_matrix_limits("strides", 1)
    with pytest.raises(ValueError, match="value must be an integer"):
        clamp_to_matrix_limits("stride", True)


def test_every_layers_spin_box_holds_exactly_the_table(layers_tab):
    single = layers_tab.single
    for name, spin in single.spins.items():
        assert span(spin) == SINGLE_LAYER_RANGES[name], name
    assert set(single.spins) == set(SINGLE_LAYER_RANGES)
    tops = [MAX_INPUT_CHANNELS, MAX_INPUT_SIDE, MAX_INPUT_SIDE]
    assert [span(s) for s in layers_tab.network.in_spins] == [(1, top) for top in tops]
    form = layers_tab.findChild(LayerForm)
    form_spins = [w for w in form.fields.values() if isinstance(w, QSpinBox)]
    assert form_spins and all(s.maximum() == MAX_LAYER_INT for s in form_spins)


@pytest.mark.parametrize("name", sorted(SINGLE_LAYER_RANGES))
def test_a_one_layer_value_at_its_end_is_restored_and_beyond_it_is_refused(layers_tab, name):
    single = layers_tab.single
    low, high = SINGLE_LAYER_RANGES[name]
    for value in (low, high):
        assert single.restore_state({name: value}) == []
        assert single.spins[name].value() == value
    for value in (low - 1, high + 1, 2**31):
        notes = single.restore_state({name: value})
        assert len(notes) == 1 and name in notes[0]
        assert single.spins[name].value() == high


def test_a_network_input_beyond_the_table_is_refused(layers_tab):
    network = layers_tab.network
    state = network.save_state()
    at_end = state | {"input_shape": [MAX_INPUT_CHANNELS, MAX_INPUT_SIDE, MAX_INPUT_SIDE]}
    assert network.restore_state(at_end) == ""
    assert [s.value() for s in network.in_spins] == at_end["input_shape"]
    beyond = state | {"input_shape": [MAX_INPUT_CHANNELS + 1, 8, 8]}
    assert "4,096" in network.restore_state(beyond)
    assert [s.value() for s in network.in_spins] == at_end["input_shape"]
