"""Step-by-step derivations (HTML) with the user's current numbers substituted.

Plain strings, no Qt: the GUI shows them in a rich-text view and tests read them directly.
"""

from __future__ import annotations

import html
import math

import numpy as np

from engine.loss.ridge import ridge_solution
from engine.loss.softmax import (
    cross_entropy_from_logits,
    cross_entropy_grad,
    softmax,
    softmax_jacobian,
    target_vector,
)
from engine.text import format_short as fmt
from engine.text import format_vector as fmt_vector

#: Warnings are marked with a class; the GUI colours them from its theme (no colours here).
_WARN = 'class="warning"'


def _exp(argument: str) -> str:
    """``exp(argument)``: an exponent with a subscript (e^s_k) renders unreadably small."""
    return f"exp({argument})"


def _sum_text(values: np.ndarray, scale: float, digits: int = 3) -> str:
    """The sum of ``values``, or ``0`` when it is float rounding noise (e.g. a Jacobian row
    that sums to 2.78e−17 instead of exactly 0). ``scale`` is the size of the numbers the
    terms were computed from (a term p(1 − p) carries an error of about eps·p, not eps·p(1 − p))."""
    terms = np.asarray(values, dtype=float).ravel()
    total = float(terms.sum())
    size = max(float(np.abs(terms).sum()), abs(scale))
    noise = 16 * terms.size * np.finfo(float).eps * size
    return "0" if abs(total) <= noise else fmt(total, digits)


def _matrix_table(m: np.ndarray) -> str:
    rows = "".join(
        "<tr>" + "".join(f'<td align="right">&nbsp;{fmt(v)}&nbsp;</td>' for v in row) + "</tr>"
        for row in m
    )
    return f'<table style="font-family: monospace" cellspacing="0" border="1">{rows}</table>'


def _step(number: int, title: str, body: str) -> str:
    return f"<h3>Step {number}. {html.escape(title)}</h3>{body}"


