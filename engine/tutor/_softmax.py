"""Check softmax probabilities, the softmax Jacobian and the cross-entropy gradient."""

from __future__ import annotations

import numpy as np

from engine.loss.softmax import cross_entropy_grad, softmax, softmax_jacobian, target_vector
from engine.text import format_short as _fmt
from engine.tutor._diagnosis import (
    Alternative,
    Diagnosis,
    Precision,
    as_answer_array,
    diagnose_array,
)


def _logits(z: object) -> np.ndarray:
    try:
        arr = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"z must be numbers, got {z!r}") from None
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"z must be a 1-D vector of at least 2 logits, got {z!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"z must be finite, got {arr.tolist()!r}")
    return arr


def _vector_answer(answer: object, size: int) -> np.ndarray:
    arr = as_answer_array(answer)
    # a row or column typed as a matrix is the same vector
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"answer must be a vector of {size} numbers, got shape {arr.shape}")
    return arr


def _raw_exp(z: np.ndarray) -> np.ndarray:
    """``e^z`` as a student computes it (no max subtracted); inf where it overflows."""
    with np.errstate(over="ignore"):
        return np.exp(z)


def diagnose_softmax(z: object, answer: object, *, decimals: int = 3) -> Diagnosis:
    """Check probabilities ``ŷ = softmax(z)`` and name the slip.

    Codes: ``no_normalisation`` (``e^{z}`` not divided by the sum), ``linear_normalisation``
    (``z/Σz``), ``log_softmax`` (``log ŷ``), ``arithmetic``, ``wrong_shape``,
    ``unexplained``. Right within one unit of the ``decimals``-th decimal.

    Raises
    ------
    ValueError
        Naming ``z`` or ``answer``.
    """
    za = _logits(z)
    p = softmax(za)
    ans = _vector_answer(answer, za.size)
    e = _raw_exp(za)
    alts = [
        Alternative("no_normalisation", e, "e^{zₖ} without dividing by Σⱼ e^{zⱼ}"),
        Alternative("log_softmax", np.log(p), "log ŷ (log-softmax)"),
    ]
    if za.sum() != 0:
        alts.append(Alternative("linear_normalisation", za / za.sum(), "zₖ / Σⱼ zⱼ (no exp)"))
    task = "softmax is ŷₖ = e^{zₖ} / Σⱼ e^{zⱼ}"

    def work(cell: tuple[int, int]) -> str:
        k = cell[1]
        return f"e^{_fmt(za[k])} / {_fmt(float(e.sum()))} = {_fmt(p[k])}"

    return diagnose_array(
        ans,
        p,
        alts,
        precision=Precision(decimals=decimals),
        noun="probabilities",
        task=task,
        work=work,
    )


