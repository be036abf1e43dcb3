"""Conv2d: im2col + GEMM forward, three ways to ``∂L/∂x`` (see :mod:`engine.train._layers`).

* Forward: the padded NHWC map's windows are copied into an ``(N·OH·OW, kh·kw·C + 1)``
  matrix whose last column is ones, and a GEMM with ``[W | b]`` gives the output (bias
  included); the same matrix gives ``[∂L/∂W | ∂L/∂b] = gᵀ·cols`` in backward.  With fewer
  than :data:`FEW_CHANNELS` input channels (the first layer) the matrix is built transposed,
  one contiguous row per tap and channel: each row is a plain copy of a shifted map (28×28,
  one channel: 0.08 ms instead of 0.22 for 3×3, 0.21 instead of 0.83 for 5×5), and BLAS
  reads it transposed at no cost; where the width allows, each matrix column holds two
  neighbouring output pixels (:meth:`Conv2d._pixels_per_row`).  Other layers whose matrix
  passes 2 × :data:`BLOCK_BYTES` build and multiply it a block of images at a time, so that
  each block is still in cache when its GEMM reads it; backward keeps only the padded input
  and rebuilds each block for ``∂L/∂W`` (batch 32, 28×28, 8→16 5×5: 20 MB of matrix;
  forward + backward ≈ 15 → 12 ms).
* ``∂L/∂x``: maps of ≤ :data:`SMALL_MAP` pixels spread ``g·W`` back with one 0/1 matrix per
  image; stride 1 correlates the padded gradient with the flipped kernel (im2col + GEMM);
  otherwise (and where that is faster) a GEMM per kernel row (or tap) is added onto strided
  slices (col2im), block by block inside backward's loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.train._layers import Layer, _Geometry, pair


def conv_padding(
    padding: Any, k: tuple[int, int], dilation: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) for a Conv2d ``padding`` field; ``"same"`` puts the odd extra
    row/column at the bottom/right, as PyTorch does."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        th, tw = dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1)
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    p = pair(padding)
    return (p[0], p[0], p[1], p[1])


#: Input maps of at most this many pixels take the col2im-as-a-matrix path for ∂L/∂x.
SMALL_MAP = 16
#: Layers with fewer input channels build their im2col matrix transposed (a row per tap).
FEW_CHANNELS = 8
#: Other layers build an im2col matrix larger than twice this in blocks of whole images of
#: one to two times this size (measured best at 2–8 MB with a 32 MB L3; the GEMM blocks for
#: L1/L2 itself, while a block rebuilt in backward costs a second im2col).
BLOCK_BYTES = 1 << 22
#: Rows of ``g`` per GEMM for the few-channel ``∂L/∂W`` (measured best at 3–6 k).
DW_CHUNK = 3136


def _valid(offset: int, step: int, count: int, size: int) -> tuple[slice, slice] | None:
    """Output positions ``i < count`` whose input ``i·step + offset`` lies in ``[0, size)``:
    (their slice, the inputs' slice), or ``None`` when there are none."""
    lo = max(0, -(offset // step))  # first i with i·step + offset ≥ 0
    hi = min(count, (size - 1 - offset) // step + 1) if offset <= size - 1 else 0
    if hi <= lo:
        return None
    start = lo * step + offset
    return slice(lo, hi), slice(start, start + (hi - lo - 1) * step + 1, step)


def _im2col(dest: np.ndarray, src: np.ndarray, geo: _Geometry) -> None:
    """Copy the windows of ``src`` (N, Hp, Wp, C) into ``dest`` (N, OH, OW, kh, kw, C)."""
    if src.shape[3] >= 8:
        # Whole channel vectors per tap: one copy from the strided window view is fastest.
        np.copyto(dest, geo.windows(src))
        return
    # Few channels (the first layer: C = 1): kh·kw slab copies beat a copy of 1-float rows.
    oh, ow = dest.shape[1], dest.shape[2]
    sy, sx = geo.stride
    for a in range(geo.k[0]):
        y0 = a * geo.dilation[0]
        for b in range(geo.k[1]):
            x0 = b * geo.dilation[1]
            dest[:, :, :, a, b, :] = src[
                :, y0 : y0 + sy * (oh - 1) + 1 : sy, x0 : x0 + sx * (ow - 1) + 1 : sx, :
            ]


class Conv2d(Layer):
    """``y[n, f] = b[f] + Σ_c correlate(x[n, c], W[f, c])`` with stride, padding, dilation.

    The bias rides along in the GEMMs: the im2col matrix has a last column of ones and the
    weight matrix the bias as its last column, so ``y`` includes ``b`` and the same product
    that gives ``∂L/∂W`` gives ``∂L/∂b = Σ g`` as its last column.
    """

    kind = "conv2d"

    def __init__(
        self,
        name: str,
        weight: np.ndarray,
        bias: np.ndarray | None,
        *,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
    ) -> None:
        super().__init__(name)
        self.params["weight"] = weight
        if bias is not None:
            self.params["bias"] = bias
        k = (int(weight.shape[2]), int(weight.shape[3]))
        dil = pair(dilation)
        self.geo = _Geometry(k, pair(stride), conv_padding(padding, k, dil), dil)
        top, bottom, left, right = self.geo.pad
        span_h, span_w = self.geo.span[0] - 1, self.geo.span[1] - 1
        # ∂L/∂x is itself a stride-1 correlation of the padded ∂L/∂y with the flipped kernel
        # when the layer has stride 1 and pads at most the kernel span (the usual case).
        self._dx_pad = (span_h - top, span_h - bottom, span_w - left, span_w - right)
        self._dx_as_conv = self.geo.stride == (1, 1) and min(self._dx_pad) >= 0
        self._flip_geo = _Geometry(k, (1, 1), (0, 0, 0, 0), dil)
        # (rows, x shape, q, wide index) for the few-channel layout, else (padded x, x shape,
        # images per block)
        self._cache: tuple[Any, ...] = ()
        self._plans: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # few-channel layouts by shape

    @property
    def pad(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) zero padding."""
        return self.geo.pad

    def weight_keys(self) -> tuple[str, ...]:
        """The kernel ``weight`` (the bias is not regularised)."""
        return ("weight",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Convolve via im2col: one ``(N·OH·OW, kh·kw·C [+1]) @ (kh·kw·C [+1], F)`` product."""
        if x.shape[3] < FEW_CHANNELS:
            return self._forward_few_channels(x)
        w = self.params["weight"]
        f = w.shape[0]
        n, h, wd, c = x.shape
        oh, ow = self.geo.out_size(h, wd)
        out = self._scratch.get("out", (n * oh * ow, f), x.dtype)
        kh, kw = self.geo.k
        k = kh * kw * c
        bias = "bias" in self.params
        wmat = np.empty((f, k + bias), x.dtype)
        wmat[:, :k] = w.transpose(0, 2, 3, 1).reshape(f, k)  # column order kh, kw, C
        if bias:
            wmat[:, k] = self.params["bias"]
        # Many channels: a few images at a time, so that each block of the im2col matrix is
        # still in cache when its GEMM reads it; backward rebuilds the blocks from the padded
        # input it keeps (a copy: an unpadded ``x`` is another layer's buffer).
        padded = self.geo.padded(x, self._scratch, keep=True)
        per_image = oh * ow
        nb = self._images_per_block(n, per_image, k + bias, x.dtype)
        cols = self._block_cols(nb * per_image, k, bias, x.dtype)
        wmat_t = np.ascontiguousarray(wmat.T)
        for i in range(0, n, nb):
            j = min(n, i + nb)
            block = cols[: (j - i) * per_image]
            _im2col(block[:, :k].reshape(j - i, oh, ow, kh, kw, c), padded[i:j], self.geo)
            np.matmul(block, wmat_t, out=out[i * per_image : j * per_image])
        self._cache = (padded, x.shape, nb)
        return out.reshape(n, oh, ow, f)

    def _pixels_per_row(self, ow: int) -> int:
        """Output pixels side by side in one row of the few-channel im2col matrix: 2 when
        the width has stride and dilation 1 and ``ow`` is even, else 1.

        Two neighbouring pixels share ``kw - 1`` window columns, so one row holds the
        ``kh·(kw + 1)·C`` inputs of both and the weight matrix is ``2·F`` wide (zeros where a
        tap misses a pixel): the GEMMs are twice as wide and half as tall, and the matrix
        is ``(kw + 1) / (2·kw)`` of the size.  Batch 32, 28×28, 1→8 3×3 forward + backward
        without ∂x, caches cold (other layers run in between), with the copies straight
        from ``x`` and the plan of :meth:`_few_plan`: 0.48 → 0.33–0.35 ms (A/B, one
        process); 4 or 7 pixels per row measured slower (more zero multiplies).
        """
        if self.geo.stride[1] == 1 and self.geo.dilation[1] == 1 and ow % 2 == 0:
            return 2
        return 1

    def _few_plan(self, x: np.ndarray) -> tuple[Any, ...]:
        """The few-channel layout for inputs shaped like ``x``: the transposed im2col buffer
        (zeros where the windows hang over the padding, ones in the bias row), the output
        buffer, the copies as (row view, source index) pairs, the wide weight matrix and the
        flat positions of the kernel's and the bias's entries in it.  Built once per input
        shape (a few kept: training and evaluation batches differ)."""
        key = (x.shape, x.dtype.str)
        plans = self._plans
        plan = plans.get(key)
        if plan is not None:
            return plan
        w = self.params["weight"]
        f, c, kh, kw = w.shape
        n, h, wd = x.shape[:3]
        oh, ow = self.geo.out_size(h, wd)
        q = self._pixels_per_row(ow)
        wc = kw + q - 1  # window columns of q neighbouring pixels
        k = kh * wc * c
        bias = "bias" in self.params
        rows = np.zeros((k + bias, n * oh * ow // q), x.dtype)
        if bias:
            rows[k] = 1
        dest = rows[:k].reshape(kh, wc, c, n, oh, ow // q)
        (sy, sx), (dy, dx), (top, _, left, _) = self.geo.stride, self.geo.dilation, self.geo.pad
        copies = []
        for a, col, ch in np.ndindex(kh, wc, c):
            ys, xs = _valid(a * dy - top, sy, oh, h), _valid(col * dx - left, sx * q, ow // q, wd)
            if ys and xs:
                copies.append((dest[a, col, ch, :, ys[0], xs[0]], (slice(None), ys[1], xs[1], ch)))
        # Entry (f, ch, a, b) of the kernel, for pixel p, sits at wide row (a, p + b, ch),
        # column (p, f); the bias of f for pixel p at row k, column (p, f).
        pp, ff, cc, aa, bb = np.indices((q, f, c, kh, kw)).reshape(5, q, -1)
        wide = (((aa * wc + pp + bb) * c + cc) * q + pp) * f + ff
        biases = k * q * f + np.arange(q)[:, None] * f + np.arange(f)
        out = np.empty((n * oh * ow, f), x.dtype)
        wmat = np.zeros((k + bias, q * f), x.dtype)
        plan = (rows, out, (n, oh, ow, f), q, copies, wmat, wide.ravel(), biases.ravel())
        if bias:
            wide = np.concatenate([wide, biases], axis=1)
        plan += (wide,)
        if len(plans) >= 4:
            del plans[next(iter(plans))]
        plans[key] = plan
        return plan

    def _forward_few_channels(self, x: np.ndarray) -> np.ndarray:
        """Few input channels: the im2col matrix built transposed, one contiguous row per
        (kernel row, window column, channel), ``q`` (:meth:`_pixels_per_row`) output pixels
        per matrix column.  Each row is a plain copy of a shifted map straight from ``x``:
        the entries that fall in the padding are zero from the buffer's allocation and never
        written (no padded copy of ``x``)."""
        rows, out, shape, q, copies, wmat, at_w, at_b, wide = self._few_plan(x)
        np.put(wmat, at_w, self.params["weight"])  # repeated for each of the q pixels
        if "bias" in self.params:
            np.put(wmat, at_b, self.params["bias"])
        for dest, src in copies:
            dest[...] = x[src]
        np.matmul(rows.T, wmat, out=out.reshape(len(rows[0]), -1))
        self._cache = (rows, x.shape, q, wide)
        return out.reshape(shape)

    def _weight_grads_few_channels(
        self, rows: np.ndarray, g: np.ndarray, q: int, wide: np.ndarray
    ) -> None:
        """``∂L/∂W`` and ``∂L/∂b`` from forward's transposed matrix: ``rows·g`` in chunks of
        :data:`DW_CHUNK` rows of ``g`` (one batched product; the long inner dimension in one
        GEMM ran at 2/3 the speed), then each pixel's share of the wide matrix summed back."""
        w = self.params["weight"]
        width = q * w.shape[0]
        gq = g.reshape(-1, width)
        m = len(gq)
        chunks = max(1, m // DW_CHUNK)
        size = m // chunks
        head = chunks * size
        parts = np.matmul(
            rows[:, :head].reshape(len(rows), chunks, size).transpose(1, 0, 2),
            gq[:head].reshape(chunks, size, width),
        )
        acc = parts.sum(axis=0)
        if head < m:
            acc += rows[:, head:] @ gq[head:]
        sums = acc.reshape(-1)[wide].sum(axis=0)  # (F·C·kh·kw [+ F],)
        self.grads["weight"] = sums[: w.size].reshape(w.shape)
        if "bias" in self.params:
            self.grads["bias"] = sums[w.size :]

    def _images_per_block(self, n: int, per_image: int, width: int, dtype: Any) -> int:
        """Images per im2col block: the whole batch while its matrix is under twice
        :data:`BLOCK_BYTES`, else blocks of one to two times that (at least one image)."""
        total = n * per_image * width * np.dtype(dtype).itemsize
        blocks = max(1, min(n, total // BLOCK_BYTES))
        return -(-n // blocks)

    def _block_cols(self, rows: int, k: int, bias: bool, dtype: Any) -> np.ndarray:
        """The reused im2col block ``(rows, k [+1])``, its ones column written once."""
        cols = self._scratch.get("cols", (rows, k + bias), dtype)
        if bias and cols[0, k] != 1:  # a new buffer
            cols[:, k] = 1
        return cols

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``[∂L/∂W | ∂L/∂b] = gᵀ·cols``; ``∂L/∂x`` by a correlation or tap-by-tap col2im."""
        w = self.params["weight"]
        f, c, kh, kw = w.shape
        k = kh * kw * c
        g = np.ascontiguousarray(grad).reshape(-1, f)
        if len(self._cache) == 4:  # the few-channel (transposed) layout, kept whole
            rows, x_shape, q, wide = self._cache
            self._weight_grads_few_channels(rows, g, q, wide)
            if not self.need_input_grad:
                return np.zeros(x_shape, dtype=w.dtype)
            return self._input_grad(g, grad, x_shape)
        padded, x_shape, nb = self._cache
        n, oh, ow = grad.shape[:3]
        per_image = oh * ow
        bias = "bias" in self.params
        cols = self._block_cols(nb * per_image, k, bias, w.dtype)
        by_taps = self.need_input_grad and self._blockwise_taps(x_shape)
        if by_taps:
            dxp, taps, work = self._taps_buffers(nb * per_image, x_shape, w)
        dw = np.zeros((f, k + bias), w.dtype)
        dw_block = np.empty_like(dw)
        for i in range(0, n, nb):
            j = min(n, i + nb)
            block = cols[: (j - i) * per_image]
            if nb < n:  # several blocks: rebuild this one (a lone block still holds forward's)
                _im2col(block[:, :k].reshape(j - i, oh, ow, kh, kw, c), padded[i:j], self.geo)
            g_block = g[i * per_image : j * per_image]
            np.matmul(g_block.T, block, out=dw_block)
            dw += dw_block
            if by_taps:
                self._add_taps(dxp[i:j], g_block, taps, work, (oh, ow))
        self._set_weight_grads(dw)
        if not self.need_input_grad:
            return np.zeros(x_shape, dtype=w.dtype)
        if by_taps:
            top, _, left, _ = self.geo.pad
            return dxp[:, top : top + x_shape[1], left : left + x_shape[2], :]
        return self._input_grad(g, grad, x_shape)

    def _set_weight_grads(self, dw: np.ndarray) -> None:
        """Split ``[∂L/∂W | ∂L/∂b]`` (F, kh·kw·C [+1]) into the two gradients."""
        f, c, kh, kw = self.params["weight"].shape
        k = kh * kw * c
        self.grads["weight"] = dw[:, :k].reshape(f, kh, kw, c).transpose(0, 3, 1, 2).copy()
        if "bias" in self.params:
            self.grads["bias"] = dw[:, k].copy()

    def _blockwise_taps(self, x_shape: tuple[int, ...]) -> bool:
        """Whether backward adds ``∂L/∂x`` tap by tap inside its loop over image blocks."""
        if x_shape[1] * x_shape[2] <= SMALL_MAP:
            return False
        return not self._dx_as_conv or self._taps_are_faster(x_shape)

    def _input_grad(self, g: np.ndarray, grad: np.ndarray, x_shape: tuple[int, ...]) -> Any:
        """``∂L/∂x`` of the whole batch by the route that suits the map."""
        if x_shape[1] * x_shape[2] <= SMALL_MAP:
            return self._input_grad_small_map(g, x_shape)
        if self._dx_as_conv and not self._taps_are_faster(x_shape):
            return self._input_grad_as_conv(np.ascontiguousarray(grad), x_shape)
        return self._input_grad_by_taps(g, grad.shape, x_shape)

    def _taps_are_faster(self, x_shape: tuple[int, ...]) -> bool:
        """Whether kh·kw small GEMMs beat the correlation's one GEMM for ``∂L/∂x``.

        The correlation's GEMM is only ``C`` (input channels) wide, after an im2col of the
        gradient that is ``kh·kw·F`` wide: with few input channels on large maps, or 5×5
        kernels, that copy costs more than the taps.  Measured (batch 32, ms, correlation /
        taps): 28×28 8→16 3×3 3.7 / 2.8, 5×5 10.8 / 7.4; 28×28 16→32 3×3 8.9 / 6.1; 14×14
        16→32 3×3 1.7 / 1.9, 5×5 6.9 / 3.9; 14×14 32→16 3×3 1.0 / 1.8; 28×28 32→32 3×3
        10.9 / 11.7.  With the kernel-row GEMMs of :meth:`_add_taps` (whole forward + backward,
        taps / correlation, load ≈ 3): 28×28 16→32 3×3 11.8 / 15.4; 14×14 16→32 3×3 2.8 / 2.7,
        5×5 7.8 / 9.1; 14×14 32→16 3×3 3.9 / 2.9; 28×28 32→32 3×3 23.0 / 23.6 — the same choices.
        """
        _, h, w, c = x_shape
        return c <= 16 and (h * w >= 400 or self.geo.k[0] * self.geo.k[1] >= 25)

    def _input_grad_small_map(self, g: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
        """Tiny maps: ``∂L/∂cols = g·W``, then col2im as one 0/1 matrix ``S`` per image.

        ``S[input pixel, (output pixel, tap)] = 1`` where that tap of that window reads that
        pixel; ``∂L/∂x[n] = S · ∂L/∂cols[n]`` is one batched product instead of kh·kw strided
        adds (4×4 maps: 160 → 110 µs for a batch of 64).
        """
        w = self.params["weight"]
        f, c, kh, kw = w.shape
        n, h, wd, _ = x_shape
        spread = self._spread_matrix(h, wd, w.dtype)
        dcols = self._scratch.get("dcols", (g.shape[0], kh * kw * c), w.dtype)
        np.matmul(g, w.transpose(0, 2, 3, 1).reshape(f, kh * kw * c), out=dcols)
        dx = np.matmul(spread, dcols.reshape(n, -1, c))
        return dx.reshape(n, h, wd, c)

    def _spread_matrix(self, h: int, w: int, dtype: Any) -> np.ndarray:
        """The 0/1 matrix ``S`` (H·W, OH·OW·kh·kw) of :meth:`_input_grad_small_map`."""
        key = (h, w, np.dtype(dtype).str)
        cached = getattr(self, "_spread", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        oh, ow = self.geo.out_size(h, w)
        kh, kw = self.geo.k
        top, _, left, _ = self.geo.pad
        spread = np.zeros((h * w, oh * ow * kh * kw), dtype)
        for oy in range(oh):
            for ox in range(ow):
                for a in range(kh):
                    for b in range(kw):
                        iy = oy * self.geo.stride[0] + a * self.geo.dilation[0] - top
                        ix = ox * self.geo.stride[1] + b * self.geo.dilation[1] - left
                        if 0 <= iy < h and 0 <= ix < w:
                            spread[iy * w + ix, ((oy * ow + ox) * kh + a) * kw + b] = 1
        self._spread = (key, spread)
        return spread

    def _input_grad_as_conv(self, grad: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
        """Stride 1: ``∂L/∂x = correlate(pad(∂L/∂y), flip(W))``, one im2col and one GEMM."""
        w = self.params["weight"]
        f, c, kh, kw = w.shape
        n, h, wd, _ = x_shape
        oh, ow = grad.shape[1], grad.shape[2]
        top, bottom, left, right = self._dx_pad
        gp = self._scratch.get("gpad", (n, oh + top + bottom, ow + left + right, f), w.dtype)
        gp[:, top : top + oh, left : left + ow, :] = grad  # the border stays zero
        gcols = self._scratch.get("gcols", (n * h * wd, kh * kw * f), w.dtype)
        _im2col(gcols.reshape(n, h, wd, kh, kw, f), gp, self._flip_geo)
        flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(2, 3, 0, 1))
        dx = self._scratch.get("dx", (n * h * wd, c), w.dtype)
        np.matmul(gcols, flipped.reshape(kh * kw * f, c), out=dx)
        return dx.reshape(n, h, wd, c)

    def _input_grad_by_taps(
        self, g: np.ndarray, grad_shape: tuple[int, ...], x_shape: tuple[int, ...]
    ) -> np.ndarray:
        """Any stride: per kernel tap, ``g · W[:, :, a, b]`` added onto a strided slice."""
        w = self.params["weight"]
        dxp, taps, work = self._taps_buffers(len(g), x_shape, w)
        self._add_taps(dxp, g, taps, work, (grad_shape[1], grad_shape[2]))
        top, _, left, _ = self.geo.pad
        return dxp[:, top : top + x_shape[1], left : left + x_shape[2], :]

    def _taps_buffers(
        self, rows: int, x_shape: tuple[int, ...], w: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The zeroed padded ``∂L/∂x``, the kernel laid out for :meth:`_add_taps`, and a flat
        work buffer for up to ``rows`` rows of ``g``."""
        top, bottom, left, right = self.geo.pad
        n, h, wd, c = x_shape
        f, _, kh, kw = w.shape
        dxp = self._scratch.get(
            "dxp", (n, h + top + bottom, wd + left + right, c), w.dtype, zero=True
        )
        if self._rows_of_taps():
            taps = np.ascontiguousarray(w.transpose(2, 0, 3, 1).reshape(kh, f, kw * c))
            work = self._scratch.get("part", (rows * (kw * c + f),), w.dtype)
        else:
            taps = np.ascontiguousarray(w.transpose(2, 3, 0, 1))  # (kh, kw, F, C)
            work = self._scratch.get("part", (rows * c,), w.dtype)
        return dxp, taps, work

    def _rows_of_taps(self) -> bool:
        """Whether :meth:`_add_taps` multiplies a whole kernel row at once (width stride and
        dilation 1: the row's taps then land on consecutive pixels)."""
        return self.geo.stride[1] == 1 and self.geo.dilation[1] == 1 and self.geo.k[1] > 1

    def _add_taps(
        self,
        dxp: np.ndarray,
        g: np.ndarray,
        taps: np.ndarray,
        work: np.ndarray,
        out_hw: tuple[int, int],
    ) -> None:
        """Add ``g · W[:, :, a, b]`` of every tap onto its strided slice of ``dxp`` (n images).

        One tap at a time the GEMM is only C wide (8 columns: half the speed of 16).  With
        width stride and dilation 1 a kernel row's kw taps go in one ``(F, kw·C)`` GEMM: output
        pixel x adds its kw·C values onto the kw·C consecutive floats of the padded row from
        pixel x.  Those runs overlap for neighbouring pixels but not for pixels kw apart, so
        ``g`` is first reordered by ``x mod kw`` (a phase) and each phase's products land on
        one contiguous stretch of the row with one add (its GEMMs: 49 → 70 GFLOP/s here).
        """
        n, c = dxp.shape[0], dxp.shape[3]
        oh, ow = out_hw
        sy, sx = self.geo.stride
        dy, dx = self.geo.dilation
        kh = taps.shape[0]
        m, f = g.shape
        if taps.ndim == 4:  # one tap at a time
            part = work[: m * c].reshape(m, c)
            shaped = part.reshape(n, oh, ow, c)
            for a in range(kh):
                rows = slice(a * dy, a * dy + sy * (oh - 1) + 1, sy)
                for b in range(taps.shape[1]):
                    np.matmul(g, taps[a, b], out=part)
                    dxp[:, rows, b * dx : b * dx + sx * (ow - 1) + 1 : sx] += shaped
            return
        width = taps.shape[2]  # kw·C
        kw = width // c
        products = work[: m * width].reshape(m, width)
        phased = work[m * width : m * (width + f)].reshape(m, f)
        phased4 = phased.reshape(n, oh, ow, f)
        g4 = g.reshape(n, oh, ow, f)
        starts = []
        offset = 0
        for r in range(min(kw, ow)):
            count = len(range(r, ow, kw))
            phased4[:, :, offset : offset + count] = g4[:, :, r::kw]
            starts.append((r, offset, count))
            offset += count
        flat_dx = dxp.reshape(n, dxp.shape[1], -1)
        by_pixel = products.reshape(n, oh, ow * width)
        for a in range(kh):
            rows = slice(a * dy, a * dy + sy * (oh - 1) + 1, sy)
            np.matmul(phased, taps[a], out=products)
            for r, offset, count in starts:
                flat_dx[:, rows, r * c : (r + count * kw) * c] += by_pixel[
                    :, :, offset * width : (offset + count) * width
                ]
