"""Train tab, live classification: real videos written by cv2.VideoWriter through the webcam's
capture code, models trained here on matching data, bars that follow the video's content, the
digit steps, and the messages for no model, a size that does not fit and a camera that stops."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from engine.images import FrameSource, FrameSourceError
from engine.train import CaptureSet, Model, build_model, digit_input
from gui.train_tab.live_classification import (
    LiveClassificationDialog,
    close_dialog,
    open_dialog,
)
from gui.train_tab.live_worker import LiveClassifier, LiveJob
from gui.train_tab.state import SLOTS
from tests.gui.test_no_clipped_controls import clipped_controls
from tests.gui.test_train_tab import make_tab, train
from tests.gui.test_train_webcam import capture
from tests.gui.webcam_media import pattern, write_pattern_video

TIMEOUT = 20_000


def close_dialogs(page) -> None:
    """Close the live and webcam dialogs (their threads stop), also after a failed test."""
    close_dialog(page)
    if page.webcam_dialog is not None:
        page.webcam_dialog.close()


@pytest.fixture
def tab(qtbot):
    page = make_tab(qtbot)
    # qtbot closes and deletes its widgets before fixtures are torn down: close the dialogs
    # (their threads stop) before the tab, their parent, is deleted.
    qtbot.addWidget(page, before_close_func=close_dialogs)
    page.resize(1100, 750)
    page.show()
    yield page
    page.shutdown()


def use_pattern_set(qtbot, tab, folder, size=(8, 8), each=20) -> None:
    """Ring and bar frames captured the webcam dialog's way, saved, opened by the tab."""
    captured = CaptureSet(["ring", "bar"], size)
    for i in range(each):
        captured.add(0, cv2.cvtColor(pattern("ring", i), cv2.COLOR_BGR2RGB))
        captured.add(1, cv2.cvtColor(pattern("bar", i), cv2.COLOR_BGR2RGB))
    captured.save(folder)
    tab.use_webcam_set(str(folder), *size)
    qtbot.waitUntil(lambda: tab.dataset.class_names == ("bar", "ring"), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not getattr(tab, "loading", False), timeout=TIMEOUT)


@pytest.fixture
def patterns_trained(qtbot, tab, tmp_path):
    use_pattern_set(qtbot, tab, tmp_path / "set")
    tab.options_box.epochs.setValue(25)
    train(qtbot, tab)
    assert all(tab.trained(s) for s in SLOTS)
    return tab


@pytest.fixture
def dialog(qtbot, tab):
    found = open_dialog(tab)
    assert isinstance(found, LiveClassificationDialog) and found.isVisible()
    yield found
    if shiboken6.isValid(found):  # qtbot may have closed and deleted it already
        found.close()


def wait_for(qtbot, dialog, name: str) -> None:
    qtbot.waitUntil(lambda: all(v == name for v in dialog.predicted.values()), timeout=TIMEOUT)


def test_the_bars_follow_the_video_when_its_content_changes(qtbot, tab, tmp_path):
    use_pattern_set(qtbot, tab, tmp_path / "set")
    video = write_pattern_video(tmp_path / "ring_then_bar.avi", ["ring", "bar"], 45)
    dialog = open_dialog(tab)  # before training: the dialog follows the tab's models
    assert dialog.mode == "camera"  # not digits: as the webcam dialog captured them
    assert "No model is trained yet" in dialog.model_note.text()
    dialog.start_video(video)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=TIMEOUT)
    assert dialog.predicted == dict.fromkeys(SLOTS)
    tab.options_box.epochs.setValue(25)
    train(qtbot, tab)
    assert "CNN and MLP trained on 2 classes (bar, ring), 8×8 input" in dialog.model_note.text()
    dialog.start_video(video)
    wait_for(qtbot, dialog, "ring")  # first half
    wait_for(qtbot, dialog, "bar")  # second half: the top class changed
    wait_for(qtbot, dialog, "ring")  # looped back
    for slot in SLOTS:
        bars = dialog.bars[slot]
        assert bars.class_names == ("bar", "ring") and bars.probabilities.sum() == pytest.approx(1)
    result = dialog.last_result
    assert result is not None and result.thread != threading.main_thread().ident
    assert [c.text() for c in dialog.steps.captions[:2]] == [
        "1. centre 120×120, gray",
        "2. 8×8 input",
    ]
    assert not dialog.steps.images[1].pixmap().isNull() and dialog.steps.images[2].isHidden()
    assert not dialog.feed.pixmap().isNull()
    qtbot.waitUntil(lambda: "classified" in dialog.fps_label.text(), timeout=TIMEOUT)
    assert "Camera" in dialog.fps_label.text() and "frames/s" in dialog.fps_label.text()
    assert dialog.classifier.running
    dialog.close()
    assert not dialog.classifier.running


