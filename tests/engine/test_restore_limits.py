"""Restored sessions and network files are held to the limits of typing (issue 12 #6, #17)."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from engine.images._tiles import MAX_CUSTOM_KERNELS, validate_custom_kernel
from engine.images.gallery import GalleryPipeline
from engine.layers.limits import (
    MAX_INPUT_CHANNELS,
    MAX_LAYER_INT,
    SINGLE_LAYER_RANGES,
    check_network_limits,
    check_single_layer_state,
)
from engine.layers.network_io import network_from_json, network_to_json
from engine.matrix.parse import MAX_MAGNITUDE, MatrixParseError, matrix_from_state

C_INT_MAX = 2**31 - 1


def _network(**changes):
    doc = json.loads(network_to_json([{"type": "conv2d", "out_channels": 8}], (3, 32, 32)))
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("shape", "field"),
    [([10**9, 28, 28], "C = 1000000000"), ([1, 2**31, 28], "H = 2147483648"), ([1, 28, 9000], "W")],
)
def test_input_shapes_beyond_the_spin_boxes_are_refused_with_field_and_range(shape, field):
    with pytest.raises(ValueError, match=f"input_shape {field}.* outside the allowed range 1…"):
        network_from_json(json.dumps(_network(input_shape=shape)))


@pytest.mark.parametrize("value", [2**31, 2**63, MAX_LAYER_INT + 1])
def test_layer_integers_beyond_the_layer_form_are_refused(value):
    doc = _network(layers=[{"type": "conv2d", "out_channels": value, "kernel_size": [3, 3]}])
    with pytest.raises(ValueError, match=f"layer 1: out_channels = {value} is outside .*1,000,000"):
        network_from_json(json.dumps(doc))
    doc = _network(layers=[{"type": "conv2d", "out_channels": 4, "padding": [1, value]}])
    with pytest.raises(ValueError, match=f"layer 1: padding = {value} is outside"):
        network_from_json(json.dumps(doc))


def test_values_at_the_limits_still_load_and_every_limit_fits_a_c_int():
    doc = _network(
        input_shape=[MAX_INPUT_CHANNELS, 8192, 8192],
        layers=[{"type": "conv2d", "out_channels": MAX_LAYER_INT, "kernel_size": 3}],
    )
    assert network_from_json(json.dumps(doc)).input_shape == (MAX_INPUT_CHANNELS, 8192, 8192)
    assert max(top for _, top in SINGLE_LAYER_RANGES.values()) <= C_INT_MAX
    assert MAX_LAYER_INT <= C_INT_MAX


def test_too_many_layers_are_refused_before_checking_each():
    with pytest.raises(ValueError, match="20,000 layers; at most 1,000"):
        check_network_limits([{"type": "flatten"}] * 20_000, (1, 28, 28))


def test_the_one_layer_state_drops_what_a_spin_box_cannot_hold():
    state = {"c": 10**9, "h": 2**31, "kh": 3, "padding": -1, "stride": True, "bias": False}
    clean, notes = check_single_layer_state(state)
    assert clean == {"kh": 3, "bias": False}
    assert len(notes) == 4
    assert any("c = 1000000000 is outside the allowed range 1…4,096" in n for n in notes)
    assert check_single_layer_state([1]) == ({}, ["the one-layer state is not an object (list)"])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([[3e18, 1]], "not a finite number within ±1e+12"),
        ([[1, 2**64 - 1]], "row 1, column 2"),
        ([[1, float("nan")]], "not a finite number"),
        ([[1, True]], "True is not a number"),
        ([[1, "2"]], "'2' is not a number"),
        ([[1, 2], [3]], "one same"),
        ([[[1, 2]], [[3, 4]]], "not a number"),
        ([], "non-empty list"),
    ],
)
def test_restored_matrices_get_the_typed_cell_limits(value, words):
    with pytest.raises(MatrixParseError, match=re.escape(words)):
        matrix_from_state(value, max_side=64, name="input")


def test_restored_matrix_sizes_are_checked_before_values():
    huge = [[0] * 10] * 100
    with pytest.raises(MatrixParseError, match="100×10; at most 64×64"):
        matrix_from_state(huge, max_side=64)


def test_good_restored_matrices_come_back_exact():
    ints = matrix_from_state([[1, -2], [3, int(MAX_MAGNITUDE)]], max_side=64)
    assert ints.dtype == np.int64 and ints.tolist() == [[1, -2], [3, 10**12]]
    floats = matrix_from_state([[0.5, 1.0]], max_side=64)
    assert floats.dtype == np.float64 and floats.tolist() == [[0.5, 1.0]]
    assert matrix_from_state([[2.0, 4.0]], max_side=64).dtype == np.int64


def test_twenty_thousand_custom_kernels_are_capped_quickly():
    pipeline = GalleryPipeline()
    start = time.perf_counter()
    refused = 0
    for n in range(20_000):
        try:
            pipeline.add_custom_kernel(f"k{n}", [[1, 0], [0, -1]])
        except ValueError as exc:
            assert f"at most {MAX_CUSTOM_KERNELS} custom kernels" in str(exc)
            refused += 1
    assert len(pipeline.custom_kernels()) == MAX_CUSTOM_KERNELS
    assert refused == 20_000 - MAX_CUSTOM_KERNELS
    # Replacing an existing kernel is still allowed at the cap.
    pipeline.add_custom_kernel("k0", [[2]])
    assert pipeline.custom_kernels()["k0"].tolist() == [[2.0]]
    assert time.perf_counter() - start < 30  # generous: the uncapped run took over 60 s


def test_custom_kernel_weights_beyond_the_cell_limit_are_refused():
    with pytest.raises(ValueError, match="limited to ±1e\\+12"):
        validate_custom_kernel([[3e18, 0]])
