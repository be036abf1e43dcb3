"""The one error the number grammar raises."""

from __future__ import annotations

#: What went wrong: the text is not an expression (``syntax``), has no real value (``domain``:
#: division by zero, ``sqrt(-1)``, ``log 0``) or is too long, deep or large (``range``).
ERROR_KINDS = ("syntax", "domain", "range")


class NumberExpressionError(ValueError):
    """A number expression could not be read or has no value within the limits.

    Attributes
    ----------
    name
        The argument that held the text (``"text"``, ``"λ"``, …); the message starts with it.
    reason
        The message without the argument's name, for callers that name the text themselves.
    position
        0-based index of the offending character in the text (``text[position]``), or ``None``
        when the whole text is at fault (too long, too large a result). Messages count
        characters from 1, as people do.
    kind
        One of :data:`ERROR_KINDS`.
    """

    def __init__(self, name: str, reason: str, position: int | None, kind: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
        self.position = position
        self.kind = kind
