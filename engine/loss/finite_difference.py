"""Central-difference derivatives, to check analytic gradients and Jacobians numerically.

``f'(x) ≈ (f(x + h) − f(x − h)) / 2h`` has truncation error O(h²) and rounding error O(ε/h);
``h = step · max(1, |x_i|)`` with the default ``step = 1e-6`` balances the two for smooth
functions of size ~1 (errors ≈ 1e-9), and scales with large inputs such as logits of ±1000.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.checks import check_float_array, nonnegative_float


def numerical_jacobian(
    f: Callable[[np.ndarray], object], x: object, *, step: float = 1e-6
) -> np.ndarray:
    """Central-difference Jacobian ``J_ij ≈ ∂f_i/∂x_j`` of ``f: ℝⁿ → ℝᵐ`` at ``x`` (m×n).

    Parameters
    ----------
    f
        Maps a 1-D float array to a scalar or a 1-D array (called ``2n`` times on copies of ``x``).
    x
        The point (1-D, finite).
    step
        Relative step: component ``j`` moves by ``±step · max(1, |x_j|)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, n)``; ``m = 1`` when ``f`` returns a scalar.
    """
    x0 = check_float_array(x, "x")
    h_rel = nonnegative_float(step, "step", strictly_positive=True)
    columns = []
    for j in range(x0.size):
        h = h_rel * max(1.0, abs(float(x0[j])))
        plus = x0.copy()
        minus = x0.copy()
        plus[j] += h
        minus[j] -= h
        # The step actually taken (x + h may round); dividing by it keeps the estimate unbiased.
        width = plus[j] - minus[j]
        f_plus = np.atleast_1d(np.asarray(f(plus), dtype=float))
        f_minus = np.atleast_1d(np.asarray(f(minus), dtype=float))
        if f_plus.ndim != 1 or f_plus.shape != f_minus.shape:
            raise ValueError(f"f must return a scalar or a 1-D array, got shape {f_plus.shape}")
        columns.append((f_plus - f_minus) / width)
    return np.stack(columns, axis=1)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: object, *, step: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f: ℝⁿ → ℝ`` at ``x`` (length n).

    See :func:`numerical_jacobian` for ``step``.

    Raises
    ------
    ValueError
        If ``f`` does not return a scalar.
    """
    jac = numerical_jacobian(f, x, step=step)
    if jac.shape[0] != 1:
        raise ValueError(f"f must return a scalar, got {jac.shape[0]} values")
    return jac[0]


def max_abs_error(a: object, b: object) -> float:
    """``max |a − b|`` over all entries (0.0 for empty arrays); shapes must match."""
    arr_a = np.asarray(a, dtype=float)
    arr_b = np.asarray(b, dtype=float)
    if arr_a.shape != arr_b.shape:
        raise ValueError(f"shapes differ: {arr_a.shape} vs {arr_b.shape}")
    if arr_a.size == 0:
        return 0.0
    return float(np.max(np.abs(arr_a - arr_b)))
