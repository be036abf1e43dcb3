"""Why this prediction? Saliency against central differences, occlusion against a brute-force
loop, for both default models, on 8×8 digits and 28×28 images; the bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from engine.train import DEFAULTS, build_model, load_digits, split_dataset, train_model
from engine.train._explain import (
    default_patch,
    explain_prediction,
    occlusion_map,
    saliency_map,
)


@pytest.fixture(scope="module")
def trained():
    """Both default models after three epochs on 400 digits, and some validation digits."""
    train, val = split_dataset(load_digits(), DEFAULTS.validation_fraction, DEFAULTS.seed)
    models = {}
    for name in ("cnn", "mlp"):
        model = build_model(name, seed=1)
        train_model(model, train.as_input()[:400], train.labels[:400], epochs=3)
        models[name] = model
    return models, val.images[:6]


def _logit(model64, image, target):
    return float(model64.forward(image[None, None])[0, target])


def _central_differences(model, image, target, eps=1e-6):
    exact = model.astype(np.float64)
    grad = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            plus, minus = image.copy(), image.copy()
            plus[i, j] += eps
            minus[i, j] -= eps
            grad[i, j] = (_logit(exact, plus, target) - _logit(exact, minus, target)) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_saliency_is_the_input_gradient_of_the_class_logit(trained, name):
    models, images = trained
    model = models[name]
    rng = np.random.default_rng(7)
    for k, image in enumerate(images[:3]):
        # Faint noise on the background: on exact zeros the CNN's pooled maps tie (equal
        # bias-only values), where the max is not differentiable and central differences see
        # half a gradient.
        image = image.astype(np.float64) + 0.02 * rng.random(image.shape)
        predicted = int(model.predict(image[None, None])[0])
        for target in (None, (predicted + 3) % 10):
            s = saliency_map(model, image, target)
            assert s.shape == (8, 8) and s.dtype == np.float64
            t = predicted if target is None else target
            expected = _central_differences(model, image, t)
            np.testing.assert_allclose(s, expected, rtol=1e-5, atol=1e-7, err_msg=f"{name} {k}")
    # The model is left as it was: it still trains and predicts the same.
    before = model.predict_proba(images[:, None])
    saliency_map(model, images[0])
    np.testing.assert_array_equal(model.predict_proba(images[:, None]), before)


def test_saliency_of_a_28_by_28_cnn_matches_central_differences():
    model = build_model("cnn", (1, 28, 28), seed=3)
    image = np.random.default_rng(0).random((28, 28))
    s = saliency_map(model, image, 4)
    exact = model.astype(np.float64)
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, 28, (12, 2)):  # a sample of the 784 pixels
        plus, minus = image.copy(), image.copy()
        plus[i, j] += 1e-6
        minus[i, j] -= 1e-6
        numeric = (_logit(exact, plus, 4) - _logit(exact, minus, 4)) / 2e-6
        assert s[i, j] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def _occlusion_brute_force(model, image, target, patch, fill=0.0):
    h, w = image.shape
    base = model.predict_proba(image[None, None])[0, target]
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            hidden = image.copy()
            for r in range(i - patch // 2, i - patch // 2 + patch):
                for c in range(j - patch // 2, j - patch // 2 + patch):
                    if 0 <= r < h and 0 <= c < w:
                        hidden[r, c] = fill
            out[i, j] = base - model.predict_proba(hidden[None, None])[0, target]
    return out


@pytest.mark.parametrize("name", ["cnn", "mlp"])
@pytest.mark.parametrize("patch", [1, 2, 3])
def test_occlusion_equals_a_brute_force_loop(trained, name, patch):
    models, images = trained
    model = models[name]
    image = images[1].astype(np.float64)
    target = int(model.predict(image[None, None])[0])
    got = occlusion_map(model, image, patch=patch)
    np.testing.assert_allclose(got, _occlusion_brute_force(model, image, target, patch), atol=1e-6)
    other = (target + 1) % 10
    np.testing.assert_allclose(
        occlusion_map(model, image, other, patch=patch, fill=0.5),
        _occlusion_brute_force(model, image, other, patch, fill=0.5),
        atol=1e-6,
    )


def test_occlusion_finds_where_the_ink_is(trained):
    models, images = trained
    image = images[2].astype(np.float64)
    for model in models.values():
        occ = occlusion_map(model, image)
        # Hiding background pixels only (a patch with no ink) changes nothing.
        h, w = image.shape
        p = default_patch(image.shape)
        for i in range(h):
            for j in range(w):
                rows = slice(max(0, i - p // 2), min(h, i - p // 2 + p))
                cols = slice(max(0, j - p // 2), min(w, j - p // 2 + p))
                if not image[rows, cols].any():
                    assert occ[i, j] == pytest.approx(0.0, abs=1e-6)
        assert occ.max() > 0.01  # some inked region matters to a trained model


def test_explain_prediction_bundles_both_maps_for_the_predicted_class(trained):
    models, images = trained
    model = models["cnn"]
    result = explain_prediction(model, images[0])
    probs = model.predict_proba(images[:1, None])[0]
    np.testing.assert_allclose(result.probabilities, probs)
    assert result.target == int(np.argmax(probs)) and result.patch == default_patch((8, 8)) == 2
    np.testing.assert_allclose(result.saliency, saliency_map(model, images[0]))
    np.testing.assert_allclose(result.occlusion, occlusion_map(model, images[0]))
    assert default_patch((28, 28)) == 6
    # (1, H, W) and (1, 1, H, W) are the same single image
    np.testing.assert_allclose(saliency_map(model, images[0][None]), result.saliency)
    np.testing.assert_allclose(saliency_map(model, images[0][None, None]), result.saliency)


def test_bad_inputs_are_named(trained):
    models, images = trained
    model = models["cnn"]
    with pytest.raises(ValueError, match="image must have shape 8×8"):
        saliency_map(model, np.zeros((7, 8)))
    with pytest.raises(ValueError, match="image must have shape"):
        occlusion_map(model, np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="NaN"):
        saliency_map(model, np.full((8, 8), np.nan))
    for target in (10, -1, 2.5, True):
        with pytest.raises(ValueError, match="target must be a class index 0…9"):
            saliency_map(model, images[0], target)
    for patch in (0, 9, True, 1.5):
        with pytest.raises(ValueError, match="patch must be"):
            occlusion_map(model, images[0], patch=patch)
    with pytest.raises(ValueError, match="fill must be finite"):
        occlusion_map(model, images[0], fill=float("inf"))
