"""Per-frame processing of the Filter gallery: frame → working image → filters → display images.

Everything the gallery tab shows for a frame comes from :class:`GalleryPipeline` (or the
one-shot :func:`process_frame`), so the live pipeline can be tested and benchmarked without a
window. Working images are ``float32`` on a 0–255 scale (16-bit input is divided by 257, float
input is taken as 0–1), so filter responses have their textbook magnitudes (a 0→255 step gives
Sobel x = 1020).

Two backends give the same numbers for the linear filters:

* ``"numpy"`` — pad with :func:`numpy.pad` in the chosen border mode, then shifted-slice
  accumulation (a plain reference implementation, float32).
* ``"opencv"`` — ``cv2.filter2D`` with the matching ``BORDER_*``; ``cv2.filter2D`` refuses
  ``BORDER_WRAP``, so for ``"wrap"`` the engine pads with ``cv2.copyMakeBorder`` itself and
  filters the padded image.

Kernels are applied as cross-correlation (like ``cv2.filter2D``), anchored at
``(kh // 2, kw // 2)`` (OpenCV's default anchor, also for even kernels).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from engine.canny import canny_numpy
from engine.convolution import format_number
from engine.filter_library import FILTER_LIBRARY

BORDER_MODES = ("zero", "replicate", "reflect", "reflect101", "wrap")
BORDER_LABELS = {
    "zero": "zero (constant 0)",
    "replicate": "replicate (aaa|abc)",
    "reflect": "reflect (cba|abc)",
    "reflect101": "reflect-101 (dcb|abc)",
    "wrap": "wrap (xyz|abc)",
}
_NUMPY_PAD = {
    "zero": "constant",
    "replicate": "edge",
    "reflect": "symmetric",
    "reflect101": "reflect",
    "wrap": "wrap",
}
_CV_BORDER = {
    "zero": cv2.BORDER_CONSTANT,
    "replicate": cv2.BORDER_REPLICATE,
    "reflect": cv2.BORDER_REFLECT,
    "reflect101": cv2.BORDER_REFLECT_101,
    "wrap": cv2.BORDER_WRAP,
}
DISPLAY_MODES = ("abs", "offset", "minmax", "diverging")
DISPLAY_LABELS = {
    "abs": "absolute value |r|",
    "offset": "offset r + 128",
    "minmax": "min–max stretch",
    "diverging": "diverging colour map",
}
COLOR_MODES = ("gray", "color")
BACKENDS = ("numpy", "opencv")
DERIVED_KEYS = ("gradient_magnitude", "gradient_orientation", "log_zero_crossings", "canny")
CUSTOM_PREFIX = "custom:"
MAX_CUSTOM_KERNEL = 31


def _diverging_lut() -> np.ndarray:
    """256×3 uint8 blue–white–red lookup table (ColorBrewer RdBu, negative = blue)."""
    anchors = np.array(
        [
            (5, 48, 97),
            (33, 102, 172),
            (67, 147, 195),
            (146, 197, 222),
            (209, 229, 240),
            (247, 247, 247),
            (253, 219, 199),
            (244, 165, 130),
            (214, 96, 77),
            (178, 24, 43),
            (103, 0, 31),
        ],
        dtype=np.float64,
    )
    pos = np.linspace(0, 255, len(anchors))
    x = np.arange(256)
    lut = np.stack([np.interp(x, pos, anchors[:, c]) for c in range(3)], axis=1)
    out = np.rint(lut).astype(np.uint8)
    out.setflags(write=False)
    return out


#: Lookup table of the diverging display: index 0 = most negative, 128 ≈ zero, 255 = positive.
DIVERGING_LUT = _diverging_lut()
# applyColorMap maps through a 256×1×3 table channel by channel; given RGB rows it yields RGB.
_DIVERGING_LUT_3 = np.ascontiguousarray(DIVERGING_LUT.reshape(256, 1, 3))


def _check_choice(value: object, name: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")


@dataclass(frozen=True)
class GalleryOptions:
    """Options shared by every tile.

    Attributes
    ----------
    color_mode : str
        ``"gray"`` (luminance) or ``"color"`` (each RGB channel filtered separately).
    blur_sigma : float
        Gaussian pre-blur σ in pixels, 0 = none (0–20).
    border : str
        One of :data:`BORDER_MODES`.
    display : str
        How signed responses become grey levels: one of :data:`DISPLAY_MODES`.
    canny_low, canny_high : float
        Canny hysteresis thresholds on the gradient magnitude (0 ≤ low ≤ high ≤ 2000).
    zero_cross_threshold : float
        A LoG sign change counts as an edge when the jump is at least this fraction of the
        largest |LoG| in the frame (0–1).
    """

    color_mode: str = "gray"
    blur_sigma: float = 0.0
    border: str = "reflect101"
    display: str = "abs"
    canny_low: float = 50.0
    canny_high: float = 150.0
    zero_cross_threshold: float = 0.05

    def __post_init__(self) -> None:
        _check_choice(self.color_mode, "color_mode", COLOR_MODES)
        _check_choice(self.border, "border", BORDER_MODES)
        _check_choice(self.display, "display", DISPLAY_MODES)
        for name, lo, hi in (
            ("blur_sigma", 0.0, 20.0),
            ("canny_low", 0.0, 2000.0),
            ("canny_high", 0.0, 2000.0),
            ("zero_cross_threshold", 0.0, 1.0),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not lo <= float(value) <= hi:
                raise ValueError(f"{name} must be between {lo} and {hi}, got {value!r}")
        if self.canny_low > self.canny_high:
            raise ValueError(
                f"canny_low must not exceed canny_high, got {self.canny_low} > {self.canny_high}"
            )

    def to_dict(self) -> dict[str, str | float]:
        """Plain JSON types, for sessions."""
        return {
            "color_mode": self.color_mode,
            "blur_sigma": float(self.blur_sigma),
            "border": self.border,
            "display": self.display,
            "canny_low": float(self.canny_low),
            "canny_high": float(self.canny_high),
            "zero_cross_threshold": float(self.zero_cross_threshold),
        }

    @classmethod
    def from_dict(cls, data: object) -> GalleryOptions:
        """Options from :meth:`to_dict` output; missing or bad entries keep their defaults."""
        opts = cls()
        if not isinstance(data, dict):
            return opts
        for name, default in opts.to_dict().items():
            value = data.get(name, default)
            if isinstance(default, float) and isinstance(value, (int, float)):
                value = float(value)
            try:
                opts = _replace(opts, **{name: value})
            except (ValueError, TypeError):
                continue
        return opts


def _replace(opts: GalleryOptions, **changes: object) -> GalleryOptions:
    values: dict[str, object] = dict(opts.to_dict())
    values.update(changes)
    return GalleryOptions(**values)  # type: ignore[arg-type]


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


@dataclass
class TileResult:
    """A computed tile: ``display`` is a ready-to-show uint8 image (gray or RGB).

    ``raw`` holds the filter response (float32, same height/width) for pixel readouts;
    ``compare`` is what the backend comparison measures (``raw`` for linear filters and the
    gradient magnitude, the displayed image for the non-linear results).
    """

    key: str
    display: np.ndarray
    raw: np.ndarray
    compare: np.ndarray
    ms: float
    scale: float = 0.0


@dataclass(frozen=True)
class BackendComparison:
    """numpy vs OpenCV on one tile and frame."""

    key: str
    max_abs_diff: float
    differing_fraction: float
    numpy_ms: float
    opencv_ms: float


@dataclass
class GalleryFrame:
    """Everything shown for one frame."""

    input_display: np.ndarray
    thumbnails: dict[str, np.ndarray]
    large: TileResult | None
    comparison: BackendComparison | None
    total_ms: float


# --------------------------------------------------------------------------------------------
# Working image, padding, filtering


def to_working(frame: np.ndarray, color_mode: str = "gray") -> np.ndarray:
    """Frame (gray/RGB/RGBA; uint8, uint16 or float 0–1) → float32 0–255, gray or RGB.

    Alpha is dropped. Grayscale uses the ITU-R BT.601 luma weights (``cv2.COLOR_RGB2GRAY``).
    """
    _check_choice(color_mode, "color_mode", COLOR_MODES)
    arr = np.asarray(frame)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise ValueError(f"frame must be (H, W), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"frame must not be empty, got shape {arr.shape}")
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    if arr.dtype == np.uint8:
        work = arr.astype(np.float32)
    elif arr.dtype == np.uint16:
        work = arr.astype(np.float32) / np.float32(257.0)
    elif arr.dtype.kind == "f":
        work = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0) * 255.0
    else:
        raise ValueError(f"frame has unsupported dtype {arr.dtype}")
    work = np.ascontiguousarray(work)
    if color_mode == "gray" and work.ndim == 3:
        return cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
    if color_mode == "color" and work.ndim == 2:
        return cv2.cvtColor(work, cv2.COLOR_GRAY2RGB)
    return work


def pad_image(
    image: np.ndarray, pad: tuple[int, int, int, int], border: str, backend: str = "numpy"
) -> np.ndarray:
    """Pad ``(top, bottom, left, right)`` pixels in a border mode (see :data:`BORDER_MODES`)."""
    _check_choice(border, "border", BORDER_MODES)
    _check_choice(backend, "backend", BACKENDS)
    top, bottom, left, right = pad
    if backend == "opencv":
        return cv2.copyMakeBorder(image, top, bottom, left, right, _CV_BORDER[border], value=0)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths, mode=_NUMPY_PAD[border])  # type: ignore[call-overload]


def filter_same(
    image: np.ndarray, kernel: np.ndarray, *, border: str = "reflect101", backend: str = "opencv"
) -> np.ndarray:
    """Same-size cross-correlation of a float32 gray/RGB image with ``kernel`` (float32 out).

    ``out[i, j] = Σ kernel[a, b] · x[i + a − kh//2, j + b − kw//2]`` with ``x`` extended by the
    ``border`` mode.
    """
    _check_choice(border, "border", BORDER_MODES)
    _check_choice(backend, "backend", BACKENDS)
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim != 2 or k.size == 0:
        raise ValueError(f"kernel must be a non-empty 2-D array, got shape {k.shape}")
    if not np.isfinite(k).all():
        raise ValueError("kernel contains NaN or infinity")
    src = np.ascontiguousarray(image, dtype=np.float32)
    kh, kw = k.shape
    ay, ax = kh // 2, kw // 2
    pad = (ay, kh - 1 - ay, ax, kw - 1 - ax)
    if backend == "opencv":
        if border != "wrap":
            return cv2.filter2D(src, cv2.CV_32F, k, borderType=_CV_BORDER[border])
        padded = pad_image(src, pad, "wrap", "opencv")
        full = cv2.filter2D(padded, cv2.CV_32F, k, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
        return np.ascontiguousarray(full[: src.shape[0], : src.shape[1]])
    padded = pad_image(src, pad, border, "numpy")
    h, w = src.shape[:2]
    out = np.zeros_like(src)
    for a in range(kh):
        for b in range(kw):
            weight = k[a, b]
            if weight != 0:
                out += weight * padded[a : a + h, b : b + w]
    return out


def gaussian_blur(image: np.ndarray, sigma: float, border: str = "reflect101") -> np.ndarray:
    """Gaussian blur with σ (0 = copy), kernel ``2⌈3σ⌉ + 1``; every border mode incl. wrap."""
    if not 0 <= sigma <= 20:
        raise ValueError(f"sigma must be between 0 and 20, got {sigma!r}")
    if sigma == 0:
        return image.copy()
    r = int(np.ceil(3 * sigma))
    size = 2 * r + 1
    if border != "wrap":
        return cv2.GaussianBlur(image, (size, size), sigma, borderType=_CV_BORDER[border])
    padded = pad_image(image, (r, r, r, r), "wrap", "opencv")
    blurred = cv2.GaussianBlur(padded, (size, size), sigma, borderType=cv2.BORDER_CONSTANT)
    return np.ascontiguousarray(blurred[r:-r, r:-r])


# --------------------------------------------------------------------------------------------
# Derived results


SOBEL_X = FILTER_LIBRARY["sobel_x"].kernel.astype(np.float32)
SOBEL_Y = FILTER_LIBRARY["sobel_y"].kernel.astype(np.float32)
LOG_KERNEL = FILTER_LIBRARY["log5"].kernel.astype(np.float32)


def sobel_gradients(
    image: np.ndarray, *, border: str = "reflect101", backend: str = "opencv"
) -> tuple[np.ndarray, np.ndarray]:
    """``(gx, gy)`` from the 3×3 Sobel kernels (equal to ``cv2.Sobel`` with ksize 3)."""
    gx = filter_same(image, SOBEL_X, border=border, backend=backend)
    gy = filter_same(image, SOBEL_Y, border=border, backend=backend)
    return gx, gy


def gradient_magnitude(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """``sqrt(gx² + gy²)`` (float32, ``cv2.magnitude``)."""
    fx = np.ascontiguousarray(gx, dtype=np.float32)
    fy = np.ascontiguousarray(gy, dtype=np.float32)
    return cv2.magnitude(fx.reshape(fx.shape[0], -1), fy.reshape(fy.shape[0], -1)).reshape(fx.shape)


def robust_max(values: np.ndarray, percentile: float = 99.0) -> float:
    """The ``percentile``-th percentile of ``values`` (a scale one hot pixel cannot spoil).

    Nearest rank; large arrays are estimated from at most 16 384 evenly spaced samples, so a
    live frame pays about 0.2 ms instead of several.
    """
    flat = np.asarray(values, dtype=np.float32).ravel()
    if flat.size == 0:
        return 0.0
    if flat.size > _PERCENTILE_SAMPLES:
        flat = flat[:: flat.size // _PERCENTILE_SAMPLES]
    else:
        flat = flat.copy()
    k = min(flat.size - 1, int(round(percentile / 100.0 * (flat.size - 1))))
    return float(np.partition(flat, k)[k])


_PERCENTILE_SAMPLES = 16384


def orientation_image(gx: np.ndarray, gy: np.ndarray, mag_scale: float | None = None) -> np.ndarray:
    """Gradient direction as hue, magnitude as brightness: RGB uint8.

    Hue = ``atan2(gy, gx)`` over the full circle in 2° steps (0° → red, pointing right; y points
    down; ``cv2.phase``, accurate to about 0.3°), value = ``clip(magnitude / mag_scale)``
    (default scale: the 99th percentile of the magnitude, else the maximum), full saturation.
    """
    if gx.shape != gy.shape or gx.ndim != 2:
        raise ValueError(f"gx and gy must be 2-D and equal in shape, got {gx.shape}, {gy.shape}")
    fx = np.ascontiguousarray(gx, dtype=np.float32)
    fy = np.ascontiguousarray(gy, dtype=np.float32)
    mag = cv2.magnitude(fx, fy)
    if mag_scale is None:
        scale = robust_max(mag)
        scale = scale if scale > 0 else float(mag.max())
    else:
        scale = float(mag_scale)
    hue = cv2.convertScaleAbs(cv2.phase(fx, fy, angleInDegrees=True), alpha=0.5)
    hue[hue >= 180] -= 180
    value = cv2.convertScaleAbs(mag, alpha=255.0 / scale) if scale > 0 else np.zeros_like(hue)
    hsv = cv2.merge([hue, np.full_like(hue, 255), value])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def zero_crossings(response: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Boolean map of sign changes of a 2-D ``response`` (e.g. a LoG).

    Pixel ``p`` is marked when its right or lower neighbour ``q`` has the opposite strict sign
    (``p·q < 0``) and ``|p − q| ≥ threshold``.
    """
    # float64: the difference of two float32 values is then exact, so the threshold test is too.
    r = np.asarray(response, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError(f"response must be 2-D, got shape {r.shape}")
    out = np.zeros(r.shape, dtype=bool)
    for a, b in ((r[:, :-1], r[:, 1:]), (r[:-1, :], r[1:, :])):
        hit = (a * b < 0) & (np.abs(a - b) >= threshold)
        out[: hit.shape[0], : hit.shape[1]] |= hit
    return out


# --------------------------------------------------------------------------------------------
# Display


def display_response(
    raw: np.ndarray, mode: str = "abs", *, signed: bool = True, scale: float | None = None
) -> np.ndarray:
    """Turn a finite float response into a uint8 image (gray, or RGB for colour/diverging).

    Unsigned responses (smoothing, sharpening: kernels whose weights do not sum to 0) are shown
    clipped to 0–255 in every mode except ``"minmax"``. Signed responses follow ``mode``:
    ``"abs"`` → ``clip(|r|)``, ``"offset"`` → ``clip(r + 128)``, ``"minmax"`` → stretched to
    0–255, ``"diverging"`` → :data:`DIVERGING_LUT` over ``[−m, m]`` with ``m`` from
    :func:`diverging_scale` unless ``scale`` is given (a 3-channel response uses its channel
    mean). Values are rounded half to even.
    """
    _check_choice(mode, "mode", DISPLAY_MODES)
    r = np.asarray(raw, dtype=np.float32)
    if mode == "minmax":
        lo, hi = float(r.min()), float(r.max())
        if hi <= lo:
            return np.zeros(r.shape, dtype=np.uint8)
        gain = 255.0 / (hi - lo)
        return cv2.convertScaleAbs(r, alpha=gain, beta=-lo * gain)
    if not signed:
        return cv2.convertScaleAbs(np.maximum(r, 0))
    if mode == "abs":
        return cv2.convertScaleAbs(r)
    if mode == "offset":
        return cv2.convertScaleAbs(np.maximum(r + np.float32(128.0), 0))
    plane = response_plane(r)
    m = diverging_scale(plane) if scale is None else float(scale)
    if m > 0:
        # Clamp to ±m (values beyond take the end colours), then map −m…m to 0…255.
        clamped = np.clip(plane, -m, m, dtype=np.float32)
        idx = cv2.convertScaleAbs(clamped, alpha=127.5 / m, beta=127.5)
    else:
        idx = np.full(plane.shape, 128, dtype=np.uint8)
    return cv2.applyColorMap(idx, _DIVERGING_LUT_3)


def response_plane(raw: np.ndarray) -> np.ndarray:
    """A response as one plane: itself if 2-D, the mean of its channels if 3-D."""
    r = np.asarray(raw, dtype=np.float32)
    if r.ndim == 2:
        return r
    weights = np.full((1, r.shape[2]), 1.0 / r.shape[2], dtype=np.float32)
    return cv2.transform(np.ascontiguousarray(r), weights)


def diverging_scale(plane: np.ndarray) -> float:
    """Half-range ``m`` of the diverging display: the 99th percentile of ``|r|``.

    Edge responses are sparse, so ``max |r|`` would leave almost everything white; values beyond
    ``±m`` take the end colours. Falls back to ``max |r|``; 0 for a flat response.
    """
    if plane.size == 0:
        return 0.0
    magnitude = np.abs(np.asarray(plane, dtype=np.float32))
    m = robust_max(magnitude)
    return m if m > 0 else float(magnitude.max())


def input_display(frame: np.ndarray) -> np.ndarray:
    """A frame as uint8 gray/RGB for display (16-bit ÷ 257, float 0–1 × 255, alpha dropped)."""
    arr = np.asarray(frame)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    if arr.dtype == np.uint16:
        return np.rint(arr / 257.0).astype(np.uint8)
    f = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    return np.clip(np.rint(f * 255.0), 0, 255).astype(np.uint8)


def sanitize_for_display(image: object) -> np.ndarray | None:
    """Make an array safe for an image widget, or return ``None`` if it cannot be shown.

    pyqtgraph raises on 0×0, 1-D, 2- or 5-channel, all-NaN or infinite images: NaN/inf become 0,
    a single channel is squeezed, more than 4 channels or an empty array give ``None``.
    """
    try:
        arr = np.asarray(image)
    except (TypeError, ValueError):
        return None
    if arr.dtype.kind not in "buif" or arr.size == 0:
        return None
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 3 and arr.shape[2] == 2:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        return None
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8) * 255
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        arr = np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0)
    return np.ascontiguousarray(arr)


