"""Everything the Matrix & kernel tab shows for one input and several kernels, in one call.

:func:`compute_matrix` (and :func:`compute_layer` for a multi-channel conv layer) resolves each
kernel's geometry once and returns a :class:`MatrixResult`: per kernel the output, the values as
displayed, the pooled output, the size formulas with the numbers filled in, the note about what
the floor drops and the padded input.  Cell explanations (:meth:`MatrixResult.trace`) and the
worked solution reuse that resolved geometry.  A kernel that does not fit gets an error message
instead of stopping the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from engine.checks import is_int
from engine.conv.backward import GradTrace, trace_input_grad, trace_kernel_grad
from engine.conv.correlate import convolve2d, correlate2d
from engine.conv.geometry import ConvGeometry, conv_geometry, output_floor_note, size_formula_text
from engine.conv.layer import LayerCellTrace, conv_layer, layer_param_formula, trace_layer_cell
from engine.conv.pooling import PoolTrace, pool2d, pool_formula_text, trace_pool_cell
from engine.conv.trace import CellTrace, trace_cell
from engine.matrix.kernel_names import kernel_about
from engine.text import format_number

DisplayMode = Literal["raw", "abs", "clamp"]
DISPLAY_MODES = ("raw", "abs", "clamp")
PADDING_MODES = ("valid", "same", "full", "custom")
OPERATIONS = ("correlate", "convolve")
POOL_MODES = ("max", "avg")
#: The three named paddings :func:`compare_paddings` puts side by side.
COMPARED_PADDINGS = ("valid", "same", "full")

#: The size formula in one line, for the outputs' heading.
SIZE_FORMULA_LINE = (
    "Size: O = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 — the sheet's (H − k + 2p)/s + 1 with a floor, "
    "and d(k − 1) + 1 in place of k for dilation d."
)
#: Said wherever the exercise sheet's size formula is shown.
SHEET_FORMULA_NOTE = (
    "The sheet's O = (H − k + 2p)/s + 1 needs a floor, ⌊(H − k + 2p)/s⌋ + 1, when s does not "
    "divide H − k + 2p; with dilation d the kernel spans d(k − 1) + 1 cells, which replaces k."
)


@dataclass(frozen=True)
class ConvSettings:
    """Padding, stride, dilation and operation shared by every kernel of the tab.

    ``padding`` is ``"valid"``, ``"same"``, ``"full"`` or ``"custom"`` (then ``custom_pad``
    zeros on each side).
    """

    padding: str = "valid"
    custom_pad: int = 0
    stride: int = 1
    dilation: int = 1
    operation: str = "correlate"

    def __post_init__(self) -> None:
        if self.padding not in PADDING_MODES:
            raise ValueError(f"padding must be one of {PADDING_MODES}, got {self.padding!r}")
        if self.operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}, got {self.operation!r}")
        for name in ("stride", "dilation"):
            value = getattr(self, name)
            if not is_int(value) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not is_int(self.custom_pad):
            raise ValueError(f"custom_pad must be an int, got {self.custom_pad!r}")
        if self.custom_pad < 0:
            raise ValueError(f"custom_pad must not be negative, got {self.custom_pad!r}")

    @property
    def padding_spec(self) -> str | int:
        """What :func:`engine.correlate2d` takes as ``padding``."""
        return self.custom_pad if self.padding == "custom" else self.padding

    def geometry_kwargs(self) -> dict[str, Any]:
        """``padding``/``stride``/``dilation`` as :func:`engine.correlate2d` takes them."""
        return {"padding": self.padding_spec, "stride": self.stride, "dilation": self.dilation}

    def operation_kwargs(self) -> dict[str, Any]:
        """:meth:`geometry_kwargs` plus ``mode`` (``"correlate"``/``"convolve"``) for the
        functions that take both, such as ``trace_cell`` and ``conv_layer``."""
        return {**self.geometry_kwargs(), "mode": self.operation}

    @property
    def mode(self) -> Literal["correlate", "convolve"]:
        """``operation`` typed as the engine's ``mode``/``operation`` arguments take it."""
        return "convolve" if self.operation == "convolve" else "correlate"

    def describe(self) -> str:
        """One line, e.g. ``cross-correlation, padding same, stride 2, dilation 1``."""
        op = "cross-correlation" if self.operation == "correlate" else "convolution"
        pad = f"custom p = {self.custom_pad}" if self.padding == "custom" else self.padding
        return f"{op}, padding {pad}, stride {self.stride}, dilation {self.dilation}"


