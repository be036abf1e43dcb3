"""Softmax, its Jacobian, cross-entropy and its gradient — numerically stable everywhere.

Every function works on one vector of logits ``z`` (``softmax`` and ``log_softmax`` also accept a
batch along the last axis). Stability comes from two identities:

* ``softmax(z) = softmax(z - max z)``: the largest exponent is ``e^0 = 1``, so logits of ±1000
  neither overflow nor give ``0/0``;
* ``-log softmax(z)_k = logsumexp(z) - z_k``: the loss from logits never takes ``log 0``.
"""

from __future__ import annotations

import re

import numpy as np

from engine.checks import check_int, nonnegative_float
from engine.numbers import NumberExpressionError, evaluate_number

#: How far a probability or soft-label vector may sum away from 1 and still be accepted.
SUM_TOLERANCE = 1e-6


def _logits(z: object, name: str = "z", *, batch: bool = False) -> np.ndarray:
    """``z`` as a float array of finite logits (1-D, or ≥ 1-D with ``batch``)."""
    try:
        arr = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {z!r}") from None
    if arr.ndim == 0 or (arr.ndim != 1 and not batch):
        raise ValueError(f"{name} must be a 1-D vector of logits, got shape {arr.shape}")
    if arr.shape[-1] < 1:
        raise ValueError(f"{name} must have at least one entry, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()!r}")
    return arr


def _temperature(temperature: object) -> float:
    return nonnegative_float(temperature, "temperature", strictly_positive=True)


def _scaled(z: np.ndarray, t: float) -> np.ndarray:
    """``z/T − max(z/T)`` along the last axis: every entry ≤ 0, the largest exactly 0.

    ``z/T`` overflows for a tiny ``T`` (``1e10/1e-300``) and ``inf − inf`` is NaN, so then the
    maximum is subtracted *before* dividing: ``(z − max z)/T`` is −∞ only where the true value is
    below −1.8e308, i.e. where the probability is 0 in every float.
    """
    with np.errstate(over="ignore"):
        s = z / t
    with np.errstate(over="ignore"):  # a spread beyond ±1.8e308 gives −∞: probability 0
        if np.all(np.isfinite(s)):
            return s - np.max(s, axis=-1, keepdims=True)
        return (z - np.max(z, axis=-1, keepdims=True)) / t


def _finite_or_temperature_error(values: np.ndarray, t: float, what: str) -> np.ndarray:
    """``values`` if finite, else a ``ValueError`` naming ``temperature`` (it was too small)."""
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"temperature = {t!r} is too small for these logits: {what} would be infinite in "
            "float64; use a larger temperature"
        )
    return values


def log_softmax(z: object, *, temperature: float = 1.0) -> np.ndarray:
    """``log softmax(z/T)`` along the last axis, as ``s − log Σ e^s`` with ``s = z/T − max``.

    Finite for any finite logits (no ``log 0``), e.g. ``[1000, 0, -1000]``.
    """
    t = _temperature(temperature)
    s = _finite_or_temperature_error(
        _scaled(_logits(z, batch=True), t), t, "(z − max z)/T and so log-probabilities"
    )
    return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))


def softmax(z: object, *, temperature: float = 1.0) -> np.ndarray:
    """Probabilities ``ŷ_k = e^{z_k/T} / Σ_j e^{z_j/T}`` along the last axis.

    Parameters
    ----------
    z
        Logits: a 1-D vector, or a batch with classes along the last axis. Must be finite.
    temperature
        ``T > 0``; large ``T`` flattens the distribution, small ``T`` sharpens it.

    Notes
    -----
    The maximum is subtracted before exponentiating (the result is unchanged), so logits of ±1000
    give ``[1, 0, 0]`` rather than NaN. Entries can underflow to exactly 0; they still sum to 1.
    Any positive temperature works: ``softmax([1e10, 0], temperature=1e-300)`` is ``[1, 0]``.
    """
    e = np.exp(_scaled(_logits(z, batch=True), _temperature(temperature)))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_jacobian(z: object, *, temperature: float = 1.0) -> np.ndarray:
    """The Jacobian ``J_ij = ∂ŷ_i/∂z_j = ŷ_i(δ_ij − ŷ_j) / T`` of :func:`softmax` (K×K).

    Equivalently ``(diag(ŷ) − ŷŷᵀ) / T``: symmetric, each row and column sums to 0.
    """
    p = softmax(_logits(z), temperature=temperature)
    t = _temperature(temperature)
    with np.errstate(over="ignore"):
        jacobian = (np.diag(p) - np.outer(p, p)) / t
    return _finite_or_temperature_error(jacobian, t, "the Jacobian (… / T)")


def target_vector(y: object, n_classes: int) -> np.ndarray:
    """A target as a probability vector of length ``n_classes``.

    Parameters
    ----------
    y
        A class index (``int``, 0-based) → one-hot vector; or a soft-label vector of length
        ``n_classes`` with entries ≥ 0 that sum to 1 (within :data:`SUM_TOLERANCE`).

    Raises
    ------
    ValueError
        Index out of range, wrong length, negative / non-finite entries, or a sum that is not 1.
    """
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    if isinstance(y, (bool, np.bool_)):
        raise ValueError(f"y must be a class index or a label vector, got {y!r}")
    if isinstance(y, (int, np.integer)):
        if not 0 <= int(y) < n_classes:
            raise ValueError(f"class index y must be in 0…{n_classes - 1}, got {y!r}")
        out = np.zeros(n_classes)
        out[int(y)] = 1.0
        return out
    try:
        arr = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"y must be a class index or a label vector, got {y!r}") from None
    if arr.ndim != 1:
        raise ValueError(
            f"y must be an integer class index or a 1-D label vector, got {y!r} (shape {arr.shape})"
        )
    if arr.size != n_classes:
        raise ValueError(f"label vector y must have {n_classes} entries, got {arr.size}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"label vector y must have finite entries ≥ 0, got {arr.tolist()!r}")
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"label vector y must sum to 1, but its entries sum to {total:.6g}")
    return arr.copy()


