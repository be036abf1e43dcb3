"""Check a ridge closed-form answer for ``L = (1/n)‖Xw − y‖² + λ‖w‖²``."""

from __future__ import annotations

import numpy as np

from engine.checks import nonnegative_float
from engine.loss.ridge import ridge_fit, ridge_solution
from engine.text import format_number
from engine.tutor._diagnosis import Alternative, Diagnosis, Precision, diagnose_array
from engine.tutor._softmax import _vector_answer


def _design(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    try:
        xa = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"X must be numbers, got {X!r}") from None
    try:
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"y must be numbers, got {y!r}") from None
    if xa.ndim == 1:
        xa = xa[:, None]
    if xa.ndim != 2 or xa.size == 0 or not np.all(np.isfinite(xa)):
        raise ValueError(f"X must be a finite n × d matrix, got {X!r}")
    if ya.shape != (xa.shape[0],) or not np.all(np.isfinite(ya)):
        raise ValueError(f"y must be {xa.shape[0]} finite numbers (one per row of X), got {y!r}")
    return xa, ya


def _solve(xa: np.ndarray, ya: np.ndarray, shift: float) -> np.ndarray | None:
    """``(XᵀX + shift·I)⁻¹Xᵀy`` or ``None`` when singular (least squares without a unique w)."""
    if shift > 0:
        return ridge_fit(xa, ya, shift / xa.shape[0])
    solution = ridge_solution(xa, ya, 0.0)
    return solution.weights if solution.is_unique else None


def diagnose_ridge(
    X: object, y: object, lam: float, answer: object, *, decimals: int = 3
) -> Diagnosis:
    """Check the ridge weights ``w = (XᵀX + nλI)⁻¹Xᵀy`` and name the slip.

    The loss is the sheet's ``L(w) = (1/n)‖Xw − y‖² + λ‖w‖²``: its gradient
    ``(2/n)Xᵀ(Xw − y) + 2λw`` vanishes at ``(XᵀX + nλI)w = Xᵀy``.

    Parameters
    ----------
    X, y
        Design matrix (n × d, or a 1-D single feature) and targets (n).
    lam
        λ ≥ 0.
    answer
        The user's weights (d numbers; a fraction like ``3/7`` is read exactly).
    decimals
        Right within one unit of this decimal.

    Returns
    -------
    Diagnosis
        Codes: ``lambda_without_n`` (``(XᵀX + λI)⁻¹Xᵀy``), ``no_regularisation`` (least
        squares), ``half_lambda`` (``nλ/2``: the 2 of ``2λw`` lost), ``double_lambda``
        (``2nλ``: the 2 of the data term lost), ``lambda_over_n`` (``λ/n``), ``arithmetic``,
        ``wrong_shape``, ``unexplained``.

    Raises
    ------
    ValueError
        Naming ``X``, ``y``, ``lam`` or ``answer``; or when λ = 0 and ``XᵀX`` is singular.
    """
    xa, ya = _design(X, y)
    value = nonnegative_float(lam, "lam")
    n = xa.shape[0]
    expected = ridge_fit(xa, ya, value)
    ans = _vector_answer(answer, xa.shape[1])
    task = f"with L = (1/n)‖Xw − y‖² + λ‖w‖² the weights are (XᵀX + nλI)⁻¹Xᵀy, here n = {n}"
    variants = [
        ("lambda_without_n", value, "(XᵀX + λI)⁻¹Xᵀy — λ without the factor n —"),
        ("no_regularisation", 0.0, "least squares (XᵀX)⁻¹Xᵀy — λ dropped —"),
        ("half_lambda", n * value / 2, "(XᵀX + nλ/2·I)⁻¹Xᵀy — the 2 of 2λw lost —"),
        ("double_lambda", 2 * n * value, "(XᵀX + 2nλI)⁻¹Xᵀy — the 2 of (2/n)Xᵀ(Xw − y) lost —"),
        ("lambda_over_n", value / n, "(XᵀX + (λ/n)I)⁻¹Xᵀy — λ divided by n —"),
    ]
    alts = []
    for code, shift, what in variants:
        w = _solve(xa, ya, shift)
        if w is not None:
            alts.append(Alternative(code, w, what))
    gram = xa.T @ xa + n * value * np.eye(xa.shape[1])
    rhs = xa.T @ ya

    def work(cell: tuple[int, int]) -> str:
        k = cell[1]
        return (
            f"w{k} = [(XᵀX + nλI)⁻¹Xᵀy]{k} with XᵀX + nλI = {_compact(gram)}, Xᵀy = {_compact(rhs)}"
        )

    return diagnose_array(
        ans,
        expected,
        alts,
        precision=Precision(decimals=decimals),
        noun="weights",
        task=task,
        work=work,
    )


def _compact(values: np.ndarray) -> str:
    """``[[36.5, 49], [49, 70.5]]`` on one line, 4 significant digits, Unicode minus."""
    if values.ndim == 1:
        return "[" + ", ".join(format_number(float(f"{v:.4g}")) for v in values) + "]"
    return "[" + ", ".join(_compact(row) for row in values) + "]"
