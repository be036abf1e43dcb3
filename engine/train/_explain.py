"""Why did a model predict this? Saliency (the input gradient) and occlusion maps of one image.

* **Saliency**: ``∂z_t/∂x`` — how the target class's logit ``z_t`` changes when one pixel
  brightens (Simonyan et al. 2014, "Deep inside convolutional networks").  Signed: positive
  pixels would raise the class's score if inked, negative ones lower it.  Computed by one
  backward pass in float64 from ``z_t`` down to the input (the first layer computes its input
  gradient too, which training skips).
* **Occlusion**: ``p_t(x) − p_t(x with a patch blanked)`` for a square patch centred on every
  pixel (Zeiler & Fergus 2014): how much the class's probability falls when that part of the
  image is hidden.  Positive = the model relied on that region; negative = hiding it helps.

Both are plain functions of a :class:`~engine.train.Model` and one image, so the Train tab's
"Why this prediction?" panel and the tests call the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.checks import is_integer
from engine.train._model import Model


@dataclass(frozen=True)
class PredictionExplanation:
    """What :func:`explain_prediction` returns for one image and one model.

    ``probabilities`` (classes,), ``target`` (the explained class: the prediction unless
    given), ``saliency`` and ``occlusion`` (H, W) maps, and the occlusion ``patch`` size.
    """

    probabilities: np.ndarray
    target: int
    saliency: np.ndarray
    occlusion: np.ndarray
    patch: int


def _image(model: Model, image: object) -> np.ndarray:
    """``image`` as one ``(C, H, W)`` float64 sample of the model's input shape."""
    arr = np.asarray(image, dtype=np.float64)
    shape = tuple(model.input_shape)
    if arr.shape == shape[1:] and shape[0] == 1:
        arr = arr[None]
    if arr.shape == (1, *shape):
        arr = arr[0]
    if arr.shape != shape:
        raise ValueError(
            f"image must have shape {'×'.join(map(str, shape[1:]))} (the model's input), "
            f"got {'×'.join(map(str, arr.shape))}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("image holds NaN or infinite values")
    return arr


def _target(model: Model, target: object, probabilities: np.ndarray) -> int:
    if target is None:
        return int(np.argmax(probabilities))
    if not is_integer(target):
        raise ValueError(f"target must be a class index 0…{model.classes - 1}, got {target!r}")
    if not 0 <= int(target) < model.classes:
        raise ValueError(f"target must be a class index 0…{model.classes - 1}, got {target}")
    return int(target)


def default_patch(shape: tuple[int, ...]) -> int:
    """Occlusion patch side for an ``H×W`` image: about a fifth of the shorter side, ≥ 2
    (2 pixels on 8×8 digits, 6 on 28×28: a stroke's width)."""
    return max(2, round(min(shape[-2:]) / 5))


def saliency_map(model: Model, image: object, target: int | None = None) -> np.ndarray:
    """``∂z_target/∂x`` for one image: the input gradient of the target class's logit.

    Parameters
    ----------
    model
        A trained (or fresh) :class:`~engine.train.Model`.
    image
        One image ``(H, W)`` (one-channel models) or ``(C, H, W)``.
    target
        The class explained; ``None`` takes the model's prediction.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float64 for one channel, else ``(C, H, W)``.  Computed in float64 with
        dropout off (the network the predictions use).
    """
    x = _image(model, image)
    exact = model.astype(np.float64)  # a private copy: its layers' caches are ours
    out = np.ascontiguousarray(x[None].transpose(0, 2, 3, 1))  # the layers work in NHWC
    for layer in exact._net:
        layer.need_input_grad = True  # training skips the first layer's; here it is the point
        out = layer.forward(out, False)
    if out.shape != (1, model.classes):
        raise ValueError(f"model: the network ends in shape {out.shape[1:]}, not its classes")
    t = _target(model, target, out[0])
    grad: Any = np.zeros_like(out)
    grad[0, t] = 1.0
    for layer in reversed(exact._net):
        grad = layer.backward(grad)
    result = np.asarray(grad)[0].transpose(2, 0, 1).copy()  # NHWC → (C, H, W)
    return result[0] if result.shape[0] == 1 else result


def occlusion_map(
    model: Model,
    image: object,
    target: int | None = None,
    *,
    patch: int | None = None,
    fill: float = 0.0,
) -> np.ndarray:
    """Fall in the target class's probability when a square patch around each pixel is hidden.

    Parameters
    ----------
    model, image, target
        As for :func:`saliency_map`.
    patch
        Side of the square (pixels); ``None`` → :func:`default_patch`.  The patch around
        pixel ``(i, j)`` covers rows ``i − patch//2 … i − patch//2 + patch − 1`` (and the same
        columns), clipped at the border.
    fill
        The value the patch is set to (0 = the digits' background).

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float64: ``p_t(image) − p_t(image with the patch around (i, j) filled)``.
    """
    x = _image(model, image)
    _, h, w = x.shape
    side = default_patch(x.shape) if patch is None else patch
    if not is_integer(side) or side < 1:
        raise ValueError(f"patch must be an integer ≥ 1, got {patch!r}")
    if side > min(h, w):
        raise ValueError(f"patch must be at most {min(h, w)} (the image's side), got {side}")
    fill = float(fill)
    if not np.isfinite(fill):
        raise ValueError(f"fill must be finite, got {fill!r}")
    base = model.predict_proba(x[None])[0]
    t = _target(model, target, base)
    before = side // 2
    # Every occluded copy at once: the model predicts them in its own evaluation batches.
    batch = np.repeat(x[None], h * w, axis=0)
    for i in range(h):
        rows = slice(max(0, i - before), min(h, i - before + side))
        for j in range(w):
            cols = slice(max(0, j - before), min(w, j - before + side))
            batch[i * w + j, :, rows, cols] = fill
    occluded = model.predict_proba(batch)[:, t]
    return (base[t] - occluded).reshape(h, w)


def explain_prediction(
    model: Model, image: object, target: int | None = None, *, patch: int | None = None
) -> PredictionExplanation:
    """Probabilities, saliency and occlusion of one image for one model (the tab's panel).

    ``target`` defaults to the predicted class, so both maps explain the answer shown.
    """
    x = _image(model, image)
    probabilities = model.predict_proba(x[None])[0]
    t = _target(model, target, probabilities)
    side = default_patch(x.shape) if patch is None else patch
    return PredictionExplanation(
        probabilities=probabilities,
        target=t,
        saliency=saliency_map(model, x, t),
        occlusion=occlusion_map(model, x, t, patch=side),
        patch=side,
    )
