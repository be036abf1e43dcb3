"""What the Matrix & kernel tab's widgets can hold: the one table of its numeric ranges.

The tab builds every spin box from :data:`MATRIX_LIMITS` and checks every number a session restores
against it first (a ``QSpinBox`` holds a C int, so ``setValue(2**40)`` overflowed and cost the
tab its restore), so the spin boxes and the checks cannot drift apart.
"""

from __future__ import annotations

from engine.checks import is_int

__all__ = ["MATRIX_LIMITS", "clamp_to_matrix_limits", "within_matrix_limits"]

#: ``{setting: (lowest, highest)}``, both ends allowed; every value is a whole number.
MATRIX_LIMITS: dict[str, tuple[int, int]] = {
    "input_side": (1, 64),  # rows/columns of the input (and gradient, target) matrix
    "kernel_side": (1, 15),  # rows/columns of a kernel
    "kernels": (1, 6),  # kernels side by side, each with its own output
    "custom_pad": (0, 16),
    "stride": (1, 8),
    "dilation": (1, 8),
    "pool_size": (1, 8),
    "pool_stride": (1, 8),
    "solver_side": (1, 15),  # rows/columns of the kernel the solver looks for
    "layer_channels": (1, 4),  # conv layer mode: input channels C
    "layer_filters": (1, 4),  # conv layer mode: filters N
    "random_value": (-9999, 9999),  # the "random integers" fill's lowest/highest
}


def _range(name: str) -> tuple[int, int]:
    if name not in MATRIX_LIMITS:
        raise ValueError(f"name must be one of {', '.join(MATRIX_LIMITS)}, got {name!r}")
    return MATRIX_LIMITS[name]


def within_matrix_limits(name: str, value: object) -> bool:
    """Whether ``value`` is a usable ``name`` setting: a Python int (never a bool or float)
    inside :data:`MATRIX_LIMITS`.

    Raises
    ------
    ValueError
        ``name`` is not in :data:`MATRIX_LIMITS`.
    """
    low, high = _range(name)
    return is_int(value) and low <= value <= high


def clamp_to_matrix_limits(name: str, value: int) -> int:
    """``value`` moved into ``name``'s range of :data:`MATRIX_LIMITS`.

    Raises
    ------
    ValueError
        ``name`` is not in :data:`MATRIX_LIMITS`, or ``value`` is not an int (bools refused).
    """
    low, high = _range(name)
    if not is_int(value):
        raise ValueError(f"value must be an integer, got {value!r}")
    return min(max(value, low), high)
