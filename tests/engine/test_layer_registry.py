"""The layer-kind registry is the one table: a toy kind registered in ONE place (the fixture
below) works in the summary, network files, the layer text form, training (forward, backward
against finite differences) and ONNX export, and is gone again after unregistering."""

from __future__ import annotations

import dataclasses

import numpy as np
import onnxruntime as ort
import pytest

from engine.layers import (
    LAYER_KINDS,
    HookView,
    LayerKind,
    attach_training,
    format_layer_params,
    kinds_with,
    network_from_json,
    network_to_json,
    normalize_layer,
    parse_layer_params,
    pytorch_code,
    register_layer_kind,
    same_shape,
    summarize,
    unregister_layer_kind,
)
from engine.train import ONNX_CONVERTERS, TRAINABLE_KINDS, build_model, export_onnx, train_model
from engine.train._layers import Layer


class _Double(Layer):
    """y = 2x; ∂L/∂x = 2·∂L/∂y."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return 2 * x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return 2 * grad


@pytest.fixture
def scale2():
    """The toy kind, registered here and nowhere else: one entry."""
    kind = register_layer_kind(
        LayerKind(
            "scale2",
            "Scale×2",
            "Scale2",
            "scale",
            (),
            "multiplies every value by 2, no parameters",
            shape=same_shape,
            torch_code=lambda spec, shape: "Scale2()",
            trainable=lambda spec, context: _Double(context.name),
            onnx=lambda g, layer: g.node(
                "Mul", [layer.input, g.constant(f"{layer.name}.two", np.array(2.0))], layer.name
            ),
        )
    )
    yield kind
    unregister_layer_kind("scale2")


def _layers(with_scale: bool) -> list[dict]:
    layers: list[dict] = [
        {"type": "conv2d", "out_channels": 3, "kernel_size": 3},
        {"type": "relu"},
        {"type": "flatten"},
        {"type": "linear", "out_features": 4},
    ]
    if with_scale:
        layers.insert(2, {"type": "scale2"})
    return layers


def test_the_summary_uses_the_kinds_shape_rule(scale2):
    plain = summarize(_layers(False), (2, 7, 6))
    scaled = summarize(_layers(True), (2, 7, 6))
    row = scaled.rows[2]
    assert (row.name, row.type, row.params, row.macs, row.formula) == (
        "scale1",
        "scale2",
        0,
        0,
        "0",
    )
    assert row.input_shape == row.output_shape == (3, 5, 4)
    assert row.receptive_field == scaled.rows[1].receptive_field == (3, 3)
    assert scaled.total_params == plain.total_params == 3 * (2 * 9 + 1) + 4 * (60 + 1)
    assert scaled.total_macs == plain.total_macs
    assert scaled.total_activations == plain.total_activations + 60
    assert "Scale2()," in pytorch_code(scaled)


def test_network_files_and_the_text_form_take_it(scale2):
    text = network_to_json(_layers(True), (2, 7, 6), name="toy")
    doc = network_from_json(text)
    assert doc.layers[2] == {"type": "scale2"}
    assert network_to_json(list(doc.layers), doc.input_shape, name="toy") == text
    assert format_layer_params({"type": "scale2"}) == ""
    assert parse_layer_params("scale2", " ") == {"type": "scale2"}
    assert normalize_layer({"type": " Scale2 ", "name": "x2"}) == {"type": "scale2", "name": "x2"}
    with pytest.raises(ValueError, match=r"layer 3 \(Scale×2\): unknown parameter 'factor'"):
        normalize_layer({"type": "scale2", "factor": 3}, "layer 3")


def test_a_model_with_it_trains_forward_and_backward(scale2):
    x = np.random.default_rng(1).random((5, 2, 7, 6))
    y = np.array([0, 1, 2, 3, 0])
    plain = build_model(_layers(False), (2, 7, 6), classes=4, seed=2, dtype=np.float64)
    scaled = build_model(_layers(True), (2, 7, 6), classes=4, seed=2, dtype=np.float64)
    assert "scale2" in kinds_with("trainable")
    assert TRAINABLE_KINDS["scale2"] is scale2.trainable  # the trainer's table is a live view
    # Same seed, no parameters of its own: the same weights; ReLU(z)·2 through a bias-free-at-
    # init Linear doubles the logits exactly.
    np.testing.assert_array_equal(scaled.forward(x), 2 * plain.forward(x))
    acts = scaled.activations(x[0])
    np.testing.assert_array_equal(acts[2].values, 2 * acts[1].values)
    # Backward against central differences of the loss, on a few entries of every parameter.
    loss, grads = scaled.loss_and_gradients(x, y, lam=0.01, training=False)
    params = scaled.parameters()
    h = 1e-6
    for key, value in params.items():
        for index in [(0,) * value.ndim, tuple(s - 1 for s in value.shape)]:
            saved = value[index]
            value[index] = saved + h
            up = scaled.loss_and_gradients(x, y, lam=0.01, training=False)[0]
            value[index] = saved - h
            down = scaled.loss_and_gradients(x, y, lam=0.01, training=False)[0]
            value[index] = saved
            assert grads[key][index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)
    history = train_model(scaled, x.astype(np.float32), y, epochs=30, batch_size=5)
    assert history.train_loss[-1] < history.train_loss[0]
    assert scaled.data_loss(x, y)[0] < loss


def test_it_exports_to_onnx_with_the_same_logits(scale2, tmp_path):
    model = build_model(_layers(True), (2, 7, 6), classes=4, seed=3)
    x = np.random.default_rng(4).random((6, 2, 7, 6), dtype=np.float32)
    assert ONNX_CONVERTERS["scale2"] is scale2.onnx
    report = export_onnx(model, tmp_path / "toy.onnx")
    session = ort.InferenceSession(str(report.path), providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {"input": x})[0]
    np.testing.assert_allclose(logits, model.forward(x), atol=1e-5)


def test_after_unregistering_it_is_unknown_everywhere(scale2):
    unregister_layer_kind("scale2")
    try:
        assert "scale2" not in LAYER_KINDS and "scale2" not in kinds_with("trainable")
        assert "scale2" not in TRAINABLE_KINDS and "scale2" not in ONNX_CONVERTERS
        with pytest.raises(ValueError, match="unknown layer type 'scale2'"):
            normalize_layer({"type": "scale2"})
        with pytest.raises(ValueError, match="unknown layer type 'scale2'"):
            summarize([{"type": "scale2"}], (1, 4, 4))
    finally:
        register_layer_kind(scale2)  # for the fixture's own unregister


def test_a_kind_without_a_trainable_layer_is_refused_by_name(scale2):
    register_layer_kind(dataclasses.replace(scale2, trainable=None, onnx=None), replace=True)
    assert summarize(_layers(True), (2, 7, 6)).valid
    with pytest.raises(ValueError, match=r"layer 3 \(scale1\): layer kind 'scale2' cannot be "):
        build_model(_layers(True), (2, 7, 6), classes=4)
    attach_training("scale2", trainable=lambda spec, context: "not a layer")
    with pytest.raises(ValueError, match=r"layer 3 \(scale1\): the Scale×2 factory returned no"):
        build_model(_layers(True), (2, 7, 6), classes=4)


def test_the_registry_refuses_bad_entries(scale2):
    with pytest.raises(ValueError, match="'scale2' is already registered"):
        register_layer_kind(scale2)
    with pytest.raises(ValueError, match="lower-case identifier"):
        register_layer_kind(dataclasses.replace(scale2, key="Scale 2"))
    with pytest.raises(ValueError, match="must be a LayerKind"):
        register_layer_kind({"key": "dict"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no layer kind 'nope'"):
        unregister_layer_kind("nope")
    with pytest.raises(ValueError, match="no layer kind 'nope'"):
        attach_training("nope", onnx=lambda g, layer: "")
    with pytest.raises(ValueError, match="hook must be one of"):
        kinds_with("colour")
    assert list(LAYER_KINDS)[-1] == "scale2"  # new kinds come last in the layer menu
    assert kinds_with("weight_shapes") == ("conv2d", "linear")


def test_hook_views_follow_the_registry(scale2):
    trainable = HookView("trainable")
    assert list(trainable) == list(kinds_with("trainable")) == list(TRAINABLE_KINDS)
    assert len(ONNX_CONVERTERS) == len(kinds_with("onnx"))
    assert list(trainable)[-1] == "scale2"  # registered last, shown last
    register_layer_kind(dataclasses.replace(scale2, trainable=None, onnx=None), replace=True)
    assert "scale2" in LAYER_KINDS and "scale2" not in trainable
    with pytest.raises(KeyError):
        ONNX_CONVERTERS["scale2"]
    with pytest.raises(KeyError):
        TRAINABLE_KINDS["no_such_kind"]
    assert "scale2" not in repr(trainable) and "conv2d" in repr(trainable)
    with pytest.raises(ValueError, match="hook must be one of"):
        HookView("train")
