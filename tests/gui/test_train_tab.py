"""Train tab: training in the worker (pause, resume, reset, shutdown), drawing, experiments,
sessions and export — real widgets, a small subset of the digits so each run is quick."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt, QThread
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QApplication, QPushButton

from engine.train import load_model
from gui.context import AppContext
from gui.pg_config import configure_pyqtgraph
from gui.train_tab import TrainTab
from gui.train_tab.page import PAGES
from gui.train_tab.state import SLOTS

SUBSET = 200  # images used: 160 training, 40 validation
EPOCHS = 3
TRAIN_TIMEOUT = 60_000


def make_tab(qtbot, context: AppContext | None = None) -> TrainTab:
    configure_pyqtgraph()
    train_tab = TrainTab(None, context=context or AppContext())
    qtbot.addWidget(train_tab)
    train_tab.data_box.samples.setValue(SUBSET)
    train_tab.options_box.epochs.setValue(EPOCHS)
    return train_tab


def dispose_tab(train_tab: TrainTab) -> None:
    """Shut ``tab`` down and delete its Qt side now.

    A tab dropped by Python alone lives on in reference cycles until the garbage collector
    finds it — in the middle of a later test, where clearing its pyqtgraph items' attributes
    before their C++ side goes made Qt call ``LabelItem.sizeHint`` on an emptied object."""
    train_tab.shutdown()
    train_tab.close()
    train_tab.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def train(qtbot, train_tab: TrainTab) -> None:
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    assert train_tab.busy
    qtbot.waitUntil(lambda: not train_tab.busy, timeout=TRAIN_TIMEOUT)


def test_subset_split_and_parameter_counts(train_tab):
    assert len(train_tab.train_y) + len(train_tab.val_y) == SUBSET
    assert len(train_tab.val_y) == SUBSET // 5
    assert train_tab.train_x.shape[1:] == (1, 8, 8)
    # The default CNN has fewer parameters than the MLP; counts shown are engine.summarize's.
    cnn, mlp = train_tab.models["cnn"], train_tab.models["mlp"]
    assert cnn.n_params < mlp.n_params
    assert train_tab.slots["cnn"].params_label.text() == f"{cnn.n_params:,} parameters"
    assert train_tab.slots["cnn"].model.summary.total_params == cnn.n_params


def test_training_a_few_epochs_draws_both_models_curves(qtbot, trained_train_tab):
    train_tab = trained_train_tab
    for slot in SLOTS:
        history = train_tab.histories[slot]
        assert [r.epoch for r in history.records] == list(range(1, EPOCHS + 1))
        assert train_tab.curves.point_count(slot) == EPOCHS
        # Far above chance (10 %) after three epochs on 160 digits.
        assert history.records[-1].val_accuracy > 0.5
        assert history.records[-1].train_loss < history.records[0].train_loss
    assert train_tab.progress.value() == train_tab.progress.maximum()
    assert "Validation accuracy" in train_tab.status_label.text()
    assert train_tab.export_button.isEnabled()


def test_blas_runs_on_one_thread_while_training_and_is_restored(qtbot, train_tab):
    # Taken by the GUI thread for the whole job: from the worker thread the limit did not take
    # (OpenBLAS ignores a thread count set by a second thread), and two-thread GEMMs in the
    # worker and the GUI's predictions made training 3–5× slower on the What-it-learned page.
    from threadpoolctl import threadpool_info

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    before = blas_threads()
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    assert train_tab.busy and blas_threads() == {1}
    qtbot.waitUntil(lambda: not train_tab.busy, timeout=TRAIN_TIMEOUT)
    assert blas_threads() == before
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    assert blas_threads() == {1}
    train_tab.reset()  # stopping restores it too
    assert not train_tab.busy and blas_threads() == before


def test_training_is_reproducible_with_the_same_seed(qtbot, trained_train_tab):
    first = {s: [r.val_loss for r in trained_train_tab.histories[s].records] for s in SLOTS}
    train(qtbot, trained_train_tab)
    again = {s: [r.val_loss for r in trained_train_tab.histories[s].records] for s in SLOTS}
    assert again == first


def test_pause_resume_and_reset(qtbot, train_tab):
    train_tab.options_box.epochs.setValue(400)
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(train_tab.histories["cnn"].records) >= 1, timeout=TRAIN_TIMEOUT)
    qtbot.mouseClick(train_tab.pause_button, Qt.MouseButton.LeftButton)
    assert train_tab.pause_button.text() == "Resume"
    runner = train_tab.job_runner
    (thread,) = runner.findChildren(QThread)  # the job's own thread
    qtbot.waitUntil(lambda: runner.holding, timeout=10_000)
    QApplication.processEvents()  # deliver what the worker sent before it stopped
    held = {s: len(train_tab.histories[s].records) for s in SLOTS}
    QApplication.processEvents()
    assert {s: len(train_tab.histories[s].records) for s in SLOTS} == held  # nothing while paused
    assert train_tab.time_label.text() == "paused"
    assert thread.isRunning()

    qtbot.mouseClick(train_tab.pause_button, Qt.MouseButton.LeftButton)
    assert train_tab.pause_button.text() == "Pause"
    qtbot.waitUntil(
        lambda: len(train_tab.histories["cnn"].records) > held["cnn"] + 1, timeout=TRAIN_TIMEOUT
    )

    qtbot.mouseClick(train_tab.reset_button, Qt.MouseButton.LeftButton)
    assert not train_tab.busy
    assert not thread.isRunning() and runner.thread_count == 0
    for slot in SLOTS:
        assert train_tab.histories[slot].records == []
        assert train_tab.curves.point_count(slot) == 0
        assert not train_tab.trained(slot)
        assert train_tab.bars[slot].probabilities is None
    assert train_tab.train_button.isEnabled() and not train_tab.pause_button.isEnabled()


def test_shutdown_while_training_leaves_no_thread_running(qtbot, train_tab):
    train_tab.options_box.epochs.setValue(400)
    train_tab.start_training()
    (thread,) = train_tab.job_runner.findChildren(QThread)
    qtbot.waitUntil(lambda: train_tab.progress.value() > 0, timeout=TRAIN_TIMEOUT)
    train_tab.shutdown()
    assert not train_tab.busy and train_tab.job_runner.thread_count == 0
    assert not thread.isRunning()


def test_shutdown_while_paused_leaves_no_thread_running(qtbot, train_tab):
    train_tab.options_box.epochs.setValue(400)
    train_tab.start_training()
    (thread,) = train_tab.job_runner.findChildren(QThread)
    train_tab.toggle_pause()
    qtbot.waitUntil(lambda: train_tab.job_runner.holding, timeout=10_000)
    train_tab.shutdown()
    assert not thread.isRunning() and train_tab.job_runner.thread_count == 0


def _drag(canvas, points) -> None:
    """Press at the first pixel, move through the others with the button held, release."""
    first = canvas.cell_centre(*points[0])
    press = QMouseEvent(
        QEvent.Type.MouseButtonPress,
        first,
        canvas.mapToGlobal(first),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas, press)
    last = first
    for point in points[1:]:
        last = canvas.cell_centre(*point)
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            last,
            canvas.mapToGlobal(last),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(canvas, move)
    release = QMouseEvent(
        QEvent.Type.MouseButtonRelease,
        last,
        canvas.mapToGlobal(last),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas, release)


def test_draw_with_the_mouse_and_shift_with_arrow_keys(qtbot, trained_train_tab):
    train_tab = trained_train_tab
    train_tab.pages.setCurrentIndex(PAGES.index("draw"))
    canvas = train_tab.canvas
    qtbot.waitExposed(canvas)
    assert canvas.image.shape == (8, 8)
    assert train_tab.bars["cnn"].probabilities is not None  # trained: bars follow the blank canvas
    blank = {s: train_tab.bars[s].probabilities.copy() for s in SLOTS}

    _drag(canvas, [(1, 4), (2, 4), (3, 4), (4, 4), (5, 4), (6, 4)])  # a vertical stroke: "1"
    column = canvas.image[:, 4]
    assert np.all(column[1:7] == 1.0)
    assert canvas.image[0, 0] == 0.0
    drawn = {s: train_tab.bars[s].probabilities.copy() for s in SLOTS}
    for slot in SLOTS:
        assert not np.allclose(drawn[slot], blank[slot])
        assert drawn[slot].sum() == pytest.approx(1.0, abs=1e-5)
        model = train_tab.models[slot]
        expected = model.predict_proba(canvas.image[None, None])[0]
        np.testing.assert_allclose(drawn[slot], expected, rtol=1e-6)

    before = canvas.image.copy()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    np.testing.assert_array_equal(canvas.image[:, 1:], before[:, :-1])
    assert np.all(canvas.image[:, 0] == 0)
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    np.testing.assert_array_equal(canvas.image[:-1, 1:], before[1:, :-1])
    for slot in SLOTS:
        assert not np.allclose(train_tab.bars[slot].probabilities, drawn[slot])

    clear = train_tab.findChild(QPushButton, "clearCanvas")
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert not canvas.image.any()


def test_learned_page_filters_maps_confusion_and_mistakes(qtbot, trained_train_tab):
    train_tab = trained_train_tab
    train_tab.pages.setCurrentIndex(PAGES.index("learned"))
    learned = train_tab.learned
    assert learned.slot == "cnn"
    filters = train_tab.models["cnn"].first_layer_filters()
    assert len(learned.filter_group.buttons()) == filters.shape[0]
    n_val = len(train_tab.val_y)
    total = sum(
        int(learned.confusion.item(r, c).text() or 0)
        for r in range(10)
        for c in range(10)
        if learned.confusion.item(r, c) is not None
    )
    assert total == n_val
    wrong = int(np.sum(train_tab.models["cnn"].predict(train_tab.val_x) != train_tab.val_y))
    assert learned.mistakes.count() == wrong
    # one picture per layer plus the input, all shown (children added to a visible page)
    cells = [
        learned.maps_box.maps_layout.itemAt(i).widget()
        for i in range(learned.maps_box.maps_layout.count())
    ]
    assert len(cells) == len(train_tab.models["cnn"].layers) + 1
    assert all(cell.isVisible() for cell in cells)
    assert all(button.isVisible() for button in learned.filter_group.buttons())
    if wrong:
        item = learned.mistakes.item(0)
        rect = learned.mistakes.visualItemRect(item)
        qtbot.mouseClick(learned.mistakes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert learned.maps_box.digit_spin.value() == item.data(Qt.ItemDataRole.UserRole)
    # The MLP's first layer has no kernels: its units' weights are shown as 8×8 images.
    learned.model_combo.setCurrentIndex(learned.model_combo.findData("mlp"))
    assert len(learned.filter_group.buttons()) == 32
    assert learned.kernels.shape[1:] == (8, 8)


def test_a_selected_filter_stays_selected_when_the_models_update(qtbot, trained_train_tab):
    # While training, the page refreshes several times a second: the buttons are reused and
    # the user's choice stays, showing the filter's new values.
    train_tab = trained_train_tab
    train_tab.pages.setCurrentIndex(PAGES.index("learned"))
    learned = train_tab.learned
    buttons = learned.filter_group.buttons()
    qtbot.mouseClick(learned.filter_group.button(2), Qt.MouseButton.LeftButton)
    changed = {k: v.copy() for k, v in train_tab.models["cnn"].parameters().items()}
    changed["conv1.weight"][2] *= -1
    model = train_tab.models["cnn"].copy()
    model.set_parameters(changed)
    learned.set_models({**train_tab.models, "cnn": model})
    assert learned.filter_group.buttons() == buttons
    assert learned.selected_filter == 2 and learned.filter_group.button(2).isChecked()
    assert learned.to_matrix.isEnabled()
    np.testing.assert_allclose(
        learned.kernels[2], -train_tab.models["cnn"].first_layer_filters()[2, 0]
    )
    first = f"{learned.kernels[2].ravel()[0]:.2f}"
    assert f"Filter 3 (3×3): {first}" in learned.filter_label.text()
    # Another model (other kernels) starts with no selection.
    learned.model_combo.setCurrentIndex(learned.model_combo.findData("mlp"))
    assert learned.selected_filter is None and not learned.to_matrix.isEnabled()


def test_the_epoch_axis_spans_the_planned_run_while_training(qtbot, train_tab):
    train_tab.options_box.epochs.setValue(6)
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    low, high = train_tab.curves.loss_plot.getPlotItem().getViewBox().viewRange()[0]
    assert low < 1 < 6 < high < 6.5  # fixed: no rescaling after every epoch
    qtbot.waitUntil(lambda: not train_tab.busy, timeout=TRAIN_TIMEOUT)
    assert train_tab.curves.point_count("cnn") == 6


def test_filter_goes_to_the_gallery_through_the_context(qtbot, trained_train_tab):
    received = []
    trained_train_tab.context.kernel_sent.connect(lambda name, k: received.append((name, k)))
    trained_train_tab.pages.setCurrentIndex(PAGES.index("learned"))
    learned = trained_train_tab.learned
    assert not learned.to_gallery.isEnabled()
    qtbot.mouseClick(learned.filter_group.button(2), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(learned.to_gallery, Qt.MouseButton.LeftButton)
    expected = trained_train_tab.models["cnn"].first_layer_filters()[2, 0]
    assert received[0][0] == "CNN filter 3"
    np.testing.assert_allclose(received[0][1], expected, atol=5e-4)


def test_filter_opens_in_the_matrix_tab(qtbot, main_window):
    train_tab = main_window.page("train")
    train_tab.data_box.samples.setValue(SUBSET)
    train_tab.options_box.epochs.setValue(1)
    main_window.show_tab("train")
    train(qtbot, train_tab)
    train_tab.pages.setCurrentIndex(PAGES.index("learned"))
    qtbot.mouseClick(train_tab.learned.filter_group.button(0), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(train_tab.learned.to_matrix, Qt.MouseButton.LeftButton)
    matrix = main_window.page("matrix")
    assert main_window.tab_widget.currentWidget() is matrix
    kernel = matrix.kernel_models[-1]
    assert kernel.title == "CNN filter 1"
    expected = train_tab.models["cnn"].first_layer_filters()[0, 0]
    np.testing.assert_allclose(np.asarray(kernel.values, dtype=float), expected, atol=5e-4)


def test_state_survives_save_and_restore(qtbot, trained_train_tab):
    trained_train_tab.canvas.set_image(trained_train_tab.val_x[0, 0])
    state = json.loads(json.dumps(trained_train_tab.save_state()))  # plain JSON types only
    other = make_tab(qtbot)
    other.restore_state(state)
    try:
        for slot in SLOTS:
            a, b = trained_train_tab.models[slot].parameters(), other.models[slot].parameters()
            assert a.keys() == b.keys()
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])
            assert other.histories[slot].to_dict() == trained_train_tab.histories[slot].to_dict()
            assert other.curves.point_count(slot) == EPOCHS
        assert other.options == trained_train_tab.options
        assert len(other.val_y) == len(trained_train_tab.val_y)
        other.canvas.set_image(trained_train_tab.val_x[0, 0])
        for slot in SLOTS:
            np.testing.assert_allclose(
                other.bars[slot].probabilities,
                trained_train_tab.bars[slot].probabilities,
                rtol=1e-6,
            )
        assert other.export_button.isEnabled()
    finally:
        other.shutdown()


def test_bad_state_entries_are_ignored(qtbot, train_tab):
    before = train_tab.options
    train_tab.restore_state(
        {
            "options": {"epochs": 10**12, "optimizer": "magic", "lam": "x", "batch_size": 16},
            "trained": {"cnn": {"params": {"w": {"shape": [2], "data": "!!"}}}},
            "source": {"kind": "idx", "images": 3},
        }
    )
    assert train_tab.options.epochs == before.epochs
    assert train_tab.options.optimizer == before.optimizer
    assert train_tab.options.batch_size == 16
    assert not train_tab.trained("cnn")
    assert "Not restored" in train_tab.status_label.text()


def test_export_writes_npz_and_network_json(qtbot, trained_train_tab, tmp_path):
    written = trained_train_tab.export_to(str(tmp_path / "digits.npz"))
    names = sorted(p.name for p in written)
    assert names == ["digits_cnn.json", "digits_cnn.npz", "digits_mlp.json", "digits_mlp.npz"]
    model, history = load_model(tmp_path / "digits_cnn.npz")
    np.testing.assert_allclose(
        model.predict_proba(trained_train_tab.val_x),
        trained_train_tab.models["cnn"].predict_proba(trained_train_tab.val_x),
    )
    assert history.to_dict() == trained_train_tab.histories["cnn"].to_dict()
    doc = json.loads((tmp_path / "digits_mlp.json").read_text(encoding="utf-8"))
    assert [layer["type"] for layer in doc["layers"]][-1] == "linear"


def test_missing_idx_files_show_an_error_and_keep_the_data(qtbot, train_tab, tmp_path):
    before = len(train_tab.train_y)
    ok = train_tab.load_source(
        {"kind": "idx", "images": str(tmp_path / "nope-images"), "labels": str(tmp_path / "x")}
    )
    assert not ok
    assert train_tab.data_box.error_label.isVisible()
    assert "Could not open the data" in train_tab.data_box.error_label.text()
    assert len(train_tab.train_y) == before
    assert train_tab.source == {"kind": "digits"}


def test_image_folder_with_three_classes(qtbot, train_tab, tmp_path):
    import cv2

    rng = np.random.default_rng(0)
    for name in ("circle", "cross", "line"):
        (tmp_path / name).mkdir()
        for i in range(12):
            image = (rng.random((12, 12)) * 60).astype(np.uint8)
            cv2.imwrite(str(tmp_path / name / f"{i}.png"), image)
    assert train_tab.load_source({"kind": "folder", "path": str(tmp_path)})
    assert train_tab.dataset.class_names == ("circle", "cross", "line")
    assert train_tab.canvas.image.shape == train_tab.dataset.image_shape
    for slot in SLOTS:
        # the last Linear layer was fitted to three classes
        assert train_tab.models[slot].forward(train_tab.val_x[:1]).shape == (1, 3)
    assert not train_tab.data_box.error_label.isVisible()


def test_network_from_layer_sizes_replaces_a_slot(qtbot, train_tab):
    network = {
        "name": "tiny",
        "input_shape": [1, 28, 28],
        "layers": [
            {"type": "flatten"},
            {"type": "linear", "out_features": 16},
            {"type": "activation", "function": "relu"},
            {"type": "linear", "out_features": 10},
        ],
    }
    train_tab.receive_network(network, "cnn")
    model = train_tab.models["cnn"]
    assert model.input_shape == (1, 8, 8)  # the data's shape, not the sender's
    assert model.n_params == 64 * 16 + 16 + 16 * 10 + 10
    assert train_tab.slots["cnn"].model.rowCount() == 4
    assert "CNN slot" in train_tab.status_label.text()


def test_an_untrainable_network_is_explained(qtbot, train_tab):
    network = {"layers": [{"type": "flatten"}, {"type": "linear", "out_features": 10}]}
    network["layers"].insert(0, {"type": "conv2d", "out_channels": 4, "kernel_size": 9})
    train_tab.receive_network(network, "mlp")
    assert train_tab.models["mlp"] is None
    assert train_tab.slots["mlp"].error_label.isVisible()
    assert "Cannot train" in train_tab.slots["mlp"].error_label.text()


def test_send_to_train_from_layer_sizes(qtbot, main_window):
    layers = main_window.page("layers")
    main_window.show_tab("layers")
    layers.network.load_preset("small_cnn")  # a 28×28 preset: the Train tab fits it to 8×8
    sent = layers.network.save_state()
    action = layers.findChild(QAction, "sendToTrain_mlp")
    action.trigger()
    train_tab = main_window.page("train")
    assert main_window.tab_widget.currentWidget() is train_tab
    assert train_tab.networks["mlp"]["layers"][0] == sent["layers"][0]
    assert train_tab.slots["mlp"].model.rowCount() == len(sent["layers"])
    assert train_tab.networks["cnn"]["layers"] != sent["layers"]  # the other slot is kept


def _write_idx(path, array: np.ndarray) -> None:
    """An MNIST IDX file: magic (0, 0, dtype 0x08 = ubyte, ndim), big-endian sizes, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_mnist_idx_files_open_with_the_labels_found_beside(qtbot, train_tab, tmp_path):
    from gui.train_tab.data_source import guess_labels_path

    rng = np.random.default_rng(1)
    images = (rng.random((60, 12, 12)) * 255).astype(np.uint8)
    labels = np.arange(60) % 10
    _write_idx(tmp_path / "train-images-idx3-ubyte", images)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    found = guess_labels_path(str(tmp_path / "train-images-idx3-ubyte"))
    assert found == str(tmp_path / "train-labels-idx1-ubyte")
    assert train_tab.load_source(
        {"kind": "idx", "images": str(tmp_path / "train-images-idx3-ubyte"), "labels": found}
    )
    assert train_tab.dataset.image_shape == (12, 12)
    assert len(train_tab.train_y) + len(train_tab.val_y) == 60
    np.testing.assert_allclose(train_tab.dataset.images.max(), images.max() / 255, rtol=1e-6)
    assert train_tab.canvas.image.shape == (12, 12)
    assert train_tab.models["cnn"].input_shape == (1, 12, 12)
    assert "12×12" in train_tab.data_box.source_label.text()


