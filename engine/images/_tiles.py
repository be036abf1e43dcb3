"""The gallery's tiles: one per library kernel, the derived results, and custom kernels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.conv.filters import FILTER_LIBRARY
from engine.text import format_number

DERIVED_KEYS = ("gradient_magnitude", "gradient_orientation", "log_zero_crossings", "canny")
CUSTOM_PREFIX = "custom:"
MAX_CUSTOM_KERNEL = 31
#: Largest |weight| of a custom kernel: the Matrix & kernel tab's cell limit.
MAX_CUSTOM_WEIGHT = 1e12
#: Most custom kernels the gallery holds (sent from the Matrix tab or restored from a session).
MAX_CUSTOM_KERNELS = 32


@dataclass(frozen=True)
class TileSpec:
    """One gallery tile: a library/custom kernel (``kind == "kernel"``) or a derived result."""

    key: str
    title: str
    description: str
    kind: str
    kernel: np.ndarray | None = field(default=None, repr=False)
    kernel_text: str = ""

    @property
    def signed(self) -> bool:
        """True for zero-sum kernels: their response is a signed edge/derivative value."""
        return self.kernel is not None and abs(float(np.sum(self.kernel))) < 1e-9


def kernel_text(weights: np.ndarray, scale: object = 1) -> str:
    """Kernel weights as aligned monospace rows (Unicode minus), plus ``× scale`` if not 1.

    Kernels larger than 7×7 are summarised as ``"N×M kernel"``.
    """
    w = np.asarray(weights)
    if w.ndim != 2:
        raise ValueError(f"weights must be 2-D, got shape {w.shape}")
    if max(w.shape) > 7:
        text = f"{w.shape[0]}×{w.shape[1]} kernel"
    else:
        cells = [[format_number(v) for v in row] for row in w.tolist()]
        width = max(len(c) for row in cells for c in row)
        text = "\n".join(" ".join(c.rjust(width) for c in row) for row in cells)
    if str(scale) != "1":
        text += f"\n× {scale}"
    return text


def library_tiles() -> list[TileSpec]:
    """One tile per :data:`engine.FILTER_LIBRARY` kernel, then the derived results."""
    tiles = [
        TileSpec(
            k.key,
            k.name,
            k.description,
            "kernel",
            k.kernel.astype(np.float64),
            kernel_text(k.weights, k.scale),
        )
        for k in FILTER_LIBRARY.values()
    ]
    tiles += [
        TileSpec(
            "gradient_magnitude",
            "Gradient magnitude",
            "√(Sobel x² + Sobel y²): edge strength in every direction.",
            "magnitude",
            kernel_text="√(gx² + gy²)\ngx = Sobel x\ngy = Sobel y",
        ),
        TileSpec(
            "gradient_orientation",
            "Gradient orientation",
            "Hue = direction of the Sobel gradient (red → right, yellow-green ↓, cyan ←, "
            "violet ↑), brightness = magnitude (scaled to its 99th percentile); on grayscale.",
            "orientation",
            kernel_text="hue = atan2(gy, gx)\nvalue = |∇| / P99(|∇|)\n(Sobel gx, gy)",
        ),
        TileSpec(
            "log_zero_crossings",
            "LoG zero crossings",
            "Sign changes of the 5×5 Laplacian of Gaussian (Marr–Hildreth edges) whose jump "
            "exceeds the threshold; computed on grayscale.",
            "zero_crossings",
            kernel_text="LoG 5×5, then\np·q < 0 and\n|p − q| ≥ t·max|LoG|",
        ),
        TileSpec(
            "canny",
            "Canny",
            "Sobel gradient, thinning to one-pixel ridges and hysteresis between the low and high "
            "thresholds (L2 magnitude, replicated border); computed on grayscale.",
            "canny",
            kernel_text="Sobel → thin ridges\n→ hysteresis\nlow / high thresholds",
        ),
    ]
    return tiles


def validate_custom_kernel(kernel: object, name: str = "kernel") -> np.ndarray:
    """A custom kernel as float64, or ``ValueError`` (2-D, finite, at most 31×31, weights
    within ±:data:`MAX_CUSTOM_WEIGHT`)."""
    try:
        k = np.array(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric 2-D array, got {kernel!r}") from None
    if k.ndim != 2 or k.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {k.shape}")
    if max(k.shape) > MAX_CUSTOM_KERNEL:
        raise ValueError(
            f"{name} is {k.shape[0]}×{k.shape[1]}; the gallery takes kernels up to "
            f"{MAX_CUSTOM_KERNEL}×{MAX_CUSTOM_KERNEL}"
        )
    if not np.isfinite(k).all():
        raise ValueError(f"{name} contains NaN or infinity")
    if np.abs(k).max() > MAX_CUSTOM_WEIGHT:
        raise ValueError(
            f"{name} has a weight of {np.abs(k).max():.3g}; weights are limited to "
            f"±{MAX_CUSTOM_WEIGHT:.0e}, as in the Matrix & kernel tab"
        )
    k.setflags(write=False)
    return k