def softmax_derivation_html(z: object, y: object, *, temperature: float = 1.0) -> str:
    """Softmax, its Jacobian (quotient rule) and the cross-entropy gradient, with numbers.

    Parameters
    ----------
    z
        Logits (1-D, finite).
    y
        Class index or soft-label vector (see :func:`engine.loss.softmax.target_vector`).
    temperature
        ``T > 0``; the derivation is written for ``s = z/T``.
    """
    p = softmax(z, temperature=temperature)
    zt = np.asarray(z, dtype=float)
    t = float(temperature)
    target = target_vector(y, p.size)
    s = zt / t
    m = float(s.max())
    shifted = np.exp(s - m)
    total = float(shifted.sum())
    jac = softmax_jacobian(zt, temperature=t)
    grad = cross_entropy_grad(zt, y, temperature=t)
    loss = cross_entropy_from_logits(zt, y, temperature=t)
    i, j = 0, 1 if p.size > 1 else 0
    # With T = 1 the formulas use the sheet's z; otherwise the scaled logits s = z/T.
    v = "z" if t == 1 else "s"

    def e(sub: str, extra: str = "") -> str:
        return _exp(f"{v}<sub>{sub}</sub>{extra}")

    parts = []
    t_note = (
        f"With temperature T = {fmt(t)} every formula below uses the scaled logits "
        f"s = z/T = {fmt_vector(s)}; by the chain rule each derivative picks up a factor 1/T."
        if t != 1
        else "Temperature T = 1, so the logits z are used as they are."
    )
    parts.append(
        _step(
            1,
            "Softmax, computed stably",
            f"<p>ŷ<sub>k</sub> = {e('k')} / Σ<sub>j</sub> {e('j')}. {t_note}</p>"
            f"<p>Subtract the maximum m = {fmt(m)} first (the ratio is unchanged, and no "
            f"exponent overflows):<br>{e('k', ' − m')} = {fmt_vector(shifted)}, "
            f"sum = {fmt(total)}<br>ŷ = {fmt_vector(p)} (sum {fmt(p.sum(), 6)})</p>",
        )
    )
    # The slip is only computable when e^{s_1} itself is representable.
    if float(np.max(np.abs(s))) < 300:
        e1 = math.exp(float(s[0]))
        full_sum = float(np.exp(s).sum())
        slip_value = fmt(e1 * (1 - e1) / full_sum**2)
        slip = (
            f" (here S = {fmt(full_sum)}); with your numbers the slip would give {slip_value} "
            f"instead of {fmt(p[0] * (1 - p[0]))}"
        )
    else:
        slip = f" (here S overflows a float; only the ratios {_exp(v + ' − m')} are computed)"
    parts.append(
        _step(
            2,
            "Jacobian by the quotient rule",
            f"<p>Write S = Σ<sub>k</sub> {e('k')}, so ŷ<sub>i</sub> = "
            f"{e('i')}/S and ∂S/∂{v}<sub>j</sub> = {e('j')}. "
            "The quotient rule gives<br>"
            f"∂ŷ<sub>i</sub>/∂{v}<sub>j</sub> = (δ<sub>ij</sub> {e('i')}·S − "
            f"{e('i')}·{e('j')}) / S².</p>"
            f"<p><b>Diagonal (i = j):</b> the numerator is {e('i')}(S − "
            f"{e('i')}), so ∂ŷ<sub>i</sub>/∂{v}<sub>i</sub> = ŷ<sub>i</sub>(1 − "
            f"ŷ<sub>i</sub>). For i = 0: {fmt(p[0])}·(1 − {fmt(p[0])}) = {fmt(p[0] * (1 - p[0]))}."
            "</p>"
            f"<p {_WARN}><b>Classic slip:</b> the numerator is {e('i')}"
            f"(Σ<sub>k</sub>{e('k')} − {e('i')}), "
            f"<i>not</i> {e('i')}(1 − {e('i')}): "
            f"the denominator S = Σ<sub>k</sub>{e('k')} is not 1{slip}.</p>"
            "<p><b>Off-diagonal (i ≠ j):</b> only the second term survives: "
            f"∂ŷ<sub>i</sub>/∂{v}<sub>j</sub> = −ŷ<sub>i</sub>ŷ<sub>j</sub>. "
            f"For i = {i}, j = {j}: −{fmt(p[i])}·{fmt(p[j])} = {fmt(-p[i] * p[j])}.</p>"
            "<p>Together: J<sub>ij</sub> = ŷ<sub>i</sub>(δ<sub>ij</sub> − ŷ<sub>j</sub>), "
            "J = diag(ŷ) − ŷŷ<sup>T</sup>"
            + (f", times 1/T = {fmt(1 / t)}" if t != 1 else "")
            + f". Each row sums to 0 (Σ<sub>j</sub>ŷ<sub>j</sub> = 1): row 0 sums to "
            f"{_sum_text(jac[0], 2 * float(p[0]) / t)}.</p>"
            + (f"<p>J =</p>{_matrix_table(jac)}" if p.size <= 6 else ""),
        )
    )
    used = np.flatnonzero(target > 0)
    terms = " + ".join(f"{fmt(target[k])}·log {fmt(p[k])}" for k in used[:6])
    if used.size > 6:
        terms += " + …"
    parts.append(
        _step(
            3,
            "Cross-entropy",
            "<p>L = −Σ<sub>k</sub> y<sub>k</sub> log ŷ<sub>k</sub>, with target y = "
            f"{fmt_vector(target)}. Terms with y<sub>k</sub> = 0 drop out (0·log 0 = 0).<br>"
            f"L = −({terms}) = <b>{fmt(loss, 6)}</b></p>"
            f"<p>Because log ŷ<sub>k</sub> = {v}<sub>k</sub> − log Σ<sub>j</sub>{e('j')}, "
            f"the loss is computed as log-sum-exp({v}) − Σ<sub>k</sub>y<sub>k</sub>"
            f"{v}<sub>k</sub>: finite even when some ŷ<sub>k</sub> underflows to 0.</p>",
        )
    )
    parts.append(
        _step(
            4,
            "Gradient with respect to the logits",
            f"<p>∂L/∂{v}<sub>j</sub> = −Σ<sub>k</sub> y<sub>k</sub> (1/ŷ<sub>k</sub>) "
            f"∂ŷ<sub>k</sub>/∂{v}<sub>j</sub> = −Σ<sub>k</sub> y<sub>k</sub>(δ<sub>kj</sub> − "
            "ŷ<sub>j</sub>) = −y<sub>j</sub> + ŷ<sub>j</sub> Σ<sub>k</sub> y<sub>k</sub>.</p>"
            f"<p {_WARN}><b>Do not skip:</b> the last step uses Σ<sub>k</sub> y<sub>k</sub> = 1 "
            f"(your target sums to {fmt(target.sum(), 6)}); only then is the gradient "
            "ŷ<sub>j</sub> − y<sub>j</sub>.</p>"
            f"<p>∂L/∂z = (ŷ − y){' / T' if t != 1 else ''} = {fmt_vector(grad)}</p>",
        )
    )
    return "".join(parts)


