"""Filter gallery tab: a real MJPG video written by cv2.VideoWriter plays the "camera"."""

from __future__ import annotations

import json
import re
import threading

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QThread, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QComboBox

from engine.conv.filters import FILTER_LIBRARY
from engine.images.frame_sources import FrameSource, FrameSourceError
from engine.images.gallery import DERIVED_KEYS
from engine.images.io import load_image
from gui.context import AppContext
from gui.gallery_tab import GalleryTab
from gui.recent_files import RecentFiles
from gui.settings_store import AppSettings
from tests.media import write_video


@pytest.fixture
def settings(tmp_path):
    """The app's settings file (JSON) in this test's folder; saved after every change."""
    return AppSettings(tmp_path / "settings.json")


@pytest.fixture
def page(qtbot, settings):
    """The gallery tab on its own, visible and active; shut down after the test."""
    context = AppContext(recent_files=RecentFiles(settings, save=settings.save))
    tab = GalleryTab(context=context)
    qtbot.addWidget(tab)
    tab.resize(1400, 860)
    tab.show()
    tab.activate()
    yield tab
    tab.shutdown()


@pytest.fixture
def clip(tmp_path):
    return write_video(tmp_path / "camera.avi", n_frames=12, fps=30)


@pytest.fixture
def long_clip(tmp_path):
    return write_video(tmp_path / "long.avi", n_frames=300, fps=30)


def _png(path, image):
    ok, buf = cv2.imencode(".png", image)
    assert ok
    path.write_bytes(buf.tobytes())
    return path


def test_starts_on_a_sample_with_every_tile_filled(page):
    assert page.frame is not None and page.frame.shape == (512, 512, 3)
    assert page.context.current_image is page.frame
    assert "Astronaut" in page.status_strip.source_label.text()
    assert page.status_strip.resolution_label.text().startswith("512×512")
    assert len(page.grid.tiles) == len(FILTER_LIBRARY) + len(DERIVED_KEYS)
    assert all(tile.updates >= 1 for tile in page.grid.tiles.values())
    assert page.findChild(type(page.grid.tiles["canny"]), "tile_canny") is not None
    assert "max |numpy − OpenCV|" in page.options_panel.comparison_label.text()
    assert page.large_view.image_item.image is not None


def test_video_frames_arrive_and_thumbnails_update(page, qtbot, clip):
    tile = page.grid.tiles["box3"]  # first row: always scrolled into view
    before = tile.updates
    assert page.open_video(clip)
    qtbot.waitUntil(lambda: page.frame is not None and page.frame.shape == (120, 160, 3))
    qtbot.waitUntil(lambda: tile.updates >= before + 2, timeout=5000)
    assert page.large_view.image_item.image.shape[:2] == (120, 160)
    assert page.frame[12, 12, 0] > 200  # the red patch is red: BGR → RGB happened once


def test_video_end_is_reported_and_last_frame_kept(page, qtbot, clip):
    with qtbot.waitSignal(page.frame_displayed, timeout=5000):
        page.open_video(clip)
    capture = page.capture
    with qtbot.waitSignal(capture.source_ended, timeout=8000):
        pass  # sent once the worker thread itself has ended, at the end of the video
    qtbot.waitUntil(lambda: page.capture is None, timeout=8000)
    message = page.status_strip.message_label.text()
    assert "camera.avi ended after 12 frames" in message
    assert "last frame is kept" in message
    assert page.frame.shape == (120, 160, 3)
    assert page.context.current_image is page.frame
    assert not page.source_bar.stop_button.isEnabled()
    assert page.status_strip.fps_label.text() == "— fps"


def test_freeze_holds_the_frame_and_pauses_capture(page, qtbot, long_clip):
    page.open_video(long_clip)
    with qtbot.waitSignal(page.frame_displayed, timeout=5000):
        pass
    qtbot.mouseClick(page.header.freeze_button, Qt.MouseButton.LeftButton)
    assert page.frozen and page.capture.paused
    frozen = page.frame
    assert page.context.current_image is frozen
    assert "(frozen)" in page.status_strip.source_label.text()
    # Freezing redraws every tile once (live updates only touch visible ones), then stops.
    qtbot.waitUntil(lambda: not page._refresh_timer.isActive())
    with qtbot.assertNotEmitted(page.frame_displayed, wait=300):
        pass
    assert page.frame is frozen
    qtbot.mouseClick(page.header.freeze_button, Qt.MouseButton.LeftButton)
    assert not page.frozen and not page.capture.paused
    with qtbot.waitSignal(page.frame_displayed, timeout=5000):
        pass
    assert page.frame is not frozen


