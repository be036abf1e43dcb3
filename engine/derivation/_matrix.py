"""Ridge derivations: read trees evaluated on small random matrices with numpy.

X (n × d), y (n × 1), w (d × 1), λ, n and I (an identity that takes the size it is added to)
are concrete random data; L is the topic's loss (1/n)‖Xw − y‖² + λ‖w‖², ∇_w L and ∂L/∂w its
gradient, ∂(…)/∂w of anything else a central difference (exact for quadratics up to rounding).
Two data sets of different shapes catch transposes in the wrong place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine.derivation._limits import MAX_INTEGER_EXPONENT
from engine.derivation._reader import Node
from engine.derivation._tokens import ReadError

_KNOWN = "X, y, w, λ, n, d, I and L"


class ShapeError(ReadError):
    """Matrix shapes that do not fit (a product, a sum, an inverse)."""


@dataclass(frozen=True)
class Data:
    """One random ridge problem (``n_value`` is what the letter n means; 1 tests 'missing n')."""

    X: np.ndarray
    y: np.ndarray
    lam: float
    n_value: float

    @property
    def d(self) -> int:
        """Number of features."""
        return int(self.X.shape[1])

    def loss(self, w: np.ndarray) -> float:
        """The topic's loss (1/n)‖Xw − y‖² + λ‖w‖² at ``w``."""
        r = self.X @ w - self.y
        return float((r.T @ r).item() / self.n_value + self.lam * (w.T @ w).item())

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """(2/n)Xᵀ(Xw − y) + 2λw."""
        return 2.0 / self.n_value * self.X.T @ (self.X @ w - self.y) + 2.0 * self.lam * w

    def solution(self) -> np.ndarray:
        """(XᵀX + nλI)⁻¹Xᵀy."""
        a = self.X.T @ self.X + self.n_value * self.lam * np.eye(self.d)
        return np.linalg.solve(a, self.X.T @ self.y)

    def changed(self, **values: float) -> Data:
        """The same data with ``lam`` or ``n_value`` (what the letter n means) changed."""
        lam = values.get("lam", self.lam)
        return replace(self, lam=lam, n_value=values.get("n_value", self.n_value))


def make_data() -> list[Data]:
    """Two fixed random problems: 6 × 3 and 7 × 2."""
    rng = np.random.default_rng(20261208)
    out = []
    for n, d in ((6, 3), (7, 2)):
        X = rng.normal(size=(n, d))
        y = rng.normal(size=(n, 1))
        out.append(Data(X, y, float(rng.uniform(0.3, 1.5)), float(n)))
    return out


