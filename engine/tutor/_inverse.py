""" "Which input?": recover the input that several known-kernel outputs came from.

Every output cell is a linear function of the input cells, so all outputs together form one
linear system ``A x = b`` (one row per output cell, one column per input cell).  Least squares
gives the best input; its residual says whether any single input reproduces every table, and
the rank of ``A`` whether that input is the only one.

Floats only approximate: an answer is called exact only when the rounded answer (whole numbers,
or fractions such as 1/2) reproduces every output *in exact rational arithmetic*, with each cell
read as the number the user typed (``0.000001`` is exactly 1/10⁶, ``1/9`` exactly 1/9). An answer
with cells beyond the ±1e12 a cell holds is refused in words instead of being cast to int64.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from engine.conv.correlate import correlate2d
from engine.conv.exact import correlate_python_ints
from engine.conv.geometry import ConvGeometry, PaddingSpec, PairSpec, conv_geometry
from engine.numbers import MAX_MAGNITUDE
from engine.text import format_number, format_short
from engine.tutor._convolution import OPERATIONS, _matrix


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class InputSolution:
    """The least-squares answer to "which input gives these outputs?".

    Attributes
    ----------
    x
        The best input: int64 when it is whole numbers that reproduce the outputs exactly, else
        float64; the minimum-norm one when several fit equally well.
    rank, unknowns
        Rank of the system and number of input cells.
    unique
        Whether only one input fits best (``rank == unknowns``).
    exact
        Whether ``x`` reproduces every output cell exactly, checked in rational arithmetic
        (float noise never counts as exact).
    residual
        ``‖A x − b‖₂`` over all output cells in floats (0 when exact).
    max_error, worst
        Largest cell error and where: ``(output index, row, col)`` (``None`` when exact).
    reproduced
        What ``x`` gives for each output.
    determined
        Boolean mask of the input cells the outputs pin down (all ``True`` when unique).
    message
        A sentence for the user.
    """

    x: np.ndarray
    rank: int
    unknowns: int
    unique: bool
    exact: bool
    residual: float
    max_error: float
    worst: tuple[int, int, int] | None
    reproduced: tuple[np.ndarray, ...]
    determined: np.ndarray
    message: str


def _matrices(value: object, name: str) -> list[object]:
    """One matrix (2-D) or a sequence of matrices, as a list of matrices."""
    if isinstance(value, np.ndarray):
        return [value] if value.ndim == 2 else list(value)
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{name} must be a 2-D array or a list of them, got {value!r}")
    return [value] if np.ndim(value[0]) == 1 else list(value)


def _per_output(value: object, count: int, name: str) -> list[object]:
    """A ``list`` gives one value per output; anything else applies to every output."""
    if isinstance(value, list):
        if len(value) != count:
            raise ValueError(f"{name} lists {len(value)} values for {count} outputs")
        return list(value)
    return [value] * count


def _infer_shape(
    outputs: Sequence[np.ndarray],
    kernels: Sequence[np.ndarray],
    settings: Sequence[dict[str, object]],
) -> tuple[int, int]:
    """The smallest input shape whose geometry gives every output's shape."""
    shape = []
    for axis in range(2):
        upper = max(
            o.shape[axis] * 4 + k.shape[axis] * 4 + 8 for o, k in zip(outputs, kernels, strict=True)
        )
        for n in range(1, upper):
            if all(
                _fits(n, axis, o, k, s) for o, k, s in zip(outputs, kernels, settings, strict=True)
            ):
                shape.append(n)
                break
        else:
            raise ValueError(
                "outputs: no input size gives all these output sizes with these kernels and "
                "settings; pass input_shape or check the settings"
            )
    return (shape[0], shape[1])


def _fits(n: int, axis: int, out: np.ndarray, kernel: np.ndarray, s: dict[str, object]) -> bool:
    probe = [out.shape[0] * 8 + kernel.shape[0] * 8, out.shape[1] * 8 + kernel.shape[1] * 8]
    probe[axis] = n
    try:
        geo = conv_geometry(probe, kernel.shape, **s)  # type: ignore[arg-type]
    except ValueError:
        return False
    return geo.output_shape[axis] == out.shape[axis]


