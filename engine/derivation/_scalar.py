"""Scalar derivations (softmax, cross-entropy): read trees → sympy objects → numbers.

Every sum is expanded over K = 4 classes and every free index gets concrete values (the cases
i = j and i ≠ j), so a line becomes a handful of ordinary sympy expressions in z_1…z_4 and
y_1…y_4, built only through constructors (``Symbol``, ``Add``, ``Mul``, ``Pow``, ``exp``,
``log``) and differentiated with ``sympy.diff``. Two expressions are compared at many random
points with numpy (overflow turns into inf/NaN under ``errstate`` and is reported, not raised),
in three worlds: general labels, labels with Σ_k y_k = 1, and logits with Σ_k e^{z_k} = 1 (the
last names the quotient-rule slip).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import sympy

from engine.derivation._limits import K_CLASSES, MAX_INTEGER_EXPONENT, MAX_OPERATIONS
from engine.derivation._reader import INDEX_LETTERS, Node, walk
from engine.derivation._tokens import ReadError

#: Random points per comparison.
POINTS = 24
#: Relative tolerance of a numeric comparison.
TOLERANCE = 1e-8
WORLDS = ("general", "sum_y_one", "sum_exp_one")


def free_indices(node: Node, bound: frozenset[str] = frozenset()) -> set[str]:
    """Index letters used under ``node`` that no enclosing sum binds."""
    found: set[str] = set()
    if node.kind == "name":
        found |= {i for i in node.value[1] if i in INDEX_LETTERS and i not in bound}
    elif node.kind == "sum":
        index, excluded, _ = node.value
        found |= {i for i in excluded if i not in bound}
        return found | free_indices(node.children[0], bound | {index})
    for child in node.children:
        found |= free_indices(child, bound)
    return found


def rename_indices(node: Node, mapping: dict[str, str]) -> Node:
    """``node`` with index letters renamed (``{'j': 'i'}``); sums keep their own index."""
    if node.kind == "name":
        base, indices, mark = node.value
        new = tuple(mapping.get(i, i) for i in indices)
        return Node("name", value=(base, new, mark), pos=node.pos)
    if node.kind == "sum":
        inner = {k: v for k, v in mapping.items() if k != node.value[0]}
        index, excluded, upper = node.value
        value = (index, tuple(inner.get(e, e) for e in excluded), upper)
        return Node("sum", (rename_indices(node.children[0], inner),), value, node.pos)
    children = tuple(rename_indices(c, mapping) for c in node.children)
    return Node(node.kind, children, node.value, node.pos)


def index_cases(letters: set[str]) -> tuple[list[dict[str, int]], list[bool]]:
    """Concrete values for the free indices, and for each case whether all indices are equal."""
    names = sorted(letters)
    if not names:
        return [{}], [True]
    if len(names) == 1:
        return [{names[0]: 1}, {names[0]: 3}], [True, True]
    if len(names) == 2:
        pairs = [(1, 1), (3, 3), (1, 2), (3, 1), (2, 4)]
        return [dict(zip(names, p, strict=False)) for p in pairs], [p[0] == p[1] for p in pairs]
    cases = [dict(zip(names, p, strict=False)) for p in product((1, 2), repeat=len(names))]
    return cases, [len(set(c.values())) == 1 for c in cases]


@dataclass
class ScalarWorld:
    """Builds sympy expressions from read trees and evaluates them at random points."""

    default_index: str | None = None
    k: int = K_CLASSES
    _free: dict[str, sympy.Symbol] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.z = [sympy.Symbol(f"z{m}", real=True) for m in range(1, self.k + 1)]
        self.y = [sympy.Symbol(f"y{m}", real=True) for m in range(1, self.k + 1)]
        self.total = sympy.Add(*[sympy.exp(s) for s in self.z])
        self.p = [sympy.Symbol(f"p{m}", positive=True) for m in range(1, self.k + 1)]
        self._softmax = [sympy.Mul(sympy.exp(s), sympy.Pow(self.total, -1)) for s in self.z]
        self._outputs = False  # inside ∂…/∂ŷ_k: ŷ_k are variables of their own
        self._points = {w: self._make_points(w) for w in WORLDS}

    # -- building -----------------------------------------------------------------------------
    def build(self, node: Node, binding: dict[str, int]) -> sympy.Expr:
        """The sympy expression of ``node`` with free indices set by ``binding``.

        Raises
        ------
        ReadError
            For a name the topic does not know, an index without a value, an exponent beyond
            :data:`MAX_INTEGER_EXPONENT`, or an expression too large to compare.
        """
        expr = self._build(node, binding)
        if sympy.count_ops(expr) > MAX_OPERATIONS:
            raise ReadError("the expression is too large to compare", node.pos)
        return expr

    def _index(self, text: str, binding: dict[str, int], pos: int) -> int:
        if text.isdigit():
            value = int(text)
        elif text in binding:
            value = binding[text]
        else:
            raise ReadError(f"the index {text} has no value here", pos)
        if not 1 <= value <= self.k:
            raise ReadError(f"the index {text} = {value} is outside 1…K", pos)
        return value

    def _name(self, node: Node, binding: dict[str, int]) -> sympy.Expr:
        base, indices, _ = node.value
        if base in INDEX_LETTERS and not indices:
            raise ReadError(f"{base} is an index, not a number", node.pos)
        if base == "e" and not indices:
            return sympy.E
        if base == "K" and not indices:
            return sympy.Integer(self.k)
        if base == "delta":
            if len(indices) != 2:
                raise ReadError("δ takes two indices, as in δ_ij", node.pos)
            a, b = (self._index(i, binding, node.pos) for i in indices)
            return sympy.Integer(1 if a == b else 0)
        if base == "L" and not indices and self._outputs:
            return -sympy.Add(*[yk * sympy.log(pk) for yk, pk in zip(self.y, self.p, strict=True)])
        if base == "L" and not indices:
            log_total = sympy.log(self.total)
            return -sympy.Add(
                *[yk * (zk - log_total) for yk, zk in zip(self.y, self.z, strict=False)]
            )
        if base in ("z", "y", "yhat"):
            if not indices and self.default_index is not None:
                indices = (self.default_index,)
            if len(indices) != 1:
                raise ReadError(f"{_spell(base)} needs one index, as in {_spell(base)}_i", node.pos)
            m = self._index(indices[0], binding, node.pos) - 1
            if base == "z":
                return self.z[m]
            if base == "y":
                return self.y[m]
            return self.p[m] if self._outputs else self._softmax[m]
        if base in ("X", "w", "lambda", "L", "I"):
            raise ReadError(f"{_spell(base)} belongs to the ridge topic", node.pos)
        suffix = "".join(str(self._index(i, binding, node.pos)) for i in indices)
        key = base + suffix
        if key not in self._free:
            self._free[key] = sympy.Symbol(f"_{key}", positive=True)
        return self._free[key]

    def _build(self, node: Node, binding: dict[str, int]) -> sympy.Expr:
        kind = node.kind
        if kind == "num":
            text = str(node.value)
            if "." in text:
                whole, frac = text.split(".")
                return sympy.Rational(int(whole + frac), 10 ** len(frac))
            return sympy.Integer(int(text))
        if kind == "name":
            return self._name(node, binding)
        if kind == "deriv":
            return self._derivative(node, binding)
        parts = [self._build(c, binding) for c in node.children] if kind != "sum" else []
        if kind == "add":
            return sympy.Add(*parts)
        if kind == "neg":
            return sympy.Mul(sympy.Integer(-1), parts[0])
        if kind == "mul":
            return sympy.Mul(parts[0], parts[1])
        if kind == "div":
            if parts[1] == 0:
                raise ReadError("division by zero", node.pos)
            return sympy.Mul(parts[0], sympy.Pow(parts[1], -1))
        if kind == "pow":
            base, exponent = parts
            if exponent.is_Number and abs(exponent) > MAX_INTEGER_EXPONENT:
                raise ReadError(f"an exponent larger than {MAX_INTEGER_EXPONENT}", node.pos)
            return sympy.Pow(base, exponent)
        if kind == "func":
            function = {"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt}[str(node.value)]
            return function(parts[0])
        if kind == "sum":
            return self._sum(node, binding)
        if kind == "transpose":
            raise ReadError("a transpose belongs to the ridge topic", node.pos)
        raise ReadError(f"{_spell(kind)} has no meaning in this topic", node.pos)

    def _derivative(self, node: Node, binding: dict[str, int]) -> sympy.Expr:
        """∂a/∂b for b a variable (z_j, a free letter) or a softmax output ŷ_k: then ŷ and L
        are read in the outputs p_1…p_K (L = −Σ y_k log p_k), differentiated, and p_k is put
        back as e^{z_k}/Σ_m e^{z_m} (the chain rule's ∂L/∂ŷ_k = −y_k/ŷ_k)."""
        what, variable = node.children
        by_output = variable.kind == "name" and variable.value[0] == "yhat"
        was, self._outputs = self._outputs, self._outputs or by_output
        try:
            top, var = self._build(what, binding), self._build(variable, binding)
        finally:
            self._outputs = was
        if not isinstance(var, sympy.Symbol) or var.name.startswith("y"):
            raise ReadError("differentiate with respect to a variable such as z_j", node.pos)
        out = sympy.diff(top, var)
        if by_output and not self._outputs:
            out = out.xreplace(dict(zip(self.p, self._softmax, strict=True)))
        return out

    def _sum(self, node: Node, binding: dict[str, int]) -> sympy.Expr:
        index, excluded, upper = node.value
        top = self.k
        if upper and upper not in ("K", "C", "n", "N"):
            if not upper.isdigit() or not 1 <= int(upper) <= self.k:
                raise ReadError(f"a sum runs up to K (= {self.k} here)", node.pos)
            top = int(upper)
        skip = {self._index(e, binding, node.pos) for e in excluded}
        terms = [
            self._build(node.children[0], {**binding, index: m})
            for m in range(1, top + 1)
            if m not in skip
        ]
        return sympy.Add(*terms)

    # -- numbers ------------------------------------------------------------------------------
    def _make_points(self, world: str) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(1234 + WORLDS.index(world))
        z = rng.uniform(-2.0, 2.0, (POINTS, self.k))
        y = rng.uniform(0.1, 1.0, (POINTS, self.k))
        if world == "sum_y_one":
            y = y / y.sum(axis=1, keepdims=True)
        if world == "sum_exp_one":
            p = rng.uniform(0.1, 1.0, (POINTS, self.k))
            z = np.log(p / p.sum(axis=1, keepdims=True))
        values = {s.name: z[:, m] for m, s in enumerate(self.z)}
        values.update({s.name: y[:, m] for m, s in enumerate(self.y)})
        return values

    def _symbol_values(self, symbol: sympy.Symbol, world: str) -> np.ndarray:
        points = self._points[world]
        if symbol.name not in points:
            seed = zlib.crc32(symbol.name.encode()) + WORLDS.index(world)
            points[symbol.name] = np.random.default_rng(seed).uniform(0.5, 2.0, POINTS)
        return points[symbol.name]

    def numbers(self, expr: sympy.Expr, world: str) -> np.ndarray:
        """``expr`` at the world's random points (inf/NaN where it overflows or is undefined)."""
        with np.errstate(all="ignore"):
            return np.broadcast_to(self._numbers(expr, world, {}), (POINTS,)).astype(float)

    def _numbers(self, expr: sympy.Basic, world: str, memo: dict) -> np.ndarray | float:
        if expr in memo:
            return memo[expr]
        if isinstance(expr, sympy.Symbol):
            out: np.ndarray | float = self._symbol_values(expr, world)
        elif expr.is_Number or expr.is_NumberSymbol:
            out = float(expr)
        elif isinstance(expr, sympy.Add):
            out = sum((self._numbers(a, world, memo) for a in expr.args), 0.0)
        elif isinstance(expr, sympy.Mul):
            out = 1.0
            for a in expr.args:
                out = out * self._numbers(a, world, memo)
        elif isinstance(expr, sympy.Pow):
            base = np.asarray(self._numbers(expr.args[0], world, memo), dtype=float)
            out = np.power(base, self._numbers(expr.args[1], world, memo))
        elif isinstance(expr, sympy.exp):
            out = np.exp(self._numbers(expr.args[0], world, memo))
        elif isinstance(expr, sympy.log):
            out = np.log(self._numbers(expr.args[0], world, memo))
        else:
            raise ReadError(f"cannot evaluate {type(expr).__name__}", None)
        memo[expr] = out
        return out

    def close(self, a: sympy.Expr, b: sympy.Expr, world: str) -> bool | None:
        """True when ``a`` and ``b`` agree at every point of ``world`` (None: no values)."""
        va, vb = self.numbers(a, world), self.numbers(b, world)
        fa, fb = np.isfinite(va), np.isfinite(vb)
        if np.count_nonzero(fa & fb) < POINTS // 2:
            return None
        if np.any(fa != fb):
            return False
        va, vb = va[fa], vb[fa]
        return bool(np.all(np.abs(va - vb) <= TOLERANCE * (1 + np.abs(va) + np.abs(vb))))

    def ratio(self, a: sympy.Expr, b: sympy.Expr) -> float | None:
        """The constant a / b when there is one at every general point, else None."""
        va, vb = self.numbers(a, "general"), self.numbers(b, "general")
        ok = np.isfinite(va) & np.isfinite(vb) & (np.abs(vb) > 1e-12)
        if np.count_nonzero(ok) < POINTS // 2:
            return None
        r = va[ok] / vb[ok]
        if np.all(np.abs(r - r[0]) <= 1e-7 * (1 + abs(r[0]))):
            return float(r[0])
        return None


def _spell(base: str) -> str:
    return {"yhat": "ŷ", "lambda": "λ", "delta": "δ", "grad": "∇", "norm": "a norm ‖…‖"}.get(
        base, base
    )


def uses(node: Node, bases: set[str]) -> bool:
    """True when a name with one of ``bases`` occurs under ``node``."""
    return any(n.kind == "name" and n.value[0] in bases for n in walk(node))
