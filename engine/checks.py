"""The engine's argument validators: one wording for every ``ValueError``, naming the argument.

Every public engine function checks its arguments with these before computing, so a bad value
from the GUI, a file or a notebook is reported the same way everywhere:
``"stride must be at least 1, got 0"``, ``"mode must be one of ('max', 'avg'), got 'min'"``.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:  # only in annotations: no runtime dependency on typing_extensions
    from typing_extensions import TypeIs

__all__ = [
    "check_array",
    "check_choice",
    "check_float_array",
    "check_int",
    "is_int",
    "is_integer",
    "is_real",
    "nonnegative_float",
]

T = TypeVar("T")


def check_choice(value: T, name: str, choices: Collection[T]) -> T:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    ValueError
        ``"<name> must be one of (…), got …"``.
    """
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def is_int(value: object) -> TypeIs[int]:
    """Whether ``value`` is a Python int and not a ``bool`` (``True`` is an int to Python).

    numpy integers are not Python ints (see :func:`is_integer`); JSON only ever gives Python ints.
    """
    return isinstance(value, int) and not isinstance(value, bool)


def is_integer(value: object) -> TypeIs[int | np.integer]:
    """Whether ``value`` is a Python or numpy integer and not a ``bool`` or ``numpy.bool_``."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_real(value: object) -> TypeIs[int | float]:
    """Whether ``value`` is a Python int or float and not a ``bool`` (NaN and ±inf included)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_int(
    value: object, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as a Python int within ``[minimum, maximum]`` (either bound optional).

    Python and numpy integers are accepted; ``bool`` and floats (even ``3.0``) are not, so a
    slip such as passing ``True`` or a computed float is caught.

    Raises
    ------
    ValueError
        ``"<name> must be an integer, got …"``, then ``"<name> must be in 0…9, got …"`` when
        both bounds are given, else ``"… must be at least …"`` / ``"… must be at most …"``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    number = int(value)
    low = minimum is not None and number < minimum
    high = maximum is not None and number > maximum
    if (low or high) and minimum is not None and maximum is not None:
        raise ValueError(f"{name} must be in {minimum}…{maximum}, got {value!r}")
    if low:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    if high:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")
    return number


def check_array(value: object, name: str, ndims: tuple[int, ...] = (2,)) -> np.ndarray:
    """``value`` as a non-empty integer or float ndarray with an allowed number of dimensions
    and no NaN or infinity. Integer arrays stay integer (exact results downstream).

    Raises
    ------
    ValueError
        When it is not numeric (ragged lists, strings, booleans, complex), has another number
        of dimensions, is empty or contains NaN/infinity.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} has unsupported dtype {arr.dtype}; use integers or floats")
    if arr.ndim not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {wanted}, got {arr.ndim}-D with shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def check_float_array(value: object, name: str, ndims: tuple[int, ...] = (1,)) -> np.ndarray:
    """``value`` as a new, non-empty, finite float64 array with an allowed number of dimensions
    (vectors of logits, points for finite differences, design matrices).

    Raises
    ------
    ValueError
        ``"<name> must be numbers, got …"``, ``"<name> must be 1-D, got shape …"``,
        ``"<name> must not be empty, got shape …"`` or ``"<name> must be finite, got …"``.
    """
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {value!r}") from None
    if arr.ndim not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {wanted}, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        shown = arr.tolist() if arr.size <= 16 else f"an array of shape {arr.shape}"
        raise ValueError(f"{name} must be finite, got {shown!r}")
    return arr


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
