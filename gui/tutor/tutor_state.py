"""Validating reads for the tutor panels' saved state (session files can be damaged or edited).

Every reader returns ``None`` for anything it does not accept, and the caller keeps its current
value: a bad entry is skipped, never clamped or half-applied, and nothing here raises.
"""

from __future__ import annotations

from engine.checks import is_int

#: The longest answer or pasted output restored, the same bound as a paste into a matrix.
MAX_TEXT_CHARS = 200_000


def read_text(value: object) -> str | None:
    """``value`` if it is a string of at most :data:`MAX_TEXT_CHARS` characters."""
    if isinstance(value, str) and len(value) <= MAX_TEXT_CHARS:
        return value
    return None


def read_int(value: object, low: int, high: int) -> int | None:
    """``value`` if it is an int (not a bool) in ``[low, high]``."""
    if is_int(value) and low <= value <= high:
        return value
    return None


def read_bool(value: object) -> bool | None:
    """``value`` if it is a bool."""
    return value if isinstance(value, bool) else None
