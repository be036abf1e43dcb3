"""Training data: the :class:`Dataset`, the built-in 8×8 digits, splits and shifts.

Every loader returns a :class:`Dataset` (images ``(n, H, W)`` float32 in [0, 1], labels
``(n,)`` int64).  The loaders of user files (:mod:`engine.train._idx` for MNIST IDX files,
:mod:`engine.train._folder` for image folders) take two plain callbacks so a GUI worker thread
can show progress and stop them: ``progress(fraction, text)`` and ``cancelled() -> bool``; a
load that is cancelled raises :class:`LoadCancelled` and returns nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from engine.checks import is_integer

#: Most pixel values a loaded data set may hold (n·H·W; 1 GiB as float32).  MNIST's 60,000
#: training images are 47 million.
MAX_DATASET_VALUES = 256 * 1024 * 1024
#: Largest side of the images of a data set (IDX files; a folder's images are resized to it).
MAX_SIDE = 256

#: ``progress(fraction, text)``: 0–1 done and what is being read, for a progress bar.
ProgressCallback = Callable[[float, str], object]
#: ``cancelled() -> bool``: polled between chunks and images; ``True`` stops the load.
CancelCallback = Callable[[], bool]


class LoadCancelled(Exception):  # noqa: N818 (a request, not an error)
    """Raised by a loader when its ``cancelled()`` callback returned ``True``."""


class LoadReporter:
    """Calls a loader's ``progress`` / ``cancelled`` callbacks (either may be ``None``).

    ``reporter(fraction, text)`` first raises :class:`LoadCancelled` if the load was cancelled,
    then reports; loaders call it between chunks and images.
    """

    def __init__(self, progress: ProgressCallback | None, cancelled: CancelCallback | None) -> None:
        self._progress = progress
        self._cancelled = cancelled

    def check(self) -> None:
        """Raise :class:`LoadCancelled` if the load was cancelled."""
        if self._cancelled is not None and self._cancelled():
            raise LoadCancelled("the load was cancelled")

    def __call__(self, fraction: float, text: str) -> None:
        """Check for cancellation, then report ``fraction`` (clipped to 0–1) and ``text``."""
        self.check()
        if self._progress is not None:
            self._progress(min(max(float(fraction), 0.0), 1.0), text)


@dataclass(frozen=True)
class Dataset:
    """Grayscale images and their integer labels.

    Attributes
    ----------
    images
        ``(n, H, W)`` float32 in [0, 1].
    labels
        ``(n,)`` int64 class indices ``0 … len(class_names) - 1``.
    class_names
        One name per class (``"0" … "9"`` for digits, sub-folder names for a folder).
    source
        Where the data came from, for the user.
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...] = field(default=tuple(str(d) for d in range(10)))
    source: str = ""

    @property
    def n_classes(self) -> int:
        """Number of classes (length of :attr:`class_names`)."""
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, int]:
        """``(H, W)`` of one image."""
        return (int(self.images.shape[1]), int(self.images.shape[2]))

    def as_input(self) -> np.ndarray:
        """The images as a network input ``(n, 1, H, W)`` float32."""
        return self.images[:, None, :, :]

    def subset(self, indices: np.ndarray) -> Dataset:
        """The images and labels at ``indices`` (same class names and source)."""
        idx = np.asarray(indices, dtype=np.int64)
        return Dataset(self.images[idx], self.labels[idx], self.class_names, self.source)


def load_digits() -> Dataset:
    """The 1,797 UCI handwritten digits (8×8, 0–16 ink levels) as shipped with KernelScope.

    Images are divided by 16, so they lie in [0, 1]; labels are 0–9.  The data is the UCI
    "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak, CC BY 4.0), the
    same values as ``sklearn.datasets.load_digits()``.
    """
    raw = resources.files("resources").joinpath("data/digits.npz").read_bytes()
    with np.load(io.BytesIO(raw)) as npz:
        images = npz["images"].astype(np.float32) / np.float32(16.0)
        labels = npz["labels"].astype(np.int64)
    return Dataset(images, labels, source="UCI digits (8×8, 1,797 images)")


def train_validation_split(
    n: int, validation_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random split of ``range(n)`` into sorted training and validation indices.

    ``round(n · validation_fraction)`` indices go to validation (at least one each side).

    Raises
    ------
    ValueError
        ``n < 2`` or ``validation_fraction`` outside (0, 1).
    """
    if not is_integer(n) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2, got {n!r}")
    fraction = float(validation_fraction)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    n_val = min(max(int(round(n * fraction)), 1), int(n) - 1)
    order = np.random.default_rng(seed).permutation(int(n))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def split_dataset(
    data: Dataset, validation_fraction: float = 0.2, seed: int = 0
) -> tuple[Dataset, Dataset]:
    """``data`` split by :func:`train_validation_split` into (training, validation)."""
    train_idx, val_idx = train_validation_split(len(data.labels), validation_fraction, seed)
    return data.subset(train_idx), data.subset(val_idx)


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move images ``dy`` pixels down and ``dx`` right (negative: up/left), filling with zeros.

    Works on any array whose last two axes are (H, W); shifts of the full size or more give
    all zeros.
    """
    arr = np.asarray(images)
    if arr.ndim < 2:
        raise ValueError(f"images must have at least 2 dimensions (H, W), got {arr.shape}")
    dy, dx = int(dy), int(dx)
    out = np.zeros_like(arr)
    h, w = arr.shape[-2:]
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_y = slice(max(0, -dy), h - max(0, dy))
    dst_y = slice(max(0, dy), h - max(0, -dy))
    src_x = slice(max(0, -dx), w - max(0, dx))
    dst_x = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_y, dst_x] = arr[..., src_y, src_x]
    return out


def random_shift(images: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Each image moved by its own random ``(dy, dx)`` in ``[-max_shift, max_shift]``, zero fill.

    ``images`` is ``(n, …, H, W)``; ``max_shift = 0`` returns a copy.
    """
    arr = np.asarray(images)
    k = int(max_shift)
    if k < 0:
        raise ValueError(f"max_shift must be ≥ 0, got {max_shift!r}")
    if k == 0:
        return arr.copy()
    shifts = rng.integers(-k, k + 1, size=(arr.shape[0], 2))
    out = np.empty_like(arr)
    # Group images by their shift: at most (2k+1)² vectorised copies instead of n.
    codes = (shifts[:, 0] + k) * (2 * k + 1) + (shifts[:, 1] + k)
    for code in np.unique(codes):
        idx = np.flatnonzero(codes == code)
        dy, dx = int(code // (2 * k + 1)) - k, int(code % (2 * k + 1)) - k
        out[idx] = shift_images(arr[idx], dy, dx)
    return out