def diagnose_softmax_jacobian(z: object, answer: object, *, decimals: int = 3) -> Diagnosis:
    """Check the softmax Jacobian ``J_ij = ∂ŷᵢ/∂zⱼ = ŷᵢ(δᵢⱼ − ŷⱼ)`` and name the slip.

    Parameters
    ----------
    z
        The logits (1-D, at least 2).
    answer
        The user's K×K matrix (array or text).
    decimals
        Right within one unit of this decimal.

    Returns
    -------
    Diagnosis
        Codes: ``quotient_rule_slip`` (the diagonal with the sheet's step-4 slip
        ``e^{zᵢ}(1 − e^{zᵢ})`` in place of ``e^{zᵢ}(Σₖe^{zₖ} − e^{zᵢ})``, over ``(Σₖe^{zₖ})²``
        or over ``Σₖe^{zₖ}``), ``diagonal_only`` (off-diagonal entries left 0),
        ``sign_off_diagonal`` (``+ŷᵢŷⱼ``), ``missing_delta`` (``−ŷᵢŷⱼ`` on the diagonal too),
        ``repeated_index`` (``ŷᵢ(δᵢⱼ − ŷᵢ)``), ``transposed`` (the transpose of an asymmetric
        slip — the true Jacobian is symmetric, so a transposed right answer *is* right),
        ``sign``, ``arithmetic`` (each wrong entry with its formula), ``wrong_shape``,
        ``unexplained``.

    Raises
    ------
    ValueError
        Naming ``z`` or ``answer``.
    """
    za = _logits(z)
    p = softmax(za)
    jac = softmax_jacobian(za)
    ans = as_answer_array(answer)
    e = _raw_exp(za)
    total = float(e.sum())
    eye = np.eye(za.size)
    alts = []
    for denominator, what in ((total**2, "(Σₖe^{zₖ})²"), (total, "Σₖe^{zₖ}")):
        slip = jac.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            np.fill_diagonal(slip, e * (1 - e) / denominator)
        alts.append(
            Alternative(
                "quotient_rule_slip",
                slip,
                f"the diagonal e^{{zᵢ}}(1 − e^{{zᵢ}}) / {what}",
                "the quotient rule gives e^{zᵢ}(Σₖe^{zₖ} − e^{zᵢ}) / (Σₖe^{zₖ})² = ŷᵢ(1 − ŷᵢ) "
                "on the diagonal",
            )
        )
    alts.append(
        Alternative(
            "diagonal_only",
            np.diag(p * (1 - p)),
            "the diagonal ŷᵢ(1 − ŷᵢ) alone",
            "off the diagonal ∂ŷᵢ/∂zⱼ = −ŷᵢŷⱼ, not 0",
        )
    )
    alts.append(
        Alternative(
            "sign_off_diagonal",
            np.diag(p) + np.outer(p, p) - 2 * np.diag(p * p),
            "+ŷᵢŷⱼ off the diagonal",
            "off the diagonal ∂ŷᵢ/∂zⱼ = −ŷᵢŷⱼ",
        )
    )
    alts.append(
        Alternative(
            "missing_delta",
            -np.outer(p, p),
            "−ŷᵢŷⱼ everywhere (the δᵢⱼ term forgotten)",
            "J = diag(ŷ) − ŷŷᵀ",
        )
    )
    repeated = p[:, None] * (eye - p[:, None])
    alts.append(
        Alternative("repeated_index", repeated, "ŷᵢ(δᵢⱼ − ŷᵢ)", "the entry is ŷᵢ(δᵢⱼ − ŷⱼ)")
    )
    alts.append(
        Alternative(
            "transposed",
            repeated.T,
            "ŷⱼ(δᵢⱼ − ŷⱼ), the transpose of ŷᵢ(δᵢⱼ − ŷᵢ)",
            "row i holds ∂ŷᵢ/∂zⱼ = ŷᵢ(δᵢⱼ − ŷⱼ)",
        )
    )
    alts.append(Alternative("sign", -jac, "the right Jacobian with every sign flipped", ""))
    task = "Jᵢⱼ = ∂ŷᵢ/∂zⱼ = ŷᵢ(δᵢⱼ − ŷⱼ)"

    def work(cell: tuple[int, int]) -> str:
        i, j = cell
        if i == j:
            return f"ŷ{i}(1 − ŷ{i}) = {_fmt(p[i])}·(1 − {_fmt(p[i])}) = {_fmt(jac[i, i])}"
        return f"−ŷ{i}ŷ{j} = −{_fmt(p[i])}·{_fmt(p[j])} = {_fmt(jac[i, j])}"

    return diagnose_array(
        ans,
        jac,
        alts,
        precision=Precision(decimals=decimals),
        noun="Jacobian",
        task=task,
        work=work,
    )


def diagnose_cross_entropy_grad(
    z: object, y: object, answer: object, *, decimals: int = 3
) -> Diagnosis:
    """Check ``∂L/∂z = ŷ − y`` for ``L = −Σₖ yₖ log softmax(z)ₖ`` and name the slip.

    Parameters
    ----------
    z
        Logits (1-D, at least 2).
    y
        Class index (0-based) or a label vector summing to 1.
    answer
        The user's gradient vector.

    Returns
    -------
    Diagnosis
        Codes: ``forgot_softmax`` (``z − y``), ``sign`` (``y − ŷ``), ``one_hot_only``
        (only the target entry ``ŷₜ − 1``, the others left 0), ``forgot_target`` (``ŷ``),
        ``wrt_probabilities`` (``−y/ŷ``, the gradient with respect to ŷ), ``arithmetic``,
        ``wrong_shape``, ``unexplained``.

    Raises
    ------
    ValueError
        Naming ``z``, ``y`` or ``answer``.
    """
    za = _logits(z)
    target = target_vector(y, za.size)
    p = softmax(za)
    grad = cross_entropy_grad(za, target)
    ans = _vector_answer(answer, za.size)
    alts = [
        Alternative("forgot_softmax", za - target, "z − y (the logits, not ŷ = softmax(z))"),
        Alternative("sign", target - p, "y − ŷ (the sign flipped)"),
        Alternative(
            "one_hot_only",
            np.where(target > 0, grad, 0.0),
            "ŷ − y in the target entries only",
            "every class's logit gets ŷₖ − yₖ, also where yₖ = 0",
        ),
        Alternative("forgot_target", p, "ŷ (y not subtracted)"),
        Alternative(
            "wrt_probabilities",
            -target / p,
            "−y/ŷ, the gradient with respect to ŷ",
            "the chain rule through softmax turns −y/ŷ into ŷ − y",
        ),
    ]
    task = "∂L/∂z = ŷ − y with ŷ = softmax(z)"

    def work(cell: tuple[int, int]) -> str:
        k = cell[1]
        return f"ŷ{k} − y{k} = {_fmt(p[k])} − {_fmt(target[k])} = {_fmt(grad[k])}"

    return diagnose_array(
        ans,
        grad,
        alts,
        precision=Precision(decimals=decimals),
        noun="gradient",
        task=task,
        work=work,
    )
