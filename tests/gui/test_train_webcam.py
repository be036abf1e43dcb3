"""Train tab, webcam classes: capture from real video files through the webcam's capture code,
thumbnails, delete, save as a folder that the tab opens; a camera that stops, the 10,000 cap
and an unwritable folder lose nothing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication

from engine.train import MAX_CAPTURES, load_image_folder
from gui.train_tab.webcam_classes import THUMBNAILS_SHOWN, WebcamClassesDialog
from tests.gui.webcam_media import write_pattern_video

TIMEOUT = 20_000


@pytest.fixture
def videos(tmp_path):
    return {
        "ring": write_pattern_video(tmp_path / "ring.avi", ["ring"], 30),
        "bar": write_pattern_video(tmp_path / "bar.avi", ["bar"], 30),
        "short": write_pattern_video(tmp_path / "short.avi", ["ring"], 12),
    }


@pytest.fixture
def dialog(qtbot, train_tab):
    qtbot.mouseClick(
        train_tab.data_box.findChild(type(train_tab.train_button), "open_webcam"),
        Qt.MouseButton.LeftButton,
    )
    found = train_tab.webcam_dialog
    assert isinstance(found, WebcamClassesDialog) and found.isVisible()
    yield found
    if train_tab.webcam_dialog is not None:
        found.close()


def capture(qtbot, dialog, video, row: int, at_least: int, *, loop: bool = True) -> None:
    dialog.start_video(str(video), loop=loop)
    qtbot.waitUntil(lambda: dialog.latest is not None, timeout=TIMEOUT)
    dialog.table.selectRow(row)
    before = dialog.capture_set.counts()[row]
    qtbot.mousePress(dialog.hold_button, Qt.MouseButton.LeftButton)
    assert dialog.holding
    qtbot.waitUntil(lambda: dialog.capture_set.counts()[row] >= before + at_least, timeout=TIMEOUT)
    qtbot.mouseRelease(dialog.hold_button, Qt.MouseButton.LeftButton)
    assert not dialog.holding


def test_capture_two_classes_delete_save_and_train_on_them(
    qtbot, train_tab, dialog, videos, tmp_path
):
    assert dialog.capture_set.size == (8, 8)  # the tab's digits are 8×8
    capture(qtbot, dialog, videos["ring"], 0, 8)
    capture(qtbot, dialog, videos["bar"], 1, 8)
    rings, bars = dialog.capture_set.images
    # As the model sees them: a ring has a dark centre, a bar a bright one.
    assert all(img[3:5, 3:5].mean() < 100 for img in rings)
    assert all(img[3:5, 3:5].mean() > 150 for img in bars)
    assert not dialog.size_combo.isEnabled()  # fixed once captured
    assert dialog.table.item(1, 1).text() == str(len(bars))
    # Thumbnails of the chosen class; delete two of them.
    assert dialog.thumbnails.count() == len(bars)
    assert not dialog.view.pixmap().isNull()
    assert "8×8" in dialog.view_caption.text() and "120×120" in dialog.view_caption.text()
    dialog.thumbnails.item(0).setSelected(True)
    dialog.thumbnails.item(2).setSelected(True)
    kept = [bars[1]] + bars[3:]
    dialog.delete_selected()
    assert dialog.thumbnails.count() == len(kept)
    for a, b in zip(dialog.capture_set.images[1], kept, strict=True):
        np.testing.assert_array_equal(a, b)
    dialog.stop_source()
    # Rename, save; the tab opens the folder at 8×8.
    dialog.table.item(0, 0).setText("ring")
    dialog.table.item(1, 0).setText("bar")
    assert dialog.capture_set.names == ("ring", "bar")
    counts = dialog.capture_set.counts()
    target = dialog.save_to(tmp_path / "set")
    assert target == tmp_path / "set"
    data = load_image_folder(target, (8, 8))
    assert data.class_names == ("bar", "ring")  # sorted by the loader
    assert np.bincount(data.labels).tolist() == [counts[1], counts[0]]
    qtbot.waitUntil(lambda: not train_tab.loading, timeout=10_000)  # read off the GUI thread
    assert train_tab.dataset.class_names == ("bar", "ring")
    assert train_tab.input_shape() == (1, 8, 8)
    assert train_tab.source == {"kind": "folder", "path": str(target), "size": [8, 8]}
    assert "Saved" in dialog.message.text()


def test_a_camera_that_stops_mid_capture_keeps_every_image(qtbot, dialog, videos):
    dialog.start_video(str(videos["short"]), loop=False)  # 12 frames, then it is gone
    qtbot.waitUntil(lambda: dialog.latest is not None, timeout=TIMEOUT)
    qtbot.mousePress(dialog.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.capture is None, timeout=TIMEOUT)
    qtbot.mouseRelease(dialog.hold_button, Qt.MouseButton.LeftButton)
    text = dialog.message.text()
    assert "The camera stopped" in text and "Capturing ended" in text
    kept = dialog.capture_set.total
    assert kept >= 1 and f"the {kept:,} image" in text
    assert not dialog.holding and not dialog.hold_button.isEnabled()
    assert dialog.thumbnails.count() == kept
    # Holding again without a camera says what to do and captures nothing.
    dialog.start_holding()
    assert "Start a camera" in dialog.message.text() and dialog.capture_set.total == kept


def test_a_camera_that_cannot_open_says_why(qtbot, dialog, monkeypatch):
    monkeypatch.setenv("KERNELSCOPE_NO_CAMERA", "1")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "camera 0" in dialog.message.text() and dialog.capture is None, timeout=TIMEOUT
    )
    assert "cameras are disabled" in dialog.message.text()


def test_ten_thousand_captures_stop_with_a_message(qtbot, dialog, videos):
    small = np.zeros((8, 8), np.uint8)
    for i in range(MAX_CAPTURES - 3):
        dialog.capture_set.add(i % 2, small)
    dialog.table.selectRow(1)
    dialog._show_thumbnails()
    assert dialog.thumbnails.count() == THUMBNAILS_SHOWN
    assert "newest 120 shown" in dialog.thumbs_caption.text()
    dialog.start_video(str(videos["ring"]))
    qtbot.waitUntil(lambda: dialog.latest is not None, timeout=TIMEOUT)
    qtbot.mousePress(dialog.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.holding, timeout=TIMEOUT)
    qtbot.mouseRelease(dialog.hold_button, Qt.MouseButton.LeftButton)
    assert dialog.capture_set.total == MAX_CAPTURES
    assert "10,000 images, the most one set can have" in dialog.message.text()
    assert dialog.thumbnails.count() == THUMBNAILS_SHOWN
    dialog.start_holding()  # at the cap: refused at once
    assert not dialog.holding and dialog.capture_set.total == MAX_CAPTURES


def test_an_unwritable_folder_is_named_and_the_set_stays(qtbot, dialog, tmp_path):
    small = np.full((8, 8), 99, np.uint8)
    for row in (0, 1, 1):
        dialog.capture_set.add(row, small)
    dialog._fill_table()
    blocker = tmp_path / "a file"
    blocker.write_bytes(b"mine")
    assert dialog.save_to(blocker / "set") is None
    text = dialog.message.text()
    assert text.startswith("Not saved:") and "3 images are still here" in text
    assert dialog.capture_set.counts() == [1, 2] and blocker.read_bytes() == b"mine"
    # A folder that holds the user's files: the set goes into a new sub-folder beside them.
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    saved = dialog.save_to(busy)
    assert saved is not None and saved.parent == busy and saved.name.startswith("webcam classes")
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert len(list(saved.rglob("*.png"))) == 3


def test_class_names_are_checked_and_classes_added_and_removed(qtbot, dialog):
    dialog.table.item(1, 0).setText("CLASS 1")  # same as class 1 ignoring case
    assert dialog.capture_set.names == ("class 1", "class 2")
    assert dialog.table.item(1, 0).text() == "class 2"
    assert "both called" in dialog.message.text()
    for _ in range(12):
        dialog.add_class()
    assert len(dialog.capture_set.names) == 10 == dialog.table.rowCount()
    assert not dialog.add_class_button.isEnabled()
    dialog.capture_set.add(0, np.zeros((8, 8), np.uint8))
    dialog.table.selectRow(0)
    dialog.remove_class()
    assert "holds 1 image: delete them first" in dialog.message.text()
    dialog.table.selectRow(9)
    dialog.remove_class()
    assert dialog.table.rowCount() == 9


def test_closing_stops_the_camera_thread(qtbot, train_tab, dialog, videos):
    dialog.start_video(str(videos["ring"]))
    qtbot.waitUntil(lambda: dialog.latest is not None, timeout=TIMEOUT)
    (thread,) = dialog.capture.findChildren(QThread)  # the capture's worker thread
    assert thread.isRunning() and dialog.capture.running
    dialog.close()
    assert not thread.isRunning()  # stopped and waited for (deleted later)
    qtbot.waitUntil(lambda: train_tab.webcam_dialog is None, timeout=TIMEOUT)
    assert not any(
        w.isVisible() for w in QApplication.topLevelWidgets() if isinstance(w, WebcamClassesDialog)
    )
