"""Models built from Layer-sizes networks: forward, loss, gradients, activations, presets.

A network is the same list of layer specs the Layer sizes tab edits (see
:mod:`engine.layers.kinds`); :func:`build_model` checks it with :func:`engine.summarize` (so the
shapes and parameter counts are the tab's) and turns each row into a trainable layer with its
kind's factory (:data:`engine.layers.LAYER_KINDS`; the built-in ones in
:mod:`engine.train._kinds`).

Loss: ``L = (1/n) Σ_i CE(softmax(z_i), y_i) + λ Σ_W ‖W‖²`` over weights (not biases), with
``log_softmax`` from :mod:`engine.loss` (the Loss tab's own function); ``∂L/∂z = (ŷ − y)/n``
and the penalty's gradient is exactly ``2λW``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.checks import is_int, is_integer
from engine.layers.network_io import network_from_json, network_to_json
from engine.layers.registry import LAYER_KINDS, HookView
from engine.layers.summary import NetworkSummary, summarize
from engine.loss.softmax import log_softmax, softmax
from engine.train._blas import single_threaded_blas
from engine.train._conv import Conv2d
from engine.train._kinds import LayerContext
from engine.train._layers import Layer, Linear

#: The kinds :func:`build_model` can train, ``key → trainable factory``: a live view of
#: :data:`engine.layers.LAYER_KINDS` (a kind registered with ``trainable=`` is in it at once).
TRAINABLE_KINDS = HookView("trainable")

#: Largest network :func:`build_model` accepts (parameters; values produced per sample): beyond
#: that, numpy training would take hours and the batch's activations gigabytes.
MAX_PARAMS = 5_000_000
MAX_ACTIVATIONS = 2_000_000

#: The default CNN for 8×8 digits: two 3×3 convolutions with pooling, then one linear layer.
#: Pooling to 2×2 makes the features depend less on where the digit sits (shift test).
CNN_LAYERS: tuple[dict[str, Any], ...] = (
    {"type": "conv2d", "out_channels": 16, "kernel_size": 3, "padding": 1},
    {"type": "activation", "function": "relu"},
    {"type": "maxpool2d", "kernel_size": 2},
    {"type": "conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1},
    {"type": "activation", "function": "relu"},
    {"type": "maxpool2d", "kernel_size": 2},
    {"type": "flatten"},
    {"type": "linear", "out_features": 10},
)

#: The default MLP: 64 pixels → 128 hidden units → 10 classes.
MLP_LAYERS: tuple[dict[str, Any], ...] = (
    {"type": "flatten"},
    {"type": "linear", "out_features": 128},
    {"type": "activation", "function": "relu"},
    {"type": "linear", "out_features": 10},
)

#: Named presets: ``"cnn"`` and ``"mlp"`` (layer lists for a ``(1, 8, 8)`` input).
TRAIN_PRESETS: dict[str, tuple[dict[str, Any], ...]] = {"cnn": CNN_LAYERS, "mlp": MLP_LAYERS}


def preset_network_json(name: str, input_shape: tuple[int, ...] = (1, 8, 8)) -> str:
    """A training preset (``"cnn"``/``"mlp"``) as Layer-sizes network JSON text."""
    if name not in TRAIN_PRESETS:
        raise ValueError(f"name must be one of {', '.join(TRAIN_PRESETS)}, got {name!r}")
    return network_to_json(list(TRAIN_PRESETS[name]), input_shape, name=f"digits {name}")


@dataclass(frozen=True)
class LayerActivation:
    """The output of one layer for one sample: ``values`` is ``(C, H, W)`` or ``(F,)``."""

    index: int
    name: str
    type: str
    values: np.ndarray


def _resolve_layers(spec: object) -> tuple[list[Any], tuple[int, ...] | None]:
    """Layer list (and an input shape if the spec carries one) from any accepted spec form."""
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key in TRAIN_PRESETS:
            return list(TRAIN_PRESETS[key]), None
        if key.startswith("{") or key.startswith("["):
            doc = network_from_json(spec)
            return list(doc.layers), doc.input_shape
        raise ValueError(
            f"spec must be 'cnn', 'mlp', network JSON or a list of layers, got {spec!r}"
        )
    if isinstance(spec, dict):
        layers = spec.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("spec: a network object needs a 'layers' list")
        shape = spec.get("input_shape")
        return list(layers), tuple(shape) if isinstance(shape, (list, tuple)) else None
    if isinstance(spec, (list, tuple)):
        return list(spec), None
    raise ValueError(f"spec must be 'cnn', 'mlp', network JSON or a list of layers, got {spec!r}")


class Model:
    """A trainable network.  Build it with :func:`build_model`.

    Attributes
    ----------
    layers
        The normalised layer specs (Layer-sizes JSON form).
    input_shape
        ``(C, H, W)``.
    classes
        Number of outputs.
    summary
        :func:`engine.summarize` of the network (shapes, parameter counts per layer).
    dtype
        ``float32`` for training, ``float64`` for gradient checks (:meth:`astype`).
    """

    def __init__(
        self,
        layers: list[dict[str, Any]],
        input_shape: tuple[int, ...],
        classes: int,
        seed: int,
        dtype: Any = np.float32,
    ) -> None:
        self.summary: NetworkSummary = summarize(layers, input_shape)
        if self.summary.total_params > MAX_PARAMS:
            raise ValueError(
                f"spec: {self.summary.total_params:,} parameters is more than this numpy trainer "
                f"takes ({MAX_PARAMS:,}); use a smaller network"
            )
        if self.summary.total_activations > MAX_ACTIVATIONS:
            raise ValueError(
                f"spec: the layers produce {self.summary.total_activations:,} values per sample, "
                f"more than this numpy trainer takes ({MAX_ACTIVATIONS:,}); use a smaller input "
                "or network"
            )
        self.layers = [dict(s) for s in self.summary.layers]
        self.input_shape = tuple(self.summary.input_shape)
        self.classes = classes
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self._rng = np.random.default_rng(seed)
        self._dropout_rng = np.random.default_rng([seed, 1])
        self._net: list[Layer] = []
        for row in self.summary.rows:
            self._net.append(self._make_layer(row.spec, row.name, row.input_shape, row.index))
        if self._net:
            self._net[0].need_input_grad = False
        self._param_layers = {layer.name: layer for layer in self._net if layer.params}
        self._weight_set = frozenset(self.weight_names())

    def _make_layer(self, spec: dict[str, Any], name: str, shape: tuple[int, ...], i: int) -> Layer:
        """The trainable layer of row ``i``, from its kind's ``trainable`` factory."""
        where = f"layer {i + 1} ({name})"
        kind = LAYER_KINDS[spec["type"]]
        factory = TRAINABLE_KINDS.get(kind.key)
        if factory is None:
            raise ValueError(
                f"{where}: layer kind {kind.key!r} cannot be trained here; use "
                f"{', '.join(TRAINABLE_KINDS)}"
            )
        relu_next = i + 1 < len(self.summary.layers) and self.summary.layers[i + 1]["type"] == (
            "activation"
        )
        context = LayerContext(
            name, where, shape, self.dtype, 2.0 if relu_next else 1.0, self._rng, self._dropout_rng
        )
        layer = factory(spec, context)
        if not isinstance(layer, Layer):
            raise ValueError(f"{where}: the {kind.label} factory returned no trainable Layer")
        return layer

    # -- parameters ---------------------------------------------------------------------------

    def parameters(self) -> dict[str, np.ndarray]:
        """``{"conv1.weight": array, "conv1.bias": …}``: the live arrays (updated in place)."""
        return {
            f"{layer.name}.{key}": value
            for layer in self._net
            for key, value in layer.params.items()
        }

    def weight_names(self) -> tuple[str, ...]:
        """Names of the parameters L2 regularisation applies to (weights, not biases)."""
        return tuple(f"{layer.name}.{key}" for layer in self._net for key in layer.weight_keys())

    @property
    def n_params(self) -> int:
        """Number of trainable parameters (a Python int; equals ``summary.total_params``)."""
        return sum(int(v.size) for v in self.parameters().values())

    def set_parameters(self, values: dict[str, np.ndarray]) -> None:
        """Copy ``values`` into the live parameters (same names and shapes required)."""
        params = self.parameters()
        missing = sorted(set(params) - set(values))
        extra = sorted(set(values) - set(params))
        if missing or extra:
            raise ValueError(f"values: missing {missing}, unexpected {extra}")
        for key, target in params.items():
            source = np.asarray(values[key])
            if source.shape != target.shape:
                raise ValueError(
                    f"values: {key} has shape {source.shape}, the model needs {target.shape}"
                )
            if not np.all(np.isfinite(source)):
                raise ValueError(f"values: {key} holds NaN or infinite values")
            target[...] = source

    def astype(self, dtype: Any) -> Model:
        """A copy of this model computing in ``dtype`` (e.g. float64 for gradient checks)."""
        other = Model(self.layers, self.input_shape, self.classes, self.seed, dtype)
        other.set_parameters(self.parameters())
        return other

    def copy(self) -> Model:
        """An independent copy with the same weights."""
        return self.astype(self.dtype)

    def network_json(self, name: str = "") -> str:
        """The network as Layer-sizes JSON text (:func:`engine.network_to_json`)."""
        return network_to_json(self.layers, self.input_shape, name=name)

    def penalty(self, lam: float) -> float:
        """``λ Σ ‖W‖²`` over the weights (not biases)."""
        if not lam:
            return 0.0
        params = self.parameters()
        # vdot is one BLAS dot per array (float64 arrays sum in float64, float32 in float32).
        return float(lam) * sum(float(np.vdot(params[k], params[k])) for k in self.weight_names())

    # -- forward and backward -----------------------------------------------------------------

    def _input(self, x: object) -> np.ndarray:
        arr = np.asarray(x)
        if arr.ndim == len(self.input_shape):
            arr = arr[None]
        if arr.shape[1:] != self.input_shape:
            raise ValueError(
                f"x must have shape (N, {', '.join(map(str, self.input_shape))}), got {arr.shape}"
            )
        return arr.astype(self.dtype, copy=False)

    def _run(self, arr: np.ndarray, training: bool) -> np.ndarray:
        """The layers on a checked NCHW batch; the layers work in NHWC (see ``_layers``)."""
        out = np.ascontiguousarray(arr.transpose(0, 2, 3, 1)) if arr.ndim == 4 else arr
        with single_threaded_blas():
            for layer in self._net:
                out = layer.forward(out, training)
        return out

    def forward(self, x: object, *, training: bool = False) -> np.ndarray:
        """Logits ``(N, classes)`` for ``x`` of shape ``(N, C, H, W)`` (or one ``(C, H, W)``).

        ``training`` turns dropout on; without it the network is deterministic.  A model is not
        thread-safe (layers keep state between forward and backward): give another thread its
        own :meth:`copy`.
        """
        out = self._run(self._input(x), training)
        if out.ndim != 2 or out.shape[1] != self.classes:
            raise ValueError(
                f"the network ends in shape {out.shape[1:]}, but there are {self.classes} classes;"
                f" end with Linear(out_features={self.classes})"
            )
        return out.copy()  # layers may reuse their output buffers on the next call

    @property
    def eval_batch(self) -> int:
        """Samples per batch when only predicting: 512 8×8 digits, fewer for larger images
        (the im2col matrices grow with the image; this keeps them to a few megabytes)."""
        pixels = math.prod(self.input_shape[1:]) if len(self.input_shape) == 3 else 64
        return max(16, min(512, 32768 // max(pixels, 1)))

    def predict_proba(self, x: object) -> np.ndarray:
        """Softmax probabilities ``(N, classes)`` (float64), computed in batches."""
        arr = self._input(x)
        step = self.eval_batch
        parts = [
            softmax(self.forward(arr[i : i + step]).astype(np.float64))
            for i in range(0, len(arr), step)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, self.classes))

    def predict(self, x: object) -> np.ndarray:
        """Predicted class indices ``(N,)``."""
        return np.argmax(self.predict_proba(x), axis=1)

    def _labels(self, y: object, n: int) -> np.ndarray:
        labels = np.asarray(y)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"y must be {n} integer labels, got shape {labels.shape}")
        if n and (labels.min() < 0 or labels.max() >= self.classes):
            raise ValueError(f"y must hold class indices 0…{self.classes - 1}")
        return labels.astype(np.int64, copy=False)

    def data_loss(self, x: object, y: object) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on ``(x, y)`` (no penalty, no dropout)."""
        arr = self._input(x)
        labels = self._labels(y, len(arr))
        total, correct = 0.0, 0
        step = self.eval_batch
        for i in range(0, len(arr), step):
            logp = log_softmax(self.forward(arr[i : i + step]).astype(np.float64))
            yb = labels[i : i + step]
            total -= float(np.sum(logp[np.arange(len(yb)), yb]))
            correct += int(np.sum(np.argmax(logp, axis=1) == yb))
        n = max(len(arr), 1)
        return total / n, correct / n

    def loss_and_gradients(
        self, x: object, y: object, lam: float = 0.0, *, training: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        """``L = (1/n) Σ CE + λ Σ‖W‖²`` and ``∂L/∂θ`` for every parameter (same keys).

        ``training`` turns dropout on (a fresh random mask); pass ``False`` for a deterministic
        loss (gradient checks).  Raises ``FloatingPointError`` when the logits are not finite.
        Sets ``last_batch`` = (the batch's mean cross-entropy, its number of correct answers).
        """
        arr = self._input(x)
        labels = self._labels(y, len(arr))
        lam = float(lam)
        if not math.isfinite(lam) or lam < 0:
            raise ValueError(f"lam must be finite and ≥ 0, got {lam!r}")
        n = len(arr)
        if n == 0:
            raise ValueError("x must hold at least one sample")
        out = self._run(arr, training)
        if not np.all(np.isfinite(out)):
            raise FloatingPointError(
                "the network's outputs are not finite: the weights diverged (lower the learning "
                "rate)"
            )
        # The Loss tab's log_softmax (float64, max subtracted): never log 0, never overflow.
        logp = log_softmax(out.astype(np.float64))
        loss = -float(np.mean(logp[np.arange(n), labels]))
        # The batch's own metrics, for the Trainer's running training loss and accuracy.
        self.last_batch = (loss, int(np.count_nonzero(np.argmax(logp, axis=1) == labels)))
        grad64 = np.exp(logp)
        grad64[np.arange(n), labels] -= 1.0
        grad = (grad64 / n).astype(self.dtype)
        with single_threaded_blas():
            for layer in reversed(self._net):
                grad = layer.backward(grad)
        grads: dict[str, np.ndarray] = {}
        weights = self._weight_set
        for layer in self._net:
            for key, value in layer.params.items():
                name = f"{layer.name}.{key}"
                g = layer.grads[key]
                if name in weights and lam:
                    g = g + (2.0 * lam) * value  # exactly 2λW
                grads[name] = g.astype(self.dtype, copy=False)
        return loss + self.penalty(lam), grads

    # -- what it learned ----------------------------------------------------------------------

    def activations(self, x: object) -> list[LayerActivation]:
        """Each layer's output for ONE sample ``x`` of shape ``(C, H, W)`` (or ``(1, C, H, W)``).

        The GUI shows these as feature maps: ``(C, H, W)`` after conv/pool/ReLU, ``(F,)`` after
        Flatten/Linear.
        """
        arr = self._input(x)
        if len(arr) != 1:
            raise ValueError(f"x must be one sample, got {len(arr)}")
        out = np.ascontiguousarray(arr.transpose(0, 2, 3, 1)) if arr.ndim == 4 else arr
        result = []
        for row, layer in zip(self.summary.rows, self._net, strict=True):
            out = layer.forward(out, False)
            values = out[0].transpose(2, 0, 1) if out.ndim == 4 else out[0]  # back to (C, H, W)
            result.append(LayerActivation(row.index, row.name, row.type, values.copy()))
        return result

    def first_layer_filters(self) -> np.ndarray | None:
        """The first Conv2d's kernels ``(out_channels, in_channels, kh, kw)`` (a copy), or
        ``None`` when the network has no convolution before its first Linear layer."""
        for layer in self._net:
            if isinstance(layer, Conv2d):
                return np.array(layer.params["weight"], dtype=np.float64)
            if isinstance(layer, Linear):
                return None
        return None

    def first_layer_weights(self) -> np.ndarray:
        """The first parametrised layer's weights: conv kernels or a Linear matrix (a copy)."""
        for layer in self._net:
            if "weight" in layer.params:
                return np.array(layer.params["weight"], dtype=np.float64)
        raise ValueError("the network has no layer with weights")

    def layer_param_names(self) -> dict[str, tuple[str, ...]]:
        """``{layer name: its parameter names}`` for the layers that have parameters."""
        return {
            name: tuple(f"{name}.{k}" for k in layer.params)
            for name, layer in self._param_layers.items()
        }


def build_model(
    spec: object,
    input_shape: tuple[int, ...] | None = None,
    classes: int = 10,
    seed: int = 0,
    *,
    dtype: Any = np.float32,
) -> Model:
    """A freshly initialised, trainable :class:`Model`.

    Parameters
    ----------
    spec
        ``"cnn"`` or ``"mlp"`` (:data:`TRAIN_PRESETS`), network JSON text (Layer sizes tab), a
        ``{"layers": …, "input_shape": …}`` dict or a list of layer specs.
    input_shape
        ``(C, H, W)``; ``None`` takes the JSON's shape, else ``(1, 8, 8)`` (the digits).
    classes
        Number of outputs; the network must end with ``Linear(out_features=classes)``.
    seed
        Seeds the He-normal initialisation (biases start at 0) and the dropout masks.
    dtype
        ``float32`` (fast) or ``float64``.

    Raises
    ------
    ValueError
        Naming the layer: invalid shapes (from :func:`engine.summarize`), unsupported kinds
        (conv-transpose, batch norm, adaptive pooling, activations other than ReLU, grouped
        convolution, ``ceil_mode``), or a last layer that does not give ``classes`` outputs.
    """
    if not is_int(classes) or classes < 2:
        raise ValueError(f"classes must be an integer ≥ 2, got {classes!r}")
    if not is_integer(seed) or seed < 0:
        raise ValueError(f"seed must be an integer ≥ 0, got {seed!r}")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    layers, shape = _resolve_layers(spec)
    if input_shape is not None:
        shape = tuple(input_shape)
    if shape is None:
        shape = (1, 8, 8)
    model = Model(layers, shape, classes, int(seed), dtype)
    final = model.summary.output_shape
    if final != (classes,):
        raise ValueError(
            f"spec: the network's output is {'×'.join(map(str, final))}, but there are "
            f"{classes} classes; end with Linear(out_features={classes})"
        )
    return model