# --------------------------------------------------------------------------------------------
# Tiles and the pipeline


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
    """A custom kernel as float64, or ``ValueError`` (2-D, finite, at most 31×31)."""
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
    k.setflags(write=False)
    return k


def preview_size(shape: tuple[int, ...], max_side: int) -> tuple[int, int]:
    """``(height, width)`` scaled down (never up) so the longer side is at most ``max_side``."""
    h, w = int(shape[0]), int(shape[1])
    factor = min(1.0, max_side / max(h, w))
    return max(1, round(h * factor)), max(1, round(w * factor))


class GalleryPipeline:
    """Computes every tile of the gallery for a frame (no Qt; used by the tab and benchmarks).

    Parameters
    ----------
    options
        Initial :class:`GalleryOptions`.
    preview_max_side
        Thumbnails are computed on the frame scaled down (``INTER_AREA``) to at most this many
        pixels on its longer side; the large view always uses the full frame.
    """

    def __init__(self, options: GalleryOptions | None = None, *, preview_max_side: int = 640):
        if isinstance(preview_max_side, bool) or not isinstance(preview_max_side, int):
            raise ValueError(f"preview_max_side must be an int, got {preview_max_side!r}")
        if preview_max_side < 16:
            raise ValueError(f"preview_max_side must be at least 16, got {preview_max_side}")
        self.options = options if options is not None else GalleryOptions()
        self.preview_max_side = preview_max_side
        self._library = library_tiles()
        self._custom: dict[str, TileSpec] = {}

    def tiles(self) -> list[TileSpec]:
        """Library tiles, derived results, then custom kernels in the order they were added."""
        return self._library + list(self._custom.values())

    def tile(self, key: str) -> TileSpec:
        """The tile called ``key``, or ``ValueError``."""
        for spec in self.tiles():
            if spec.key == key:
                return spec
        raise ValueError(f"key {key!r} is not a gallery tile")

    def add_custom_kernel(self, name: str, kernel: object) -> str:
        """Add (or replace) a custom kernel tile; returns its key ``"custom:<name>"``."""
        title = str(name).strip() or "custom"
        k = validate_custom_kernel(kernel, f"custom kernel {title!r}")
        key = CUSTOM_PREFIX + title
        self._custom[key] = TileSpec(
            key,
            f"Custom: {title}",
            f"{k.shape[0]}×{k.shape[1]} kernel sent from the Matrix & kernel tab "
            f"(weights sum to {np.sum(k):.4g}).",
            "kernel",
            k,
            kernel_text(k),
        )
        return key

    def custom_kernels(self) -> dict[str, np.ndarray]:
        """Custom kernels by name (as given to :meth:`add_custom_kernel`), in tile order."""
        return {
            key[len(CUSTOM_PREFIX) :]: spec.kernel
            for key, spec in self._custom.items()
            if spec.kernel is not None
        }

    def remove_custom_kernel(self, key: str) -> None:
        """Remove a custom tile (no error if it is not there)."""
        self._custom.pop(key, None)

    def working(self, frame: np.ndarray, color_mode: str | None = None) -> np.ndarray:
        """Frame → float32 working image, with the pre-blur applied."""
        opts = self.options
        work = to_working(frame, color_mode or opts.color_mode)
        return gaussian_blur(work, float(opts.blur_sigma), opts.border)

    def compute(self, work: np.ndarray, spec: TileSpec, backend: str = "opencv") -> TileResult:
        """One tile on a working image (from :meth:`working`) with one backend."""
        _check_choice(backend, "backend", BACKENDS)
        opts = self.options
        t0 = time.perf_counter()
        gray = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY) if work.ndim == 3 else work
        scale = 0.0
        if spec.kind == "kernel":
            assert spec.kernel is not None
            raw = filter_same(work, spec.kernel, border=opts.border, backend=backend)
            if opts.display == "diverging" and spec.signed:
                scale = diverging_scale(response_plane(raw))
            display = display_response(raw, opts.display, signed=spec.signed, scale=scale or None)
            compare = raw
        elif spec.kind == "magnitude":
            gx, gy = sobel_gradients(work, border=opts.border, backend=backend)
            raw = gradient_magnitude(gx, gy)
            mode = "minmax" if opts.display == "minmax" else "abs"
            display = display_response(raw, mode, signed=False)
            compare = raw
        elif spec.kind == "orientation":
            gx, gy = sobel_gradients(gray, border=opts.border, backend=backend)
            raw = cv2.phase(gx, gy, angleInDegrees=True)
            display = orientation_image(gx, gy)
            compare = display
        elif spec.kind == "zero_crossings":
            log = filter_same(gray, LOG_KERNEL, border=opts.border, backend=backend)
            threshold = opts.zero_cross_threshold * float(np.abs(log).max())
            display = zero_crossings(log, threshold).astype(np.uint8) * np.uint8(255)
            raw, compare = log, display
        elif spec.kind == "canny":
            u8 = cv2.convertScaleAbs(gray)  # gray is 0–255: round and saturate
            if backend == "opencv":
                display = cv2.Canny(u8, opts.canny_low, opts.canny_high, L2gradient=True)
            else:
                display = canny_numpy(u8, opts.canny_low, opts.canny_high)
            raw, compare = display, display
        else:
            raise ValueError(f"tile kind {spec.kind!r} is unknown")
        ms = (time.perf_counter() - t0) * 1000.0
        return TileResult(spec.key, display, raw, compare, ms, scale)

    def compare_backends(self, work: np.ndarray, spec: TileSpec) -> BackendComparison:
        """Compute ``spec`` with both backends; max |difference| and time of each."""
        return self._compare(work, spec)[0]

    def _compare(
        self, work: np.ndarray, spec: TileSpec
    ) -> tuple[BackendComparison, dict[str, TileResult]]:
        results = {name: self.compute(work, spec, name) for name in BACKENDS}
        a, b = results["numpy"], results["opencv"]
        diff = cv2.absdiff(a.compare, b.compare).reshape(-1)
        comparison = BackendComparison(
            spec.key,
            float(diff.max()),
            np.count_nonzero(diff) / diff.size,
            a.ms,
            b.ms,
        )
        return comparison, results

    def process(
        self,
        frame: np.ndarray,
        *,
        selected: str | None = None,
        backend: str = "opencv",
        thumbnails: bool | Collection[str] = True,
        compare: bool = True,
    ) -> GalleryFrame:
        """Everything the gallery shows for ``frame``.

        Thumbnails (OpenCV backend, preview resolution) for every tile — or only for the keys
        in ``thumbnails`` when it is a collection (e.g. the tiles currently scrolled into view),
        none when it is False; the ``selected`` tile at full resolution with ``backend``; when
        ``compare`` is set, both backends are timed on the selected tile and their maximum
        absolute difference reported.
        """
        _check_choice(backend, "backend", BACKENDS)
        t0 = time.perf_counter()
        thumbs: dict[str, np.ndarray] = {}
        wanted = None if isinstance(thumbnails, bool) else set(thumbnails)
        if thumbnails is True or wanted:
            h, w = preview_size(frame.shape, self.preview_max_side)
            small = frame
            if (h, w) != frame.shape[:2]:
                small = cv2.resize(
                    np.ascontiguousarray(frame), (w, h), interpolation=cv2.INTER_AREA
                )
            work_small = self.working(small)
            for spec in self.tiles():
                if wanted is None or spec.key in wanted:
                    thumbs[spec.key] = self.compute(work_small, spec, "opencv").display
        large = comparison = None
        if selected is not None:
            spec = self.tile(selected)
            work = self.working(frame)
            if compare:
                comparison, both = self._compare(work, spec)
                large = both[backend]
            else:
                large = self.compute(work, spec, backend)
        total = (time.perf_counter() - t0) * 1000.0
        return GalleryFrame(input_display(frame), thumbs, large, comparison, total)


def process_frame(
    frame: np.ndarray,
    key: str = "sobel_x",
    *,
    options: GalleryOptions | None = None,
    backend: str = "opencv",
) -> np.ndarray:
    """The live pipeline for one filter: frame → grayscale/colour → pre-blur → filter → uint8.

    A window-free entry point for benchmarks; equals the gallery's large view of ``key``.
    """
    pipeline = GalleryPipeline(options)
    spec = pipeline.tile(key)
    return pipeline.compute(pipeline.working(frame), spec, backend).display
