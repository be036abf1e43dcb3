"""Gradient descent on the ridge loss, and the pictures of a two-weight problem.

``w_{k+1} = w_k − η ∇L(w_k)`` with ``∇L(w) = (2/n)Xᵀ(Xw − y) + 2λw``. The loss is quadratic with
Hessian ``H = (2/n)XᵀX + 2λI``, so the iteration converges to the closed-form minimiser for every
start exactly when ``0 < η < 2 / λ_max(H)`` (:func:`max_stable_learning_rate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.checks import check_float_array, check_int, nonnegative_float
from engine.loss.ridge import ridge_solution


def _problem(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    xa = check_float_array(X, "X", (2,))
    try:
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"y must be numbers, got {y!r}") from None
    if ya.shape != (xa.shape[0],):
        raise ValueError(f"y must have shape ({xa.shape[0]},), got {ya.shape}")
    if not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        raise ValueError("X and y must be finite")
    return xa, ya


def max_stable_learning_rate(X: object, lam: float) -> float:
    """``2 / λ_max(H)`` with ``H = (2/n)XᵀX + 2λI``: larger learning rates diverge."""
    xa = check_float_array(X, "X", (2,))
    lam_v = nonnegative_float(lam, "lam")
    s_max = float(np.linalg.norm(xa, 2))
    top = 2.0 * s_max * s_max / xa.shape[0] + 2.0 * lam_v
    return math.inf if top == 0 else 2.0 / top


@dataclass(frozen=True)
class DescentPath:
    """The iterates of :func:`gradient_descent`.

    Attributes
    ----------
    weights
        ``(k + 1, d)``: the start and every iterate (fewer than ``steps + 1`` rows if it diverged).
    losses
        ``L(w_k)`` for each row of ``weights``.
    minimiser, min_loss
        The closed-form point ``(XᵀX + nλI)⁻¹Xᵀy`` (minimum-norm if not unique) and its loss.
    learning_rate, max_stable_rate
        η used, and ``2 / λ_max(H)``.
    diverged
        True if the loss grew past 1e12 × its start (or overflowed); iteration stopped there.
    """

    weights: np.ndarray
    losses: np.ndarray
    minimiser: np.ndarray
    min_loss: float
    learning_rate: float
    max_stable_rate: float
    diverged: bool

    @property
    def final_distance(self) -> float:
        """``‖w_last − w*‖₂``."""
        return float(np.linalg.norm(self.weights[-1] - self.minimiser))


def gradient_descent(
    X: object,
    y: object,
    lam: float,
    *,
    w0: object,
    learning_rate: float,
    steps: int,
) -> DescentPath:
    """Run ``steps`` iterations of ``w ← w − η[(2/n)Xᵀ(Xw − y) + 2λw]`` from ``w0``.

    Parameters
    ----------
    X, y
        Design matrix (n × d) and targets (n).
    lam
        λ ≥ 0 of the loss ``(1/n)‖Xw − y‖² + λ‖w‖²``.
    w0
        Start, length d.
    learning_rate
        η > 0.
    steps
        Number of updates, 0…100 000.
    """
    xa, ya = _problem(X, y)
    lam_v = nonnegative_float(lam, "lam")
    eta = nonnegative_float(learning_rate, "learning_rate")
    if eta == 0:
        raise ValueError("learning_rate must be > 0, got 0")
    steps = check_int(steps, "steps", minimum=0, maximum=100_000)
    w = np.array(w0, dtype=float)
    if w.shape != (xa.shape[1],) or not np.all(np.isfinite(w)):
        raise ValueError(f"w0 must be {xa.shape[1]} finite numbers, got {w0!r}")
    n = xa.shape[0]
    # Quadratic form: L(w) = wᵀAw − 2bᵀw + c with A = XᵀX/n + λI, b = Xᵀy/n, c = yᵀy/n.
    a = xa.T @ xa / n + lam_v * np.eye(xa.shape[1])
    b = xa.T @ ya / n
    c = float(ya @ ya / n)

    def loss(v: np.ndarray) -> float:
        return float(v @ a @ v - 2 * b @ v + c)

    weights = [w.copy()]
    losses = [loss(w)]
    limit = 1e12 * max(losses[0], 1.0)
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            w = w - eta * 2.0 * (a @ w - b)
            current = loss(w)
            if not math.isfinite(current) or current > limit or not np.all(np.isfinite(w)):
                diverged = True
                break
            weights.append(w.copy())
            losses.append(current)
    solution = ridge_solution(xa, ya, lam_v)
    return DescentPath(
        weights=np.asarray(weights),
        losses=np.asarray(losses),
        minimiser=solution.weights,
        min_loss=loss(solution.weights),
        learning_rate=eta,
        max_stable_rate=max_stable_learning_rate(xa, lam_v),
        diverged=diverged,
    )


def two_weight_problem(
    n: int = 40, *, correlation: float = 0.8, noise: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded two-feature regression ``y = Xw_true + noise`` with correlated features.

    The features have unit variance and correlation ``correlation`` (−0.99…0.99), so the loss
    contours are ellipses stretched along a diagonal — where plain gradient descent zig-zags.

    Returns
    -------
    X, y, w_true
        ``(n, 2)``, ``(n,)`` and the true weights ``[1.5, 1.0]``.
    """
    n = check_int(n, "n", minimum=2, maximum=10_000)
    rho = float(correlation)
    if not -0.99 <= rho <= 0.99:
        raise ValueError(f"correlation must be in −0.99…0.99, got {correlation!r}")
    sigma = nonnegative_float(noise, "noise")
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(int(seed))
    cov = np.array([[1.0, rho], [rho, 1.0]])
    X = rng.multivariate_normal(np.zeros(2), cov, size=int(n))
    w_true = np.array([1.5, 1.0])
    y = X @ w_true + sigma * rng.standard_normal(int(n))
    return X, y, w_true


