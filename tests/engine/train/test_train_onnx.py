"""ONNX export: every preset and a network with every trainable layer kind pass onnx.checker and
give KernelScope's logits in onnxruntime (≤ 1e−05); the convolution is not flipped (checked
against OpenCV); softmax on and off; bad models, paths and inputs are refused in words."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest

from engine.layers import LAYER_KINDS, kinds_with
from engine.train import (
    LOGIT_TOLERANCE,
    ONNX_CONVERTERS,
    ONNX_OPSET,
    TRAIN_PRESETS,
    TRAINABLE_KINDS,
    build_model,
    compare_onnx_logits,
    export_onnx,
    load_digits,
    onnx_missing,
    onnxruntime_missing,
    split_dataset,
    train_model,
)

ROOT = Path(__file__).resolve().parents[3]

#: Every trainable layer kind, with the geometry that is easy to get wrong in a conversion:
#: rectangular kernels, strides and padding; "same" padding of an even kernel (the extra row
#: goes to the bottom); dilation in a convolution and a max pooling; average pooling whose
#: divisor counts the zero padding; no bias; dropout (identity when predicting).
EVERY_KIND = [
    {"type": "conv2d", "out_channels": 4, "kernel_size": [3, 5], "stride": [1, 2],
     "padding": [1, 2], "dilation": [2, 1]},
    {"type": "relu"},
    {"type": "conv2d", "out_channels": 3, "kernel_size": 4, "padding": "same", "bias": False},
    {"type": "maxpool2d", "kernel_size": 3, "stride": [2, 1], "padding": 1, "dilation": [1, 2]},
    {"type": "avgpool2d", "kernel_size": [3, 2], "stride": 1, "padding": 1},
    {"type": "relu"},
    {"type": "dropout", "p": 0.25},
    {"type": "flatten"},
    {"type": "linear", "out_features": 9, "bias": False},
    {"type": "relu"},
    {"type": "linear", "out_features": 3},
]  # fmt: skip


@pytest.fixture(scope="module")
def digits():
    train, validation = split_dataset(load_digits())
    return train, validation


@pytest.fixture(scope="module")
def trained(digits):
    """Both presets trained as the tab does (Adam, seed 0), for a few epochs."""
    train, _ = digits
    models = {}
    for name in TRAIN_PRESETS:
        model = build_model(name)
        train_model(model, train.as_input(), train.labels, epochs=4)
        models[name] = model
    return models


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def test_every_trainable_kind_has_a_converter():
    assert set(kinds_with("onnx")) == set(kinds_with("trainable")) == set(TRAINABLE_KINDS)
    assert set(ONNX_CONVERTERS) == set(TRAINABLE_KINDS)
    kinds = {spec["type"] for spec in build_model(EVERY_KIND, (2, 12, 11), classes=3).layers}
    assert kinds == set(TRAINABLE_KINDS)


@pytest.mark.parametrize("name", list(TRAIN_PRESETS))
def test_trained_preset_runs_in_onnxruntime_with_the_same_logits(tmp_path, digits, trained, name):
    model = trained[name]
    report = export_onnx(model, tmp_path / f"{name}.onnx")
    assert report.path.stat().st_size == report.size_bytes > 0
    proto = onnx.load(str(report.path))
    onnx.checker.check_model(proto, full_check=True)
    assert report.opset == ONNX_OPSET >= 13
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", ONNX_OPSET)]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["N", 1, 8, 8] == list(report.input_shape)
    assert [o.name for o in proto.graph.output] == ["logits"] == list(report.outputs)
    # The weights are stored under the parameter names of the .npz export.
    stored = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    assert stored.keys() == model.parameters().keys()
    for key, value in model.parameters().items():
        np.testing.assert_array_equal(stored[key], value)

    x = digits[1].as_input()
    logits = _session(report.path).run(["logits"], {"input": x})[0]
    ours = model.forward(x)
    difference = float(np.max(np.abs(logits - ours)))
    assert difference <= LOGIT_TOLERANCE
    np.testing.assert_array_equal(np.argmax(logits, 1), np.argmax(ours, 1))
    check = compare_onnx_logits(report.path, model, x)
    assert check.samples == len(x) == 359
    assert check.max_logit_difference == pytest.approx(difference, abs=1e-12)
    assert check.same_logits and check.max_probability_difference is None
    assert check.same_predictions == len(x)
    assert check.largest_logit == pytest.approx(float(np.max(np.abs(ours))))


def test_network_with_every_layer_kind_matches_onnxruntime(tmp_path):
    model = build_model(EVERY_KIND, (2, 12, 11), classes=3, seed=3)
    rng = np.random.default_rng(5)
    x = rng.random((40, 2, 12, 11), dtype=np.float32)
    y = rng.integers(0, 3, 40)
    train_model(model, x, y, epochs=2, batch_size=8)  # biases and weights away from the init
    report = export_onnx(model, tmp_path / "every.onnx")
    onnx.checker.check_model(onnx.load(str(report.path)), full_check=True)
    ops = [n.op_type for n in onnx.load(str(report.path)).graph.node]
    assert ops == ["Conv", "Relu", "Conv", "MaxPool", "AveragePool", "Relu", "Identity",
                   "Flatten", "Gemm", "Relu", "Gemm", "Identity"]  # fmt: skip
    logits = _session(report.path).run(None, {"input": x})[0]
    assert logits.shape == (40, 3)
    assert float(np.max(np.abs(logits - model.forward(x)))) <= LOGIT_TOLERANCE
    assert compare_onnx_logits(report.path, model, x).same_logits


def test_the_onnx_convolution_is_opencvs_correlation_not_a_flipped_kernel(tmp_path):
    # One 3×3 filter, then an identity Linear layer: the logits are the feature map itself.
    layers = [
        {"type": "conv2d", "out_channels": 1, "kernel_size": 3, "padding": 1},
        {"type": "flatten"},
        {"type": "linear", "out_features": 30},
    ]
    model = build_model(layers, (1, 5, 6), classes=30)
    kernel = np.arange(1, 10, dtype=np.float32).reshape(3, 3)  # flipping it would show
    model.set_parameters(
        {
            "conv1.weight": kernel[None, None],
            "conv1.bias": np.zeros(1),
            "fc1.weight": np.eye(30),
            "fc1.bias": np.zeros(30),
        }
    )
    image = np.random.default_rng(1).random((5, 6)).astype(np.float32)
    report = export_onnx(model, tmp_path / "conv.onnx")
    logits = _session(report.path).run(None, {"input": image[None, None]})[0]
    expected = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_CONSTANT)
    np.testing.assert_allclose(logits.reshape(5, 6), expected, atol=1e-5)


def test_softmax_adds_a_probabilities_output(tmp_path, digits, trained):
    model = trained["cnn"]
    x = digits[1].as_input()[:50]
    plain = export_onnx(model, tmp_path / "plain.onnx", softmax=False)
    with_softmax = export_onnx(model, tmp_path / "softmax.onnx", softmax=True)
    assert with_softmax.outputs == ("logits", "probabilities")
    proto = onnx.load(str(with_softmax.path))
    onnx.checker.check_model(proto, full_check=True)
    assert [n.op_type for n in proto.graph.node][-1] == "Softmax"
    assert "Softmax" not in [n.op_type for n in onnx.load(str(plain.path)).graph.node]
    logits, probabilities = _session(with_softmax.path).run(None, {"input": x})
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(probabilities, model.predict_proba(x), atol=1e-6)
    np.testing.assert_allclose(logits, model.forward(x), atol=LOGIT_TOLERANCE)
    check = compare_onnx_logits(with_softmax.path, model, x)
    assert check.max_probability_difference is not None
    assert check.max_probability_difference <= 1e-6 and check.same_logits


def test_untrained_model_on_28x28_inputs_in_batches(tmp_path):
    # Larger images run through compare_onnx_logits in several batches (eval_batch is 41).
    model = build_model(list(TRAIN_PRESETS["cnn"]), (1, 28, 28))
    x = np.random.default_rng(2).random((100, 1, 28, 28), dtype=np.float32)
    report = export_onnx(model, tmp_path / "big.onnx")
    assert model.eval_batch < len(x)
    check = compare_onnx_logits(report.path, model, x)
    assert check.samples == 100 and check.same_logits


def test_export_replaces_a_file_atomically_and_leaves_nothing_else(tmp_path, trained):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    export_onnx(trained["mlp"], target)
    export_onnx(trained["cnn"], target)
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
    assert onnx.load(str(target)).graph.node[0].op_type == "Conv"


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder no file can be created in: chmod 0555, or (as root, which chmod does not stop)
    /sys, where the kernel refuses new files to everyone."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return Path("/sys") if os.access(folder, os.W_OK) else folder


def test_paths_that_cannot_be_written_are_refused_in_a_sentence(tmp_path, trained):
    model = trained["mlp"]
    with pytest.raises(ValueError, match=r"ONNX file cannot be saved as .*that is a folder"):
        export_onnx(model, tmp_path)
    with pytest.raises(ValueError, match=r"ONNX file cannot be saved in .*no such folder"):
        export_onnx(model, tmp_path / "missing" / "m.onnx")
    with pytest.raises(ValueError, match=r"300 bytes long; file names can be at most 255"):
        export_onnx(model, tmp_path / ("m" * 295 + ".onnx"))
    read_only = _read_only_folder(tmp_path)
    try:
        with pytest.raises(ValueError, match=r"ONNX file cannot be saved as .*(permission|read-)"):
            export_onnx(model, read_only / "m.onnx")
    finally:
        (tmp_path / "read-only").chmod(0o755)
    assert not (read_only / "m.onnx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["read-only"]


def test_a_layer_without_converter_is_named_and_the_old_file_kept(tmp_path, monkeypatch):
    target = tmp_path / "kept.onnx"
    target.write_bytes(b"previous export")
    model = build_model(EVERY_KIND, (2, 12, 11), classes=3)
    without = dataclasses.replace(LAYER_KINDS["avgpool2d"], onnx=None)
    monkeypatch.setitem(LAYER_KINDS, "avgpool2d", without)
    with pytest.raises(ValueError, match=r"layer 5 \(avgpool1\): AvgPool2d cannot be exported"):
        export_onnx(model, target)
    assert target.read_bytes() == b"previous export"


def test_bad_arguments_are_named():
    model = build_model("mlp")
    with pytest.raises(ValueError, match="model must be a trained Model, got str"):
        export_onnx("cnn", "x.onnx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="softmax must be True or False"):
        export_onnx(model, "x.onnx", softmax="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="path must be a file path"):
        export_onnx(model, "")


def test_comparison_refuses_bad_inputs(tmp_path, trained):
    model = trained["mlp"]
    report = export_onnx(model, tmp_path / "m.onnx")
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\), got \(3, 8, 8\)"):
        compare_onnx_logits(report.path, model, np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="x must hold at least one sample"):
        compare_onnx_logits(report.path, model, np.zeros((0, 1, 8, 8)))
    with pytest.raises(ValueError, match="model must be a trained Model"):
        compare_onnx_logits(report.path, None, np.zeros((1, 1, 8, 8)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"missing\.onnx"):
        compare_onnx_logits(tmp_path / "missing.onnx", model, np.zeros((1, 1, 8, 8)))
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="onnxruntime cannot load junk.onnx"):
        compare_onnx_logits(tmp_path / "junk.onnx", model, np.zeros((1, 1, 8, 8)))
    other = export_onnx(
        build_model([{"type": "flatten"}, {"type": "linear", "out_features": 4}], classes=4),
        tmp_path / "four.onnx",
    )
    with pytest.raises(ValueError, match=r"logits have shape \(1, 4\), expected \(1, 10\)"):
        compare_onnx_logits(other.path, model, np.zeros((1, 1, 8, 8)))


def test_missing_packages_say_what_to_install(tmp_path, monkeypatch):
    assert onnx_missing() == "" and onnxruntime_missing() == ""
    model = build_model("mlp")
    report = export_onnx(model, tmp_path / "m.onnx")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # what `import` sees when it is absent
    assert 'pip install "kernelscope[onnx]"' in onnxruntime_missing()
    with pytest.raises(ValueError, match=r"onnxruntime is not installed.*kernelscope\[onnx\]"):
        compare_onnx_logits(report.path, model, np.zeros((1, 1, 8, 8)))
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert onnx_missing().startswith("Export ONNX needs the optional onnx package")
    with pytest.raises(ValueError, match=r"needs the optional onnx package.*kernelscope\[onnx\]"):
        export_onnx(model, tmp_path / "n.onnx")
    assert not (tmp_path / "n.onnx").exists()


def test_importing_the_engine_does_not_load_onnx():
    code = (
        "import sys, engine, engine.train\n"
        "engine.train.onnx_missing(); engine.train.onnxruntime_missing()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('onnx', 'onnxruntime')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
