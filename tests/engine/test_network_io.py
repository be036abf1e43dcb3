"""Network JSON round trips and errors, CSV/Markdown exports, PyTorch code, layer text form."""

from __future__ import annotations

import ast
import csv
import io
import json

import pytest

from engine import (
    LAYER_KINDS,
    PRESETS,
    network_from_json,
    network_to_json,
    normalize_layer,
    parse_layer_params,
    pytorch_code,
    summarize,
    summarize_partial,
    summary_to_csv,
    summary_to_markdown,
)
from engine.layers.kinds import format_layer_params
from engine.layers.network_io import format_bytes
from engine.storage import atomic_write_text


@pytest.mark.parametrize("key", list(PRESETS))
def test_json_round_trip_keeps_totals(key):
    preset = PRESETS[key]
    text = network_to_json(list(preset.layers), preset.input_shape, preset.title)
    doc = network_from_json(text)
    assert doc.name == preset.title and doc.input_shape == preset.input_shape
    assert summarize(list(doc.layers), doc.input_shape).total_params == preset.published_params
    assert json.loads(text)["format"] == "kernelscope-network"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"layers": [', "not valid JSON: .* line 1, column"),
        ("[1, 2]", r"layer 1: a layer must be an object"),
        ('"hello"', "expected a JSON object"),
        ('{"input_shape": [1, 2, 2]}', "no 'layers' list"),
        ('{"layers": []}', "no 'input_shape'"),
        ('{"layers": [], "input_shape": [1, -2, 2]}', "input_shape must be"),
        ('{"format": "other", "layers": []}', "not a KernelScope network file"),
        ('{"version": 99, "layers": [], "input_shape": [1, 2, 2]}', "newer"),
        (
            '{"layers": [{"type": "conv2d", "kernel_size": "big"}], "input_shape": [1, 8, 8]}',
            r"layer 1 \(Conv2d\): kernel_size must be an integer or a pair",
        ),
        (  # Python's int() refuses > 4,300 digits with its own sys.set_int_max_str_digits text
            '{"layers": [{"type": "conv2d", "out_channels": ' + "9" * 5000 + "}], "
            '"input_shape": [1, 8, 8]}',
            'the value of "out_channels" in item 1 of "layers" is a whole number of 5,000 digits',
        ),
    ],
)
def test_bad_json_gives_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        network_from_json(text)


def test_network_with_bad_shapes_still_loads():
    text = json.dumps(
        {
            "input_shape": [1, 4, 4],
            "layers": [{"type": "conv2d", "out_channels": 2, "kernel_size": 7}],
        }
    )
    doc = network_from_json(text)
    assert not summarize_partial(list(doc.layers), doc.input_shape).valid


def test_csv_export_rows_and_totals():
    s = summarize("lenet5")
    rows = list(csv.reader(io.StringIO(summary_to_csv(s))))
    assert rows[0][:6] == ["#", "name", "type", "parameters", "output shape", "params"]
    assert rows[1][1] == "input" and rows[1][4] == "1×32×32"
    assert rows[2][1] == "C1" and rows[2][4] == "6×28×28" and rows[2][5] == "156"
    assert rows[-1][1] == "total" and rows[-1][5] == "61706"
    assert sum(int(r[5]) for r in rows[1:-1]) == 61706


def test_csv_and_markdown_report_an_invalid_layer():
    s = summarize_partial([{"type": "linear", "out_features": 2}], (1, 3, 3))
    assert "error" in summary_to_csv(s).splitlines()[-1]
    assert "**Invalid:** layer 1 (fc1, input 1×3×3)" in summary_to_markdown(s)


def test_markdown_export():
    md = summary_to_markdown(summarize("alexnet"), "AlexNet")
    assert md.startswith("## AlexNet\n")
    assert "| **total** |" in md and "**61,100,840**" in md and "**714,188,480**" in md
    assert "| 1 | conv1 | Conv2d | out_channels=64, kernel_size=11, stride=4, padding=2 |" in md


