"""CNN layer arithmetic: output sizes, layer kinds, explanations, network summaries,
presets and network files.

:data:`LAYER_KINDS` (:mod:`engine.layers.registry`) is the one table of layer kinds: per kind its
fields, shape rule, parameters, MACs, PyTorch code and (attached by :mod:`engine.train`) its
trainable layer and ONNX converter.  A new layer type is one :func:`register_layer_kind` call.
"""

from engine.layers.arithmetic import conv_params, output_size, transposed_output_size
from engine.layers.explain import (
    LayerExplanation,
    describe_solutions,
    explain_layer,
    same_padding,
    solve_kernel,
    solve_padding,
    solve_stride,
)
from engine.layers.kinds import format_layer_params, normalize_layer, parse_layer_params
from engine.layers.limits import (
    MAX_INPUT_CHANNELS,
    MAX_INPUT_FEATURES,
    MAX_INPUT_SIDE,
    MAX_LAYER_INT,
    MAX_NETWORK_LAYERS,
    SINGLE_LAYER_RANGES,
    check_network_limits,
    check_single_layer_state,
)
from engine.layers.network_io import (
    format_bytes,
    format_jump,
    format_rf,
    format_shape,
    network_from_json,
    network_to_json,
    pytorch_code,
    read_network_file,
    summary_to_csv,
    summary_to_markdown,
)
from engine.layers.presets import PRESETS, get_preset
from engine.layers.registry import (
    LAYER_KINDS,
    FieldSpec,
    HookView,
    LayerKind,
    LayerSize,
    ReceptiveField,
    attach_training,
    kinds_with,
    register_layer_kind,
    same_shape,
    unregister_layer_kind,
)
from engine.layers.summary import (
    LayerRow,
    NetworkSummary,
    layer_names,
    summarize,
    summarize_partial,
)

__all__ = [
    "LAYER_KINDS",
    "MAX_INPUT_CHANNELS",
    "MAX_INPUT_FEATURES",
    "MAX_INPUT_SIDE",
    "MAX_LAYER_INT",
    "MAX_NETWORK_LAYERS",
    "SINGLE_LAYER_RANGES",
    "check_network_limits",
    "check_single_layer_state",
    "read_network_file",
    "LayerExplanation",
    "LayerRow",
    "NetworkSummary",
    "PRESETS",
    "conv_params",
    "explain_layer",
    "get_preset",
    "network_from_json",
    "network_to_json",
    "normalize_layer",
    "output_size",
    "parse_layer_params",
    "pytorch_code",
    "same_padding",
    "solve_kernel",
    "solve_padding",
    "solve_stride",
    "summarize",
    "summarize_partial",
    "summary_to_csv",
    "summary_to_markdown",
    "transposed_output_size",
    "describe_solutions",
    "FieldSpec",
    "HookView",
    "format_layer_params",
    "format_bytes",
    "format_jump",
    "format_rf",
    "format_shape",
    "layer_names",
    "LayerKind",
    "LayerSize",
    "ReceptiveField",
    "attach_training",
    "kinds_with",
    "register_layer_kind",
    "same_shape",
    "unregister_layer_kind",
]