def test_switching_tabs_pauses_capture_and_closing_stops_the_thread(main_window, qtbot, long_clip):
    main_window.show_tab("gallery")
    page = main_window.page("gallery")
    page.open_video(long_clip)
    with qtbot.waitSignal(page.frame_displayed, timeout=5000):
        pass
    thread = page.capture
    (qthread,) = thread.findChildren(QThread)  # the capture's worker thread
    main_window.show_tab("matrix")
    assert thread.paused and not page._pull_timer.isActive()
    main_window.show_tab("gallery")
    assert not thread.paused and page._pull_timer.isActive()
    main_window.close()
    assert not qthread.isRunning()
    assert page.capture is None and not page._pull_timer.isActive()


def test_missing_camera_gives_a_clear_message_and_keeps_the_frame(page, qtbot):
    frame = page.frame
    assert page.start_camera(0)
    qtbot.waitUntil(lambda: page.capture is None, timeout=5000)
    assert "KERNELSCOPE_NO_CAMERA" in page.status_strip.message_label.text()
    assert "last frame is kept" in page.status_strip.message_label.text()
    assert page.frame is frame
    assert not page.start_camera(-1)
    assert "between 0" in page.status_strip.message_label.text()
    combo = page.findChild(QComboBox, "cameraCombo")
    assert combo.currentText() == "cameras disabled"
    assert not page.source_bar.start_camera_button.isEnabled()


@pytest.mark.parametrize(
    "content,reason",
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\nxx", "truncated"), (b"hello", "not an image")],
)
def test_bad_image_files_show_a_message_and_keep_the_last_image(page, tmp_path, content, reason):
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    frame = page.frame
    assert not page.open_image(path)
    text = page.status_strip.message_label.text()
    assert "broken.png" in text and reason in text
    assert page.frame is frame


def test_open_16_bit_image_with_non_ascii_name_and_remember_it(page, tmp_path, settings):
    img = (np.arange(40 * 30, dtype=np.uint16).reshape(30, 40) * 50).astype(np.uint16)
    path = _png(tmp_path / "tiefe_ß_图.png", img)
    assert page.open_image(path)
    assert page.frame.dtype == np.uint16
    assert page.status_strip.resolution_label.text() == "40×30 gray uint16"
    np.testing.assert_array_equal(page.context.current_image, img)
    assert page.save_state()["source"] == {"kind": "file", "path": str(path)}
    # In the app's JSON settings file: a fresh reader (another process) gets plain types back.
    reread = AppSettings(settings.path)
    assert reread.load().ok
    assert reread.recent()[0] == {"path": str(path.resolve()), "kind": "image"}
    page.source_bar.rebuild_recent_menu()
    assert [a.data() for a in page.source_bar.recent_menu.actions()] == [str(path.resolve())]


def test_dropping_a_file_opens_it(page, tmp_path):
    path = _png(tmp_path / "dropped.png", np.full((10, 20, 3), 90, np.uint8))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert page.acceptDrops()
    page.dropEvent(event)
    assert page.frame.shape == (10, 20, 3)
    assert "dropped.png" in page.status_strip.source_label.text()


def _shown_max_diff(text: str) -> float:
    """The max |numpy − OpenCV| the comparison label shows ("0 (identical)" → 0)."""
    match = re.search(r"max \|numpy − OpenCV\| = (\S+)", text)
    assert match is not None, text
    return float(match.group(1))


def test_click_tile_backend_switch_and_comparison(page, qtbot):
    tile = page.grid.tiles["laplacian4"]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.header.title_label.text() == "Laplacian (4-neighbour)")
    qtbot.waitUntil(
        lambda: "Laplacian (4-neighbour): max" in page.options_panel.comparison_label.text()
    )
    assert tile.property("selected")
    page.options_panel.numpy_radio.setChecked(True)
    qtbot.waitUntil(lambda: page.save_state()["backend"] == "numpy")
    page.refresh()
    text = page.options_panel.comparison_label.text()
    assert "numpy" in text and "ms per frame" in text
    assert _shown_max_diff(text) < 1e-3  # the same sums, added in another order


