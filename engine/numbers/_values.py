"""Arithmetic on exact (``Fraction``) and float values that never runs away.

Every operation checks its size first: powers and ``exp`` estimate the result's magnitude from
logarithms before computing it, exact results whose numerator or denominator grows past
:data:`MAX_EXACT_BITS` continue as floats, and nothing beyond :data:`MAX_WORKING_MAGNITUDE` is
kept. So ``2^2^2^2^2^2`` or ``e^(e^(e^99))`` is refused in microseconds, not computed.
"""

from __future__ import annotations

import math
from fractions import Fraction

from engine.numbers._errors import NumberExpressionError
from engine.numbers._limits import (
    LOG_MAX_WORKING,
    MAX_EXACT_BITS,
    MAX_EXACT_ROOT,
    MAX_WORKING_MAGNITUDE,
)

Value = Fraction | float

ONE = Fraction(1)
ZERO = Fraction(0)


class Where:
    """The argument name and the text position an operation is reported at."""

    __slots__ = ("name", "pos", "what")

    def __init__(self, name: str, pos: int, what: str) -> None:
        self.name = name
        self.pos = pos
        self.what = what

    def error(self, reason: str, kind: str) -> NumberExpressionError:
        """The error for this place: ``reason`` is followed by ``(… at position n)``."""
        return NumberExpressionError(
            self.name, f"{reason} ({self.what} at position {self.pos + 1})", self.pos, kind
        )

    def too_large(self) -> NumberExpressionError:
        """The error for a value beyond :data:`MAX_WORKING_MAGNITUDE`."""
        return self.error(
            f"the value is too large to compute (numbers here stay within "
            f"±{MAX_WORKING_MAGNITUDE:.0e})",
            "range",
        )


def checked(value: Value, where: Where) -> Value:
    """``value`` if finite and within the working magnitude; long exact values become floats."""
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_WORKING_MAGNITUDE:
            raise where.too_large()
        return value
    if abs(value) > MAX_WORKING_MAGNITUDE:
        raise where.too_large()
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_EXACT_BITS:
        return float(value)  # |value| ≤ 1e100 here, so this cannot overflow
    return value


def log_abs(value: Value) -> float:
    """``ln |value|`` for a non-zero value, exact integers of any length included."""
    if isinstance(value, Fraction):
        return math.log(abs(value.numerator)) - math.log(value.denominator)
    return math.log(abs(value))


def add(a: Value, b: Value, where: Where) -> Value:
    """``a + b``."""
    return checked(a + b, where)


def subtract(a: Value, b: Value, where: Where) -> Value:
    """``a − b``."""
    return checked(a - b, where)


def multiply(a: Value, b: Value, where: Where) -> Value:
    """``a · b``."""
    return checked(a * b, where)


def divide(a: Value, b: Value, where: Where) -> Value:
    """``a / b``; division by zero is refused."""
    if b == 0:
        raise where.error("divides by zero", "domain")
    return checked(a / b, where)


