"""Fast numpy kernels behind the ``"numpy"`` backend of :func:`engine.correlate2d`.

Four methods compute the same cross-correlation on a zero-padded input:

* ``"direct"`` — one multiply-accumulate pass per non-zero tap, run over row bands that fit in
  the L2 cache, written in place (``np.multiply(..., out=)`` / ``np.add(..., out=)``) into the
  output, so no image-sized temporaries are made; taps with equal |weight| are summed before
  one multiply.  Integers accumulate in int64 (exact).
* ``"matmul"`` — per kernel column, one BLAS matrix-vector product per output row over the
  ``kh`` input rows under it (floats only): fewer memory passes than ``"direct"`` for dense
  kernels from 3×3 up.
* ``"separable"`` — a rank-1 kernel ``k = u vᵀ`` runs as a vertical pass with ``u`` and a
  horizontal pass with ``v`` (``kh + kw`` taps instead of ``kh·kw``).  Integer kernels, and
  float kernels whose entries are integers divided by a power of two (Sobel, binomial
  Gaussians), are factored exactly; other float kernels by SVD.
* ``"fft"`` — overlap-save in row strips: each strip is zero-padded to a 5-smooth size (FFT sizes
  with large prime factors are slow), transformed with ``numpy.fft`` and multiplied by the
  conjugate kernel spectrum.  Floats only, and only for large jobs: an integer result never
  goes through an FFT.

:func:`choose_method` picks the cheapest from a small cost model.  The FFT strips of a large
image run on a few threads (numpy's FFT releases the GIL for milliseconds at a time); the strip
layout never depends on the thread count, so neither does the result.  The direct and separable
loops stay on one thread: their numpy calls on cache-sized bands last a few microseconds, and
handing the GIL back and forth that often made two threads slower than one (measured).

The methods live in :mod:`engine.conv._numpy.direct` (with :mod:`engine.conv._numpy.taps`) and
:mod:`engine.conv._numpy.fft`.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal

import numpy as np

from engine.conv._numpy.direct import BAND_BYTES, BandRunner
from engine.conv._numpy.fft import fft_plan, fft_rows, kernel_spectrum
from engine.conv._numpy.taps import (
    Groups,
    cols_needed,
    kernel_groups,
    line_groups,
    pass_count,
    stacked_band_rows,
)
from engine.conv._rank1 import integer_outer_factors

if TYPE_CHECKING:
    from engine.conv.geometry import ConvGeometry

Method = Literal["direct", "matmul", "separable", "fft"]
METHODS: tuple[str, ...] = ("direct", "matmul", "separable", "fft")

# Below this much FFT work (points × 8 per strip) threads cost more than they save.
_PARALLEL_MIN_WORK = 1 << 21
# Cost model, in units of one elementwise pass over one element (calibrated on a 2-core EPYC).
_CALL_OVERHEAD = 8000.0  # one numpy call ≈ this many element-passes
_FFT_COST_PER_POINT_LOG = 4.0
_FFT_MIN_DIRECT_COST = 2e7  # ≈ 2–3 ms of direct work
# One BLAS matrix-vector product over kh rows of an output row costs about
# (1 + 0.45·kh) passes per element plus a fixed call cost (measured: 1.2 ms for kh = 3,
# 2.6 ms for kh = 15 at 1080p, against 0.27 ms per elementwise pass).
_GEMV_BASE = 1.0
_GEMV_PER_ROW = 0.45
_GEMV_CALL = 4000.0
_STACKED_SCALE = 1.35  # the stacked copies run slower than plain passes (measured)
_MATMUL_MAX_TAPS = 81

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


@functools.cache
def worker_count() -> int:
    """Threads the numpy backend may use: the CPUs this process may run on, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(worker_count(), thread_name_prefix="kernelscope-correlate")
        return _pool


