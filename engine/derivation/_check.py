"""``check_derivation``: split the text into steps, read each, hand them to the topic's checker."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.derivation._limits import MAX_LINE_CHARS, MAX_LINES, MAX_TEXT_CHARS
from engine.derivation._reader import Line, Node, read_line
from engine.derivation._result import DerivationFinding, DerivationResult, Entry
from engine.derivation._tokens import ReadError


@dataclass(frozen=True)
class DerivationTopic:
    """A derivation the checker knows: its target (as a student would write it), the kind of
    world it lives in (``scalar`` or ``matrix``) and the index an unindexed ŷ or y means."""

    title: str
    target: str
    world: str
    default_index: str | None = None
    example_wrong: str = ""
    shown: str = ""  # the target as it reads on screen


#: The topics, by key.
DERIVATION_TOPICS: dict[str, DerivationTopic] = {
    "softmax_derivative": DerivationTopic(
        "Softmax derivative ∂ŷ_i/∂z_j",
        r"\hat{y}_i(\delta_{ij} - \hat{y}_j)",
        "scalar",
        shown="ŷ_i(δ_ij − ŷ_j)",
        example_wrong="\n".join(
            [
                r"\frac{\partial \hat{y}_i}{\partial z_i} = \frac{\partial}{\partial z_i}"
                r" \frac{e^{z_i}}{\sum_k e^{z_k}}",
                r"= \frac{e^{z_i} \cdot \sum_k e^{z_k} - e^{z_i} \cdot e^{z_i}}"
                r"{\left(\sum_k e^{z_k}\right)^2}",
                r"= \frac{e^{z_i}(1 - e^{z_i})}{\left(\sum_k e^{z_k}\right)^2}",
                r"= \hat{y}_i (1 - \hat{y}_i)",
            ]
        ),
    ),
    "cross_entropy_gradient": DerivationTopic(
        "Cross-entropy gradient ∂L/∂z_j (L = −Σ_k y_k log ŷ_k)",
        r"\hat{y}_j - y_j",
        "scalar",
        default_index="j",
        shown="ŷ_j − y_j",
        example_wrong="\n".join(
            [
                r"\frac{\partial L}{\partial z_j} = -\sum_k y_k \frac{1}{\hat{y}_k}"
                r" \frac{\partial \hat{y}_k}{\partial z_j}",
                r"= -\sum_k y_k (\delta_{kj} - \hat{y}_j)",
                r"= -y_j + \hat{y}_j \sum_k y_k",
                r"= \hat{y}_j - y_j",
            ]
        ),
    ),
    "ridge_closed_form": DerivationTopic(
        "Ridge closed form (L = (1/n)‖Xw − y‖² + λ‖w‖²)",
        r"(X^\top X + n\lambda I)^{-1} X^\top y",
        "matrix",
        shown="(XᵀX + nλI)⁻¹Xᵀy",
        example_wrong="\n".join(
            [
                r"L(w) = \frac{1}{n}\|Xw - y\|_2^2 + \lambda \|w\|_2^2",
                r"\nabla_w L = \frac{2}{n} X^T (Xw - y) + 2\lambda w = 0",
                r"X^T X w - X^T y + n\lambda w = 0",
                r"w = (X^T X)^{-1} (X^T y - n\lambda w)",
            ]
        ),
    ),
}

#: Where a remark starts: everything after it on the line is text, not maths.
_NOTE = re.compile(
    r"\\text\s*\{|\\q?quad\b|%|#|\b(?:since|because|using|where|with|for|if)\b"
    r"|[(,]\s*[ijklm]\s*(?:\\neq?\b|\u2260|!=|=)\s*[ijklm]\s*\)?\s*$",
    re.I,
)
_SUM_Y_ONE = re.compile(r"(?:sum|\u03a3|\u2211)[^=]{0,40}y[^=]{0,20}=\s*1(?![0-9.])", re.I)
_DIFFERENT = re.compile(r"\b[ijklm]\s*(?:\\neq?\b|\u2260|!=)\s*[ijklm]\b")
_SAME = re.compile(r"\b[ijklm]\s*=\s*[ijklm]\b")
_SKIPPED = re.compile(r"^\s*(?:\\(?:begin|end)\s*\{[A-Za-z*]*\}\s*)+$")


def _lines(steps: str | Sequence[str]) -> list[str]:
    if isinstance(steps, str):
        if len(steps) > MAX_TEXT_CHARS:
            raise ValueError(f"steps: {len(steps)} characters, more than {MAX_TEXT_CHARS}")
        return steps.splitlines()
    if not isinstance(steps, Sequence):
        raise ValueError(f"steps: expected text or a list of lines, got {type(steps).__name__}")
    if len(steps) > MAX_LINES * 4:
        raise ValueError(f"steps: {len(steps)} lines, more than {MAX_LINES}")
    if not all(isinstance(s, str) for s in steps):
        raise ValueError("steps: every line must be text")
    total = sum(len(s) for s in steps)
    if total > MAX_TEXT_CHARS:
        raise ValueError(f"steps: {total} characters, more than {MAX_TEXT_CHARS}")
    return [part for s in steps for part in (s.splitlines() or [""])]


def _is_sum_y_one(line: Line) -> bool:
    """``Σ_k y_k = 1`` as a line of its own."""
    if len(line.parts) != 2:
        return False
    left, right = line.parts
    return (
        left.kind == "sum"
        and left.children[0].kind == "name"
        and left.children[0].value[0] == "y"
        and right.kind == "num"
        and right.value == "1"
    )


def read_entries(steps: str | Sequence[str]) -> tuple[list[Entry], bool]:
    """The non-blank lines of ``steps`` as entries, and whether Σ_k y_k = 1 is stated."""
    entries: list[Entry] = []
    stated = False
    for number, raw in enumerate(_lines(steps), start=1):
        if not raw.strip() or _SKIPPED.match(raw):
            continue
        if len(entries) >= MAX_LINES:
            raise ValueError(f"steps: more than {MAX_LINES} lines")
        maths, note = raw, ""
        if len(raw) <= MAX_LINE_CHARS and (match := _NOTE.search(raw)):
            maths, note = raw[: match.start()], raw[match.start() :]
        noted = bool(note) and bool(_SUM_Y_ONE.search(note.replace(" ", "")))
        stated |= noted
        index = len(entries)
        if not maths.strip():
            entries.append(Entry(index, number, raw, None, None, noted))  # a remark only
            continue
        try:
            line: Line | None = read_line(maths)
            error = None
        except ReadError as problem:
            line, error = None, f"cannot read this line: {problem}"
        assumption = line is not None and _is_sum_y_one(line)
        stated |= assumption
        condition = None
        if _DIFFERENT.search(note):
            condition = "different"
        elif _SAME.search(note):
            condition = "same"
        entries.append(Entry(index, number, raw, line, error, assumption, condition))
    return entries, stated


def check_derivation(
    steps: str | Sequence[str], *, target: str | None = None, topic: str | None = None
) -> DerivationResult:
    """Check a derivation line by line.

    Parameters
    ----------
    steps
        The derivation, one step a line (text with newlines, or a list of lines), in LaTeX
        as students write it (``\\frac{…}{…}``, ``e^{z_i}``, ``\\sum_k``, ``\\hat{y}_i``,
        ``\\|w\\|_2^2``, ``X^T``) or plain text (``exp(z_i)``, ``sum_k``, ``y_hat_i``).
        A line starting with ``=`` continues the line before; the parts of ``a = b = c`` are
        compared in turn. Text after ``\\text{…}``, ``\\quad``, ``%``, ``#``, "since",
        "using", … is a remark.
    target
        What the last line should equal (the topic's target when omitted).
    topic
        A key of :data:`DERIVATION_TOPICS`, or ``None`` for scalar algebra in z_k, y_k, ŷ_k and free
        letters without a target.

    Returns
    -------
    DerivationResult
        Per-line ✓/✗ with messages, the first wrong step, named slips, target reached.

    Raises
    ------
    ValueError
        Naming ``steps``, ``topic`` or ``target`` for input that is not text, too long
        (more than :data:`MAX_TEXT_CHARS` characters or :data:`MAX_LINES` lines), an unknown
        topic or an unreadable target. Lines that cannot be read are reported in the result.

    Notes
    -----
    Cross-entropy labels are one-hot or probabilities (Σ_k y_k = 1). A step that holds only
    under that condition is ✓; if the derivation never states it (a line ``\\sum_k y_k = 1``
    or a remark such as "using Σ_k y_k = 1"), the finding ``dropped_sum_y`` names the step.
    """
    if topic is not None and topic not in DERIVATION_TOPICS:
        raise ValueError(f"topic: unknown topic {topic!r}; known: {', '.join(DERIVATION_TOPICS)}")
    if target is not None and not isinstance(target, str):
        raise ValueError(f"target: expected text, got {type(target).__name__}")
    entries, stated = read_entries(steps)
    spec = DERIVATION_TOPICS.get(topic) if topic else None
    target_text = target if target is not None else (spec.target if spec else None)
    target_node = _read_target(target_text) if target_text else None
    if spec is not None and spec.world == "matrix":
        from engine.derivation._matrix_check import MatrixChecker

        with np.errstate(all="ignore"):  # overflow becomes inf and is reported per line
            run = MatrixChecker(entries, target_node).run()
    else:
        from engine.derivation._scalar_check import ScalarChecker

        checker = ScalarChecker(entries, target_node, spec.default_index if spec else None)
        with np.errstate(all="ignore"):
            run = checker.run(stated)
    steps_out, findings, reaches, first_wrong = run
    ordered = _order(findings, first_wrong)
    return DerivationResult(
        tuple(steps_out), first_wrong, tuple(ordered), reaches, topic, target_text
    )


def _read_target(text: str) -> Node:
    try:
        line = read_line(text)
    except ReadError as problem:
        raise ValueError(f"target: cannot read it: {problem}") from None
    return line.parts[-1]


def _order(findings: list[DerivationFinding], first_wrong: int | None) -> list[DerivationFinding]:
    """The first wrong step's finding first, then the rest in their order."""
    if first_wrong is None:
        return findings
    first = [f for f in findings if f.step == first_wrong and f.code != "unreadable"]
    return first + [f for f in findings if f not in first]
