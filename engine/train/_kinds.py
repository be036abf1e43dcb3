"""The trainable layer of each built-in layer kind, attached to its registry entry.

:data:`engine.layers.LAYER_KINDS` is the one table of layer kinds; :mod:`engine.layers` cannot
import the trainer, so this module gives the kinds numpy can train their factory
(``trainable(spec, context) -> Layer``) with :func:`engine.layers.attach_training`.  A new kind
passes its own ``trainable=`` to :func:`engine.layers.register_layer_kind` instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.layers.registry import attach_training
from engine.train._conv import Conv2d
from engine.train._layers import Dropout, Flatten, Layer, Linear, Pool2d, ReLU, pair


@dataclass(frozen=True)
class LayerContext:
    """What a layer factory gets besides the normalised spec.

    Attributes
    ----------
    name, where
        The layer's name (``conv1``; parameters are ``conv1.weight``…) and words for errors
        (``layer 1 (conv1)``).
    input_shape
        The per-sample input shape, ``(C, H, W)`` or ``(F,)``.
    dtype
        ``float32`` or ``float64``: parameters must be created in it.
    gain
        He initialisation gain: 2 when a ReLU follows, else 1.
    rng, dropout_rng
        The model's seeded generators for initial weights and for dropout masks.
    """

    name: str
    where: str
    input_shape: tuple[int, ...]
    dtype: np.dtype
    gain: float
    rng: np.random.Generator
    dropout_rng: np.random.Generator

    def init(self, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        """He-style normal weights ``N(0, gain/fan_in)`` of ``shape``, in :attr:`dtype`."""
        values = self.rng.standard_normal(shape) * math.sqrt(self.gain / fan_in)
        return values.astype(self.dtype)

    def zeros(self, n: int) -> np.ndarray:
        """A bias of ``n`` zeros in :attr:`dtype`."""
        return np.zeros(n, self.dtype)


def _conv2d(spec: dict[str, Any], ctx: LayerContext) -> Layer:
    if spec["groups"] != 1:
        raise ValueError(f"{ctx.where}: groups={spec['groups']} cannot be trained here")
    c = ctx.input_shape[0]
    k = pair(spec["kernel_size"])
    weight = ctx.init((spec["out_channels"], c, k[0], k[1]), c * k[0] * k[1])
    bias = ctx.zeros(spec["out_channels"]) if spec["bias"] else None
    return Conv2d(
        ctx.name,
        weight,
        bias,
        stride=spec["stride"],
        padding=spec["padding"],
        dilation=spec["dilation"],
    )


def _pool2d(spec: dict[str, Any], ctx: LayerContext) -> Layer:
    if spec["ceil_mode"]:
        raise ValueError(f"{ctx.where}: ceil_mode=true cannot be trained here")
    mode = "max" if spec["type"] == "maxpool2d" else "avg"
    return Pool2d(
        ctx.name,
        mode,
        spec["kernel_size"],
        spec["stride"],
        spec["padding"],
        spec.get("dilation", 1),
    )


def _activation(spec: dict[str, Any], ctx: LayerContext) -> Layer:
    if spec["function"] != "relu":
        raise ValueError(
            f"{ctx.where}: activation {spec['function']!r} cannot be trained here; use relu"
        )
    return ReLU(ctx.name)


def _linear(spec: dict[str, Any], ctx: LayerContext) -> Layer:
    fin = ctx.input_shape[0]
    weight = ctx.init((spec["out_features"], fin), fin)
    bias = ctx.zeros(spec["out_features"]) if spec["bias"] else None
    return Linear(ctx.name, weight, bias)


for _key, _factory in (
    ("conv2d", _conv2d),
    ("maxpool2d", _pool2d),
    ("avgpool2d", _pool2d),
    ("activation", _activation),
    ("flatten", lambda spec, ctx: Flatten(ctx.name)),
    ("linear", _linear),
    ("dropout", lambda spec, ctx: Dropout(ctx.name, spec["p"], ctx.dropout_rng)),
):
    attach_training(_key, trainable=_factory)
