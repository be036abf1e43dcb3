"""Check an output size or a parameter count and name the slip in the formula."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.checks import is_integer
from engine.layers.arithmetic import conv_params, output_size
from engine.tutor._diagnosis import Diagnosis, Precision, diagnose_scalar

_EXACT = Precision(exact=True)


def _scalar_answer(answer: object) -> float:
    from engine.tutor._parse import parse_answer

    value = parse_answer(answer) if isinstance(answer, str) else answer
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError(f"answer must be one number, got {value.size} numbers")
        value = value.reshape(-1)[0].item()
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"answer must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"answer must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"answer must be finite, got {value!r}")
    return number


def _int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def diagnose_output_size(
    size: int, kernel: int, padding: int, stride: int, dilation: int, answer: object
) -> Diagnosis:
    """Check an output length ``O = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`` and name the slip.

    Parameters
    ----------
    size, kernel, padding, stride, dilation
        Input length ``n``, kernel length ``k``, zero padding ``p`` on *each* side, stride ``s``
        and dilation ``d`` along one axis.
    answer
        The user's number (int, float or text such as ``"3.5"``).

    Returns
    -------
    Diagnosis
        Compared exactly; codes: ``no_floor`` (rounded up, or the unfloored value the sheet's
        formula gives, to 2 decimals), ``padding_once`` (``p`` where ``2p`` belongs),
        ``no_plus_one``, ``dilation_ignored`` (``k`` for ``d(k−1)+1``), ``dilation_extent``
        (``d·k``), ``stride_ignored``, ``padding_ignored``, ``unexplained``.

    Raises
    ------
    ValueError
        Naming the bad argument (``size``, ``kernel``, ``padding``, ``stride``, ``dilation``,
        ``answer``), or when no output exists.
    """
    n = _int(size, "size", 1)
    k = _int(kernel, "kernel", 1)
    p = _int(padding, "padding", 0)
    s = _int(stride, "stride", 1)
    d = _int(dilation, "dilation", 1)
    try:
        expected = output_size(n, k, padding=p, stride=s, dilation=d)
    except ValueError as exc:
        raise ValueError(f"size: {exc}") from None
    given = _scalar_answer(answer)
    ke = d * (k - 1) + 1
    span = n + 2 * p - ke
    k_text = f"{k}" if d == 1 else f"({d}·({k}−1)+1)"
    right = f"⌊({n} + 2·{p} − {k_text})/{s}⌋ + 1 = {expected}"
    alts: list[tuple[str, float, str, Precision]] = []
    if span % s:
        exact_value = span / s + 1
        alts.append(
            (
                "no_floor",
                exact_value,
                f"({n} + 2·{p} − {k_text})/{s} + 1 without the floor",
                Precision(decimals=2),
            )
        )
        alts.append(("no_floor", math.ceil(exact_value), "the quotient rounded up", _EXACT))
    if p:
        alts.append(
            (
                "padding_once",
                (n + p - ke) // s + 1,
                f"⌊({n} + {p} − {k_text})/{s}⌋ + 1: the padding counted once, but it is "
                f"added on both sides (2p = {2 * p})",
                _EXACT,
            )
        )
    alts.append(
        ("no_plus_one", span // s, f"⌊({n} + 2·{p} − {k_text})/{s}⌋ without the + 1", _EXACT)
    )
    if d > 1:
        for code, extent, text in (
            ("dilation_ignored", k, f"the undilated kernel length {k}"),
            ("dilation_extent", d * k, f"d·k = {d * k} as the kernel extent"),
        ):
            if n + 2 * p >= extent:
                value = (n + 2 * p - extent) // s + 1
                alts.append(
                    (
                        code,
                        value,
                        f"what {text} gives; a dilated kernel spans d(k−1)+1 = {ke}",
                        _EXACT,
                    )
                )
    if s > 1:
        alts.append(("stride_ignored", span + 1, f"the output for stride 1, not {s}", _EXACT))
    if p and n >= ke:
        alts.append(("padding_ignored", (n - ke) // s + 1, "the output without padding", _EXACT))
    task = f"the right size is {right}"
    return _scalar(given, expected, alts, task, right)


def _scalar(
    given: float,
    expected: int,
    alts: Sequence[tuple[str, float, str, Precision]],
    task: str,
    work: str,
) -> Diagnosis:
    """Report the first alternative whose own precision accepts the answer, then the rest."""
    findings_diag = [
        diagnose_scalar(given, expected, [(c, v, w)], precision=prec, task=task, work=work)
        for c, v, w, prec in alts
    ]
    base = diagnose_scalar(given, expected, [], precision=_EXACT, task=task, work=work)
    if base.correct:
        return Diagnosis(True, expected, _num(given), [], [], _EXACT)
    findings = [f for d in findings_diag for f in d.findings if f.code != "unexplained"]
    if not findings:
        findings = base.findings
    return Diagnosis(False, expected, _num(given), [], findings, _EXACT)


def diagnose_param_count(
    filters: int,
    kernel: int | Sequence[int],
    channels: int,
    answer: object,
    *,
    bias: bool = True,
    groups: int = 1,
) -> Diagnosis:
    """Check a conv layer's parameter count ``N·(kh·kw·C/groups + bias)`` and name the slip.

    Parameters
    ----------
    filters, kernel, channels
        ``N`` filters, kernel ``k`` or ``(kh, kw)``, ``C`` input channels.
    answer
        The user's count.
    bias, groups
        As for :func:`engine.conv_params`.

    Returns
    -------
    Diagnosis
        Compared exactly; codes: ``no_bias``, ``bias_added`` (a bias counted that the layer
        does not have), ``no_channels`` (the ``C`` forgotten), ``kernel_not_squared``
        (``k`` for ``k·k``), ``groups_ignored``, ``bias_per_channel``, ``no_filters`` (one
        filter's count), ``unexplained``.

    Raises
    ------
    ValueError
        Naming the bad argument (``filters``, ``kernel``, ``channels``, ``groups``, ``answer``).
    """
    n = _int(filters, "filters", 1)
    c = _int(channels, "channels", 1)
    g = _int(groups, "groups", 1)
    if is_integer(kernel):
        kh = kw = _int(kernel, "kernel", 1)
    else:
        try:
            kh_raw, kw_raw = kernel  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValueError(f"kernel must be an int or a pair, got {kernel!r}") from None
        kh, kw = _int(kh_raw, "kernel", 1), _int(kw_raw, "kernel", 1)
    if c % g or n % g:
        raise ValueError(f"groups={g} must divide both channels={c} and filters={n}")
    expected = conv_params((kh, kw), c, n, bias=bias, groups=g)
    given = _scalar_answer(answer)
    b = 1 if bias else 0
    cg = c // g
    k_text = f"{kh}·{kw}"
    c_text = f"{c}" if g == 1 else f"{c}/{g}"
    right = f"{n}·({k_text}·{c_text}{' + 1' if bias else ''}) = {expected}"
    alts: list[tuple[str, float, str, Precision]] = []

    def add(code: str, value: int, why: str) -> None:
        alts.append((code, value, why, _EXACT))

    if bias:
        add("no_bias", n * kh * kw * cg, f"{n}·{k_text}·{c_text}: each filter's bias is missing")
    else:
        add("bias_added", n * (kh * kw * cg + 1), "with a bias per filter, but this layer has none")
    if cg > 1:
        add(
            "no_channels",
            n * (kh * kw + b),
            f"the count for one input channel: each filter has {kh}·{kw} weights per channel "
            f"and sees {cg} channel{'s' if cg > 1 else ''}",
        )
        if bias:
            add("no_channels", n * kh * kw, "the count for one channel and without biases")
    for side in sorted({kh, kw}):
        if kh * kw != side:
            add(
                "kernel_not_squared",
                n * (side * cg + b),
                f"{n}·({side}·{c_text}{' + 1' if bias else ''}): a {kh}×{kw} kernel has "
                f"{kh * kw} weights per channel, not {side}",
            )
    if g > 1:
        add(
            "groups_ignored",
            n * (kh * kw * c + b),
            f"the count without groups: with groups = {g} each filter sees only {c}/{g} = {cg} "
            "channels",
        )
    if bias and cg > 1:
        add(
            "bias_per_channel",
            n * cg * (kh * kw + 1),
            "with a bias per channel; there is one bias per filter",
        )
    if n > 1:
        add("no_filters", kh * kw * cg + b, f"the count for one filter; there are {n}")
    return _scalar(given, expected, alts, f"the right count is {right}", right)