def _system(
    shape: tuple[int, int], kernel: np.ndarray, s: dict[str, object], operation: str
) -> np.ndarray:
    """Rows of ``A`` for one output: correlate each unit input (small sizes only)."""
    geo = conv_geometry(shape, kernel.shape, **s)  # type: ignore[arg-type]
    k = kernel if operation == "correlate" else kernel[::-1, ::-1]
    top, _, left, _ = geo.pad
    oh, ow = geo.output_shape
    rows = np.zeros((oh * ow, shape[0] * shape[1]))
    for i in range(oh):
        for j in range(ow):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    r = i * geo.stride[0] + a * geo.dilation[0] - top
                    c = j * geo.stride[1] + b * geo.dilation[1] - left
                    if 0 <= r < shape[0] and 0 <= c < shape[1]:
                        rows[i * ow + j, r * shape[1] + c] += float(k[a, b])
    return rows


def solve_input(
    outputs: object,
    kernels: object,
    *,
    padding: PaddingSpec | list[PaddingSpec] = "valid",
    stride: PairSpec | list[PairSpec] = 1,
    dilation: PairSpec | list[PairSpec] = 1,
    operation: str | list[str] = "correlate",
    input_shape: tuple[int, int] | None = None,
) -> InputSolution:
    """Find the input that produced one or more outputs of known kernels, by least squares.

    Parameters
    ----------
    outputs, kernels
        One 2-D output and its kernel, or sequences of them (same length).
    padding, stride, dilation, operation
        As for :func:`engine.correlate2d` / ``"correlate"`` or ``"convolve"``; a ``list`` gives
        one value per output (a tuple is a ``(vertical, horizontal)`` pair).
    input_shape
        ``(rows, cols)`` of the input; by default the smallest one that gives every output's
        size (with stride > 1 several sizes do; the rows no window reaches are then unknown).

    Returns
    -------
    InputSolution
        Exact and unique when the outputs pin the input down, else the best (minimum-norm)
        input with the rank, the residual and which input cells are determined.

    Raises
    ------
    ValueError
        Naming the bad argument; at most 400 input cells.
    """
    outs = [_matrix(o, "outputs") for o in _matrices(outputs, "outputs")]
    kers = [_matrix(k, "kernels") for k in _matrices(kernels, "kernels")]
    if not outs:
        raise ValueError("outputs must hold at least one output")
    if len(outs) != len(kers):
        raise ValueError(f"kernels must give one kernel per output: {len(kers)} for {len(outs)}")
    count = len(outs)
    pads = _per_output(padding, count, "padding")
    strides = _per_output(stride, count, "stride")
    dils = _per_output(dilation, count, "dilation")
    ops = _per_output(operation, count, "operation")
    for op in ops:
        if op not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}, got {op!r}")
    settings = [
        {"padding": p, "stride": s, "dilation": d}
        for p, s, d in zip(pads, strides, dils, strict=True)
    ]
    if input_shape is None:
        shape = _infer_shape(outs, kers, settings)
    else:
        try:
            shape = (int(input_shape[0]), int(input_shape[1]))
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"input_shape must be (rows, cols), got {input_shape!r}") from None
        if shape[0] < 1 or shape[1] < 1:
            raise ValueError(f"input_shape must be positive, got {input_shape!r}")
    if shape[0] * shape[1] > 400:
        raise ValueError(f"input_shape {shape} has more than 400 cells: too large to solve here")
    blocks, geometries = [], []
    for index, (o, k, s, op) in enumerate(zip(outs, kers, settings, ops, strict=True)):
        geo = conv_geometry(shape, k.shape, **s)  # type: ignore[arg-type]
        geometries.append(geo)
        if geo.output_shape != o.shape:
            raise ValueError(
                f"outputs[{index}] is {o.shape[0]}×{o.shape[1]} but a {shape[0]}×{shape[1]} "
                f"input gives {geo.output_shape[0]}×{geo.output_shape[1]} with these settings"
            )
        blocks.append(_system(shape, k, s, str(op)))
    a = np.vstack(blocks)
    b = np.concatenate([o.astype(float).reshape(-1) for o in outs])
    unknowns = shape[0] * shape[1]
    # One SVD gives the minimum-norm least-squares solution, the rank and the null space. With
    # more equations than cells, A = QR first and the SVD of the square R (same singular values
    # and right vectors, 3-4× faster than the SVD of the tall A).
    if a.shape[0] >= unknowns:
        q, r = np.linalg.qr(a)
        ur, sv, vt = np.linalg.svd(r)
        utb = ur.T @ (q.T @ b)
    else:
        u, sv, vt = np.linalg.svd(a, full_matrices=True)
        utb = u.T @ b
    tol = (sv[0] if sv.size else 0.0) * max(a.shape) * np.finfo(float).eps
    rank = int(np.sum(sv > tol))
    with np.errstate(over="ignore", invalid="ignore"):  # tiny weights: checked just below
        sol = vt[:rank].T @ (utb[:rank] / sv[:rank])
    _refuse_beyond_cell_limit(sol.reshape(shape), kers)
    # input cells untouched by every null-space direction are pinned down
    null = vt[rank:]
    determined = np.all(np.abs(null) < 1e-9, axis=0) if null.size else np.ones(unknowns, dtype=bool)
    x = sol.reshape(shape)
    verified = _verified_answer(x, kers, outs, geometries, [str(op) for op in ops])
    exact = verified is not None
    if verified is not None:
        x = verified
    reproduced = []
    for k, s, op in zip(kers, settings, ops, strict=True):
        kk = k if op == "correlate" else k[::-1, ::-1]
        reproduced.append(correlate2d(x, kk, **s))  # type: ignore[arg-type]
    errors = [np.abs(r.astype(float) - o) for r, o in zip(reproduced, outs, strict=True)]
    residual = float(np.sqrt(sum(float((e**2).sum()) for e in errors)))
    max_error = max(float(e.max()) for e in errors)
    scale = max(1.0, float(np.abs(b).max(initial=0.0)))
    close = max_error <= 1e-9 * scale  # fits, up to float rounding
    worst = None
    if not exact:
        index = int(np.argmax([e.max() for e in errors]))
        row, col = np.unravel_index(int(np.argmax(errors[index])), errors[index].shape)
        worst = (index, int(row), int(col))
    unique = rank == unknowns
    verdict = "exact" if exact else "close" if close else "misses"
    message = _message(shape, count, len(b), rank, unknowns, verdict, residual, max_error, worst)
    return InputSolution(
        x=x,
        rank=rank,
        unknowns=unknowns,
        unique=unique,
        exact=exact,
        residual=0.0 if exact else residual,
        max_error=0.0 if exact else max_error,
        worst=worst,
        reproduced=tuple(reproduced),
        determined=determined.reshape(shape),
        message=message,
    )


