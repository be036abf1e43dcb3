"""Live classification: a camera frame as the model's input, step by step, and both models' answer.

Two ways from a frame to an input (:func:`live_input`):

``"camera"``
    The webcam-classes way (:func:`engine.train.capture_view`): the centre square, gray, shrunk
    to the model's input with area interpolation — what a model trained on captured classes saw.
``"digit"``
    A handwritten digit on paper, prepared the way its training set was (:func:`digit_input`):
    the centre square in gray; Otsu's threshold, inverted when the ink is dark on light paper
    (the ink is the smaller class), so ink is 1; blobs touching the square's edge (paper
    edges, shadows, a digit cut off) and specks dropped; the bounding box of the ink cut out; then

    * 28×28, MNIST: the box scaled to fit 20×20 keeping its aspect (area interpolation gives
      the grey edge levels MNIST has), placed in 28×28 so that its centre of mass lies on the
      centre (13.5, 13.5) to within half a pixel (a whole-pixel shift, no blur);
    * 8×8, UCI: the box scaled to fit 32×32 keeping its aspect and centred, as a bitmap; the
      ink pixels of each 4×4 block counted, 0–16 levels, divided by 16 (as ``load_digits``).

:func:`live_probabilities` gives each model's softmax vector for one input.  Everything here
is plain numpy/OpenCV and safe to call from a worker thread with models of its own
(``Model.copy()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from engine.train._capture import _check_size, capture_view, centre_square, gray_unit
from engine.train._model import Model

#: The ways from a frame to an input.
LIVE_MODES = ("camera", "digit")
#: Input sizes the digit preprocessing makes: UCI 8×8 and MNIST 28×28.
DIGIT_SIZES = ((8, 8), (28, 28))
#: The centre square is worked on at most this side (a 1080p square is shrunk first).
WORK_SIDE = 256
#: The ink and the paper must differ by this much (gray in [0, 1]) to count as a digit.
MIN_CONTRAST = 0.15
#: Ink blobs smaller than this share of the largest are specks.
SPECK_FRACTION = 0.1
#: MNIST: the digit's box fits this square inside the 28×28 field.
MNIST_BOX = 20
#: UCI: the bitmap side and the block side (32 / 4 = 8 blocks of 16 pixels).
UCI_BITMAP = 32
UCI_BLOCK = 4


@dataclass(frozen=True)
class LiveStep:
    """One stage of the preprocessing: a short title and a 2-D float32 image in [0, 1]."""

    title: str
    image: np.ndarray


@dataclass(frozen=True)
class LiveInput:
    """A frame prepared for the models.

    Attributes
    ----------
    image
        The model's input, float32 ``(H, W)`` in [0, 1].
    steps
        The stages shown to the user, first to last (the last is ``image``).
    mode
        ``"camera"`` or ``"digit"``.
    found
        False when the digit preprocessing found no ink (``image`` is then all zero).
    note
        A sentence about what was found ("" when nothing needs saying).
    threshold
        Otsu's threshold (gray in [0, 1]) in ``"digit"`` mode, else ``None``.
    box
        ``(top, left, height, width)`` of the ink in the worked square, or ``None``.
    """

    image: np.ndarray
    steps: tuple[LiveStep, ...]
    mode: str
    found: bool = True
    note: str = ""
    threshold: float | None = None
    box: tuple[int, int, int, int] | None = None


def _work_square(frame: np.ndarray) -> np.ndarray:
    """The centre square of ``frame`` in gray, at most :data:`WORK_SIDE` pixels on a side."""
    gray = gray_unit(centre_square(frame))
    if gray.shape[0] > WORK_SIDE:
        gray = cv2.resize(gray, (WORK_SIDE, WORK_SIDE), interpolation=cv2.INTER_AREA)
    return np.asarray(gray, dtype=np.float32)


def _check_frame(frame: object) -> np.ndarray:
    arr = np.asarray(frame)
    if arr.ndim not in (2, 3) or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"frame must be a non-empty (H, W) or (H, W, C) image, got {arr.shape}")
    return arr


def live_input(frame: np.ndarray, size: tuple[int, int], mode: str = "camera") -> LiveInput:
    """``frame`` (RGB or gray) as the input of a model that takes ``size`` = ``(H, W)``.

    ``mode`` is ``"camera"`` (as the webcam-classes dialog captures) or ``"digit"``
    (:func:`digit_input`; ``size`` must then be 8×8 or 28×28).

    Raises
    ------
    ValueError
        An empty or malformed ``frame``, a bad ``size`` or ``mode``.
    """
    if mode not in LIVE_MODES:
        raise ValueError(f"mode must be one of {LIVE_MODES}, got {mode!r}")
    if mode == "digit":
        return digit_input(frame, size)
    arr = _check_frame(frame)
    h, w = _check_size(size)
    image = capture_view(arr, (h, w))
    side = min(arr.shape[0], arr.shape[1])
    steps = (
        LiveStep(f"centre {side}×{side}, gray", _work_square(arr)),
        LiveStep(f"{h}×{w} input", image),
    )
    return LiveInput(image=image, steps=steps, mode="camera")


def _otsu_ink(gray: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Ink mask (uint8 0/1), Otsu's threshold in [0, 1] and the ink–paper contrast."""
    u8 = np.round(gray * 255.0).astype(np.uint8)
    t, _ = cv2.threshold(u8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = u8 > t
    n_bright = int(bright.sum())
    if n_bright == 0 or n_bright == bright.size:
        return np.zeros(gray.shape, np.uint8), float(t) / 255.0, 0.0
    contrast = float(gray[bright].mean() - gray[~bright].mean())
    # The ink is the smaller class: dark ink on light paper is inverted so that ink is 1.
    ink = ~bright if n_bright > bright.size / 2 else bright
    return ink.astype(np.uint8), float(t) / 255.0, contrast


def _keep_strokes(ink: np.ndarray) -> np.ndarray:
    """The ink without blobs touching the square's edge (paper edges, shadows, a digit cut
    off) and without specks (under :data:`SPECK_FRACTION` of the largest blob left)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    side_h, side_w = ink.shape
    left, top = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    right = left + stats[1:, cv2.CC_STAT_WIDTH]
    bottom = top + stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    edge = (left == 0) | (top == 0) | (right == side_w) | (bottom == side_h)
    candidates = ~edge
    if not np.any(candidates):
        return np.zeros_like(ink)
    biggest = int(area[candidates].max())
    keep = candidates & (area >= max(2, SPECK_FRACTION * biggest))
    kept_labels = np.flatnonzero(keep) + 1
    return np.isin(labels, kept_labels).astype(np.uint8)


def _fit(crop: np.ndarray, side: int) -> np.ndarray:
    """``crop`` scaled so that its longer side is ``side``, keeping the aspect (area
    interpolation; at least one pixel on the shorter side)."""
    h, w = crop.shape
    scale = side / max(h, w)
    nh, nw = max(1, min(side, round(h * scale))), max(1, min(side, round(w * scale)))
    return np.asarray(cv2.resize(crop, (nw, nh), interpolation=cv2.INTER_AREA), dtype=np.float32)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """``(row, column)`` of the intensity-weighted centre of a 2-D image (pixel indices).

    Raises
    ------
    ValueError
        ``image`` is not 2-D, or its values sum to zero or less.
    """
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"image must be a non-empty 2-D array, got shape {arr.shape}")
    total = float(arr.sum())
    if not total > 0:
        raise ValueError("image has no positive values: no centre of mass")
    rows, cols = np.indices(arr.shape)
    return float((rows * arr).sum() / total), float((cols * arr).sum() / total)


def _mnist(crop: np.ndarray) -> tuple[LiveStep, LiveStep, np.ndarray]:
    fitted = _fit(crop, MNIST_BOX)
    cy, cx = centre_of_mass(fitted)
    centre = 13.5  # the middle of 28 pixels indexed 0…27
    oy, ox = round(centre - cy), round(centre - cx)
    image = np.zeros((28, 28), np.float32)
    h, w = fitted.shape
    # A whole-pixel shift; a very lopsided digit may lose the part pushed past the field.
    top, left = max(0, oy), max(0, ox)
    bottom, right = min(28, oy + h), min(28, ox + w)
    image[top:bottom, left:right] = fitted[top - oy : bottom - oy, left - ox : right - ox]
    image = np.clip(image, 0.0, 1.0)
    return (
        LiveStep(f"fit {MNIST_BOX}×{MNIST_BOX}", fitted),
        LiveStep("28×28, mass centred", image),
        image,
    )


def _uci(crop: np.ndarray) -> tuple[LiveStep, LiveStep, np.ndarray]:
    fitted = _fit(crop, UCI_BITMAP) >= 0.5
    bitmap = np.zeros((UCI_BITMAP, UCI_BITMAP), np.float32)
    h, w = fitted.shape
    top, left = (UCI_BITMAP - h) // 2, (UCI_BITMAP - w) // 2
    bitmap[top : top + h, left : left + w] = fitted
    blocks = UCI_BITMAP // UCI_BLOCK
    counts = bitmap.reshape(blocks, UCI_BLOCK, blocks, UCI_BLOCK).sum(axis=(1, 3))
    image = (counts / np.float32(UCI_BLOCK * UCI_BLOCK)).astype(np.float32)
    return (
        LiveStep(f"{UCI_BITMAP}×{UCI_BITMAP} bitmap", bitmap),
        LiveStep("8×8, 0–16 levels", image),
        image,
    )


def digit_input(frame: np.ndarray, size: tuple[int, int]) -> LiveInput:
    """A handwritten digit in ``frame`` prepared like MNIST (``size`` 28×28) or the UCI digits
    (8×8), every stage kept in :attr:`LiveInput.steps` (see the module text).

    A frame without ink (blank paper, too little contrast) gives ``found=False``, an all-zero
    input and a ``note`` saying so; it is not an error.

    Raises
    ------
    ValueError
        An empty or malformed ``frame``; ``size`` other than 8×8 or 28×28.
    """
    arr = _check_frame(frame)
    h, w = _check_size(size)
    if (h, w) not in DIGIT_SIZES:
        raise ValueError(
            f"size: the digit preprocessing makes 8×8 (UCI) or 28×28 (MNIST) inputs, got {h}×{w}"
        )
    gray = _work_square(arr)
    side = min(arr.shape[0], arr.shape[1])
    ink, threshold, contrast = _otsu_ink(gray)
    gray_step = LiveStep(f"centre {side}×{side}, gray", gray)
    ink_step = LiveStep(f"ink (Otsu {round(255 * threshold)})", ink.astype(np.float32))
    strokes = _keep_strokes(ink) if contrast >= MIN_CONTRAST else np.zeros_like(ink)
    rows, cols = np.flatnonzero(strokes.any(axis=1)), np.flatnonzero(strokes.any(axis=0))
    if rows.size == 0:
        blank = np.zeros((h, w), np.float32)
        note = (
            f"No digit found: ink and paper differ by {contrast:.2f} (at least {MIN_CONTRAST} "
            "needed). Hold a dark digit on light paper in the square."
            if contrast < MIN_CONTRAST
            else "No digit found: the only ink touches the square's edge. Move the whole digit "
            "into the middle of the square."
        )
        return LiveInput(
            image=blank,
            steps=(gray_step, ink_step, LiveStep(f"{h}×{w} input", blank)),
            mode="digit",
            found=False,
            note=note,
            threshold=threshold,
        )
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop = strokes[top:bottom, left:right].astype(np.float32)
    box_step = LiveStep(f"box {bottom - top}×{right - left}", crop)
    fit_step, final_step, image = _mnist(crop) if (h, w) == (28, 28) else _uci(crop)
    return LiveInput(
        image=image,
        steps=(gray_step, ink_step, box_step, fit_step, final_step),
        mode="digit",
        threshold=threshold,
        box=(top, left, bottom - top, right - left),
    )


def live_probabilities(
    models: Mapping[str, Model | None], image: np.ndarray
) -> dict[str, np.ndarray | None]:
    """Each model's softmax probabilities (float64, one per class) for one input ``image``
    (``(H, W)`` or ``(1, H, W)``); ``None`` for a slot without a model.

    Raises
    ------
    ValueError
        ``image`` is empty, not finite, or not of a model's input shape (the message names
        the model).
    """
    if not isinstance(models, Mapping):
        raise ValueError(f"models must be a mapping of names to models, got {type(models)}")
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"image must be a non-empty (H, W) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("image holds NaN or infinite values")
    out: dict[str, np.ndarray | None] = {}
    for name, model in models.items():
        if model is None:
            out[name] = None
            continue
        if tuple(model.input_shape) != (1, *arr.shape):
            shape = "×".join(str(v) for v in model.input_shape)
            raise ValueError(
                f"image: {arr.shape[0]}×{arr.shape[1]} does not fit the {name} model, which "
                f"takes {shape}"
            )
        out[name] = model.predict_proba(arr[None, None])[0]
    return out
