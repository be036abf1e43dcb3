"""Check my derivation: a typed derivation checked line by line against the line before.

:func:`check_derivation` reads each line with our own tokenizer and recursive-descent parser
(LaTeX as students write it, or plain text — nothing typed is ever run as code), builds sympy
objects through their constructors for the scalar topics (softmax derivative, cross-entropy
gradient) and numpy matrices for the ridge closed form, compares each step with the one before
at random points and index cases (i = j, i ≠ j), names the first wrong step and the slip that
explains it, and says whether the last line reaches the topic's target.
"""

from engine.derivation._check import DERIVATION_TOPICS, DerivationTopic, check_derivation
from engine.derivation._limits import LIMITS as DERIVATION_LIMITS
from engine.derivation._result import (
    FINDING_CODES as DERIVATION_CODES,
)
from engine.derivation._result import (
    DerivationFinding,
    DerivationResult,
    StepCheck,
)

__all__ = [
    "DERIVATION_LIMITS",
    "DERIVATION_CODES",
    "DERIVATION_TOPICS",
    "DerivationResult",
    "DerivationFinding",
    "StepCheck",
    "DerivationTopic",
    "check_derivation",
]
