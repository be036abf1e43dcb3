"""Trainable layers (NCHW, PyTorch semantics) with forward and backward passes.

Each layer caches what its backward pass needs during ``forward(x, training)`` and returns
``∂L/∂x`` from ``backward(grad)``, storing parameter gradients in ``self.grads``.

* Conv2d is im2col + one GEMM: the padded input is viewed as sliding windows (no copy), strided
  and dilated by slicing the view, then copied once into a ``(N·OH·OW, C·kh·kw)`` matrix.  Its
  backward is two GEMMs plus ``kh·kw`` strided adds (col2im).
* MaxPool2d routes the gradient of each window to ONE position: the first maximum in row-major
  window order (``np.argmax``), like PyTorch's CPU kernel.  Ties therefore never split or
  duplicate gradient; the total gradient mass is conserved.
* AvgPool2d counts zero padding in the divisor (PyTorch's ``count_include_pad=True``).
* ReLU's derivative at exactly 0 is taken as 0 (the input is not > 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pair(value: Any) -> tuple[int, int]:
    """An int or ``[a, b]`` layer field as a pair of ints."""
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


class Layer:
    """Base class: no parameters, identity shape."""

    kind = "layer"

    def __init__(self, name: str) -> None:
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        # The first layer need not compute ∂L/∂x (nothing upstream uses it): skipping it saves
        # the col2im of the first convolution, the most expensive part of its backward pass.
        self.need_input_grad = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Output of the layer for the batch ``x``."""
        raise NotImplementedError  # pragma: no cover

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``∂L/∂x`` from ``∂L/∂y`` (of the last ``forward``); fills :attr:`grads`."""
        raise NotImplementedError  # pragma: no cover

    def weight_keys(self) -> tuple[str, ...]:
        """Parameters that L2 regularisation applies to (weights, not biases)."""
        return ()


def _padded_windows(
    x: np.ndarray,
    k: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[int, int, int, int],
    dilation: tuple[int, int],
    fill: float = 0.0,
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """View of ``x`` (N, C, H, W) as windows ``(N, C, OH, OW, kh, kw)``; also the padded shape."""
    top, bottom, left, right = pad
    if any(pad):
        xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    else:
        xp = x
    span = (dilation[0] * (k[0] - 1) + 1, dilation[1] * (k[1] - 1) + 1)
    win = sliding_window_view(xp, span, axis=(2, 3))
    win = win[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    return win, xp.shape  # type: ignore[return-value]


def _scatter_taps(
    dcols: np.ndarray,
    padded_shape: tuple[int, ...],
    k: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    dtype: np.dtype,
) -> np.ndarray:
    """col2im: add window gradients ``(N, C, OH, OW, kh, kw)`` back onto the padded input."""
    n, c, oh, ow = dcols.shape[:4]
    dxp = np.zeros(padded_shape, dtype=dtype)
    for a in range(k[0]):
        y0 = a * dilation[0]
        for b in range(k[1]):
            x0 = b * dilation[1]
            dxp[
                :,
                :,
                y0 : y0 + stride[0] * (oh - 1) + 1 : stride[0],
                x0 : x0 + stride[1] * (ow - 1) + 1 : stride[1],
            ] += dcols[:, :, :, :, a, b]
    return dxp


def _unpad(dxp: np.ndarray, pad: tuple[int, int, int, int]) -> np.ndarray:
    top, bottom, left, right = pad
    h, w = dxp.shape[2], dxp.shape[3]
    return dxp[:, :, top : h - bottom, left : w - right]


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


class Conv2d(Layer):
    """``y[n, f] = b[f] + Σ_c correlate(x[n, c], W[f, c])`` with stride, padding, dilation."""

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
        self.k = (int(weight.shape[2]), int(weight.shape[3]))
        self.stride = pair(stride)
        self.dilation = pair(dilation)
        self.pad = conv_padding(padding, self.k, self.dilation)

    def weight_keys(self) -> tuple[str, ...]:
        """The kernel ``weight`` (the bias is not regularised)."""
        return ("weight",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Convolve via im2col: one ``(N·OH·OW, C·kh·kw) @ (C·kh·kw, F)`` product."""
        w = self.params["weight"]
        f = w.shape[0]
        win, padded_shape = _padded_windows(x, self.k, self.stride, self.pad, self.dilation)
        n, c, oh, ow = win.shape[:4]
        # (N, OH, OW, C, kh, kw) rows: the copy is the im2col matrix.
        cols = np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(n * oh * ow, -1)
        out = cols @ w.reshape(f, -1).T
        if "bias" in self.params:
            out += self.params["bias"]
        self._cache = (cols, x.shape, padded_shape, (n, c, oh, ow))
        return out.reshape(n, oh, ow, f).transpose(0, 3, 1, 2)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``∂L/∂W = Σ g ⊗ windows``, ``∂L/∂b = Σ g``, ``∂L/∂x`` = col2im of ``g @ W``."""
        cols, x_shape, padded_shape, (n, c, oh, ow) = self._cache
        w = self.params["weight"]
        f = w.shape[0]
        g = grad.transpose(0, 2, 3, 1).reshape(n * oh * ow, f)
        self.grads["weight"] = (g.T @ cols).reshape(w.shape)
        if "bias" in self.params:
            self.grads["bias"] = g.sum(axis=0)
        if not self.need_input_grad:
            return np.zeros(x_shape, dtype=w.dtype)
        dcols = (g @ w.reshape(f, -1)).reshape(n, oh, ow, c, self.k[0], self.k[1])
        dxp = _scatter_taps(
            dcols.transpose(0, 3, 1, 2, 4, 5),
            padded_shape,
            self.k,
            self.stride,
            self.dilation,
            w.dtype,
        )
        return _unpad(dxp, self.pad)


class Pool2d(Layer):
    """Max or average pooling (``mode``), PyTorch geometry (``ceil_mode`` is refused upstream)."""

    def __init__(
        self, name: str, mode: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any = 1
    ) -> None:
        super().__init__(name)
        self.kind = "maxpool2d" if mode == "max" else "avgpool2d"
        self.mode = mode
        self.k = pair(kernel_size)
        self.stride = self.k if stride is None else pair(stride)
        p = pair(padding)
        self.pad = (p[0], p[0], p[1], p[1])
        self.dilation = pair(dilation)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Max (first maximum wins) or mean of each window."""
        fill = -np.inf if self.mode == "max" else 0.0
        win, padded_shape = _padded_windows(x, self.k, self.stride, self.pad, self.dilation, fill)
        n, c, oh, ow = win.shape[:4]
        if self.mode == "max":
            flat = win.reshape(n, c, oh, ow, -1)
            arg = np.argmax(flat, axis=-1)
            out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
            self._cache = (arg, padded_shape, (n, c, oh, ow), x.dtype)
            return out
        out = win.mean(axis=(-2, -1), dtype=x.dtype)
        self._cache = (None, padded_shape, (n, c, oh, ow), x.dtype)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Max: the whole window gradient to its first maximum; average: spread evenly."""
        arg, padded_shape, (n, c, oh, ow), dtype = self._cache
        taps = self.k[0] * self.k[1]
        if self.mode == "max":
            onehot = arg[..., None] == np.arange(taps)
            dwin = np.where(onehot, grad[..., None], 0).astype(dtype, copy=False)
        else:
            dwin = np.broadcast_to((grad / taps).astype(dtype)[..., None], (n, c, oh, ow, taps))
        dwin = dwin.reshape(n, c, oh, ow, self.k[0], self.k[1])
        dxp = _scatter_taps(dwin, padded_shape, self.k, self.stride, self.dilation, dtype)
        return _unpad(dxp, self.pad)


class ReLU(Layer):
    """``max(x, 0)``; the derivative at exactly 0 is 0."""

    kind = "relu"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Element-wise ``max(x, 0)``."""
        self._mask = x > 0
        return np.where(self._mask, x, 0).astype(x.dtype, copy=False)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Pass the gradient where the input was positive."""
        return np.where(self._mask, grad, 0).astype(grad.dtype, copy=False)


class Flatten(Layer):
    """``(N, C, H, W)`` → ``(N, C·H·W)`` in C order, as ``torch.flatten(x, 1)``."""

    kind = "flatten"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Reshape to one feature vector per sample."""
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Reshape the gradient back."""
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
