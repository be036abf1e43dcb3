"""Softmax, cross-entropy, finite differences, derivations, ridge regression, gradient
descent and their data."""

from engine.loss.contours import contour_polyline
from engine.loss.derivations import ridge_derivation_html, softmax_derivation_html
from engine.loss.finite_difference import max_abs_error, numerical_gradient, numerical_jacobian
from engine.loss.gradient_descent import (
    DescentPath,
    gradient_descent,
    loss_grid,
    two_weight_problem,
)
from engine.loss.regression_data import (
    TRUE_FUNCTIONS,
    CsvFormatError,
    RegressionData,
    generate_data,
    load_xy_csv,
    split_train_validation,
)
from engine.loss.ridge import (
    RidgeSolution,
    polynomial_features,
    ridge_fit,
    ridge_path,
    ridge_solution,
)
from engine.loss.ridge_report import (
    DescentScene,
    PolynomialRidgeReport,
    descent_scene,
    polynomial_ridge_report,
)
from engine.loss.softmax import (
    cross_entropy,
    cross_entropy_from_logits,
    cross_entropy_grad,
    log_softmax,
    logit_sweep,
    parse_vector,
    softmax,
    softmax_jacobian,
    target_vector,
)

__all__ = [
    "CsvFormatError",
    "DescentPath",
    "RidgeSolution",
    "cross_entropy",
    "cross_entropy_from_logits",
    "cross_entropy_grad",
    "generate_data",
    "gradient_descent",
    "load_xy_csv",
    "log_softmax",
    "loss_grid",
    "max_abs_error",
    "numerical_gradient",
    "numerical_jacobian",
    "polynomial_features",
    "ridge_fit",
    "ridge_path",
    "ridge_solution",
    "softmax",
    "softmax_jacobian",
    "two_weight_problem",
    "contour_polyline",
    "ridge_derivation_html",
    "softmax_derivation_html",
    "RegressionData",
    "TRUE_FUNCTIONS",
    "split_train_validation",
    "DescentScene",
    "PolynomialRidgeReport",
    "descent_scene",
    "polynomial_ridge_report",
    "logit_sweep",
    "parse_vector",
    "target_vector",
]
