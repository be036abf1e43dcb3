"""Line-by-line checks of a ridge derivation: identities in w, then equations for w.

A line's parts are compared in turn; a last pair that is not an identity (``… = 0``,
``XᵀXw + nλw = Xᵀy``, ``w = …``) is the line's equation for w. Equations are compared by
their solutions: each is affine in w, so r(w) = Mw + c is read off at w = 0 and the unit
vectors (and checked at a random w) and solved. A step from an expression to an equation is
'setting it to zero'. The last line reaches the target when it reads ``w = (w-free)`` with
that right side equal to the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.derivation._matrix import Data, ShapeError, add, make_data, mul, value
from engine.derivation._reader import Line, Node, walk
from engine.derivation._result import (
    DerivationFinding,
    Entry,
    StepCheck,
    dedupe_findings,
    step_check,
)
from engine.derivation._tokens import ReadError

_W = {"w", "what"}


@dataclass(frozen=True)
class Statement:
    """What a line says: an expression in w (``rhs`` None) or the equation ``lhs = rhs``."""

    lhs: Node
    rhs: Node | None = None


def _has_w(node: Node) -> bool:
    return any(
        n.kind in ("grad", "deriv") or (n.kind == "name" and n.value[0] in _W | {"L"})
        for n in walk(node)
    )


def _is_head(node: Node) -> bool:
    return any(
        n.kind in ("grad", "deriv") or (n.kind == "name" and n.value[0] == "L") for n in walk(node)
    )


def _is_bare_w(node: Node) -> bool:
    return node.kind == "name" and node.value[0] in _W


def _names(node: Node) -> set[str]:
    return {n.value[0] for n in walk(node) if n.kind == "name"}


class MatrixChecker:
    """Checks the entries of a ridge derivation against each other and a target."""

    def __init__(self, entries: list[Entry], target: Node | None) -> None:
        self.entries = entries
        self.target = target
        self.data = make_data()
        rng = np.random.default_rng(7)
        self.ws = {d.X.shape: [rng.normal(size=(d.d, 1)) for _ in range(3)] for d in self.data}
        self.last_step: int | None = None

    # -- comparisons --------------------------------------------------------------------------
    def _identical(self, a: Node, b: Node, datas: list[Data]) -> bool:
        for data in datas:
            for w in self.ws[data.X.shape]:
                va, vb = value(a, data, w), value(b, data, w)
                diff = add(va, mul(-1.0, vb, b.pos), b.pos)
                size = max(_norm(va), _norm(vb), 1.0)
                if not np.isfinite(_norm(diff)) or _norm(diff) > 1e-6 * size:
                    return False
        return True

    def _solve(self, stmt: Statement, data: Data) -> np.ndarray:
        rhs = stmt.rhs if stmt.rhs is not None else Node("num", value="0")

        def residual(w: np.ndarray) -> np.ndarray:
            r = add(value(stmt.lhs, data, w), mul(-1.0, value(rhs, data, w), 0), 0)
            if not isinstance(r, np.ndarray) or r.shape != (data.d, 1):
                raise ShapeError("not an equation for the vector w", stmt.lhs.pos)
            return r

        zero = np.zeros((data.d, 1))
        c = residual(zero)
        m = np.hstack([residual(np.eye(data.d)[:, [i]]) - c for i in range(data.d)])
        probe = self.ws[data.X.shape][0]
        if np.linalg.norm(residual(probe) - (m @ probe + c)) > 1e-6 * (1 + np.linalg.norm(c)):
            raise ShapeError("the equation is not linear in w", stmt.lhs.pos)
        if np.linalg.cond(m) > 1e10:
            raise ShapeError("the equation does not determine w (w cancels out)", stmt.lhs.pos)
        return np.linalg.solve(m, -c)

    def _solution_of(self, stmt: Statement, data: Data) -> np.ndarray:
        """The w a statement gives: an equation's solution, a w-free expression's value."""
        if stmt.rhs is None and not _has_w(stmt.lhs):
            v = value(stmt.lhs, data, np.zeros((data.d, 1)))
            if not isinstance(v, np.ndarray):
                raise ShapeError("a number, not a vector w", stmt.lhs.pos)
            return v
        return self._solve(stmt, data)

    def same(self, ref: Statement, cur: Statement, datas: list[Data] | None = None) -> bool:
        """True when ``cur`` follows from ``ref`` (equal expressions or equal solutions)."""
        datas = datas or self.data
        if ref.rhs is None and cur.rhs is None and (_has_w(ref.lhs) or _has_w(cur.lhs)):
            return self._identical(ref.lhs, cur.lhs, datas)
        for data in datas:
            a, b = self._solution_of(ref, data), self._solution_of(cur, data)
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9):
                return False
        return True

    def diagnose(self, ref: Statement, cur: Statement) -> tuple[str, str]:
        """Name the slip between two statements that differ (λ or n missing or wrong)."""

        def names(stmt: Statement) -> set[str]:
            return _names(stmt.lhs) | (_names(stmt.rhs) if stmt.rhs is not None else set())

        def agrees(**change: float) -> bool:
            try:
                return self.same(ref, cur, [d.changed(**change) for d in self.data])
            except (ShapeError, ReadError, np.linalg.LinAlgError):
                return False

        mine, theirs = names(cur), names(ref)
        if "n" in theirs and "n" not in mine and agrees(n_value=1.0):
            return "missing_n", "equal only if n were 1: the factor n is missing"
        if "lambda" in theirs and "lambda" not in mine:
            if agrees(lam=0.0):
                return "missing_lambda", "equal only if λ were 0: the λ term is missing"
            if agrees(lam=1.0):
                return "missing_lambda", "equal only if λ were 1: the letter λ is missing"
        if agrees(n_value=1.0):
            return "wrong_n_factor", "equal only if n were 1: the factor n is wrong"
        if agrees(lam=0.0):
            return "wrong_lambda_term", "the terms with λ are wrong (the rest agrees)"
        return "not_equal", "not equal for all data and w"

    # -- the walk over the lines --------------------------------------------------------------
    def run(self) -> tuple[list[StepCheck], list[DerivationFinding], bool | None, int | None]:
        """Check every entry: steps, findings, target reached, first wrong step."""
        steps: list[StepCheck] = []
        findings: list[DerivationFinding] = []
        prev: Statement | None = None
        prev_last: Node | None = None
        last_good: tuple[int, Statement] | None = None
        first_wrong: int | None = None
        for entry in self.entries:
            i = entry.index
            if not isinstance(entry.line, Line):
                message = entry.error or "a remark"
                steps.append(step_check(entry, entry.error is None, message, entry.error is None))
                if entry.error:
                    findings.append(
                        DerivationFinding("unreadable", f"step {i + 1}: {entry.error}", i)
                    )
                continue
            parts = list(entry.line.parts)
            if entry.line.continues and prev_last is not None:
                parts.insert(0, prev_last)
            try:
                stmt, problem = self._read_statement(parts)
                if problem is None and prev is not None and not entry.line.continues:
                    if not _is_head(parts[0]) and not self.same(prev, stmt):
                        problem = ("not equal to the line before", prev)
            except (ShapeError, ReadError, np.linalg.LinAlgError) as error:
                code = "shape_mismatch" if isinstance(error, ShapeError) else "unreadable"
                steps.append(step_check(entry, False, f"✗ {error}", code != "unreadable"))
                findings.append(DerivationFinding(code, f"step {i + 1}: {error}", i))
                if first_wrong is None and code == "shape_mismatch":
                    first_wrong = i
                continue
            if problem is None:
                said = "✓ equal to the line before" if prev is not None else "✓ start"
                if prev is None and len(parts) > 1:
                    said = "✓ both sides are equal" if stmt.rhs is None else "✓ an equation for w"
                if stmt.rhs is not None and prev is not None and prev.rhs is None:
                    said = "✓ set to zero: the same equation for w"
                elif stmt.rhs is not None and prev is not None:
                    said = "✓ the same solution w as the line before"
                steps.append(step_check(entry, True, said))
                if first_wrong is None:
                    last_good = (i, stmt)
            else:
                where, ref = problem
                code, why = self.diagnose(ref, stmt)
                message = f"✗ {where}: {why}"
                if first_wrong is not None and last_good is not None:
                    try:
                        if self.same(last_good[1], stmt):
                            message = (
                                f"✗ {where}, but equal to step {last_good[0] + 1}: "
                                "the slip above is undone here"
                            )
                    except (ShapeError, ReadError, np.linalg.LinAlgError):
                        pass
                steps.append(step_check(entry, False, message))
                findings.append(DerivationFinding(code, f"step {i + 1}: {why}", i))
                if first_wrong is None:
                    first_wrong = i
            prev, prev_last, self.last_step = stmt, parts[-1], i
        reaches = self._reaches(prev, findings)
        return steps, dedupe_findings(findings), reaches, first_wrong

    def _read_statement(self, parts: list[Node]) -> tuple[Statement, tuple[str, Statement] | None]:
        equation: Statement | None = None
        for k in range(len(parts) - 1):
            a, b = parts[k], parts[k + 1]
            if self._identical(a, b, self.data):
                continue
            last = k == len(parts) - 2
            if last and not _is_head(a) and not _is_head(b):
                equation = Statement(a, b)
                continue
            return Statement(b), ("the two sides of an = are not equal", Statement(a))
        return equation or Statement(parts[-1]), None

    def _reaches(self, last: Statement | None, findings: list[DerivationFinding]) -> bool | None:
        if self.target is None:
            return None
        if last is None:
            return False
        goal = Statement(self.target)
        try:
            equal = self.same(goal, last)
        except (ShapeError, ReadError, np.linalg.LinAlgError) as error:
            findings.append(DerivationFinding("target_not_reached", f"the last line: {error}"))
            return False
        sides = [last.lhs] + ([last.rhs] if last.rhs is not None else [])
        bare = [s for s in sides if _is_bare_w(s)]
        other = [s for s in sides if not _is_bare_w(s)]
        if equal and last.rhs is None and not _has_w(last.lhs):
            return True
        if equal and len(bare) == 1 and len(other) == 1 and not _has_w(other[0]):
            return True
        if equal and bare and other and _has_w(other[0]):
            message = (
                "the last line still has w on the right side: it is an equation, not a closed "
                "form; gather the w terms, (XᵀX + nλI)w = Xᵀy, then multiply by the inverse"
            )
            findings.insert(0, DerivationFinding("unknown_on_both_sides", message, self.last_step))
            return False
        if equal:
            message = "the last line has the right solution but is not solved for w (w = …)"
            findings.append(DerivationFinding("not_solved", message, self.last_step))
            return False
        code, why = self.diagnose(goal, last)
        findings.append(
            DerivationFinding("target_not_reached", f"the last line is not the target: {why}")
        )
        if code != "not_equal":
            findings.append(DerivationFinding(code, f"compared with the target: {why}"))
        return False


def _norm(v: object) -> float:
    if isinstance(v, np.ndarray):
        return float(np.linalg.norm(v))
    if isinstance(v, float):
        return abs(v)
    return float(abs(getattr(v, "scale", 0.0)))
