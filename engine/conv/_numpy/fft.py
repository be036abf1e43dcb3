"""FFT correlation of the numpy backend: overlap-save in row strips at 5-smooth sizes.

Each strip of output rows is zero-padded to a 5-smooth size (numpy's FFT is several times
slower at sizes with a large prime factor, e.g. 1094 = 2·547), transformed with ``numpy.fft``
and multiplied by the conjugate kernel spectrum.  Strips are independent, so they can run on
several threads (numpy's FFT releases the GIL); the strip layout depends only on the geometry,
so the result does not depend on the number of threads.  Floats only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from engine.conv.geometry import ConvGeometry

FFT_STRIP_ROWS = 192  # stride-1 output rows per strip (128–256 measured best at 1080p)


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


def fft_plan(geo: ConvGeometry) -> tuple[int, int, int, int]:
    """``(strip_rows, fh, fw, strips)``: stride-1 output rows per strip and the FFT size."""
    oh, ow = geo.output_shape
    rows1 = (oh - 1) * geo.stride[0] + 1  # stride-1 output rows that cover the strided ones
    cols1 = (ow - 1) * geo.stride[1] + 1
    keh, kew = geo.effective_kernel
    strips = max(1, -(-rows1 // FFT_STRIP_ROWS))
    strip_rows = -(-rows1 // strips)
    fh = next_fast_len(strip_rows + keh - 1)
    fw = next_fast_len(cols1 + kew - 1, even=True)
    return strip_rows, fh, fw, strips


def kernel_spectrum(k: np.ndarray, geo: ConvGeometry, fh: int, fw: int) -> np.ndarray:
    """Conjugate 2-D DFT (fh × fw//2+1, unnormalised) of the dilated kernel.

    The conjugate makes the product with an image spectrum a correlation, not a convolution.
    Computed with ``numpy.fft`` rather than explicit twiddle matrices: BLAS matrix products of
    this size were fast on average but, with BLAS threads competing for two busy cores, now and
    then took 10–30 ms (measured).
    """
    (dy, dx) = geo.dilation
    keh, kew = geo.effective_kernel
    dilated = np.zeros((keh, kew), dtype=k.dtype)
    dilated[::dy, ::dx] = k
    # norm="forward" on both axes (numpy's float32 FFT is slow with a scale of exactly 1),
    # then undo the 1/(fh·fw) scaling.
    rows = np.fft.rfft(dilated, n=fw, axis=1, norm="forward")
    spectrum = np.fft.fft(rows, n=fh, axis=0, norm="forward")
    spectrum *= spectrum.real.dtype.type(fh * fw)
    return np.conjugate(spectrum, out=spectrum)


def fft_rows(
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
            rows_in = slice(b0, b0 + r1 - r0)
            np.fft.rfft(buf[rows_in], axis=1, norm="ortho", out=spec[rows_in])
        np.fft.fft(spec, axis=0, norm="ortho", out=spec)
        np.multiply(spec, spectrum, out=spec)
        np.fft.ifft(spec, axis=0, norm="ortho", out=spec)
        rows = np.fft.irfft(spec[:rows1:sy], n=fw, axis=1, norm="ortho")
        target = out[i0:i1] if x.ndim == 2 else out[i0:i1, :, c]
        np.copyto(target, rows[:, : (ow - 1) * sx + 1 : sx], casting="same_kind")