def _refuse_beyond_cell_limit(x: np.ndarray, kernels: Sequence[np.ndarray]) -> None:
    """Raise when the least-squares answer has a cell beyond ±``MAX_MAGNITUDE`` (or not finite).

    Casting such an answer to int64 gave −9223372036854775808 in every cell, and an infinite one
    failed deep inside the correlation with "x contains NaN or infinity".
    """
    size = np.where(np.isfinite(x), np.abs(x), np.inf)
    if size.max(initial=0.0) <= MAX_MAGNITUDE:
        return
    row, col = np.unravel_index(int(np.argmax(size)), x.shape)
    value = x[row, col]
    shown = format_short(value) if np.isfinite(value) else "larger than any number a float holds"
    text = (
        f"outputs: no input within the ±{MAX_MAGNITUDE:.0e} a cell holds gives these outputs: "
        f"input cell ({row + 1}, {col + 1}) would be {shown}."
    )
    weights = [np.abs(k[k != 0]).min(initial=np.inf) for k in kernels]
    smallest = int(np.argmin(weights))
    if weights[smallest] < 1:
        text += (
            f" The weights of kernel {smallest + 1} (as small as "
            f"{format_short(weights[smallest])}) are too small for outputs this large."
        )
    raise ValueError(text)


#: Largest denominator of a fraction read from a float cell (``1/9``), as :mod:`engine.text`
#: writes them.
_MAX_DENOMINATOR = 10_000


def _typed_value(value: object) -> Fraction:
    """The exact number a cell stands for: an int; a float within rounding of a fraction with a
    small denominator (``1/9``, ``0.25``); else the shortest decimal that reads back as the float
    (``1e-06`` is exactly 1/10⁶, as typed)."""
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    v = float(value)  # type: ignore[arg-type]
    near = Fraction(v).limit_denominator(_MAX_DENOMINATOR)
    if abs(float(near) - v) <= 1e-15 * max(1.0, abs(v)):
        return near
    return Fraction(repr(v))