@dataclass(frozen=True)
class PoolingSpec:
    """Pooling applied to every output: ``mode`` ``"max"`` or ``"avg"``, window and stride."""

    mode: str
    size: int
    stride: int

    def __post_init__(self) -> None:
        if self.mode not in POOL_MODES:
            raise ValueError(f"mode must be one of {POOL_MODES}, got {self.mode!r}")
        for name in ("size", "stride"):
            value = getattr(self, name)
            if not is_int(value) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")

    @property
    def label(self) -> str:
        """``Max`` or ``Average``."""
        return "Max" if self.mode == "max" else "Average"


@dataclass(frozen=True)
class PooledOutput:
    """One output pooled: ``values`` (None when the window does not fit) and the text about it.

    ``heading`` is e.g. ``Max pool 2×2, stride 2``; ``row_formula``/``col_formula`` fill in
    ``⌊(n − size)/stride⌋ + 1``; ``error`` says why there are no values.
    """

    spec: PoolingSpec
    values: np.ndarray | None
    heading: str
    row_formula: str = ""
    col_formula: str = ""
    error: str = ""


@dataclass(frozen=True)
class KernelOutput:
    """One kernel's result; ``error`` is set (and the arrays ``None``) when it cannot be applied.

    ``shown`` holds the output as displayed (raw, absolute or clamped), ``pooled`` the pooled
    output when pooling is on, ``padded`` the zero-padded input the kernel slides over
    (single-channel results) and ``about`` one line on what the kernel responds to.
    """

    name: str
    kernel: np.ndarray
    output: np.ndarray | None
    geometry: ConvGeometry | None
    row_formula: str
    col_formula: str
    floor_note: str
    error: str | None = None
    shown: np.ndarray | None = None
    pooled: PooledOutput | None = None
    padded: np.ndarray | None = None
    about: str = ""
    #: ``"output"`` for a forward output; ``"d_kernel"`` / ``"d_input"`` for the gradients of a
    #: backward pass (then ``formula`` says how they are computed).
    kind: str = "output"
    formula: str = ""

    @property
    def heading(self) -> str:
        """``name — rows × cols``."""
        if self.output is None:
            return self.name
        return f"{self.name} — {self.output.shape[0]}×{self.output.shape[1]}"


