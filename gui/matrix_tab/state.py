"""Reading the Matrix & kernel tab's saved state back safely (plain JSON types only).

Each panel saves and restores its own part (``save_state()``/``restore_state(state)``); this
module holds the checks a value from a session file must pass before a widget sees it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.checks import is_int
from engine.matrix import MATRIX_LIMITS, matrix_from_state
from engine.numbers import as_exact

STATE_VERSION = 2
#: Largest input and kernel matrices (the engine's one table of the tab's ranges).
MAX_INPUT_SIDE = MATRIX_LIMITS["input_side"][1]
MAX_KERNEL_SIDE = MATRIX_LIMITS["kernel_side"][1]


def read_matrix(
    value: Any, max_side: int, refused: list[str] | None = None, *, name: str = "matrix"
) -> np.ndarray | None:
    """A saved matrix held to the limits of typing (size, finite, ``|v| ≤ 1e12``) as an exact
    array, or None; why a saved (not missing) matrix was refused is added to ``refused``."""
    try:
        arr = matrix_from_state(value, max_side=max_side, name=name)
    except ValueError as exc:
        if refused is not None and value is not None:
            refused.append(str(exc))
        return None
    return as_exact(arr)


def read_kernels(value: Any, refused: list[str] | None = None) -> list[tuple[str, np.ndarray]]:
    """``[(name, values)]`` from saved kernels; entries that are not valid kernels are skipped
    and, when ``refused`` is given, why each was skipped is added to it."""
    kernels = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            name = str(item.get("name") or "Kernel")
            k = read_matrix(item.get("values"), MAX_KERNEL_SIDE, refused, name=f"kernel {name!r}")
            if k is not None:
                kernels.append((name, k))
    return kernels


def read_int_pair(value: Any, low: int, high: int) -> tuple[int, int] | None:
    """Two ints within ``low…high`` (a saved kernel size), or None."""
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(is_int(v) and low <= v <= high for v in value)
    ):
        return (value[0], value[1])
    return None


def _saved_int_text(value: int) -> str:
    """``1,099,511,627,776``; a number too long to read is described by its length."""
    digits = len(str(abs(value)))
    return f"{value:,}" if digits <= 18 else f"a number of {digits:,} digits"


def read_spin_value(
    value: Any, low: int, high: int, label: str, refused: list[str] | None = None
) -> int | None:
    """A saved whole number that fits a spin box's range ``low…high``, or None.

    A spin box holds a C int: ``setValue(2**40)`` raised ``OverflowError``, which cost the
    whole tab its restore. A saved int out of range is skipped and, when ``refused`` is given,
    named there in words (``"the saved stride 2,147,483,648 is outside 1…8"``); a missing or
    non-integer value is skipped silently, as for every other setting.
    """
    if not is_int(value):
        return None
    if low <= value <= high:
        return value
    if refused is not None:
        refused.append(f"the saved {label} {_saved_int_text(value)} is outside {low}…{high}")
    return None