class Eye:
    """``scale · I`` of whatever size it meets."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale


Value = float | np.ndarray | Eye


def _scalar(v: Value) -> float | None:
    if isinstance(v, float):
        return v
    if isinstance(v, np.ndarray) and v.shape == (1, 1):
        return float(v[0, 0])
    return None


def _shape(v: Value) -> str:
    if isinstance(v, np.ndarray):
        return f"{v.shape[0]}×{v.shape[1]}"
    return "I" if isinstance(v, Eye) else "a number"


def add(a: Value, b: Value, pos: int) -> Value:
    """a + b with shape checks (0 adds to anything; I takes the size of a square matrix)."""
    sa, sb = _scalar(a), _scalar(b)
    if sa is not None and sb is not None:
        return sa + sb
    if sa == 0.0:
        return b
    if sb == 0.0:
        return a
    if isinstance(a, Eye) and isinstance(b, Eye):
        return Eye(a.scale + b.scale)
    if isinstance(a, Eye):
        a, b = b, a
    if isinstance(b, Eye) and isinstance(a, np.ndarray) and a.shape[0] == a.shape[1]:
        return a + b.scale * np.eye(a.shape[0])
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape:
        return a + b
    raise ShapeError(f"cannot add {_shape(a)} and {_shape(b)}", pos)


def mul(a: Value, b: Value, pos: int) -> Value:
    """a · b: a number times anything, else a matrix product with fitting shapes."""
    sa, sb = _scalar(a), _scalar(b)
    if sa is not None and sb is not None:
        return sa * sb
    if sa is not None:
        return Eye(sa * b.scale) if isinstance(b, Eye) else sa * b
    if sb is not None:
        return Eye(sb * a.scale) if isinstance(a, Eye) else sb * a
    if isinstance(a, Eye):
        return Eye(a.scale * b.scale) if isinstance(b, Eye) else a.scale * b
    if isinstance(b, Eye):
        return b.scale * a
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        raise ShapeError("cannot multiply these", pos)
    if a.shape[1] != b.shape[0]:
        raise ShapeError(f"shapes do not fit: ({_shape(a)})·({_shape(b)})", pos)
    out = a @ b
    return float(out[0, 0]) if out.shape == (1, 1) else out


def power(a: Value, k: float, pos: int) -> Value:
    """a^k: numbers, inverses (k = −1) and integer powers of square matrices."""
    s = _scalar(a)
    if s is not None:
        return float(np.power(s, k)) if s != 0 or k > 0 else float("inf")
    if k != int(k) or abs(k) > 8:
        raise ShapeError(f"a matrix to the power {k:g}", pos)
    if isinstance(a, Eye):
        return Eye(a.scale**k) if a.scale != 0 else Eye(float("inf"))
    if not isinstance(a, np.ndarray) or a.shape[0] != a.shape[1]:
        raise ShapeError(f"a {_shape(a)} matrix has no power {k:g} (only square ones do)", pos)
    if k < 0 and np.linalg.cond(a) > 1e12:
        raise ShapeError("the matrix is singular: it has no inverse", pos)
    return np.linalg.matrix_power(a if k > 0 else np.linalg.inv(a), int(abs(k)))


def value(node: Node, data: Data, w: np.ndarray) -> Value:
    """The value of ``node`` for the problem ``data`` at ``w``.

    Raises
    ------
    ReadError
        For a name the ridge topic does not know; :class:`ShapeError` for shapes that do
        not fit.
    """
    kind = node.kind
    if kind == "num":
        return float(str(node.value))
    if kind == "name":
        return _name(node, data, w)
    if kind in ("grad", "deriv"):
        return _gradient(node, data, w)
    args = [value(c, data, w) for c in node.children]
    if kind == "add":
        out = args[0]
        for a in args[1:]:
            out = add(out, a, node.pos)
        return out
    if kind == "neg":
        return mul(-1.0, args[0], node.pos)
    if kind == "mul":
        return mul(args[0], args[1], node.pos)
    if kind == "div":
        s = _scalar(args[1])
        if s is None:
            raise ShapeError("divide by a number only (use ^{-1} for an inverse)", node.pos)
        return mul(args[0], 1.0 / s if s != 0 else float("inf"), node.pos)
    if kind == "pow":
        k = _scalar(args[1])
        if k is None:
            raise ShapeError("an exponent must be a number", node.pos)
        if abs(k) > MAX_INTEGER_EXPONENT:
            raise ReadError(f"an exponent larger than {MAX_INTEGER_EXPONENT}", node.pos)
        return power(args[0], k, node.pos)
    if kind == "transpose":
        a = args[0]
        return a.T if isinstance(a, np.ndarray) else a
    if kind == "norm":
        a = args[0]
        if isinstance(a, Eye):
            raise ShapeError("the norm of I needs its size", node.pos)
        return float(np.sqrt(np.sum(np.square(a))))
    if kind == "func":
        s = _scalar(args[0])
        if s is None:
            raise ShapeError(f"{node.value} of a matrix", node.pos)
        with np.errstate(all="ignore"):
            return float({"exp": np.exp, "log": np.log, "sqrt": np.sqrt}[str(node.value)](s))
    if kind == "sum":
        raise ReadError("write the ridge loss with matrices (‖Xw − y‖²), not a sum", node.pos)
    raise ReadError(f"{kind} has no meaning in the ridge topic", node.pos)


def _name(node: Node, data: Data, w: np.ndarray) -> Value:
    base, indices, _ = node.value
    if indices:
        raise ReadError(f"{base}_{''.join(indices)}: the ridge topic uses whole matrices", node.pos)
    table: dict[str, Value] = {
        "X": data.X, "y": data.y, "w": w, "what": w, "lambda": data.lam,
        "n": data.n_value, "d": float(data.d), "I": Eye(), "L": data.loss(w),
    }  # fmt: skip
    if base not in table:
        raise ReadError(f"unknown name {base!r}: the ridge topic knows {_KNOWN}", node.pos)
    return table[base]


def _gradient(node: Node, data: Data, w: np.ndarray) -> np.ndarray:
    if node.kind == "grad":
        (what,), variable = node.children, node.value or "w"
    else:
        what, var_node = node.children
        variable = var_node.value[0] if var_node.kind == "name" else "?"
    if variable not in ("w", "what"):
        raise ReadError("differentiate with respect to w", node.pos)
    if what.kind == "name" and what.value[0] == "L":
        return data.gradient(w)
    out = np.zeros_like(w)
    h = 1e-4
    for i in range(w.shape[0]):
        step = np.zeros_like(w)
        step[i, 0] = h
        hi, lo = _scalar(value(what, data, w + step)), _scalar(value(what, data, w - step))
        if hi is None or lo is None:
            raise ShapeError("∂/∂w of something that is not a number", node.pos)
        out[i, 0] = (hi - lo) / (2 * h)
    return out
