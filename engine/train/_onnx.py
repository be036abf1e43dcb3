"""Trained models to ONNX, and a check that onnxruntime computes the same logits.

The graph is built with the ``onnx`` package's helper API, one converter per layer kind (the
``onnx`` hook of its entry in :data:`engine.layers.LAYER_KINDS`).  The layouts need no
conversion: KernelScope's layers work in NHWC inside, but a model takes and returns NCHW
batches, keeps convolution kernels as PyTorch's ``(out, in, kh, kw)`` and flattens in C, H, W
order — exactly ONNX's ``Conv`` (cross-correlation, so no kernel flip), ``Flatten(axis=1)`` and
``Gemm(transB=1)`` on an NCHW input.  Padding is written out explicitly (``pads``), so
``padding="same"`` with an even kernel keeps PyTorch's extra row at the bottom.  Dropout is
``Identity`` (a model predicts with dropout off).

``onnx`` and ``onnxruntime`` are an optional extra (``pip install "kernelscope[onnx]"``) and are
imported only here, inside the functions: importing :mod:`engine.train` does not load them.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.layers.registry import LAYER_KINDS, HookView, attach_training
from engine.storage import atomic_write_bytes, check_write_target, read_user_bytes, write_problem
from engine.train._conv import conv_padding
from engine.train._layers import pair
from engine.train._model import Model

if TYPE_CHECKING:
    import onnx

#: The ONNX operator set written: 17 runs in every onnxruntime since 1.12 (2022) and has every
#: operator used here (Conv, MaxPool with dilations, AveragePool, Relu, Gemm, Softmax on one axis).
ONNX_OPSET = 17
#: What to install when a package is missing.
ONNX_INSTALL_HINT = 'pip install "kernelscope[onnx]" (or: pip install onnx onnxruntime)'
#: Largest ONNX file :func:`compare_onnx_logits` reads (a 5 M-parameter model is about 20 MB).
MAX_ONNX_BYTES = 256 * 1024 * 1024
INPUT_NAME = "input"
LOGITS_NAME = "logits"
PROBABILITIES_NAME = "probabilities"
#: Largest |difference| of logits that counts as "the same": both sides compute in float32, and
#: logits of the trained presets (up to ~25) differ by a few units in the last place (≤ 1e−05).
LOGIT_TOLERANCE = 1e-5


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (start-up stays fast)."""
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def onnx_missing() -> str:
    """``""`` when ONNX export works here, else a sentence saying what to install."""
    if _installed("onnx"):
        return ""
    return f"Export ONNX needs the optional onnx package: {ONNX_INSTALL_HINT}."


def onnxruntime_missing() -> str:
    """``""`` when onnxruntime can check an export here, else a sentence saying what to install."""
    if _installed("onnxruntime"):
        return ""
    return (
        "onnxruntime is not installed, so the exported logits were not compared with "
        f"KernelScope's: {ONNX_INSTALL_HINT}."
    )