def loss_grid(
    X: object,
    y: object,
    lam: float,
    w1: object,
    w2: object,
) -> np.ndarray:
    """``L(w)`` on a grid for a two-weight problem: ``out[i, j] = L([w1[j], w2[i]])``.

    Row index follows ``w2`` (the vertical axis), column index ``w1`` — a row-major image.
    """
    xa, ya = _problem(X, y)
    if xa.shape[1] != 2:
        raise ValueError(f"loss_grid needs exactly 2 features, X has {xa.shape[1]}")
    lam_v = nonnegative_float(lam, "lam")
    g1 = np.asarray(w1, dtype=float)
    g2 = np.asarray(w2, dtype=float)
    if g1.ndim != 1 or g2.ndim != 1 or g1.size < 2 or g2.size < 2:
        raise ValueError("w1 and w2 must be 1-D grids of at least 2 values")
    n = xa.shape[0]
    a = xa.T @ xa / n
    b = xa.T @ ya / n
    c = float(ya @ ya / n)
    W1, W2 = np.meshgrid(g1, g2)
    quad = a[0, 0] * W1**2 + 2 * a[0, 1] * W1 * W2 + a[1, 1] * W2**2
    return quad - 2 * (b[0] * W1 + b[1] * W2) + c + lam_v * (W1**2 + W2**2)


def l1_constrained_minimum(X: object, y: object, radius: float) -> np.ndarray:
    """Minimiser of ``(1/n)‖Xw − y‖²`` over the diamond ``|w₁| + |w₂| ≤ radius`` (2 weights).

    If the unconstrained least-squares point lies inside it is returned; otherwise the best point
    on the four edges (each a 1-D quadratic, minimised exactly on its segment). This is the lasso
    solution in its constrained form; it often lands on a corner, where one weight is exactly 0.
    """
    xa, ya = _problem(X, y)
    if xa.shape[1] != 2:
        raise ValueError(f"l1_constrained_minimum needs 2 features, X has {xa.shape[1]}")
    r = nonnegative_float(radius, "radius")
    n = xa.shape[0]
    a = xa.T @ xa / n
    b = xa.T @ ya / n
    unconstrained = ridge_solution(xa, ya, 0.0).weights
    if np.abs(unconstrained).sum() <= r:
        return unconstrained
    corners = [np.array(p, dtype=float) * r for p in ((1, 0), (0, 1), (-1, 0), (0, -1))]
    best, best_loss = corners[0], math.inf
    for k in range(4):
        p, q = corners[k], corners[(k + 1) % 4]
        d = q - p
        # f(t) = (p + td)ᵀA(p + td) − 2bᵀ(p + td): minimum at t = (bᵀd − pᵀAd) / dᵀAd.
        curvature = float(d @ a @ d)
        t = float(b @ d - p @ a @ d) / curvature if curvature > 0 else 0.0
        for cand_t in (0.0, 1.0, min(1.0, max(0.0, t))):
            w = p + cand_t * d
            value = float(w @ a @ w - 2 * b @ w)
            if value < best_loss:
                best, best_loss = w, value
    return best