def _integer_root(n: int, q: int) -> int | None:
    """The integer ``r`` with ``r**q == n`` (``n ≥ 0``), else ``None`` (Newton's method)."""
    if n < 2:
        return n
    if q == 2:
        r = math.isqrt(n)
    else:
        r = 1 << -(-n.bit_length() // q)  # ≥ the root
        while True:
            s = ((q - 1) * r + n // r ** (q - 1)) // q
            if s >= r:
                break
            r = s
    return r if r**q == n else None


def exact_root(value: Fraction, q: int) -> Fraction | None:
    """The exact ``q``-th root of ``value ≥ 0`` when its numerator and denominator have one."""
    if q > MAX_EXACT_ROOT:
        return None
    num = _integer_root(value.numerator, q)
    den = _integer_root(value.denominator, q) if num is not None else None
    return None if num is None or den is None else Fraction(num, den)


def _float_power(base: Value, exponent: float, size: float) -> float:
    """``base ** exponent`` for ``base > 0`` whose log-size ``size`` was checked: ``math.pow``
    where ``float(base)`` is a normal float (more precise), else ``exp(size)``."""
    as_float = float(base)
    if as_float > 0 and math.isfinite(as_float):
        return math.pow(as_float, exponent)
    return math.exp(size)


def _integer_power(base: Fraction, n: int, where: Where) -> Value:
    if base == 0:
        if n < 0:
            raise where.error("divides by zero: 0 to a negative power", "domain")
        return ONE if n == 0 else ZERO
    if abs(base) == 1:
        return base if n % 2 else ONE
    if n * log_abs(base) > LOG_MAX_WORKING:
        raise where.too_large()
    bits = abs(n) * max(base.numerator.bit_length(), base.denominator.bit_length())
    if bits <= MAX_EXACT_BITS:
        return checked(base**n, where)
    magnitude = _float_power(abs(base), float(n), n * log_abs(base))
    return checked(-magnitude if base < 0 and n % 2 else magnitude, where)


def power(base: Value, exponent: Value, where: Where) -> Value:
    """``base ^ exponent``: exact for exact bases with integer exponents and exact roots
    (``(9/4)^(1/2) = 3/2``), a float otherwise; the size is estimated before computing."""
    if exponent == 0:
        return ONE
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        if isinstance(base, Fraction):
            return _integer_power(base, exponent.numerator, where)
    if base == 0:
        if exponent < 0:
            raise where.error("divides by zero: 0 to a negative power", "domain")
        return ZERO if isinstance(base, Fraction) else 0.0
    sign = 1
    if base < 0:
        if isinstance(exponent, Fraction) and exponent.denominator % 2 == 1:
            sign = -1 if exponent.numerator % 2 else 1  # an odd root: (−8)^(1/3) = −2
        else:
            raise where.error(
                "a negative number to a fractional power is not a real number", "domain"
            )
        base = -base
    size = float(exponent) * log_abs(base)
    if size > LOG_MAX_WORKING:
        raise where.too_large()
    if isinstance(base, Fraction) and isinstance(exponent, Fraction):
        root = exact_root(base, exponent.denominator)
        if root is not None:
            result = _integer_power(root, exponent.numerator, where)
            return -result if sign < 0 else result
    return checked(sign * _float_power(base, float(exponent), size), where)


def exp(x: Value, where: Where) -> Value:
    """``e^x`` (exactly 1 for x = 0)."""
    if x == 0:
        return ONE
    if x > LOG_MAX_WORKING:
        raise where.too_large()
    return checked(math.exp(float(x)), where)


def _exact_log(x: Fraction, base: int) -> int | None:
    """``k`` when ``x == base**k`` for an integer ``k`` (``log10(1000) = 3``), else ``None``."""
    for part, sign in ((x.numerator, 1), (x.denominator, -1)):
        other = x.denominator if sign == 1 else x.numerator
        if other != 1:
            continue
        k = 0
        while part % base == 0 and part > 1:
            part //= base
            k += 1
        if part == 1:
            return sign * k
    return None


def log(x: Value, where: Where, base: int | None = None) -> Value:
    """The natural logarithm (or to ``base`` 10 or 2); exact where the answer is an integer."""
    if x <= 0:
        raise where.error("the logarithm of a number ≤ 0 is not defined", "domain")
    if isinstance(x, Fraction):
        k = _exact_log(x, base) if base else (0 if x == 1 else None)
        if k is not None:
            return Fraction(k)
    value = log_abs(x)
    return checked(value / math.log(base) if base else value, where)


def sqrt(x: Value, where: Where) -> Value:
    """``√x`` for ``x ≥ 0``: exact when ``x`` is the square of a fraction."""
    if x < 0:
        raise where.error("the square root of a negative number is not a real number", "domain")
    if isinstance(x, Fraction):
        root = exact_root(x, 2)
        if root is not None:
            return root
        return checked(math.sqrt(float(x)), where)  # |x| ≤ 1e100: float(x) is finite
    return checked(math.sqrt(x), where)
