"""Plain JSON values: the engine's one JSON reader :func:`parse_json`, and :func:`to_plain_json`
for what is written (both exported by :mod:`engine.storage`).

Every problem with JSON text becomes one ``ValueError`` in words, so no caller has to know the
decoder's other ways to fail: ``RecursionError`` for deep nesting, and a bare ``ValueError``
("use sys.set_int_max_str_digits()") for a whole number of more than 4,300 digits, which used to
stop KernelScope from starting when ``autosave.json`` held one.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["MAX_JSON_INT_DIGITS", "parse_json", "to_plain_json"]

#: Most digits a whole number in a JSON file may have. Python's ``int()`` refuses more than
#: 4,300 (with a ``ValueError`` that is no ``JSONDecodeError``) and is quadratic in the digits
#: when that limit is lifted; nothing KernelScope stores comes near 1,000 digits.
MAX_JSON_INT_DIGITS = 1000


class _TooManyDigits:
    """Stands in for an integer that was not converted, so its place can be named."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _place(path: list[str | int]) -> str:
    """Words for where a value sits: ``the value of "out" in item 2 of "layers"``."""
    if not path:
        return "the top-level value"
    words = "the value of"
    joiner = " "
    for part in reversed(path):
        if isinstance(part, int):
            words += f"{joiner}item {part + 1}"
            joiner = " of "
        else:
            name = part if len(part) <= 40 else f"{part[:30]}…"
            words += f'{joiner}"{name}"'
            joiner = " in "
    return words


def _find_too_many_digits(value: Any) -> tuple[list[str | int], int] | None:
    """The path to the first :class:`_TooManyDigits` in ``value`` and its digit count.

    Iterative: the parsed structure can be as deep as the recursion limit allowed the parser.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, _TooManyDigits):
            return path, item.digits
        if isinstance(item, dict):
            children = [(v, [*path, k]) for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, [*path, i]) for i, v in enumerate(item)]
        else:
            continue
        stack.extend(reversed(children))  # the first one in the file is reported
    return None


def parse_json(text: str) -> Any:
    """Read JSON text (a leading byte-order mark is allowed) into plain Python values.

    The one JSON reader of the engine (sessions, settings, network files): every problem with
    the text is a ``ValueError`` whose message a user can act on. Python's ``json.loads`` alone
    raises a bare ``ValueError`` ("use sys.set_int_max_str_digits()") for a whole number of more
    than 4,300 digits and ``RecursionError`` for deep nesting.

    Raises
    ------
    ValueError
        ``not valid JSON: <why> at line L, column C``; ``not valid JSON: nested too deeply``;
        or ``<where> is a whole number of N digits (at most 1,000 are read)``, naming the field,
        e.g. ``the value of "out_channels" in item 3 of "layers"``.
    """
    refused: list[_TooManyDigits] = []  # the parsed values are searched only when not empty

    def read_int(digits_text: str) -> int | _TooManyDigits:
        digits = len(digits_text) - digits_text.startswith("-")
        if digits <= MAX_JSON_INT_DIGITS:
            return int(digits_text)
        refused.append(_TooManyDigits(digits))
        return refused[-1]

    try:
        value = json.loads(text.removeprefix("\ufeff"), parse_int=read_int)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply to be a KernelScope file") from None
    except ValueError as exc:  # any other refusal of the decoder is damage too
        raise ValueError(f"not valid JSON: {exc}") from None
    found = _find_too_many_digits(value) if refused else None
    if found is not None:
        path, digits = found
        raise ValueError(
            f"{_place(path)} is a whole number of {digits:,} digits (at most "
            f"{MAX_JSON_INT_DIGITS:,} are read)"
        )
    return value


def to_plain_json(value: Any, *, where: str = "value") -> Any:
    """Return ``value`` as plain JSON types (dict/list/str/int/float/bool/None).

    numpy scalars become Python numbers, numpy arrays and tuples become (nested) lists, dict keys
    must be strings. Non-finite floats are kept (Python's ``json`` reads ``NaN``/``Infinity``
    back). Anything else raises ``ValueError`` naming where in the structure it sits.

    Parameters
    ----------
    value
        The structure to convert.
    where
        Name used in error messages for the top of the structure.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.generic):
        return to_plain_json(value.item(), where=where)
    if isinstance(value, np.ndarray):
        return to_plain_json(value.tolist(), where=where)
    if isinstance(value, (list, tuple)):
        return [to_plain_json(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: dict key {key!r} is not a string")
            out[key] = to_plain_json(item, where=f"{where}[{key!r}]")
        return out
    raise ValueError(f"{where}: {type(value).__name__} value {value!r} is not a plain JSON type")
