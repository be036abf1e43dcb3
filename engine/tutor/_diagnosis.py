"""Diagnosis results and the one matcher every ``diagnose_*`` function uses.

A diagnosis compares the user's answer with the right one cell by cell, then with each
*alternative*: the answer a known slip produces (the kernel flipped, the padding forgotten, a
lost factor 2, …).  Alternatives are ranked by how many cells they explain; the right answer
itself competes as ``arithmetic`` (a few cells wrong, nothing systematic).

Precision (:class:`Precision`): integer exercises are compared exactly; any other number is
right when it is within one unit of the exercise's last asked-for decimal (``decimals``, default
2: ``0.33`` and ``0.34`` are right for ``1/3``, ``0.3`` and ``0.35`` are not), which forgives
rounding the intermediate results to that many decimals, or within a relative ``1e-9`` (long
answers typed in full).  Fractions typed as ``1/3`` are read exactly to a float, so they pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.text import format_number

Cell = tuple[int, int]

#: Arithmetic slips get their worked computation for at most this many cells (a 64×64 answer
#: with a 15×15 kernel and a thousand wrong cells took 0.8 s to write out in full).
WORK_LIMIT = 50


@dataclass(frozen=True)
class Precision:
    """How close an answer must be: ``exact`` (integers) or within ``10^−decimals``."""

    exact: bool = False
    decimals: int = 2

    @property
    def tolerance(self) -> float:
        """Absolute tolerance for inexact comparisons."""
        # one unit of the last decimal: a student who rounds ŷ to 3 decimals before multiplying
        # is still right; a little slack keeps 0.333 vs 1/3 clear of float noise
        return 0.0 if self.exact else 10.0 ** (-self.decimals) * (1 + 1e-9)

    def close(self, answer: np.ndarray, expected: np.ndarray) -> np.ndarray:
        """Element-wise: is each answer cell right to this precision?"""
        a = np.asarray(answer, dtype=float)
        e = np.asarray(expected, dtype=float)
        if self.exact:
            return np.asarray(a == e)
        return np.asarray(np.abs(a - e) <= np.maximum(self.tolerance, 1e-9 * np.abs(e)))

    def describe(self) -> str:
        """``"exactly"`` or ``"to 2 decimals"``."""
        return "exactly" if self.exact else f"to {self.decimals} decimals"


@dataclass(frozen=True)
class CellSlip:
    """One wrong cell of an arithmetic slip: where, what the user wrote, the right number and
    how it is computed (``work``, e.g. the cell's sum of products ``1·2 + (−1)·3 = −1``)."""

    cell: Cell
    given: float | int
    expected: float | int
    work: str = ""


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Finding:
    """One named slip with its evidence.

    Attributes
    ----------
    code
        Stable slip code (see :data:`engine.tutor.SLIP_CODES`).
    message
        A sentence for the user with the evidence ("… in 25 of 25 cells; …").
    matched, total
        How many answer cells this explanation reproduces, out of how many (1 of 1 for scalars).
    slips
        For ``arithmetic``: each wrong cell with the user's and the right number and the work
        (the work for the first :data:`WORK_LIMIT` cells only).
    alternative
        The answer this slip produces (what the user's answer was compared with), or ``None``.
    """

    code: str
    message: str
    matched: int = 0
    total: int = 0
    slips: tuple[CellSlip, ...] = ()
    alternative: object = None


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Diagnosis:
    """The verdict on one answer.

    Attributes
    ----------
    correct
        Right to the exercise's precision (then ``findings`` is empty).
    expected
        The right answer (array or number; a class name for a classification answer).
    answer
        The user's answer as read (array, number or text).
    wrong_cells
        ``(row, col)`` of every wrong cell when the answer has the expected shape (a vector's
        entries are ``(0, k)``); empty for scalars and for answers of another shape.
    findings
        Named slips, most likely first; never empty when the answer is wrong (``unexplained``
        when no known slip fits).
    precision
        The comparison rule used.
    """

    correct: bool
    expected: np.ndarray | np.number | int | float | str
    answer: np.ndarray | np.number | int | float | str
    wrong_cells: list[Cell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    precision: Precision = field(default_factory=Precision)

    @property
    def codes(self) -> list[str]:
        """The findings' codes, most likely first."""
        return [f.code for f in self.findings]

    @property
    def summary(self) -> str:
        """One line for a status bar: ``"Correct."`` or the most likely slip's message."""
        if self.correct:
            return f"Correct ({self.precision.describe()})."
        return self.findings[0].message if self.findings else "Not correct."


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Alternative:
    """An answer a known slip produces (internal to the diagnose functions)."""

    code: str
    value: np.ndarray
    what: str  # e.g. "true convolution — the kernel flipped —"
    task: str = ""  # what the task asks instead, when more specific than the general task
    size_of: str = ""  # "same padding": named when an answer has this slip's shape


def shape_text(shape: Sequence[int]) -> str:
    """``5×5`` for a matrix, ``length 3`` for a vector, ``a number`` for a scalar."""
    if len(shape) == 0:
        return "a number"
    if len(shape) == 1:
        return f"vector of length {shape[0]}"
    return "×".join(str(int(v)) for v in shape)


def as_answer_array(answer: object, name: str = "answer") -> np.ndarray:
    """The answer as a finite numeric array (text is parsed with :func:`parse_answer`)."""
    from engine.tutor._parse import parse_answer

    if isinstance(answer, str):
        answer = parse_answer(answer)
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {answer!r}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers, got {arr.tolist()!r}")
    if np.all(arr == np.round(arr)) and np.all(np.abs(arr) < 2**53):
        return arr.astype(np.int64)
    return arr


def _cells(mask: np.ndarray) -> list[Cell]:
    flat = mask.reshape(mask.shape[0] if mask.ndim == 2 else 1, -1)
    return [(int(r), int(c)) for r, c in zip(*np.nonzero(flat), strict=True)]


def _count(n: int, total: int, unit: str = "cell") -> str:
    plural = {"cell": "cells", "entry": "entries"}[unit]
    return f"{n} of {total} {unit if total == 1 else plural}"


def diagnose_array(
    answer: np.ndarray,
    expected: np.ndarray,
    alternatives: Sequence[Alternative],
    *,
    precision: Precision,
    noun: str,
    task: str,
    work: Callable[[Cell], str] | None = None,
    arithmetic_limit: float = 0.34,
) -> Diagnosis:
    """Compare an array answer with the right one and with each slip's alternative.

    ``noun`` names the answer (``"5×5"``, ``"Jacobian"``); ``task`` says what was asked, for the
    messages (``"the task asks for cross-correlation"``). ``work`` returns a cell's computation
    for arithmetic slips. A cell-wise miss count up to ``arithmetic_limit`` of the cells (at
    least one) counts as ``arithmetic`` when no slip explains more cells.
    """
    exp = np.asarray(expected)
    total = int(exp.size)
    unit = "cell" if exp.ndim == 2 else "entry"
    if answer.shape != exp.shape:
        return _wrong_shape(answer, exp, alternatives, precision, task)
    ok = precision.close(answer, exp)
    if bool(ok.all()):
        return Diagnosis(True, exp, answer, [], [], precision)
    wrong = _cells(~ok)
    right_count = int(ok.sum())
    scored: list[tuple[int, int, Finding]] = []
    seen: list[np.ndarray] = [exp]
    for order, alt in enumerate(alternatives):
        value = np.asarray(alt.value)
        if value.shape != exp.shape or not np.all(np.isfinite(value)):
            continue
        # A slip that gives the right answer here (a symmetric kernel flipped) explains nothing.
        if any(value.shape == s.shape and bool(precision.close(value, s).all()) for s in seen):
            continue
        seen.append(value)
        close = precision.close(answer, value)
        hits = int(close.sum())
        if hits <= right_count or hits * 2 < total:
            continue
        message = f"your {noun} match{'' if noun.endswith('s') else 'es'} {alt.what} in "
        message += _count(hits, total, unit)
        if hits < total:
            off = _cells(~close)
            message += f" (not {_cell_list(off if exp.ndim == 2 else [(c,) for _, c in off])})"
        message += f"; {alt.task or task}"
        scored.append((hits, order, Finding(alt.code, message, hits, total, (), value)))
    findings: list[Finding] = []
    for _, _, finding in sorted(scored, key=lambda t: (-t[0], t[1])):
        if all(f.code != finding.code for f in findings):  # one finding per slip, its best
            findings.append(finding)
    misses = total - right_count
    explained = bool(findings) and findings[0].matched == total
    if right_count and not explained and misses <= max(1, int(arithmetic_limit * total)):
        slips = tuple(
            CellSlip(
                cell,
                _item(answer, cell),
                _item(exp, cell),
                work(cell) if work is not None and n < WORK_LIMIT else "",
            )
            for n, cell in enumerate(wrong)
        )
        message = (
            f"an arithmetic slip: {_count(right_count, total, unit)} are right; check "
            f"{unit if len(wrong) == 1 else {'cell': 'cells', 'entry': 'entries'}[unit]} "
            f"{_cell_list(wrong if exp.ndim == 2 else [(c,) for _, c in wrong])}"
        )
        if len(slips) == 1:
            s = slips[0]
            message += (
                f": you wrote {format_number(s.given)}, the right value is "
                f"{format_number(s.expected)}" + (f" ({s.work})" if s.work else "")
            )
        # listed alternatives all explain more cells than the right answer, so they go first
        findings.append(Finding("arithmetic", message, right_count, total, slips, exp))
    if not findings:
        findings.append(
            Finding(
                "unexplained",
                f"{_count(misses, total, unit)} of your {noun} "
                f"{'is' if misses == 1 else 'are'} wrong and no common slip explains "
                f"{'it' if misses == 1 else 'them'}; {task}",
                right_count,
                total,
            )
        )
    return Diagnosis(False, exp, answer, wrong, findings, precision)


def _cell_list(cells: Sequence[tuple[int, ...]]) -> str:
    """``(0, 1), (2, 3)`` for cells, ``0, 2`` for vector entries (at most six, then …)."""
    parts = [f"({c[0]}, {c[1]})" if len(c) == 2 else str(c[-1]) for c in cells[:6]]
    return ", ".join(parts) + ("…" if len(cells) > 6 else "")


def _item(arr: np.ndarray, cell: Cell) -> float | int:
    value = arr[cell] if arr.ndim == 2 else arr.reshape(-1)[cell[1]]
    return value.item() if hasattr(value, "item") else value


def _wrong_shape(
    answer: np.ndarray,
    exp: np.ndarray,
    alternatives: Sequence[Alternative],
    precision: Precision,
    task: str,
) -> Diagnosis:
    """An answer of another shape: name the slips whose result has that shape."""
    findings: list[Finding] = []
    same_shape: list[str] = []
    for alt in alternatives:
        value = np.asarray(alt.value)
        if value.shape != answer.shape or not np.all(np.isfinite(value)):
            continue
        hits = int(precision.close(answer, value).sum())
        if hits * 2 >= value.size:
            message = (
                f"your {shape_text(answer.shape)} matches {alt.what} in "
                f"{_count(hits, int(value.size))}; {alt.task or task}, which gives "
                f"{shape_text(exp.shape)}"
            )
            findings.append(Finding(alt.code, message, hits, int(value.size), (), value))
        elif alt.size_of and alt.size_of not in same_shape:
            same_shape.append(alt.size_of)
    findings.sort(key=lambda f: -f.matched)
    expected_text = f"the answer should be {shape_text(exp.shape)}"
    if same_shape:
        size_note = f"; {shape_text(answer.shape)} is what {' or '.join(same_shape[:3])} gives"
    else:
        size_note = ""
    findings.append(
        Finding(
            "wrong_shape",
            f"your answer is {shape_text(answer.shape)} but {expected_text}{size_note}; {task}",
            0,
            int(exp.size),
        )
    )
    return Diagnosis(False, exp, answer, [], findings, precision)


def diagnose_scalar(
    answer: float,
    expected: float | int,
    alternatives: Sequence[tuple[str, float, str]],
    *,
    precision: Precision,
    task: str,
    work: str,
) -> Diagnosis:
    """Compare a single number with the right one and with each slip's value.

    ``alternatives`` are ``(code, value, explanation)``; every slip whose value equals the
    answer is reported, in the given order (most common slip first). ``work`` is the right
    computation, quoted when nothing fits.
    """
    a = np.asarray(answer, dtype=float)
    if bool(precision.close(a, np.asarray(expected, dtype=float))):
        return Diagnosis(True, expected, answer, [], [], precision)
    findings = []
    for code, value, why in alternatives:
        if value == expected or not np.isfinite(value):
            continue
        if bool(precision.close(a, np.asarray(value, dtype=float))):
            findings.append(
                Finding(code, f"{format_number(answer)} is {why}; {task}", 1, 1, (), value)
            )
    if not findings:
        findings.append(
            Finding(
                "unexplained",
                f"{format_number(answer)} is not the right answer and no common slip gives it; "
                f"the right computation is {work}",
                0,
                1,
            )
        )
    return Diagnosis(False, expected, answer, [], findings, precision)
