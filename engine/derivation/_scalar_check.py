"""Line-by-line checks of a scalar derivation (softmax derivative, cross-entropy gradient)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy

from engine.derivation._reader import Line, Node
from engine.derivation._result import (
    DerivationFinding,
    Entry,
    StepCheck,
    dedupe_findings,
    step_check,
)
from engine.derivation._scalar import (
    POINTS,
    ScalarWorld,
    free_indices,
    index_cases,
    rename_indices,
)
from engine.derivation._tokens import ReadError

_MESSAGES = {
    "quotient_rule_numerator": (
        "Σ_k e^{z_k} became 1 here: the quotient rule's numerator e^{z_i}·Σ_k e^{z_k} − "
        "e^{z_i}·e^{z_j} factors as e^{z_i}(Σ_k e^{z_k} − e^{z_j}), not e^{z_i}(1 − e^{z_j}); "
        "the softmax outputs ŷ_k sum to 1, the exponentials e^{z_k} do not"
    ),
    "lost_index": "this holds only when i = j: an index i where j belongs (or j for i)",
    "lost_delta": "this holds only when i ≠ j: the δ_ij term (the i = j case) is missing",
    "sign": "off by a factor −1: a sign slip",
    "not_equal": "not equal for all inputs",
    "cannot_evaluate": "has no value at the sample points (overflow, or a log of a negative)",
}


@dataclass(frozen=True)
class Verdict:
    """How two expressions compare: ``ok`` (None = no values), a note or a slip code."""

    ok: bool | None
    code: str = ""
    message: str = ""
    uses_sum_y: bool = False
    symbolic: bool = False


#: Seconds of sympy.cancel per derivation (then numbers alone decide), and the largest pair.
SYMBOLIC_BUDGET = 1.0
SYMBOLIC_MAX_OPERATIONS = 150


class ScalarChecker:
    """Checks the entries of a scalar derivation against each other and a target."""

    def __init__(self, entries: list[Entry], target: Node | None, default_index: str | None):
        self.entries = entries
        self.world = ScalarWorld(default_index)
        readable = [e.line for e in entries if isinstance(e.line, Line) and not e.assumption]
        letters: set[str] = set()
        for line in readable:
            for part in line.parts:
                letters |= free_indices(part)
        self.target = None
        if target is not None:
            result = readable[-1].parts[-1] if readable else None
            heads = [line.parts[0] for line in readable if line.parts[0].kind == "deriv"]
            self.target = _align_target(target, result, heads[0] if heads else None)
            letters |= free_indices(self.target)
        self.letters = letters
        self.cases, self.same = index_cases(letters)
        self.symbolic_spent = 0.0
        self.last_mask: list[bool] | None = None

    def _mask(self, condition: str | None) -> list[bool] | None:
        """The index cases a remark "(i = j)" or "(i ≠ j)" keeps."""
        if condition is None or len(self.letters) < 2:
            return None
        return list(self.same) if condition == "same" else [not s for s in self.same]

    def values(self, node: Node) -> list[sympy.Expr]:
        """``node`` built once per index case."""
        return [self.world.build(node, case) for case in self.cases]

    def _equal(self, a: list, b: list, world: str, which: list[bool] | None = None) -> bool | None:
        results = [
            self.world.close(x, y, world)
            for x, y, use in zip(a, b, which or [True] * len(a), strict=False)
            if use
        ]
        if any(r is False for r in results):
            return False
        return None if all(r is None for r in results) else True

    def compare(
        self, a_node: Node, a: list, b_node: Node, b: list, mask: list[bool] | None = None
    ) -> Verdict:
        """Compare two built parts (in the index cases ``mask`` keeps), naming the slip when
        they differ."""
        general = self._equal(a, b, "general", mask)
        if general:
            keep = mask or [True] * len(a)
            return Verdict(True, symbolic=self._cancels(*_kept(a, b, keep)))
        if general is None:
            return Verdict(None, "cannot_evaluate", _MESSAGES["cannot_evaluate"])
        if self._equal(a, b, "sum_y_one", mask):
            return Verdict(True, uses_sum_y=True)
        if self._equal(a, b, "sum_exp_one", mask):
            return _slip("quotient_rule_numerator")
        if len(self.letters) == 2 and mask is None:
            same = self._equal(a, b, "general", self.same)
            different = self._equal(a, b, "general", [not s for s in self.same])
            if same and different is False:
                return _slip("lost_index")
            if different and same is False:
                return _slip("lost_delta")
        extra = free_indices(b_node) - free_indices(a_node)
        if extra:
            letter = sorted(extra)[0]
            return Verdict(
                False, "lost_sum", f"the index {letter} is used outside any sum: a Σ was dropped"
            )
        negated = [sympy.Mul(-1, x) for x in b]
        if self._equal(a, negated, "general") or self._equal(a, negated, "sum_y_one"):
            return _slip("sign")
        ratios = {self.world.ratio(x, y) for x, y in zip(a, b, strict=False)}
        ratio = ratios.pop() if len(ratios) == 1 else None
        if ratio is not None and ratio != 0:
            factor = 1 / ratio
            return Verdict(False, "constant_factor", f"off by a constant factor {factor:.4g}")
        return _slip("not_equal")

    def _cancels(self, a: list, b: list) -> bool:
        """True when sympy.cancel brings every case's difference to 0 within the budget
        (a confirmation only: the numbers have already decided)."""
        for x, y in zip(a, b, strict=False):
            if self.symbolic_spent > SYMBOLIC_BUDGET:
                return False
            if sympy.count_ops(x) + sympy.count_ops(y) > SYMBOLIC_MAX_OPERATIONS:
                return False
            start = time.perf_counter()
            try:
                zero = sympy.cancel(sympy.Add(x, sympy.Mul(-1, y))) == 0
            except (sympy.PolynomialError, ValueError, TypeError):
                zero = False
            self.symbolic_spent += time.perf_counter() - start
            if not zero:
                return False
        return True

    # -- the walk over the lines --------------------------------------------------------------
    def run(
        self, stated_sum_y: bool
    ) -> tuple[list[StepCheck], list[DerivationFinding], bool | None, int | None]:
        """Check every entry: the steps, the findings, whether the target is reached and the
        first wrong step."""
        steps: list[StepCheck] = []
        findings: list[DerivationFinding] = []
        notes: list[DerivationFinding] = []
        prev: tuple[Node, list] | None = None
        last_good: tuple[int, Node, list] | None = None
        first_wrong: int | None = None
        for entry in self.entries:
            i = entry.index
            if entry.line is None and entry.error is None:
                said = "assumption noted: Σ_k y_k = 1" if entry.assumption else "a remark"
                steps.append(step_check(entry, True, said))
                continue
            if not isinstance(entry.line, Line):
                steps.append(step_check(entry, False, entry.error or "cannot be read", False))
                findings.append(DerivationFinding("unreadable", f"step {i + 1}: {entry.error}", i))
                continue
            if entry.assumption:
                steps.append(step_check(entry, True, "assumption noted: Σ_k y_k = 1"))
                continue
            try:
                parts = [(p, self.values(p)) for p in entry.line.parts]
            except ReadError as error:
                steps.append(step_check(entry, False, str(error), False))
                findings.append(DerivationFinding("unreadable", f"step {i + 1}: {error}", i))
                continue
            pairs: list[tuple[str, tuple[Node, list], tuple[Node, list]]] = []
            continues = prev is not None and (entry.line.continues or not _is_head(parts[0][0]))
            if continues and prev is not None:
                pairs.append(("link", prev, parts[0]))
            pairs += [(f"side {k + 1}", parts[k], parts[k + 1]) for k in range(len(parts) - 1)]
            mask = self._mask(entry.condition)
            if entry.condition is None and continues:
                # A case stated on a chain's first line, "(i ≠ j)", holds for its "= …" lines
                # too: the target is then compared in that case only.
                mask = self.last_mask
            self.last_mask = mask
            verdicts = [
                (label, self.compare(a[0], a[1], b[0], b[1], mask)) for label, a, b in pairs
            ]
            bad = [(label, v) for label, v in verdicts if not v.ok]
            uses_sum_y = any(v.uses_sum_y for _, v in verdicts)
            if not bad:
                linked = bool(pairs) and pairs[0][0] == "link"
                message = "✓ equal to the line before" if linked else "✓ both sides are equal"
                if not pairs:
                    message = "✓ start"
                if all(v.symbolic for _, v in verdicts) and pairs:
                    message += " (sympy cancels the difference to 0)"
                else:
                    message += f" (at {POINTS} random points, {len(self.cases)} index cases)"
                if uses_sum_y:
                    said = " (as stated)" if stated_sum_y else ""
                    message = f"✓ holds because Σ_k y_k = 1{said} (one-hot or probability labels)"
                    if not stated_sum_y:
                        notes.append(DerivationFinding("dropped_sum_y", _sum_y_note(i), i))
                steps.append(step_check(entry, True, message))
                if first_wrong is None:
                    last_good = (i, parts[-1][0], parts[-1][1])
            else:
                label, verdict = bad[0]
                where = (
                    "not equal to the line before"
                    if label == "link"
                    else ("the two sides of an = are not equal")
                )
                message = f"✗ {where}: {verdict.message}"
                if first_wrong is not None and last_good is not None:
                    back = self.compare(last_good[1], last_good[2], parts[-1][0], parts[-1][1])
                    if back.ok:
                        message = (
                            f"✗ {where}, but equal to step {last_good[0] + 1} (the last correct "
                            "one): the slip above is undone here"
                        )
                steps.append(step_check(entry, False, message))
                if first_wrong is None and verdict.ok is False:
                    first_wrong = i
                findings.append(
                    DerivationFinding(verdict.code, f"step {i + 1}: {verdict.message}", i)
                )
            prev = parts[-1]
        reaches = self._reaches(prev, findings)
        if notes:
            notes = notes[:1]
        return steps, dedupe_findings(findings) + notes, reaches, first_wrong

    def _reaches(
        self, prev: tuple[Node, list] | None, findings: list[DerivationFinding]
    ) -> bool | None:
        if self.target is None:
            return None
        if prev is None:
            return False
        try:
            target = self.values(self.target)
        except ReadError as error:
            findings.append(DerivationFinding("unreadable", f"the target: {error}"))
            return False
        verdict = self.compare(self.target, target, prev[0], prev[1], self.last_mask)
        if verdict.ok:
            return True
        findings.append(
            DerivationFinding(
                "target_not_reached", "the last line is not the target: " + verdict.message
            )
        )
        if verdict.code not in ("not_equal", "cannot_evaluate"):
            findings.append(
                DerivationFinding(verdict.code, "compared with the target: " + verdict.message)
            )
        return False


def _kept(a: list, b: list, keep: list[bool]) -> tuple[list, list]:
    return [x for x, k in zip(a, keep, strict=False) if k], [
        y for y, k in zip(b, keep, strict=False) if k
    ]


def _align_target(target: Node, result: Node | None, head: Node | None) -> Node:
    """Rename the target's free indices to the derivation's: from its derivative ∂ŷ_a/∂z_b
    (i → a, j → b, so ∂ŷ_i/∂z_i compares with the case i = j and ∂ŷ_1/∂z_2 with i = 1,
    j = 2), else from the result's own free index (ŷ_i − y_i)."""
    if head is not None:
        what, variable = head.children
        mapping: dict[str, str] = {}
        if variable.kind == "name" and len(variable.value[1]) == 1:
            mapping["j"] = variable.value[1][0]
        if what.kind == "name" and what.value[0] == "yhat" and len(what.value[1]) == 1:
            mapping["i"] = what.value[1][0]
        if mapping and free_indices(target) <= set(mapping):
            return rename_indices(target, mapping)
    if result is None:
        return target
    mine, theirs = sorted(free_indices(result)), sorted(free_indices(target))
    if mine == theirs or len(mine) != 1 or not theirs or len(theirs) > 2:
        return target
    return rename_indices(target, {t: mine[0] for t in theirs})


def _is_head(node: Node) -> bool:
    """A line starting with a derivative or L states something new (no link to the line
    before)."""
    return node.kind == "deriv" or (node.kind == "name" and node.value[0] == "L")


def _slip(code: str) -> Verdict:
    return Verdict(False, code, _MESSAGES[code])


def _sum_y_note(i: int) -> str:
    return (
        f"step {i + 1} uses Σ_k y_k = 1 without saying so: true for one-hot or probability "
        "labels, which the result ŷ − y needs; write the assumption down"
    )
