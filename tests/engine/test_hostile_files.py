"""Files a user names that are not what they seem (issue 12 #1, #8, #13, #18).

A FIFO makes ``open()`` block forever, so every FIFO case runs in a child process with a time
limit: a regression hangs (and is killed with) the child, never the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from engine.images.frame_sources import CaptureSource, FrameSourceError
from engine.images.io import ImageLoadError, load_image
from engine.layers.network_io import network_from_json, network_to_json, read_network_file
from engine.loss.regression_data import CsvFormatError, load_xy_csv
from engine.storage import (
    SESSION_KIND,
    UserFileError,
    load_document,
    parse_document,
    read_user_bytes,
    require_regular_file,
)

ROOT = Path(__file__).resolve().parents[2]

# Each loader, called on the path in sys.argv[1], prints the first line of its error message.
LOADERS = {
    "load_image": "from engine.images.io import load_image as f",
    "load_xy_csv": "from engine.loss.regression_data import load_xy_csv as f",
    "read_network_file": "from engine.layers.network_io import read_network_file as f",
    "video": (
        "from engine.images.frame_sources import CaptureSource\n"
        "def f(p):\n    CaptureSource.video(p).open()\n"
    ),
    "load_document": (
        "from engine.storage import load_document\n"
        "def f(p):\n"
        "    r = load_document(p, 'kernelscope-session', 1)\n"
        "    raise ValueError(r.status + ': ' + r.message)\n"
    ),
}


def _run_loader(name: str, path: Path) -> str:
    code = (
        LOADERS[name]
        + "\nimport sys\ntry:\n    f(sys.argv[1])\nexcept Exception as exc:\n"
        + "    print(type(exc).__name__, exc)\nelse:\n    print('loaded')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,  # a blocking open() would sit here forever: TimeoutExpired fails the test
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_fifo_is_refused_at_once_by_every_loader(tmp_path, loader):
    fifo = tmp_path / "trap.json"
    os.mkfifo(fifo)
    out = _run_loader(loader, fifo)
    assert "named pipe" in out and "not a regular file" in out, out
    assert out.split()[0] in {
        "ImageLoadError",
        "CsvFormatError",
        "UserFileError",
        "FrameSourceError",
        "ValueError",
    }


def test_a_fifo_behind_a_symlink_is_refused_too(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "photo.png"
    link.symlink_to(fifo)
    assert "named pipe" in _run_loader("load_image", link)


def test_a_character_device_is_refused_without_reading():
    with pytest.raises(UserFileError, match="character device") as info:
        read_user_bytes("/dev/zero", what="image")  # reading it would never end
    assert info.value.reason == "not a file"


def test_a_folder_is_named_as_such(tmp_path):
    with pytest.raises(ImageLoadError, match="is a folder"):
        load_image(tmp_path)
    with pytest.raises(CsvFormatError, match="is a folder"):
        load_xy_csv(tmp_path)


def test_a_symlink_loop_is_reported_as_a_loop_not_as_missing(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(UserFileError, match="symbolic link loop") as info:
        require_regular_file(a, what="image")
    assert info.value.reason == "link loop"
    with pytest.raises(ImageLoadError, match="symbolic link loop"):
        load_image(a)
    with pytest.raises(CsvFormatError, match="symbolic link loop"):
        load_xy_csv(a)
    with pytest.raises(FrameSourceError, match="symbolic link loop"):
        CaptureSource.video(a).open()
    result = load_document(a, SESSION_KIND, 1, label="session file")
    assert result.status == "corrupt" and "symbolic link loop" in result.message


def test_a_dangling_symlink_says_where_it_points(tmp_path):
    link = tmp_path / "gone.csv"
    link.symlink_to(tmp_path / "deleted.csv")
    with pytest.raises(CsvFormatError, match="symbolic link to .*deleted.csv, which does not"):
        load_xy_csv(link)


def test_a_path_component_over_255_bytes_gets_a_clear_message(tmp_path):
    long_name = tmp_path / ("é" * 200 + ".png")  # 404 bytes in UTF-8
    with pytest.raises(ImageLoadError, match="404 bytes long; file names can be at most 255"):
        load_image(long_name)
    with pytest.raises(ValueError, match="at most 255 bytes"):
        read_network_file(tmp_path / ("n" * 300) / "net.json")
    result = load_document(long_name, SESSION_KIND, 1)
    assert result.status == "corrupt" and "at most 255 bytes" in result.message


def test_network_json_nested_100000_deep_is_a_clear_error(tmp_path):
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ValueError, match="nested too deeply"):
        network_from_json(text)
    path = tmp_path / "deep.json"
    path.write_text('{"layers": ' + text + "}", encoding="utf-8")
    with pytest.raises(ValueError, match="nested too deeply"):
        read_network_file(path)


def test_a_string_version_is_a_wrong_type_not_a_newer_file():
    doc = json.loads(network_to_json([{"type": "relu"}], (1, 28, 28)))
    doc["version"] = "1"
    with pytest.raises(ValueError, match="'version' must be a positive whole number") as info:
        network_from_json(json.dumps(doc))
    assert "newer" not in str(info.value) and "(str)" in str(info.value)
    doc["version"] = 7
    with pytest.raises(ValueError, match="version 7 is newer"):
        network_from_json(json.dumps(doc))


def test_a_byte_order_mark_is_read_in_network_session_and_csv_files(tmp_path):
    bom = b"\xef\xbb\xbf"
    net = tmp_path / "net.json"
    net.write_bytes(bom + network_to_json([{"type": "relu"}], (1, 28, 28)).encode("utf-8"))
    assert read_network_file(net).layers == ({"type": "activation", "function": "relu"},)
    session = tmp_path / "session.json"
    document = {"kind": SESSION_KIND, "version": 1, "data": {"tabs": {}}}
    session.write_bytes(bom + json.dumps(document).encode("utf-8"))
    result = load_document(session, SESSION_KIND, 1)
    assert result.status == "ok" and result.data == {"tabs": {}}
    assert session.exists()  # not moved aside as damaged
    assert parse_document("\ufeff" + json.dumps(document), SESSION_KIND, 1) == {"tabs": {}}
    csv = tmp_path / "xy.csv"
    csv.write_bytes(bom + b"x,y\n1,2\n3,4\n")
    x, y = load_xy_csv(csv)
    assert x.tolist() == [1.0, 3.0] and y.tolist() == [2.0, 4.0]


def _smooth_picture() -> np.ndarray:
    yy, xx = np.mgrid[0:240, 0:320]
    img = np.stack([xx * 255 // 319, yy * 255 // 239, (xx + yy) % 256], axis=2)
    return img.astype(np.uint8)


def test_a_half_jpeg_with_an_end_marker_appended_is_called_damaged(tmp_path):
    ok, buf = cv2.imencode(".jpg", _smooth_picture(), [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    data = buf.tobytes()
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(data)
    assert load_image(whole).shape == (240, 320, 3)
    half = tmp_path / "half.jpg"
    half.write_bytes(data[: len(data) // 2] + b"\xff\xd9")
    # OpenCV alone decodes it "successfully", with a flat grey bottom half.
    decoded = cv2.imdecode(np.frombuffer(half.read_bytes(), np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded is not None and decoded.shape == (240, 320, 3)
    assert np.ptp(decoded[-16:]) == 0
    with pytest.raises(ImageLoadError, match="looks damaged") as info:
        load_image(half)
    assert info.value.reason == "corrupt"


def test_harmless_decoder_chatter_does_not_refuse_a_jpeg(tmp_path):
    ok, buf = cv2.imencode(".jpg", _smooth_picture())
    data = buf.tobytes()
    # Junk bytes before the end marker: libjpeg warns "extraneous bytes", the picture is whole.
    path = tmp_path / "junk.jpg"
    path.write_bytes(data[:-2] + b"\x00\x00\x00" + data[-2:])
    assert load_image(path).shape == (240, 320, 3)


def test_jpegs_load_in_a_process_without_a_stderr(tmp_path):
    """A Windows GUI process has no fd 2 to listen on: the decode must still work."""
    ok, buf = cv2.imencode(".jpg", _smooth_picture())
    path = tmp_path / "ok.jpg"
    path.write_bytes(buf.tobytes())
    code = (
        "import os, sys\nos.close(2)\nfrom engine.images.io import load_image\n"
        "print(load_image(sys.argv[1]).shape)\n"
    )
    args = [sys.executable, "-c", code, str(path)]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "(240, 320, 3)", result.stdout
