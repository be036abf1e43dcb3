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


def reference_padding(shape, kshape, padding, stride, dilation):
    """``(pad, stride, dilation)`` as pairs/4-tuple for a padding spec, or ``None`` if the
    kernel does not fit — derived here from the definitions, not from ``conv_geometry``.

    ``"valid"``: none; ``"full"``: ``d(k−1)`` per side; ``"same"``: TensorFlow's rule, output
    ``ceil(n/s)`` with the odd extra row/column at the bottom/right; an int or a pair: that many
    zeros on both sides of each axis.
    """

    def pair(v):
        return (v, v) if isinstance(v, int) else (v[0], v[1])

    s, d = pair(stride), pair(dilation)
    extent = [d[a] * (kshape[a] - 1) + 1 for a in range(2)]
    sides = []
    for a in range(2):
        if padding == "valid":
            before = after = 0
        elif padding == "full":
            before = after = extent[a] - 1
        elif padding == "same":
            out = -(-shape[a] // s[a])
            total = max((out - 1) * s[a] + extent[a] - shape[a], 0)
            before, after = total // 2, total - total // 2
        else:
            before = after = pair(padding)[a]
        if shape[a] + before + after < extent[a]:
            return None  # not even one window fits
        sides += [before, after]
    return (sides[0], sides[1], sides[2], sides[3]), s, d
