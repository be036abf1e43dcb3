"""2-D convolution: geometry, correlate/convolve, cell traces, pooling, conv layers,
kernel tools and the filter library."""

from engine.conv.backward import (
    GradTerm,
    GradTrace,
    conv_backward,
    trace_input_grad,
    trace_kernel_grad,
)
from engine.conv.correlate import (
    BACKENDS,
    choose_numpy_method,
    convolve2d,
    correlate2d,
    result_dtype,
)
from engine.conv.exact import integer_route_note
from engine.conv.filters import FILTER_LIBRARY, NamedKernel, filter_keys, get_filter
from engine.conv.geometry import (
    PADDING_NAMES,
    ConvGeometry,
    PaddingSpec,
    PairSpec,
    conv_geometry,
    dilate_kernel,
    output_floor_note,
    size_formula_text,
)
from engine.conv.kernel_tools import (
    FilterMatch,
    KernelSolution,
    Separability,
    fit_kernel,
    flip_kernel,
    match_library_filter,
    normalise_kernel,
    rotate_kernel,
    separability,
    transpose_kernel,
)
from engine.conv.layer import (
    LayerCellTrace,
    conv_layer,
    layer_param_count,
    layer_param_formula,
    trace_layer_cell,
)
from engine.conv.pooling import PoolTrace, pool2d, trace_pool_cell
from engine.conv.trace import CellTerm, CellTrace, trace_cell

__all__ = [
    "CellTerm",
    "CellTrace",
    "ConvGeometry",
    "FILTER_LIBRARY",
    "FilterMatch",
    "KernelSolution",
    "LayerCellTrace",
    "NamedKernel",
    "PoolTrace",
    "Separability",
    "choose_numpy_method",
    "GradTerm",
    "GradTrace",
    "conv_backward",
    "conv_geometry",
    "conv_layer",
    "convolve2d",
    "correlate2d",
    "dilate_kernel",
    "filter_keys",
    "fit_kernel",
    "flip_kernel",
    "get_filter",
    "layer_param_count",
    "layer_param_formula",
    "match_library_filter",
    "normalise_kernel",
    "output_floor_note",
    "pool2d",
    "rotate_kernel",
    "separability",
    "size_formula_text",
    "trace_cell",
    "trace_input_grad",
    "trace_kernel_grad",
    "integer_route_note",
    "trace_layer_cell",
    "trace_pool_cell",
    "transpose_kernel",
    "BACKENDS",
    "PADDING_NAMES",
    "PaddingSpec",
    "PairSpec",
    "result_dtype",
]
