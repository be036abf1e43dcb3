"""Layer-by-layer summary of a CNN: output shape, parameters, MACs, memory, receptive field.

Conventions (stated once, used everywhere):

* Shapes are per sample, ``(C, H, W)`` or ``(F,)`` after ``Flatten``; no batch dimension.
* Parameters are trainable ones, as ``sum(p.numel() for p in model.parameters())`` counts them:
  BatchNorm has 2 per channel (its running mean/variance are buffers, not parameters).
* MACs are the multiply-accumulates of the weights only (conv, transposed conv, linear); bias
  additions, pooling, normalisation and activations count 0 — the convention behind the
  "GFLOPS" column of torchvision's model tables.
* Activation memory is the number of output elements, and bytes at float32 (4 bytes each).
* Receptive field ``r`` and jump ``j`` (distance in input pixels between neighbouring units)
  follow ``r_out = r_in + (k_eff − 1)·j_in`` and ``j_out = j_in·s``, per axis, with
  ``k_eff = d(k − 1) + 1``.  A transposed convolution divides the jump by its stride and an
  adaptive pool multiplies it by ``in/out``, so the jump can become a :class:`~fractions.Fraction`;
  the receptive field is then rounded up.  A ``Linear`` unit sees the whole feature map before it.

All counts are Python ints, so nothing overflows on large networks.  Each layer's shape rule,
parameter count and MACs come from its entry in :data:`engine.layers.registry.LAYER_KINDS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from engine.checks import is_int
from engine.layers.kinds import LAYER_KINDS, normalize_layer
from engine.layers.registry import ReceptiveField

Shape = tuple[int, ...]
Jump = int | Fraction
BYTES_PER_ELEMENT = 4


@dataclass(frozen=True)
class LayerRow:
    """One layer of a :class:`NetworkSummary`.

    ``receptive_field`` and ``jump`` are ``(rows, cols)`` pairs in input pixels; ``formula``
    writes the parameter count out with this layer's numbers.
    """

    index: int
    name: str
    type: str
    spec: dict[str, Any]
    input_shape: Shape
    output_shape: Shape
    params: int
    macs: int
    activations: int
    receptive_field: tuple[int, int]
    jump: tuple[Jump, Jump]
    formula: str

    @property
    def activation_bytes(self) -> int:
        """Memory of this layer's output at float32."""
        return self.activations * BYTES_PER_ELEMENT


@dataclass(frozen=True)
class LayerError:
    """Why layer ``index`` cannot be applied to the shape that reaches it."""

    index: int
    name: str
    message: str


