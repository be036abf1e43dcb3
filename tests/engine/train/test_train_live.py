"""Live classification: frames as the models' input (webcam way and MNIST/UCI digit way), step by
step, against references written here (loops, hand-computed placements, shifted drawings)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.train import (
    DIGIT_SIZES,
    build_model,
    capture_view,
    centre_of_mass,
    digit_input,
    live_input,
    live_probabilities,
    load_digits,
    train_model,
)


def paper(h: int = 200, w: int = 240, level: int = 225) -> np.ndarray:
    """A light RGB 'sheet of paper'."""
    return np.full((h, w, 3), level, np.uint8)


def draw_digit(frame: np.ndarray, text: str = "3", at: tuple[int, int] = (95, 130)) -> np.ndarray:
    """Dark strokes (a Hershey digit, two gray levels only) with its baseline-left at ``at``."""
    mask = np.zeros(frame.shape[:2], np.uint8)
    cv2.putText(mask, text, at, cv2.FONT_HERSHEY_SIMPLEX, 2.2, 255, 7)
    out = frame.copy()
    out[mask > 127] = 25
    return out


def loop_centre(image: np.ndarray) -> tuple[float, float]:
    """Reference centre of mass, by loops."""
    total = sy = sx = 0.0
    for r in range(image.shape[0]):
        for c in range(image.shape[1]):
            v = float(image[r, c])
            total += v
            sy += r * v
            sx += c * v
    return sy / total, sx / total


def bounding_box(image: np.ndarray) -> tuple[int, int, int, int]:
    rows = [r for r in range(image.shape[0]) if image[r].max() > 0]
    cols = [c for c in range(image.shape[1]) if image[:, c].max() > 0]
    return rows[0], cols[0], rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


# -- the webcam way ------------------------------------------------------------------------------
def test_camera_mode_is_the_capture_dialogs_view():
    rng = np.random.default_rng(3)
    frame = rng.integers(0, 256, (90, 130, 3), dtype=np.uint8)
    result = live_input(frame, (8, 8), "camera")
    np.testing.assert_array_equal(result.image, capture_view(frame, (8, 8)))
    # Reference: the centre 90×90 square's gray, mean of each block (a side not a multiple of 8
    # is checked by capture_view's own tests; here 88 = 8·11 of an 88-px square).
    square = frame[1:89, 21:109].astype(np.float64) / 255.0
    gray = 0.299 * square[..., 0] + 0.587 * square[..., 1] + 0.114 * square[..., 2]
    ref = gray.reshape(8, 11, 8, 11).mean(axis=(1, 3))
    small = live_input(frame[1:89, 21:109], (8, 8)).image
    np.testing.assert_allclose(small, ref, atol=2e-3)
    assert [s.title for s in result.steps] == ["centre 90×90, gray", "8×8 input"]
    assert result.steps[-1].image is result.image
    assert result.found and result.mode == "camera"


# -- MNIST: box to 20×20, centre of mass to the centre ----------------------------------------
def test_a_filled_rectangle_lands_where_computed_by_hand():
    frame = paper()
    frame[80:120, 110:130] = 20  # 40 tall, 20 wide: fits 20×10, all ink
    result = digit_input(frame, (28, 28))
    expected = np.zeros((28, 28), np.float32)
    # Patch centre (9.5, 4.5) → shift round(13.5 - 9.5) = 4 rows, round(13.5 - 4.5) = 9 columns.
    expected[4:24, 9:19] = 1.0
    np.testing.assert_allclose(result.image, expected, atol=1e-6)
    assert result.box == (80, 90, 40, 20)  # in the centre 200×200 square: columns 20…219
    shapes = [s.image.shape for s in result.steps]
    assert shapes == [(200, 200), (200, 200), (40, 20), (20, 10), (28, 28)]


def test_a_digit_shifted_in_the_frame_gives_the_same_input():
    a = digit_input(draw_digit(paper(), "7", (60, 120)), (28, 28))
    b = digit_input(draw_digit(paper(), "7", (100, 150)), (28, 28))
    assert a.found and b.found and a.box != b.box
    np.testing.assert_array_equal(a.image, b.image)
    u = digit_input(draw_digit(paper(), "7", (60, 120)), (8, 8))
    v = digit_input(draw_digit(paper(), "7", (100, 150)), (8, 8))
    np.testing.assert_array_equal(u.image, v.image)


@given(
    st.lists(st.tuples(st.integers(50, 190), st.integers(30, 170)), min_size=2, max_size=6),
    st.integers(3, 12),
)
@settings(max_examples=40, deadline=None)
def test_the_centre_of_mass_lands_on_the_centre_and_the_box_fits_20(points, thickness):
    frame = paper()
    pts = np.array(points, np.int32).reshape(-1, 1, 2)
    cv2.polylines(frame, [pts], False, (30, 30, 30), thickness)
    result = digit_input(frame, (28, 28))
    assert result.found
    cy, cx = loop_centre(result.image)
    assert abs(cy - 13.5) <= 0.5 + 1e-5 and abs(cx - 13.5) <= 0.5 + 1e-5
    _, _, h, w = bounding_box(result.steps[3].image)
    assert max(h, w) == 20
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0
    np.testing.assert_allclose(centre_of_mass(result.image), (cy, cx), atol=1e-6)


def test_light_ink_on_dark_paper_is_the_same_digit():
    dark_on_light = draw_digit(paper(), "5")
    light_on_dark = 255 - dark_on_light
    a, b = digit_input(dark_on_light, (28, 28)), digit_input(light_on_dark, (28, 28))
    np.testing.assert_array_equal(a.image, b.image)
    assert a.steps[1].image.mean() < 0.5  # the ink, not the paper, is 1


def test_specks_and_edge_shadows_are_ignored():
    clean = draw_digit(paper(), "2")
    messy = clean.copy()
    messy[150:152, 40:42] = 20  # a 2×2 speck
    messy[:, :12] = 30  # a shadow along the square's left edge (frame columns 20…31 in it)
    messy[:, 20:32] = 30
    np.testing.assert_array_equal(
        digit_input(messy, (28, 28)).image, digit_input(clean, (28, 28)).image
    )


def test_blank_paper_is_no_digit_not_an_error():
    for frame in (paper(), paper(level=40), np.zeros((50, 50), np.uint8)):
        result = digit_input(frame, (28, 28))
        assert not result.found and not result.image.any()
        assert "No digit found" in result.note
        assert result.image.shape == (28, 28)
    only_edge = paper()
    only_edge[:, 20:40] = 20  # ink only along the square's edge
    result = digit_input(only_edge, (8, 8))
    assert not result.found and "edge" in result.note


def test_a_big_frame_is_worked_on_at_256_pixels():
    frame = cv2.resize(draw_digit(paper(), "4"), (960, 800), interpolation=cv2.INTER_NEAREST)
    result = digit_input(frame, (28, 28))
    assert result.steps[0].image.shape == (256, 256)
    assert result.steps[0].title == "centre 800×800, gray"
    small = digit_input(draw_digit(paper(), "4"), (28, 28))
    # Thresholded at another resolution the edges differ a little; the strokes are the same.
    a, b = result.image > 0.5, small.image > 0.5
    assert (a & b).sum() / (a | b).sum() > 0.8


# -- UCI: 32×32 bitmap, 4×4 blocks counted -------------------------------------------------------
def test_uci_blocks_are_counts_of_a_centred_32_bitmap():
    frame = paper()
    frame[60:124, 100:132] = 20  # 64 tall, 32 wide → 32×16 bitmap columns 8…23
    result = digit_input(frame, (8, 8))
    expected = np.zeros((8, 8))
    expected[:, 2:6] = 1.0
    np.testing.assert_allclose(result.image, expected)
    bitmap = result.steps[3].image
    assert bitmap.shape == (32, 32) and set(np.unique(bitmap)) <= {0.0, 1.0}
    ref = np.array(
        [[bitmap[4 * r : 4 * r + 4, 4 * c : 4 * c + 4].sum() for c in range(8)] for r in range(8)]
    )
    np.testing.assert_allclose(result.image * 16, ref)


def test_a_drawn_digit_in_uci_style_fills_the_height_like_the_uci_digits():
    result = digit_input(draw_digit(paper(), "8"), (8, 8))
    levels = result.image * 16
    np.testing.assert_allclose(levels, np.round(levels))
    assert result.image[0].any() and result.image[-1].any()  # full height, as every UCI digit
    assert levels.max() == 16


def test_uci_digits_drawn_large_on_paper_are_recognised():
    """End to end: UCI digits blown up into dark-on-light frames, prepared back to 8×8, are
    classified by a model trained on the UCI digits about as well as the originals."""
    data = load_digits()
    model = build_model("mlp", (1, 8, 8), seed=0)
    train_model(model, data.as_input()[:1200], data.labels[:1200], epochs=15, seed=0)
    test = data.images[1200:1400]
    right_raw = int((model.predict(test[:, None]) == data.labels[1200:1400]).sum())
    right = 0
    for image, label in zip(test, data.labels[1200:1400], strict=True):
        big = cv2.resize(image, (160, 160), interpolation=cv2.INTER_NEAREST)
        frame = np.full((200, 260), 230, np.uint8)
        frame[20:180, 50:210] = np.round(230 - 210 * big).astype(np.uint8)
        probs = live_probabilities({"mlp": model}, digit_input(frame, (8, 8)).image)["mlp"]
        right += int(np.argmax(probs) == label)
    assert right >= 0.8 * right_raw, (right, right_raw)


# -- probabilities ---------------------------------------------------------------------------
def test_probabilities_of_both_models_for_one_input():
    cnn, mlp = build_model("cnn", (1, 8, 8), seed=1), build_model("mlp", (1, 8, 8), seed=2)
    image = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    out = live_probabilities({"cnn": cnn, "mlp": mlp, "none": None}, image)
    assert out["none"] is None
    for name, model in (("cnn", cnn), ("mlp", mlp)):
        logits = model.forward(image[None, None]).astype(np.float64)[0]
        ref = np.exp(logits - logits.max())
        np.testing.assert_allclose(out[name], ref / ref.sum(), rtol=1e-6, atol=1e-9)
        assert out[name].shape == (10,)
    np.testing.assert_allclose(live_probabilities({"m": mlp}, image[None])["m"], out["mlp"])


# -- refusals ------------------------------------------------------------------------------------
@pytest.mark.parametrize("frame", [np.zeros((0, 5, 3), np.uint8), np.zeros((4, 0)), np.zeros(7)])
@pytest.mark.parametrize("mode", ["camera", "digit"])
def test_empty_frames_are_refused_naming_the_frame(frame, mode):
    with pytest.raises(ValueError, match="frame"):
        live_input(frame, (8, 8), mode)


def test_bad_sizes_modes_and_inputs_are_named():
    frame = draw_digit(paper())
    with pytest.raises(ValueError, match="size.*8×8.*28×28.*16×16"):
        digit_input(frame, (16, 16))
    assert (16, 16) not in DIGIT_SIZES
    live_input(frame, (16, 16), "camera")  # any size the webcam way
    with pytest.raises(ValueError, match="size"):
        live_input(frame, (0, 8))
    with pytest.raises(ValueError, match="mode"):
        live_input(frame, (8, 8), "mnist")
    mlp = build_model("mlp", (1, 8, 8))
    with pytest.raises(ValueError, match=r"image: 28×28 does not fit the mlp model.*1×8×8"):
        live_probabilities({"mlp": mlp}, np.zeros((28, 28)))
    with pytest.raises(ValueError, match="image.*NaN"):
        live_probabilities({"mlp": mlp}, np.full((8, 8), np.nan))
    with pytest.raises(ValueError, match="image"):
        live_probabilities({"mlp": mlp}, np.zeros((0, 8)))
    with pytest.raises(ValueError, match="models"):
        live_probabilities([mlp], np.zeros((8, 8)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="image"):
        centre_of_mass(np.zeros((4, 4)))