def ridge_derivation_html(X: object, y: object, lam: float, *, features: str | None = None) -> str:
    """The closed form of ridge regression, derived step by step with the current numbers.

    Parameters
    ----------
    X, y, lam
        As for :func:`engine.loss.ridge.ridge_solution` (the design matrix actually fitted).
    features
        Optional HTML describing a row of X (e.g. the polynomial features), shown in step 1.
    """
    sol = ridge_solution(X, y, lam)
    xa = np.asarray(X, dtype=float)
    ya = np.asarray(y, dtype=float)
    n, d = xa.shape
    w = sol.weights
    n_lam = n * sol.lam
    gradient_max = float(np.max(np.abs(2 / n * xa.T @ (xa @ w - ya) + 2 * sol.lam * w)))
    parts = [
        _step(
            1,
            "The loss",
            f"<p>L(w) = (1/n)‖Xw − y‖² + λ‖w‖² with n = {n} samples, d = {d} weights, "
            f"λ = {fmt(sol.lam)}.{' Each row of X is ' + features + '.' if features else ''} "
            "Every weight is penalised, the intercept w<sub>0</sub> included.</p>",
        ),
        _step(
            2,
            "Its gradient",
            "<p>∇L(w) = (2/n)X<sup>T</sup>(Xw − y) + 2λw.</p>",
        ),
        _step(
            3,
            "Set the gradient to zero",
            "<p>Multiply by n/2: X<sup>T</sup>Xw − X<sup>T</sup>y + nλw = 0, so<br>"
            "<b>(X<sup>T</sup>X + nλI) w = X<sup>T</sup>y</b>, "
            f"here with nλ = {n} · {fmt(sol.lam)} = {fmt(n_lam)}.</p>",
        ),
    ]
    if d <= 6:
        a = xa.T @ xa + n_lam * np.eye(d)
        parts.append(
            "<p>X<sup>T</sup>X + nλI =</p>"
            + _matrix_table(a)
            + f"<p>X<sup>T</sup>y = {fmt_vector(xa.T @ ya)}</p>"
        )
    if sol.is_unique:
        uniqueness = (
            "For λ &gt; 0 the matrix X<sup>T</sup>X + nλI is positive definite (every "
            "eigenvalue ≥ nλ &gt; 0), so it is invertible and the minimiser is unique:"
            if sol.lam > 0
            else f"For λ = 0 this needs X<sup>T</sup>X invertible; X has full rank {sol.rank}, so:"
        )
    else:
        uniqueness = (
            f"<span {_WARN}>λ = 0 and X has rank {sol.rank} &lt; {d}: X<sup>T</sup>X is "
            "singular and there are infinitely many minimisers; shown is the minimum-norm one "
            "(pseudo-inverse).</span>"
        )
    parts.append(
        _step(
            4,
            "Solve",
            f"<p>{uniqueness}<br><b>w = (X<sup>T</sup>X + nλI)<sup>−1</sup>X<sup>T</sup>y</b> "
            f"= {fmt_vector(w)}</p>"
            f"<p>Check: the gradient at this w is at most {fmt(gradient_max, 2)} in size.</p>"
            "<p>Numerically we never form the inverse (nor X<sup>T</sup>X): with the SVD X = "
            "USV<sup>T</sup>, w = V diag(s<sub>i</sub>/(s<sub>i</sub>² + nλ)) U<sup>T</sup>y. "
            f"Singular values of X: {fmt_vector(sol.singular_values[:8], 3)}"
            f"{' …' if sol.singular_values.size > 8 else ''}; cond(X<sup>T</sup>X + nλI) = "
            f"{fmt(sol.condition, 3) if math.isfinite(sol.condition) else '∞'}.</p>",
        )
    )
    if sol.lam > 0:
        fixed_point = xa.T @ (ya - xa @ w) / n_lam
        check = (
            f"At the solution both sides agree — (1/(λn))X<sup>T</sup>(y − Xw) = "
            f"{fmt_vector(fixed_point)} — but you need w to evaluate the right-hand side."
        )
    else:
        check = "With λ = 0 it cannot even be written (division by λn = 0)."
    parts.append(
        _step(
            5,
            "A tempting non-answer",
            "<p>Rearranging λnw = X<sup>T</sup>(y − Xw) gives "
            f"<span {_WARN}><b>w = (1/(λn))X<sup>T</sup>(y − Xw)</b>, which is <i>not</i> a "
            "closed form: w appears on both sides.</span> It is a fixed-point equation (it says "
            "w is a combination of the data rows, the start of the kernel/dual view). "
            f"{check}</p>",
        )
    )
    if sol.warning:
        parts.append(f"<p {_WARN}><b>Note:</b> {html.escape(sol.warning)}</p>")
    return "".join(parts)
