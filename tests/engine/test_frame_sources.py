"""engine.images.frame_sources and engine.images.chart: every source through one interface."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.images.chart import make_test_chart
from engine.images.frame_sources import (
    CaptureSource,
    EndOfStream,
    FrameSourceError,
    StillImageSource,
    SyntheticSource,
    cameras_disabled,
    probe_cameras,
    validate_camera_index,
)
from tests.media import video_frame, write_video


def _read_all(source, limit=1000):
    frames = []
    with source:
        with pytest.raises(EndOfStream, match="ended after"):
            for _ in range(limit):
                frames.append(source.read())
    return frames


def test_video_file_delivers_every_frame_as_rgb_then_ends(tmp_path):
    path = write_video(tmp_path / "clip.avi", n_frames=12, fps=25)
    source = CaptureSource.video(path)
    assert source.kind == "video" and source.live
    frames = _read_all(source)
    assert len(frames) == 12
    assert source.frame_interval == pytest.approx(1 / 25, rel=0.05)
    for i, frame in enumerate(frames):
        expected = cv2.cvtColor(video_frame(i), cv2.COLOR_BGR2RGB)
        assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
        # MJPG is lossy: compare the mean error, and the red patch lands in channel 0 (R).
        assert np.abs(frame.astype(int) - expected).mean() < 4
        assert frame[12, 12, 0] > 200 and frame[12, 12, 2] < 60
    assert source.size == (160, 120)


def test_video_end_message_counts_frames(tmp_path):
    source = CaptureSource.video(write_video(tmp_path / "c.avi", n_frames=3))
    source.open()
    for _ in range(3):
        source.read()
    with pytest.raises(EndOfStream, match="c.avi ended after 3 frames"):
        source.read()
    source.close()
    source.close()  # twice is fine


def test_missing_video_file(tmp_path):
    with pytest.raises(FrameSourceError, match="does not exist"):
        CaptureSource.video(tmp_path / "gone.avi").open()


def test_file_that_is_not_a_video(tmp_path):
    path = tmp_path / "notes.avi"
    path.write_text("this is not a video")
    source = CaptureSource.video(path)
    with pytest.raises(FrameSourceError, match="notes.avi"):
        source.open()
        source.read()


def test_read_before_open_is_an_error(tmp_path):
    with pytest.raises(FrameSourceError, match="not open"):
        CaptureSource.video(tmp_path / "x.avi").read()


@pytest.mark.parametrize("bad", [-1, -5, 16, 1000, True, 1.0, "0", None])
def test_camera_index_is_validated_never_minus_one(bad):
    with pytest.raises(ValueError, match="camera index"):
        validate_camera_index(bad)
    with pytest.raises(ValueError, match="camera index"):
        CaptureSource.camera(bad)


@pytest.mark.parametrize("bad", [(0, 480), (640,), "640x480", (640.0, 480), (10_000, 10)])
def test_camera_resolution_is_validated(bad):
    with pytest.raises(ValueError, match="resolution"):
        CaptureSource.camera(0, bad)


def test_cameras_disabled_by_environment():
    assert cameras_disabled()  # tests/conftest.py sets KERNELSCOPE_NO_CAMERA=1
    assert probe_cameras() == []
    source = CaptureSource.camera(0, (640, 480))
    assert source.description == "camera 0"
    with pytest.raises(FrameSourceError, match="KERNELSCOPE_NO_CAMERA"):
        source.open()


def test_environment_value_zero_enables_cameras(monkeypatch):
    monkeypatch.setenv("KERNELSCOPE_NO_CAMERA", "0")
    assert not cameras_disabled()
    monkeypatch.delenv("KERNELSCOPE_NO_CAMERA")
    assert not cameras_disabled()


def test_still_image_source_returns_the_image_read_only():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    source = StillImageSource(img, "tiny")
    with source:
        a = source.read()
        source.read()
    np.testing.assert_array_equal(a, img)
    assert not a.flags.writeable and source.frames_read == 2 and not source.live
    with pytest.raises(ValueError, match="image"):
        StillImageSource(np.zeros((0, 3)))


def test_synthetic_source_scrolls_the_chart_and_can_end():
    source = SyntheticSource((96, 128), fps=50, n_frames=4, step=5)
    frames = _read_all(source)
    assert len(frames) == 4 and source.frame_interval == pytest.approx(0.02)
    chart = make_test_chart(96, 128)
    for i, frame in enumerate(frames):
        np.testing.assert_array_equal(frame, np.roll(chart, 5 * i, axis=1))
    source.open()  # reopening restarts
    np.testing.assert_array_equal(source.read(), chart)


@pytest.mark.parametrize("kwargs", [{"fps": 0}, {"fps": 1000}, {"n_frames": 0}, {"n_frames": 2.5}])
def test_synthetic_source_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        SyntheticSource((96, 128), **kwargs)


def test_test_chart_has_edges_at_many_orientations_a_ramp_and_colour():
    chart = make_test_chart()
    assert chart.shape == (480, 640, 3) and chart.dtype == np.uint8
    gray = cv2.cvtColor(chart, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    strong = np.hypot(gx, gy) > 200
    angles = np.degrees(np.arctan2(gy[strong], gx[strong])) % 180
    counts, _ = np.histogram(angles, bins=12, range=(0, 180))
    assert (counts > 50).all(), counts  # every 15° orientation band is well represented
    ramp = chart[410, :, 0].astype(int)
    assert ramp[0] == 0 and ramp[-1] == 255 and (np.diff(ramp) >= 0).all()
    saturation = chart.max(axis=2).astype(int) - chart.min(axis=2)
    assert (saturation > 150).sum() > 1000  # the red/green/blue disks


@pytest.mark.parametrize("size", [(10, 640), (480, 9000), (48.0, 64)])
def test_test_chart_rejects_bad_sizes(size):
    with pytest.raises(ValueError, match="height|width"):
        make_test_chart(*size)


def test_looping_video_restarts_at_the_first_frame(tmp_path):
    path = write_video(tmp_path / "loop.avi", n_frames=5)
    source = CaptureSource.video(path, loop=True)
    with source:
        frames = [source.read() for _ in range(12)]
    assert source.loops == 2 and source.frames_read == 12
    np.testing.assert_array_equal(frames[5], frames[0])  # same decoded first frame
    np.testing.assert_array_equal(frames[11], frames[1])
    assert not CaptureSource.video(path).loop
