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
from engine.finite_difference import max_abs_error, numerical_gradient, numerical_jacobian
from engine.gradient_descent import DescentPath, gradient_descent, loss_grid, two_weight_problem
from engine.layer_arithmetic import conv_params, output_size, transposed_output_size
from engine.layer_explain import (
    LayerExplanation,
    explain_layer,
    same_padding,
    solve_kernel,
    solve_padding,
    solve_stride,
)
from engine.network_io import (
    network_from_json,
    network_to_json,
    pytorch_code,
    summary_to_csv,
    summary_to_markdown,
)
from engine.network_layers import LAYER_KINDS, normalize_layer, parse_layer_params
from engine.network_presets import PRESETS, get_preset
from engine.network_summary import LayerRow, NetworkSummary, summarize, summarize_partial
from engine.regression_data import CsvFormatError, generate_data, load_xy_csv
from engine.ridge import RidgeSolution, polynomial_features, ridge_fit, ridge_path, ridge_solution
from engine.softmax_loss import (
    cross_entropy,
    cross_entropy_from_logits,
    cross_entropy_grad,
    log_softmax,
    softmax,
    softmax_jacobian,
)

__all__ = [
    "FILTER_LIBRARY",
    "LAYER_KINDS",
    "PRESETS",
    "CellTerm",
    "CellTrace",
    "ConvGeometry",
    "CsvFormatError",
    "DescentPath",
    "LayerExplanation",
    "LayerRow",
    "NamedKernel",
    "NetworkSummary",
    "RidgeSolution",
    "conv_geometry",
    "conv_params",
    "convolve2d",
    "correlate2d",
    "cross_entropy",
    "cross_entropy_from_logits",
    "cross_entropy_grad",
    "dilate_kernel",
    "explain_layer",
    "filter_keys",
    "format_number",
    "generate_data",
    "get_filter",
    "get_preset",
    "gradient_descent",
    "load_xy_csv",
    "log_softmax",
    "loss_grid",
    "max_abs_error",
    "network_from_json",
    "network_to_json",
    "normalize_layer",
    "numerical_gradient",
    "numerical_jacobian",
    "output_floor_note",
    "output_size",
    "parse_layer_params",
    "polynomial_features",
    "pytorch_code",
    "ridge_fit",
    "ridge_path",
    "ridge_solution",
    "same_padding",
    "size_formula_text",
    "softmax",
    "softmax_jacobian",
    "solve_kernel",
    "solve_padding",
    "solve_stride",
    "summarize",
    "summarize_partial",
    "summary_to_csv",
    "summary_to_markdown",
    "trace_cell",
    "transposed_output_size",
    "two_weight_problem",
]
