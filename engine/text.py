"""The one number formatter: exact integers, fractions, floats and the Unicode minus.

Every number the engine writes for people (explanations, worked solutions, tables, tooltips)
goes through :func:`format_number`, so ``−3``, ``1/9`` and ``0.333333`` look the same on every
tab and in every export.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from engine.checks import is_int

__all__ = ["MINUS", "format_cell", "format_number", "format_short", "format_vector"]

#: U+2212, the typographic minus sign (a hyphen is too short next to digits).
MINUS = "\u2212"
#: Integer-valued floats below this are written exactly (``3.0`` → ``3``); above it the float
#: itself is no longer exact to the unit, so significant digits are honest.
_EXACT_FLOAT_LIMIT = 1e15
#: Largest denominator written as a fraction (``fractions=True``).
_MAX_DENOMINATOR = 10_000


def _fraction_text(v: float) -> str | None:
    """``v`` as a short decimal (≤ 4 places) or a small fraction when either is exact."""
    short = f"{v:.4f}".rstrip("0").rstrip(".")
    if float(short) == v:
        return short
    frac = Fraction(v).limit_denominator(_MAX_DENOMINATOR)
    if abs(float(frac) - v) <= 1e-15 * max(1.0, abs(v)):
        return str(frac.numerator) if frac.denominator == 1 else f"{frac}"
    return None


def format_number(
    value: object,
    digits: int = 6,
    *,
    fractions: bool = False,
    parens: bool = False,
    exact: bool = True,
) -> str:
    """Format one number for people.

    - Integers (Python, numpy, exact ``object`` entries, whole :class:`~fractions.Fraction`)
      are written exactly, however large.
    - Whole floats below 10¹⁵ (any size with ``fractions``) are written as integers
      (``3.0`` → ``3``).
    - With ``fractions``, other floats are written as typed when they have at most four
      decimals (``0.125``), else as a fraction with denominator ≤ 10 000 when that is exact
      (``1/9``): :func:`engine.parse_number` reads every such text back to the same value.
      A float within 10⁻¹⁵ (relative, absolute below 1) of such a fraction is float noise and
      written as the fraction: ``1e−17`` → ``0``, ``1/3 + 1e−16`` → ``1/3``.
    - Everything else gets ``digits`` significant digits (``0.333333``, ``1.5e−07``).

    Every minus sign (also in an exponent) is U+2212; ``parens`` brackets a negative number
    for use in a product, ``(−1)·3``.

    Parameters
    ----------
    value
        An int, float, numpy scalar or Fraction.
    digits
        Significant digits for floats that are not written exactly (≥ 1).
    fractions
        Prefer short decimals and exact fractions (matrix cells).
    parens
        Bracket negative numbers.
    exact
        ``False`` writes every number with ``digits`` significant digits, whole ones too
        (``1e+06``, as the loss panels show λ).
    """
    if not is_int(digits) or digits < 1:
        raise ValueError(f"digits must be a positive int, got {digits!r}")
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    if isinstance(value, Fraction) and fractions:  # exact already: 1/2 stays "1/2", not "0.5"
        text = str(value).replace("-", MINUS)
        return f"({text})" if parens and text.startswith(MINUS) else text
    if exact and isinstance(value, (int, np.integer)):  # bool is an int: True → 1
        text = str(int(value))
    else:
        v = float(value) or 0.0  # type: ignore[arg-type]  # −0.0 is shown as 0
        whole = v.is_integer() and (fractions or abs(v) < _EXACT_FLOAT_LIMIT)
        if exact and whole:
            text = str(int(v))
        elif fractions and np.isfinite(v) and (shown := _fraction_text(v)) is not None:
            text = shown
        else:
            text = f"{v:.{digits}g}"
    if "-" in text:
        text = text.replace("-", MINUS)
        if parens and text.startswith(MINUS):
            text = f"({text})"
    return text


def format_cell(value: object) -> str:
    """A matrix cell's text: :func:`format_number` with ``fractions=True`` (``−3``, ``0.125``,
    ``1/9``), which :func:`engine.parse_number` reads back exactly."""
    return format_number(value, fractions=True)


def format_short(value: object, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits, whole numbers too (``1e+06``, ``0.3333``):
    :func:`format_number` with ``exact=False``, for derivations and plot read-outs."""
    return format_number(value, digits, exact=False)


def format_vector(values: object, digits: int = 4) -> str:
    """``[a, b, c]``: the entries of ``values`` (flattened, as floats) through
    :func:`format_short`."""
    flat = np.ravel(np.asarray(values, dtype=float))
    return "[" + ", ".join(format_number(v, digits, exact=False) for v in flat.tolist()) + "]"
