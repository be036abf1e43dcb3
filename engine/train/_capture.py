"""Teaching with a webcam: frames as the model sees them, a capped set per class, saved as a folder.

A camera frame (RGB or gray, any size) becomes a training image in three steps
(:func:`capture_view`): the centre square is cut out (:func:`centre_square`), converted to gray
in [0, 1] with the ITU-R BT.601 weights OpenCV uses, and shrunk to the model's input with area
interpolation — the same resize :func:`engine.train.load_image_folder` applies, so an image saved
at the model's size reloads unchanged.

:class:`CaptureSet` holds the captured images per class as ``uint8`` (what a PNG keeps), at most
:data:`MAX_CAPTURES` in all: past the cap :meth:`CaptureSet.add` raises
:class:`CaptureLimitError` and keeps everything captured so far.  :meth:`CaptureSet.save` writes
one sub-folder per class, all files or none (:func:`engine.storage.write_files`), and only into
a folder that is new or empty, so nothing of the user's is replaced.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import cv2
import numpy as np

from engine.checks import is_int, is_integer
from engine.storage import UserFileError, check_write_target, write_files, write_problem

#: Fewest and most classes a webcam set may have.
MIN_CAPTURE_CLASSES = 2
MAX_CAPTURE_CLASSES = 10
#: Most images in one webcam set (all classes): 10,000 28×28 images are 7.8 MB in memory and
#: about 10,000 small PNG files on disk.
MAX_CAPTURES = 10_000
#: Longest class name (it becomes a folder name).
MAX_CLASS_NAME = 40
#: Characters a folder name cannot hold on Windows, macOS or Linux.
_FORBIDDEN = set('<>:"/\\|?*')
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


class CaptureLimitError(ValueError):
    """The set already holds :data:`MAX_CAPTURES` images; the message says so."""


def centre_square(frame: np.ndarray) -> np.ndarray:
    """The largest centred square of ``frame`` (``(H, W)`` or ``(H, W, C)``), a view.

    Raises
    ------
    ValueError
        ``frame`` is not 2-D or 3-D, or is empty.
    """
    arr = np.asarray(frame)
    if arr.ndim not in (2, 3) or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"frame must be a non-empty (H, W) or (H, W, C) image, got {arr.shape}")
    h, w = arr.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return arr[top : top + side, left : left + side]


def gray_unit(frame: np.ndarray) -> np.ndarray:
    """``frame`` (RGB, RGBA, one-channel or gray; uint8, uint16 or float in [0, 1]) as 2-D
    float32 gray in [0, 1].  RGB is weighted 0.299/0.587/0.114; alpha is dropped.

    Raises
    ------
    ValueError
        Not an image shape, an unsupported dtype, or NaN/infinite values.
    """
    arr = np.asarray(frame)
    if arr.ndim == 3 and arr.shape[2] in (1, 3, 4):
        channels = arr.shape[2]
    elif arr.ndim == 2:
        channels = 0
    else:
        raise ValueError(f"frame must be (H, W) or (H, W, 1|3|4), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"frame must not be empty, got shape {arr.shape}")
    if arr.dtype == np.uint8 or arr.dtype == np.uint16:
        unit = arr.astype(np.float32) / np.float32(np.iinfo(arr.dtype).max)
    elif arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError("frame holds NaN or infinite values")
        unit = np.clip(arr.astype(np.float32), 0.0, 1.0)
    else:
        raise ValueError(f"frame dtype must be uint8, uint16 or float, got {arr.dtype}")
    if channels == 0:
        return np.ascontiguousarray(unit)
    if channels == 1:
        return np.ascontiguousarray(unit[:, :, 0])
    rgb = np.ascontiguousarray(unit[:, :, :3])
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.float32)


def _check_size(size: object) -> tuple[int, int]:
    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(is_integer(v) for v in size)
        or not 1 <= min(size) <= max(size) <= 256
    ):
        raise ValueError(f"size must be (H, W) with sides 1…256, got {size!r}")
    return int(size[0]), int(size[1])


def capture_view(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` as the model sees it: centre square, gray, shrunk to ``size`` = ``(H, W)``.

    Returns float32 ``(H, W)`` in [0, 1].  Area interpolation averages the pixels each output
    pixel covers (a 80×80 square to 8×8 is the mean of 10×10 blocks).

    Raises
    ------
    ValueError
        A bad frame (:func:`gray_unit`) or ``size``.
    """
    h, w = _check_size(size)
    gray = gray_unit(centre_square(frame))
    return np.asarray(cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA), dtype=np.float32)