def test_options_change_the_large_view(page, qtbot):
    page.select("sobel_x")
    page.refresh()
    plain = page.large_view.image_item.image.copy()
    page.options_panel.display_combo.setCurrentIndex(
        page.options_panel.display_combo.findData("diverging")
    )
    qtbot.waitUntil(lambda: page.large_view.image_item.image.ndim == 3)
    assert page.large_view.color_bar.isVisible() and not page.large_view.histogram.isVisible()
    low, high = page.large_view.color_bar.levels()
    assert low == -high and high > 100  # ±max |Sobel x| of the photo
    page.options_panel.border_combo.setCurrentIndex(
        page.options_panel.border_combo.findData("wrap")
    )
    page.options_panel.blur_spin.setValue(2.0)
    qtbot.waitUntil(lambda: page.pipeline.options.blur_sigma == 2.0)
    page.refresh()
    assert page.large_view.image_item.image.shape[:2] == plain.shape[:2]
    assert _shown_max_diff(page.options_panel.comparison_label.text()) < 1e-3
    page.options_panel.canny_low.setValue(400)
    assert page.options_panel.canny_high.value() == 400  # low never exceeds high
    assert page.pipeline.options.canny_low == 400


def test_pixel_readout_shows_input_response_and_display(page):
    page.select("sobel_x")
    page.refresh()
    text = page.large_view.pixel_text(100, 200)
    assert text.startswith("x=100 y=200") and "input (" in text and "response" in text
    assert page.large_view.pixel_text(-1, 5) == ""


def test_kernel_from_matrix_tab_becomes_a_tile(page, qtbot):
    page.context.send_kernel("my edge", np.array([[1.0, 0.0, -1.0]]))
    qtbot.waitUntil(lambda: "custom:my edge" in page.grid.tiles)
    tile = page.grid.tiles["custom:my edge"]
    qtbot.waitUntil(lambda: tile.updates >= 1)
    assert page.selected == "custom:my edge"
    assert page.header.title_label.text() == "Custom: my edge"
    assert tile.title_label.text() == "Custom: my edge"
    page.context.send_kernel("broken", np.array([[np.nan]]))
    assert "custom:broken" not in page.grid.tiles
    assert "NaN" in page.status_strip.message_label.text()


def test_save_input_and_results_as_png(page, tmp_path):
    assert page.files.save_input(tmp_path / "in.png")
    np.testing.assert_array_equal(load_image(tmp_path / "in.png"), page.frame)
    assert page.files.save_result(tmp_path / "canny", "canny")
    edges = load_image(tmp_path / "canny.png")
    assert edges.shape == (512, 512) and set(np.unique(edges)) <= {0, 255}
    assert not page.files.save_result(tmp_path / "missing_dir" / "x.png")
    assert "Could not save" in page.status_strip.message_label.text()


def test_state_round_trips_as_plain_json(page, qtbot, settings):
    page.open_sample("test_chart")
    page.select("gradient_orientation")
    page.options_panel.border_combo.setCurrentIndex(
        page.options_panel.border_combo.findData("zero")
    )
    page.options_panel.numpy_radio.setChecked(True)
    page.context.send_kernel("ridge", np.array([[-1, 2, -1]]))
    page.select("gradient_orientation")
    state = json.loads(json.dumps(page.save_state()))
    assert state["custom_kernels"] == [{"name": "ridge", "weights": [[-1.0, 2.0, -1.0]]}]
    other = GalleryTab(context=AppContext(recent_files=RecentFiles(settings)))
    qtbot.addWidget(other)
    try:
        other.restore_state(state)
        assert other.save_state() == state
        assert other.header.title_label.text() == "Gradient orientation"
        assert other.frame.shape == (480, 640, 3)
        assert "custom:ridge" in other.grid.tiles
        junk_kernels = {"custom_kernels": [{"name": "nan", "weights": [[float("nan")]]}, 4]}
        for junk in (
            {},
            {"options": 5, "selected": 3, "source": {"kind": "file", "path": 7}},
            [],
            junk_kernels,
        ):
            other.restore_state(junk)
        assert other.frame.shape == (480, 640, 3)
    finally:
        other.shutdown()


def test_synthetic_sample_runs_through_the_capture_thread(page, qtbot):
    assert page.open_sample("synthetic")
    qtbot.waitUntil(lambda: page.frames_displayed > 3 and page.frame.shape == (480, 640, 3))
    assert "(live)" in page.status_strip.source_label.text()
    qtbot.waitUntil(lambda: "fps shown" in page.status_strip.fps_label.text())
    page.stop_capture()
    assert page.capture is None and "stopped" in page.status_strip.message_label.text()


