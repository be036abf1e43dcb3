"""The derivations of the ``derivation_step`` exercises: data, in
``resources/data/derivations.json``, checked here when first read.

A derivation is what it derives, its lines in order, and for the lines asked about (never line
0, which is always given) why the line follows and the slips offered instead of it. Adding a
derivation or a slip is an edit of that file; a malformed file raises ``ValueError`` naming the
place.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

from engine.checks import check_int

#: The file, inside the ``resources`` package.
DERIVATIONS_FILE = "data/derivations.json"


class Slip(NamedTuple):
    """A wrong next line, the code of its slip and why it is wrong."""

    line: str
    code: str
    why: str


@dataclass(frozen=True)
class Derivation:
    """What is derived, the lines, and ``{line number: (why it follows, slips)}``."""

    derives: str
    lines: tuple[str, ...]
    steps: dict[int, tuple[str, tuple[Slip, ...]]]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string, got {value!r}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where} must be a non-empty list, got {value!r}")
    return value


def _step(entry: Any, where: str, count: int) -> tuple[int, str, tuple[Slip, ...]]:
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be an object, got {entry!r}")
    line = check_int(entry.get("line"), f"{where}.line", minimum=1, maximum=count - 1)
    slips = []
    for k, slip in enumerate(_list(entry.get("slips"), f"{where}.slips")):
        here = f"{where}.slips[{k}]"
        if not isinstance(slip, dict):
            raise ValueError(f"{here} must be an object, got {slip!r}")
        slips.append(
            Slip(
                _text(slip.get("line"), f"{here}.line"),
                _text(slip.get("slip"), f"{here}.slip"),
                _text(slip.get("why"), f"{here}.why"),
            )
        )
    return line, _text(entry.get("why"), f"{where}.why"), tuple(slips)


def parse_derivations(text: str) -> tuple[Derivation, ...]:
    """The derivations in ``text`` (the JSON of :data:`DERIVATIONS_FILE`).

    Raises
    ------
    ValueError
        ``text`` is not JSON, or an entry is missing, empty, of the wrong type, a step's line
        is out of range or asked twice; the message names the entry (``derivations[1].steps[0]``).
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"text is not JSON: {error}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"text must hold a JSON object, got {type(doc).__name__}")
    found = []
    for i, entry in enumerate(_list(doc.get("derivations"), "derivations")):
        where = f"derivations[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be an object, got {entry!r}")
        lines = tuple(
            _text(line, f"{where}.lines[{n}]")
            for n, line in enumerate(_list(entry.get("lines"), f"{where}.lines"))
        )
        if len(lines) < 2:
            raise ValueError(f"{where}.lines must hold at least 2 lines, got {len(lines)}")
        steps: dict[int, tuple[str, tuple[Slip, ...]]] = {}
        for k, raw in enumerate(_list(entry.get("steps"), f"{where}.steps")):
            line, why, slips = _step(raw, f"{where}.steps[{k}]", len(lines))
            if line in steps:
                raise ValueError(f"{where}.steps[{k}]: line {line} is asked twice")
            steps[line] = (why, slips)
        found.append(Derivation(_text(entry.get("derives"), f"{where}.derives"), lines, steps))
    return tuple(found)


@functools.cache
def derivations() -> tuple[Derivation, ...]:
    """The derivations of :data:`DERIVATIONS_FILE` (read once)."""
    text = resources.files("resources").joinpath(DERIVATIONS_FILE).read_text(encoding="utf-8")
    return parse_derivations(text)
