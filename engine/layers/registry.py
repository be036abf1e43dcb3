"""The one table of layer kinds: every rule a layer type needs, in one entry.

A :class:`LayerKind` holds what the Layer sizes tab, network files, PyTorch code and training
ask about a layer type: its JSON fields (normalised and checked by
:func:`engine.layers.kinds.normalize_layer`), its shape rule (output shape, parameter count,
MACs, the formula text and the receptive-field step, used by :func:`engine.summarize`), its
PyTorch code, and — attached by :mod:`engine.train`, so this package never imports the trainer —
its trainable layer factory and ONNX converter.  :data:`LAYER_KINDS` maps the JSON ``"type"`` to
the entry; nothing else dispatches on the type string, and the per-hook tables
(``engine.train.TRAINABLE_KINDS``, ``engine.train.ONNX_CONVERTERS``) are live :class:`HookView`
views of it, never copies.

The built-in kinds are registered by :mod:`engine.layers._builtin`.  A new layer type is one
:func:`register_layer_kind` call with its entry (``tests/engine/test_layer_registry.py`` adds a
"scale by 2" layer that way and trains it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

Shape = tuple[int, ...]
Spec = dict[str, Any]

__all__ = [
    "LAYER_KINDS",
    "FieldSpec",
    "HookView",
    "LayerKind",
    "LayerSize",
    "ReceptiveField",
    "attach_training",
    "kinds_with",
    "register_layer_kind",
    "same_shape",
    "unregister_layer_kind",
]


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a layer kind.

    ``kind`` is ``"int"``, ``"pair"`` (int or ``[rows, cols]``), ``"padding"`` (pair or
    ``"valid"``/``"same"``), ``"optional_pair"`` (pair or ``None``), ``"optional_int"``,
    ``"bool"``, ``"prob"`` (float in [0, 1]) or ``"choice"``.  ``shown`` fields are written in
    the one-line parameter text even at their default (filters, kernel size, …).
    """

    name: str
    kind: str
    default: Any
    minimum: int = 0
    choices: tuple[str, ...] = ()
    help: str = ""
    shown: bool = False


class LayerSize(NamedTuple):
    """What a shape rule returns for one layer: output shape, trainable parameters,
    multiply-accumulates (weights only) and the parameter formula written out."""

    output_shape: Shape
    params: int
    macs: int
    formula: str


@dataclass
class ReceptiveField:
    """Receptive field ``r`` and jump ``j`` per axis (input pixels), and the spatial size last
    seen (a ``Linear`` unit sees all of it).  Shape rules call :meth:`grow` for their window."""

    r: list[Fraction]
    j: list[Fraction]
    spatial: tuple[int, int]

    def grow(self, axis: int, taps: int, scale: Fraction) -> None:
        """``r += (taps − 1)·j`` and ``j *= scale`` on ``axis`` (0 rows, 1 columns)."""
        self.r[axis] = self.r[axis] + (taps - 1) * self.j[axis]
        self.j[axis] = self.j[axis] * scale


#: ``rule(spec, input_shape, field) -> LayerSize``; raises ``ValueError`` when the layer does not
#: fit the input (the message is shown with the layer's name).
ShapeRule = Callable[[Spec, Shape, ReceptiveField], LayerSize]


def same_shape(spec: Spec, shape: Shape, field: ReceptiveField) -> LayerSize:
    """The shape rule of an element-wise layer without parameters: output = input, 0 MACs."""
    return LayerSize(shape, 0, 0, "0")


@dataclass(frozen=True)
class LayerKind:
    """A layer type: its JSON key, GUI label, PyTorch class, fields and rules.

    Attributes
    ----------
    key, label, torch_class, short, fields, help
        JSON ``"type"``, the name shown, ``torch.nn`` class, the stem of default layer names
        (``conv`` → ``conv1``), the parameters, and a sentence for the GUI.
    shape
        The shape rule (:data:`ShapeRule`); default :func:`same_shape`.
    torch_code
        ``torch_code(spec, input_shape) -> "nn.Conv2d(1, 6, kernel_size=5)"``; default
        ``nn.<torch_class>(field=value, …)`` with the fields that differ from their defaults.
    weight_shapes
        ``weight_shapes(spec, input_shape) -> {"weight": shape, …}``: the arrays a trained
        layer exports (``.npz``, ``load_state_dict``); ``None`` for a kind KernelScope does not
        train with parameters.
    stem
        ``stem(spec) -> str``: the default-name stem for this spec (activations use their
        function: ``relu1``); default ``short``.
    trainable
        ``trainable(spec, context) -> Layer`` (:mod:`engine.train`); ``None``: not trainable.
    onnx
        ``onnx(graph, layer) -> output tensor name`` (:mod:`engine.train`); ``None``: no export.
    """

    key: str
    label: str
    torch_class: str
    short: str
    fields: tuple[FieldSpec, ...]
    help: str
    shape: ShapeRule = same_shape
    torch_code: Callable[[Spec, Shape], str] | None = None
    weight_shapes: Callable[[Spec, Shape], dict[str, Shape]] | None = None
    stem: Callable[[Spec], str] | None = None
    trainable: Callable[[Spec, Any], Any] | None = None
    onnx: Callable[[Any, Any], str] | None = None

    def name_stem(self, spec: Spec) -> str:
        """The stem of this layer's default name (``conv``, ``relu``, ``fc``)."""
        return self.stem(spec) if self.stem is not None else self.short

    def pytorch(self, spec: Spec, input_shape: Shape) -> str:
        """The ``torch.nn`` constructor call for ``spec`` (a normalised spec)."""
        if self.torch_code is not None:
            return self.torch_code(spec, input_shape)
        args = [
            f"{f.name}={torch_value(spec[f.name])}"
            for f in self.fields
            if f.name in spec and spec[f.name] != f.default
        ]
        return f"nn.{self.torch_class}({', '.join(args)})"


