"""What :func:`check_derivation` returns, and the codes of the slips it names."""

from __future__ import annotations

from dataclasses import dataclass

#: Codes a :class:`DerivationFinding` can carry, with what each means.
FINDING_CODES: dict[str, str] = {
    "quotient_rule_numerator": "Σ_k e^{z_k} replaced by 1 in the quotient rule's numerator",
    "lost_index": "an index i where j belongs: the step holds only when i = j",
    "lost_delta": "the δ_ij term is missing: the step holds only when i ≠ j",
    "lost_sum": "an index is used outside the sum that should bind it",
    "dropped_sum_y": "a step uses Σ_k y_k = 1 without saying so",
    "missing_lambda": "the λ (regularisation) term is missing",
    "missing_n": "the factor n (number of samples) is missing",
    "wrong_lambda_term": "the λ term is wrong",
    "wrong_n_factor": "the factor n is wrong",
    "unknown_on_both_sides": "the 'answer' still contains the unknown w",
    "not_solved": "the last line is equivalent to the target but not solved for w",
    "sign": "a sign slip: the step is off by a factor −1",
    "constant_factor": "a constant factor slip",
    "shape_mismatch": "matrix shapes that do not fit",
    "not_equal": "a step that is not equal to the line before",
    "target_not_reached": "the last line is not the target",
    "unreadable": "a line that could not be read",
    "cannot_evaluate": "a line that has no value at the sample points",
}


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one line of a derivation.

    Attributes
    ----------
    index
        0-based position in :attr:`DerivationResult.steps`.
    line_number
        1-based line of the text it came from (blank lines are not steps).
    text
        The line as typed.
    ok
        True when the line equals the line before (and its own ``=`` parts are equal).
    message
        Why, in a sentence (the character position for a line that could not be read).
    readable
        False when the line could not be read.
    """

    index: int
    line_number: int
    text: str
    ok: bool
    message: str
    readable: bool = True


@dataclass(frozen=True)
class DerivationFinding:
    """A named slip or note: ``code`` (a key of :data:`FINDING_CODES`), a ``message`` for the
    student, and the step index it concerns (``None`` for the derivation as a whole)."""

    code: str
    message: str
    step: int | None = None


@dataclass(frozen=True)
class DerivationResult:
    """The verdict on a whole derivation.

    Attributes
    ----------
    steps
        One :class:`StepCheck` per non-blank line.
    first_wrong
        Index of the first readable step that is not equal to the one before, or ``None``.
    findings
        Named slips, the most likely explanation first.
    reaches_target
        True when the last step equals the target (``None`` when there is no target).
    topic, target
        The topic checked against and the target as text.
    """

    steps: tuple[StepCheck, ...]
    first_wrong: int | None
    findings: tuple[DerivationFinding, ...]
    reaches_target: bool | None
    topic: str | None
    target: str | None

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of :attr:`findings`, in order."""
        return tuple(f.code for f in self.findings)


@dataclass(frozen=True)
class Entry:
    """One non-blank line as read (internal): ``line`` is ``None`` when it could not be read
    (``error`` says why); ``assumption`` marks a stated Σ_k y_k = 1; ``condition`` is
    ``"same"`` / ``"different"`` for a remark "(i = j)" / "(i ≠ j)"."""

    index: int
    line_number: int
    text: str
    line: object
    error: str | None
    assumption: bool
    condition: str | None = None


def step_check(entry: Entry, ok: bool, message: str, readable: bool = True) -> StepCheck:
    """The verdict on ``entry``'s line (both checkers write their marks through this)."""
    return StepCheck(entry.index, entry.line_number, entry.text, ok, message, readable)


def dedupe_findings(findings: list[DerivationFinding]) -> list[DerivationFinding]:
    """``findings`` with each code once, the first of each kept (most likely first)."""
    seen: set[str] = set()
    kept = []
    for f in findings:
        if f.code not in seen:
            seen.add(f.code)
            kept.append(f)
    return kept