def _probabilities(p: object) -> np.ndarray:
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"p must be numbers, got {p!r}") from None
    if arr.ndim != 1 or arr.size < 1:
        raise ValueError(f"p must be a non-empty 1-D probability vector, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"p must have finite entries in [0, 1], got {arr.tolist()!r}")
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"p must sum to 1, but its entries sum to {total:.6g}")
    return arr


def cross_entropy(y: object, p: object) -> float:
    """Cross-entropy ``L = −Σ_k y_k log p_k`` of probabilities ``p`` against target ``y``.

    Parameters
    ----------
    y
        Class index or soft-label vector (see :func:`target_vector`).
    p
        Probabilities (entries in [0, 1] summing to 1), e.g. from :func:`softmax`.

    Notes
    -----
    Terms with ``y_k = 0`` are skipped (``0 · log 0 = 0``), so ``p_k = 0`` there is fine.

    Raises
    ------
    ValueError
        Bad ``y`` or ``p``, or ``p_k = 0`` where ``y_k > 0`` (the loss would be +∞; compute it from
        logits with :func:`cross_entropy_from_logits`, which is always finite).
    """
    prob = _probabilities(p)
    target = target_vector(y, prob.size)
    used = target > 0
    zero = used & (prob == 0)
    if np.any(zero):
        k = int(np.flatnonzero(zero)[0])
        raise ValueError(
            f"p[{k}] = 0 where the target y[{k}] = {target[k]:.6g} > 0: the cross-entropy is "
            "infinite; use cross_entropy_from_logits(z, y), which is finite for finite logits"
        )
    return float(-np.sum(target[used] * np.log(prob[used]))) + 0.0  # no −0.0


def cross_entropy_from_logits(z: object, y: object, *, temperature: float = 1.0) -> float:
    """``−Σ_k y_k log softmax(z/T)_k = logsumexp(z/T) − Σ_k y_k z_k/T`` (since ``Σ_k y_k = 1``).

    Finite for any finite logits, e.g. target class at logit −1000 and another at +1000 gives 2000.
    """
    logp = log_softmax(_logits(z), temperature=temperature)
    target = target_vector(y, logp.size)
    used = target > 0
    return float(-np.sum(target[used] * logp[used])) + 0.0  # no −0.0


def cross_entropy_grad(z: object, y: object, *, temperature: float = 1.0) -> np.ndarray:
    """Gradient of :func:`cross_entropy_from_logits` w.r.t. ``z``: ``(softmax(z/T) − y) / T``.

    With ``T = 1`` this is the familiar ``ŷ − y``; it uses ``Σ_k y_k = 1``.
    """
    p = softmax(_logits(z), temperature=temperature)
    t = _temperature(temperature)
    with np.errstate(over="ignore"):
        grad = (p - target_vector(y, p.size)) / t
    return _finite_or_temperature_error(grad, t, "the gradient (ŷ − y)/T")


def logit_sweep(
    z: object, y: object, index: int, values: object, *, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Loss and its slope as logit ``z[index]`` is swept through ``values`` (others fixed).

    Returns
    -------
    losses, slopes
        ``L(z with z_index = v)`` and ``∂L/∂z_index = (ŷ_index − y_index)/T`` for each ``v``.
    """
    base = _logits(z)
    index = check_int(index, "index", minimum=0, maximum=base.size - 1)
    vals = _logits(values, "values")
    target = target_vector(y, base.size)
    t = _temperature(temperature)
    batch = np.repeat(base[None, :], vals.size, axis=0)
    batch[:, int(index)] = vals
    logp = log_softmax(batch, temperature=t)
    used = target > 0
    losses = -np.sum(target[used] * logp[:, used], axis=1)
    slopes = (np.exp(logp[:, int(index)]) - target[int(index)]) / t
    return losses, slopes


_SPLIT = re.compile(r"[\s,;]+")


def parse_vector(text: str, *, name: str = "vector") -> np.ndarray:
    """Parse ``"0.7, 0.2 0.1"`` (commas, semicolons or spaces) into finite floats.

    Each entry is read by the project's one number grammar (:func:`engine.numbers.
    evaluate_number`): the Unicode minus ``−``, fractions such as ``1/3`` and arithmetic without
    spaces (``1/10``, ``2^-3``, ``e^-1``) are accepted, within ±:data:`engine.numbers.
    MAX_MAGNITUDE`; ``nan``, ``inf``, ``1_000`` and empty input are refused with a message
    naming the bad entry (1-based).
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text, got {text!r}")
    tokens = [t for t in _SPLIT.split(text.strip()) if t]
    if not tokens:
        raise ValueError(f"{name} is empty: type numbers separated by commas or spaces")
    values = []
    for position, token in enumerate(tokens, start=1):
        values.append(_parse_token(token, f"{name} entry {position}"))
    return np.asarray(values, dtype=float)


def _parse_token(token: str, where: str) -> float:
    try:
        return float(evaluate_number(token, name=where))
    except NumberExpressionError as exc:
        if exc.kind == "syntax":
            raise ValueError(f"{where}: {token!r} is not a number: {exc.reason}") from None
        if exc.kind == "range":
            raise ValueError(
                f"{where}: {token!r} is not finite or too large: {exc.reason}"
            ) from None
        raise ValueError(f"{where}: {token!r} {exc.reason}") from None
