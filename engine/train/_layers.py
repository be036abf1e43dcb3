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

* Conv2d (:mod:`engine.train._conv`): im2col (one strided window view, one copy) + one GEMM,
  the bias folded in; backward one GEMM for ``∂L/∂W`` and ``∂L/∂b`` and one of three routes
  for ``∂L/∂x``.
* Max pooling keeps the winning tap of every window from ``forward`` (small integer arrays),
  so ``backward`` only routes the gradient.  Windows that tile the map (the usual 2×2, stride
  2) are reduced in two steps — along each input row's taps, then across the rows — through
  OpenCV's element-wise max/compare/multiply (numpy's loops pay per run of C values); other
  geometries run over the ``kh·kw`` taps, each a strided view of the padded input.
* MaxPool2d routes each window's gradient to ONE position: the first maximum in row-major
  window order (``np.argmax``), like PyTorch's CPU kernel.  Ties never split or duplicate
  gradient; the total is conserved.
* AvgPool2d counts zero padding in the divisor (PyTorch's ``count_include_pad=True``).
* ReLU's derivative at exactly 0 is taken as 0 (the input is not > 0).
"""

from __future__ import annotations

from typing import Any

import cv2
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

    KEEP = 10

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

    def padded(
        self, x: np.ndarray, scratch: _Scratch, fill: float = 0.0, *, keep: bool = False
    ) -> np.ndarray:
        """``x`` inside its padding (a reused buffer whose border keeps ``fill``); with no
        padding ``x`` itself, or a copy of it in that buffer when ``keep`` is set."""
        top, bottom, left, right = self.pad
        if not any(self.pad) and not keep:
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
        kh, kw = k
        # Windows that tile the map (stride = kernel, no padding, no dilation: the usual 2×2
        # pooling) take the separable path: a max along each row's kw taps, then along the kh
        # rows — long contiguous rows in the second step instead of kh·kw strided tap passes.
        self._tiles = self.geo.stride == k and not any(self.geo.pad) and self.geo.dilation == (1, 1)
        self._index_type = np.min_scalar_type(max(kh, kw, kh * kw) - 1)
        self._argmax: tuple[np.ndarray, ...] | None = None

    def _taps(self) -> list[tuple[int, int]]:
        return [(a, b) for a in range(self.geo.k[0]) for b in range(self.geo.k[1])]

    def _running_max(self, views: list[np.ndarray], out: np.ndarray, index: np.ndarray) -> None:
        """``out`` = the element-wise maximum of ``views``; ``index`` = the position of its
        FIRST occurrence (ties keep the earlier view: only a strictly larger value moves it).

        2-D views with contiguous rows go through OpenCV, whose per-row loop is 2–4× faster
        than numpy's on rows of a few channels (numpy pays per inner loop of C values).
        """
        later = self._scratch.get("later", out.shape, np.uint8)
        fast = (
            out.ndim == 2
            and index.dtype == np.uint8
            and all(
                v.strides[1] == v.itemsize and v.dtype in (np.float32, np.float64) for v in views
            )
        )
        if fast:
            cv2.compare(views[1], views[0], cv2.CMP_GT, dst=later)  # 255 where strictly larger
            cv2.max(views[0], views[1], dst=out)
            np.bitwise_and(later, 1, out=index)
        else:
            np.greater(views[1], views[0], out=later.view(bool))
            np.maximum(views[0], views[1], out=out)
            np.copyto(index, later, casting="unsafe")
        for t, view in enumerate(views[2:], 2):
            if fast:
                cv2.compare(view, out, cv2.CMP_GT, dst=later)
                cv2.max(out, view, dst=out)
                np.bitwise_and(later, t, out=later)
            else:
                np.greater(view, out, out=later.view(bool))
                np.maximum(out, view, out=out)
                later *= np.uint8(t)
            # The winners are found in increasing t, so the last one to win is the largest t.
            np.maximum(index, later, out=index, casting="unsafe")

    def _max_tiled(self, x: np.ndarray) -> np.ndarray:
        """Tiling windows: max along each row's taps (column index), then along the rows (row
        index).  Row-major first maximum: the first row holding the maximum, then its first
        column — the same tap as a scan in row-major window order."""
        n, h, w, c = x.shape
        (kh, kw), (oh, ow) = self.geo.k, self.geo.out_size(h, w)
        if h != oh * kh or w != ow * kw:  # a margin no window covers: crop it once
            x = np.ascontiguousarray(x[:, : oh * kh, : ow * kw])
        x = np.ascontiguousarray(x)
        # Row r of ``pairs`` holds one output pixel's kw taps of one input row side by side.
        pairs = x.reshape(n * oh * kh * ow, kw * c)
        # Reused buffers (a fresh one per call costs page faults): the indices live until
        # backward, the output until the next layer has read it.
        row_max = self._scratch.get("rowmax", (n * oh * kh * ow, c), x.dtype)
        column = self._scratch.get("column", row_max.shape, self._index_type, zero=kw == 1)
        if kw == 1:
            np.copyto(row_max, pairs)
        else:
            self._running_max([pairs[:, b * c : (b + 1) * c] for b in range(kw)], row_max, column)
        # Row r of ``rows`` holds one output row's kh input rows (already reduced) side by side.
        rows = row_max.reshape(n * oh, kh * ow * c)
        out = self._scratch.get("out", (n, oh, ow, c), x.dtype)
        row = self._scratch.get("row", out.shape, self._index_type, zero=kh == 1)
        flat_out, flat_row, span = out.reshape(n * oh, ow * c), row.reshape(n * oh, ow * c), ow * c
        if kh == 1:
            np.copyto(flat_out, rows)
        else:
            self._running_max(
                [rows[:, a * span : (a + 1) * span] for a in range(kh)], flat_out, flat_row
            )
        self._argmax = (row, column)
        return out

    def _max_by_taps(self, win: np.ndarray) -> np.ndarray:
        """Any geometry: a running maximum over the kh·kw window taps (tap index kept)."""
        taps = [win[:, :, :, a, b, :] for a, b in self._taps()]
        out = self._scratch.get("out", taps[0].shape, win.dtype)
        index = self._scratch.get("index", out.shape, self._index_type, zero=len(taps) == 1)
        if len(taps) == 1:
            np.copyto(out, taps[0])
        else:
            self._running_max(taps, out, index)
        self._argmax = (index,)
        return out

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Max (first maximum in row-major window order wins) or mean of each window.

        Max pooling keeps which tap won (small integer arrays) for :meth:`backward`.
        """
        if self.mode == "max" and self._tiles:
            out = self._max_tiled(x)
        else:
            fill = -np.inf if self.mode == "max" else 0.0
            win = self.geo.windows(self.geo.padded(x, self._scratch, fill))
            if self.mode == "max":
                out = self._max_by_taps(win)
            else:
                taps = self._taps()
                out = win[:, :, :, 0, 0, :].copy()
                for a, b in taps[1:]:
                    out += win[:, :, :, a, b, :]
                out *= out.dtype.type(1.0 / len(taps))
        self._cache = x.shape
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Max: each window's whole gradient to the tap kept by forward; average: spread evenly."""
        x_shape = self._cache
        if self.mode == "max" and self._tiles:
            return self._backward_tiled(grad, x_shape)
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
        for t, (a, b) in enumerate(taps):
            rows = slice(a * dy, a * dy + sy * (oh - 1) + 1, sy)
            cols = slice(b * dx, b * dx + sx * (ow - 1) + 1, sx)
            if self.mode == "max":
                assert self._argmax is not None
                dxp[:, rows, cols] += grad * (self._argmax[0] == t)
            else:
                dxp[:, rows, cols] += share
        return dxp[:, top : top + h, left : left + w, :]

    def _backward_tiled(self, grad: np.ndarray, x_shape: tuple[int, ...]) -> np.ndarray:
        """Route the gradient down the winning row, then across to its winning column."""
        assert self._argmax is not None
        row, column = self._argmax
        n, h, w, c = x_shape
        (kh, kw), (oh, ow) = self.geo.k, (grad.shape[1], grad.shape[2])
        cropped = h != oh * kh or w != ow * kw
        # The covered part is written whole by the passes below; a cropped margin (a map not
        # divisible by the window) gets zeros.
        covered = self._scratch.get("covered", (n, oh * kh, ow * kw, c), grad.dtype)
        by_row = self._scratch.get("byrow", (n, oh, kh, ow, c), grad.dtype)
        for a in range(kh):
            np.multiply(grad, row == a, out=by_row[:, :, a])
        by_row_flat = by_row.reshape(-1, c)
        pairs = covered.reshape(-1, kw * c)
        chosen = self._scratch.get("chosen", by_row_flat.shape, grad.dtype)
        for b in range(kw):
            np.equal(column, b, out=chosen, casting="unsafe")  # 1.0 where tap b won
            # OpenCV writes the strided column block in place (numpy's loop is 3× slower).
            cv2.multiply(by_row_flat, chosen, dst=pairs[:, b * c : (b + 1) * c])
        if not cropped:
            return covered
        dx = self._scratch.get("dx", x_shape, grad.dtype, zero=True)
        dx[:, : oh * kh, : ow * kw] = covered
        return dx


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
