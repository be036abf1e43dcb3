"""Split one derivation line into tokens: the LaTeX students type and plain text alike.

One pass over the characters, no regular expressions on the maths (no backtracking). Every
token keeps the index where it starts so that messages can point at the character.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.derivation._limits import MAX_LINE_CHARS, MAX_NUMBER_DIGITS, MAX_TOKENS

_MINUS = "-\u2212\u2013\u2012\ufe63\uff0d"  # - − – ‒ ﹣ －
_TIMES = "*\u00d7\u00b7\u22c5\u2219"  # * × · ⋅ ∙
_SKIPPED_CHARS = " \t\r\n&$\ufeff\u200b\u00a0"  # spaces, align and maths marks, invisibles
_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"

#: Unicode letters read as names (Greek and the precomposed ŷ).
_UNICODE_NAMES = {"\u03bb": "lambda", "\u03b4": "delta", "\u0177": "yhat", "\u03c3": "sigma"}
#: Unicode operators and the token kind each becomes.
_UNICODE_OPS = {
    "\u2211": "sum",  # ∑
    "\u03a3": "sum",  # Σ
    "\u2202": "partial",  # ∂
    "\u2207": "nabla",  # ∇
    "\u2016": "norm",  # ‖
    "\u221a": "sqrt",  # √
    "\u1d40": "transpose",  # ᵀ
    "\u2260": "neq",  # ≠
    "\u00b2": "square",  # ²
}

#: LaTeX commands and what they become: a token kind, or None to skip the command.
_COMMANDS: dict[str, str | None] = {
    "frac": "frac", "dfrac": "frac", "tfrac": "frac",
    "sum": "sum", "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt",
    "hat": "hat", "widehat": "hat", "partial": "partial", "nabla": "nabla",
    "cdot": "times", "times": "times", "top": "top", "intercal": "top",
    "neq": "neq", "ne": "neq", "star": "star", "ast": "star",
    "|": "norm", "Vert": "norm", "lVert": "norm", "rVert": "norm",
    "delta": "name:delta", "lambda": "name:lambda", "sigma": "name:sigma",
    "left": None, "right": None, "big": None, "Big": None, "bigl": None, "bigr": None,
    "Bigl": None, "Bigr": None, "bigg": None, "Bigg": None, "biggl": None, "biggr": None,
    "limits": None, "displaystyle": None, "mathbf": None, "boldsymbol": None, "bm": None,
    "mathrm": None, "mathit": None, "vec": None, "operatorname": None,
    ",": None, ";": None, "!": None, ":": None, " ": None, "\\": None, "[": None, "]": None,
}  # fmt: skip

#: Words of plain text with a meaning; any other run of letters is read letter by letter
#: (``Xw`` is X times w, ``nλ`` is n times λ).
_WORDS = {
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "sum": "sum",
    "lambda": "name:lambda", "lam": "name:lambda", "delta": "name:delta",
    "yhat": "name:yhat", "hat": "hat", "partial": "partial", "nabla": "nabla", "grad": "nabla",
}  # fmt: skip

_SINGLE = {
    "+": "+", "=": "=", "/": "/", "^": "^", "_": "_", "(": "(", ")": ")", "{": "{", "}": "}",
    "[": "(", "]": ")", ",": ",", "'": "transpose", "!": "!",
}  # fmt: skip


class ReadError(ValueError):
    """A line could not be read; ``position`` is the 0-based index of the offending character."""

    def __init__(self, reason: str, position: int | None) -> None:
        where = f" (character {position + 1})" if position is not None else ""
        super().__init__(f"{reason}{where}")
        self.reason = reason
        self.position = position


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` (``num``, ``name``, ``frac``, ``sum``, ``+``, …, ``end``), where it
    starts in the line, and its text (a name's canonical spelling, a number's digits)."""

    kind: str
    pos: int
    text: str


