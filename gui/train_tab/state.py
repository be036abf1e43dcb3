"""The Train tab's settings, networks and trained models as plain JSON types (sessions, export).

Weights travel as base64 of their float32 bytes with their shape: a session file stays plain
JSON (the default models are ~15,000 numbers, ~80 kB of text).  A model with more than
:data:`SESSION_MAX_PARAMS` parameters is left out of the session (the engine trains up to
5,000,000: 27 MB of base64, rewritten at every autosave); Export… keeps it.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from engine.checks import is_int
from engine.train import (
    DEFAULTS,
    OPTIMIZERS,
    History,
    Model,
    TrainSettings,
    build_model,
    preset_network_json,
)

SLOTS = ("cnn", "mlp")
SLOT_TITLES = {"cnn": "CNN", "mlp": "MLP"}
#: Most parameters of one model kept in a session (≈ 2.7 MB of base64 text).
SESSION_MAX_PARAMS = 500_000
#: Most images used (the Images spin box): a seeded subset of larger data sets.
MAX_SAMPLES_RANGE = (20, 100_000)
#: The spin boxes' ranges: the engine's table (:attr:`TrainSettings.LIMITS`) plus the subset
#: size; values read from a session are checked against them first.
LIMITS: dict[str, tuple[float, float]] = {**TrainSettings.LIMITS, "max_samples": MAX_SAMPLES_RANGE}
#: Most epochs of curves read back from a session (the epochs spin box's maximum).
MAX_HISTORY_EPOCHS = int(LIMITS["epochs"][1])
#: Distances of the shift test (pixels).
SHIFTS = (0, 1, 2, 3)


@dataclass(frozen=True)
class TrainOptions:
    """What the user set: optimiser, step size, batches, epochs, λ, data split and subset."""

    optimizer: str = DEFAULTS.optimizer
    learning_rate: float = DEFAULTS.learning_rate
    batch_size: int = DEFAULTS.batch_size
    epochs: int = DEFAULTS.epochs
    lam: float = DEFAULTS.lam
    augment_shift: int = DEFAULTS.augment_shift
    validation_fraction: float = DEFAULTS.validation_fraction
    seed: int = DEFAULTS.seed
    #: Use at most this many images (a seeded random subset): large IDX files stay quick.
    max_samples: int = 10_000

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return asdict(self)

    def updated(self, data: object) -> TrainOptions:
        """A copy with the valid entries of ``data`` applied (bad ones keep their value)."""
        if not isinstance(data, dict):
            return self
        changes: dict[str, Any] = {}
        for f in fields(self):
            value = data.get(f.name)
            if value is None:
                continue
            if f.name == "optimizer":
                if value in OPTIMIZERS:
                    changes[f.name] = value
                continue
            if f.name == "max_samples":
                low, high = MAX_SAMPLES_RANGE
                usable = type(value) is int and low <= value <= high
            else:
                usable = TrainSettings.within_limits(f.name, value)
            if usable:
                want_int = isinstance(getattr(self, f.name), int)
                changes[f.name] = int(value) if want_int else float(value)
        return replace(self, **changes)


def preset_network(slot: str) -> dict[str, Any]:
    """The default network of ``slot`` as ``{"name", "input_shape", "layers"}``."""
    doc = json.loads(preset_network_json(slot))
    return {"name": doc["name"], "input_shape": doc["input_shape"], "layers": doc["layers"]}


def fitted_layers(layers: list[dict[str, Any]], classes: int) -> list[dict[str, Any]]:
    """``layers`` with a final Linear layer giving ``classes`` outputs (data with 3 classes
    trains the same network shape with a 3-way output)."""
    result = [dict(spec) for spec in layers]
    if result and result[-1].get("type") == "linear":
        result[-1]["out_features"] = int(classes)
    return result


def make_model(
    network: dict[str, Any], input_shape: tuple[int, ...], classes: int, seed: int
) -> Model:
    """A fresh model of ``network`` for this data (raises ``ValueError`` naming the layer)."""
    layers = fitted_layers(list(network.get("layers", [])), classes)
    return build_model({"layers": layers, "input_shape": list(input_shape)}, None, classes, seed)


def encode_array(values: np.ndarray) -> dict[str, Any]:
    """An array as ``{"shape", "data"}`` (base64 of little-endian float32)."""
    arr = np.ascontiguousarray(values, dtype="<f4")
    return {"shape": list(arr.shape), "data": base64.b64encode(arr.tobytes()).decode("ascii")}


def decode_array(data: object) -> np.ndarray:
    """Inverse of :func:`encode_array`; raises ``ValueError`` for a malformed entry."""
    if not isinstance(data, dict):
        raise ValueError("weights: expected an object with shape and data")
    shape = data.get("shape")
    text = data.get("data")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"weights: bad shape {shape!r}")
    if not isinstance(text, str):
        raise ValueError("weights: data must be base64 text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ValueError("weights: data is not base64") from None
    count = math.prod(shape)
    if len(raw) != 4 * count:
        raise ValueError(f"weights: {len(raw)} bytes for shape {shape}")
    return np.frombuffer(raw, dtype="<f4").reshape(shape).astype(np.float32)


def encode_trained(model: Model, history: History | None) -> dict[str, Any]:
    """A trained model (its network, seed and weights) and its curves, as plain JSON types.

    Over :data:`SESSION_MAX_PARAMS` parameters only ``{"omitted": n_params}`` is kept.
    """
    if model.n_params > SESSION_MAX_PARAMS:
        return {"omitted": model.n_params}
    return {
        "network": json.loads(model.network_json()),
        "classes": model.classes,
        "seed": model.seed,
        "params": {name: encode_array(p) for name, p in model.parameters().items()},
        "history": history.to_dict() if history is not None else None,
    }


def decode_trained(data: object) -> tuple[Model, History | None]:
    """Inverse of :func:`encode_trained`; raises ``ValueError`` for anything malformed or
    beyond the limits (a sentence for the user)."""
    if isinstance(data, dict) and isinstance(data.get("omitted"), int):
        raise ValueError(
            f"its {data['omitted']:,} trained weights are more than a session keeps "
            f"({SESSION_MAX_PARAMS:,}); Export… saves them and Import weights… brings them back"
        )
    if not isinstance(data, dict) or not isinstance(data.get("params"), dict):
        raise ValueError("the saved model has no network or weights")
    classes, seed = data.get("classes"), data.get("seed")
    if not (is_int(classes) and is_int(seed)):
        raise ValueError("the saved model's classes and seed must be whole numbers")
    try:
        model = build_model(data.get("network"), None, classes, seed)
    except (TypeError, OverflowError) as exc:
        raise ValueError(f"the saved network is damaged ({exc})") from None
    if model.n_params > SESSION_MAX_PARAMS:
        raise ValueError(
            f"the saved network has {model.n_params:,} parameters; a session keeps at most "
            f"{SESSION_MAX_PARAMS:,}"
        )
    if set(data["params"]) != set(model.parameters()):  # before decoding any of them
        raise ValueError("the saved weights do not match the saved network")
    params = {name: decode_array(v) for name, v in data["params"].items()}
    model.set_parameters(params)  # refuses NaN and infinite weights
    history = data.get("history")
    if not isinstance(history, dict):
        return model, None
    try:
        curves = History.from_dict(history)
    except OverflowError:  # an epoch of 1e999 (json reads it as inf)
        raise ValueError("history: an epoch number is not finite") from None
    if len(curves.records) > MAX_HISTORY_EPOCHS:
        raise ValueError(
            f"history: {len(curves.records):,} epochs; at most {MAX_HISTORY_EPOCHS:,} are read"
        )
    return model, curves
