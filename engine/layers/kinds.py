"""Layer kinds of the network builder: their parameters, validation and a compact text form.

A layer spec is a plain JSON dict such as ``{"type": "conv2d", "out_channels": 16,
"kernel_size": 3, "padding": 1}``.  :func:`normalize_layer` fills in PyTorch's defaults and
checks every field; :func:`format_layer_params` / :func:`parse_layer_params` turn the parameters
into and out of the one-line text the network table edits (``"out_channels=16, kernel_size=3,
padding=1"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "elu")
PyTorchName = str


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a layer kind.

    ``kind`` is ``"int"``, ``"pair"`` (int or ``[rows, cols]``), ``"padding"`` (pair or
    ``"valid"``/``"same"``), ``"optional_pair"`` (pair or ``None``), ``"optional_int"``,
    ``"bool"``, ``"prob"`` (float in [0, 1]) or ``"choice"``.
    """

    name: str
    kind: str
    default: Any
    minimum: int = 0
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class LayerKind:
    """A layer type: key used in JSON, label shown in the GUI, PyTorch class and its fields."""

    key: str
    label: str
    torch_class: PyTorchName
    short: str
    fields: tuple[FieldSpec, ...]
    help: str


_OUT_CH = FieldSpec("out_channels", "int", 16, 1, help="number of filters N")
_KERNEL = FieldSpec("kernel_size", "pair", 3, 1, help="kernel height×width (k or kh×kw)")
_STRIDE = FieldSpec("stride", "pair", 1, 1, help="step between windows")
_DILATION = FieldSpec("dilation", "pair", 1, 1, help="spacing between kernel taps")
_GROUPS = FieldSpec("groups", "int", 1, 1, help="channel groups; groups = C is depthwise")
_BIAS = FieldSpec("bias", "bool", True, help="one bias per filter / output")

LAYER_KINDS: dict[str, LayerKind] = {
    kind.key: kind
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
        ),
        LayerKind(
            "maxpool2d",
            "MaxPool2d",
            "MaxPool2d",
            "maxpool",
            (
                FieldSpec("kernel_size", "pair", 2, 1, help="window height×width"),
                FieldSpec("stride", "optional_pair", None, 1, help="default: the kernel size"),
                FieldSpec("padding", "pair", 0, 0, help="at most half the window"),
                _DILATION,
                FieldSpec("ceil_mode", "bool", False, help="round the size up, not down"),
            ),
            "max pooling, no parameters",
        ),
        LayerKind(
            "avgpool2d",
            "AvgPool2d",
            "AvgPool2d",
            "avgpool",
            (
                FieldSpec("kernel_size", "pair", 2, 1, help="window height×width"),
                FieldSpec("stride", "optional_pair", None, 1, help="default: the kernel size"),
                FieldSpec("padding", "pair", 0, 0, help="at most half the window"),
                FieldSpec("ceil_mode", "bool", False, help="round the size up, not down"),
            ),
            "average pooling, no parameters",
        ),
        LayerKind(
            "adaptive_avgpool2d",
            "AdaptiveAvgPool2d",
            "AdaptiveAvgPool2d",
            "adaptpool",
            (FieldSpec("output_size", "pair", 1, 1, help="wanted output height×width"),),
            "average pooling to a fixed output size, no parameters",
        ),
        LayerKind(
            "batchnorm2d",
            "BatchNorm2d",
            "BatchNorm2d",
            "bn",
            (FieldSpec("affine", "bool", True, help="learn a scale γ and shift β per channel"),),
            "batch normalisation: 2 parameters per channel (running stats are buffers)",
        ),
        LayerKind(
            "activation",
            "Activation",
            "ReLU",
            "act",
            (FieldSpec("function", "choice", "relu", choices=ACTIVATIONS, help="non-linearity"),),
            "element-wise non-linearity (ReLU, tanh, …), no parameters",
        ),
        LayerKind(
            "dropout",
            "Dropout",
            "Dropout",
            "dropout",
            (FieldSpec("p", "prob", 0.5, help="probability of zeroing a unit in training"),),
            "randomly zeroes units during training, no parameters",
        ),
        LayerKind(
            "flatten",
            "Flatten",
            "Flatten",
            "flatten",
            (),
            "C×H×W → one vector of C·H·W features",
        ),
        LayerKind(
            "linear",
            "Linear",
            "Linear",
            "fc",
            (
                FieldSpec("out_features", "int", 10, 1, help="number of outputs"),
                _BIAS,
                FieldSpec("in_features", "optional_int", None, 1, help="checked against the input"),
            ),
            "fully connected (dense) layer",
        ),
    )
}

