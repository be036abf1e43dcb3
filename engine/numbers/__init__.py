"""Numbers as people type them: one grammar and one limits table for the whole project.

:func:`evaluate_number` reads an arithmetic answer (``(8+2-2)/3+1``, ``16*(3*3*3+1)``,
``2^-3``, ``e^2``, ``sqrt(2)/2``, ``−1.5e-3``) with a hand-written tokenizer and
recursive-descent parser — nothing typed is ever run as code — and returns it exactly
(``int`` / ``fractions.Fraction``) wherever the arithmetic allows, as a ``float`` otherwise.
Hostile text (megabytes, deep nesting, ``10^10^10``) is refused by the limits below before
anything large is built, with a :class:`NumberExpressionError` naming the argument and the
character position.

:data:`MAX_MAGNITUDE` is the project's number limit (matrix cells, answers, restored sessions);
:func:`as_exact` turns whole-valued arrays into int64.
"""

from engine.numbers._errors import ERROR_KINDS, NumberExpressionError
from engine.numbers._grammar import evaluate_number
from engine.numbers._limits import (
    MAX_DIGITS,
    MAX_EXACT_BITS,
    MAX_EXPONENT,
    MAX_EXPRESSION_CHARS,
    MAX_MAGNITUDE,
    MAX_NESTING,
    MAX_WORKING_MAGNITUDE,
    as_exact,
)
from engine.numbers._tokens import CONSTANTS, FUNCTIONS

__all__ = [
    "CONSTANTS",
    "ERROR_KINDS",
    "FUNCTIONS",
    "MAX_DIGITS",
    "MAX_EXACT_BITS",
    "MAX_EXPONENT",
    "MAX_EXPRESSION_CHARS",
    "MAX_MAGNITUDE",
    "MAX_NESTING",
    "MAX_WORKING_MAGNITUDE",
    "NumberExpressionError",
    "as_exact",
    "evaluate_number",
]
