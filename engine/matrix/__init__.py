"""What the Matrix & kernel tab computes: parse and fill matrices, compute outputs, export them."""

from engine.matrix.compute import (
    ConvSettings,
    KernelOutput,
    compute_layer_outputs,
    compute_outputs,
    display_values,
    explain_output_cell,
)
from engine.matrix.export import (
    EXPORT_FORMATS,
    layer_worked_solution,
    matrix_to_text,
    save_text,
    worked_solution,
)
from engine.matrix.fill import (
    crop_patch,
    fill_checkerboard,
    fill_ramp,
    fill_random_ints,
    fill_zeros,
    resize_matrix,
)
from engine.matrix.parse import (
    MatrixParseError,
    matrix_from_state,
    parse_matrix,
    parse_number,
)

__all__ = [
    "ConvSettings",
    "EXPORT_FORMATS",
    "KernelOutput",
    "MatrixParseError",
    "compute_layer_outputs",
    "compute_outputs",
    "crop_patch",
    "display_values",
    "explain_output_cell",
    "fill_checkerboard",
    "fill_ramp",
    "fill_random_ints",
    "fill_zeros",
    "layer_worked_solution",
    "matrix_from_state",
    "matrix_to_text",
    "parse_matrix",
    "parse_number",
    "resize_matrix",
    "save_text",
    "worked_solution",
]
