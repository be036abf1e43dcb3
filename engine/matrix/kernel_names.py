"""What a typed kernel is called and what it responds to, from its values.

A kernel whose values are a library filter takes that filter's name (also scaled or rotated
by 180°, e.g. ``2 × Sobel x``); otherwise it is ``"Custom"`` — unless the user gave it a name of
their own, which is kept.  :func:`kernel_about` says in one line what the kernel responds to.
"""

from __future__ import annotations

import re

import numpy as np

# A module reference, not the name: engine.conv.kernel_tools imports engine.matrix.parse, so
# while it loads it is only partly initialised; the function is looked up when called.
from engine.conv import kernel_tools as _kernel_tools
from engine.conv.filters import FILTER_LIBRARY
from engine.text import format_number

CUSTOM_NAME = "Custom"
#: Names the app gives by itself (a user who types one of these has not named the kernel).
_GENERATED = {"", "Kernel", CUSTOM_NAME, "Solved kernel"}
_LIBRARY_NAMES = tuple(sorted((item.name for item in FILTER_LIBRARY.values()), key=len))
_SCALED = re.compile(r"^(?:\S+ × )?(?P<name>.+?)(?: rotated 180° \(its convolution form\))?$")


def is_generated_name(title: str) -> bool:
    """Whether ``title`` was given by the app (a library name, ``Custom``, ``2 × Sobel x``, …)
    rather than typed by the user."""
    text = title.strip()
    if text in _GENERATED or text.endswith(" (edited)"):
        return True
    match = _SCALED.match(text)
    return match is not None and match.group("name") in _LIBRARY_NAMES


def kernel_name(title: str, kernel: object) -> str:
    """The name to show for a kernel titled ``title`` with these values.

    The user's own title is kept; a generated one is replaced by the matching library filter's
    name (``2 × Sobel x`` for a scaled one) or ``"Custom"`` when no library filter matches.
    """
    if not is_generated_name(title):
        return title.strip()
    match = _match(kernel)
    return match.describe() if match is not None else CUSTOM_NAME


def _match(kernel: object):
    arr = np.asarray(kernel)
    if arr.ndim != 2 or arr.size == 0 or arr.dtype.kind not in "iuf":
        return None
    return _kernel_tools.match_library_filter(arr)


def kernel_about(kernel: object) -> str:
    """One line on what the kernel responds to.

    A library filter (also scaled or rotated) gets its library description, with the sign
    flip of a negative scale or a 180° rotation spelled out; any other kernel is described by
    the sum of its weights (0: responds only to changes; 1: keeps flat areas).
    """
    arr = np.asarray(kernel)
    match = _match(arr)
    if match is not None:
        text = FILTER_LIBRARY[match.key].description
        if _sign_changes(match.key, match.rotated, match.scale < 0):
            text += " Here with the opposite sign."
        return text
    if arr.ndim != 2 or arr.size == 0 or arr.dtype.kind not in "iuf":
        return ""
    total = float(arr.sum())
    if abs(total) <= 1e-12 * max(1.0, float(np.abs(arr).sum())):
        return "Weights sum to 0: flat areas give 0, so it responds only to changes in intensity."
    if abs(total - 1.0) <= 1e-12:
        return "Weights sum to 1: flat areas keep their value."
    shown = format_number(total, exact=False)
    return f"Weights sum to {shown}: flat areas are multiplied by {shown}."


def _sign_changes(key: str, rotated: bool, negative: bool) -> bool:
    """Whether rotating by 180° and/or negating the library kernel ``key`` flips its sign."""
    weights = np.asarray(FILTER_LIBRARY[key].weights)
    changed = weights[::-1, ::-1] if rotated else weights
    if negative:
        changed = -changed
    return bool(np.array_equal(changed, -weights))