@dataclass(frozen=True)
class MatrixResult:
    """Everything the Matrix tab shows for the current input, kernels and settings.

    ``x`` is the ``(H, W)`` input (or ``(C, H, W)`` for a conv layer, then ``layer`` holds
    ``(weights, bias)``).  ``outputs`` holds one :class:`KernelOutput` per kernel (per filter
    for a layer; per padding for :func:`compare_paddings`), each with its resolved geometry,
    which :meth:`trace` and :meth:`pool_trace` reuse.
    """

    x: np.ndarray
    settings: ConvSettings
    outputs: tuple[KernelOutput, ...]
    display: str = "raw"
    pooling: PoolingSpec | None = None
    layer: tuple[np.ndarray, np.ndarray] | None = None
    title: str = ""
    #: True for :func:`compare_paddings` (each output has its own padding).
    comparison: bool = False
    #: The upstream gradient G = ∂L/∂Y of a backward pass (outputs: Y, ∂L/∂K, ∂L/∂X).
    grad_out: np.ndarray | None = None

    def _output(self, p: int) -> tuple[KernelOutput, ConvGeometry]:
        if not 0 <= p < len(self.outputs):
            raise ValueError(f"p = {p} is not an output index (0…{len(self.outputs) - 1})")
        res = self.outputs[p]
        if res.geometry is None:
            raise ValueError(f"output {p} ({res.name}) has no values: {res.error}")
        return res, res.geometry

    def trace(self, p: int, i: int, j: int) -> CellTrace:
        """The sum of products behind output cell ``(i, j)`` of output ``p`` (single channel)."""
        res, geo = self._output(p)
        if self.layer is not None:
            raise ValueError("a conv-layer result is traced with layer_trace")
        return trace_cell(self.x, res.kernel, i, j, mode=self.settings.mode, geometry=geo)

    def layer_trace(self, n: int, i: int, j: int) -> LayerCellTrace:
        """Output cell ``(i, j)`` of filter ``n``: per-channel sums plus the bias."""
        _res, geo = self._output(n)
        if self.layer is None:
            raise ValueError("only a conv-layer result has a layer_trace")
        weights, bias = self.layer
        return trace_layer_cell(
            self.x, weights, bias, n, i, j, mode=self.settings.mode, geometry=geo
        )

    def grad_trace(self, p: int, i: int, j: int) -> GradTrace:
        """The sum behind cell (i, j) of gradient output ``p`` (``kind`` d_kernel or d_input)."""
        res, geo = self._output(p)
        if self.grad_out is None or res.kind not in ("d_kernel", "d_input"):
            raise ValueError(f"output {p} ({res.name}) is not a gradient")
        trace = trace_kernel_grad if res.kind == "d_kernel" else trace_input_grad
        return trace(
            self.x, res.kernel, self.grad_out, i, j, operation=self.settings.mode, geometry=geo
        )

    def pool_trace(self, p: int, i: int, j: int) -> PoolTrace:
        """What pooled cell ``(i, j)`` of output ``p`` reads and computes."""
        res, _geo = self._output(p)
        if self.pooling is None or res.pooled is None or res.pooled.values is None:
            raise ValueError(f"output {p} has no pooled values")
        spec = self.pooling
        return trace_pool_cell(res.output, i, j, spec.size, spec.stride, spec.mode)  # type: ignore[arg-type]


def apply_kernel(x: np.ndarray, kernel: np.ndarray, settings: ConvSettings) -> np.ndarray:
    """Correlate or convolve ``x`` with ``kernel`` as ``settings`` say."""
    op = correlate2d if settings.operation == "correlate" else convolve2d
    return op(x, kernel, **settings.geometry_kwargs())


def geometry_for(
    input_shape: tuple[int, int], kernel_shape: tuple[int, int], settings: ConvSettings
) -> ConvGeometry:
    """The resolved padding and output size for these settings."""
    return conv_geometry(input_shape, kernel_shape, **settings.geometry_kwargs())


def _floor_step(span: int, stride: int) -> str:
    """``  (4/3 = 1.33…, floor 1)`` when the stride does not divide the span, else ``''``."""
    if span % stride == 0:
        return ""
    return f"   ({span}/{stride} = {span / stride:.3g}…, floor {span // stride})"


def size_formulas(geo: ConvGeometry) -> tuple[str, str]:
    """Row and column output-size formulas with the numbers filled in.

    When the stride does not divide ``n + 2p − d(k−1) − 1`` the division is written out too,
    e.g. ``⌊(7 + 2·0 − 3)/3⌋ + 1 = 2   (4/3 = 1.33…, floor 1)``.
    """
    top, bottom, left, right = geo.pad
    texts = []
    for axis, pad_total in ((0, top + bottom), (1, left + right)):
        n, k = geo.input_shape[axis], geo.kernel_shape[axis]
        s, d = geo.stride[axis], geo.dilation[axis]
        span = n + pad_total - geo.effective_kernel[axis]
        texts.append(size_formula_text(n, k, pad_total, s, d) + _floor_step(span, s))
    return texts[0], texts[1]