def _rounded_candidates(x: np.ndarray) -> list[list[Fraction]]:
    """Exact answers ``x`` may stand for: every cell rounded to a whole number, and every cell
    rounded to a simple fraction; float noise is small next to the largest cell."""
    noise = 1e-9 * max(1.0, float(np.abs(x).max(initial=0.0)))
    whole = [Fraction(round(float(v))) for v in x.flat]
    candidates = [whole]
    simple = []
    for v, w in zip(x.flat, whole, strict=True):
        near = w if abs(float(v) - float(w)) <= noise else Fraction(float(v))
        near = near.limit_denominator(_MAX_DENOMINATOR)
        if abs(float(near) - float(v)) > noise:
            return candidates
        simple.append(near)
    if simple != whole:
        candidates.append(simple)
    return candidates


def _as_scaled_ints(values: Sequence[Fraction], shape: tuple[int, ...]) -> tuple[np.ndarray, int]:
    """``values`` times their common denominator ``d`` as an object array of ints, and ``d``."""
    denominator = lcm(*(v.denominator for v in values)) if values else 1
    ints = [v.numerator * (denominator // v.denominator) for v in values]
    array = np.empty(len(ints), dtype=object)
    array[:] = ints
    return array.reshape(shape), denominator


def _verified_answer(
    x: np.ndarray,
    kernels: Sequence[np.ndarray],
    outputs: Sequence[np.ndarray],
    geometries: Sequence[ConvGeometry],
    operations: Sequence[str],
) -> np.ndarray | None:
    """The rounded answer if it reproduces every output exactly (int64 when whole), else None.

    Each kernel and the answer are scaled to integers by their common denominators and
    correlated in Python integers (:func:`engine.conv.exact.correlate_python_ints`), so the
    check has no rounding at all.
    """
    scaled_kernels = []
    for kernel, operation in zip(kernels, operations, strict=True):
        k = kernel if operation == "correlate" else kernel[::-1, ::-1]
        scaled_kernels.append(_as_scaled_ints([_typed_value(v) for v in k.flat], k.shape))
    wanted = [[_typed_value(v) for v in out.flat] for out in outputs]
    for candidate in _rounded_candidates(x):
        answer, d_answer = _as_scaled_ints(candidate, x.shape)
        if all(
            all(
                got == want * (d_kernel * d_answer)
                for got, want in zip(correlate_python_ints(answer, k, geo).flat, out, strict=True)
            )
            for (k, d_kernel), out, geo in zip(scaled_kernels, wanted, geometries, strict=True)
        ):
            if d_answer == 1:
                return answer.astype(np.int64)  # within ±1e12: int64 holds it
            return np.array([float(v) for v in candidate]).reshape(x.shape)
    return None


def _message(
    shape: tuple[int, int],
    count: int,
    equations: int,
    rank: int,
    unknowns: int,
    verdict: str,
    residual: float,
    max_error: float,
    worst: tuple[int, int, int] | None,
) -> str:
    size = f"{shape[0]}×{shape[1]}"
    tables = "this output" if count == 1 else f"all {count} outputs"
    system = f"{equations} equations, {unknowns} unknowns, rank {rank}"
    if verdict == "exact" and rank == unknowns:
        return f"Exactly one {size} input reproduces {tables} ({system})."
    if verdict == "exact":
        return (
            f"Many {size} inputs reproduce {tables} exactly ({system}: {unknowns - rank} "
            "free direction(s)); showing the smallest one"
        ) + "."
    if verdict == "close":
        rounding = f"only to within rounding (largest difference {format_short(max_error)})"
        if rank == unknowns:
            return (
                f"One {size} input fits {tables} ({system}), but its cells are not whole numbers "
                f"or simple fractions: shown as floats, it reproduces {tables} {rounding}."
            )
        return (
            f"Many {size} inputs fit {tables} ({system}: {unknowns - rank} free direction(s)); "
            "the smallest one, shown, has cells that are not whole numbers or simple fractions "
            f"and reproduces {tables} {rounding}."
        )
    assert worst is not None
    where = f"output {worst[0] + 1}, cell ({worst[1]}, {worst[2]})"
    uniq = "the" if rank == unknowns else "a (minimum-norm)"
    return (
        f"No single {size} input reproduces {tables} ({system}). {uniq.capitalize()} "
        f"best least-squares input misses by ‖r‖ = {format_number(round(residual, 4))}; "
        f"the largest cell error is {format_number(round(max_error, 4))} at {where}."
    )