def digit_frame(image: np.ndarray) -> np.ndarray:
    """A UCI digit blown up as dark ink on light paper (BGR, 160×200)."""
    big = cv2.resize(image, (120, 120), interpolation=cv2.INTER_NEAREST)
    frame = np.full((160, 200, 3), 225, np.uint8)
    frame[20:140, 40:160] = np.round(225 - 205 * big)[..., None].astype(np.uint8)
    return frame


def test_digits_on_paper_go_through_the_mnist_like_steps(qtbot, tab, tmp_path):
    tab.options_box.epochs.setValue(15)
    train(qtbot, tab)  # the built-in UCI digits
    x, y = tab.val_x[:, 0], tab.val_y
    # Two validation digits of different labels that both models get right through the steps.
    chosen: dict[int, np.ndarray] = {}
    for image, label in zip(x, y, strict=True):
        frame = digit_frame(image)
        prepared = digit_input(frame, (8, 8)).image[None, None]
        probs = [tab.models[s].predict_proba(prepared)[0] for s in SLOTS]
        if all(p[label] > 0.6 for p in probs) and int(label) not in chosen:
            chosen[int(label)] = frame
        if len(chosen) == 2:
            break
    (a, frame_a), (b, frame_b) = chosen.items()
    path = tmp_path / "digits.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (200, 160))
    blank = np.full_like(frame_a, 225)
    for frame in [frame_a] * 45 + [frame_b] * 45 + [blank] * 45:
        writer.write(frame)
    writer.release()
    dialog = open_dialog(tab)
    assert dialog.mode == "digit"  # digit names at 8×8: the UCI steps
    dialog.start_video(path)
    wait_for(qtbot, dialog, str(a))
    wait_for(qtbot, dialog, str(b))
    captions = [c.text() for c in dialog.steps.captions]
    images = [label.pixmap() for label in dialog.steps.images]
    assert captions[0].startswith("1. centre 160×160") and captions[1].startswith("2. ink (Otsu")
    assert captions[2].startswith("3. box") and captions[3:] == [
        "4. 32×32 bitmap",
        "5. 8×8, 0–16 levels",
    ]
    assert all(not image.isNull() for image in images)
    # Blank paper: no digit, no answer, and the dialog says why.
    qtbot.waitUntil(lambda: "No digit found" in dialog.message.text(), timeout=TIMEOUT)
    assert dialog.predicted == dict.fromkeys(SLOTS)
    assert dialog.steps.captions[2].text() == "3. 8×8 input" and dialog.steps.images[3].isHidden()
    wait_for(qtbot, dialog, str(a))  # looped back to the first digit: the message goes
    assert "No digit found" not in dialog.message.text()
    dialog.close()


def test_without_a_trained_model_the_feed_and_steps_run_and_it_says_so(
    qtbot, tab, dialog, tmp_path
):
    video = write_pattern_video(tmp_path / "ring.avi", ["ring"], 20)
    note = dialog.model_note.text()
    assert "No model is trained yet" in note and "Train both" in note
    dialog.start_video(video)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=TIMEOUT)
    assert all(bars.probabilities is None for bars in dialog.bars.values())
    assert dialog.predicted == dict.fromkeys(SLOTS)
    assert not dialog.steps.images[0].pixmap().isNull()
    assert not dialog.feed.pixmap().isNull()


def test_an_input_size_the_digit_steps_cannot_make_is_explained(qtbot, tab, tmp_path):
    use_pattern_set(qtbot, tab, tmp_path / "set16", size=(16, 16), each=6)
    tab.options_box.epochs.setValue(1)
    train(qtbot, tab)
    video = write_pattern_video(tmp_path / "bar.avi", ["bar"], 20)
    dialog = open_dialog(tab)
    dialog.start_video(video)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=TIMEOUT)  # as captured: fits
    dialog.set_mode("digit")
    note = dialog.model_note.text()
    assert "16×16" in note and "8×8 (UCI) or 28×28 (MNIST)" in note and "As captured" in note
    assert all(bars.probabilities is None for bars in dialog.bars.values())
    done, seq = dialog.classifier.done, dialog._seq
    qtbot.waitUntil(lambda: dialog._seq > seq + 3, timeout=TIMEOUT)  # frames keep coming…
    assert dialog.classifier.done <= done + 1  # …but none is classified (one may be under way)
    dialog.set_mode("camera")
    qtbot.waitUntil(lambda: dialog.classifier.done > done + 1, timeout=TIMEOUT)
    assert "trained on 2 classes" in dialog.model_note.text()
    dialog.close()


