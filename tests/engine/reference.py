"""Independent brute-force references written for the tests (no shared code with engine/)."""

from __future__ import annotations

import numpy as np


def brute_force_correlate(x, kernel, pad, stride, dilation):
    """Loop over every output cell and every tap; ``pad`` is (top, bottom, left, right)."""
    x = np.asarray(x)
    kernel = np.asarray(kernel)
    top, bottom, left, right = pad
    sy, sx = stride
    dy, dx = dilation
    h, w = x.shape[:2]
    kh, kw = kernel.shape
    oh = (h + top + bottom - (dy * (kh - 1) + 1)) // sy + 1
    ow = (w + left + right - (dx * (kw - 1) + 1)) // sx + 1
    integer = x.dtype.kind in "iu" and kernel.dtype.kind in "iu"
    out = np.zeros((oh, ow) + x.shape[2:], dtype=object if integer else np.float64)
    for i in range(oh):
        for j in range(ow):
            acc = 0 if integer else np.zeros(x.shape[2:])
            for a in range(kh):
                for b in range(kw):
                    r = i * sy + a * dy - top
                    c = j * sx + b * dx - left
                    if 0 <= r < h and 0 <= c < w:
                        if integer:
                            acc = acc + int(kernel[a, b]) * x[r, c].astype(object)
                        else:
                            acc = acc + float(kernel[a, b]) * x[r, c].astype(np.float64)
            out[i, j] = acc
    return out