def test_pytorch_code_is_valid_python_with_the_right_layers():
    s = summarize("alexnet")
    code = pytorch_code(s, "alex net")
    tree = ast.parse(code)
    seq = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Sequential"
    )
    assert len(seq.args) == len(s.rows)
    assert "nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)," in code
    assert "nn.MaxPool2d(kernel_size=3, stride=2)," in code
    assert "nn.AdaptiveAvgPool2d(6)," in code
    assert "nn.Linear(9216, 4096)," in code and "nn.Dropout(p=0.5)," in code
    assert "alex_net.parameters()) == 61100840" in code


def test_pytorch_code_for_every_layer_kind():
    layers = [
        {
            "type": "conv2d",
            "out_channels": 4,
            "kernel_size": [3, 5],
            "padding": "same",
            "groups": 2,
            "bias": False,
        },
        {"type": "batchnorm2d", "affine": False},
        {"type": "leaky_relu"},
        {
            "type": "conv_transpose2d",
            "out_channels": 2,
            "kernel_size": 3,
            "stride": 2,
            "output_padding": 1,
        },
        {"type": "avgpool2d", "kernel_size": 2, "ceil_mode": True},
        {"type": "adaptive_avgpool2d", "output_size": [2, 3]},
        {"type": "flatten"},
        {"type": "linear", "out_features": 3, "bias": False},
    ]
    code = pytorch_code(summarize(layers, (2, 8, 8)))
    ast.parse(code)
    for snippet in (
        "nn.Conv2d(2, 4, kernel_size=(3, 5), padding='same', groups=2, bias=False)",
        "nn.BatchNorm2d(4, affine=False)",
        "nn.LeakyReLU()",
        "nn.ConvTranspose2d(4, 2, kernel_size=3, stride=2, output_padding=1)",
        "nn.AvgPool2d(kernel_size=2, ceil_mode=True)",
        "nn.AdaptiveAvgPool2d((2, 3))",
        "nn.Linear(12, 3, bias=False)",
    ):
        assert snippet in code
    with pytest.raises(ValueError, match="cannot write PyTorch code"):
        pytorch_code(summarize_partial([{"type": "linear"}], (1, 2, 2)))


@pytest.mark.parametrize("kind", list(LAYER_KINDS))
def test_param_text_round_trip(kind):
    spec = normalize_layer({"type": kind})
    assert parse_layer_params(kind, format_layer_params(spec)) == spec


def test_param_text_parsing():
    spec = parse_layer_params("conv2d", "out_channels=8, kernel_size=3x5, padding=same, bias=false")
    assert spec["kernel_size"] == [3, 5] and spec["padding"] == "same" and spec["bias"] is False
    assert format_layer_params(spec) == "out_channels=8, kernel_size=3x5, padding=same, bias=false"
    assert parse_layer_params("maxpool2d", "kernel_size=3, stride=none")["stride"] is None
    with pytest.raises(ValueError, match="layer 2 \\(Conv2d\\): unknown parameter 'size'"):
        parse_layer_params("conv2d", "size=3", "layer 2")
    with pytest.raises(ValueError, match="expected name=value"):
        parse_layer_params("conv2d", "3")
    with pytest.raises(ValueError, match="stride must be an integer or AxB"):
        parse_layer_params("conv2d", "stride=two")


def test_atomic_write_and_sizes(tmp_path):
    target = tmp_path / "net.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "missing" / "x.json", "x", make_parents=False)
    assert format_bytes(40) == "40 B" and format_bytes(3136) == "3.1 KiB"
    assert format_bytes(5 * 1024**3) == "5.0 GiB"


def test_pytorch_code_keeps_conv_dilation():
    layers = [
        {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "dilation": 2},
        {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "dilation": [1, 3]},
        {"type": "conv_transpose2d", "out_channels": 2, "kernel_size": 3, "dilation": 2},
    ]
    code = pytorch_code(summarize(layers, (1, 16, 16)))
    assert "nn.Conv2d(1, 4, kernel_size=3, dilation=2)," in code
    assert "nn.Conv2d(4, 4, kernel_size=3, dilation=(1, 3))," in code
    assert "nn.ConvTranspose2d(4, 2, kernel_size=3, dilation=2)," in code