def check_class_names(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The class names, stripped, if they can be the set's folder names; else ``ValueError``.

    Rules: :data:`MIN_CAPTURE_CLASSES`–:data:`MAX_CAPTURE_CLASSES` names, each 1–
    :data:`MAX_CLASS_NAME` characters without ``<>:"/\\|?*`` or control characters, not starting
    with a dot (the folder loader skips hidden folders), not a reserved Windows device name, and
    no two equal ignoring case (they would be one folder on Windows and macOS).
    """
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names must be a list of strings, got {names!r}")
    cleaned = tuple(unicodedata.normalize("NFC", n).strip() for n in names)
    if not MIN_CAPTURE_CLASSES <= len(cleaned) <= MAX_CAPTURE_CLASSES:
        raise ValueError(
            f"names: give {MIN_CAPTURE_CLASSES} to {MAX_CAPTURE_CLASSES} classes, "
            f"got {len(cleaned)}"
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(cleaned, start=1):
        where = f"class {i}"
        if not name:
            raise ValueError(f"names: {where} has no name")
        if len(name) > MAX_CLASS_NAME:
            raise ValueError(f"names: {where} is longer than {MAX_CLASS_NAME} characters")
        bad = sorted({c for c in name if c in _FORBIDDEN or unicodedata.category(c)[0] == "C"})
        if bad:
            shown = " ".join(repr(c) for c in bad)
            raise ValueError(f"names: {name!r} cannot be a folder name (it holds {shown})")
        if name.startswith(".") or name.endswith("."):
            raise ValueError(f"names: {name!r} cannot start or end with a dot")
        if name.split(".")[0].lower() in _RESERVED:
            raise ValueError(f"names: {name!r} is a reserved device name on Windows")
        key = name.casefold()
        if key in seen:
            raise ValueError(f"names: class {seen[key]} and {where} are both called {name!r}")
        seen[key] = i
    return cleaned


class CaptureSet:
    """Images captured per class, as the model sees them (``uint8`` ``(H, W)``).

    Parameters
    ----------
    names
        The class names (:func:`check_class_names`).
    size
        ``(H, W)`` of the model's input, e.g. ``(8, 8)`` or ``(28, 28)``.
    limit
        Most images in all (:data:`MAX_CAPTURES`).
    """

    def __init__(
        self, names: list[str] | tuple[str, ...], size: tuple[int, int], limit: int = MAX_CAPTURES
    ) -> None:
        self.names = check_class_names(names)
        self.size = _check_size(size)
        if not is_int(limit) or not 1 <= limit <= MAX_CAPTURES:
            raise ValueError(f"limit must be an int in 1…{MAX_CAPTURES}, got {limit!r}")
        self.limit = limit
        self.images: list[list[np.ndarray]] = [[] for _ in self.names]

    @property
    def total(self) -> int:
        """Images in all classes."""
        return sum(len(images) for images in self.images)

    def counts(self) -> list[int]:
        """Images per class, in :attr:`names` order."""
        return [len(images) for images in self.images]

    @property
    def full(self) -> bool:
        """Whether the cap is reached."""
        return self.total >= self.limit

    def _class_index(self, index: object) -> int:
        if not is_integer(index):
            raise ValueError(f"class index must be an int, got {index!r}")
        if not 0 <= int(index) < len(self.names):
            raise ValueError(f"class index must be 0…{len(self.names) - 1}, got {index!r}")
        return int(index)

    def rename(self, class_index: int, name: str) -> str:
        """Call class ``class_index`` ``name`` (checked with the others); returns it stripped."""
        index = self._class_index(class_index)
        names = list(self.names)
        names[index] = name
        self.names = check_class_names(names)
        return self.names[index]

    def add_class(self, name: str) -> int:
        """A new, empty class at the end (at most :data:`MAX_CAPTURE_CLASSES`); its index."""
        self.names = check_class_names([*self.names, name])
        self.images.append([])
        return len(self.names) - 1

    def remove_class(self, class_index: int) -> None:
        """Remove an *empty* class (so no capture is lost by a click); at least
        :data:`MIN_CAPTURE_CLASSES` stay."""
        index = self._class_index(class_index)
        if self.images[index]:
            n = len(self.images[index])
            raise ValueError(
                f"class {self.names[index]!r} holds {n:,} image{'s' if n != 1 else ''}: delete "
                "them first"
            )
        names = [n for i, n in enumerate(self.names) if i != index]
        self.names = check_class_names(names)
        del self.images[index]

    def add(self, class_index: int, frame: np.ndarray) -> np.ndarray:
        """Add ``frame`` (:func:`capture_view` of it, as uint8) to class ``class_index``;
        returns the stored image.

        Raises
        ------
        CaptureLimitError
            The set already holds :attr:`limit` images (nothing is changed).
        ValueError
            A bad class index or frame.
        """
        index = self._class_index(class_index)
        if self.full:
            raise CaptureLimitError(
                f"The set holds {self.total:,} images, the most one set can have: delete some "
                "or save this set and start another."
            )
        view = capture_view(frame, self.size)
        stored = np.round(view * 255.0).astype(np.uint8)
        self.images[index].append(stored)
        return stored

    def delete(self, class_index: int, positions: list[int] | tuple[int, ...]) -> int:
        """Remove the images at ``positions`` of class ``class_index``; returns how many.

        Positions out of range raise ``ValueError`` before anything is removed.
        """
        index = self._class_index(class_index)
        count = len(self.images[index])
        chosen = set()
        for p in positions:
            if not is_integer(p) or not 0 <= p < count:
                raise ValueError(f"position must be 0…{count - 1}, got {p!r}")
            chosen.add(int(p))
        self.images[index] = [img for i, img in enumerate(self.images[index]) if i not in chosen]
        return len(chosen)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(images, labels)``: float32 ``(n, H, W)`` in [0, 1] and int64 class indices."""
        h, w = self.size
        stacked = [img for images in self.images for img in images]
        images = (
            np.stack(stacked).astype(np.float32) / np.float32(255.0)
            if stacked
            else np.zeros((0, h, w), np.float32)
        )
        labels = np.repeat(np.arange(len(self.names), dtype=np.int64), self.counts())
        return images, labels

    def save(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write the set as ``folder/<class>/<class>_0001.png`` …, all files or none.

        ``folder`` must be new or empty (missing parents are created).  Returns the files.

        Raises
        ------
        ValueError
            A class without images; ``folder`` is a file or holds anything; the files cannot be
            written (a read-only folder, a full disk), in a sentence about ``folder``.  The
            set itself is unchanged either way, so it can be saved elsewhere.
        """
        empty = [name for name, images in zip(self.names, self.images, strict=True) if not images]
        if empty:
            raise ValueError(
                f"every class needs at least one image; none yet for {', '.join(empty)}"
            )
        root = Path(folder)
        try:  # the user's path first: a name over 255 bytes, a file where a folder should be
            check_write_target(
                root / self.names[0] / "x.png", what="image set", folder_must_exist=False
            )
            if root.exists():
                if not root.is_dir():
                    raise ValueError(f"folder: {root} is a file, not a folder")
                if next(root.iterdir(), None) is not None:
                    raise ValueError(
                        f"folder: {root} is not empty; choose a new or empty folder so that no "
                        "file of yours is replaced"
                    )
        except UserFileError as exc:
            raise ValueError(f"folder: {exc}") from None
        except OSError as exc:
            raise ValueError(f"folder: {write_problem(root, exc, what='image set')}") from None
        files: list[tuple[str | os.PathLike[str], bytes]] = []
        for name, images in zip(self.names, self.images, strict=True):
            for i, image in enumerate(images, start=1):
                ok, buffer = cv2.imencode(".png", image)
                if not ok:  # pragma: no cover - an 8-bit gray image always encodes
                    raise ValueError(f"image {i} of {name!r} could not be encoded as PNG")
                files.append((root / name / f"{name}_{i:04d}.png", buffer.tobytes()))
        try:
            write_files(files, make_parents=True)
        except OSError as exc:
            raise ValueError(f"folder: {write_problem(root, exc, what='image set')}") from None
        return [Path(path) for path, _ in files]
