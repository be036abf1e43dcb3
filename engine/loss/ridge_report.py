"""Everything the regularisation and gradient-descent panels draw, computed in one call each.

The GUI only plots these arrays; tests check them without a window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.loss.gradient_descent import DescentPath, l1_constrained_minimum, loss_grid
from engine.loss.regression_data import RegressionData, true_function
from engine.loss.ridge import (
    RidgeSolution,
    feature_scaling,
    lambda_grid,
    mean_squared_error,
    polynomial_features,
    ridge_solution,
    validation_curve,
)


@dataclass(frozen=True)
class PolynomialRidgeReport:
    """A polynomial ridge fit of 1-D data and its λ sweep.

    Features are ``1, t, …, t^degree`` with ``t = (x − center)/scale`` (data range → [−1, 1]).
    """

    degree: int
    center: float
    scale: float
    X_train: np.ndarray
    solution: RidgeSolution
    unregularised: RidgeSolution
    curve_x: np.ndarray
    curve_fit: np.ndarray
    curve_unregularised: np.ndarray
    curve_true: np.ndarray | None
    train_mse: float
    val_mse: float
    train_mse_unregularised: float
    val_mse_unregularised: float
    lams: np.ndarray
    train_curve: np.ndarray
    val_curve: np.ndarray
    coefficient_path: np.ndarray


def polynomial_ridge_report(
    data: RegressionData,
    degree: int,
    lam: float,
    *,
    true_key: str | None = None,
    lams: np.ndarray | None = None,
    curve_points: int = 300,
) -> PolynomialRidgeReport:
    """Fit ``degree`` polynomials with λ and with λ = 0, and sweep λ for the error/path plots.

    Parameters
    ----------
    data
        Training and validation points.
    degree
        Polynomial degree (0…30).
    lam
        λ ≥ 0 of the shown fit.
    true_key
        Key of the generating function, to draw it (``None`` for loaded data).
    lams
        λ values of the sweep (default: 61 values from 1e−8 to 1e2).
    """
    center, scale = feature_scaling(data.x_train)
    X_train = polynomial_features(data.x_train, degree, center=center, scale=scale)
    X_val = polynomial_features(data.x_val, degree, center=center, scale=scale)
    solution = ridge_solution(X_train, data.y_train, lam)
    unregularised = ridge_solution(X_train, data.y_train, 0.0)
    lo = min(float(data.x_train.min()), float(data.x_val.min()))
    hi = max(float(data.x_train.max()), float(data.x_val.max()))
    curve_x = np.linspace(lo, hi, curve_points)
    X_curve = polynomial_features(curve_x, degree, center=center, scale=scale)
    sweep = lambda_grid() if lams is None else np.asarray(lams, dtype=float)
    train_curve, val_curve, path = validation_curve(X_train, data.y_train, X_val, data.y_val, sweep)
    return PolynomialRidgeReport(
        degree=int(degree),
        center=center,
        scale=scale,
        X_train=X_train,
        solution=solution,
        unregularised=unregularised,
        curve_x=curve_x,
        curve_fit=X_curve @ solution.weights,
        curve_unregularised=X_curve @ unregularised.weights,
        curve_true=None if true_key is None else true_function(true_key).func(curve_x),
        train_mse=mean_squared_error(X_train, solution.weights, data.y_train),
        val_mse=mean_squared_error(X_val, solution.weights, data.y_val),
        train_mse_unregularised=mean_squared_error(X_train, unregularised.weights, data.y_train),
        val_mse_unregularised=mean_squared_error(X_val, unregularised.weights, data.y_val),
        lams=sweep,
        train_curve=train_curve,
        val_curve=val_curve,
        coefficient_path=path,
    )


@dataclass(frozen=True)
class DescentScene:
    """Contours and constraint shapes around a gradient-descent path on two weights.

    ``grid[i, j]`` is the loss at ``(w1[j], w2[i])``. ``radius = ‖w*‖₂``: the L2 circle passes
    through the ridge point, and the L1 diamond ``|w₁| + |w₂| = radius`` has its own optimum.
    """

    w1: np.ndarray
    w2: np.ndarray
    grid: np.ndarray
    levels: np.ndarray
    radius: float
    circle: np.ndarray
    diamond: np.ndarray
    l1_minimum: np.ndarray
    least_squares: np.ndarray


def descent_scene(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    path: DescentPath,
    *,
    include_penalty: bool = True,
    resolution: int = 160,
    n_levels: int = 14,
) -> DescentScene:
    """Grid, contour levels and constraint shapes for drawing ``path`` (2 weights).

    Parameters
    ----------
    include_penalty
        Contours of the full loss (True) or of the data term ``(1/n)‖Xw − y‖²`` alone.
    resolution
        Grid points per axis.
    n_levels
        Contour levels, spaced geometrically above the grid minimum (dense near the optimum).
    """
    least_squares = ridge_solution(X, y, 0.0).weights
    minimiser = path.minimiser
    radius = float(np.linalg.norm(minimiser))
    l1_min = l1_constrained_minimum(X, y, radius)
    # Frame the start, both optima and the whole circle / diamond (centred on the origin).
    points = np.vstack(
        [path.weights[:1], minimiser, least_squares, [[radius, radius], [-radius, -radius]]]
    )
    finite = points[np.all(np.isfinite(points), axis=1)]
    lo = finite.min(axis=0)
    hi = finite.max(axis=0)
    centre = (lo + hi) / 2
    half = max(float(np.max(hi - lo)) / 2 * 1.15, 0.5)
    w1 = np.linspace(centre[0] - half, centre[0] + half, resolution)
    w2 = np.linspace(centre[1] - half, centre[1] + half, resolution)
    grid = loss_grid(X, y, lam if include_penalty else 0.0, w1, w2)
    low = float(grid.min())
    span = float(grid.max()) - low
    if span <= 0 or not math.isfinite(span):
        levels = np.array([low])
    else:
        levels = low + span * np.geomspace(1e-3, 0.9, n_levels)
    if not include_penalty and levels.size > 1:
        # The data-term contour through w* touches the L2 circle there: draw that level too.
        through = float(np.mean((X @ minimiser - y) ** 2))
        levels = np.unique(np.append(levels, through))
    angle = np.linspace(0, 2 * np.pi, 200)
    circle = radius * np.column_stack([np.cos(angle), np.sin(angle)])
    diamond = radius * np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], dtype=float)
    return DescentScene(w1, w2, grid, levels, radius, circle, diamond, l1_min, least_squares)
