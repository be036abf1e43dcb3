"""Exact rank-1 factorisation of integer kernels, shared by the kernel tools (which show the
factors) and the numpy fast path (which runs a rank-1 kernel as two 1-D passes)."""

from __future__ import annotations

import math

import numpy as np


def integer_outer_factors(
    kernel: np.ndarray, dtype: np.dtype | type = np.int64
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(u, v)`` with ``kernel == outer(u, v)`` exactly over the integers, or ``None``.

    A rank-1 integer matrix is the outer product of an integer column and a primitive integer
    row (gcd 1), here the first non-zero row divided by its gcd; the arithmetic uses Python
    ints, so it is exact for any entry size. ``None`` for an all-zero kernel or one that is
    not rank 1. The factors are returned as arrays of ``dtype``.
    """
    rows = [[int(v) for v in row] for row in np.asarray(kernel).tolist()]
    pivot_row = next((r for r in rows if any(r)), None)
    if pivot_row is None:
        return None
    g = math.gcd(*pivot_row)
    v = [e // g for e in pivot_row]
    j0 = next(j for j, e in enumerate(v) if e)
    u = []
    for row in rows:
        if row[j0] % v[j0]:
            return None
        factor = row[j0] // v[j0]
        if any(factor * vj != e for vj, e in zip(v, row, strict=True)):
            return None
        u.append(factor)
    return np.array(u, dtype=dtype), np.array(v, dtype=dtype)