def separable_factors(kernel: np.ndarray, work: np.dtype) -> tuple[np.ndarray, np.ndarray] | None:
    """``(u, v)`` with ``kernel == outer(u, v)`` in dtype ``work``, or ``None`` if not rank 1.

    Integer kernels are factored exactly over the integers by
    :func:`engine.conv._rank1.integer_outer_factors` (shared with the kernel tools).  Float
    kernels use the SVD and count as rank 1 when the second singular value is below the
    rounding level of ``work``.
    An all-zero kernel returns ``None`` (the direct method handles it for free).
    """
    if work.kind in "iu":
        return integer_outer_factors(kernel, work)
    k64 = kernel.astype(np.float64)
    dyadic = _dyadic_integers(k64)
    if dyadic is not None:  # e.g. Sobel, [1 2 1]ᵀ[1 2 1]/16: exact factors, exact products
        scaled, shift = dyadic
        factors = separable_factors(scaled, np.dtype(np.int64))
        if factors is None:
            return None
        return factors[0].astype(work) / work.type(2**shift), factors[1].astype(work)
    left, sing, right = np.linalg.svd(k64)
    if sing[0] == 0:
        return None
    tol = 8 * np.finfo(work).eps * max(kernel.shape)
    if len(sing) > 1 and sing[1] > tol * sing[0]:
        return None
    scale = math.sqrt(float(sing[0]))
    return (left[:, 0] * scale).astype(work), (right[0] * scale).astype(work)


