"""Output size and parameter count of a single convolution layer (plain Python ints)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.checks import check_int, is_integer


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
    n = check_int(n, "n", minimum=1)
    k = check_int(k, "k", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
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
    if is_integer(kernel_size):
        kh = kw = check_int(kernel_size, "kernel_size", minimum=1)
    else:
        try:
            kh_raw, kw_raw = kernel_size  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(f"kernel_size must be an int or a pair, got {kernel_size!r}") from None
        kh = check_int(kh_raw, "kernel_size", minimum=1)
        kw = check_int(kw_raw, "kernel_size", minimum=1)
    c = check_int(in_channels, "in_channels", minimum=1)
    n = check_int(filters, "filters", minimum=1)
    g = check_int(groups, "groups", minimum=1)
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
    n = check_int(n, "n", minimum=1)
    k = check_int(k, "k", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    op = check_int(output_padding, "output_padding", minimum=0)
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
