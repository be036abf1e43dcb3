"""Ridge regression: the minimiser of ``L(w) = (1/n)‖Xw − y‖² + λ‖w‖²``, solved soundly.

Setting the gradient ``(2/n)Xᵀ(Xw − y) + 2λw`` to zero gives ``(XᵀX + nλI)w = Xᵀy``. We never
form ``XᵀX`` or an inverse (that squares the condition number): with the thin SVD ``X = USVᵀ``

    w = V · diag(sᵢ / (sᵢ² + nλ)) · Uᵀy,

which for ``λ = 0`` and rank-deficient ``X`` (e.g. more features than samples) is the
minimum-norm least-squares solution — reported with a warning, never as silent garbage.
One SVD serves a whole path of λ values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.checks import check_int, nonnegative_float

#: cond(XᵀX + nλI) above this gets a warning: about 4 of 16 significant digits are left.
ILL_CONDITIONED = 1e12


def _design(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    try:
        xa = np.asarray(X, dtype=float)
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("X and y must be numbers") from None
    if xa.ndim != 2 or xa.shape[0] < 1 or xa.shape[1] < 1:
        raise ValueError(
            f"X must be a non-empty 2-D array (n samples × d features), got {xa.shape}"
        )
    if ya.ndim != 1 or ya.size != xa.shape[0]:
        raise ValueError(
            f"y must be 1-D with {xa.shape[0]} entries (one per row of X), got {ya.shape}"
        )
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        raise ValueError("X and y must be finite (no NaN or inf)")
    return xa, ya


def _lambda(lam: object, name: str = "lam") -> float:
    return nonnegative_float(
        lam, name, hint=" (λ < 0 rewards large weights: the loss can be unbounded below)"
    )


@dataclass(frozen=True)
class RidgeSolution:
    """The ridge minimiser and what the solver learned about the problem.

    Attributes
    ----------
    weights
        ``w`` (length d).
    lam
        λ used.
    rank
        Numerical rank of ``X``.
    singular_values
        Of ``X``, descending (length ``min(n, d)``).
    condition
        ``cond(XᵀX + nλI)`` in the 2-norm (``inf`` when singular).
    warning
        ``None``, or a sentence for the user (minimum-norm solution, ill-conditioned system).
    """

    weights: np.ndarray
    lam: float
    rank: int
    singular_values: np.ndarray
    condition: float
    warning: str | None

    @property
    def is_unique(self) -> bool:
        """Whether the minimiser is unique (λ > 0, or ``X`` has full column rank)."""
        return self.lam > 0 or self.rank == self.weights.size


def _svd(xa: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    u, s, vt = np.linalg.svd(xa, full_matrices=False)
    tol = (s[0] if s.size else 0.0) * max(xa.shape) * np.finfo(float).eps
    rank = int(np.sum(s > tol))
    return u, s, vt, rank


def _filter_factors(s: np.ndarray, rank: int, n_lam: float) -> np.ndarray:
    """``sᵢ/(sᵢ² + nλ)``; singular directions (below the rank tolerance) get 0 when λ = 0."""
    out = np.zeros_like(s)
    if n_lam > 0:
        out = s / (s * s + n_lam)
    else:
        out[:rank] = 1.0 / s[:rank]
    return out


def ridge_solution(X: object, y: object, lam: float) -> RidgeSolution:
    """Minimise ``(1/n)‖Xw − y‖² + λ‖w‖²`` and report rank, conditioning and warnings.

    Parameters
    ----------
    X
        Design matrix, n × d (include a column of ones for an intercept; it is penalised too).
    y
        Targets, length n.
    lam
        λ ≥ 0.

    Notes
    -----
    For ``λ = 0`` with ``rank(X) < d`` (collinear columns, or more features than samples) every
    ``w + v`` with ``Xv = 0`` is a minimiser; the minimum-norm one is returned and ``warning`` says
    so. Use :func:`ridge_fit` to get a ``ValueError`` instead.

    Raises
    ------
    ValueError
        Bad shapes, non-finite data, or λ < 0.
    """
    xa, ya = _design(X, y)
    n, d = xa.shape
    value = _lambda(lam)
    u, s, vt, rank = _svd(xa)
    n_lam = n * value
    weights = vt.T @ (_filter_factors(s, rank, n_lam) * (u.T @ ya))
    eig = np.zeros(d)
    eig[:rank] = s[:rank] ** 2  # directions below the rank tolerance count as exactly singular
    smallest = float(eig.min()) + n_lam
    condition = math.inf if smallest <= 0 else (float(eig.max()) + n_lam) / smallest
    warning = None
    if value == 0 and rank < d:
        warning = (
            f"{_singular_reason(n, d, rank)} Showing the minimum-norm least-squares solution; "
            "choose λ > 0 for a unique fit."
        )
    elif condition > ILL_CONDITIONED:
        warning = (
            f"XᵀX + nλI is ill-conditioned (condition number {condition:.2g}): about "
            f"{max(0, int(16 - math.log10(condition)))} significant digits of w can be trusted. "
            "Increase λ or lower the degree."
        )
    return RidgeSolution(
        weights=weights,
        lam=value,
        rank=rank,
        singular_values=s,
        condition=condition,
        warning=warning,
    )


def ridge_fit(X: object, y: object, lam: float) -> np.ndarray:
    """The unique minimiser ``w = (XᵀX + nλI)⁻¹Xᵀy`` of ``(1/n)‖Xw − y‖² + λ‖w‖²``.

    Solved through the SVD of ``X`` (see the module docstring), never with an explicit inverse.

    Raises
    ------
    ValueError
        Bad shapes, non-finite data, λ < 0, or λ = 0 when ``XᵀX`` is singular (rank-deficient
        ``X``, more features than samples): there is no unique minimiser then. Use
        :func:`ridge_solution` for the minimum-norm solution with a warning instead.
    """
    solution = ridge_solution(X, y, lam)
    if not solution.is_unique:
        n, d = np.asarray(X, dtype=float).shape
        raise ValueError(
            f"{_singular_reason(n, d, solution.rank)} Choose lam > 0, or call ridge_solution() "
            "for the minimum-norm solution."
        )
    return solution.weights


def _singular_reason(n: int, d: int, rank: int) -> str:
    why = (
        f"more features ({d}) than samples ({n})"
        if d > n
        else f"X has rank {rank} < {d} features (collinear columns)"
    )
    return f"λ = 0 with {why}: XᵀX is singular, so infinitely many w fit equally well."


def ridge_path(X: object, y: object, lams: object) -> np.ndarray:
    """Ridge weights for every λ in ``lams`` (m values) from one SVD: shape ``(m, d)``.

    λ = 0 gives the minimum-norm least-squares solution (see :func:`ridge_solution`).
    """
    xa, ya = _design(X, y)
    lam_arr = np.atleast_1d(np.asarray(lams, dtype=float))
    if lam_arr.ndim != 1:
        raise ValueError(f"lams must be 1-D, got shape {lam_arr.shape}")
    for value in lam_arr:
        _lambda(value, "lams entry")
    u, s, vt, rank = _svd(xa)
    uty = u.T @ ya
    rows = [vt.T @ (_filter_factors(s, rank, xa.shape[0] * lam) * uty) for lam in lam_arr]
    return np.asarray(rows).reshape(lam_arr.size, xa.shape[1])


def ridge_loss(w: object, X: object, y: object, lam: float) -> float:
    """``(1/n)‖Xw − y‖² + λ‖w‖²``."""
    xa, ya = _design(X, y)
    wa = _weights(w, xa.shape[1])
    r = xa @ wa - ya
    return float(r @ r / xa.shape[0] + _lambda(lam) * (wa @ wa))


def ridge_gradient(w: object, X: object, y: object, lam: float) -> np.ndarray:
    """``∇L(w) = (2/n)Xᵀ(Xw − y) + 2λw``."""
    xa, ya = _design(X, y)
    wa = _weights(w, xa.shape[1])
    return 2.0 / xa.shape[0] * (xa.T @ (xa @ wa - ya)) + 2.0 * _lambda(lam) * wa


def _weights(w: object, d: int) -> np.ndarray:
    wa = np.asarray(w, dtype=float)
    if wa.shape != (d,):
        raise ValueError(f"w must have shape ({d},), got {wa.shape}")
    return wa


def mean_squared_error(X: object, w: object, y: object) -> float:
    """``(1/n)‖Xw − y‖²`` (no penalty)."""
    xa, ya = _design(X, y)
    r = xa @ _weights(w, xa.shape[1]) - ya
    return float(r @ r / xa.shape[0])


def validation_curve(
    X_train: object, y_train: object, X_val: object, y_val: object, lams: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train and validation MSE of the ridge fit for each λ.

    Returns
    -------
    train_mse, val_mse, weights
        Two arrays of length m and the ``(m, d)`` coefficient path.
    """
    xt, yt = _design(X_train, y_train)
    xv, yv = _design(X_val, y_val)
    if xv.shape[1] != xt.shape[1]:
        raise ValueError(f"X_val must have {xt.shape[1]} columns, got {xv.shape[1]}")
    path = ridge_path(xt, yt, lams)
    train = np.mean((path @ xt.T - yt) ** 2, axis=1)
    val = np.mean((path @ xv.T - yv) ** 2, axis=1)
    return train, val, path


