"""Several kernels on one input: outputs, filled-in size formulas, floor notes, display modes."""

from __future__ import annotations

import numpy as np
import pytest

from engine import correlate2d, get_filter
from engine.conv import conv_backward, pool2d, trace_cell
from engine.conv.layer import conv_layer
from engine.matrix.backward import compute_backward, default_grad_out
from engine.matrix.compute import (
    ConvSettings,
    PoolingSpec,
    compare_paddings,
    compute_layer,
    compute_layer_outputs,
    compute_matrix,
    compute_outputs,
    display_values,
    explain_output_cell,
    padded_input,
    step_cells,
)
from engine.matrix.kernel_names import is_generated_name, kernel_about, kernel_name
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


def test_one_call_gives_display_pooling_padded_input_and_traces_from_its_geometry():
    k = get_filter("sobel_x").kernel
    settings = ConvSettings(padding="same", stride=2)
    result = compute_matrix(
        X,
        [("Sobel x", k), ("L", get_filter("laplacian4").kernel)],
        settings,
        display="abs",
        pooling=PoolingSpec("max", 2, 1),
    )
    expected = correlate2d(X, k, padding="same", stride=2)
    res = result.outputs[0]
    np.testing.assert_array_equal(res.output, expected)
    np.testing.assert_array_equal(res.shown, np.abs(expected))
    np.testing.assert_array_equal(res.pooled.values, pool2d(expected, 2, 1, "max"))
    assert res.pooled.row_formula == "⌊(4 − 2)/1⌋ + 1 = 3"
    assert res.padded.shape == res.geometry.padded_shape == (9, 9)
    assert "vertical edges" in res.about
    for i, j in step_cells(expected.shape):
        trace = result.trace(0, i, j)
        assert trace.geometry is res.geometry  # not resolved again
        assert trace.total == expected[i, j]
    assert result.pool_trace(0, 1, 1).result == res.pooled.values[1, 1]
    with pytest.raises(ValueError, match="p = 5"):
        result.trace(5, 0, 0)
    small = compute_matrix(X, [("k", k)], ConvSettings(), pooling=PoolingSpec("avg", 6, 1))
    assert small.outputs[0].pooled.values is None
    assert "does not fit this 5×5 output" in small.outputs[0].pooled.error


def test_trace_cell_refuses_a_geometry_for_other_shapes():
    geo = compute_matrix(X, [("k", np.ones((3, 3)))], ConvSettings()).outputs[0].geometry
    with pytest.raises(ValueError, match="geometry"):
        trace_cell(X[:5], np.ones((3, 3)), 0, 0, geometry=geo)


def test_compare_paddings_gives_valid_same_full_with_their_formulas():
    k = get_filter("prewitt_x").kernel
    result = compare_paddings(X, "Prewitt x", k, ConvSettings(padding="custom", custom_pad=3))
    names = [o.name for o in result.outputs]
    assert names == ["Prewitt x · valid", "Prewitt x · same", "Prewitt x · full"]
    shapes = [o.output.shape for o in result.outputs]
    assert shapes == [(5, 5), (7, 7), (9, 9)]
    assert [o.row_formula for o in result.outputs] == [
        "⌊(7 + 2·0 − 3)/1⌋ + 1 = 5",
        "⌊(7 + 2·1 − 3)/1⌋ + 1 = 7",
        "⌊(7 + 2·2 − 3)/1⌋ + 1 = 9",
    ]
    for p, padding in enumerate(("valid", "same", "full")):
        expected = correlate2d(X, k, padding=padding)
        np.testing.assert_array_equal(result.outputs[p].output, expected)
        assert result.trace(p, 0, 0).total == expected[0, 0]
    assert "valid 5×5, same 7×7, full 9×9" in result.title


def test_layer_result_traces_with_its_geometry():
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, (2, 5, 5))
    w = rng.integers(-2, 3, (2, 2, 3, 3))
    b = np.array([1, -1])
    result = compute_layer(x, w, b, ConvSettings(padding="full"), display="clamp")
    expected = conv_layer(x, w, b, padding="full")
    assert result.layer_trace(1, 2, 3).total == expected[1, 2, 3]
    np.testing.assert_array_equal(result.outputs[1].shown, np.clip(expected[1], 0, 255))
    with pytest.raises(ValueError, match="layer_trace"):
        result.trace(0, 0, 0)


@pytest.mark.parametrize(
    ("title", "key", "expected"),
    [
        ("Identity", "prewitt_x", "Prewitt x"),
        ("Identity (edited)", "sobel_x", "Sobel x"),
        ("My own", "sobel_x", "My own"),
        ("Identity", None, "Custom"),
        ("Sobel x", None, "Custom"),
        ("Kernel", "laplacian4", "Laplacian (4-neighbour)"),
    ],
)
def test_a_typed_kernel_takes_the_library_name_or_custom(title, key, expected):
    values = get_filter(key).kernel if key else np.array([[1, 2, 0], [0, 1, 0], [0, 0, 5]])
    assert kernel_name(title, values) == expected


def test_scaled_library_kernel_and_what_kernels_respond_to():
    assert kernel_name("Custom", 2 * get_filter("sobel_x").kernel) == "2 × Sobel x"
    assert is_generated_name("2 × Sobel x") and not is_generated_name("edges")
    assert "vertical edges" in kernel_about(get_filter("prewitt_x").kernel)
    assert "horizontal edges" in kernel_about(get_filter("sobel_y").kernel)
    assert "opposite sign" in kernel_about(-get_filter("sobel_x").kernel)
    lap = kernel_about(get_filter("laplacian4").kernel)
    assert "every direction" in lap and "noise" in lap
    assert "sum to 0" in kernel_about(np.array([[1, -1]]))
    assert "sum to 1" in kernel_about(np.array([[0.5, 0.5]]))


def test_backward_result_holds_y_and_both_gradients_and_traces_them():
    k = get_filter("sobel_x").kernel
    settings = ConvSettings(padding="same", stride=2, dilation=1)
    g = default_grad_out((4, 4), "pattern")
    assert set(np.unique(g)) <= {-1, 0, 1, 2}
    assert default_grad_out((2, 3)).tolist() == [[1, 1, 1], [1, 1, 1]]
    result = compute_backward(X, "Sobel x", k, g, settings)
    forward, d_k, d_x = result.outputs
    np.testing.assert_array_equal(forward.output, correlate2d(X, k, padding="same", stride=2))
    ref_k, ref_x = conv_backward(X, k, g, padding="same", stride=2)
    np.testing.assert_array_equal(d_k.output, ref_k)
    np.testing.assert_array_equal(d_x.output, ref_x)
    assert (d_k.kind, d_x.kind) == ("d_kernel", "d_input")
    assert "Xp[2i + a, 2j + b]" in d_k.formula and "spread 2 apart" in d_x.formula
    trace = result.grad_trace(1, 2, 0)
    assert trace.geometry is forward.geometry and trace.total == ref_k[2, 0]
    assert result.grad_trace(2, 6, 6).total == ref_x[6, 6]
    assert result.trace(0, 1, 1).total == forward.output[1, 1]
    with pytest.raises(ValueError, match="not a gradient"):
        result.grad_trace(0, 0, 0)
    with pytest.raises(ValueError, match="pattern"):
        default_grad_out((2, 2), "random")
