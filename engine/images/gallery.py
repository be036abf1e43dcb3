"""Per-frame processing of the Filter gallery: frame → working image → filters → display images.

Everything the gallery tab shows for a frame comes from :class:`GalleryPipeline` (or the
one-shot :func:`process_frame`), so the live pipeline can be tested and benchmarked without a
window. The building blocks live in :mod:`engine.images._borders` (border modes, both backends),
:mod:`engine.images._edge_maps` (gradients, orientation, zero crossings),
:mod:`engine.images._display` (negative-value display modes), :mod:`engine.images._tiles`
(the tiles) and
:mod:`engine.images._canny`; they are re-exported here.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

import cv2
import numpy as np

from engine.checks import check_choice, is_int, is_real
from engine.images._borders import (
    BACKENDS,
    BORDER_LABELS,
    BORDER_MODES,
    COLOR_MODES,
    downscale_area,
    filter_same,
    gaussian_blur,
    pad_image,
    to_working,
)
from engine.images._canny import canny_numpy
from engine.images._display import (
    DISPLAY_LABELS,
    DISPLAY_MODES,
    DIVERGING_LUT,
    display_response,
    diverging_scale,
    input_display,
    response_plane,
    robust_max,
    sanitize_for_display,
)
from engine.images._edge_maps import (
    LOG_KERNEL,
    SOBEL_X,
    SOBEL_Y,
    gradient_magnitude,
    orientation_image,
    sobel_gradients,
    zero_crossings,
)
from engine.images._tiles import (
    CUSTOM_PREFIX,
    DERIVED_KEYS,
    MAX_CUSTOM_KERNEL,
    MAX_CUSTOM_KERNELS,
    TileSpec,
    kernel_text,
    library_tiles,
    validate_custom_kernel,
)

__all__ = [
    "BACKENDS",
    "BORDER_LABELS",
    "BORDER_MODES",
    "COLOR_MODES",
    "CUSTOM_PREFIX",
    "DERIVED_KEYS",
    "DISPLAY_LABELS",
    "DISPLAY_MODES",
    "DIVERGING_LUT",
    "LOG_KERNEL",
    "MAX_CUSTOM_KERNEL",
    "SOBEL_X",
    "SOBEL_Y",
    "BackendComparison",
    "GalleryFrame",
    "GalleryOptions",
    "GalleryPipeline",
    "SharedIntermediates",
    "TileResult",
    "TileSpec",
    "canny_numpy",
    "display_response",
    "diverging_scale",
    "downscale_area",
    "filter_same",
    "gaussian_blur",
    "gradient_magnitude",
    "input_display",
    "kernel_text",
    "library_tiles",
    "orientation_image",
    "pad_image",
    "preview_size",
    "process_frame",
    "response_plane",
    "robust_max",
    "sanitize_for_display",
    "sobel_gradients",
    "to_working",
    "validate_custom_kernel",
    "zero_crossings",
]


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
        check_choice(self.color_mode, "color_mode", COLOR_MODES)
        check_choice(self.border, "border", BORDER_MODES)
        check_choice(self.display, "display", DISPLAY_MODES)
        for name, lo, hi in (
            ("blur_sigma", 0.0, 20.0),
            ("canny_low", 0.0, 2000.0),
            ("canny_high", 0.0, 2000.0),
            ("zero_cross_threshold", 0.0, 1.0),
        ):
            value = getattr(self, name)
            if not is_real(value):
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
    """Everything shown for one frame.

    ``work`` is the working image (float32, after colour conversion and pre-blur) the large
    tile was computed from — the input of its filter, for pixel read-outs; ``None`` when no
    tile was selected. Every ``display`` image (thumbnails, ``large.display``) is ready to
    show: C-contiguous uint8, (H, W) or (H, W, 3).
    """

    thumbnails: dict[str, np.ndarray]
    large: TileResult | None
    comparison: BackendComparison | None
    total_ms: float
    work: np.ndarray | None = None


def preview_size(shape: tuple[int, ...], max_side: int) -> tuple[int, int]:
    """``(height, width)`` scaled down (never up) so the longer side is at most ``max_side``."""
    h, w = int(shape[0]), int(shape[1])
    factor = min(1.0, max_side / max(h, w))
    return max(1, round(h * factor)), max(1, round(w * factor))


class SharedIntermediates:
    """Results several tiles of one working image share: its grayscale and filter responses.

    Made per frame (and per resolution) by :meth:`GalleryPipeline.process`; the arrays it
    returns are shared between tiles and must not be modified.
    """

    def __init__(self, work: np.ndarray, border: str, backend: str) -> None:
        self.work = work
        self.border = border
        self.backend = backend
        self._gray: np.ndarray | None = None
        self._responses: dict[tuple[bool, tuple[int, ...], bytes], np.ndarray] = {}

    def matches(self, work: np.ndarray, border: str, backend: str) -> bool:
        """True if this holds intermediates of ``work`` with ``border`` and ``backend``."""
        return work is self.work and border == self.border and backend == self.backend

    @property
    def gray(self) -> np.ndarray:
        """The working image as one luminance plane (itself if already gray)."""
        if self._gray is None:
            w = self.work
            self._gray = cv2.cvtColor(w, cv2.COLOR_RGB2GRAY) if w.ndim == 3 else w
        return self._gray

    def filtered(self, kernel: np.ndarray, *, on_gray: bool = False) -> np.ndarray:
        """``filter_same`` of the working image (or its grayscale) with ``kernel``, cached."""
        k = np.asarray(kernel, dtype=np.float32)
        gray = on_gray or self.work.ndim == 2  # a gray working image is its own grayscale
        key = (gray, k.shape, k.tobytes())
        out = self._responses.get(key)
        if out is None:
            image = self.gray if gray else self.work
            out = filter_same(image, k, border=self.border, backend=self.backend)
            self._responses[key] = out
        return out


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
        if not is_int(preview_max_side):
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
        """Add (or replace) a custom kernel tile; returns its key ``"custom:<name>"``.

        Raises ``ValueError`` for a bad kernel, or a new one beyond :data:`MAX_CUSTOM_KERNELS`.
        """
        title = str(name).strip() or "custom"
        key = CUSTOM_PREFIX + title
        if key not in self._custom and len(self._custom) >= MAX_CUSTOM_KERNELS:
            # Checked first: a session listing 20,000 kernels took over a minute to start.
            raise ValueError(
                f"the gallery holds at most {MAX_CUSTOM_KERNELS} custom kernels; "
                f"{title!r} was not added"
            )
        k = validate_custom_kernel(kernel, f"custom kernel {title!r}")
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
        if opts.blur_sigma == 0:
            return work  # to_working made a new array: no copy needed
        return gaussian_blur(work, float(opts.blur_sigma), opts.border)

    def compute(
        self,
        work: np.ndarray,
        spec: TileSpec,
        backend: str = "opencv",
        *,
        shared: SharedIntermediates | None = None,
    ) -> TileResult:
        """One tile on a working image (from :meth:`working`) with one backend.

        ``shared`` (a :class:`SharedIntermediates` for the same ``work``, border and backend)
        lets several tiles reuse the grayscale image and filter responses — e.g. the Sobel x/y
        responses feed the Sobel tiles, the gradient magnitude and the orientation. The results
        are the same with or without it.
        """
        check_choice(backend, "backend", BACKENDS)
        opts = self.options
        t0 = time.perf_counter()
        if shared is None or not shared.matches(work, opts.border, backend):
            shared = SharedIntermediates(work, opts.border, backend)
        scale = 0.0
        if spec.kind == "kernel":
            assert spec.kernel is not None
            raw = shared.filtered(spec.kernel)
            if opts.display == "diverging" and spec.signed:
                scale = diverging_scale(response_plane(raw))
            display = display_response(raw, opts.display, signed=spec.signed, scale=scale or None)
            compare = raw
        elif spec.kind == "magnitude":
            raw = gradient_magnitude(shared.filtered(SOBEL_X), shared.filtered(SOBEL_Y))
            mode = "minmax" if opts.display == "minmax" else "abs"
            display = display_response(raw, mode, signed=False)
            compare = raw
        elif spec.kind == "orientation":
            gx = shared.filtered(SOBEL_X, on_gray=True)
            gy = shared.filtered(SOBEL_Y, on_gray=True)
            raw = cv2.phase(gx, gy, angleInDegrees=True)
            display = orientation_image(gx, gy)
            compare = display
        elif spec.kind == "zero_crossings":
            log = shared.filtered(LOG_KERNEL, on_gray=True)
            threshold = opts.zero_cross_threshold * float(np.abs(log).max())
            display = zero_crossings(log, threshold).astype(np.uint8) * np.uint8(255)
            raw, compare = log, display
        elif spec.kind == "canny":
            u8 = cv2.convertScaleAbs(shared.gray)  # gray is 0–255: round and saturate
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
        check_choice(backend, "backend", BACKENDS)
        t0 = time.perf_counter()
        thumbs: dict[str, np.ndarray] = {}
        wanted = None if isinstance(thumbnails, bool) else set(thumbnails)
        if thumbnails is True or wanted:
            h, w = preview_size(frame.shape, self.preview_max_side)
            small = frame if (h, w) == frame.shape[:2] else downscale_area(frame, (h, w))
            work_small = self.working(small)
            shared = SharedIntermediates(work_small, self.options.border, "opencv")
            for spec in self.tiles():
                if wanted is None or spec.key in wanted:
                    result = self.compute(work_small, spec, "opencv", shared=shared)
                    thumbs[spec.key] = result.display
        large = comparison = None
        work = None
        if selected is not None:
            spec = self.tile(selected)
            work = self.working(frame)
            if compare:
                comparison, both = self._compare(work, spec)
                large = both[backend]
            else:
                large = self.compute(work, spec, backend)
        total = (time.perf_counter() - t0) * 1000.0
        return GalleryFrame(thumbs, large, comparison, total, work)


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