def test_a_camera_that_stops_keeps_the_last_answer(qtbot, patterns_trained, tmp_path):
    tab = patterns_trained
    short = write_pattern_video(tmp_path / "short.avi", ["bar"], 12)
    dialog = open_dialog(tab)
    dialog.start_video(short, loop=False)
    qtbot.waitUntil(lambda: dialog.capture is None, timeout=TIMEOUT)
    text = dialog.message.text()
    assert "The camera stopped" in text and "last frame classified" in text
    qtbot.waitUntil(lambda: not dialog.classifier.busy, timeout=TIMEOUT)
    assert dialog.predicted == dict.fromkeys(SLOTS, "bar")
    assert not dialog.stop_button.isEnabled()
    # Reset in the tab, no source running: the answers go, and the dialog says why.
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.predicted == dict.fromkeys(SLOTS), timeout=TIMEOUT)
    assert "No model is trained yet" in dialog.model_note.text()
    dialog.close()


def test_a_silent_camera_is_reported_then_its_failure(qtbot, dialog):
    class SilentCamera(FrameSource):
        """A real source whose read() blocks, like an unplugged webcam."""

        kind = "camera"
        live = True

        def __init__(self):
            super().__init__("silent camera")
            self.release = threading.Event()

        def open(self):
            pass

        def read(self):
            self.release.wait(5)
            raise FrameSourceError("silent camera stopped delivering frames")

        def close(self):
            self.release.set()

    source = SilentCamera()
    dialog.stall_seconds = 0.2
    dialog.start_source(source)
    qtbot.waitUntil(lambda: "has not delivered a frame" in dialog.message.text(), timeout=TIMEOUT)
    source.release.set()
    qtbot.waitUntil(lambda: dialog.capture is None, timeout=TIMEOUT)
    assert "stopped delivering frames" in dialog.message.text()


def test_a_camera_that_cannot_open_says_why(qtbot, dialog, monkeypatch):
    monkeypatch.setenv("KERNELSCOPE_NO_CAMERA", "1")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "camera 0" in dialog.message.text() and dialog.capture is None, timeout=TIMEOUT
    )
    assert "cameras are disabled" in dialog.message.text()


def test_the_worker_keeps_only_the_newest_frame(qtbot):
    worker = LiveClassifier()
    frames = [np.full((20, 20), v, np.uint8) for v in (10, 120, 250)]
    for seq, frame in enumerate(frames, start=1):
        worker.submit(LiveJob(seq, frame, (8, 8), "camera"))  # not started: all wait
    assert worker.dropped == 2 and worker.busy
    with qtbot.waitSignal(worker.result_ready, timeout=TIMEOUT) as blocker:
        worker.start()
    result = blocker.args[0]
    assert result.seq == 3 and result.prepared.image.min() == pytest.approx(250 / 255)
    assert result.probabilities == {} and result.thread != threading.main_thread().ident
    qtbot.waitUntil(lambda: not worker.busy, timeout=TIMEOUT)
    assert worker.done == 1
    worker.stop()
    assert not worker.running


def test_a_frame_the_worker_cannot_use_is_a_message(qtbot):
    worker = LiveClassifier()
    worker.start()
    with qtbot.waitSignal(worker.result_ready, timeout=TIMEOUT) as blocker:
        worker.submit(LiveJob(1, np.zeros((0, 4), np.uint8), (8, 8), "camera"))
    result = blocker.args[0]
    assert result.prepared is None and "frame must be a non-empty" in result.error
    worker.stop()


def test_a_cancel_through_the_runner_reaches_the_loop_waiting_for_a_frame(qtbot):
    worker = LiveClassifier()
    worker.start()
    assert worker.running and not worker.busy
    qtbot.waitUntil(lambda: worker.waiting, timeout=TIMEOUT)
    frame = np.full((20, 20), 120, np.uint8)
    try:
        # The loop sleeps on its mailbox, where only its on_cancel wake-up reaches it.
        with qtbot.waitSignal(worker.runner.cancelled, timeout=TIMEOUT):
            worker.runner.request_cancel()
        assert not worker.running
    finally:
        worker.submit(LiveJob(1, frame, (8, 8), "camera"))  # a loop the cancel missed wakes
    assert worker.busy  # no loop runs: the frame waits for the next one
    with qtbot.waitSignal(worker.result_ready, timeout=TIMEOUT) as blocker:
        worker.start()
    assert blocker.args[0].seq == 1
    qtbot.waitUntil(lambda: worker.waiting, timeout=TIMEOUT)
    worker.runner.shutdown()  # as on aboutToQuit: the idle loop ends, nothing follows
    assert not worker.running
    worker.stop()  # and again: safe