def test_tiles_are_keyboard_selectable(page, qtbot):
    tile = page.grid.tiles["scharr_y"]
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Space)
    assert page.selected == "scharr_y"
    qtbot.waitUntil(lambda: page.header.title_label.text() == "Scharr y")


def test_custom_tile_can_be_removed(page, qtbot):
    page.context.send_kernel("tmp", np.ones((3, 3)) / 9)
    qtbot.waitUntil(lambda: page.selected == "custom:tmp")
    page.grid.tiles["custom:tmp"].remove_requested.emit("custom:tmp")
    assert "custom:tmp" not in page.grid.tiles
    assert page.selected == "sobel_x"
    assert "custom:tmp" not in {t.key for t in page.pipeline.tiles()}


def test_live_updates_only_visible_tiles_and_stop_catches_up(page, qtbot, long_clip):
    page.open_video(long_clip)
    visible = set(page.grid.visible_keys())
    assert "identity" in visible and "canny" not in visible  # 1400 px: the top rows only
    hidden = page.grid.tiles["canny"]
    before = hidden.updates
    qtbot.waitUntil(lambda: page.frames_displayed >= 4, timeout=5000)
    assert hidden.updates == before
    page.stop_capture()
    assert hidden.updates == before + 1


def test_a_silent_source_is_reported_as_stalled(page, qtbot):
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
    page.stall_timeout_s = 0.2
    page.start_source(source, {"kind": "camera", "index": 0})
    qtbot.waitUntil(lambda: "has not delivered a frame" in page.status_strip.message_label.text())
    assert page.frame is not None  # the sample stays
    source.release.set()
    qtbot.waitUntil(lambda: page.capture is None, timeout=5000)
    assert "stopped delivering frames" in page.status_strip.message_label.text()


def test_a_replaced_sources_late_failure_does_not_stop_the_new_one(page, qtbot, long_clip):
    class GoneCamera(FrameSource):
        """A real source that fails to open, like a camera unplugged a moment ago."""

        kind = "camera"
        live = True

        def open(self):
            raise FrameSourceError("camera 7 is gone")

        def read(self):
            raise AssertionError("never opened")

        def close(self):
            pass

    page.start_source(GoneCamera("camera 7"), {"kind": "camera", "index": 7})
    (thread,) = page.capture.findChildren(QThread)
    assert thread.wait(5000)  # it has failed; its failure is still queued (no events ran)
    assert page.open_video(long_clip)  # replaces it before that failure arrives
    with qtbot.waitSignal(page.frame_displayed, timeout=5000):
        pass  # the queued failure has been delivered by now, and dropped
    qtbot.waitUntil(lambda: page.frames_displayed >= 3, timeout=5000)
    assert page.capture is not None and page.capture.running
    assert "gone" not in page.status_strip.message_label.text()


def test_capture_keeps_only_the_newest_frame(page, qtbot, long_clip):
    page.open_video(long_clip)
    capture = page.capture
    qtbot.waitUntil(lambda: capture.frames_captured >= 4, timeout=5000)
    # Asking for "anything after frame 0" returns the newest frame, not frame 1: no queue.
    seq, frame = capture.take_latest(0)
    assert seq >= 4 and frame.shape == (120, 160, 3)
    assert capture.take_latest(seq + 10**6) is None


def test_moving_the_mouse_over_the_large_view_shows_pixel_values(page, qtbot):
    page.select("sobel_x")
    page.refresh()
    view = page.large_view.view
    qtbot.waitUntil(lambda: view.sceneBoundingRect().width() > 50)
    scene_pos = view.mapViewToScene(QPointF(100.5, 200.5))
    page.large_view.graphics.scene().sigMouseMoved.emit(scene_pos)
    text = page.large_view.readout.text()
    assert text.startswith("x=100 y=200") and "response" in text
    expected = page.large_view.pixel_text(100, 200)
    assert text == expected


def test_looping_video_keeps_playing_past_its_end(page, qtbot, clip):
    page.source_bar.loop_check.setChecked(True)
    page.open_video(clip)
    source = page.capture.source
    qtbot.waitUntil(lambda: source.loops >= 1, timeout=8000)
    assert page.capture is not None  # still running: no "ended" message
    assert "ended" not in page.status_strip.message_label.text()
    assert page.save_state()["loop_video"] is True
    page.source_bar.loop_check.setChecked(False)
    assert source.loop is False
    qtbot.waitUntil(lambda: page.capture is None, timeout=8000)
    assert "ended after" in page.status_strip.message_label.text()
