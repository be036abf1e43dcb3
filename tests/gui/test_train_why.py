"""Train tab, "Why this prediction?": the brush size, saliency and occlusion maps of both models
following the drawing (and its shifts), the last layer as labelled bars, the empty plots' hints
and the one legend of the curves."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox

from engine.loss import softmax
from engine.train import build_model, explain_prediction, occlusion_map, saliency_map
from gui.train_tab.page import PAGES
from gui.train_tab.plots import EMPTY_CURVES, TRAINING_CURVES
from gui.train_tab.state import SLOTS
from gui.train_tab.why_panel import WhyPanel
from tests.gui.test_train_tab import TRAIN_TIMEOUT, _drag


def _lit(image: np.ndarray) -> int:
    return int(np.count_nonzero(image > 0))


def test_the_brush_size_sets_how_many_cells_a_stroke_lights(qtbot, train_tab):
    train_tab.pages.setCurrentIndex(PAGES.index("draw"))
    canvas, brush = train_tab.canvas, train_tab.findChild(QSpinBox, "brushSize")
    qtbot.waitExposed(canvas)
    assert brush.value() == canvas.brush == 1  # 8×8 digits: one cell wide
    stroke = [(1, 4), (2, 4), (3, 4), (4, 4), (5, 4), (6, 4)]
    _drag(canvas, stroke)
    assert _lit(canvas.image) == 6  # exactly the cells the pen crossed (was 24 of 64)
    assert np.all(canvas.image[1:7, 4] == 1.0)
    ink = {1: float(canvas.image.sum())}
    for size in (2, 3):
        canvas.clear()
        brush.setValue(size)
        assert canvas.brush == size
        _drag(canvas, stroke)
        ink[size] = float(canvas.image.sum())
        assert np.all(canvas.image[1:7, 4] == 1.0)
        assert 6 < _lit(canvas.image) <= 24  # a soft rim: the neighbouring columns and ends
    assert ink[1] < ink[2] < ink[3]
    # size 3: the neighbouring columns are fully inked too, a soft rim beyond
    assert np.all(canvas.image[2:6, 3] == 1.0) and np.all(canvas.image[2:6, 5] == 1.0)
    # drawing over the stroke again changes nothing (ink is not piled up)
    before = canvas.image.copy()
    _drag(canvas, stroke)
    np.testing.assert_array_equal(canvas.image, before)
    brush.setValue(1)
    canvas.set_brush(7)
    assert canvas.brush == 5  # clamped to the largest size offered
    # 28×28 data gets a wider default brush
    assert canvas.default_brush((28, 28)) == 3


def test_both_models_maps_follow_the_drawing_and_its_shifts(qtbot, trained_train_tab):
    train_tab = trained_train_tab
    train_tab.pages.setCurrentIndex(PAGES.index("draw"))
    why = train_tab.why
    qtbot.waitExposed(why)
    _drag(train_tab.canvas, [(1, 3), (2, 3), (3, 3), (4, 3), (5, 3), (6, 3)])
    for step in ("drawn", "shifted"):
        image = train_tab.canvas.image
        for slot in SLOTS:
            model = train_tab.models[slot]
            result = why.explanations[slot]
            assert result is not None, slot
            np.testing.assert_allclose(result.saliency, saliency_map(model, image))
            np.testing.assert_allclose(result.occlusion, occlusion_map(model, image))
            np.testing.assert_allclose(
                why.saliency[slot].values, saliency_map(model, image), err_msg=step
            )
            np.testing.assert_allclose(why.occlusion[slot].values, occlusion_map(model, image))
            assert not why.saliency[slot].pixmap().isNull()
            assert result.target == train_tab.bars[slot].predicted()
            assert "∂(score of" in why.saliency[slot].toolTip()
        assert "2×2 patch" in why.headers["occlusion"].text()
        previous = {s: why.explanations[s].saliency.copy() for s in SLOTS}
        qtbot.keyClick(train_tab.canvas, Qt.Key.Key_Right)
    for slot in SLOTS:  # the shift moved the maps (saliency is not shift-invariant)
        assert not np.allclose(why.explanations[slot].saliency, previous[slot])


def test_untrained_models_say_so_instead_of_maps(qtbot, train_tab):
    train_tab.pages.setCurrentIndex(PAGES.index("draw"))
    qtbot.waitExposed(train_tab.why)
    for slot in SLOTS:
        assert train_tab.why.explanations[slot] is None
        assert train_tab.why.saliency[slot].pixmap().isNull()
        assert "Train the" in train_tab.why.saliency[slot].text()
        assert train_tab.bars[slot].probabilities is None


def test_large_images_update_the_maps_once_a_stroke_pauses(qtbot):
    why = WhyPanel()
    qtbot.addWidget(why)
    why.resize(700, 500)
    why.show()
    qtbot.waitExposed(why)
    models = {
        "cnn": build_model("cnn", (1, 28, 28), seed=1),
        "mlp": build_model("mlp", (1, 28, 28)),
    }
    names = tuple(str(d) for d in range(10))
    image = np.zeros((28, 28), np.float32)
    image[6:22, 13:15] = 1.0
    why.show_image(image, models, names)
    assert why.pending  # 784 occluded copies per model: not on every mouse move
    for _ in range(5):
        why.show_image(image, models, names)  # a stroke goes on: still one pending update
    qtbot.waitUntil(lambda: not why.pending, timeout=10_000)
    for slot, model in models.items():
        expected = explain_prediction(model, image)
        np.testing.assert_allclose(why.explanations[slot].occlusion, expected.occlusion)
        assert expected.patch == 6
    assert "6×6 patch" in why.headers["occlusion"].text()
    why.show_image(image, models, names)
    why.stop()  # the tab's shutdown drops a pending update
    assert not why.pending


def test_the_last_layer_is_labelled_probability_bars(qtbot, trained_train_tab):
    train_tab = trained_train_tab
    train_tab.pages.setCurrentIndex(PAGES.index("learned"))
    box = train_tab.learned.maps_box
    qtbot.waitExposed(box)
    box.select_digit(3)
    shown = [
        b for b in box.findChildren(type(train_tab.bars["cnn"]), "lastLayerBars") if b.isVisible()
    ]
    assert len(shown) == 1  # one chart, in place of the last layer's grey picture
    bars = shown[0]
    model = train_tab.models["cnn"]
    logits = model.forward(train_tab.val_x[3:4])[0]
    np.testing.assert_allclose(bars.probabilities, softmax(logits.astype(np.float64)), rtol=1e-6)
    assert bars.class_names == train_tab.dataset.class_names
    assert bars.predicted() == int(np.argmax(logits))


def test_empty_curves_say_what_to_press_and_show_one_legend(qtbot, train_tab):
    curves = train_tab.curves
    train_tab.pages.setCurrentIndex(PAGES.index("curves"))
    qtbot.waitExposed(curves)
    for key, what in (("loss", "loss curves"), ("acc", "accuracy curves")):
        assert curves.hints[key].isVisible()
        assert curves.hints[key].text() == EMPTY_CURVES.format(what=what)
    assert curves.loss_plot.getPlotItem().legend is not None
    assert curves.acc_plot.getPlotItem().legend is None  # the same four series: one legend
    labels = [label.text for _sample, label in curves.loss_plot.getPlotItem().legend.items]
    assert labels == ["CNN training", "CNN validation", "MLP training", "MLP validation"]
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    if curves.point_count("cnn") == 0:
        assert curves.hints["loss"].text() == TRAINING_CURVES
    qtbot.waitUntil(lambda: not train_tab.busy, timeout=TRAIN_TIMEOUT)
    assert not curves.hints["loss"].isVisible() and not curves.hints["acc"].isVisible()
    qtbot.mouseClick(train_tab.reset_button, Qt.MouseButton.LeftButton)
    assert curves.hints["loss"].isVisible()
    assert curves.hints["loss"].text() == EMPTY_CURVES.format(what="loss curves")