class GatedModel(Model):
    """The digits MLP whose predictions wait at a gate: holds a loop inside a frame."""

    def __init__(self) -> None:
        base = build_model("mlp", (1, 8, 8))
        super().__init__(base.layers, base.input_shape, base.classes, base.seed)
        self.entered = threading.Event()
        self.gate = threading.Event()

    def predict_proba(self, x: object) -> np.ndarray:
        """Say the loop is here, wait for the gate, then predict."""
        self.entered.set()
        self.gate.wait(TIMEOUT / 1000)
        return super().predict_proba(x)


def test_the_result_of_a_replaced_loop_is_dropped(qtbot):
    model = GatedModel()
    worker = LiveClassifier()
    worker.set_models({"mlp": model})
    seen = []
    worker.result_ready.connect(seen.append)
    frame = np.full((20, 20), 120, np.uint8)
    try:
        worker.start()
        worker.submit(LiveJob(1, frame, (8, 8), "camera"))
        assert model.entered.wait(TIMEOUT / 1000)  # the first loop is inside the model
        worker.start()  # replaces it while it classifies frame 1
        worker.submit(LiveJob(2, frame, (8, 8), "camera"))  # for the new loop
        model.gate.set()
        qtbot.waitUntil(
            lambda: worker.done == 2 and worker.runner.thread_count == 1, timeout=TIMEOUT
        )
        # The old loop has ended, so its result (published before it ended) was handled.
        qtbot.waitUntil(lambda: seen != [], timeout=TIMEOUT)
        assert [r.seq for r in seen] == [2] and seen[0].probabilities["mlp"].shape == (10,)
    finally:
        model.gate.set()
        worker.stop()
    assert not worker.running


def test_the_data_box_opens_it_and_shutdown_closes_it(qtbot, tab):
    button = tab.data_box.findChild(QPushButton, "open_live")
    assert button is not None and "Live classification" in button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, LiveClassificationDialog)]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # one at a time
    assert open_dialog(tab) is dialogs[0]
    classifier = dialogs[0].classifier
    tab.shutdown()
    assert not dialogs[0].isVisible() and not classifier.running


def test_no_control_is_clipped_at_the_default_or_the_smallest_size(qtbot, dialog):
    smallest = dialog.minimumSizeHint()
    for width, height in ((1040, 680), (smallest.width(), smallest.height())):
        dialog.resize(width, height)
        qtbot.waitUntil(lambda w=width, h=height: (dialog.width(), dialog.height()) == (w, h))
        assert clipped_controls(dialog) == []


def test_teach_with_the_webcam_train_then_watch_it_live(qtbot, tab, tmp_path):
    """Issue 22 end to end: capture two classes from video files in the webcam dialog, save,
    train, open Live classification from the Data box, and see both bars change with the
    video's content."""
    ring = write_pattern_video(tmp_path / "ring.avi", ["ring"], 30)
    bar = write_pattern_video(tmp_path / "bar.avi", ["bar"], 30)
    qtbot.mouseClick(tab.data_box.findChild(QPushButton, "open_webcam"), Qt.MouseButton.LeftButton)
    webcam = tab.webcam_dialog
    capture(qtbot, webcam, ring, 0, 15)
    capture(qtbot, webcam, bar, 1, 15)
    webcam.stop_source()
    webcam.table.item(0, 0).setText("ring")
    webcam.table.item(1, 0).setText("bar")
    webcam.save_to(tmp_path / "taught")
    qtbot.waitUntil(lambda: tab.dataset.class_names == ("bar", "ring"), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not tab.loading, timeout=TIMEOUT)
    webcam.close()
    tab.options_box.epochs.setValue(25)
    train(qtbot, tab)
    qtbot.mouseClick(tab.data_box.findChild(QPushButton, "open_live"), Qt.MouseButton.LeftButton)
    live = tab.findChild(LiveClassificationDialog)
    assert live is not None and live.isVisible()
    live.start_video(write_pattern_video(tmp_path / "both.avi", ["bar", "ring"], 45))
    wait_for(qtbot, live, "bar")
    wait_for(qtbot, live, "ring")
    live.close()