def display_values(values: np.ndarray, mode: DisplayMode | str) -> np.ndarray:
    """Values as shown: ``"raw"``, ``"abs"`` (absolute value) or ``"clamp"`` (to 0…255)."""
    if mode == "raw":
        return values
    if mode == "abs":
        return np.abs(values)
    if mode == "clamp":
        return np.clip(values, 0, 255)
    raise ValueError(f"mode must be one of {DISPLAY_MODES}, got {mode!r}")


def pool_output(output: np.ndarray, spec: PoolingSpec) -> PooledOutput:
    """Pool one output as ``spec`` says; a window larger than the output gives an error text."""
    if spec.size > min(output.shape):
        oh, ow = output.shape
        return PooledOutput(
            spec,
            None,
            "",
            error=f"{spec.label} pooling {spec.size}×{spec.size} does not fit this {oh}×{ow} "
            "output",
        )
    pooled = pool2d(output, spec.size, spec.stride, spec.mode)  # type: ignore[arg-type]
    return PooledOutput(
        spec,
        pooled,
        f"{spec.label} pool {spec.size}×{spec.size}, stride {spec.stride}",
        pool_formula_text(output.shape[0], spec.size, spec.stride),
        pool_formula_text(output.shape[1], spec.size, spec.stride),
    )


