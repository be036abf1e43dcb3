"""Train tab: importing an exported model (.npz) back into a slot — the round trip through the
real file dialog, and damaged, foreign, mismatched and non-regular files (nothing is lost)."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from engine.train import build_model, save_model
from gui.train_tab import TrainTab
from gui.train_tab.state import SLOTS
from tests.gui.test_train_tab import EPOCHS


def snapshot(train_tab: TrainTab) -> dict:
    """Everything an import must leave alone when it refuses a file."""
    return {
        slot: (
            {k: v.copy() for k, v in train_tab.models[slot].parameters().items()},
            train_tab.histories[slot].to_dict(),
            [dict(layer) for layer in train_tab.networks[slot]["layers"]],
            train_tab.models[slot].predict_proba(train_tab.val_x),
        )
        for slot in SLOTS
    }


def assert_unchanged(train_tab: TrainTab, before: dict) -> None:
    for slot, (params, history, layers, proba) in before.items():
        now = train_tab.models[slot].parameters()
        assert now.keys() == params.keys()
        for key in params:
            np.testing.assert_array_equal(now[key], params[key])
        assert train_tab.histories[slot].to_dict() == history
        assert train_tab.networks[slot]["layers"] == layers
        np.testing.assert_array_equal(train_tab.models[slot].predict_proba(train_tab.val_x), proba)
        assert train_tab.trained(slot)


def choose_file_in_next_dialog(path: str, seen: list[str]) -> None:
    """Pick ``path`` in the next modal file dialog (the real QFileDialog, as a user would)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog.windowTitle())
        dialog.selectFile(path)
        dialog.accept()

    QTimer.singleShot(0, poll)


def test_export_reset_import_gives_identical_predictions(qtbot, trained_train_tab, tmp_path):
    train_tab = trained_train_tab
    expected = {slot: train_tab.models[slot].predict_proba(train_tab.val_x) for slot in SLOTS}
    histories = {slot: train_tab.histories[slot].to_dict() for slot in SLOTS}
    train_tab.export_to(str(tmp_path / "digits.npz"))
    train_tab.reset()
    assert not any(train_tab.trained(slot) for slot in SLOTS)
    assert not train_tab.export_button.isEnabled()
    for slot in SLOTS:
        seen: list[str] = []
        choose_file_in_next_dialog(str(tmp_path / f"digits_{slot}.npz"), seen)
        qtbot.mouseClick(train_tab.slots[slot].import_button, Qt.MouseButton.LeftButton)
        assert seen and slot.upper() in seen[0]
        assert train_tab.trained(slot)
        np.testing.assert_array_equal(
            train_tab.models[slot].predict_proba(train_tab.val_x), expected[slot]
        )
        assert train_tab.histories[slot].to_dict() == histories[slot]
        assert train_tab.curves.point_count(slot) == EPOCHS
        assert not train_tab.slots[slot].error_label.isVisible()
        assert (
            train_tab.slots[slot].params_label.text()
            == f"{train_tab.models[slot].n_params:,} parameters"
        )
    assert "Imported digits_mlp.npz into the MLP slot" in train_tab.status_label.text()
    assert train_tab.export_button.isEnabled()
    # The drawing bars use the imported weights too.
    train_tab.canvas.set_image(train_tab.val_x[0, 0])
    for slot in SLOTS:
        np.testing.assert_allclose(train_tab.bars[slot].probabilities, expected[slot][0], rtol=1e-6)


def test_a_model_goes_into_the_slot_the_user_chooses(qtbot, trained_train_tab, tmp_path):
    # The CNN exported, imported into the MLP slot: that slot now holds the CNN's network.
    train_tab = trained_train_tab
    cnn_layers = train_tab.networks["cnn"]["layers"]
    expected = train_tab.models["cnn"].predict_proba(train_tab.val_x)
    train_tab.export_to(str(tmp_path / "mine.npz"))
    assert train_tab.import_model("mlp", str(tmp_path / "mine_cnn.npz"))
    assert train_tab.networks["mlp"]["layers"] == cnn_layers
    assert train_tab.slots["mlp"].model.rowCount() == len(cnn_layers)
    np.testing.assert_array_equal(train_tab.models["mlp"].predict_proba(train_tab.val_x), expected)