_ALIASES = {"relu": ("activation", {"function": "relu"})}
for _fn in ACTIVATIONS:
    _ALIASES.setdefault(_fn, ("activation", {"function": _fn}))

_TORCH_ACTIVATIONS = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "gelu": "GELU",
    "silu": "SiLU",
    "elu": "ELU",
}


def torch_activation_class(function: str) -> str:
    """PyTorch class name of an activation function key, e.g. ``"relu"`` → ``"ReLU"``."""
    return _TORCH_ACTIVATIONS[function]


def layer_type_keys() -> tuple[str, ...]:
    """The layer type keys in display order."""
    return tuple(LAYER_KINDS)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_pair(value: object, field: FieldSpec, where: str) -> int | list[int]:
    if _is_int(value):
        if value < field.minimum:
            raise ValueError(f"{where}: {field.name} must be at least {field.minimum}, got {value}")
        return int(value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_int(v) for v in value):
        if min(value) < field.minimum:
            raise ValueError(
                f"{where}: {field.name} must be at least {field.minimum}, got {list(value)}"
            )
        if value[0] == value[1]:
            return int(value[0])
        return [int(value[0]), int(value[1])]
    raise ValueError(
        f"{where}: {field.name} must be an integer or a pair of integers, got {value!r}"
    )


def _check_field(value: object, field: FieldSpec, where: str) -> Any:
    kind = field.kind
    if kind == "int":
        if not _is_int(value):
            raise ValueError(f"{where}: {field.name} must be an integer, got {value!r}")
        if value < field.minimum:
            raise ValueError(f"{where}: {field.name} must be at least {field.minimum}, got {value}")
        return int(value)
    if kind == "optional_int":
        return (
            None
            if value is None
            else _check_field(value, FieldSpec(field.name, "int", 1, field.minimum), where)
        )
    if kind == "pair":
        return _check_pair(value, field, where)
    if kind == "optional_pair":
        return None if value is None else _check_pair(value, field, where)
    if kind == "padding":
        if isinstance(value, str):
            name = value.strip().lower()
            if name in ("valid", "same"):
                return name
            raise ValueError(
                f"{where}: padding must be an integer, a pair, 'valid' or 'same', got {value!r}"
            )
        return _check_pair(value, field, where)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: {field.name} must be true or false, got {value!r}")
        return value
    if kind == "prob":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: {field.name} must be a number in [0, 1], got {value!r}")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{where}: {field.name} must be in [0, 1], got {value!r}")
        return float(value)
    if kind == "choice":
        if value not in field.choices:
            raise ValueError(
                f"{where}: {field.name} must be one of {', '.join(field.choices)}, got {value!r}"
            )
        return value
    raise AssertionError(kind)  # pragma: no cover - every FieldSpec kind is handled above


