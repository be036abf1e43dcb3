"""Training data: the built-in 8×8 digits, MNIST IDX files, image folders, splits and shifts.

Everything returns :class:`Dataset` (images ``(n, H, W)`` float32 in [0, 1], labels ``(n,)``
int64).  User-named files are checked before they are opened: regular files only (a FIFO would
block ``open`` forever), bounded sizes, and a ``ValueError`` naming the file for a bad magic
number, a truncated file or images and labels that do not match.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

#: Largest IDX file accepted (bytes, after decompression): MNIST's 60,000 images are 47 MB.
MAX_IDX_BYTES = 256 * 1024 * 1024
#: Largest number of images read from a folder.
MAX_FOLDER_IMAGES = 100_000
#: Largest side of images read from IDX files or folders.
MAX_SIDE = 256


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


def _regular_file(path: str | os.PathLike[str], name: str) -> Path:
    """``path`` as a Path after checking it is an existing regular file (not a FIFO/folder)."""
    p = Path(path)
    try:
        st = os.stat(p)
    except OSError as exc:
        raise ValueError(f"{name}: cannot open {p}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{name}: {p} is not a regular file")
    return p


def _read_idx(path: str | os.PathLike[str], name: str) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) of unsigned bytes."""
    p = _regular_file(path, name)
    if p.stat().st_size > MAX_IDX_BYTES:
        raise ValueError(f"{name}: {p.name} is larger than {MAX_IDX_BYTES:,} bytes")
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
                raw = gz.read(MAX_IDX_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{name}: {p.name} is not a readable gzip file ({exc})") from None
        if len(raw) > MAX_IDX_BYTES:
            raise ValueError(f"{name}: {p.name} expands to more than {MAX_IDX_BYTES:,} bytes")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{name}: {p.name} is not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise ValueError(
            f"{name}: {p.name} holds IDX type 0x{raw[2]:02x}; only unsigned bytes (0x08) are read"
        )
    ndim = raw[3]
    if ndim not in (1, 3):
        raise ValueError(f"{name}: {p.name} has {ndim} dimensions; expected 1 (labels) or 3")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name}: {p.name} is truncated (incomplete header)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    count = 1
    for d in dims:
        count *= d
    if len(raw) - header != count:
        raise ValueError(
            f"{name}: {p.name} should hold {count:,} bytes of data for shape {dims}, "
            f"has {len(raw) - header:,}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def load_idx(images_path: str | os.PathLike[str], labels_path: str | os.PathLike[str]) -> Dataset:
    """Read MNIST-format IDX files (``*-idx3-ubyte`` images, ``*-idx1-ubyte`` labels, or .gz).

    Raises
    ------
    ValueError
        Naming the file: not a regular file, too large, bad magic number, truncated, labels
        that are not 1-D or do not match the number of images, or labels above 9.
    """
    images = _read_idx(images_path, "images_path")
    labels = _read_idx(labels_path, "labels_path")
    if images.ndim != 3:
        raise ValueError(f"images_path: expected 3 dimensions (n, rows, cols), got {images.ndim}")
    if labels.ndim != 1:
        raise ValueError(f"labels_path: expected 1 dimension (n,), got {labels.ndim}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"labels_path: {labels.shape[0]:,} labels for {images.shape[0]:,} images")
    if images.shape[0] == 0 or min(images.shape[1:]) < 1:
        raise ValueError(f"images_path: no images (shape {images.shape})")
    if max(images.shape[1:]) > MAX_SIDE:
        raise ValueError(f"images_path: images larger than {MAX_SIDE}×{MAX_SIDE}")
    if labels.max() > 9:
        raise ValueError(f"labels_path: label {int(labels.max())} is not a digit 0–9")
    return Dataset(
        images.astype(np.float32) / np.float32(255.0),
        labels.astype(np.int64),
        source=f"IDX files {Path(images_path).name}, {Path(labels_path).name}",
    )


def _to_gray_unit(image: np.ndarray) -> np.ndarray:
    """Any image from ``load_image`` as 2-D float32 in [0, 1] (alpha composited on black)."""
    img = image
    if img.ndim == 3:
        if img.shape[2] == 4:  # treat transparent pixels as background
            alpha = img[:, :, 3:4].astype(np.float32) / np.iinfo(img.dtype).max
            img = (img[:, :, :3].astype(np.float32) * alpha).astype(img.dtype)
        img = cv2.cvtColor(np.ascontiguousarray(img[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if np.issubdtype(img.dtype, np.integer):
        return img.astype(np.float32) / np.float32(np.iinfo(img.dtype).max)
    return np.clip(img.astype(np.float32), 0.0, 1.0)


def load_image_folder(
    folder: str | os.PathLike[str],
    size: tuple[int, int] = (28, 28),
    *,
    invert: bool = False,
) -> Dataset:
    """Read a folder with one sub-folder per class (``folder/cat/*.png``, ``folder/dog/…``).

    Each image is loaded with :func:`engine.load_image`, converted to grayscale in [0, 1] and
    resized to ``size`` = ``(H, W)`` with area interpolation.  Classes are the sub-folder names
    in sorted order; files that are not images by suffix are ignored.  ``invert`` maps ``v`` to
    ``1 - v`` (dark ink on white paper → bright ink on black, like MNIST).

    Raises
    ------
    ValueError
        No such folder, fewer than two class folders, an empty class, too many images, a bad
        ``size`` or an image that cannot be read (:class:`engine.ImageLoadError`, naming it).
    """
    from engine.images.io import IMAGE_SUFFIXES, load_image

    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in size)
        or not 1 <= min(size) <= max(size) <= MAX_SIDE
    ):
        raise ValueError(f"size must be (H, W) with sides 1…{MAX_SIDE}, got {size!r}")
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"folder: {root} is not a folder")
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise ValueError(f"folder: {root} needs at least two sub-folders, one per class")
    images: list[np.ndarray] = []
    labels: list[int] = []
    for label, class_dir in enumerate(classes):
        files = sorted(
            p
            for p in class_dir.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
        )
        if not files:
            raise ValueError(f"folder: class folder {class_dir.name!r} holds no images")
        for path in files:
            if len(images) >= MAX_FOLDER_IMAGES:
                raise ValueError(f"folder: more than {MAX_FOLDER_IMAGES:,} images")
            _regular_file(path, "folder")
            gray = _to_gray_unit(load_image(path))
            resized = cv2.resize(gray, (size[1], size[0]), interpolation=cv2.INTER_AREA)
            images.append(1.0 - resized if invert else resized)
            labels.append(label)
    return Dataset(
        np.stack(images).astype(np.float32),
        np.asarray(labels, dtype=np.int64),
        tuple(p.name for p in classes),
        f"image folder {root.name} ({len(images):,} images)",
    )


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
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
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