def _dyadic_integers(k: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``(k·2^p as int64, p)`` for the smallest ``p ≤ 20`` making every entry an integer."""
    for shift in range(21):
        scaled = k * float(2**shift)
        if np.all(scaled == np.round(scaled)) and np.abs(scaled).max() < 2**24:
            return scaled.astype(np.int64), shift
    return None


def _work_dtype(result: np.dtype) -> np.dtype:
    return np.dtype(np.int64) if result.kind in "iu" else result


def _band_calls(geo: ConvGeometry, channels: int, itemsize: int, band_bytes: int) -> int:
    """Bands the direct/separable loops run (each costs one numpy call per pass)."""
    row_bytes = max(geo.input_shape[1], cols_needed(geo)) * channels * itemsize
    band = max(1, band_bytes // (3 * row_bytes))
    return -(-geo.output_shape[0] // band)


def _cost_direct(groups: Groups, geo: ConvGeometry, channels: int, itemsize: int) -> float:
    oh, ow = geo.output_shape
    full_rows = _full_rows(geo)
    passes = pass_count(groups) + (0 if full_rows else 1)
    calls = _band_calls(geo, channels, itemsize, BAND_BYTES)
    return passes * (oh * ow * channels + _CALL_OVERHEAD * calls)


def _full_rows(geo: ConvGeometry) -> bool:
    return geo.stride == (1, 1) and geo.output_shape[1] == geo.input_shape[1]


def _separable_costs(
    u: np.ndarray,
    u_groups: Groups,
    v_groups: Groups,
    geo: ConvGeometry,
    channels: int,
    work: np.dtype,
) -> tuple[float, bool]:
    """Cost of the separable method and whether its vertical pass should use BLAS."""
    oh, ow = geo.output_shape
    full_rows = _full_rows(geo)
    wide = (geo.input_shape[1] if full_rows else cols_needed(geo)) * channels
    calls = _band_calls(geo, channels, work.itemsize, BAND_BYTES)
    vertical = pass_count(u_groups) * (oh * wide + _CALL_OVERHEAD * calls)
    use_gemv = False
    if work.kind == "f" and full_rows:
        gemv = _cost_gemv(u.size, geo, wide)
        use_gemv = gemv < vertical
        vertical = min(vertical, gemv)
    horizontal = (pass_count(v_groups) + (0 if full_rows else 1)) * (
        oh * ow * channels + _CALL_OVERHEAD * calls
    )
    return vertical + horizontal, use_gemv


def _cost_gemv(rows: int, geo: ConvGeometry, width: int) -> float:
    """One matrix-vector product over ``rows`` input rows per output row."""
    oh = geo.output_shape[0]
    return oh * width * (_GEMV_BASE + _GEMV_PER_ROW * rows) + oh * _GEMV_CALL


def _cost_matmul(k: np.ndarray, geo: ConvGeometry, channels: int, itemsize: int) -> float:
    oh, ow = geo.output_shape
    if geo.dilation[0] == 1:  # stacked rows: kw copies, one product over all kh·kw taps
        kh, kw = k.shape
        band = stacked_band_rows(kh, kw, ow * channels, itemsize)
        rows = ((band - 1) * geo.stride[0] + kh) / band
        copies = kw * rows * (oh * ow * channels + _CALL_OVERHEAD)
        return _STACKED_SCALE * (copies + _cost_gemv(kh * kw, geo, ow * channels))
    columns = int(np.count_nonzero(np.any(k != 0, axis=0)))
    per_column = _cost_gemv(k.shape[0], geo, ow * channels)
    calls = _band_calls(geo, channels, itemsize, BAND_BYTES)
    adds = (columns - 1) * (oh * ow * channels + _CALL_OVERHEAD * calls)
    return columns * per_column + adds


def _cost_fft(geo: ConvGeometry, channels: int) -> float:
    _, fh, fw, strips = fft_plan(geo)
    points = fh * fw * strips * channels
    return _FFT_COST_PER_POINT_LOG * points * math.log2(fh * fw) + 40 * _CALL_OVERHEAD * strips


def _plan(
    kernel: np.ndarray, geo: ConvGeometry, channels: int, result: np.dtype
) -> tuple[Method, tuple[np.ndarray, np.ndarray] | None]:
    work = _work_dtype(result)
    k = kernel.astype(work, copy=False)
    nnz = int(np.count_nonzero(k))
    costs: dict[Method, float] = {
        "direct": _cost_direct(kernel_groups(k), geo, channels, work.itemsize)
    }
    factors = None
    if min(kernel.shape) > 1 and nnz > 0:
        factors = separable_factors(kernel, work)
        if factors is not None:
            u_groups = line_groups(factors[0], vertical=True)
            v_groups = line_groups(factors[1], vertical=False)
            costs["separable"] = _separable_costs(
                factors[0], u_groups, v_groups, geo, channels, work
            )[0]
    # BLAS products over hundreds of taps stalled badly on a busy machine (OpenBLAS threads):
    # beyond 9×9 the FFT is cheaper anyway.
    if work.kind == "f" and nnz > 0 and geo.stride[1] == 1 and k.size <= _MATMUL_MAX_TAPS:
        costs["matmul"] = _cost_matmul(k, geo, channels, work.itemsize)
    # Small jobs never use the FFT: it saves little time there, and direct sums of
    # integer-valued floats (what users type into the Matrix tab) stay exact.
    if work.kind == "f" and nnz > 0 and costs["direct"] > _FFT_MIN_DIRECT_COST:
        costs["fft"] = _cost_fft(geo, channels)
    method = min(costs, key=lambda m: costs[m])
    return method, factors


def choose_method(
    x_shape: tuple[int, ...], kernel: np.ndarray, geo: ConvGeometry, result: np.dtype
) -> Method:
    """The method :func:`correlate` uses for ``method="auto"``: cheapest by a cost model.

    ``x_shape`` is the input shape (2-D or 3-D), ``result`` the output dtype.  Integer results
    never use ``"fft"``; ``"separable"`` only appears for a rank-1 kernel with both sides > 1.
    """
    channels = x_shape[2] if len(x_shape) == 3 else 1
    return _plan(kernel, geo, channels, np.dtype(result))[0]


def correlate(
    x: np.ndarray,
    kernel: np.ndarray,
    geo: ConvGeometry,
    result: np.dtype,
    *,
    method: Literal["auto", "direct", "matmul", "separable", "fft"] = "auto",
    threads: int | None = None,
    band_bytes: int = BAND_BYTES,
) -> np.ndarray:
    """Cross-correlate ``x`` (2-D or 3-D, per channel) with ``kernel`` on geometry ``geo``.

    ``result`` is the output dtype (int64 or a float dtype).  ``method`` forces one method:
    ``"separable"`` raises ``ValueError`` for a kernel that is not rank 1 and ``"fft"`` for an
    integer result.  ``threads`` caps the worker threads (default :func:`worker_count`);
    ``band_bytes`` is the working set per band (tests make it tiny to exercise many bands).
    """
    if method not in ("auto", *METHODS):
        raise ValueError(f"method must be 'auto' or one of {METHODS}, got {method!r}")
    result = np.dtype(result)
    work = _work_dtype(result)
    channels = x.shape[2] if x.ndim == 3 else 1
    if method == "auto":
        chosen, factors = _plan(kernel, geo, channels, result)
    else:
        chosen, factors = method, None
        if method == "separable":
            factors = separable_factors(kernel, work)
            if factors is None:
                raise ValueError(f"method='separable' needs a rank-1 kernel, got {kernel!r}")
        if method in ("fft", "matmul") and work.kind != "f":
            raise ValueError(f"method={method!r} needs a float result, got dtype {result}")
    out = np.empty(geo.output_shape + x.shape[2:], dtype=work)
    k = kernel.astype(work, copy=False)
    oh = geo.output_shape[0]
    if chosen == "fft":
        strip_rows, fh, fw, strips = fft_plan(geo)
        spectrum = kernel_spectrum(k, geo, fh, fw)
        sy = geo.stride[0]
        chunks = []
        for s in range(strips):
            r0 = s * strip_rows  # stride-1 rows [r0, r0 + strip_rows)
            i0 = -(-r0 // sy)
            i1 = min(oh, -(-(r0 + strip_rows) // sy))
            if i0 < i1:
                chunks.append((i0, i1))
        work_amount = fh * fw * strips * channels * 8

        def run(i0: int, i1: int) -> None:
            fft_rows(x, spectrum, out, geo, i0, i1, fh, fw)

    else:
        # One thread: see the module docstring.
        chunks, work_amount = [(0, oh)], 0
        direct_groups = kernel_groups(k)
        if chosen == "separable":
            assert factors is not None
            u, v = factors
            u_groups = line_groups(u, vertical=True)
            v_groups = line_groups(v, vertical=False)
            gemv = _separable_costs(u, u_groups, v_groups, geo, channels, work)[1]
            u_gemv = np.ascontiguousarray(u) if gemv else None

            def run(i0: int, i1: int) -> None:
                runner = BandRunner(x, out, geo, work, band_bytes)
                runner.separable(u_groups, v_groups, i0, i1, u_gemv)

        elif chosen == "matmul":

            def run(i0: int, i1: int) -> None:
                BandRunner(x, out, geo, work, band_bytes).matmul(k, direct_groups, i0, i1)

        else:

            def run(i0: int, i1: int) -> None:
                BandRunner(x, out, geo, work, band_bytes).direct(direct_groups, i0, i1)

    _run_chunks(run, chunks, threads, work_amount)
    return out if out.dtype == result else out.astype(result)


def _run_chunks(
    run: Callable[[int, int], None],
    chunks: list[tuple[int, int]],
    threads: int | None,
    work_amount: int,
) -> None:
    n = worker_count() if threads is None else max(1, threads)
    if n == 1 or len(chunks) == 1 or work_amount < _PARALLEL_MIN_WORK:
        for i0, i1 in chunks:
            run(i0, i1)
        return
    futures = [_executor().submit(run, i0, i1) for i0, i1 in chunks]
    for future in futures:
        future.result()
