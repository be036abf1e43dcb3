"""Models: parameter counts from summarize, whole-network gradients against central differences,
the L2 term, activations, filters, presets as network JSON, save/load."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from engine import PRESETS, log_softmax, network_from_json, summarize
from engine.train import (
    TRAIN_PRESETS,
    _saving,
    build_model,
    load_digits,
    load_model,
    preset_network_json,
    save_model,
    train_model,
)

SMALL_NET = [
    {"type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel_size": 2},
    {"type": "conv2d", "out_channels": 4, "kernel_size": 2, "stride": 1, "dilation": 1},
    {"type": "relu"},
    {"type": "avgpool2d", "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "flatten"},
    {"type": "dropout", "p": 0.3},
    {"type": "linear", "out_features": 7},
    {"type": "relu"},
    {"type": "linear", "out_features": 10},
]


@pytest.mark.parametrize("spec", ["cnn", "mlp", SMALL_NET])
def test_n_params_equals_summarize(spec):
    model = build_model(spec, (1, 8, 8))
    layers = TRAIN_PRESETS[spec] if isinstance(spec, str) else spec
    assert model.n_params == summarize(list(layers), (1, 8, 8)).total_params
    assert sum(v.size for v in model.parameters().values()) == model.n_params


def test_default_cnn_has_fewer_parameters_than_default_mlp():
    assert build_model("cnn").n_params < build_model("mlp").n_params


def test_presets_are_layer_sizes_network_json():
    for name in TRAIN_PRESETS:
        doc = network_from_json(preset_network_json(name))
        assert doc.input_shape == (1, 8, 8)
        from_json = build_model(preset_network_json(name))
        ones = np.ones((2, 1, 8, 8))
        np.testing.assert_array_equal(from_json.forward(ones), build_model(name).forward(ones))
    model = build_model({"layers": list(TRAIN_PRESETS["mlp"]), "input_shape": [1, 4, 4]})
    assert model.input_shape == (1, 4, 4)


def test_whole_network_gradients_match_central_differences_in_float64():
    rng = np.random.default_rng(0)
    model = build_model(SMALL_NET, (2, 6, 6), seed=3, dtype=np.float64)
    x = rng.standard_normal((4, 2, 6, 6))
    y = np.array([0, 3, 9, 3])
    lam = 0.01
    loss, grads = model.loss_and_gradients(x, y, lam, training=False)
    params = model.parameters()
    assert set(grads) == set(params)
    eps = 1e-6
    for name, p in params.items():
        flat = p.reshape(-1)
        for j in rng.choice(flat.size, size=min(6, flat.size), replace=False):
            old = flat[j]
            flat[j] = old + eps
            plus = model.loss_and_gradients(x, y, lam, training=False)[0]
            flat[j] = old - eps
            minus = model.loss_and_gradients(x, y, lam, training=False)[0]
            flat[j] = old
            fd = (plus - minus) / (2 * eps)
            assert grads[name].reshape(-1)[j] == pytest.approx(fd, rel=1e-5, abs=1e-8), name


def test_loss_is_mean_cross_entropy_from_log_softmax_plus_l2_on_weights_only():
    rng = np.random.default_rng(1)
    model = build_model("mlp", dtype=np.float64, seed=2)
    x = rng.random((5, 1, 8, 8))
    y = np.array([1, 2, 3, 4, 5])
    for p in model.parameters().values():
        p += rng.standard_normal(p.shape) * 0.1  # non-zero biases, so leaving them out shows
    logits = model.forward(x)
    ce = -np.mean(log_softmax(logits)[np.arange(5), y])
    params = model.parameters()
    weights = sum(np.sum(params[k] ** 2) for k in ("fc1.weight", "fc2.weight"))
    loss, grads = model.loss_and_gradients(x, y, 0.3)
    assert loss == pytest.approx(ce + 0.3 * weights, rel=1e-12)
    assert model.weight_names() == ("fc1.weight", "fc2.weight")
    _, plain = model.loss_and_gradients(x, y, 0.0)
    for key in params:
        extra = grads[key] - plain[key]
        if key.endswith("weight"):
            np.testing.assert_allclose(extra, 2 * 0.3 * params[key], rtol=1e-12, atol=1e-15)
        else:
            np.testing.assert_array_equal(extra, 0)  # biases are not regularised


def test_output_gradient_is_softmax_minus_one_hot_over_n():
    model = build_model(
        [{"type": "flatten"}, {"type": "linear", "out_features": 3}],
        (1, 1, 2),
        classes=3,
        dtype=np.float64,
    )
    x = np.array([[[[1.0, 2.0]]], [[[-1.0, 0.5]]]])
    y = np.array([2, 0])
    _, grads = model.loss_and_gradients(x, y)
    z = model.forward(x)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    delta = (p - np.eye(3)[y]) / 2  # ŷ − y, averaged over the batch
    np.testing.assert_allclose(grads["fc1.bias"], delta.sum(0), rtol=1e-12)
    np.testing.assert_allclose(grads["fc1.weight"], delta.T @ x.reshape(2, 2), rtol=1e-12)


def test_predict_proba_activations_and_filters():
    model = build_model("cnn", seed=4)
    digits = load_digits()
    x = digits.as_input()[:7]
    proba = model.predict_proba(x)
    assert proba.shape == (7, 10)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(x), proba.argmax(1))
    acts = model.activations(x[0])
    assert [a.name for a in acts] == [r.name for r in model.summary.rows]
    assert [a.values.shape for a in acts] == [r.output_shape for r in model.summary.rows]
    np.testing.assert_allclose(acts[-1].values, model.forward(x[:1])[0], rtol=1e-6)
    assert np.all(acts[1].values >= 0)  # after ReLU
    filters = model.first_layer_filters()
    assert filters is not None and filters.shape == (16, 1, 3, 3)
    np.testing.assert_array_equal(filters, model.parameters()["conv1.weight"])
    assert build_model("mlp").first_layer_filters() is None
    assert build_model("mlp").first_layer_weights().shape == (128, 64)


def test_seed_fixes_initialisation_and_copies_are_independent():
    a, b, c = build_model("cnn", seed=1), build_model("cnn", seed=1), build_model("cnn", seed=2)
    for key, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[key])
    assert not np.array_equal(a.parameters()["conv1.weight"], c.parameters()["conv1.weight"])
    assert np.all(a.parameters()["conv1.bias"] == 0)
    d = a.copy()
    d.parameters()["conv1.weight"][...] = 0
    assert np.any(a.parameters()["conv1.weight"] != 0)


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"type": "batchnorm2d"}, "batchnorm2d"),
        ({"type": "conv_transpose2d", "out_channels": 2}, "conv_transpose2d"),
        ({"type": "adaptive_avgpool2d", "output_size": 2}, "adaptive_avgpool2d"),
        ({"type": "tanh"}, "activation 'tanh'"),
        ({"type": "conv2d", "out_channels": 2, "groups": 1, "kernel_size": 9}, "no output"),
        ({"type": "maxpool2d", "kernel_size": 3, "ceil_mode": True}, "ceil_mode"),
    ],
)
def test_unsupported_or_invalid_layers_are_named(layer, message):
    with pytest.raises(ValueError, match=message):
        build_model([layer, {"type": "flatten"}, {"type": "linear", "out_features": 10}])


def test_grouped_convolution_is_refused_by_name():
    layers = [
        {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "groups": 2},
        {"type": "flatten"},
        {"type": "linear", "out_features": 10},
    ]
    with pytest.raises(ValueError, match=r"layer 1 \(conv1\): groups=2"):
        build_model(layers, (2, 8, 8))


def test_network_json_with_its_own_input_shape():
    text = build_model("cnn", (3, 12, 10)).network_json("colour")
    model = build_model(text)
    assert model.input_shape == (3, 12, 10)
    assert model.forward(np.zeros((2, 3, 12, 10))).shape == (2, 10)
    with pytest.raises(ValueError, match="name must be one of"):
        preset_network_json("resnet")


def test_networks_too_large_to_train_here_are_refused_before_allocating():
    with pytest.raises(ValueError, match="61,100,840 parameters is more than"):
        build_model(list(PRESETS["alexnet"].layers), (3, 224, 224), classes=1000)
    wide = [
        {"type": "conv2d", "out_channels": 64, "kernel_size": 3, "padding": 1},
        {"type": "avgpool2d", "kernel_size": 256},
        {"type": "flatten"},
        {"type": "linear", "out_features": 10},
    ]
    with pytest.raises(ValueError, match="values per sample"):
        build_model(wide, (1, 256, 256))


def test_bad_arguments():
    with pytest.raises(ValueError, match="classes"):
        build_model("mlp", classes=1)
    with pytest.raises(ValueError, match="end with Linear"):
        build_model("mlp", classes=5)
    with pytest.raises(ValueError, match="spec must be"):
        build_model("resnet")
    model = build_model("mlp")
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        model.forward(np.zeros((2, 1, 7, 8)))
    with pytest.raises(ValueError, match="class indices"):
        model.loss_and_gradients(np.zeros((2, 1, 8, 8)), np.array([0, 10]))
    with pytest.raises(ValueError, match="lam"):
        model.loss_and_gradients(np.zeros((2, 1, 8, 8)), np.array([0, 1]), -1.0)


def test_save_and_load_round_trip(tmp_path):
    digits = load_digits()
    model = build_model("cnn", seed=5)
    history = train_model(model, digits.as_input()[:64], digits.labels[:64], epochs=2)
    path = tmp_path / "models" / "cnn.npz"
    save_model(path, model, history)
    loaded, loaded_history = load_model(path)
    assert loaded.layers == model.layers
    assert loaded.seed == 5  # the seed travels too: dropout masks and retraining repeat
    for key, value in model.parameters().items():
        np.testing.assert_array_equal(loaded.parameters()[key], value)
    assert loaded_history is not None and loaded_history.to_dict() == history.to_dict()
    with np.load(path) as npz:  # the network JSON travels inside the archive
        assert json.loads(str(npz["__network__"]))["layers"] == model.layers
    save_model(path, build_model("mlp"))  # overwrite: a different network, no history
    again, none = load_model(path)
    assert none is None and again.n_params == build_model("mlp").n_params


def test_load_refuses_bad_files(tmp_path, monkeypatch):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a KernelScope model archive"):
        load_model(junk)
    bare = tmp_path / "bare.npz"
    np.savez(bare, w=np.zeros(3))
    with pytest.raises(ValueError, match="holds no network"):
        load_model(bare)
    model = build_model("mlp")
    wrong = tmp_path / "wrong.npz"
    params = {k: v for k, v in model.parameters().items() if k != "fc2.bias"}
    np.savez(wrong, __network__=np.array(model.network_json()), **params)
    with pytest.raises(ValueError, match="missing"):
        load_model(wrong)
    bomb = tmp_path / "bomb.npz"
    zeros = np.zeros(2**20, np.float32)  # 4 MiB of zeros compress to a few KiB
    np.savez_compressed(bomb, __network__=np.array(model.network_json()), w=zeros)
    monkeypatch.setattr(_saving, "MAX_MODEL_BYTES", 2**21)  # the file is far below this limit
    assert bomb.stat().st_size < 2**16
    with pytest.raises(ValueError, match="expands to"):
        load_model(bomb)
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        load_model(fifo)