def polynomial_features(
    x: object, degree: int, *, center: float = 0.0, scale: float = 1.0
) -> np.ndarray:
    """Columns ``1, t, t², …, t^degree`` with ``t = (x − center) / scale`` (n × (degree + 1)).

    Mapping the data range onto [−1, 1] first (see :func:`feature_scaling`) keeps high degrees
    well conditioned; powers of raw x in [0, 100] would span 40 orders of magnitude.
    """
    degree = check_int(degree, "degree", minimum=0, maximum=30)
    try:
        xa = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x must be numbers, got {x!r}") from None
    if xa.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {xa.shape}")
    if not (math.isfinite(center) and math.isfinite(scale)) or scale <= 0:
        raise ValueError(f"center must be finite and scale finite and > 0, got {center}, {scale}")
    t = (xa - center) / scale
    return np.vander(t, int(degree) + 1, increasing=True)


def feature_scaling(x: object) -> tuple[float, float]:
    """``(center, scale)`` mapping ``min(x)…max(x)`` onto [−1, 1] (scale 1 for constant x)."""
    xa = np.asarray(x, dtype=float)
    if xa.size == 0 or not np.all(np.isfinite(xa)):
        raise ValueError("x must be non-empty and finite")
    lo, hi = float(xa.min()), float(xa.max())
    half = (hi - lo) / 2
    return (lo + hi) / 2, (half if half > 0 else 1.0)


def lambda_grid(low: float = 1e-8, high: float = 1e2, num: int = 61) -> np.ndarray:
    """``num`` λ values evenly spaced in log10 from ``low`` to ``high`` (both > 0)."""
    if not (0 < low < high) or not math.isfinite(high):
        raise ValueError(f"need 0 < low < high, got low={low!r}, high={high!r}")
    num = check_int(num, "num", minimum=2)
    return np.logspace(math.log10(low), math.log10(high), int(num))
