"""Layer specs: normalised and checked against their kind's fields, and a compact text form.

A layer spec is a plain JSON dict such as ``{"type": "conv2d", "out_channels": 16,
"kernel_size": 3, "padding": 1}``.  :func:`normalize_layer` fills in PyTorch's defaults and
checks every field of the kind (:data:`engine.layers.registry.LAYER_KINDS`, the one table of
layer kinds); :func:`format_layer_params` / :func:`parse_layer_params` turn the parameters into
and out of the one-line text the network table edits (``"out_channels=16, kernel_size=3,
padding=1"``).
"""

from __future__ import annotations

from typing import Any

from engine.checks import is_int, is_real
from engine.layers._builtin import ACTIVATIONS
from engine.layers.registry import LAYER_KINDS, FieldSpec, LayerKind

__all__ = [
    "LAYER_KINDS",
    "FieldSpec",
    "LayerKind",
    "format_layer_params",
    "normalize_layer",
    "parse_layer_params",
]

#: Activation functions accepted as a layer ``"type"`` of their own (``{"type": "relu"}``).
_ALIASES = {fn: ("activation", {"function": fn}) for fn in ACTIVATIONS}


def _check_pair(value: object, field: FieldSpec, where: str) -> int | list[int]:
    if is_int(value):
        if value < field.minimum:
            raise ValueError(f"{where}: {field.name} must be at least {field.minimum}, got {value}")
        return int(value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(is_int(v) for v in value):
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
        if not is_int(value):
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
        if not is_real(value):
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
    ``"out_channels=16, kernel_size=3x5, padding=1"``.  Fields marked ``shown`` (filters,
    kernel, outputs, function) are always written.
    """
    kind = LAYER_KINDS[spec["type"]]
    parts = []
    for field in kind.fields:
        value = spec.get(field.name, field.default)
        if field.shown or value != field.default:
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
