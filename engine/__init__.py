"""KernelScope's computation core: numpy + OpenCV, never Qt.

Everything a tab shows is computed by a function importable from here.
"""

from engine.convolution import (
    CellTerm,
    CellTrace,
    ConvGeometry,
    conv_geometry,
    convolve2d,
    correlate2d,
    dilate_kernel,
    format_number,
    output_floor_note,
    size_formula_text,
    trace_cell,
)
from engine.filter_library import FILTER_LIBRARY, NamedKernel, filter_keys, get_filter
from engine.layer_arithmetic import conv_params, output_size

__all__ = [
    "FILTER_LIBRARY",
    "CellTerm",
    "CellTrace",
    "ConvGeometry",
    "NamedKernel",
    "conv_geometry",
    "conv_params",
    "convolve2d",
    "correlate2d",
    "dilate_kernel",
    "filter_keys",
    "format_number",
    "get_filter",
    "output_floor_note",
    "output_size",
    "size_formula_text",
    "trace_cell",
]