def normalize_layer(spec: object, where: str = "layer") -> dict[str, Any]:
    """Return a complete, checked copy of one layer spec (defaults filled in).

    Parameters
    ----------
    spec
        A dict with a ``"type"`` key (one of :data:`LAYER_KINDS`, or an activation name such as
        ``"relu"``), the layer's parameters and an optional ``"name"``.
    where
        How to name the layer in error messages, e.g. ``"layer 3"``.

    Raises
    ------
    ValueError
        Naming the layer and the bad field: unknown type, unknown field, wrong value.
    """
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: a layer must be an object with a 'type', got {spec!r}")
    raw = dict(spec)
    type_key = raw.pop("type", None)
    if not isinstance(type_key, str):
        raise ValueError(f"{where}: missing layer 'type' (one of {', '.join(LAYER_KINDS)})")
    type_key = type_key.strip().lower()
    if type_key in _ALIASES and type_key not in LAYER_KINDS:
        type_key, implied = _ALIASES[type_key]
        for key, value in implied.items():
            raw.setdefault(key, value)
    kind = LAYER_KINDS.get(type_key)
    if kind is None:
        raise ValueError(
            f"{where}: unknown layer type {spec.get('type')!r}; use one of {', '.join(LAYER_KINDS)}"
        )
    where = f"{where} ({kind.label})"
    out: dict[str, Any] = {"type": kind.key}
    name = raw.pop("name", None)
    if name is not None:
        if not isinstance(name, str):
            raise ValueError(f"{where}: name must be text, got {name!r}")
        if name.strip():
            out["name"] = name.strip()
    known = {f.name for f in kind.fields}
    unknown = sorted(set(raw) - known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise ValueError(f"{where}: unknown parameter {unknown[0]!r} (allowed: {allowed})")
    for field in kind.fields:
        out[field.name] = _check_field(raw.get(field.name, field.default), field, where)
    return out


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"{value[0]}x{value[1]}"
    if value is None:
        return "none"
    return str(value)


def format_layer_params(spec: dict[str, Any]) -> str:
    """One-line text of a normalised spec's parameters, defaults left out.

    ``{"type": "conv2d", "out_channels": 16, "kernel_size": [3, 5], "padding": 1}`` →
    ``"out_channels=16, kernel_size=3x5, padding=1"``.  Required-looking fields (filters,
    kernel, outputs, function) are always shown.
    """
    kind = LAYER_KINDS[spec["type"]]
    always = {"out_channels", "kernel_size", "out_features", "function", "output_size", "p"}
    parts = []
    for field in kind.fields:
        value = spec.get(field.name, field.default)
        if field.name in always or value != field.default:
            parts.append(f"{field.name}={_format_value(value)}")
    return ", ".join(parts)


def _parse_value(text: str, field: FieldSpec, where: str) -> Any:
    t = text.strip().lower()
    if field.kind in ("optional_int", "optional_pair") and t in ("none", ""):
        return None
    if field.kind == "bool":
        if t in ("true", "yes", "1", "on"):
            return True
        if t in ("false", "no", "0", "off"):
            return False
        raise ValueError(f"{where}: {field.name} must be true or false, got {text.strip()!r}")
    if field.kind == "choice":
        return t
    if field.kind == "prob":
        try:
            return float(t)
        except ValueError:
            raise ValueError(
                f"{where}: {field.name} must be a number, got {text.strip()!r}"
            ) from None
    if field.kind == "padding" and t in ("valid", "same"):
        return t
    parts = [p for p in t.replace("×", "x").replace("*", "x").split("x")]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise ValueError(
            f"{where}: {field.name} must be an integer{' or AxB' if field.kind != 'int' else ''}, "
            f"got {text.strip()!r}"
        ) from None
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2 and field.kind in ("pair", "optional_pair", "padding"):
        return numbers
    raise ValueError(f"{where}: {field.name} must be an integer or AxB, got {text.strip()!r}")


def parse_layer_params(type_key: str, text: str, where: str = "layer") -> dict[str, Any]:
    """Parse ``"name=value, …"`` into a normalised spec of layer type ``type_key``.

    Pairs are written ``3x5``; booleans ``true``/``false``; omitted fields take their defaults.

    Raises
    ------
    ValueError
        Naming the layer and the field that could not be read.
    """
    kind = LAYER_KINDS.get(type_key)
    if kind is None:
        raise ValueError(f"{where}: unknown layer type {type_key!r}")
    fields = {f.name: f for f in kind.fields}
    spec: dict[str, Any] = {"type": type_key}
    for chunk in text.replace(";", ",").split(","):
        if not chunk.strip():
            continue
        if "=" not in chunk:
            raise ValueError(f"{where} ({kind.label}): expected name=value, got {chunk.strip()!r}")
        key, value = (s.strip() for s in chunk.split("=", 1))
        key = key.lower()
        if key == "name":
            spec["name"] = value
            continue
        if key not in fields:
            allowed = ", ".join(fields) or "none"
            raise ValueError(
                f"{where} ({kind.label}): unknown parameter {key!r} (allowed: {allowed})"
            )
        spec[key] = _parse_value(value, fields[key], f"{where} ({kind.label})")
    return normalize_layer(spec, where)