def test_a_file_without_curves_gets_one_point_measured_now(qtbot, trained_train_tab, tmp_path):
    train_tab = trained_train_tab
    model = train_tab.models["cnn"].copy()
    save_model(tmp_path / "bare.npz", model)  # a script's export: no history
    train_tab.reset()
    assert train_tab.import_model("cnn", str(tmp_path / "bare.npz"))
    [record] = train_tab.histories["cnn"].records
    assert record.epoch == 0
    loss, accuracy = model.data_loss(train_tab.val_x, train_tab.val_y)
    assert record.val_accuracy == pytest.approx(accuracy)
    assert record.val_loss == pytest.approx(loss)
    assert train_tab.trained("cnn")
    assert "no curves in the file" in train_tab.status_label.text()


def damaged_files(tmp_path, good) -> dict[str, tuple[str, str]]:
    """name → (path, words the message must contain)."""
    data = good.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    flipped = tmp_path / "flipped.npz"
    flipped.write_bytes(data[:200] + bytes(b ^ 0xFF for b in data[200:400]) + data[400:])
    text = tmp_path / "notes.npz"
    text.write_text("not a model", encoding="utf-8")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.arange(3))
    wrong_weights = tmp_path / "wrong.npz"
    with zipfile.ZipFile(good) as archive, zipfile.ZipFile(wrong_weights, "w") as out:
        for item in archive.infolist():
            if item.filename != "conv1.weight.npy":
                out.writestr(item, archive.read(item))
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    return {
        "truncated": (str(truncated), "not a KernelScope model archive"),
        "flipped": (str(flipped), "flipped.npz"),
        "text": (str(text), "not a KernelScope model archive"),
        "foreign": (str(foreign), "holds no network"),
        "wrong weights": (str(wrong_weights), "conv1.weight"),
        "fifo": (str(fifo), "named pipe"),
        "folder": (str(tmp_path), "folder"),
        "missing": (str(tmp_path / "gone.npz"), "gone.npz"),
    }


def test_damaged_foreign_and_non_regular_files_change_nothing(qtbot, trained_train_tab, tmp_path):
    train_tab = trained_train_tab
    train_tab.export_to(str(tmp_path / "good.npz"))
    before = snapshot(train_tab)
    for name, (path, words) in damaged_files(tmp_path, tmp_path / "good_cnn.npz").items():
        assert not train_tab.import_model("cnn", path), name
        message = train_tab.slots["cnn"].error_label.text()
        assert message.startswith("Could not import"), (name, message)
        assert words in message, (name, message)
        assert train_tab.slots["cnn"].error_label.isVisible()
        assert train_tab.status_label.text() == message
        assert_unchanged(train_tab, before)
        assert not train_tab.busy


def test_a_model_for_other_data_says_what_does_not_match(qtbot, trained_train_tab, tmp_path):
    train_tab = trained_train_tab
    # 28×28 inputs and 3 classes, against the current 8×8 digits in 10 classes.
    other = build_model(
        {
            "input_shape": [1, 28, 28],
            "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 3}],
        },
        classes=3,
    )
    save_model(tmp_path / "letters.npz", other)
    three_classes = build_model(
        {
            "input_shape": [1, 8, 8],
            "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 3}],
        },
        classes=3,
    )
    save_model(tmp_path / "three.npz", three_classes)
    before = snapshot(train_tab)
    assert not train_tab.import_model("mlp", str(tmp_path / "letters.npz"))
    message = train_tab.slots["mlp"].error_label.text()
    assert "letters.npz does not fit the current data" in message
    assert "1×28×28" in message and "1×8×8" in message
    assert "3 output classes" in message and "have 10" in message
    assert not train_tab.import_model("mlp", str(tmp_path / "three.npz"))
    message = train_tab.slots["mlp"].error_label.text()
    assert "3 output classes" in message and "×28" not in message
    assert_unchanged(train_tab, before)
    # A good file afterwards clears the slot's message.
    train_tab.export_to(str(tmp_path / "good.npz"))
    assert train_tab.import_model("mlp", str(tmp_path / "good_mlp.npz"))
    assert not train_tab.slots["mlp"].error_label.isVisible()


def test_importing_stops_a_running_training(qtbot, trained_train_tab, tmp_path):
    train_tab = trained_train_tab
    train_tab.export_to(str(tmp_path / "digits.npz"))
    expected = train_tab.models["cnn"].predict_proba(train_tab.val_x)
    qtbot.mouseClick(train_tab.train_button, Qt.MouseButton.LeftButton)
    assert train_tab.busy
    assert train_tab.import_model("cnn", str(tmp_path / "digits_cnn.npz"))
    assert not train_tab.busy
    np.testing.assert_array_equal(train_tab.models["cnn"].predict_proba(train_tab.val_x), expected)
