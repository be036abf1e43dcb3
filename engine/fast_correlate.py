"""Fast numpy kernels behind the ``"numpy"`` backend of :func:`engine.correlate2d`.

Three methods compute the same cross-correlation on a zero-padded input:

* ``"direct"`` — one multiply-accumulate pass per non-zero tap, run over row bands that fit in
  the L2 cache, written in place (``np.multiply(..., out=)`` / ``np.add(..., out=)``) into the
  output, so no image-sized temporaries are made.  Integers accumulate in int64 (exact).
* ``"separable"`` — a rank-1 kernel ``k = u vᵀ`` runs as a vertical pass with ``u`` and a
  horizontal pass with ``v`` (``kh + kw`` taps instead of ``kh·kw``).  Float kernels are tested by
  SVD; integer kernels by an exact integer factorisation, so integer results stay exact.
* ``"fft"`` — overlap-save in row strips: each strip is zero-padded to a 5-smooth size (FFT sizes
  with large prime factors are slow), transformed with ``numpy.fft`` and multiplied by the
  conjugate kernel spectrum.  Floats only: an integer result never goes through an FFT.

:func:`choose_method` picks the cheapest from a small cost model; large jobs are split into row
chunks run on a few threads (numpy's ufunc loops and FFTs release the GIL).  The split never
changes the arithmetic, so results do not depend on the number of threads.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from engine.convolution import ConvGeometry

Method = Literal["direct", "separable", "fft"]
METHODS: tuple[str, ...] = ("direct", "separable", "fft")

# Bytes of working set (band buffer + output band + temporary) per thread: well inside L2.
_BAND_BYTES = 384 * 1024
# Below this many output elements (times taps) threads cost more than they save.
_PARALLEL_MIN_WORK = 1 << 21
_FFT_STRIP_ROWS = 256
# Cost model, in units of one elementwise pass over one element (calibrated on a 2-core EPYC).
_CALL_OVERHEAD = 8000.0  # one numpy call ≈ this many element-passes
_FFT_COST_PER_POINT_LOG = 4.0

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


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


def next_fast_len(n: int, *, even: bool = False) -> int:
    """Smallest 5-smooth integer (``2^a 3^b 5^c``) that is at least ``n``; even if asked.

    numpy's FFT is fast at 5-smooth lengths and slow at lengths with a large prime factor
    (1094 = 2·547 takes several times longer than 1125 = 3²·5³).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    best = max(2 if even else 1, 1 << (n - 1).bit_length())  # a power of two qualifies
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            # Smallest power of two times p35 that reaches n.
            quotient = -(-n // p35)
            candidate = p35 * (1 << (quotient - 1).bit_length())
            if even and candidate % 2:
                candidate *= 2
            best = min(best, candidate)
            p35 *= 3
        p5 *= 5
    return best


def separable_factors(kernel: np.ndarray, work: np.dtype) -> tuple[np.ndarray, np.ndarray] | None:
    """``(u, v)`` with ``kernel == outer(u, v)`` in dtype ``work``, or ``None`` if not rank 1.

    Integer kernels are factored exactly over the integers (a rank-1 integer matrix is the outer
    product of an integer column and a primitive integer row).  Float kernels use the SVD and
    count as rank 1 when the second singular value is below the rounding level of ``work``.
    An all-zero kernel returns ``None`` (the direct method handles it for free).
    """
    if work.kind in "iu":
        rows = [[int(v) for v in row] for row in kernel.tolist()]
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
        return np.array(u, dtype=work), np.array(v, dtype=work)
    k64 = kernel.astype(np.float64)
    left, sing, right = np.linalg.svd(k64)
    if sing[0] == 0:
        return None
    tol = 8 * np.finfo(work).eps * max(kernel.shape)
    if len(sing) > 1 and sing[1] > tol * sing[0]:
        return None
    scale = math.sqrt(float(sing[0]))
    return (left[:, 0] * scale).astype(work), (right[0] * scale).astype(work)


def _work_dtype(result: np.dtype) -> np.dtype:
    return np.dtype(np.int64) if result.kind in "iu" else result


def _pass_count(groups: Groups) -> int:
    """Elementwise passes :func:`_accumulate` makes for these tap groups."""
    passes = 0
    for index, (w, offsets, _) in enumerate(groups):
        unit = w == 1 or w == -1
        if len(offsets) == 1:
            passes += 1 if index == 0 or unit else 2
        elif index == 0:
            passes += len(offsets) - 1 + (0 if w == 1 else 1)
        else:
            passes += len(offsets) - 1 + (1 if unit else 2)
    return passes


def _kernel_groups(k: np.ndarray) -> Groups:
    return _group_taps([((int(a), int(b)), k[a, b]) for a, b in zip(*np.nonzero(k), strict=True)])


def _line_groups(values: np.ndarray, vertical: bool) -> Groups:
    return _group_taps(
        [(((int(i), 0) if vertical else (0, int(i))), values[i]) for i in np.flatnonzero(values)]
    )


def _band_calls(geo: ConvGeometry, channels: int, itemsize: int, band_bytes: int) -> int:
    """Bands the direct/separable loops run (each costs one numpy call per pass)."""
    row_bytes = max(geo.input_shape[1], _cols_needed(geo)) * channels * itemsize
    band = max(1, band_bytes // (3 * row_bytes))
    return -(-geo.output_shape[0] // band)


def _cost_direct(groups: Groups, geo: ConvGeometry, channels: int, itemsize: int) -> float:
    oh, ow = geo.output_shape
    full_rows = geo.stride == (1, 1) and ow == geo.input_shape[1]
    passes = _pass_count(groups) + (0 if full_rows else 1)
    calls = _band_calls(geo, channels, itemsize, _BAND_BYTES)
    return passes * (oh * ow * channels + _CALL_OVERHEAD * calls)


def _cost_separable(
    u_groups: Groups, v_groups: Groups, geo: ConvGeometry, channels: int, itemsize: int
) -> float:
    oh, ow = geo.output_shape
    full_rows = geo.stride == (1, 1) and ow == geo.input_shape[1]
    wide = geo.input_shape[1] if full_rows else _cols_needed(geo)
    calls = _band_calls(geo, channels, itemsize, _BAND_BYTES)
    vertical = _pass_count(u_groups) * (oh * wide * channels + _CALL_OVERHEAD * calls)
    horizontal = (_pass_count(v_groups) + (0 if full_rows else 1)) * (
        oh * ow * channels + _CALL_OVERHEAD * calls
    )
    return vertical + horizontal


def _fft_plan(geo: ConvGeometry) -> tuple[int, int, int, int]:
    """``(strip_rows, fh, fw, strips)``: stride-1 output rows per strip and the FFT size."""
    oh, ow = geo.output_shape
    rows1 = (oh - 1) * geo.stride[0] + 1  # stride-1 output rows that cover the strided ones
    cols1 = (ow - 1) * geo.stride[1] + 1
    keh, kew = geo.effective_kernel
    strips = max(1, -(-rows1 // _FFT_STRIP_ROWS))
    strip_rows = -(-rows1 // strips)
    fh = next_fast_len(strip_rows + keh - 1)
    fw = next_fast_len(cols1 + kew - 1, even=True)
    return strip_rows, fh, fw, strips


def _cost_fft(geo: ConvGeometry, channels: int) -> float:
    _, fh, fw, strips = _fft_plan(geo)
    points = fh * fw * strips * channels
    return _FFT_COST_PER_POINT_LOG * points * math.log2(fh * fw) + 40 * _CALL_OVERHEAD * strips


def _plan(
    kernel: np.ndarray, geo: ConvGeometry, channels: int, result: np.dtype
) -> tuple[Method, tuple[np.ndarray, np.ndarray] | None]:
    work = _work_dtype(result)
    k = kernel.astype(work, copy=False)
    nnz = int(np.count_nonzero(k))
    costs: dict[Method, float] = {
        "direct": _cost_direct(_kernel_groups(k), geo, channels, work.itemsize)
    }
    factors = None
    if min(kernel.shape) > 1 and nnz > 0:
        factors = separable_factors(kernel, work)
        if factors is not None:
            u_groups = _line_groups(factors[0], vertical=True)
            v_groups = _line_groups(factors[1], vertical=False)
            costs["separable"] = _cost_separable(u_groups, v_groups, geo, channels, work.itemsize)
    if work.kind == "f" and nnz > 0:
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
    method: Literal["auto", "direct", "separable", "fft"] = "auto",
    threads: int | None = None,
    band_bytes: int = _BAND_BYTES,
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
        if method == "fft" and work.kind != "f":
            raise ValueError(f"method='fft' needs a float result, got dtype {result}")
    out = np.empty(geo.output_shape + x.shape[2:], dtype=work)
    k = kernel.astype(work, copy=False)
    oh = geo.output_shape[0]
    if chosen == "fft":
        strip_rows, fh, fw, strips = _fft_plan(geo)
        spectrum = _kernel_spectrum(k, geo, fh, fw)
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
            _fft_rows(x, spectrum, out, geo, i0, i1, fh, fw)

    else:
        # numpy's ufuncs on cache-sized bands release the GIL for too short a time for threads
        # to pay off (measured: two threads were slower), so direct/separable run on one.
        chunks, work_amount = [(0, oh)], 0
        direct_groups = _kernel_groups(k)
        if chosen == "separable":
            assert factors is not None
            u, v = factors
            u_groups = _line_groups(u, vertical=True)
            v_groups = _line_groups(v, vertical=False)

            def run(i0: int, i1: int) -> None:
                _Runner(x, out, geo, work, band_bytes).separable(u_groups, v_groups, i0, i1)

        else:

            def run(i0: int, i1: int) -> None:
                _Runner(x, out, geo, work, band_bytes).direct(direct_groups, i0, i1)

    _run_chunks(run, chunks, threads, work_amount)
    return out if out.dtype == result else out.astype(result)


# --------------------------------------------------------------------------- scheduling


def _cols_needed(geo: ConvGeometry) -> int:
    """Padded columns that some window reaches."""
    return (geo.output_shape[1] - 1) * geo.stride[1] + geo.effective_kernel[1]


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


# --------------------------------------------------------------------------- direct / separable


Offset = tuple[int, int]
# (weight w, tap offsets, whether each tap's weight is +w rather than -w)
Groups = list[tuple[np.generic, list[Offset], list[bool]]]
Windows = list[tuple[np.generic, list[np.ndarray], list[bool]]]


def _group_taps(taps: list[tuple[Offset, np.generic]]) -> Groups:
    """Gather taps by weight magnitude: ``w·(A + B − C)`` costs one multiply, not three.

    Offsets are ``(kernel_row, kernel_col)`` before dilation.  Within a group every weight is
    ``±w`` of the group's first weight; symmetric and antisymmetric kernels (Gaussian, box,
    Laplacian, Sobel, sharpen) have few groups, so their windows are summed first.
    """
    groups: dict[float | int, tuple[np.generic, list[Offset], list[bool]]] = {}
    for offset, w in taps:
        key = abs(w.item())
        if key not in groups:
            groups[key] = (w, [], [])
        groups[key][1].append(offset)
        groups[key][2].append(bool(w == groups[key][0]))
    out: Groups = []
    for lead, offsets, positive in groups.values():
        # Taps with the lead's sign first, so a group starts with an add, not a negation.
        order = sorted(range(len(offsets)), key=lambda i: not positive[i])
        out.append((lead, [offsets[i] for i in order], [positive[i] for i in order]))
    return out


class _Scratch:
    """Reusable flat work buffers (one per name), grown on demand."""

    def __init__(self, dtype: np.dtype):
        self.dtype = dtype
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, size: int) -> np.ndarray:
        buf = self.buffers.get(name)
        if buf is None or buf.size < size:
            buf = np.empty(max(size, 1), dtype=self.dtype)
            self.buffers[name] = buf
        return buf[:size]


def _accumulate(dst: np.ndarray, tmp: np.ndarray, groups: Windows) -> None:
    """``dst = Σ_groups w · Σ ±window`` in place, using only ``tmp`` as a temporary.

    The first group is built in ``dst`` itself, ±1 weights skip the multiply, and every window
    is a view, so each tap costs one or two passes over data that stays in cache.
    """
    first = True
    for w, windows, sign in groups:
        if len(windows) == 1:
            window = windows[0]
            if first:
                if w == 1:
                    np.copyto(dst, window)
                elif w == -1:
                    np.negative(window, out=dst)
                else:
                    np.multiply(window, w, out=dst)
            elif w == 1:
                np.add(dst, window, out=dst)
            elif w == -1:
                np.subtract(dst, window, out=dst)
            else:
                np.multiply(window, w, out=tmp)
                np.add(dst, tmp, out=dst)
        else:
            target = dst if first else tmp
            (np.add if sign[1] else np.subtract)(windows[0], windows[1], out=target)
            for window, positive in zip(windows[2:], sign[2:], strict=True):
                (np.add if positive else np.subtract)(target, window, out=target)
            if first:
                if w != 1:
                    np.multiply(dst, w, out=dst)
            elif w == 1:
                np.add(dst, tmp, out=dst)
            elif w == -1:
                np.subtract(dst, tmp, out=dst)
            else:
                np.multiply(tmp, w, out=tmp)
                np.add(dst, tmp, out=dst)
        first = False
    if first:
        dst.fill(0)


class _Runner:
    """Direct and separable correlation of one input, band by band.

    Two layouts, both with every window a *contiguous 1-D slice* when the stride is 1 (numpy's
    loops run about twice as fast on those as on 2-D strided views):

    * full rows (output width == input width, e.g. ``"same"``): windows are flat slices of the
      input rows themselves (no copy when the input already has the working dtype).  A slice
      that starts ``c`` columns early wraps into the previous row, so the few output columns
      next to the left/right border are wrong and are recomputed afterwards from a small
      zero-padded block.
    * padded blocks (everything else, and any stride): a zero-padded copy of the band; with
      stride 1 the result goes to a "wide" buffer with the block's row pitch and the valid
      columns are copied out, otherwise windows are 2-D strided views.
    """

    def __init__(
        self, x: np.ndarray, out: np.ndarray, geo: ConvGeometry, work: np.dtype, band_bytes: int
    ):
        self.x, self.out, self.geo, self.work = x, out, geo, work
        self.h, self.w = x.shape[:2]
        self.chan = x.shape[2:]
        self.nch = int(np.prod(self.chan))
        self.top, self.left = geo.pad[0], geo.pad[2]
        self.sy, self.sx = geo.stride
        self.dy, self.dx = geo.dilation
        self.keh, self.kew = geo.effective_kernel
        self.ow = geo.output_shape[1]
        self.right = self.kew - 1 - self.left  # columns past the input a "same" window reads
        self.scratch = _Scratch(work)
        self.x_usable = x.dtype == work and x.flags.c_contiguous
        self.full_rows_ok = self.sy == 1 and self.sx == 1 and self.ow == self.w
        row_bytes = max(self.w, _cols_needed(geo)) * self.nch * work.itemsize
        self.band = max(1, band_bytes // (3 * row_bytes))

    # -- sources ---------------------------------------------------------------------------

    def _rows(self, p0: int, p1: int, before: int, after: int) -> tuple[np.ndarray, int]:
        """Padded rows ``[p0, p1)`` at input width as ``(flat, offset)``.

        Element ``(r, col, ch)`` is ``flat[offset + (r·W + col)·C + ch]`` and at least
        ``before``/``after`` elements around the rows are readable (their values only reach
        the border columns that are recomputed).
        """
        r0, r1 = p0 - self.top, p1 - self.top
        row = self.w * self.nch
        if self.x_usable and 0 <= r0 and r1 <= self.h:
            start, end = r0 * row, r1 * row
            if start >= before and end + after <= self.x.size:
                return self.x.reshape(-1), start
        n = p1 - p0
        buf = self.scratch.get("rows", before + n * row + after)
        buf[:before] = 0
        buf[before + n * row :] = 0
        body = buf[before : before + n * row].reshape((n, self.w) + self.chan)
        self._fill(body, r0, r1, 0, self.w, 0)
        return buf, before

    def _fill(self, dst: np.ndarray, r0: int, r1: int, c0: int, c1: int, left: int) -> None:
        """Copy input rows ``[r0, r1)``, columns ``[c0, c1)`` (clipped) into ``dst``, zeros
        elsewhere; ``dst`` column 0 is input column ``c0 - left``."""
        lo, hi = max(r0, 0), min(r1, self.h)
        clo, chi = max(c0 - left, 0), min(c1 - left, self.w)
        if lo >= hi or clo >= chi:
            dst.fill(0)
            return
        dst[: lo - r0] = 0
        dst[hi - r0 :] = 0
        inner = dst[lo - r0 : hi - r0]
        a, b = clo - (c0 - left), chi - (c0 - left)
        inner[:, :a] = 0
        inner[:, b:] = 0
        np.copyto(inner[:, a:b], self.x[lo:hi, clo:chi], casting="unsafe")

    def _block(self, p0: int, p1: int, q0: int, q1: int) -> np.ndarray:
        """Zero-padded input, padded rows ``[p0, p1)`` and padded columns ``[q0, q1)``."""
        n, m = p1 - p0, q1 - q0
        buf = self.scratch.get("block", n * m * self.nch).reshape((n, m) + self.chan)
        self._fill(buf, p0 - self.top, p1 - self.top, q0, q1, self.left)
        return buf

    # -- direct ----------------------------------------------------------------------------

    def direct(self, groups: Groups, i0: int, i1: int) -> None:
        if not self.full_rows_ok:
            for b0 in range(i0, i1, self.band):
                self._direct_block(groups, b0, min(b0 + self.band, i1), 0, self.ow)
            return
        nch, row = self.nch, self.w * self.nch
        for b0 in range(i0, i1, self.band):
            b1 = min(b0 + self.band, i1)
            length = (b1 - b0) * row
            flat, off = self._rows(b0, b1 - 1 + self.keh, self.left * nch, self.right * nch)
            starts = [
                [off + (a * self.dy * self.w + b * self.dx - self.left) * nch for a, b in offs]
                for _, offs, _ in groups
            ]
            windows = [
                (w, [flat[s : s + length] for s in group_starts], sg)
                for (w, _, sg), group_starts in zip(groups, starts, strict=True)
            ]
            _accumulate(self.out[b0:b1].reshape(-1), self.scratch.get("tmp", length), windows)
        for j0, j1 in self._border_columns():
            self._direct_block(groups, i0, i1, j0, j1)

    def _border_columns(self) -> list[tuple[int, int]]:
        """Output columns whose full-row windows wrapped into a neighbouring row."""
        spans = []
        if self.left > 0:
            spans.append((0, min(self.left, self.ow)))
        if self.right > 0:
            j0 = max(self.ow - self.right, min(self.left, self.ow))
            if j0 < self.ow:
                spans.append((j0, self.ow))
        return spans

    def _direct_block(self, groups: Groups, b0: int, b1: int, j0: int, j1: int) -> None:
        sy, sx, dy, dx, nch = self.sy, self.sx, self.dy, self.dx, self.nch
        n, m = b1 - b0, j1 - j0
        blk = self._block(b0 * sy, (b1 - 1) * sy + self.keh, j0 * sx, (j1 - 1) * sx + self.kew)
        dst = self.out[b0:b1, j0:j1]
        if sy == 1 and sx == 1:
            pitch = blk.shape[1]
            length = (n - 1) * pitch * nch + m * nch
            flat = blk.reshape(-1)
            windows = [
                (w, [flat[(a * dy * pitch + b * dx) * nch :][:length] for a, b in offs], sg)
                for w, offs, sg in groups
            ]
            wide = self.scratch.get("wide", n * pitch * nch)
            _accumulate(wide[:length], self.scratch.get("tmp", length), windows)
            np.copyto(dst, wide.reshape((n, pitch) + self.chan)[:, :m])
            return
        rows, cols = (n - 1) * sy + 1, (m - 1) * sx + 1
        windows = [
            (
                w,
                [blk[a * dy : a * dy + rows : sy, b * dx : b * dx + cols : sx] for a, b in offs],
                sg,
            )
            for w, offs, sg in groups
        ]
        tmp = self.scratch.get("tmp", n * m * nch).reshape(dst.shape)
        _accumulate(dst, tmp, windows)

    # -- separable -------------------------------------------------------------------------

    def separable(self, u_groups: Groups, v_groups: Groups, i0: int, i1: int) -> None:
        if not self.full_rows_ok:
            for b0 in range(i0, i1, self.band):
                b1 = min(b0 + self.band, i1)
                self._separable_block(u_groups, v_groups, b0, b1, 0, self.ow)
            return
        nch, row = self.nch, self.w * self.nch
        before, after = self.left * nch, self.right * nch
        for b0 in range(i0, i1, self.band):
            b1 = min(b0 + self.band, i1)
            length = (b1 - b0) * row
            flat, off = self._rows(b0, b1 - 1 + self.keh, 0, 0)
            # Vertical pass into a buffer with margins, so the horizontal windows stay in it.
            vbuf = self.scratch.get("vert", before + length + after)
            vbuf[:before] = 0
            vbuf[before + length :] = 0
            vert = vbuf[before : before + length]
            windows = [
                (w, [flat[off + a * self.dy * row :][:length] for a, _ in offs], sg)
                for w, offs, sg in u_groups
            ]
            _accumulate(vert, self.scratch.get("tmp", length), windows)
            windows = [
                (w, [vbuf[b * self.dx * nch :][:length] for _, b in offs], sg)
                for w, offs, sg in v_groups
            ]
            _accumulate(self.out[b0:b1].reshape(-1), self.scratch.get("tmp", length), windows)
        for j0, j1 in self._border_columns():
            self._separable_block(u_groups, v_groups, i0, i1, j0, j1)

    def _separable_block(
        self, u_groups: Groups, v_groups: Groups, b0: int, b1: int, j0: int, j1: int
    ) -> None:
        sy, sx, dy, dx, nch = self.sy, self.sx, self.dy, self.dx, self.nch
        n, m = b1 - b0, j1 - j0
        blk = self._block(b0 * sy, (b1 - 1) * sy + self.keh, j0 * sx, (j1 - 1) * sx + self.kew)
        pitch = blk.shape[1]
        size = n * pitch * nch
        vert, tmp = self.scratch.get("vert", size), self.scratch.get("tmp", size)
        if sy == 1:
            flat = blk.reshape(-1)
            windows = [
                (w, [flat[a * dy * pitch * nch :][:size] for a, _ in offs], sg)
                for w, offs, sg in u_groups
            ]
            _accumulate(vert, tmp, windows)
        else:
            rows = (n - 1) * sy + 1
            windows = [
                (w, [blk[a * dy : a * dy + rows : sy] for a, _ in offs], sg)
                for w, offs, sg in u_groups
            ]
            shape = (n, pitch) + self.chan
            _accumulate(vert.reshape(shape), tmp.reshape(shape), windows)
        dst = self.out[b0:b1, j0:j1]
        if sx == 1:
            length = (n - 1) * pitch * nch + m * nch
            windows = [
                (w, [vert[b * dx * nch :][:length] for _, b in offs], sg)
                for w, offs, sg in v_groups
            ]
            wide = self.scratch.get("wide", size)
            _accumulate(wide[:length], tmp[:length], windows)
            np.copyto(dst, wide.reshape((n, pitch) + self.chan)[:, :m])
            return
        vert2d = vert.reshape((n, pitch) + self.chan)
        cols = (m - 1) * sx + 1
        windows = [
            (w, [vert2d[:, b * dx : b * dx + cols : sx] for _, b in offs], sg)
            for w, offs, sg in v_groups
        ]
        _accumulate(dst, tmp[: n * m * nch].reshape(dst.shape), windows)


# --------------------------------------------------------------------------- FFT


def _kernel_spectrum(k: np.ndarray, geo: ConvGeometry, fh: int, fw: int) -> np.ndarray:
    """Conjugate 2-D DFT (fh × fw//2+1) of the dilated kernel, by two small matrix products.

    The kernel occupies a few rows of the fh × fw grid, so ``E_h · k · E_w`` with explicit
    twiddle matrices is cheaper than an FFT of the mostly-zero padded kernel.
    """
    (dy, dx) = geo.dilation
    kh, kw = k.shape
    complex_t = np.complex64 if k.dtype == np.float32 else np.complex128
    # exp(+2πi·u·a/N): conjugate spectrum, so the product gives a correlation, not a convolution.
    rows = np.outer(np.arange(fh), np.arange(kh) * dy) % fh
    cols = np.outer(np.arange(kw) * dx, np.arange(fw // 2 + 1)) % fw
    e_h = np.exp(2j * np.pi * rows / fh).astype(complex_t)
    e_w = np.exp(2j * np.pi * cols / fw).astype(complex_t)
    return e_h @ (k.astype(complex_t) @ e_w)


def _fft_rows(
    x: np.ndarray,
    spectrum: np.ndarray,
    out: np.ndarray,
    geo: ConvGeometry,
    i0: int,
    i1: int,
    fh: int,
    fw: int,
) -> None:
    """Output rows ``[i0, i1)`` by one overlap-save strip of size fh × fw per channel."""
    (sy, sx) = geo.stride
    top, left = geo.pad[0], geo.pad[2]
    h, w = x.shape[:2]
    ow = out.shape[1]
    work = out.dtype
    p0 = i0 * sy  # first padded row of the strip
    rows1 = (i1 - 1) * sy - p0 + 1  # stride-1 output rows the strip produces
    r0, r1 = max(p0 - top, 0), min(p0 + fh - top, h)  # input rows inside the strip
    c1 = min(w, fw - left)
    buf = np.zeros((fh, fw), dtype=work)
    spec = np.empty((fh, fw // 2 + 1), dtype=spectrum.dtype)
    # norm="ortho" on both sides: the result needs no rescaling, and numpy's float32 FFT is
    # about 3× slower with the default norm (a scale factor of exactly 1).
    for c in range(1 if x.ndim == 2 else x.shape[2]):
        plane = x if x.ndim == 2 else x[:, :, c]
        spec.fill(0)
        if r0 < r1 and c1 > 0:
            b0 = r0 + top - p0
            np.copyto(buf[b0 : b0 + r1 - r0, left : left + c1], plane[r0:r1, :c1])
            spec[b0 : b0 + r1 - r0] = np.fft.rfft(buf[b0 : b0 + r1 - r0], axis=1, norm="ortho")
        np.fft.fft(spec, axis=0, norm="ortho", out=spec)
        np.multiply(spec, spectrum, out=spec)
        np.fft.ifft(spec, axis=0, norm="ortho", out=spec)
        rows = np.fft.irfft(spec[:rows1:sy], n=fw, axis=1, norm="ortho")
        target = out[i0:i1] if x.ndim == 2 else out[i0:i1, :, c]
        np.copyto(target, rows[:, : (ow - 1) * sx + 1 : sx], casting="same_kind")