def padded_input(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``x`` with the zero padding of ``geo`` added (what the kernel slides over)."""
    top, bottom, left, right = geo.pad
    return np.pad(np.asarray(x), [(top, bottom), (left, right)])


def _finish(
    res: KernelOutput, display: str, pooling: PoolingSpec | None, x: np.ndarray | None
) -> KernelOutput:
    """Add the displayed values, the pooled output and (single channel) the padded input."""
    if res.output is None or res.geometry is None:
        return res
    return replace(
        res,
        shown=display_values(res.output, display),
        pooled=None if pooling is None else pool_output(res.output, pooling),
        padded=None if x is None else padded_input(x, res.geometry),
    )


def _one_kernel(
    x: np.ndarray, name: str, kernel: np.ndarray, settings: ConvSettings
) -> KernelOutput:
    kernel = np.asarray(kernel)
    try:
        geo = geometry_for(x.shape, kernel.shape, settings)
        out = apply_kernel(x, kernel, settings)
    except ValueError as exc:
        return KernelOutput(name, kernel, None, None, "", "", "", str(exc))
    rows, cols = size_formulas(geo)
    return KernelOutput(
        name, kernel, out, geo, rows, cols, output_floor_note(geo), about=kernel_about(kernel)
    )


def compute_matrix(
    x: np.ndarray,
    kernels: Sequence[tuple[str, np.ndarray]],
    settings: ConvSettings,
    *,
    display: str = "raw",
    pooling: PoolingSpec | None = None,
) -> MatrixResult:
    """Apply every ``(name, kernel)`` to the 2-D ``x``: one complete :class:`MatrixResult`."""
    if display not in DISPLAY_MODES:
        raise ValueError(f"display must be one of {DISPLAY_MODES}, got {display!r}")
    x = np.asarray(x)
    outputs = tuple(
        _finish(_one_kernel(x, name, kernel, settings), display, pooling, x)
        for name, kernel in kernels
    )
    return MatrixResult(
        x, settings, outputs, display, pooling, title=f"Outputs — {settings.describe()}"
    )


def compare_paddings(
    x: np.ndarray,
    name: str,
    kernel: np.ndarray,
    settings: ConvSettings,
    *,
    display: str = "raw",
    pooling: PoolingSpec | None = None,
) -> MatrixResult:
    """The same kernel with valid, same and full padding side by side (other settings kept).

    Each output is named ``name · padding`` and carries its own geometry and size formulas.
    """
    if display not in DISPLAY_MODES:
        raise ValueError(f"display must be one of {DISPLAY_MODES}, got {display!r}")
    x = np.asarray(x)
    outputs = []
    for padding in COMPARED_PADDINGS:
        each = replace(settings, padding=padding)
        outputs.append(
            _finish(_one_kernel(x, f"{name} · {padding}", kernel, each), display, pooling, x)
        )
    sizes = ", ".join(
        f"{p} {o.output.shape[0]}×{o.output.shape[1]}" if o.output is not None else f"{p} —"
        for p, o in zip(COMPARED_PADDINGS, outputs, strict=True)
    )
    op = "cross-correlation" if settings.operation == "correlate" else "convolution"
    title = (
        f"Valid, same and full padding for {name} ({sizes}) — {op}, stride {settings.stride}, "
        f"dilation {settings.dilation}"
    )
    return MatrixResult(x, settings, tuple(outputs), display, pooling, title=title, comparison=True)


def compute_layer(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    settings: ConvSettings,
    *,
    display: str = "raw",
    pooling: PoolingSpec | None = None,
) -> MatrixResult:
    """One output map per filter of a conv layer (see :func:`engine.conv.conv_layer`).

    ``x`` is ``(C, H, W)``, ``weights`` ``(N, C, kh, kw)``, ``bias`` ``(N,)``; each output's
    ``kernel`` is that filter's ``(C, kh, kw)`` weights and its name shows the bias.  When the
    kernel does not fit, every filter reports the error.
    """
    if display not in DISPLAY_MODES:
        raise ValueError(f"display must be one of {DISPLAY_MODES}, got {display!r}")
    x, weights, bias = np.asarray(x), np.asarray(weights), np.asarray(bias)
    title = (
        f"{weights.shape[0]} output map(s), one per filter · parameters N·(k·k·C + 1) = "
        f"{layer_param_formula(weights.shape[2:], x.shape[0], weights.shape[0])}"
    )
    try:
        geo = geometry_for(x.shape[1:], weights.shape[2:], settings)
        out = conv_layer(x, weights, bias, **settings.operation_kwargs())
    except ValueError as exc:
        failed = tuple(
            KernelOutput(f"Filter {n}", weights[n], None, None, "", "", "", str(exc))
            for n in range(weights.shape[0])
        )
        return MatrixResult(x, settings, failed, display, pooling, (weights, bias), title)
    rows, cols = size_formulas(geo)
    note = output_floor_note(geo)
    outputs = tuple(
        _finish(
            KernelOutput(
                f"Filter {n} (bias {format_number(bias[n].item())})",
                weights[n],
                out[n],
                geo,
                rows,
                cols,
                note,
            ),
            display,
            pooling,
            None,
        )
        for n in range(weights.shape[0])
    )
    return MatrixResult(x, settings, outputs, display, pooling, (weights, bias), title)


def compute_outputs(
    x: np.ndarray, kernels: Sequence[tuple[str, np.ndarray]], settings: ConvSettings
) -> list[KernelOutput]:
    """The outputs of :func:`compute_matrix` as a list (raw display, no pooling)."""
    return list(compute_matrix(x, kernels, settings).outputs)


def compute_layer_outputs(
    x: np.ndarray, weights: np.ndarray, bias: np.ndarray, settings: ConvSettings
) -> list[KernelOutput]:
    """The outputs of :func:`compute_layer` as a list (raw display, no pooling)."""
    return list(compute_layer(x, weights, bias, settings).outputs)


def explain_output_cell(
    x: np.ndarray, kernel: np.ndarray, i: int, j: int, settings: ConvSettings
) -> CellTrace:
    """The sum of products behind output cell ``(i, j)`` for one kernel on its own (see
    :func:`engine.trace_cell`); the tab uses :meth:`MatrixResult.trace` instead."""
    return trace_cell(x, kernel, i, j, **settings.operation_kwargs())


def step_cells(shape: tuple[int, int]) -> list[tuple[int, int]]:
    """Output cells in the order a kernel visits them (row by row, left to right)."""
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]
