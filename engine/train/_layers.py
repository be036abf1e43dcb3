"""Trainable layers with forward and backward passes (PyTorch semantics, NHWC inside).

Feature maps travel as ``(N, H, W, C)`` between layers: the channels of one pixel are then
contiguous, so the im2col copy of a convolution moves whole channel vectors and its output
``(N·OH·OW, F)`` already *is* the next NHWC map (no transposes).  Weights keep PyTorch's
``(F, C, kh, kw)`` layout; :class:`Flatten` orders features as C, H, W like ``torch.flatten``.

Each layer caches what its backward pass needs during ``forward(x, training)`` and returns
``∂L/∂x`` from ``backward(grad)``, storing parameter gradients in ``self.grads``.  Large scratch
arrays (im2col matrices, padded maps) are reused between calls: a fresh half-megabyte array per
call costs page faults that took longer than the matrix product itself.  Arrays returned by
``forward``/``backward`` are only valid until the layer's next call (the model copies what it
hands out).

* Conv2d: im2col (one strided window view, one copy) + one GEMM, the bias folded in; backward
  one GEMM for ``∂L/∂W`` and ``∂L/∂b``, and for ``∂L/∂x`` (stride 1) the correlation of the
  padded ``∂L/∂y`` with the flipped kernel — im2col + GEMM again — or, for other strides, a
  small GEMM per kernel tap added onto a strided slice (col2im).
* Pooling runs over the ``kh·kw`` window taps, each a strided view of the (padded) input.
* MaxPool2d routes each window's gradient to ONE position: the first maximum in row-major
  window order (``np.argmax``), like PyTorch's CPU kernel.  Ties never split or duplicate
  gradient; the total is conserved.
* AvgPool2d counts zero padding in the divisor (PyTorch's ``count_include_pad=True``).
* ReLU's derivative at exactly 0 is taken as 0 (the input is not > 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided


def pair(value: Any) -> tuple[int, int]:
    """An int or ``[a, b]`` layer field as a pair of ints."""
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


class _Scratch:
    """Reusable arrays by name and shape (a few shapes each: training and evaluation batches
    differ); reallocated only for a shape not seen recently."""

    KEEP = 6

    def __init__(self) -> None:
        self._arrays: dict[tuple[Any, ...], np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: Any, *, zero: bool = False) -> Any:
        key = (name, shape, np.dtype(dtype).str)
        arr = self._arrays.pop(key, None)
        if arr is None:
            arr = np.zeros(shape, dtype)
            if len(self._arrays) >= self.KEEP:
                del self._arrays[next(iter(self._arrays))]  # the least recently used
        elif zero:
            arr.fill(0)
        self._arrays[key] = arr
        return arr


class Layer:
    """Base class: no parameters."""

    kind = "layer"

    def __init__(self, name: str) -> None:
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        # The first layer need not compute ∂L/∂x (nothing upstream uses it): skipping it saves
        # the col2im of the first convolution.
        self.need_input_grad = True
        self._scratch = _Scratch()

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Output of the layer for the batch ``x``."""
        raise NotImplementedError  # pragma: no cover

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``∂L/∂x`` from ``∂L/∂y`` (of the last ``forward``); fills :attr:`grads`."""
        raise NotImplementedError  # pragma: no cover

    def weight_keys(self) -> tuple[str, ...]:
        """Parameters that L2 regularisation applies to (weights, not biases)."""
        return ()


class _Geometry:
    """Window geometry shared by convolution and pooling (NHWC)."""

    def __init__(
        self,
        k: tuple[int, int],
        stride: tuple[int, int],
        pad: tuple[int, int, int, int],
        dilation: tuple[int, int],
    ) -> None:
        self.k, self.stride, self.pad, self.dilation = k, stride, pad, dilation
        self.span = (dilation[0] * (k[0] - 1) + 1, dilation[1] * (k[1] - 1) + 1)

    def out_size(self, h: int, w: int) -> tuple[int, int]:
        top, bottom, left, right = self.pad
        oh = (h + top + bottom - self.span[0]) // self.stride[0] + 1
        ow = (w + left + right - self.span[1]) // self.stride[1] + 1
        return oh, ow

    def padded(self, x: np.ndarray, scratch: _Scratch, fill: float = 0.0) -> np.ndarray:
        """``x`` inside its padding (a reused buffer whose border keeps ``fill``)."""
        top, bottom, left, right = self.pad
        if not any(self.pad):
            return x
        n, h, w, c = x.shape
        shape = (n, h + top + bottom, w + left + right, c)
        xp = scratch.get(f"pad{fill}", shape, x.dtype)
        if fill != 0.0 and xp[0, 0, 0, 0] != fill:  # new buffer: set the border once
            xp.fill(fill)
        xp[:, top : top + h, left : left + w, :] = x
        return xp

    def windows(self, xp: np.ndarray) -> np.ndarray:
        """View ``(N, OH, OW, kh, kw, C)`` of the padded map: window ``[a, b]`` of every output."""
        n, hp, wp, c = xp.shape
        oh = (hp - self.span[0]) // self.stride[0] + 1
        ow = (wp - self.span[1]) // self.stride[1] + 1
        s_n, s_h, s_w, s_c = xp.strides
        # as_strided directly (read-only): sliding_window_view's checks cost more than the
        # copy of a small map.  Every index stays inside xp by the size formula above.
        return as_strided(
            xp,
            (n, oh, ow, self.k[0], self.k[1], c),
            (
                s_n,
                s_h * self.stride[0],
                s_w * self.stride[1],
                s_h * self.dilation[0],
                s_w * self.dilation[1],
                s_c,
            ),
            writeable=False,
        )


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

    @property
    def pad(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) zero padding."""
        return self.geo.pad

    def weight_keys(self) -> tuple[str, ...]:
        """The kernel ``weight`` (the bias is not regularised)."""
        return ("weight",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Convolve via im2col: one ``(N·OH·OW, kh·kw·C [+1]) @ (kh·kw·C [+1], F)`` product."""
        w = self.params["weight"]
        f = w.shape[0]
        n, h, wd, c = x.shape
        oh, ow = self.geo.out_size(h, wd)
        kh, kw = self.geo.k
        k = kh * kw * c
        bias = "bias" in self.params
        cols = self._scratch.get("cols", (n * oh * ow, k + bias), x.dtype)
        if bias and cols[0, k] != 1:  # a new buffer: its ones column, written once
            cols[:, k] = 1
        _im2col(
            cols[:, :k].reshape(n, oh, ow, kh, kw, c), self.geo.padded(x, self._scratch), self.geo
        )
        wmat = np.empty((f, k + bias), x.dtype)
        wmat[:, :k] = w.transpose(0, 2, 3, 1).reshape(f, k)  # column order kh, kw, C
        if bias:
            wmat[:, k] = self.params["bias"]
        out = self._scratch.get("out", (n * oh * ow, f), x.dtype)
        np.matmul(cols, wmat.T, out=out)
        self._cache = (cols, x.shape)
        return out.reshape(n, oh, ow, f)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``[∂L/∂W | ∂L/∂b] = gᵀ·cols``; ``∂L/∂x`` by a correlation or tap-by-tap col2im."""
        cols, x_shape = self._cache
        w = self.params["weight"]
        f, c, kh, kw = w.shape
        k = kh * kw * c
        g = np.ascontiguousarray(grad).reshape(-1, f)
        dw = g.T @ cols
        self.grads["weight"] = dw[:, :k].reshape(f, kh, kw, c).transpose(0, 3, 1, 2).copy()
        if "bias" in self.params:
            self.grads["bias"] = dw[:, k].copy()
        if not self.need_input_grad:
            return np.zeros(x_shape, dtype=w.dtype)
        if x_shape[1] * x_shape[2] <= SMALL_MAP:
            return self._input_grad_small_map(g, x_shape)
        if self._dx_as_conv:
            return self._input_grad_as_conv(np.ascontiguousarray(grad), x_shape)
        return self._input_grad_by_taps(g, grad.shape, x_shape)

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
        f, c, kh, kw = w.shape
        n, oh, ow = grad_shape[:3]
        top, bottom, left, right = self.geo.pad
        _, h, wd, _ = x_shape
        dxp = self._scratch.get(
            "dxp", (n, h + top + bottom, wd + left + right, c), w.dtype, zero=True
        )
        taps = np.ascontiguousarray(w.transpose(2, 3, 0, 1))  # (kh, kw, F, C)
        part = self._scratch.get("part", (n * oh * ow, c), w.dtype)
        sy, sx = self.geo.stride
        dy, dx = self.geo.dilation
        for a in range(kh):
            rows = slice(a * dy, a * dy + sy * (oh - 1) + 1, sy)
            for b in range(kw):
                np.matmul(g, taps[a, b], out=part)
                dxp[:, rows, b * dx : b * dx + sx * (ow - 1) + 1 : sx] += part.reshape(n, oh, ow, c)
        return dxp[:, top : top + h, left : left + wd, :]


class Pool2d(Layer):
    """Max or average pooling (``mode``), PyTorch geometry (``ceil_mode`` is refused upstream)."""

    def __init__(
        self, name: str, mode: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any = 1
    ) -> None:
        super().__init__(name)
        self.kind = "maxpool2d" if mode == "max" else "avgpool2d"
        self.mode = mode
        k = pair(kernel_size)
        p = pair(padding)
        self.geo = _Geometry(
            k, k if stride is None else pair(stride), (p[0], p[0], p[1], p[1]), pair(dilation)
        )

    def _taps(self) -> list[tuple[int, int]]:
        return [(a, b) for a in range(self.geo.k[0]) for b in range(self.geo.k[1])]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Max (first maximum in row-major window order wins) or mean of each window."""
        fill = -np.inf if self.mode == "max" else 0.0
        win = self.geo.windows(self.geo.padded(x, self._scratch, fill))
        taps = self._taps()
        # One pass over the kh·kw window taps, each a strided (N, OH, OW, C) view: cheaper than
        # copying the windows out to reduce over them.
        out = win[:, :, :, 0, 0, :].copy()
        if self.mode == "max":
            for a, b in taps[1:]:
                np.maximum(out, win[:, :, :, a, b, :], out=out)
        else:
            for a, b in taps[1:]:
                out += win[:, :, :, a, b, :]
            out *= out.dtype.type(1.0 / len(taps))
        # Which tap won is only worked out in backward: evaluation never pays for it.
        self._cache = (win, out, x.shape)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Max: the whole window gradient to its first maximum; average: spread evenly."""
        win, out, x_shape = self._cache
        n, h, w, c = x_shape
        top, bottom, left, right = self.geo.pad
        oh, ow = grad.shape[1], grad.shape[2]
        sy, sx = self.geo.stride
        dy, dx = self.geo.dilation
        dxp = self._scratch.get(
            "dxp", (n, h + top + bottom, w + left + right, c), grad.dtype, zero=True
        )
        taps = self._taps()
        share = grad * grad.dtype.type(1.0 / len(taps))
        taken = np.zeros(out.shape, bool)
        for a, b in taps:
            rows = slice(a * dy, a * dy + sy * (oh - 1) + 1, sy)
            cols = slice(b * dx, b * dx + sx * (ow - 1) + 1, sx)
            if self.mode == "max":
                # The FIRST tap (row-major) equal to the window's maximum takes all the gradient.
                first = win[:, :, :, a, b, :] == out
                first &= ~taken
                taken |= first
                dxp[:, rows, cols] += grad * first
            else:
                dxp[:, rows, cols] += share
        return dxp[:, top : top + h, left : left + w, :]


class ReLU(Layer):
    """``max(x, 0)``; the derivative at exactly 0 is 0."""

    kind = "relu"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Element-wise ``max(x, 0)``."""
        self._mask = x > 0
        return np.maximum(x, 0)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Pass the gradient where the input was positive."""
        return grad * self._mask


class Flatten(Layer):
    """``(N, H, W, C)`` → ``(N, C·H·W)`` in C, H, W order, as ``torch.flatten(x, 1)`` on NCHW."""

    kind = "flatten"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """One feature vector per sample, channels outermost."""
        self._shape = x.shape
        if x.ndim == 4:
            return np.ascontiguousarray(x.transpose(0, 3, 1, 2)).reshape(x.shape[0], -1)
        return x.reshape(x.shape[0], -1)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Reshape the gradient back."""
        if len(self._shape) == 4:
            n, h, w, c = self._shape
            return grad.reshape(n, c, h, w).transpose(0, 2, 3, 1)
        return grad.reshape(self._shape)


class Linear(Layer):
    """``y = x Wᵀ + b`` with ``W`` of shape (out, in), as ``torch.nn.Linear``."""

    kind = "linear"

    def __init__(self, name: str, weight: np.ndarray, bias: np.ndarray | None) -> None:
        super().__init__(name)
        self.params["weight"] = weight
        if bias is not None:
            self.params["bias"] = bias

    def weight_keys(self) -> tuple[str, ...]:
        """The matrix ``weight`` (the bias is not regularised)."""
        return ("weight",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """One matrix product plus the bias."""
        self._x = x
        out = x @ self.params["weight"].T
        if "bias" in self.params:
            out += self.params["bias"]
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``∂L/∂W = gᵀx``, ``∂L/∂b = Σ g``, ``∂L/∂x = g W``."""
        self.grads["weight"] = grad.T @ self._x
        if "bias" in self.params:
            self.grads["bias"] = grad.sum(axis=0)
        if not self.need_input_grad:
            return np.zeros_like(self._x)
        return grad @ self.params["weight"]


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability ``p`` and scale the rest
    by ``1/(1-p)``; identity otherwise.  ``rng`` is shared with the model (seeded)."""

    kind = "dropout"

    def __init__(self, name: str, p: float, rng: np.random.Generator) -> None:
        super().__init__(name)
        self.p = float(p)
        self.rng = rng
        self.fixed_mask: np.ndarray | None = None  # set by tests for finite differences

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Random mask in training (or :attr:`fixed_mask`), identity otherwise."""
        if not training or self.p == 0.0:
            self._scale = None
            return x
        if self.p >= 1.0:
            self._scale = np.zeros_like(x)
        elif self.fixed_mask is not None:
            self._scale = (self.fixed_mask / (1.0 - self.p)).astype(x.dtype)
        else:
            keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
            self._scale = (keep / (1.0 - self.p)).astype(x.dtype)
        return x * self._scale

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """The same mask and scale as the forward pass."""
        return grad if self._scale is None else grad * self._scale
