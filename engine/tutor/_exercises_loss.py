"""Generators for the softmax-Jacobian, cross-entropy-gradient and ridge exercises."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from engine.loss.softmax import cross_entropy_grad, softmax, softmax_jacobian
from engine.tutor._exercise import Exercise, ints, make_exercise
from engine.tutor._render import Block, Math, Matrix, Text


def _f(value: float, digits: int = 3) -> str:
    text = f"{float(value):.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "\u2212")


def _vec(values: object, digits: int = 3) -> str:
    return "[" + ", ".join(_f(v, digits) for v in np.ravel(np.asarray(values, float))) + "]"


def _tex(text: str) -> str:
    """A Unicode number list as LaTeX math (ASCII minus)."""
    return text.replace("\u2212", "-")


def _ivec(values: np.ndarray) -> str:
    return "[" + ", ".join(str(int(v)).replace("-", "\u2212") for v in np.ravel(values)) + "]"


def softmax_exercise(topic: str, seed: int, difficulty: int, rng: np.random.Generator) -> Exercise:
    """ŷ = softmax(z) and J = ∂ŷ/∂z for 2–4 small integer logits."""
    size = difficulty + 1
    while True:
        z = ints(rng, -2, 2 + (difficulty > 1), (size,))
        if len(set(z.tolist())) > 1:  # equal logits make every entry the same: too easy
            break
    p = softmax(z)
    jac = softmax_jacobian(z)
    e = np.exp(z.astype(float))
    question = (
        f"For the logits z = {_ivec(z)}, compute the probabilities ŷ = softmax(z) and the "
        "Jacobian J with Jᵢⱼ = ∂ŷᵢ/∂zⱼ. Give J to 3 decimals."
    )
    solution: list[Block] = [
        Math(
            f"e^z = {_vec(e)}, Σₖ e^(zₖ) = {_f(e.sum())}",
            f"e^{{z}} = {_tex(_vec(e))},\\quad \\sum_k e^{{z_k}} = {_f(e.sum())}",
        ),
        Math(
            f"ŷ = e^z / Σₖ e^(zₖ) = {_vec(p)}",
            f"\\hat{{y}} = e^{{z}} / \\sum_k e^{{z_k}} = {_tex(_vec(p))}",
        ),
        Text("Quotient rule, on the diagonal and off it:"),
        Math(
            "∂ŷᵢ/∂zᵢ = e^(zᵢ)(Σₖ e^(zₖ) − e^(zᵢ)) / (Σₖ e^(zₖ))² = ŷᵢ(1 − ŷᵢ)",
            "\\frac{\\partial \\hat{y}_i}{\\partial z_i} = "
            "\\frac{e^{z_i}\\left(\\sum_k e^{z_k} - e^{z_i}\\right)}"
            "{\\left(\\sum_k e^{z_k}\\right)^2}"
            " = \\hat{y}_i(1 - \\hat{y}_i)",
        ),
        Math(
            "∂ŷᵢ/∂zⱼ = −e^(zᵢ)e^(zⱼ) / (Σₖ e^(zₖ))² = −ŷᵢŷⱼ  (i ≠ j)",
            "\\frac{\\partial \\hat{y}_i}{\\partial z_j} = "
            "-\\frac{e^{z_i} e^{z_j}}{\\left(\\sum_k e^{z_k}\\right)^2} = -\\hat{y}_i \\hat{y}_j"
            " \\quad (i \\neq j)",
        ),
    ]
    for i in range(size):
        solution.append(Math(f"J[{i},{i}] = {_f(p[i])}·(1 − {_f(p[i])}) = {_f(jac[i, i])}"))
    for i in range(size):
        for j in range(size):
            if i < j:
                solution.append(
                    Math(f"J[{i},{j}] = J[{j},{i}] = −{_f(p[i])}·{_f(p[j])} = {_f(jac[i, j])}")
                )
    solution.append(Text("J is symmetric and each row sums to 0."))
    solution.append(Matrix("J ≈", np.round(jac, 3)))
    answer_text = "J ≈ " + "; ".join(_vec(row) for row in jac)
    return make_exercise(
        topic, seed, difficulty, question, {"z": z}, jac, answer_text, decimals=3, solution=solution
    )


def cross_entropy_exercise(
    topic: str, seed: int, difficulty: int, rng: np.random.Generator
) -> Exercise:
    """∂L/∂z = ŷ − y for small integer logits and a class index (soft labels at level 3)."""
    size = difficulty + 2
    z = ints(rng, -2, 3, (size,))
    y: int | np.ndarray
    if difficulty < 3:
        y = int(rng.integers(0, size))
        target = np.eye(size)[y]
        y_text = f"the true class is {y} (0-based), i.e. y = {_ivec(target)}"
    else:
        target = np.zeros(size)
        picks = rng.choice(size, 2, replace=False)
        target[picks[0]], target[picks[1]] = 0.75, 0.25
        y = target
        y_text = f"the soft label is y = {_vec(target, 2)}"
    p = softmax(z)
    grad = cross_entropy_grad(z, y)
    question = (
        f"The logits are z = {_ivec(z)} and {y_text}. For L = −Σₖ yₖ log ŷₖ with "
        "ŷ = softmax(z), compute the gradient ∂L/∂z to 3 decimals."
    )
    solution: list[Block] = [
        Math(f"ŷ = softmax(z) = {_vec(p)}"),
        Text("With Σₖ yₖ = 1 the chain rule through softmax gives ∂L/∂z = ŷ − y."),
        Math(f"∂L/∂z = ŷ − y = {_vec(p)} − {_vec(target, 2)}"),
        Math(f"∂L/∂z = {_vec(grad)}"),
    ]
    answer_text = f"∂L/∂z ≈ {_vec(grad)}"
    return make_exercise(
        topic, seed, difficulty, question, {"z": z, "y": y}, grad, answer_text,
        decimals=3, solution=solution,
    )  # fmt: skip


def _solve_exact(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Gauss–Jordan elimination in exact fractions (a is small and non-singular)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if m[r][col] != 0)
        m[col], m[pivot] = m[pivot], m[col]
        m[col] = [v / m[col][col] for v in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                factor = m[r][col]
                m[r] = [v - factor * w for v, w in zip(m[r], m[col], strict=True)]
    return [m[i][n] for i in range(n)]


def _frac(value: Fraction) -> str:
    text = str(value)
    return text.replace("-", "\u2212")


def ridge_exercise(topic: str, seed: int, difficulty: int, rng: np.random.Generator) -> Exercise:
    """w = (XᵀX + nλI)⁻¹Xᵀy with small integers and a simple λ; the answer is exact."""
    lam = Fraction(1, int(rng.choice([1, 2, 3, 4])))
    if difficulty == 1:
        n, d = 3, 1
        X = ints(rng, 1, 3, (n, 1))
    elif difficulty == 2:
        n, d = 3, 2
        while True:
            X = ints(rng, -1, 3, (n, d))
            if np.linalg.matrix_rank(X) == d:
                break
    else:
        n, d = 4, 2
        X = np.column_stack([np.ones(n, dtype=np.int64), ints(rng, -2, 3, (n,))])
    y = ints(rng, -2, 4, (n,))
    gram = [[Fraction(int(v)) for v in row] for row in (X.T @ X)]
    for i in range(d):
        gram[i][i] += n * lam
    rhs = [Fraction(int(v)) for v in X.T @ y]
    w = _solve_exact(gram, rhs)
    answer = np.array([float(v) for v in w])
    lam_text = _frac(lam)
    intercept = "; the first column of X is the intercept" if difficulty == 3 else ""
    question = (
        f"Ridge regression minimises L(w) = (1/n)‖Xw − y‖² + λ‖w‖². For the data below "
        f"(n = {n}){intercept} and λ = {lam_text}, compute the minimiser w in closed form "
        "(exact fractions or 3 decimals)."
    )
    gram_values = np.array([[float(v) for v in row] for row in gram])
    solution: list[Block] = [
        Text(
            "Setting ∇L = (2/n)Xᵀ(Xw − y) + 2λw to 0 gives (XᵀX + nλI)w = Xᵀy, so "
            "w = (XᵀX + nλI)⁻¹Xᵀy — no w on the right-hand side, and λ multiplied by n."
        ),
        Matrix("XᵀX =", X.T @ X),
        Matrix(f"XᵀX + nλI (nλ = {_frac(n * lam)}) =", gram_values),
        Matrix("Xᵀy =", X.T @ y),
        Math(
            "w = [" + ", ".join(_frac(v) for v in w) + "] ≈ " + _vec(answer),
        ),
    ]
    return make_exercise(
        topic,
        seed,
        difficulty,
        question,
        {"X": X, "y": y, "lam": float(lam)},
        answer,
        "w = [" + ", ".join(_frac(v) for v in w) + "] ≈ " + _vec(answer),
        decimals=3,
        data=(Matrix("X =", X), Matrix("y =", y)),
        solution=solution,
    )
