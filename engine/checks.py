"""Validation of scalar arguments shared by the engine (one wording for every ValueError)."""

from __future__ import annotations

import math


def nonnegative_float(
    value: object, name: str, *, strictly_positive: bool = False, hint: str = ""
) -> float:
    """``value`` as a finite float ≥ 0 (or > 0 with ``strictly_positive``).

    Raises
    ------
    ValueError
        ``"<name> must be a number, got …"`` when ``float()`` refuses it, else
        ``"<name> must be finite and ≥ 0, got …"`` (``> 0``), followed by ``hint``.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    in_range = number > 0 if strictly_positive else number >= 0
    if not math.isfinite(number) or not in_range:
        relation = "> 0" if strictly_positive else "≥ 0"
        raise ValueError(f"{name} must be finite and {relation}, got {value!r}{hint}")
    return number
