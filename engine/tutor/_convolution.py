"""Check a hand-computed convolution / cross-correlation and name the slip."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from engine.conv.correlate import convolve2d, correlate2d
from engine.conv.geometry import PaddingSpec, PairSpec, conv_geometry, dilate_kernel
from engine.conv.trace import trace_cell
from engine.tutor._diagnosis import (
    Alternative,
    Diagnosis,
    Precision,
    as_answer_array,
    diagnose_array,
    shape_text,
)

OPERATIONS = ("correlate", "convolve")
_OP_TEXT = {
    "correlate": "cross-correlation, which PyTorch calls convolution",
    "convolve": "true convolution (the kernel rotated by 180°)",
}


def _matrix(value: object, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists
        raise ValueError(f"{name} must be a numeric 2-D array, got {value!r}") from None
    if arr.ndim != 2 or arr.size == 0 or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a non-empty numeric 2-D array, got {value!r}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def _padding_text(padding: PaddingSpec) -> str:
    if isinstance(padding, str):
        return f"{padding} padding"
    return f"padding {padding}"


def _shifted(
    x: np.ndarray,
    kernel: np.ndarray,
    geo_pad: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_shape: tuple[int, int],
) -> dict[tuple[int, int], np.ndarray]:
    """The right result with every window moved by one input cell (off-by-one windows)."""
    top, bottom, left, right = geo_pad
    wide = np.pad(x, ((top + 1, bottom + 1), (left + 1, right + 1)))
    big = correlate2d(wide, dilate_kernel(kernel, dilation))
    oh, ow = out_shape
    out = {}
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            rows = big[1 + dy :: stride[0]][:oh]
            block = rows[:, 1 + dx :: stride[1]][:, :ow]
            if block.shape == (oh, ow):
                out[(dy, dx)] = block
    return out


def diagnose_convolution(
    x: object,
    kernel: object,
    answer: object,
    *,
    padding: PaddingSpec = "valid",
    stride: PairSpec = 1,
    dilation: PairSpec = 1,
    operation: Literal["correlate", "convolve"] = "correlate",
    decimals: int = 2,
) -> Diagnosis:
    """Check a hand-computed 2-D cross-correlation or convolution and name the likely slip.

    Parameters
    ----------
    x, kernel
        The exercise's input and kernel (2-D).
    answer
        The user's output: an array or text (see :func:`engine.tutor.parse_answer`).
    padding, stride, dilation
        As for :func:`engine.correlate2d`.
    operation
        ``"correlate"`` (deep learning's "convolution") or ``"convolve"`` (kernel rotated).
    decimals
        Precision for non-integer exercises; integer ``x`` and ``kernel`` are checked exactly.

    Returns
    -------
    Diagnosis
        Codes: ``flipped_kernel`` (the other operation), ``padding_valid`` /
        ``padding_same`` / ``padding_full`` (another padding), ``stride`` (another stride),
        ``dilation`` (dilation ignored), ``transposed`` (the right result transposed),
        ``kernel_transposed`` (the kernel read column-wise), ``sign`` (the negative),
        ``window_shift`` (every window one cell off), ``arithmetic`` (a few cells wrong; each
        with its sum of products), ``wrong_shape``, ``unexplained``.

    Raises
    ------
    ValueError
        Naming the bad argument (``x``, ``kernel``, ``answer``, ``padding``, ``stride``,
        ``dilation``, ``operation``).
    """
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {OPERATIONS}, got {operation!r}")
    xa = _matrix(x, "x")
    ka = _matrix(kernel, "kernel")
    ans = as_answer_array(answer)
    if ans.ndim == 1:
        ans = ans[None, :]
    if ans.ndim != 2:
        raise ValueError(f"answer must be a matrix, got shape {ans.shape}")
    geo = conv_geometry(xa.shape, ka.shape, padding=padding, stride=stride, dilation=dilation)
    op, other = (correlate2d, convolve2d) if operation == "correlate" else (convolve2d, correlate2d)
    kw: dict[str, Any] = {"padding": padding, "stride": stride, "dilation": dilation}
    expected = op(xa, ka, **kw)
    # the kernel as it slides over the input (rotated for true convolution)
    sliding = ka if operation == "correlate" else ka[::-1, ::-1]
    alts: list[Alternative] = []
    op_task = f"the task asks for {_OP_TEXT[operation]}"

    def add(code: str, what: str, task: str, fn: object, size_of: str = "", **over: object) -> None:
        try:
            value = fn(xa, ka, **{**kw, **over})  # type: ignore[operator]
        except ValueError:  # that slip gives no output here (the kernel does not fit)
            return
        alts.append(Alternative(code, value, what, task, size_of))

    flipped = (
        "true convolution — the kernel flipped —"
        if operation == "correlate"
        else "cross-correlation — the kernel not flipped —"
    )
    add("flipped_kernel", flipped, op_task, other)
    pad_task = f"the task asks for {_padding_text(padding)}"
    for name in ("valid", "same", "full"):
        if padding != name:
            add(f"padding_{name}", f"{name} padding", pad_task, op, f"{name} padding", padding=name)
    for s in (1, 2, 3):
        if (s, s) != geo.stride:
            add(
                "stride",
                f"stride {s}",
                f"the task asks for stride {stride}",
                op,
                f"stride {s}",
                stride=s,
            )
    if geo.dilation != (1, 1):
        add(
            "dilation",
            "no dilation — the kernel's taps side by side —",
            f"the task asks for dilation {dilation}: taps {dilation} cells apart",
            op,
            "no dilation",
            dilation=1,
        )
    right = f"the right {shape_text(expected.shape)}"
    alts.append(
        Alternative("transposed", expected.T, f"{right} transposed", "rows and columns are swapped")
    )
    add(
        "kernel_transposed",
        "the result with the kernel transposed (its rows read as columns)",
        "the kernel is used as written",
        lambda a, b, **k: op(a, b.T, **k),
    )
    alts.append(
        Alternative(
            "sign", -expected, f"{right} with every sign flipped", "check each product's sign"
        )
    )
    for (dy, dx), block in _shifted(
        xa, sliding, geo.pad, geo.stride, geo.dilation, geo.output_shape
    ).items():
        alts.append(
            Alternative(
                "window_shift",
                block,
                f"windows placed one cell {_shift_text(dy, dx)}",
                f"window (0, 0) starts at the top-left of the {_padding_text(padding)} input",
            )
        )
    # combined slips: the other operation and another padding (after the single slips)
    other_short = "true convolution" if operation == "correlate" else "cross-correlation"
    for name in ("valid", "same", "full"):
        if padding != name:
            add(
                f"padding_{name}",
                f"{other_short} (the kernel {'' if operation == 'correlate' else 'not '}flipped) "
                f"with {name} padding",
                f"{op_task}, with {_padding_text(padding)}",
                other,
                padding=name,
            )
    exact = xa.dtype.kind in "iu" and ka.dtype.kind in "iu"
    precision = Precision(exact=exact, decimals=decimals)
    task = f"the task asks for {_OP_TEXT[operation]}"
    extras = [_padding_text(padding)] if padding != "valid" else []
    if geo.stride != (1, 1):
        extras.append(f"stride {stride}")
    if geo.dilation != (1, 1):
        extras.append(f"dilation {dilation}")
    if extras:
        task += " with " + ", ".join(extras)

    def work(cell: tuple[int, int]) -> str:
        return trace_cell(xa, ka, cell[0], cell[1], mode=operation, **kw).expression()  # type: ignore[arg-type]

    noun = shape_text(ans.shape)
    return diagnose_array(ans, expected, alts, precision=precision, noun=noun, task=task, work=work)


def _shift_text(dy: int, dx: int) -> str:
    parts = []
    if dy:
        parts.append("down" if dy > 0 else "up")
    if dx:
        parts.append("right" if dx > 0 else "left")
    return " and ".join(parts)
