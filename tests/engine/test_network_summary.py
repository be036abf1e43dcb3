"""summarize(): published parameter totals, hand-computed shapes, brute-force receptive fields."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import PRESETS, correlate2d, summarize, summarize_partial, transposed_output_size
from engine.layers.summary import LayerRow


@pytest.mark.parametrize(
    ("key", "published"),
    [
        ("lenet5", 61_706),  # LeNet-5 with full C3 connections, 32×32 input
        ("alexnet", 61_100_840),  # torchvision.models.alexnet
        ("vgg16", 138_357_544),  # torchvision.models.vgg16
        # hand count: conv 16·(3·3·1+1), BN 2·16, conv 32·(3·3·16+1), BN 2·32, fc 32·7·7·10+10
        ("small_cnn", 16 * (9 + 1) + 2 * 16 + 32 * (9 * 16 + 1) + 2 * 32 + 32 * 7 * 7 * 10 + 10),
    ],
)
def test_preset_totals_match_published_counts(key, published):
    summary = summarize(key)
    assert summary.total_params == published == PRESETS[key].published_params
    assert type(summary.total_params) is int and type(summary.total_macs) is int
    assert all(type(r.params) is int and type(r.macs) is int for r in summary.rows)


def test_published_mac_counts_torchvision_gflops_column():
    # torchvision's model tables: AlexNet 0.71 "GFLOPS", VGG-16 15.47 (multiply-accumulates).
    assert round(summarize("alexnet").total_macs / 1e9, 2) == 0.71
    assert round(summarize("vgg16").total_macs / 1e9, 2) == 15.47


def test_alexnet_shapes_and_receptive_fields():
    rows = {r.name: r for r in summarize("alexnet").rows}
    assert rows["conv1"].output_shape == (64, 55, 55)
    assert rows["maxpool1"].output_shape == (64, 27, 27)
    assert rows["conv2"].output_shape == (192, 27, 27)
    assert rows["maxpool3"].output_shape == (256, 6, 6)
    assert rows["flatten1"].output_shape == (9216,)
    assert rows["fc3"].output_shape == (1000,)
    # The widely quoted AlexNet receptive fields: 11, 19, 51, 67, 99, 131, 163, 195.
    expected = {"conv1": 11, "maxpool1": 19, "conv2": 51, "maxpool2": 67, "conv3": 99}
    expected |= {"conv4": 131, "conv5": 163, "maxpool3": 195}
    for name, rf in expected.items():
        assert rows[name].receptive_field == (rf, rf), name
    assert rows["maxpool3"].jump == (32, 32)
    assert rows["conv1"].macs == 55 * 55 * 64 * 11 * 11 * 3
    assert rows["conv1"].formula == "64·(11·11·3 + 1) = 23,296"
    assert rows["fc1"].formula == "9,216·4,096 + 4,096 = 37,752,832"


def test_vgg16_last_block_and_lenet_shapes():
    vgg = summarize("vgg16")
    convs = [r for r in vgg.rows if r.type == "conv2d"]
    assert len(convs) == 13 and convs[-1].output_shape == (512, 14, 14)
    assert convs[-1].receptive_field == (196, 196)  # conv5_3
    pool5 = [r for r in vgg.rows if r.type == "maxpool2d"][-1]
    assert pool5.receptive_field == (212, 212) and pool5.jump == (32, 32)
    lenet = summarize("lenet5")
    assert [r.output_shape for r in lenet.rows if r.type != "activation"] == [
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 5, 5),
        (400,),
        (120,),
        (84,),
        (10,),
    ]


def test_small_cnn_by_hand():
    s = summarize("small_cnn")
    conv1 = s.rows[0]
    assert conv1.output_shape == (16, 28, 28) and conv1.params == 160
    assert conv1.macs == 28 * 28 * 16 * 3 * 3 * 1
    assert conv1.activations == 16 * 28 * 28 and conv1.activation_bytes == 4 * 16 * 28 * 28
    assert s.output_shape == (10,)
    assert s.total_activations == sum(math.prod(r.output_shape) for r in s.rows)


def test_large_counts_stay_python_ints():
    s = summarize([{"type": "linear", "out_features": 100_000}], (100_000,))
    assert s.total_params == 100_000 * 100_000 + 100_000  # > 2**31
    assert s.total_macs == 10**10


def test_groups_depthwise_and_dilation():
    layers = [
        {"type": "conv2d", "out_channels": 32, "kernel_size": 3, "groups": 32, "bias": False},
        {"type": "conv2d", "out_channels": 64, "kernel_size": 1},
        {"type": "conv2d", "out_channels": 64, "kernel_size": 3, "dilation": 2, "padding": 2},
    ]
    rows = summarize(layers, (32, 16, 16)).rows
    assert rows[0].params == 32 * 3 * 3 and rows[0].output_shape == (32, 14, 14)
    assert rows[0].formula == "32·(3·3·32/32) = 288"
    assert rows[0].macs == 14 * 14 * 32 * 9
    assert rows[1].params == 64 * (32 + 1)
    assert rows[2].output_shape == (64, 14, 14)
    assert rows[2].receptive_field == (3 + 4, 3 + 4)  # dilated 3×3 spans 5


def test_same_padding_even_kernel_and_nonsquare():
    layers = [{"type": "conv2d", "out_channels": 4, "kernel_size": [2, 5], "padding": "same"}]
    row = summarize(layers, (3, 9, 11)).rows[0]
    assert row.output_shape == (4, 9, 11) and row.receptive_field == (2, 5)
    assert row.params == 4 * (2 * 5 * 3 + 1)


def test_transposed_conv_shape_params_and_fractional_jump():
    layers = [
        {"type": "conv_transpose2d", "out_channels": 8, "kernel_size": 4, "stride": 2, "padding": 1}
    ]
    row = summarize(layers, (16, 7, 7)).rows[0]
    assert row.output_shape == (8, 14, 14)
    assert row.params == 16 * 8 * 4 * 4 + 8
    assert row.macs == 7 * 7 * 16 * 4 * 4 * 8
    assert row.jump == (Fraction(1, 2), Fraction(1, 2)) and row.receptive_field == (2, 2)
    with_op = dict(layers[0], output_padding=1)
    assert summarize([with_op], (16, 7, 7)).rows[0].output_shape == (8, 15, 15)


def _scatter_transposed(n, k, s, p, d, op):
    """Brute-force 1-D transposed convolution length: scatter every input to its taps."""
    full = (n - 1) * s + d * (k - 1) + 1 + op
    hits = np.zeros(full, dtype=int)
    for i in range(n):
        for t in range(k):
            hits[i * s + t * d] += 1
    return len(hits[p : full - p])


@given(
    n=st.integers(1, 12),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    op=st.integers(0, 3),
)
def test_transposed_output_size_matches_scatter(n, k, s, p, d, op):
    if op >= max(s, d):
        with pytest.raises(ValueError, match="output_padding"):
            transposed_output_size(n, k, padding=p, stride=s, dilation=d, output_padding=op)
        return
    full = (n - 1) * s + d * (k - 1) + 1 + op
    if full - 2 * p < 1:
        with pytest.raises(ValueError, match="no output"):
            transposed_output_size(n, k, padding=p, stride=s, dilation=d, output_padding=op)
        return
    got = transposed_output_size(n, k, padding=p, stride=s, dilation=d, output_padding=op)
    assert got == _scatter_transposed(n, k, s, p, d, op)


_layer_1d = st.one_of(
    st.tuples(
        st.just("conv2d"),
        st.integers(1, 5),
        st.integers(1, 3),
        st.integers(0, 2),
        st.integers(1, 3),
    ),
    st.tuples(
        st.just("maxpool2d"), st.integers(1, 4), st.integers(1, 3), st.just(0), st.integers(1, 2)
    ),
    st.tuples(st.just("avgpool2d"), st.integers(1, 4), st.integers(1, 3), st.just(0), st.just(1)),
)


def _spec(kind, k, s, p, d):
    spec = {"type": kind, "kernel_size": k, "stride": s, "padding": p}
    if kind == "conv2d":
        spec |= {"out_channels": 2, "dilation": d}
    elif kind == "maxpool2d":
        spec["dilation"] = d
    return spec


@given(st.lists(_layer_1d, min_size=1, max_size=5))
def test_receptive_field_and_jump_match_brute_force(chain):
    """Walk one output unit back through explicit index maps; its input span is the RF."""
    summary = summarize([_spec(*c) for c in chain], (1, 4000, 4000))
    for depth in range(1, len(chain) + 1):
        positions = {0: {0}, 1: {1}}
        for _kind, k, s, p, d in reversed(chain[:depth]):
            positions = {
                unit: {o * s - p + t * d for o in idx for t in range(k)}
                for unit, idx in positions.items()
            }
        rf = max(positions[0]) - min(positions[0]) + 1
        jump = min(positions[1]) - min(positions[0])
        row: LayerRow = summary.rows[depth - 1]
        assert row.receptive_field == (rf, rf)
        assert row.jump == (jump, jump)


def test_adaptive_pool_identity_and_fractional_jump():
    rows = summarize([{"type": "adaptive_avgpool2d", "output_size": [2, 3]}], (5, 4, 6)).rows
    assert rows[0].output_shape == (5, 2, 3)
    assert rows[0].jump == (2, 2) and rows[0].receptive_field == (2, 2)
    odd = summarize([{"type": "adaptive_avgpool2d", "output_size": 3}], (1, 7, 7)).rows[0]
    assert odd.jump == (Fraction(7, 3), Fraction(7, 3))
    assert odd.receptive_field == (3, 3)  # windows [0,3), [2,5), [4,7)


def test_pool_ceil_mode_follows_pytorch():
    pool = {"type": "maxpool2d", "kernel_size": 2, "stride": 2, "ceil_mode": True}
    assert summarize([pool], (1, 5, 5)).rows[0].output_shape == (1, 3, 3)
    assert summarize([dict(pool, ceil_mode=False)], (1, 5, 5)).rows[0].output_shape == (1, 2, 2)
    # ceil would start a window entirely in the right padding: PyTorch drops it.
    padded = dict(pool, kernel_size=3, padding=1)
    assert summarize([padded], (1, 6, 6)).rows[0].output_shape == (1, 4, 4)


@pytest.mark.parametrize(
    ("layers", "shape", "message"),
    [
        (
            [{"type": "flatten"}, {"type": "conv2d", "out_channels": 3}],
            (1, 8, 8),
            r"layer 2 \(conv1, input 64\): Conv2d needs a C×H×W input",
        ),
        (
            [{"type": "linear", "out_features": 3}],
            (1, 8, 8),
            r"layer 1 \(fc1, input 1×8×8\).*add Flatten",
        ),
        (
            [{"type": "conv2d", "out_channels": 3, "kernel_size": 9}],
            (1, 8, 8),
            r"layer 1 \(conv1, input 1×8×8\).*no output",
        ),
        (
            [{"type": "conv2d", "out_channels": 3, "groups": 2}],
            (4, 8, 8),
            r"layer 1 \(conv1, input 4×8×8\): groups=2 must divide",
        ),
        ([{"type": "conv3d"}], (1, 8, 8), r"layer 1: unknown layer type 'conv3d'"),
        ([{"type": "conv2d", "filters": 3}], (1, 8, 8), r"layer 1 \(Conv2d\): unknown parameter"),
        ([{"type": "conv2d", "kernel_size": 0}], (1, 8, 8), r"kernel_size must be at least 1"),
        ([{"type": "maxpool2d", "kernel_size": 2, "padding": 2}], (1, 8, 8), "half"),
        ([{"type": "conv2d", "padding": "same", "stride": 2}], (1, 8, 8), "stride 1"),
        (
            [{"type": "flatten"}, {"type": "linear", "in_features": 5}],
            (1, 2, 2),
            "in_features=5 but the input has 4",
        ),
        ([{"type": "dropout", "p": 1.5}], (1, 2, 2), r"p must be in \[0, 1\]"),
    ],
)
def test_invalid_layers_raise_naming_the_layer(layers, shape, message):
    with pytest.raises(ValueError, match=message):
        summarize(layers, shape)


def test_partial_summary_keeps_rows_before_the_error():
    layers = [
        {"type": "conv2d", "out_channels": 4, "kernel_size": 3},
        {"type": "maxpool2d", "kernel_size": 2},
        {"type": "conv2d", "out_channels": 4, "kernel_size": 5},
        {"type": "flatten"},
    ]
    partial = summarize_partial(layers, (1, 8, 8))
    assert not partial.valid and partial.error.index == 2
    assert [r.output_shape for r in partial.rows] == [(4, 6, 6), (4, 3, 3)]
    assert partial.total_params == 4 * 10


@pytest.mark.parametrize(
    ("network", "shape", "message"),
    [
        ("resnet", None, "unknown preset"),
        ([], (0, 3, 3), "input_shape"),
        ([], (1, 2), "input_shape"),
        ([], None, "input_shape is required"),
        (42, (1, 2, 2), "preset name or a list"),
    ],
)
def test_bad_network_arguments(network, shape, message):
    with pytest.raises(ValueError, match=message):
        summarize(network, shape)


@given(
    h=st.integers(1, 14),
    w=st.integers(1, 14),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    p=st.integers(0, 2),
    s=st.integers(1, 3),
    d=st.integers(1, 2),
)
def test_conv_row_shape_matches_correlate2d(h, w, kh, kw, p, s, d):
    layer = {
        "type": "conv2d",
        "out_channels": 2,
        "kernel_size": [kh, kw],
        "padding": p,
        "stride": s,
        "dilation": d,
    }
    summary = summarize_partial([layer], (1, h, w))
    try:
        real = correlate2d(np.ones((h, w)), np.ones((kh, kw)), padding=p, stride=s, dilation=d)
    except ValueError:
        assert not summary.valid and "no output" in summary.error.message
        return
    assert summary.rows[0].output_shape == (2, *real.shape)


def test_transposed_conv_macs_divide_by_groups():
    """Each input value is scattered to k·k taps of the out_channels/groups outputs of its group
    (counted here with a loop over channels, independent of the summary's formula)."""
    c, n, g, k, h, w = 4, 6, 2, 3, 5, 7
    layers = [{"type": "conv_transpose2d", "out_channels": n, "kernel_size": k, "groups": g}]
    row = summarize(layers, (c, h, w)).rows[0]
    scattered = sum(
        h * w * k * k
        for ci in range(c)
        for co in range(n)
        if ci // (c // g) == co // (n // g)  # same group
    )
    assert row.macs == scattered == 5 * 7 * 4 * 9 * 3
    assert row.params == c * (n // g) * k * k + n


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_get_preset_returns_the_preset_asked_for(key):
    from engine.layers.presets import get_preset

    preset = get_preset(key)
    assert preset is PRESETS[key] and preset.key == key
    assert summarize(key).total_params == preset.published_params


def test_get_preset_names_the_unknown_key():
    from engine.layers.presets import get_preset

    with pytest.raises(ValueError, match="preset must be one of .*got 'resnet'"):
        get_preset("resnet")
    with pytest.raises(ValueError, match="unknown preset 'resnet'"):
        summarize("resnet")
