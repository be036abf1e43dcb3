"""The built-in layer kinds: one :class:`~engine.layers.registry.LayerKind` entry each, with its
fields, shape rule and PyTorch code (their trainable layers and ONNX converters are attached by
:mod:`engine.train`).

Shape rules follow :mod:`engine.layers.summary`'s conventions: shapes per sample, trainable
parameters only, MACs of the weights only, receptive field ``r_out = r_in + (k_eff − 1)·j_in`` and
``j_out = j_in·s`` per axis with ``k_eff = d(k − 1) + 1``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from engine.layers.arithmetic import conv_params, output_size, transposed_output_size
from engine.layers.registry import (
    FieldSpec,
    LayerKind,
    LayerSize,
    ReceptiveField,
    Shape,
    Spec,
    register_layer_kind,
    same_shape,
    torch_value,
)

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "elu")
_TORCH_ACTIVATIONS = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "gelu": "GELU",
    "silu": "SiLU",
    "elu": "ELU",
}


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


def _dims(pair: tuple[int, int]) -> str:
    return f"{pair[0]}" if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _need_spatial(shape: Shape, label: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ValueError(
            f"{label} needs a C×H×W input but gets the flat vector {shape}; move it before Flatten"
        )
    return shape  # type: ignore[return-value]


def _transposed_span(k: int, s: int, p: int, d: int) -> int:
    """Max number of consecutive input positions one transposed-conv output depends on."""
    best = 1
    for o in range(s):
        ins = [(o + p - t * d) // s for t in range(k) if (o + p - t * d) % s == 0]
        if ins:
            best = max(best, max(ins) - min(ins) + 1)
    return best


def _pool_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise ValueError(f"window {d * (k - 1) + 1} is larger than the padded input {n + 2 * p}")
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:  # PyTorch: the last window must start inside
        out -= 1
    return out


# --- convolutions --------------------------------------------------------------------------


def _conv_input(spec: Spec, shape: Shape, label: str) -> tuple[int, int, int, int, int, int]:
    c, h, w = _need_spatial(shape, label)
    n, g = spec["out_channels"], spec["groups"]
    if c % g or n % g:
        raise ValueError(
            f"groups={g} must divide in_channels={c} and out_channels={n} "
            f"(depthwise needs groups = in_channels)"
        )
    params = conv_params(_pair(spec["kernel_size"]), c, n, bias=spec["bias"], groups=g)
    return c, h, w, n, g, params


def _conv2d_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    c, h, w, n, g, params = _conv_input(spec, shape, "Conv2d")
    k, s, d = _pair(spec["kernel_size"]), _pair(spec["stride"]), _pair(spec["dilation"])
    bias = " + 1" if spec["bias"] else ""
    formula = f"{n}·({k[0]}·{k[1]}·{c}{f'/{g}' if g > 1 else ''}{bias}) = {params:,}"
    if spec["padding"] == "same":
        if s != (1, 1):
            raise ValueError("padding='same' needs stride 1 (PyTorch refuses it otherwise)")
        out_hw: tuple[int, ...] = (h, w)
    else:
        p = (0, 0) if spec["padding"] == "valid" else _pair(spec["padding"])
        out_hw = tuple(
            output_size((h, w)[a], k[a], padding=p[a], stride=s[a], dilation=d[a]) for a in range(2)
        )
    for a in range(2):
        rf.grow(a, d[a] * (k[a] - 1) + 1, Fraction(s[a]))
    rf.spatial = (out_hw[0], out_hw[1])
    macs = out_hw[0] * out_hw[1] * n * k[0] * k[1] * (c // g)
    return LayerSize((n, out_hw[0], out_hw[1]), params, macs, formula)


def _conv_transpose2d_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    c, h, w, n, g, params = _conv_input(spec, shape, "ConvTranspose2d")
    k, s, d = _pair(spec["kernel_size"]), _pair(spec["stride"]), _pair(spec["dilation"])
    p, op = _pair(spec["padding"]), _pair(spec["output_padding"])
    out_hw = tuple(
        transposed_output_size(
            (h, w)[a], k[a], padding=p[a], stride=s[a], dilation=d[a], output_padding=op[a]
        )
        for a in range(2)
    )
    formula = f"{c}·{n}{f'/{g}' if g > 1 else ''}·{k[0]}·{k[1]}"
    formula += f"{f' + {n}' if spec['bias'] else ''} = {params:,}"
    for a in range(2):
        rf.grow(a, _transposed_span(k[a], s[a], p[a], d[a]), Fraction(1, s[a]))
    rf.spatial = (out_hw[0], out_hw[1])
    macs = h * w * c * k[0] * k[1] * (n // g)
    return LayerSize((n, out_hw[0], out_hw[1]), params, macs, formula)


def _keep(spec: Spec, kind_key: str, names: tuple[str, ...]) -> list[str]:
    """``name=value`` for the fields of ``names`` that differ from their defaults."""
    defaults = {f.name: f.default for f in _KINDS[kind_key].fields}
    return [f"{n}={torch_value(spec[n])}" for n in names if n in spec and spec[n] != defaults[n]]


def _conv_torch(spec: Spec, shape: Shape) -> str:
    names: tuple[str, ...] = ("stride", "padding")
    if spec["type"] == "conv_transpose2d":
        names += ("output_padding",)
    args = [str(shape[0]), str(spec["out_channels"])]
    args.append(f"kernel_size={torch_value(spec['kernel_size'])}")
    args += _keep(spec, spec["type"], names + ("dilation", "groups", "bias"))
    return f"nn.{_KINDS[spec['type']].torch_class}({', '.join(args)})"


def _conv2d_weights(spec: Spec, shape: Shape) -> dict[str, Shape]:
    kh, kw = _pair(spec["kernel_size"])
    shapes: dict[str, Shape] = {
        "weight": (spec["out_channels"], shape[0] // spec["groups"], kh, kw)
    }
    return shapes | ({"bias": (spec["out_channels"],)} if spec["bias"] else {})


# --- pooling -------------------------------------------------------------------------------


def _pool_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    is_max = spec["type"] == "maxpool2d"
    c, h, w = _need_spatial(shape, "MaxPool2d" if is_max else "AvgPool2d")
    k = _pair(spec["kernel_size"])
    s = k if spec["stride"] is None else _pair(spec["stride"])
    p = _pair(spec["padding"])
    d = _pair(spec.get("dilation", 1))
    for a in range(2):
        limit = (d[a] * (k[a] - 1) + 1) // 2 if is_max else k[a] // 2
        if p[a] > limit:
            raise ValueError(
                f"padding {p[a]} is more than half the {k[a]}-wide window (PyTorch refuses it)"
            )
    pool_hw = tuple(
        _pool_size((h, w)[a], k[a], s[a], p[a], d[a], spec["ceil_mode"]) for a in range(2)
    )
    for a in range(2):
        rf.grow(a, d[a] * (k[a] - 1) + 1, Fraction(s[a]))
    rf.spatial = (pool_hw[0], pool_hw[1])
    formula = f"window {_dims(k)}, stride {_dims(s)}: 0"
    return LayerSize((c, pool_hw[0], pool_hw[1]), 0, 0, formula)


def _pool_torch(spec: Spec, shape: Shape) -> str:
    args = [f"kernel_size={torch_value(spec['kernel_size'])}"]
    args += _keep(spec, spec["type"], ("stride", "padding", "dilation", "ceil_mode"))
    return f"nn.{_KINDS[spec['type']].torch_class}({', '.join(args)})"


def _adaptive_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    c, h, w = _need_spatial(shape, "AdaptiveAvgPool2d")
    o = _pair(spec["output_size"])
    for a, n_in in enumerate((h, w)):
        widest = max(-(-((i + 1) * n_in) // o[a]) - (i * n_in) // o[a] for i in range(o[a]))
        rf.grow(a, widest, Fraction(n_in, o[a]))
    rf.spatial = o
    return LayerSize((c, o[0], o[1]), 0, 0, f"{h}×{w} → {o[0]}×{o[1]} by averaging: 0")


# --- the rest ------------------------------------------------------------------------------


def _batchnorm_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    c = _need_spatial(shape, "BatchNorm2d")[0]
    params = 2 * c if spec["affine"] else 0
    return LayerSize(shape, params, 0, f"2·{c} (γ, β) = {params}" if spec["affine"] else "0")


def _flatten_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    total = math.prod(shape)
    formula = f"{' · '.join(map(str, shape))} = {total:,} features, 0 params"
    return LayerSize((total,), 0, 0, formula)


def _linear_shape(spec: Spec, shape: Shape, rf: ReceptiveField) -> LayerSize:
    if len(shape) != 1:
        raise ValueError(
            f"Linear needs a flat input but gets {'×'.join(map(str, shape))}; add Flatten first"
        )
    fin, fout = shape[0], spec["out_features"]
    if spec["in_features"] is not None and spec["in_features"] != fin:
        raise ValueError(f"in_features={spec['in_features']} but the input has {fin} features")
    params = fin * fout + (fout if spec["bias"] else 0)
    for a in range(2):
        rf.grow(a, rf.spatial[a], Fraction(1))
    rf.spatial = (1, 1)
    bias = f" + {fout:,}" if spec["bias"] else ""
    return LayerSize((fout,), params, fin * fout, f"{fin:,}·{fout:,}{bias} = {params:,}")


def _linear_torch(spec: Spec, shape: Shape) -> str:
    args = [str(shape[0]), str(spec["out_features"]), *_keep(spec, "linear", ("bias",))]
    return f"nn.Linear({', '.join(args)})"


def _linear_weights(spec: Spec, shape: Shape) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {"weight": (spec["out_features"], shape[0])}
    return shapes | ({"bias": (spec["out_features"],)} if spec["bias"] else {})


_OUT_CH = FieldSpec("out_channels", "int", 16, 1, help="number of filters N", shown=True)
_KERNEL = FieldSpec(
    "kernel_size", "pair", 3, 1, help="kernel height×width (k or kh×kw)", shown=True
)
_POOL_KERNEL = FieldSpec("kernel_size", "pair", 2, 1, help="window height×width", shown=True)
_STRIDE = FieldSpec("stride", "pair", 1, 1, help="step between windows")
_POOL_STRIDE = FieldSpec("stride", "optional_pair", None, 1, help="default: the kernel size")
_POOL_PADDING = FieldSpec("padding", "pair", 0, 0, help="at most half the window")
_DILATION = FieldSpec("dilation", "pair", 1, 1, help="spacing between kernel taps")
_GROUPS = FieldSpec("groups", "int", 1, 1, help="channel groups; groups = C is depthwise")
_BIAS = FieldSpec("bias", "bool", True, help="one bias per filter / output")
AFFINE = ("affine",)
_DROP_P = FieldSpec("p", "prob", 0.5, help="probability of zeroing a unit in training", shown=True)
_OUTPUT_SIZE = FieldSpec("output_size", "pair", 1, 1, help="wanted output height×width", shown=True)
_CEIL = FieldSpec("ceil_mode", "bool", False, help="round the size up, not down")

_KINDS: dict[str, LayerKind] = {
    kind.key: register_layer_kind(kind)
    for kind in (
        LayerKind(
            "conv2d",
            "Conv2d",
            "Conv2d",
            "conv",
            (
                _OUT_CH,
                _KERNEL,
                _STRIDE,
                FieldSpec("padding", "padding", 0, 0, help="zeros per side, 'valid' or 'same'"),
                _DILATION,
                _GROUPS,
                _BIAS,
            ),
            "2-D convolution (cross-correlation), like torch.nn.Conv2d",
            shape=_conv2d_shape,
            torch_code=_conv_torch,
            weight_shapes=_conv2d_weights,
        ),
        LayerKind(
            "conv_transpose2d",
            "ConvTranspose2d",
            "ConvTranspose2d",
            "deconv",
            (
                _OUT_CH,
                _KERNEL,
                _STRIDE,
                FieldSpec("padding", "pair", 0, 0, help="removed from each side of the output"),
                FieldSpec("output_padding", "pair", 0, 0, help="extra rows/cols at the end"),
                _DILATION,
                _GROUPS,
                _BIAS,
            ),
            "transposed convolution (learned upsampling), like torch.nn.ConvTranspose2d",
            shape=_conv_transpose2d_shape,
            torch_code=_conv_torch,
        ),
        LayerKind(
            "maxpool2d",
            "MaxPool2d",
            "MaxPool2d",
            "maxpool",
            (_POOL_KERNEL, _POOL_STRIDE, _POOL_PADDING, _DILATION, _CEIL),
            "max pooling, no parameters",
            shape=_pool_shape,
            torch_code=_pool_torch,
        ),
        LayerKind(
            "avgpool2d",
            "AvgPool2d",
            "AvgPool2d",
            "avgpool",
            (_POOL_KERNEL, _POOL_STRIDE, _POOL_PADDING, _CEIL),
            "average pooling, no parameters",
            shape=_pool_shape,
            torch_code=_pool_torch,
        ),
        LayerKind(
            "adaptive_avgpool2d",
            "AdaptiveAvgPool2d",
            "AdaptiveAvgPool2d",
            "adaptpool",
            (_OUTPUT_SIZE,),
            "average pooling to a fixed output size, no parameters",
            shape=_adaptive_shape,
            torch_code=lambda spec, shape: (
                f"nn.AdaptiveAvgPool2d({torch_value(spec['output_size'])})"
            ),
        ),
        LayerKind(
            "batchnorm2d",
            "BatchNorm2d",
            "BatchNorm2d",
            "bn",
            (FieldSpec("affine", "bool", True, help="learn a scale γ and shift β per channel"),),
            "batch normalisation: 2 parameters per channel (running stats are buffers)",
            shape=_batchnorm_shape,
            torch_code=lambda spec, shape: (
                f"nn.BatchNorm2d({', '.join([str(shape[0]), *_keep(spec, 'batchnorm2d', AFFINE)])})"
            ),
        ),
        LayerKind(
            "activation",
            "Activation",
            "ReLU",
            "act",
            (
                FieldSpec(
                    "function",
                    "choice",
                    "relu",
                    choices=ACTIVATIONS,
                    help="non-linearity",
                    shown=True,
                ),
            ),
            "element-wise non-linearity (ReLU, tanh, …), no parameters",
            shape=same_shape,
            torch_code=lambda spec, shape: f"nn.{_TORCH_ACTIVATIONS[spec['function']]}()",
            stem=lambda spec: str(spec["function"]),
        ),
        LayerKind(
            "dropout",
            "Dropout",
            "Dropout",
            "dropout",
            (_DROP_P,),
            "randomly zeroes units during training, no parameters",
            shape=same_shape,
            torch_code=lambda spec, shape: f"nn.Dropout(p={spec['p']})",
        ),
        LayerKind(
            "flatten",
            "Flatten",
            "Flatten",
            "flatten",
            (),
            "C×H×W → one vector of C·H·W features",
            shape=_flatten_shape,
        ),
        LayerKind(
            "linear",
            "Linear",
            "Linear",
            "fc",
            (
                FieldSpec("out_features", "int", 10, 1, help="number of outputs", shown=True),
                _BIAS,
                FieldSpec("in_features", "optional_int", None, 1, help="checked against the input"),
            ),
            "fully connected (dense) layer",
            shape=_linear_shape,
            torch_code=_linear_torch,
            weight_shapes=_linear_weights,
        ),
    )
}
