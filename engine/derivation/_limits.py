"""The limits that keep hostile derivation text cheap (checked before anything large is built)."""

from __future__ import annotations

#: Longest derivation read (characters), checked before the text is split into lines.
MAX_TEXT_CHARS = 20_000
#: Most lines (steps) in one derivation.
MAX_LINES = 60
#: Longest line (characters).
MAX_LINE_CHARS = 2_000
#: Most tokens in one line.
MAX_TOKENS = 600
#: Most digits in one number literal.
MAX_NUMBER_DIGITS = 12
#: Deepest nesting of brackets, fractions, sums and functions in one line.
MAX_NESTING = 30
#: Deepest nesting of exponents (``e^{e^{z}}`` is 2; ``e^{e^{e^{99}}}`` is refused).
MAX_EXPONENT_NESTING = 2
#: Largest |integer exponent| of a number raised to a number (``2^{64}`` is fine).
MAX_INTEGER_EXPONENT = 64
#: Deepest nesting of sums (each is expanded over K terms).
MAX_SUM_NESTING = 3
#: Number of classes K that every sum is expanded over.
K_CLASSES = 4
#: Largest expression (sympy operation count) compared after expansion.
MAX_OPERATIONS = 4_000

#: The limits by name (for messages and the GUI).
LIMITS = {
    "text characters": MAX_TEXT_CHARS,
    "lines": MAX_LINES,
    "line characters": MAX_LINE_CHARS,
    "symbols per line": MAX_TOKENS,
    "nesting": MAX_NESTING,
    "exponent nesting": MAX_EXPONENT_NESTING,
    "classes K": K_CLASSES,
}
