"""An image folder (one sub-folder per class) as a :class:`Dataset`.

Bombs are refused from the declared sizes before anything is decoded: the folder is listed
(at most :data:`MAX_FOLDER_IMAGES` images), then every image's header is read — only its first
:data:`HEADER_BYTES` bytes, with the engine's header readers — and a single image over
:data:`MAX_IMAGE_PIXELS` or a folder over :data:`MAX_FOLDER_PIXELS` in all is refused with a
message naming the file.  Only then are the images decoded, one at a time, converted to
grayscale and resized into one preallocated array; progress is reported and cancellation checked
between images.  An image with NaN or infinite pixels (a float TIFF) is refused here, at load
time, rather than surfacing later as a diverging training run.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from engine.checks import is_int
from engine.images._headers import read_image_header
from engine.images.io import IMAGE_SUFFIXES, MAX_FILE_BYTES, decode_image
from engine.storage import UserFileError, open_user_file, read_user_bytes
from engine.train._data import (
    MAX_DATASET_VALUES,
    MAX_SIDE,
    CancelCallback,
    Dataset,
    LoadReporter,
    ProgressCallback,
)

#: Largest number of images read from a folder.
MAX_FOLDER_IMAGES = 100_000
#: Largest single image in a training folder (width × height): a 16-megapixel photo.
MAX_IMAGE_PIXELS = 4096 * 4096
#: Most pixels the images of one folder may declare in all (about forty 12-megapixel photos;
#: decoding that many takes tens of seconds, and the images are shrunk to ≤ 256×256 anyway).
MAX_FOLDER_PIXELS = 512 * 1024 * 1024
#: Bytes read from the start of a file to find its size (JPEG EXIF blocks can be 64 KiB).
HEADER_BYTES = 256 * 1024
#: Whole files kept from the header pass for decoding, so small images are read once (bytes).
CACHE_BYTES = 64 * 1024 * 1024
#: Share of the progress bar for the header pass (it is ~30× faster than decoding).
_HEADER_SHARE = 0.05


def _to_gray_unit(image: np.ndarray) -> np.ndarray:
    """Any image from ``decode_image`` as 2-D float32 in [0, 1] (alpha composited on black)."""
    img = image
    if img.ndim == 3:
        if img.shape[2] == 4:  # treat transparent pixels as background
            alpha = img[:, :, 3:4].astype(np.float32) / np.iinfo(img.dtype).max
            img = (img[:, :, :3].astype(np.float32) * alpha).astype(img.dtype)
        img = cv2.cvtColor(np.ascontiguousarray(img[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if np.issubdtype(img.dtype, np.integer):
        return img.astype(np.float32) / np.float32(np.iinfo(img.dtype).max)
    return np.clip(img.astype(np.float32), 0.0, 1.0)


def _user_error(exc: UserFileError) -> ValueError:
    return ValueError(f"folder: {exc}")


def _declared_pixels(path: Path) -> tuple[int, bytes | None]:
    """Width × height from ``path``'s header (0 when the header gives none: decoding the
    file then raises the error that names it) and the whole file when it was read whole."""
    try:
        with open_user_file(path, what="image", max_bytes=MAX_FILE_BYTES) as handle:
            head = handle.read(HEADER_BYTES)
            whole = len(head) < HEADER_BYTES
    except UserFileError as exc:
        raise _user_error(exc) from None
    except OSError as exc:
        raise ValueError(f"folder: {path.name} cannot be read ({exc.strerror or exc})") from None
    header = read_image_header(head)
    data = head if whole else None
    if (header is None or header.pixels <= 0) and not whole:
        # A TIFF may keep its directory at the end: read the whole file (bounded) once.
        try:
            header = read_image_header(
                read_user_bytes(path, what="image", max_bytes=MAX_FILE_BYTES)
            )
        except UserFileError as exc:
            raise _user_error(exc) from None
    return (header.pixels if header is not None and header.pixels > 0 else 0), data


def _list_classes(root: Path, report: LoadReporter) -> tuple[list[Path], list[tuple[int, Path]]]:
    """The class folders and ``(label, file)`` for every image, in sorted order."""
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise ValueError(f"folder: {root} needs at least two sub-folders, one per class")
    items: list[tuple[int, Path]] = []
    for label, class_dir in enumerate(classes):
        files = []
        for i, p in enumerate(class_dir.iterdir()):
            if i % 1000 == 0:
                report(0.0, f"listing {class_dir.name}")
            if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."):
                files.append(p)
                if len(items) + len(files) > MAX_FOLDER_IMAGES:
                    raise ValueError(
                        f"folder: {root.name} holds more than {MAX_FOLDER_IMAGES:,} images"
                    )
        if not files:
            raise ValueError(f"folder: class folder {class_dir.name!r} holds no images")
        items += [(label, p) for p in sorted(files)]
    return classes, items


def _check_declared_sizes(
    root: Path, items: list[tuple[int, Path]], report: LoadReporter
) -> dict[Path, bytes]:
    """Refuse a single image or the whole folder declaring too many pixels, before decoding.

    Returns the small files read whole on the way (up to :data:`CACHE_BYTES`).
    """
    total = 0
    cache: dict[Path, bytes] = {}
    cached = 0
    for i, (_label, path) in enumerate(items):
        report(_HEADER_SHARE * i / len(items), f"checking image sizes: {i:,} of {len(items):,}")
        pixels, data = _declared_pixels(path)
        if data is not None and cached + len(data) <= CACHE_BYTES:
            cache[path] = data
            cached += len(data)
        if pixels > MAX_IMAGE_PIXELS:
            raise ValueError(
                f"folder: {path.parent.name}/{path.name} declares {pixels:,} pixels, more than "
                f"the limit of {MAX_IMAGE_PIXELS:,} for a training image; refused before "
                "decoding (shrink the images first: training uses at most "
                f"{MAX_SIDE}×{MAX_SIDE})"
            )
        total += pixels
        if total > MAX_FOLDER_PIXELS:
            raise ValueError(
                f"folder: the images of {root.name} declare more than {MAX_FOLDER_PIXELS:,} "
                f"pixels in all (reached at {path.parent.name}/{path.name}, image {i + 1:,} of "
                f"{len(items):,}); refused before decoding (shrink the images first)"
            )
    return cache


def _read_image(path: Path, size: tuple[int, int], data: bytes | None) -> np.ndarray:
    """One file (``data`` if already read) decoded, checked for NaN/inf, grayscale in [0, 1]
    and resized to ``size``."""
    if data is None:
        try:
            data = read_user_bytes(path, what="image", max_bytes=MAX_FILE_BYTES)
        except UserFileError as exc:
            raise _user_error(exc) from None
    image = decode_image(data, path, max_pixels=MAX_IMAGE_PIXELS)
    if image.dtype.kind == "f" and not np.all(np.isfinite(image)):
        raise ValueError(
            f"folder: {path.parent.name}/{path.name} holds NaN or infinite pixel values; "
            "training on it would give NaN weights"
        )
    gray = _to_gray_unit(image)
    return cv2.resize(gray, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def load_image_folder(
    folder: str | os.PathLike[str],
    size: tuple[int, int] = (28, 28),
    *,
    invert: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: CancelCallback | None = None,
) -> Dataset:
    """Read a folder with one sub-folder per class (``folder/cat/*.png``, ``folder/dog/…``).

    Each image is decoded as by :func:`engine.load_image`, converted to grayscale in [0, 1] and
    resized to ``size`` = ``(H, W)`` with area interpolation.  Classes are the sub-folder names
    in sorted order; files that are not images by suffix are ignored.  ``invert`` maps ``v`` to
    ``1 - v`` (dark ink on white paper → bright ink on black, like MNIST).  Every header is read
    first: an image over ``MAX_IMAGE_PIXELS`` or a folder over ``MAX_FOLDER_PIXELS`` is refused
    before anything is decoded.

    Parameters
    ----------
    progress
        Called as ``progress(fraction, text)`` between images.
    cancelled
        Polled between images; when it returns ``True`` the load stops with
        :class:`LoadCancelled`.

    Raises
    ------
    ValueError
        No such folder, fewer than two class folders, an empty class, too many images or
        pixels, a bad ``size``, an image with NaN/infinite pixels or one that cannot be read
        (:class:`engine.ImageLoadError`, naming it).
    LoadCancelled
        ``cancelled()`` returned ``True``.
    """
    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(is_int(v) for v in size)
        or not 1 <= min(size) <= max(size) <= MAX_SIDE
    ):
        raise ValueError(f"size must be (H, W) with sides 1…{MAX_SIDE}, got {size!r}")
    report = LoadReporter(progress, cancelled)
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"folder: {root} is not a folder")
    classes, items = _list_classes(root, report)
    h, w = int(size[0]), int(size[1])
    if len(items) * h * w > MAX_DATASET_VALUES:
        raise ValueError(
            f"folder: {len(items):,} images of {h}×{w} are more than {MAX_DATASET_VALUES:,} "
            "values; use a smaller size"
        )
    cache = _check_declared_sizes(root, items, report)
    images = np.empty((len(items), h, w), dtype=np.float32)
    labels = np.empty(len(items), dtype=np.int64)
    for i, (label, path) in enumerate(items):
        fraction = _HEADER_SHARE + (1 - _HEADER_SHARE) * i / len(items)
        report(fraction, f"reading images: {i:,} of {len(items):,}")
        resized = _read_image(path, (h, w), cache.pop(path, None))
        images[i] = 1.0 - resized if invert else resized
        labels[i] = label
    report(1.0, f"read {len(items):,} images")
    return Dataset(
        images,
        labels,
        tuple(p.name for p in classes),
        f"image folder {root.name} ({len(items):,} images)",
    )