def _command(line: str, start: int) -> tuple[str | None, str, int]:
    """Read the LaTeX command at ``line[start] == '\\'``: (kind or None, name, next index)."""
    i = start + 1
    if i < len(line) and line[i] not in _LATIN:
        name = line[i]
        i += 1
    else:
        while i < len(line) and line[i] in _LATIN:
            i += 1
        name = line[start + 1 : i]
    if not name:
        raise ReadError("a lone backslash", start)
    if name not in _COMMANDS:
        raise ReadError(f"unknown LaTeX command \\{name}", start)
    return _COMMANDS[name], name, i


def _word_tokens(word: str, start: int) -> list[Token]:
    """A run of ASCII letters: a known word, else one name per letter."""
    kind = _WORDS.get(word)
    if kind is not None:
        return [_named(kind, start, word)]
    return [Token("name", start + k, ch) for k, ch in enumerate(word)]


def _named(kind: str, pos: int, text: str) -> Token:
    if kind.startswith("name:"):
        return Token("name", pos, kind[5:])
    return Token(kind, pos, text)


def tokenize(line: str) -> list[Token]:
    """The tokens of ``line`` ending with an ``end`` token.

    Raises
    ------
    ReadError
        For a character or command the reader does not know, a number with too many digits,
        or a line longer than :data:`MAX_LINE_CHARS` / with more than :data:`MAX_TOKENS`.
    """
    if len(line) > MAX_LINE_CHARS:
        raise ReadError(f"the line has {len(line)} characters, more than {MAX_LINE_CHARS}", None)
    tokens: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        if len(tokens) > MAX_TOKENS:
            raise ReadError(f"more than {MAX_TOKENS} symbols in one line", i)
        ch = line[i]
        if ch in _SKIPPED_CHARS:
            i += 1
        elif ch == "\\":
            kind, name, i_next = _command(line, i)
            if kind is not None:
                tokens.append(_named(kind, i, name))
            i = i_next
        elif ch in _DIGITS or (ch == "." and i + 1 < n and line[i + 1] in _DIGITS):
            j = i
            while j < n and line[j] in _DIGITS:
                j += 1
            if j < n and line[j] == "." and j + 1 < n and line[j + 1] in _DIGITS:
                j += 1
                while j < n and line[j] in _DIGITS:
                    j += 1
            if j - i > MAX_NUMBER_DIGITS:
                raise ReadError(f"a number with more than {MAX_NUMBER_DIGITS} digits", i)
            tokens.append(Token("num", i, line[i:j]))
            i = j
        elif ch == ".":  # a full stop ending a sentence
            i += 1
        elif ch in _LATIN:
            j = i
            while j < n and line[j] in _LATIN:
                j += 1
            tokens.extend(_word_tokens(line[i:j], i))
            i = j
            if i < n and line[i] == "\u0302":  # y + combining circumflex = ŷ
                last = tokens[-1]
                tokens[-1] = Token("name", last.pos, last.text + "hat")
                i += 1
        elif ch in _MINUS:
            tokens.append(Token("-", i, "-"))
            i += 1
        elif ch in _TIMES:
            if line.startswith("**", i):
                tokens.append(Token("^", i, "**"))
                i += 2
            else:
                tokens.append(Token("times", i, ch))
                i += 1
        elif line.startswith("||", i):
            tokens.append(Token("norm", i, "||"))
            i += 2
        elif line.startswith("!=", i):
            tokens.append(Token("neq", i, "!="))
            i += 2
        elif line.startswith("\u207b\u00b9", i):  # ⁻¹
            tokens.append(Token("inverse", i, "\u207b\u00b9"))
            i += 2
        elif ch in _UNICODE_NAMES:
            tokens.append(Token("name", i, _UNICODE_NAMES[ch]))
            i += 1
        elif ch in _UNICODE_OPS:
            tokens.append(Token(_UNICODE_OPS[ch], i, ch))
            i += 1
        elif ch in _SINGLE:
            tokens.append(Token(_SINGLE[ch], i, ch))
            i += 1
        else:
            raise ReadError(f"unexpected character {ch!r}", i)
    tokens.append(Token("end", n, ""))
    return tokens
