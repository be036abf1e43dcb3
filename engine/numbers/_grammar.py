"""A recursive-descent parser for arithmetic answers, computing as it parses.

Grammar (lowest precedence first; ``^`` is right-associative and binds tighter than a sign,
so ``-2^2 = -4`` and ``2^-1 = 1/2``)::

    sum     := product (("+" | "-") product)*
    product := signed (("*" | "/") signed)*
    signed  := ("+" | "-")* power
    power   := atom ("^" signed)?
    atom    := number | constant | "(" sum ")" | function "(" sum ")" | "√" atom

Nothing in the text is ever run as code: each token is matched by hand against this grammar,
and the recursion is bounded by :data:`MAX_NESTING` (signs are counted in a loop).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from engine.checks import is_real
from engine.numbers import _values as V
from engine.numbers._errors import NumberExpressionError
from engine.numbers._limits import (
    MAX_EXPRESSION_CHARS,
    MAX_MAGNITUDE,
    MAX_NESTING,
    MAX_WORKING_MAGNITUDE,
)
from engine.numbers._tokens import Token, describe, tokenize

_BINARY: dict[str, Callable[[V.Value, V.Value, V.Where], V.Value]] = {
    "+": V.add,
    "-": V.subtract,
    "*": V.multiply,
    "/": V.divide,
}
_OPERAND_START = ("num", "const", "func", "(")


class _Parser:
    def __init__(self, tokens: list[Token], name: str) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.name = name

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def error(self, reason: str, token: Token, kind: str = "syntax") -> NumberExpressionError:
        return NumberExpressionError(self.name, reason, token.pos, kind)

    def unexpected(self, token: Token) -> NumberExpressionError:
        if token.kind == "end":
            return self.error(f"a number is missing at {describe(token)}", token)
        return self.error(f"unexpected {describe(token)}", token)

    def deeper(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(
                f"nested more than {MAX_NESTING} levels deep at {describe(token)}", token, "range"
            )

    def whole(self) -> V.Value:
        value = self.sum()
        token = self.peek()
        if token.kind in _OPERAND_START:
            raise self.error(
                f"unexpected {describe(token)}: put an operator (+ − * / ^) between two numbers",
                token,
            )
        if token.kind != "end":
            raise self.unexpected(token)
        return value

    def sum(self) -> V.Value:
        value = self.product()
        while self.peek().kind in ("+", "-"):
            op = self.take()
            right = self.product()
            value = _BINARY[op.kind](value, right, V.Where(self.name, op.pos, repr(op.text)))
        return value

    def product(self) -> V.Value:
        value = self.signed()
        while self.peek().kind in ("*", "/"):
            op = self.take()
            right = self.signed()
            value = _BINARY[op.kind](value, right, V.Where(self.name, op.pos, repr(op.text)))
        return value

    def signed(self) -> V.Value:
        negative = False
        while self.peek().kind in ("+", "-"):
            negative ^= self.take().kind == "-"
        value = self.power()
        return -value if negative else value

    def power(self) -> V.Value:
        base = self.atom()
        if self.peek().kind != "^":
            return base
        op = self.take()
        self.deeper(op)
        exponent = self.signed()
        self.depth -= 1
        return V.power(base, exponent, V.Where(self.name, op.pos, repr(op.text)))

    def group(self, opening: Token) -> V.Value:
        """The sum inside ``opening`` up to its matching closing bracket."""
        self.deeper(opening)
        value = self.sum()
        closing = self.peek()
        if closing.kind == "end":
            raise self.error(
                f"{describe(opening)} is never closed: a {opening.close!r} is missing", opening
            )
        if closing.kind != ")" or closing.text != opening.close:
            if closing.kind in _OPERAND_START:
                raise self.error(
                    f"unexpected {describe(closing)}: put an operator (+ − * / ^) between two "
                    "numbers",
                    closing,
                )
            raise self.error(
                f"unexpected {describe(closing)}: expected {opening.close!r} to close "
                f"{describe(opening)}",
                closing,
            )
        self.take()
        self.depth -= 1
        return value

    def atom(self) -> V.Value:
        token = self.take()
        if token.kind in ("num", "const"):
            return token.value
        if token.kind == "(":
            return self.group(token)
        if token.kind != "func":
            raise self.unexpected(token)
        where = V.Where(self.name, token.pos, token.text)
        if token.text == "√":
            self.deeper(token)
            argument = self.atom()
            self.depth -= 1
            return V.sqrt(argument, where)
        opening = self.peek()
        if opening.kind != "(":
            raise self.error(f"{describe(token)} needs parentheses: write {token.text}(…)", token)
        argument = self.group(self.take())
        if token.text == "exp":
            return V.exp(argument, where)
        if token.text == "sqrt":
            return V.sqrt(argument, where)
        bases = {"log10": 10, "log2": 2}
        return V.log(argument, where, bases.get(token.text))


def evaluate_number(
    text: str, *, name: str = "text", max_magnitude: float = MAX_MAGNITUDE
) -> int | Fraction | float:
    """The value of an arithmetic answer such as ``(8+2-2)/3+1`` or ``16*(3*3*3+1)``.

    Accepts integers, decimals, ``1e-3``, the Unicode minus ``−``, ``+ - * / × · ÷``, powers
    ``^`` and ``**``, parentheses (and braces, ``e^{2}``), the constants ``e``, ``pi``/``π`` and
    the functions ``exp``, ``log``/``ln`` (natural), ``log10``, ``log2``, ``sqrt``/``√``.
    The text is parsed by hand, never run as code.

    Parameters
    ----------
    text
        What was typed.
    name
        The argument's name for messages (``"λ"``, ``"answer"``).
    max_magnitude
        The largest |result| accepted (default :data:`MAX_MAGNITUDE`, the project's limit).

    Returns
    -------
    int | fractions.Fraction | float
        Exact wherever the arithmetic is (``(8+2-2)/3+1`` is ``Fraction(11, 3)``, ``2^10`` is
        ``1024``, ``0.1`` is ``Fraction(1, 10)``, ``sqrt(9/4)`` is ``Fraction(3, 2)``); a
        ``float`` once an irrational constant or function enters.

    Raises
    ------
    NumberExpressionError
        A ``ValueError`` whose message starts with ``name`` and names the position of the
        offending character (``"text: unexpected ')' at position 7"``); also for text longer
        than :data:`MAX_EXPRESSION_CHARS`, nesting deeper than :data:`MAX_NESTING`, division
        by zero, and values beyond ``max_magnitude`` — refused before anything huge is built.
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a string, got {name!r}")
    if not isinstance(text, str):
        raise NumberExpressionError(
            name, f"must be a string, got {type(text).__name__}", None, "syntax"
        )
    if not is_real(max_magnitude):
        raise ValueError(f"max_magnitude must be a number, got {max_magnitude!r}")
    if not 0 < max_magnitude <= MAX_WORKING_MAGNITUDE:
        raise ValueError(
            f"max_magnitude must be in (0, {MAX_WORKING_MAGNITUDE:.0e}], got {max_magnitude!r}"
        )
    if len(text) > MAX_EXPRESSION_CHARS:
        raise NumberExpressionError(
            name,
            f"{len(text):,} characters is too long for a number; at most "
            f"{MAX_EXPRESSION_CHARS} are read",
            None,
            "range",
        )
    tokens = tokenize(text, name)
    if tokens[0].kind == "end":
        raise NumberExpressionError(
            name, "is empty: type a number or an expression such as 3/7", None, "syntax"
        )
    value = _Parser(tokens, name).whole()
    if value > max_magnitude or value < -max_magnitude:
        raise NumberExpressionError(
            name,
            f"the value {float(value):.15g} is beyond ±{max_magnitude:.0e}, the largest number "
            "accepted here",
            None,
            "range",
        )
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    return value + 0.0  # no −0.0
