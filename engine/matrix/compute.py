"""Everything the Matrix & kernel tab shows for one input and several kernels, in one place.

:func:`compute_outputs` applies each kernel with the same settings and returns, per kernel, the
output, the size formula for rows and columns with the numbers filled in and the note about what
the floor drops; a kernel that does not fit gets an error message instead of stopping the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from engine.conv.correlate import convolve2d, correlate2d
from engine.conv.geometry import ConvGeometry, conv_geometry, output_floor_note, size_formula_text
from engine.conv.layer import conv_layer
from engine.conv.trace import CellTrace, trace_cell
from engine.text import format_number

DisplayMode = Literal["raw", "abs", "clamp"]
DISPLAY_MODES = ("raw", "abs", "clamp")
PADDING_MODES = ("valid", "same", "full", "custom")
OPERATIONS = ("correlate", "convolve")


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
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if isinstance(self.custom_pad, bool) or not isinstance(self.custom_pad, int):
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

    def describe(self) -> str:
        """One line, e.g. ``cross-correlation, padding same, stride 2, dilation 1``."""
        op = "cross-correlation" if self.operation == "correlate" else "convolution"
        pad = f"custom p = {self.custom_pad}" if self.padding == "custom" else self.padding
        return f"{op}, padding {pad}, stride {self.stride}, dilation {self.dilation}"


@dataclass(frozen=True)
class KernelOutput:
    """One kernel's result; ``error`` is set (and the rest ``None``) when it cannot be applied."""

    name: str
    kernel: np.ndarray
    output: np.ndarray | None
    geometry: ConvGeometry | None
    row_formula: str
    col_formula: str
    floor_note: str
    error: str | None = None

    @property
    def heading(self) -> str:
        """``name — rows × cols``."""
        if self.output is None:
            return self.name
        return f"{self.name} — {self.output.shape[0]}×{self.output.shape[1]}"


def apply_kernel(x: np.ndarray, kernel: np.ndarray, settings: ConvSettings) -> np.ndarray:
    """Correlate or convolve ``x`` with ``kernel`` as ``settings`` say."""
    op = correlate2d if settings.operation == "correlate" else convolve2d
    return op(
        x,
        kernel,
        **settings.geometry_kwargs(),
    )


def geometry_for(
    input_shape: tuple[int, int], kernel_shape: tuple[int, int], settings: ConvSettings
) -> ConvGeometry:
    """The resolved padding and output size for these settings."""
    return conv_geometry(
        input_shape,
        kernel_shape,
        **settings.geometry_kwargs(),
    )


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


def compute_outputs(
    x: np.ndarray, kernels: Sequence[tuple[str, np.ndarray]], settings: ConvSettings
) -> list[KernelOutput]:
    """Apply every ``(name, kernel)`` to ``x``; a kernel that does not fit reports an error."""
    results = []
    for name, kernel in kernels:
        try:
            geo = geometry_for(x.shape, kernel.shape, settings)
            out = apply_kernel(x, kernel, settings)
        except ValueError as exc:
            results.append(KernelOutput(name, kernel, None, None, "", "", "", str(exc)))
            continue
        rows, cols = size_formulas(geo)
        results.append(KernelOutput(name, kernel, out, geo, rows, cols, output_floor_note(geo)))
    return results


def compute_layer_outputs(
    x: np.ndarray, weights: np.ndarray, bias: np.ndarray, settings: ConvSettings
) -> list[KernelOutput]:
    """One :class:`KernelOutput` per filter of a conv layer (see :func:`engine.conv.layer`).

    ``x`` is ``(C, H, W)``, ``weights`` ``(N, C, kh, kw)``, ``bias`` ``(N,)``; each result's
    ``kernel`` is that filter's ``(C, kh, kw)`` weights and its name shows the bias.  When the
    kernel does not fit, every filter reports the error.
    """
    try:
        out = conv_layer(
            x,
            weights,
            bias,
            **settings.operation_kwargs(),
        )
        geo = geometry_for(x.shape[1:], weights.shape[2:], settings)
    except ValueError as exc:
        return [
            KernelOutput(f"Filter {n}", weights[n], None, None, "", "", "", str(exc))
            for n in range(weights.shape[0])
        ]
    rows, cols = size_formulas(geo)
    note = output_floor_note(geo)
    return [
        KernelOutput(
            f"Filter {n} (bias {format_number(bias[n].item())})",
            weights[n],
            out[n],
            geo,
            rows,
            cols,
            note,
        )
        for n in range(weights.shape[0])
    ]


def display_values(values: np.ndarray, mode: DisplayMode) -> np.ndarray:
    """Values as shown: ``"raw"``, ``"abs"`` (absolute value) or ``"clamp"`` (to 0…255)."""
    if mode == "raw":
        return values
    if mode == "abs":
        return np.abs(values)
    if mode == "clamp":
        return np.clip(values, 0, 255)
    raise ValueError(f"mode must be one of {DISPLAY_MODES}, got {mode!r}")


def explain_output_cell(
    x: np.ndarray, kernel: np.ndarray, i: int, j: int, settings: ConvSettings
) -> CellTrace:
    """The sum of products behind output cell ``(i, j)`` (see :func:`engine.trace_cell`)."""
    return trace_cell(
        x,
        kernel,
        i,
        j,
        **settings.operation_kwargs(),
    )


def padded_input(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``x`` with the zero padding of ``geo`` added (what the kernel slides over)."""
    top, bottom, left, right = geo.pad
    return np.pad(np.asarray(x), [(top, bottom), (left, right)])


def step_cells(shape: tuple[int, int]) -> list[tuple[int, int]]:
    """Output cells in the order a kernel visits them (row by row, left to right)."""
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]