@dataclass(frozen=True)
class NetworkSummary:
    """Result of :func:`summarize_partial` / :func:`summarize`.

    ``rows`` holds every layer that could be computed; ``error`` is ``None`` for a valid network,
    otherwise the first failing layer (later layers are not computed).
    """

    input_shape: Shape
    rows: tuple[LayerRow, ...]
    error: LayerError | None = None
    layers: tuple[dict[str, Any], ...] = field(default=())

    @property
    def total_params(self) -> int:
        """Sum of trainable parameters over the computed rows."""
        return sum(r.params for r in self.rows)

    @property
    def total_macs(self) -> int:
        """Sum of multiply-accumulates over the computed rows."""
        return sum(r.macs for r in self.rows)

    @property
    def total_activations(self) -> int:
        """Sum of output elements over the computed rows (what training keeps for backprop)."""
        return sum(r.activations for r in self.rows)

    @property
    def total_activation_bytes(self) -> int:
        """:attr:`total_activations` at float32."""
        return self.total_activations * BYTES_PER_ELEMENT

    @property
    def output_shape(self) -> Shape:
        """Shape after the last computed layer (the input shape if there is none)."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def valid(self) -> bool:
        """True when every layer could be computed."""
        return self.error is None


def check_input_shape(input_shape: object) -> Shape:
    """Return ``input_shape`` as a tuple of positive ints, ``(C, H, W)`` or ``(F,)``, or raise."""
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence):
        raise ValueError(f"input_shape must be (C, H, W) or (F,), got {input_shape!r}")
    items = tuple(input_shape)
    if len(items) not in (1, 3) or not all(is_int(v) and v >= 1 for v in items):
        raise ValueError(
            f"input_shape must be (C, H, W) or (F,) of positive integers, got {input_shape!r}"
        )
    return tuple(int(v) for v in items)


def _as_jump(value: Fraction) -> Jump:
    return int(value) if value.denominator == 1 else value


def layer_names(layers: Sequence[object]) -> list[str]:
    """Display name of every layer: its ``"name"``, or type + count (``conv1``, ``relu2``, ``fc3``).

    Tolerant: an unreadable spec is called ``"layer N"``, so rows after an error still get names.
    """
    counters: dict[str, int] = {}
    names = []
    for index, raw in enumerate(layers):
        try:
            spec = normalize_layer(raw)
        except ValueError:
            names.append(f"layer {index + 1}")
            continue
        kind = LAYER_KINDS[spec["type"]]
        counters[kind.short] = counters.get(kind.short, 0) + 1
        names.append(spec.get("name") or f"{kind.name_stem(spec)}{counters[kind.short]}")
    return names


def summarize_partial(network: object, input_shape: object = None) -> NetworkSummary:
    """Summarise ``network`` as far as it is valid, recording the first invalid layer.

    Parameters
    ----------
    network
        A preset name (see :data:`engine.layers.presets.PRESETS`) or a list of layer specs.
    input_shape
        ``(C, H, W)`` (or ``(F,)``); ``None`` uses a preset's own input shape.

    Raises
    ------
    ValueError
        Only for an unknown preset, a network that is not a list, or a bad ``input_shape``;
        problems inside a layer are returned in ``.error``.
    """
    from engine.layers.presets import PRESETS, get_preset

    if isinstance(network, str):
        try:
            preset = get_preset(network)
        except ValueError:
            raise ValueError(
                f"network: unknown preset {network!r}; use one of {', '.join(PRESETS)}"
            ) from None
        layers: Sequence[object] = preset.layers
        if input_shape is None:
            input_shape = preset.input_shape
    elif isinstance(network, (list, tuple)):
        layers = network
    else:
        raise ValueError(f"network must be a preset name or a list of layers, got {network!r}")
    if input_shape is None:
        raise ValueError("input_shape is required for a list of layers")
    shape = check_input_shape(input_shape)
    spatial = (shape[1], shape[2]) if len(shape) == 3 else (1, 1)
    rf = ReceptiveField([Fraction(1), Fraction(1)], [Fraction(1), Fraction(1)], spatial)
    rows: list[LayerRow] = []
    normalised: list[dict[str, Any]] = []
    names = layer_names(layers)
    current: Shape = shape
    for index, raw in enumerate(layers):
        name = names[index]
        try:
            spec = normalize_layer(raw, f"layer {index + 1}")
            normalised.append(spec)
            out, params, macs, formula = LAYER_KINDS[spec["type"]].shape(spec, current, rf)
        except ValueError as exc:
            text = str(exc)
            prefix = f"layer {index + 1}"
            message = (
                text
                if text.startswith(prefix)
                else f"{prefix} ({name}, input {'×'.join(map(str, current))}): {text}"
            )
            return NetworkSummary(
                shape, tuple(rows), LayerError(index, name, message), tuple(normalised)
            )
        if min(out) < 1:  # pragma: no cover - the size functions above already refuse this
            raise AssertionError(out)
        rows.append(
            LayerRow(
                index=index,
                name=name,
                type=spec["type"],
                spec=spec,
                input_shape=current,
                output_shape=tuple(int(v) for v in out),
                params=int(params),
                macs=int(macs),
                activations=math.prod(out),
                receptive_field=(math.ceil(rf.r[0]), math.ceil(rf.r[1])),
                jump=(_as_jump(rf.j[0]), _as_jump(rf.j[1])),
                formula=formula,
            )
        )
        current = rows[-1].output_shape
    return NetworkSummary(shape, tuple(rows), None, tuple(normalised))


def summarize(network: object, input_shape: object = None) -> NetworkSummary:
    """Summarise a whole network: one :class:`LayerRow` per layer and the totals.

    ``network`` is a preset name (``"lenet5"``, ``"alexnet"``, ``"vgg16"``, ``"small_cnn"``) or a
    list of layer specs (JSON-style dicts, see :func:`engine.layers.kinds.normalize_layer`);
    ``input_shape`` is ``(C, H, W)``, or ``None`` for a preset's own input.

    Raises
    ------
    ValueError
        For an invalid layer, naming it (``"layer 4 (conv2): …"``), or a bad ``input_shape``.
    """
    result = summarize_partial(network, input_shape)
    if result.error is not None:
        raise ValueError(result.error.message)
    return result