def torch_value(value: Any) -> str:
    """A field value as Python source for PyTorch: pairs as tuples."""
    if isinstance(value, list):
        return f"({value[0]}, {value[1]})"
    return repr(value)


#: Every layer kind by its JSON ``"type"``, in display order.
LAYER_KINDS: dict[str, LayerKind] = {}

_HOOKS = ("shape", "torch_code", "weight_shapes", "stem", "trainable", "onnx")


def register_layer_kind(kind: LayerKind, *, replace: bool = False) -> LayerKind:
    """Add ``kind`` to :data:`LAYER_KINDS` (at the end of the display order); return it.

    Raises
    ------
    ValueError
        ``kind`` is not a :class:`LayerKind`, its key is not a lower-case identifier, or the key
        is taken (unless ``replace``).
    """
    if not isinstance(kind, LayerKind):
        raise ValueError(f"kind must be a LayerKind, got {type(kind).__name__}")
    if not kind.key.isidentifier() or kind.key != kind.key.lower():
        raise ValueError(f"kind.key must be a lower-case identifier, got {kind.key!r}")
    if kind.key in LAYER_KINDS and not replace:
        raise ValueError(f"the layer kind {kind.key!r} is already registered")
    LAYER_KINDS[kind.key] = kind
    return kind


def unregister_layer_kind(key: str) -> LayerKind:
    """Remove the kind ``key`` from :data:`LAYER_KINDS` and return its entry.

    Raises
    ------
    ValueError
        No kind has that key.
    """
    if key not in LAYER_KINDS:
        raise ValueError(f"no layer kind {key!r} is registered")
    return LAYER_KINDS.pop(key)


def attach_training(
    key: str,
    *,
    trainable: Callable[[Spec, Any], Any] | None = None,
    onnx: Callable[[Any, Any], str] | None = None,
) -> None:
    """Give the registered kind ``key`` its trainable factory and/or ONNX converter (what
    :mod:`engine.train` adds to the built-in kinds; arguments left ``None`` stay as they are).

    Raises
    ------
    ValueError
        No kind has that key.
    """
    if key not in LAYER_KINDS:
        raise ValueError(f"no layer kind {key!r} is registered")
    kind = LAYER_KINDS[key]
    LAYER_KINDS[key] = dataclasses.replace(
        kind, trainable=trainable or kind.trainable, onnx=onnx or kind.onnx
    )


def kinds_with(hook: str) -> tuple[str, ...]:
    """The keys of the kinds that have ``hook`` (``"trainable"``, ``"onnx"``, …), in order.

    Raises
    ------
    ValueError
        ``hook`` is not one of the hooks of :class:`LayerKind`.
    """
    if hook not in _HOOKS:
        raise ValueError(f"hook must be one of {', '.join(_HOOKS)}, got {hook!r}")
    return tuple(key for key, kind in LAYER_KINDS.items() if getattr(kind, hook) is not None)


class HookView(Mapping[str, Callable[..., Any]]):
    """A live, read-only view of one hook of :data:`LAYER_KINDS`: ``key → hook`` for every kind
    that has it, in display order. A kind registered, replaced or removed later shows at once
    (``engine.train.TRAINABLE_KINDS`` is ``HookView("trainable")``, ``ONNX_CONVERTERS`` is
    ``HookView("onnx")``).

    Raises
    ------
    ValueError
        ``hook`` is not one of the hooks of :class:`LayerKind`.
    """

    def __init__(self, hook: str) -> None:
        kinds_with(hook)  # checks the name
        self.hook = hook

    def __getitem__(self, key: str) -> Callable[..., Any]:
        value = getattr(LAYER_KINDS[key], self.hook)  # KeyError for an unknown kind
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(kinds_with(self.hook))

    def __len__(self) -> int:
        return len(kinds_with(self.hook))

    def __repr__(self) -> str:
        return f"HookView({self.hook!r}: {', '.join(self)})"
