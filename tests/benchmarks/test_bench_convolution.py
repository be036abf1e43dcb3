"""numpy backend vs cv2.filter2D at 1080p, separable vs not, and the Matrix tab recompute.

Every case also checks its result against OpenCV, so a fast wrong answer fails.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine import choose_numpy_method, conv_geometry, correlate2d
from engine.conv._numpy.dispatch import correlate
from engine.matrix.compute import ConvSettings, compute_outputs, explain_output_cell
from tests.benchmarks.report import RESULTS, Row, best_of

H, W = 1080, 1920
RNG = np.random.default_rng(2024)
IMAGE = RNG.random((H, W), dtype=np.float32) * 255
SOBEL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)


def _gaussian(size: int) -> np.ndarray:
    g = cv2.getGaussianKernel(size, -1).astype(np.float32)
    return (g @ g.T).astype(np.float32)


def _reference(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """cv2.filter2D with a zero border = our "same" padding for odd kernels."""
    return cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_CONSTANT)


def _check(out: np.ndarray, ref: np.ndarray) -> None:
    scale = float(np.abs(ref).max())
    np.testing.assert_allclose(out, ref, atol=2e-5 * scale + 1e-3)


KERNELS = {
    "3×3 random": RNG.random((3, 3), dtype=np.float32),
    "3×3 Sobel": SOBEL,
    "5×5 random": RNG.random((5, 5), dtype=np.float32),
    "11×11 random": RNG.random((11, 11), dtype=np.float32),
    "31×31 random": RNG.random((31, 31), dtype=np.float32),
}


@pytest.mark.parametrize("name", list(KERNELS))
def test_numpy_backend_1080p(name):
    kernel = KERNELS[name]
    dst = np.empty_like(IMAGE)
    times = best_of(
        {
            "copy": lambda: np.copyto(dst, IMAGE),
            "cv2": lambda: _reference(IMAGE, kernel),
            "numpy": lambda: correlate2d(IMAGE, kernel, padding="same"),
        },
        repeat=5,
    )
    _check(correlate2d(IMAGE, kernel, padding="same"), _reference(IMAGE, kernel))
    method = choose_numpy_method(IMAGE, kernel, padding="same")
    RESULTS.add(
        Row(
            "1080p float32, same",
            f"numpy backend {name}",
            times["numpy"],
            times["numpy"] / times["cv2"],
            times["numpy"] / times["copy"],
            f"method: {method}; filter2D {times['cv2']:.2f} ms, copyto {times['copy']:.2f} ms",
        )
    )


# 31×31 is left out: scipy.ndimage takes 1.5–3 s per call there (≈ 80× OpenCV).
@pytest.mark.parametrize("name", ["3×3 random", "5×5 random", "11×11 random"])
def test_scipy_ndimage_reference_1080p(name):
    ndimage = pytest.importorskip("scipy.ndimage")
    kernel = KERNELS[name]
    dst = np.empty_like(IMAGE)
    funcs = {
        "copy": lambda: np.copyto(dst, IMAGE),
        "cv2": lambda: _reference(IMAGE, kernel),
        "scipy": lambda: ndimage.correlate(IMAGE, kernel, mode="constant"),
    }
    times = best_of(funcs, repeat=1 if kernel.shape[0] > 5 else 3)
    _check(ndimage.correlate(IMAGE, kernel, mode="constant"), _reference(IMAGE, kernel))
    RESULTS.add(
        Row(
            "1080p float32, same",
            f"scipy.ndimage.correlate {name}",
            times["scipy"],
            times["scipy"] / times["cv2"],
            times["scipy"] / times["copy"],
            "reference (scipy is a test-only dependency)",
        )
    )


def test_opencv_backend_wrapper_1080p():
    kernel = KERNELS["3×3 random"]
    dst = np.empty_like(IMAGE)
    times = best_of(
        {
            "copy": lambda: np.copyto(dst, IMAGE),
            "cv2": lambda: _reference(IMAGE, kernel),
            "backend": lambda: correlate2d(IMAGE, kernel, padding="same", backend="opencv"),
        }
    )
    _check(correlate2d(IMAGE, kernel, padding="same", backend="opencv"), _reference(IMAGE, kernel))
    RESULTS.add(
        Row(
            "1080p float32, same",
            "opencv backend 3×3 (correlate2d: checks + filter2D)",
            times["backend"],
            times["backend"] / times["cv2"],
            times["backend"] / times["copy"],
            "zero padding via filter2D's constant border: no padded copy",
        )
    )


@pytest.mark.parametrize(
    ("name", "kernel", "methods"),
    [
        ("7×7 Gaussian", _gaussian(7), ("separable", "direct", "matmul", "fft")),
        # matmul (961 taps per BLAS product) takes 0.1–4 s here depending on machine load.
        ("31×31 Gaussian", _gaussian(31), ("separable", "fft")),
    ],
)
def test_separable_vs_not_1080p(name, kernel, methods):
    geo = conv_geometry(IMAGE.shape, kernel.shape, padding="same")
    f32 = np.dtype(np.float32)
    dst = np.empty_like(IMAGE)
    funcs = {"copy": lambda: np.copyto(dst, IMAGE), "cv2": lambda: _reference(IMAGE, kernel)}
    for method in methods:
        funcs[method] = lambda m=method: correlate(IMAGE, kernel, geo, f32, method=m)
    times = best_of(funcs, repeat=3)
    ref = _reference(IMAGE, kernel)
    auto = choose_numpy_method(IMAGE, kernel, padding="same")
    for method in methods:
        _check(correlate(IMAGE, kernel, geo, f32, method=method), ref)
        RESULTS.add(
            Row(
                "separable vs not (1080p)",
                f"{name}, method={method}" + (" (auto's choice)" if method == auto else ""),
                times[method],
                times[method] / times["cv2"],
                times[method] / times["copy"],
            )
        )


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_matrix_tab_recompute_64x64_with_15x15(dtype):
    rng = np.random.default_rng(7)
    x = rng.integers(-9, 10, (64, 64)).astype(dtype)
    k = rng.integers(-3, 4, (15, 15)).astype(dtype)
    settings = ConvSettings(padding="same")
    x32, k32 = x.astype(np.float32), k.astype(np.float32)
    dst = np.empty_like(x)
    times = best_of(
        {
            "copy": lambda: np.copyto(dst, x),
            "cv2": lambda: _reference(x32, k32),
            "tab": lambda: compute_outputs(x, [("k", k)], settings),
            "numpy": lambda: correlate2d(x, k, padding="same"),
            "opencv": lambda: correlate2d(x, k, padding="same", backend="opencv"),
            "explain": lambda: explain_output_cell(x, k, 31, 31, settings),
        },
        repeat=20,
    )
    np.testing.assert_allclose(
        correlate2d(x, k, padding="same"),
        correlate2d(x, k, padding="same", backend="opencv"),
        atol=1e-9,
    )
    kind = "int64 (exact)" if dtype is np.int64 else "float64"
    method = choose_numpy_method(x, k, padding="same")
    for key, label, note in (
        ("tab", "compute_outputs (numpy backend)", f"method: {method}; target ≤ 5 ms"),
        ("numpy", "correlate2d numpy backend", f"method: {method}"),
        ("opencv", "correlate2d opencv backend", ""),
        ("explain", "explain one cell (trace_cell)", "225 products"),
    ):
        RESULTS.add(
            Row(
                "Matrix tab 64×64, 15×15 kernel",
                f"{label}, {kind}",
                times[key],
                times[key] / times["cv2"],
                times[key] / times["copy"],
                note,
            )
        )
