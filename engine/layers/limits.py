"""What the Layer sizes tab's widgets can hold, as engine constants and checks.

A ``QSpinBox`` holds a C int (at most 2³¹ − 1): a bigger value restored from a network file or a
session overflowed it with half the state applied, and a value above a spin box's maximum was
silently clamped (C = 10⁹ became 4096). Files are therefore checked against these ranges —
the same ones the spin boxes use — before anything is applied, and the GUI builds its spin
boxes from them, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.checks import is_int

#: Input C × H × W of a network (the spin boxes above the network table).
MAX_INPUT_CHANNELS = 4096
MAX_INPUT_SIDE = 8192
#: A flat input ``(F,)`` (no spin box; far below 2³¹ all the same).
MAX_INPUT_FEATURES = 1 << 24
#: Every integer of a layer spec (the layer form's spin boxes: 0 or 1 … 1,000,000).
MAX_LAYER_INT = 1_000_000
#: Layers in one network.
MAX_NETWORK_LAYERS = 1000

#: The one-layer calculator's inputs: ``name: (minimum, maximum)``.
SINGLE_LAYER_RANGES: dict[str, tuple[int, int]] = {
    "h": (1, 8192),
    "w": (1, 8192),
    "c": (1, 4096),
    "kh": (1, 99),
    "kw": (1, 99),
    "padding": (0, 99),
    "stride": (1, 99),
    "dilation": (1, 20),
    "filters": (1, 4096),
    "groups": (1, 4096),
    "wanted": (1, 8192),
}

_INPUT_LIMITS = (MAX_INPUT_CHANNELS, MAX_INPUT_SIDE, MAX_INPUT_SIDE)


def check_network_limits(layers: Sequence[Mapping[str, Any]], input_shape: Sequence[int]) -> None:
    """Refuse numbers the Layer sizes tab cannot hold, naming the field and the allowed range.

    ``input_shape`` must lie within :data:`MAX_INPUT_CHANNELS` × :data:`MAX_INPUT_SIDE` ×
    :data:`MAX_INPUT_SIDE` (or ``(F,)`` up to :data:`MAX_INPUT_FEATURES`); every integer of every
    (normalised) layer spec within 0…:data:`MAX_LAYER_INT`; at most :data:`MAX_NETWORK_LAYERS`
    layers.

    Raises
    ------
    ValueError
        E.g. ``"input_shape C = 1000000000 is outside the allowed range 1…4,096"``.
    """
    if len(layers) > MAX_NETWORK_LAYERS:
        raise ValueError(
            f"the network has {len(layers):,} layers; at most {MAX_NETWORK_LAYERS:,} are allowed"
        )
    shape = tuple(input_shape)
    if len(shape) == 3:
        limits = list(zip(("C", "H", "W"), shape, _INPUT_LIMITS, strict=True))
    else:
        limits = [("F", v, MAX_INPUT_FEATURES) for v in shape]
    for axis, value, top in limits:
        if not is_int(value) or not 1 <= value <= top:
            raise ValueError(f"input_shape {axis} = {value} is outside the allowed range 1…{top:,}")
    for index, spec in enumerate(layers):
        for key, value in spec.items():
            for item in value if isinstance(value, list) else [value]:
                if is_int(item) and not 0 <= item <= MAX_LAYER_INT:
                    raise ValueError(
                        f"layer {index + 1}: {key} = {item} is outside the allowed range "
                        f"0…{MAX_LAYER_INT:,}"
                    )


def check_single_layer_state(state: object) -> tuple[dict[str, Any], list[str]]:
    """The usable entries of a saved one-layer calculator state, and notes on what was dropped.

    Integer inputs must be ints within :data:`SINGLE_LAYER_RANGES` (what the spin boxes hold);
    an out-of-range or non-integer value is dropped with a note naming the field and the range,
    never clamped or passed on to a spin box that would overflow. Other keys pass unchanged.
    """
    if not isinstance(state, dict):
        return {}, [f"the one-layer state is not an object ({type(state).__name__})"]
    clean: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in state.items():
        limits = SINGLE_LAYER_RANGES.get(key)
        if limits is None:
            clean[key] = value
        elif is_int(value) and limits[0] <= value <= limits[1]:
            clean[key] = value
        else:
            notes.append(
                f"{key} = {value!r} is outside the allowed range {limits[0]}…{limits[1]:,}; ignored"
            )
    return clean, notes
