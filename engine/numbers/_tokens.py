"""Split a number expression into tokens, scanning each character once (no regular expressions,
so no backtracking); every token keeps the index it starts at for error messages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from engine.numbers._errors import NumberExpressionError
from engine.numbers._limits import MAX_DIGITS, MAX_EXPONENT, MAX_WORKING_MAGNITUDE

_MINUS = "-\u2212\u2013\u2012\ufe63\uff0d"  # minus, en dash, figure dash, small/full minus
_TIMES = "*\u00d7\u00b7\u22c5\u2219"  # * × · ⋅ ∙
_DIVIDE = "/\u00f7\u2215"  # / ÷ ∕
_OPEN = {"(": ")", "{": "}"}
_CLOSE = ")}"
_INVISIBLE = "\ufeff\u200b"  # byte-order mark, zero-width space: no part of a number
_DIGITS = "0123456789"  # ASCII only: str.isdigit() also takes Arabic-Indic digits
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Named constants (floats: they are irrational).
CONSTANTS: dict[str, float] = {"e": math.e, "pi": math.pi, "\u03c0": math.pi}
#: Functions; each takes one argument in parentheses (``√`` also takes a bare number: ``√2``).
FUNCTIONS = ("exp", "log", "ln", "log10", "log2", "sqrt")


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ``num``, ``const``, ``func``, an operator (``+ - * / ^``), an
    opening or closing bracket (``(`` / ``)``, braces read as the same) or ``end``."""

    kind: str
    pos: int
    text: str
    value: Fraction | float = 0.0
    close: str = ""  # for "(": the character that closes it


def describe(token: Token) -> str:
    """How a message names ``token``: ``'π' at position 3`` or ``the end (position 5)``."""
    if token.kind == "end":
        return f"the end (position {token.pos + 1})"
    return f"{token.text!r} at position {token.pos + 1}"


def _error(name: str, reason: str, pos: int | None, kind: str = "syntax") -> NumberExpressionError:
    return NumberExpressionError(name, reason, pos, kind)


def _number(text: str, start: int, name: str) -> tuple[Token, int]:
    """The literal at ``text[start]``: digits, an optional ``.digits`` and ``e±digits``."""
    i = start
    n = len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    whole = text[start:i]
    frac = ""
    if i < n and text[i] == ".":
        j = i + 1
        while j < n and text[j] in _DIGITS:
            j += 1
        frac = text[i + 1 : j]
        i = j
    if not whole and not frac:
        raise _error(name, f"unexpected '.' at position {start + 1}", start)
    exponent = 0
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and (text[j] == "+" or text[j] in _MINUS):
            j += 1
        k = j
        while k < n and text[k] in _DIGITS:
            k += 1
        if k > j:  # "2e3"; a bare "2e" is 2 followed by the constant e
            digits = text[j:k].lstrip("0")
            if len(digits) > 4 or (digits and int(digits) > MAX_EXPONENT):
                raise _error(
                    name,
                    f"the exponent of {text[start:k]!r} at position {start + 1} is too large "
                    f"(at most e±{MAX_EXPONENT})",
                    start,
                    "range",
                )
            exponent = int(digits or "0") * (-1 if text[j - 1] in _MINUS else 1)
            i = k
    significant = len(whole.lstrip("0")) + len(frac.rstrip("0"))
    literal = text[start:i]
    if significant > MAX_DIGITS:
        raise _error(
            name,
            f"{literal[:12]}… at position {start + 1} has {significant} digits; a number holds "
            f"at most {MAX_DIGITS}",
            start,
            "range",
        )
    mantissa = int((whole + frac) or "0")
    shift = exponent - len(frac)
    value = Fraction(mantissa * 10**shift) if shift >= 0 else Fraction(mantissa, 10**-shift)
    if value > MAX_WORKING_MAGNITUDE:
        raise _error(
            name,
            f"{literal!r} at position {start + 1} is too large (numbers here stay within "
            f"±{MAX_WORKING_MAGNITUDE:.0e})",
            start,
            "range",
        )
    return Token("num", start, literal, value), i


def tokenize(text: str, name: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token.

    Raises
    ------
    NumberExpressionError
        For a character or a name that is no part of the grammar, naming its position.
    """
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char.isspace() or char in _INVISIBLE:
            i += 1
        elif char in _DIGITS or char == ".":
            token, i = _number(text, i, name)
            tokens.append(token)
        elif char in _LETTERS:
            j = i
            while j < n and (text[j] in _LETTERS or text[j] in _DIGITS):
                j += 1
            word = text[i:j]
            lower = word.lower()
            if lower in CONSTANTS:
                tokens.append(Token("const", i, word, CONSTANTS[lower]))
            elif lower in FUNCTIONS:
                tokens.append(Token("func", i, lower))
            elif lower in ("nan", "inf", "infinity"):
                raise _error(name, f"{word!r} at position {i + 1}: numbers must be finite", i)
            else:
                known = ", ".join(["e", "pi", "π", *FUNCTIONS, "√"])
                raise _error(
                    name, f"unknown name {word!r} at position {i + 1}; known names: {known}", i
                )
            i = j
        elif char == "\u03c0":
            tokens.append(Token("const", i, char, math.pi))
            i += 1
        elif char == "\u221a":
            tokens.append(Token("func", i, "√"))
            i += 1
        elif char == "*" and text.startswith("**", i):
            tokens.append(Token("^", i, "**"))
            i += 2
        elif char == "^":
            tokens.append(Token("^", i, char))
            i += 1
        elif char == "+":
            tokens.append(Token("+", i, char))
            i += 1
        elif char in _MINUS:
            tokens.append(Token("-", i, char))
            i += 1
        elif char in _TIMES:
            tokens.append(Token("*", i, char))
            i += 1
        elif char in _DIVIDE:
            tokens.append(Token("/", i, char))
            i += 1
        elif char in _OPEN:
            tokens.append(Token("(", i, char, close=_OPEN[char]))
            i += 1
        elif char in _CLOSE:
            tokens.append(Token(")", i, char))
            i += 1
        else:
            hint = ": use a decimal point" if char == "," else ""
            raise _error(name, f"unexpected {char!r} at position {i + 1}{hint}", i)
    tokens.append(Token("end", n, ""))
    return tokens
