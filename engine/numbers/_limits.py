"""The project's number limits, in one table, and exact arrays.

Every typed, pasted or restored number in KernelScope is held to :data:`MAX_MAGNITUDE`; the
expression grammar (:mod:`engine.numbers`) adds the limits that keep hostile text cheap.
"""

from __future__ import annotations

import math

import numpy as np

#: Biggest magnitude a number may have: integer products and sums stay exact in int64/float64.
MAX_MAGNITUDE = 1e12
#: Longest number expression read (characters), checked before anything else looks at it.
MAX_EXPRESSION_CHARS = 500
#: Deepest nesting of parentheses, functions, ``√`` and powers (``2^(3^(…))``) in one expression.
MAX_NESTING = 40
#: Most significant digits one number literal may have (``float`` keeps 17; 100 is generous).
MAX_DIGITS = 100
#: Largest |exponent| in ``1e…`` notation: beyond it a value is far outside ±1e12 or below any
#: float, and ``Fraction("1e99999999")`` would expand the power exactly (minutes of CPU).
MAX_EXPONENT = 400
#: Largest magnitude of any intermediate value: ``10^15/10^5`` works, ``10^10^10`` is refused
#: before it is computed (its size is estimated from logarithms first).
MAX_WORKING_MAGNITUDE = 1e100
#: Largest numerator or denominator (in bits) kept exact; a longer one continues as a float.
MAX_EXACT_BITS = 4096
#: Largest ``q`` for which ``x^(p/q)`` is tried as an exact root (``8^(1/3) = 2``).
MAX_EXACT_ROOT = 64

LOG_MAX_WORKING = math.log(MAX_WORKING_MAGNITUDE)


def as_exact(values: np.ndarray) -> np.ndarray:
    """Return ``values`` as int64 when every entry is a whole number, else as float64."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    arr = arr.astype(np.float64)
    if arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        if np.all(np.abs(arr) <= MAX_MAGNITUDE):
            return arr.astype(np.int64)
    return arr