def _require(module: str, message: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ValueError(message) from None


@dataclass(frozen=True)
class OnnxExport:
    """What :func:`export_onnx` wrote.

    Attributes
    ----------
    path
        The ONNX file.
    opset
        The ``ai.onnx`` operator set version (:data:`ONNX_OPSET`).
    size_bytes
        Size of the file.
    input_shape
        ``("N", C, H, W)``: any batch size, float32, named :data:`INPUT_NAME`.
    outputs
        ``("logits",)`` or ``("logits", "probabilities")`` with ``softmax=True``.
    nodes
        Operators in the graph (one per layer, plus the Softmax).
    """

    path: Path
    opset: int
    size_bytes: int
    input_shape: tuple[int | str, ...]
    outputs: tuple[str, ...]
    nodes: int


@dataclass(frozen=True)
class OnnxComparison:
    """onnxruntime against KernelScope on the same inputs (:func:`compare_onnx_logits`).

    Attributes
    ----------
    samples
        Number of inputs compared.
    max_logit_difference
        ``max |logits_onnx − logits_kernelscope|`` over all samples and classes.
    max_probability_difference
        The same for the ``probabilities`` output against :meth:`Model.predict_proba`, or
        ``None`` when the file has no such output.
    largest_logit
        ``max |logit|`` (float32 rounds a logit of 16–32 to steps of 1.9e−06: the scale of
        an honest difference).
    same_predictions
        Inputs for which both give the same class (argmax).
    """

    samples: int
    max_logit_difference: float
    max_probability_difference: float | None
    largest_logit: float
    same_predictions: int

    @property
    def same_logits(self) -> bool:
        """Whether the logits agree to :data:`LOGIT_TOLERANCE`."""
        return self.max_logit_difference <= LOGIT_TOLERANCE


class _Graph:
    """Nodes and initializers of the graph being built, with unique tensor names."""

    def __init__(self, helper: Any, numpy_helper: Any) -> None:
        self.helper = helper
        self.numpy_helper = numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names = {INPUT_NAME, LOGITS_NAME, PROBABILITIES_NAME}

    def fresh(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3``… if it is taken (custom layer names may clash)."""
        candidate, n = name, 1
        while candidate in self._names:
            n += 1
            candidate = f"{name}_{n}"
        self._names.add(candidate)
        return candidate

    def constant(self, name: str, values: np.ndarray) -> str:
        """A float32 initializer (weights are stored as they are, in float32)."""
        tensor_name = self.fresh(name)
        array = np.ascontiguousarray(values, dtype=np.float32)
        self.initializers.append(self.numpy_helper.from_array(array, tensor_name))
        return tensor_name

    def node(self, op: str, inputs: list[str], layer: str, **attributes: Any) -> str:
        """Append one operator named after its layer; returns its output tensor's name."""
        output = self.fresh(layer)
        self.nodes.append(
            self.helper.make_node(op, inputs, [output], name=f"{layer} ({op})", **attributes)
        )
        return output


@dataclass(frozen=True)
class LayerToConvert:
    """One layer as a converter sees it: its spec, name, weights and the incoming tensor."""

    spec: dict[str, Any]
    name: str
    where: str
    params: dict[str, np.ndarray]
    input: str


def _pads(top: int, bottom: int, left: int, right: int) -> list[int]:
    """ONNX order: all starts (rows, columns), then all ends."""
    return [top, left, bottom, right]


def _conv2d(g: _Graph, layer: LayerToConvert) -> str:
    spec = layer.spec
    k, d = pair(spec["kernel_size"]), pair(spec["dilation"])
    inputs = [layer.input, g.constant(f"{layer.name}.weight", layer.params["weight"])]
    if "bias" in layer.params:
        inputs.append(g.constant(f"{layer.name}.bias", layer.params["bias"]))
    return g.node(
        "Conv",
        inputs,
        layer.name,
        kernel_shape=list(k),
        strides=list(pair(spec["stride"])),
        pads=_pads(*conv_padding(spec["padding"], k, d)),
        dilations=list(d),
        group=int(spec["groups"]),
    )


def _pool_attributes(layer: LayerToConvert) -> dict[str, Any]:
    spec = layer.spec
    if spec.get("ceil_mode"):
        raise ValueError(f"model: {layer.where}: ceil_mode=true cannot be exported to ONNX here")
    k = pair(spec["kernel_size"])
    p = pair(spec["padding"])
    stride = k if spec["stride"] is None else pair(spec["stride"])
    return {"kernel_shape": list(k), "strides": list(stride), "pads": _pads(p[0], p[0], p[1], p[1])}


def _maxpool2d(g: _Graph, layer: LayerToConvert) -> str:
    # Padding never wins a maximum in ONNX, as KernelScope's -inf fill and PyTorch's.
    dilation = list(pair(layer.spec.get("dilation", 1)))
    return g.node(
        "MaxPool", [layer.input], layer.name, dilations=dilation, **_pool_attributes(layer)
    )


def _avgpool2d(g: _Graph, layer: LayerToConvert) -> str:
    # KernelScope (like PyTorch's default) divides by the whole window, padding included.
    return g.node(
        "AveragePool", [layer.input], layer.name, count_include_pad=1, **_pool_attributes(layer)
    )


def _activation(g: _Graph, layer: LayerToConvert) -> str:
    function = layer.spec.get("function")
    if function != "relu":
        raise ValueError(
            f"model: {layer.where}: the activation {function!r} cannot be exported to ONNX "
            "here; use relu"
        )
    return g.node("Relu", [layer.input], layer.name)


def _dropout(g: _Graph, layer: LayerToConvert) -> str:
    # Predictions run with dropout off: the layer passes its input through.
    return g.node("Identity", [layer.input], layer.name)


def _flatten(g: _Graph, layer: LayerToConvert) -> str:
    # On NCHW, Flatten(axis=1) orders features C, H, W: KernelScope's and torch.flatten's order.
    return g.node("Flatten", [layer.input], layer.name, axis=1)


def _linear(g: _Graph, layer: LayerToConvert) -> str:
    # W is (out, in) as in torch.nn.Linear: y = x·Wᵀ + b is Gemm with transB=1.
    inputs = [layer.input, g.constant(f"{layer.name}.weight", layer.params["weight"])]
    if "bias" in layer.params:
        inputs.append(g.constant(f"{layer.name}.bias", layer.params["bias"]))
    return g.node("Gemm", inputs, layer.name, transB=1)


#: The converter of each built-in kind (``converter(graph, layer) -> output tensor name``), kept
#: in its registry entry (:data:`engine.layers.LAYER_KINDS`, hook ``onnx``).
for _key, _converter in (
    ("conv2d", _conv2d),
    ("maxpool2d", _maxpool2d),
    ("avgpool2d", _avgpool2d),
    ("activation", _activation),
    ("dropout", _dropout),
    ("flatten", _flatten),
    ("linear", _linear),
):
    attach_training(_key, onnx=_converter)

#: Every kind's converter, ``key → converter(graph, layer)``: a live view of
#: :data:`engine.layers.LAYER_KINDS` (a kind registered with ``onnx=`` is in it at once).
ONNX_CONVERTERS = HookView("onnx")


def onnx_model(model: Model, *, softmax: bool = False) -> onnx.ModelProto:
    """``model`` as an in-memory ONNX model (opset :data:`ONNX_OPSET`), checked by
    ``onnx.checker``.

    Parameters
    ----------
    model
        A trained (or fresh) :class:`Model`.
    softmax
        Add a Softmax node: a second output ``"probabilities"`` beside ``"logits"``.

    Raises
    ------
    ValueError
        ``onnx`` is not installed (the message says what to install), ``model`` is not a
        :class:`Model`, or a layer has no converter (naming the layer).
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a trained Model, got {type(model).__name__}")
    if not isinstance(softmax, bool):
        raise ValueError(f"softmax must be True or False, got {softmax!r}")
    onnx_module = _require("onnx", onnx_missing() or "the onnx package cannot be imported")
    helper, numpy_helper = onnx_module.helper, onnx_module.numpy_helper
    g = _Graph(helper, numpy_helper)
    params = model.parameters()
    current = INPUT_NAME
    for spec, row in zip(model.layers, model.summary.rows, strict=True):
        kind = spec.get("type")
        where = f"layer {row.index + 1} ({row.name})"
        converter = ONNX_CONVERTERS.get(str(kind))
        if converter is None:
            entry = LAYER_KINDS.get(str(kind))
            label = entry.label if entry is not None else repr(kind)
            raise ValueError(
                f"model: {where}: {label} cannot be exported to ONNX; the exporter knows "
                f"{', '.join(ONNX_CONVERTERS)}"
            )
        own = {
            k: params[f"{row.name}.{k}"] for k in ("weight", "bias") if f"{row.name}.{k}" in params
        }
        current = converter(g, LayerToConvert(spec, row.name, where, own, current))
    # The last layer's output is renamed "logits" (a graph output needs a fixed name).
    g.nodes.append(helper.make_node("Identity", [current], [LOGITS_NAME], name="logits"))
    batch: list[int | str] = ["N"]
    outputs = [
        helper.make_tensor_value_info(
            LOGITS_NAME, onnx_module.TensorProto.FLOAT, batch + [model.classes]
        )
    ]
    if softmax:
        g.nodes.append(
            helper.make_node("Softmax", [LOGITS_NAME], [PROBABILITIES_NAME], name="softmax", axis=1)
        )
        outputs.append(
            helper.make_tensor_value_info(
                PROBABILITIES_NAME, onnx_module.TensorProto.FLOAT, batch + [model.classes]
            )
        )
    graph = helper.make_graph(
        g.nodes,
        "kernelscope",
        [
            helper.make_tensor_value_info(
                INPUT_NAME, onnx_module.TensorProto.FLOAT, batch + list(model.input_shape)
            )
        ],
        outputs,
        initializer=g.initializers,
    )
    opsets = [helper.make_opsetid("", ONNX_OPSET)]
    proto = helper.make_model(graph, producer_name="KernelScope", opset_imports=opsets)
    # The oldest IR version that carries this opset: the file then loads in older runtimes too.
    proto.ir_version = helper.find_min_ir_version_for(opsets)
    proto.doc_string = "Trained in KernelScope; input NCHW float32, output logits."
    helper.set_model_props(proto, {"kernelscope_network": model.network_json()})
    try:
        onnx_module.checker.check_model(proto, full_check=True)
    except onnx_module.checker.ValidationError as exc:
        raise ValueError(f"model: the ONNX graph does not pass onnx.checker: {exc}") from None
    return proto


def export_onnx(model: Model, path: str | os.PathLike[str], *, softmax: bool = False) -> OnnxExport:
    """Write ``model`` as an ONNX file (:func:`onnx_model`), atomically.

    Parameters
    ----------
    model
        The model to export.
    path
        The ``.onnx`` file; its folder must exist.  An existing file is replaced only when the
        new one is complete.
    softmax
        Add the ``"probabilities"`` output.

    Returns
    -------
    OnnxExport
        The path, opset, file size and the graph's input and outputs.

    Raises
    ------
    ValueError
        As :func:`onnx_model`; or the file cannot be written, in a sentence about ``path``
        (a folder, a name over 255 bytes, a missing or read-only folder, a full disk).
    """
    target = check_write_target(path, what="ONNX file")
    proto = onnx_model(model, softmax=softmax)
    data = proto.SerializeToString()
    try:
        atomic_write_bytes(target, data, make_parents=False)
    except OSError as exc:
        raise write_problem(target, exc, what="ONNX file") from None
    outputs = (LOGITS_NAME, PROBABILITIES_NAME) if softmax else (LOGITS_NAME,)
    return OnnxExport(
        target, ONNX_OPSET, len(data), ("N", *model.input_shape), outputs, len(proto.graph.node)
    )


def compare_onnx_logits(
    path: str | os.PathLike[str], model: Model, x: np.ndarray
) -> OnnxComparison:
    """Run the ONNX file at ``path`` in onnxruntime (CPU, one thread) on ``x`` and compare its
    outputs with ``model``'s: the logits, and the probabilities if the file has them.

    Parameters
    ----------
    path
        An ONNX file written by :func:`export_onnx`.
    model
        The model it was exported from.
    x
        Inputs ``(N, C, H, W)`` (e.g. the validation set), run in batches.

    Raises
    ------
    ValueError
        onnxruntime is not installed (saying what to install), the file cannot be read or
        loaded, ``x`` does not fit the model, or an output is not finite.
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a trained Model, got {type(model).__name__}")
    ort = _require("onnxruntime", onnxruntime_missing())
    arr = np.asarray(x)
    if arr.ndim != len(model.input_shape) + 1 or arr.shape[1:] != model.input_shape:
        raise ValueError(
            f"x must have shape (N, {', '.join(map(str, model.input_shape))}), got {arr.shape}"
        )
    if len(arr) == 0:
        raise ValueError("x must hold at least one sample")
    data = read_user_bytes(path, what="ONNX file", max_bytes=MAX_ONNX_BYTES)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # a shared 2-core machine; the model's own BLAS uses one
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings printed on the console
    try:
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a bad model
        raise ValueError(f"path: onnxruntime cannot load {Path(path).name}: {exc}") from None
    names = [out.name for out in session.get_outputs()]
    with_probabilities = PROBABILITIES_NAME in names
    logit_diff, prob_diff, largest, same = 0.0, 0.0, 0.0, 0
    step = model.eval_batch
    for start in range(0, len(arr), step):
        batch = arr[start : start + step].astype(np.float32)
        results = dict(zip(names, session.run(None, {INPUT_NAME: batch}), strict=True))
        ours = model.forward(batch)
        theirs = results[LOGITS_NAME]
        logit_diff = max(logit_diff, _max_difference(theirs, ours, "logits"))
        largest = max(largest, float(np.max(np.abs(ours), initial=0.0)))
        same += int(np.count_nonzero(np.argmax(theirs, axis=1) == np.argmax(ours, axis=1)))
        if with_probabilities:
            prob = model.predict_proba(batch)
            prob_diff = max(
                prob_diff, _max_difference(results[PROBABILITIES_NAME], prob, "probabilities")
            )
    return OnnxComparison(
        len(arr), logit_diff, prob_diff if with_probabilities else None, largest, same
    )


def _max_difference(theirs: np.ndarray, ours: np.ndarray, what: str) -> float:
    if theirs.shape != ours.shape:
        raise ValueError(f"path: the ONNX {what} have shape {theirs.shape}, expected {ours.shape}")
    difference = float(np.max(np.abs(theirs.astype(np.float64) - ours), initial=0.0))
    if not math.isfinite(difference):
        raise ValueError(f"path: the ONNX {what} are not finite")
    return difference
