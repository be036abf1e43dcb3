"""Output size and parameter count of a single convolution layer (plain Python ints)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _positive_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as a Python int ≥ ``minimum`` or raise ValueError naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


def output_size(n: int, k: int, *, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length of a convolution along one axis.

    ``O = floor((n + 2p - d(k-1) - 1) / s) + 1``.

    Parameters
    ----------
    n, k
        Input length and kernel length (≥ 1).
    padding
        Zero padding on *each* side (≥ 0).
    stride, dilation
        ≥ 1.

    Raises
    ------
    ValueError
        For a bad argument, or when the output would be shorter than 1.
    """
    n = _positive_int(n, "n")
    k = _positive_int(k, "k")
    p = _positive_int(padding, "padding", 0)
    s = _positive_int(stride, "stride")
    d = _positive_int(dilation, "dilation")
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise ValueError(
            f"k={k} with dilation {d} spans {d * (k - 1) + 1} but the padded input has only "
            f"{n + 2 * p}: no output"
        )
    return span // s + 1


def conv_params(
    kernel_size: int | Sequence[int],
    in_channels: int,
    filters: int,
    *,
    bias: bool = True,
    groups: int = 1,
) -> int:
    """Trainable parameters of a conv layer: ``filters · (kh · kw · in_channels/groups + bias)``.

    Parameters
    ----------
    kernel_size
        ``k`` or ``(kh, kw)``.
    in_channels, filters
        ≥ 1.
    bias
        Whether each filter has a bias.
    groups
        ≥ 1 and dividing both ``in_channels`` and ``filters``; each filter sees only
        ``in_channels/groups`` channels (``groups = in_channels`` is a depthwise convolution).
    """
    if isinstance(kernel_size, (int, np.integer)) and not isinstance(kernel_size, bool):
        kh = kw = _positive_int(kernel_size, "kernel_size")
    else:
        try:
            kh_raw, kw_raw = kernel_size  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(f"kernel_size must be an int or a pair, got {kernel_size!r}") from None
        kh = _positive_int(kh_raw, "kernel_size")
        kw = _positive_int(kw_raw, "kernel_size")
    c = _positive_int(in_channels, "in_channels")
    n = _positive_int(filters, "filters")
    g = _positive_int(groups, "groups")
    if c % g or n % g:
        raise ValueError(f"groups={g} must divide both in_channels={c} and filters={n}")
    return n * (kh * kw * (c // g) + (1 if bias else 0))


def transposed_output_size(
    n: int,
    k: int,
    *,
    padding: int = 0,
    stride: int = 1,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """Output length of a transposed convolution along one axis (PyTorch ``ConvTranspose2d``).

    ``O = (n − 1)·s − 2p + d(k − 1) + output_padding + 1``.

    Raises
    ------
    ValueError
        For a bad argument, for ``output_padding`` not smaller than ``max(stride, dilation)``
        (PyTorch refuses it), or when the output would be shorter than 1.
    """
    n = _positive_int(n, "n")
    k = _positive_int(k, "k")
    p = _positive_int(padding, "padding", 0)
    s = _positive_int(stride, "stride")
    d = _positive_int(dilation, "dilation")
    op = _positive_int(output_padding, "output_padding", 0)
    if op >= max(s, d):
        raise ValueError(
            f"output_padding must be smaller than max(stride, dilation) = {max(s, d)}, got {op}"
        )
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(
            f"padding {p} on each side removes more than the {out + 2 * p} outputs: no output"
        )
    return out
