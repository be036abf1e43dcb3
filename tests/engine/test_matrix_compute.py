"""Several kernels on one input: outputs, filled-in size formulas, floor notes, display modes."""

from __future__ import annotations

import numpy as np
import pytest

from engine import correlate2d, get_filter
from engine.conv.layer import conv_layer
from engine.matrix.compute import (
    ConvSettings,
    compute_layer_outputs,
    compute_outputs,
    display_values,
    explain_output_cell,
    padded_input,
    step_cells,
)
from tests.engine.reference import brute_force_correlate

X = np.arange(49).reshape(7, 7) % 5


def _kernels(*keys):
    return [(get_filter(k).name, get_filter(k).kernel) for k in keys]


def test_three_kernels_give_three_exact_outputs_with_formulas():
    results = compute_outputs(X, _kernels("sobel_x", "prewitt_y", "laplacian4"), ConvSettings())
    assert [r.name for r in results] == ["Sobel x", "Prewitt y", "Laplacian (4-neighbour)"]
    for res, key in zip(results, ("sobel_x", "prewitt_y", "laplacian4"), strict=True):
        assert res.output.dtype == np.int64
        np.testing.assert_array_equal(
            res.output, brute_force_correlate(X, get_filter(key).kernel, (0,) * 4, (1, 1), (1, 1))
        )
        assert res.row_formula == "⌊(7 + 2·0 − 3)/1⌋ + 1 = 5"
        assert res.heading.endswith("5×5")
        assert res.floor_note == ""


def test_stride_two_explains_the_floor():
    results = compute_outputs(
        X, _kernels("box3"), ConvSettings(stride=2, padding="custom", custom_pad=0)
    )
    res = results[0]
    assert res.output.shape == (3, 3)
    assert res.row_formula == "⌊(7 + 2·0 − 3)/2⌋ + 1 = 3"
    settings = ConvSettings(stride=3)
    res = compute_outputs(X, _kernels("sobel_x"), settings)[0]
    assert res.row_formula == "⌊(7 + 2·0 − 3)/3⌋ + 1 = 2   (4/3 = 1.33…, floor 1)"
    assert "padded row 6 never reached" in res.floor_note
    assert "column 6" in res.floor_note


def test_same_full_custom_dilation_and_convolution():
    k = get_filter("sobel_x").kernel
    same = compute_outputs(X, [("k", k)], ConvSettings(padding="same"))[0]
    assert same.output.shape == (7, 7)
    assert same.row_formula == "⌊(7 + 2·1 − 3)/1⌋ + 1 = 7"
    full = compute_outputs(X, [("k", k)], ConvSettings(padding="full"))[0]
    assert full.output.shape == (9, 9)
    dil = compute_outputs(X, [("k", k)], ConvSettings(dilation=2))[0]
    assert dil.row_formula == "⌊(7 + 2·0 − (2·(3−1)+1))/1⌋ + 1 = 3"
    conv = compute_outputs(X, [("k", k)], ConvSettings(operation="convolve"))[0]
    np.testing.assert_array_equal(conv.output, -correlate2d(X, k))


def test_kernel_that_does_not_fit_reports_error_without_stopping_others():
    results = compute_outputs(X[:2, :2], _kernels("sobel_x", "roberts_x"), ConvSettings())
    assert results[0].output is None and "does not fit" in results[0].error
    assert results[1].output.shape == (1, 1)


def test_display_modes():
    v = np.array([[-300, -2], [5, 400]])
    np.testing.assert_array_equal(display_values(v, "raw"), v)
    np.testing.assert_array_equal(display_values(v, "abs"), [[300, 2], [5, 400]])
    np.testing.assert_array_equal(display_values(v, "clamp"), [[0, 0], [5, 255]])
    with pytest.raises(ValueError, match="mode"):
        display_values(v, "log")


def test_bad_settings_are_refused():
    for kwargs, fragment in (
        ({"padding": "half"}, "padding"),
        ({"stride": 0}, "stride"),
        ({"dilation": 1.5}, "dilation"),
        ({"custom_pad": -1}, "custom_pad"),
        ({"operation": "multiply"}, "operation"),
    ):
        with pytest.raises(ValueError, match=fragment):
            ConvSettings(**kwargs)


def test_explain_cell_and_padded_input():
    settings = ConvSettings(padding="custom", custom_pad=1)
    k = get_filter("sobel_x").kernel
    trace = explain_output_cell(X, k, 0, 0, settings)
    assert trace.total == correlate2d(X, k, padding=1)[0, 0]
    assert sum(t.is_padding for t in trace.terms) == 5
    padded = padded_input(X, trace.geometry)
    assert padded.shape == (9, 9)
    assert padded[0].tolist() == [0] * 9
    assert step_cells((2, 2)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert "padding custom p = 1" in settings.describe()


def test_layer_outputs_one_per_filter_with_bias_in_name():
    rng = np.random.default_rng(2)
    x = rng.integers(-3, 4, (2, 6, 6))
    w = rng.integers(-2, 3, (3, 2, 3, 3))
    b = np.array([1, -2, 0])
    settings = ConvSettings(padding="same", stride=2)
    results = compute_layer_outputs(x, w, b, settings)
    expected = conv_layer(x, w, b, padding="same", stride=2)
    assert [r.name for r in results] == [
        "Filter 0 (bias 1)",
        "Filter 1 (bias −2)",
        "Filter 2 (bias 0)",
    ]
    for n, res in enumerate(results):
        np.testing.assert_array_equal(res.output, expected[n])
        assert res.row_formula == "⌊(6 + 1 − 3)/2⌋ + 1 = 3"  # SAME pads 0 top, 1 bottom
    bad = compute_layer_outputs(x, np.zeros((1, 2, 9, 9), dtype=np.int64), b[:1], ConvSettings())
    assert bad[0].output is None and "does not fit" in bad[0].error