def test_trained_models_survive_a_restart_of_the_app(qtbot, tmp_path):
    from gui.app import build_window

    first = build_window(data_dir=tmp_path)
    qtbot.addWidget(first)
    first.sessions.start()
    train_tab = first.page("train")
    train_tab.data_box.samples.setValue(SUBSET)
    train_tab.options_box.epochs.setValue(2)
    first.show_tab("train")
    train(qtbot, train_tab)
    weights = {k: v.copy() for k, v in train_tab.models["mlp"].parameters().items()}
    curve = train_tab.histories["cnn"].to_dict()
    first.close()  # clean exit: the session is written

    second = build_window(data_dir=tmp_path)
    qtbot.addWidget(second)
    second.sessions.start(restore="ask")
    restored = second.page("train")
    try:
        assert second.tab_widget.currentWidget() is restored
        assert restored.options.max_samples == SUBSET and restored.options.epochs == 2
        assert restored.histories["cnn"].to_dict() == curve
        for key, value in weights.items():
            np.testing.assert_array_equal(restored.models["mlp"].parameters()[key], value)
        assert restored.curves.point_count("mlp") == 2
    finally:
        second.close()


def test_a_diverging_run_stops_with_a_message_and_frees_the_worker(qtbot, train_tab):
    train_tab.options_box.optimizer.setCurrentIndex(train_tab.options_box.optimizer.findData("sgd"))
    train_tab.options_box.learning_rate.setValue(10.0)
    train_tab.options_box.lam.setValue(10.0)  # each step multiplies the weights by 1 − 2ηλ = −199
    train_tab.options_box.epochs.setValue(50)
    train(qtbot, train_tab)
    assert "lower the learning rate" in train_tab.status_label.text()
    assert train_tab.train_button.isEnabled()
    assert train_tab.progress.value() < train_tab.progress.maximum()
