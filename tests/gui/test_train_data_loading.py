"""Train tab data loading off the GUI thread (issue 21 #4): progress, Cancel, replacement,
failures that keep the data in use — a real folder of 3,000 PNGs and real IDX files."""

from __future__ import annotations

import gzip
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from gui.context import AppContext
from gui.pg_config import configure_pyqtgraph
from gui.train_tab import TrainTab

IMAGES_PER_CLASS = 1_000
CLASSES = ("circle", "cross", "line")
WAIT = 60_000


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """3,000 tiny noise PNGs in three class folders (written once for the module)."""
    root = tmp_path_factory.mktemp("png3000")
    rng = np.random.default_rng(0)
    for name in CLASSES:
        (root / name).mkdir()
        for i in range(IMAGES_PER_CLASS):
            ok, buf = cv2.imencode(".png", (rng.random((16, 16)) * 255).astype(np.uint8))
            assert ok
            (root / name / f"{i:04d}.png").write_bytes(buf.tobytes())
    return root


@pytest.fixture
def tab(qtbot):
    configure_pyqtgraph()
    page = TrainTab(None, context=AppContext())
    qtbot.addWidget(page)
    page.resize(1100, 750)
    page.show()
    yield page
    page.shutdown()


def _digits_kept(tab: TrainTab) -> None:
    assert tab.source == {"kind": "digits"}
    assert tab.dataset.image_shape == (8, 8)
    assert "UCI digits" in tab.data_box.source_label.text()


def _write_idx(path: Path, header_dims: tuple[int, ...], data: bytes, *, gz: bool) -> None:
    header = bytes([0, 0, 0x08, len(header_dims)])
    header += b"".join(int(n).to_bytes(4, "big") for n in header_dims)
    raw = header + data
    path.write_bytes(gzip.compress(raw, compresslevel=6) if gz else raw)


def test_a_folder_loads_in_the_background_with_a_moving_progress_bar(qtbot, tab, big_folder):
    box = tab.data_box
    values: list[int] = []
    usable: list[bool] = []

    def seen(value: int) -> None:
        values.append(value)
        # The rest of the tab is usable meanwhile: its controls are enabled, not frozen.
        usable.append(tab.train_button.isEnabled() and box.samples.isEnabled())

    box.load_progress.valueChanged.connect(seen)
    tab.start_loading({"kind": "folder", "path": str(big_folder)})
    assert tab.loading and box.load_row.isVisible()
    _digits_kept(tab)  # nothing replaced until the data is there
    qtbot.waitUntil(lambda: not tab.loading, timeout=WAIT)
    assert any(0 < v < box.load_progress.maximum() for v in values), values
    assert values == sorted(values)  # it only moves forwards
    assert usable and all(usable)
    assert not box.load_row.isVisible()
    assert not box.error_label.isVisible()
    assert tab.dataset.class_names == CLASSES
    assert tab.dataset.image_shape == (28, 28)
    assert "3,000 images" in box.source_label.text()
    assert len(tab.train_y) + len(tab.val_y) == 3_000


def test_cancel_keeps_the_data_in_use_and_says_so(qtbot, tab, big_folder):
    box = tab.data_box
    before = (tab.train_y.copy(), box.source_label.text())
    pressed = []

    def press_cancel_once_moving(value: int) -> None:
        # Runs in the GUI thread as the bar moves: the load is surely still under way.
        if value > 0 and not pressed:
            pressed.append(value)
            qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
            assert box.cancel_button.text() == "Cancelling…"

    box.load_progress.valueChanged.connect(press_cancel_once_moving)
    with qtbot.waitSignal(tab.loader.cancelled, timeout=WAIT):
        tab.start_loading({"kind": "folder", "path": str(big_folder)})
    assert pressed
    assert not tab.loading and not box.load_row.isVisible()
    _digits_kept(tab)
    np.testing.assert_array_equal(tab.train_y, before[0])
    assert box.source_label.text() == before[1]
    assert box.load_note.isVisible()
    assert "cancelled" in box.load_note.text().lower()
    assert "UCI digits" in box.load_note.text()
    assert not box.error_label.isVisible()


def test_a_load_started_while_one_runs_replaces_it(qtbot, tab, big_folder, tmp_path):
    small = tmp_path / "small"
    for name in ("a", "b"):
        (small / name).mkdir(parents=True)
        for i in range(6):
            cv2.imwrite(str(small / name / f"{i}.png"), np.full((10, 10), 40 * i, np.uint8))
    outcomes = []
    tab.loader.finished.connect(lambda data: outcomes.append(data.source))
    tab.loader.cancelled.connect(lambda: outcomes.append("cancelled"))
    tab.loader.failed.connect(outcomes.append)
    tab.start_loading({"kind": "folder", "path": str(big_folder)})
    tab.start_loading({"kind": "folder", "path": str(small), "size": [10, 10]})
    qtbot.waitUntil(lambda: not tab.loading and tab.loader.thread_count == 0, timeout=WAIT)
    assert outcomes == ["image folder small (12 images)"]  # the replaced load said nothing
    assert tab.source == {"kind": "folder", "path": str(small), "size": [10, 10]}
    assert tab.dataset.class_names == ("a", "b")
    assert not tab.data_box.load_note.isVisible()


def test_a_gzip_bomb_idx_is_refused_naming_the_file_and_the_data_stays(qtbot, tab, tmp_path):
    images = tmp_path / "bomb-images-idx3-ubyte.gz"
    labels = tmp_path / "bomb-labels-idx1-ubyte"
    # The header declares 20 images of 28×28; 32 MB of zeros follow (33 kB compressed).
    _write_idx(images, (20, 28, 28), bytes(32 * 1024 * 1024), gz=True)
    _write_idx(labels, (20,), bytes(range(10)) * 2, gz=False)
    assert images.stat().st_size < 100_000
    with qtbot.waitSignal(tab.loader.failed, timeout=WAIT):
        tab.start_loading({"kind": "idx", "images": str(images), "labels": str(labels)})
    text = tab.data_box.error_label.text()
    assert tab.data_box.error_label.isVisible()
    assert "bomb-images-idx3-ubyte.gz" in text
    assert "more data than its header declares" in text
    assert "Still using UCI digits" in text
    _digits_kept(tab)


def test_an_idx_header_declaring_too_much_is_refused_before_reading(qtbot, tab, tmp_path):
    images = tmp_path / "huge-images-idx3-ubyte"
    labels = tmp_path / "huge-labels-idx1-ubyte"
    _write_idx(images, (4_294_967_295, 28, 28), bytes(100), gz=False)
    _write_idx(labels, (4_294_967_295,), bytes(100), gz=False)
    with qtbot.waitSignal(tab.loader.failed, timeout=WAIT):
        tab.start_loading({"kind": "idx", "images": str(images), "labels": str(labels)})
    text = tab.data_box.error_label.text()
    assert "huge-images-idx3-ubyte" in text and "refused before reading" in text
    _digits_kept(tab)


def test_idx_files_load_in_the_background_and_the_count_label_updates(qtbot, tab, tmp_path):
    rng = np.random.default_rng(1)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    _write_idx(
        images, (500, 12, 12), (rng.random(500 * 144) * 255).astype(np.uint8).tobytes(), gz=True
    )
    _write_idx(labels, (500,), (np.arange(500) % 10).astype(np.uint8).tobytes(), gz=True)
    with qtbot.waitSignal(tab.loader.finished, timeout=WAIT):
        tab.start_loading({"kind": "idx", "images": str(images), "labels": str(labels)})
    label = tab.data_box.source_label.text()
    assert "12×12" in label and "all 500 images" in label
    assert tab.models["cnn"].input_shape == (1, 12, 12)


def test_a_session_with_a_folder_source_reads_it_in_the_background(qtbot, tab, big_folder):
    state = tab.save_state()
    state["source"] = {"kind": "folder", "path": str(big_folder)}
    tab.restore_state(state)
    assert tab.loading  # the restore returned at once; the folder is still being read
    qtbot.waitUntil(lambda: not tab.loading, timeout=WAIT)
    assert tab.source == state["source"]
    assert tab.dataset.class_names == CLASSES
    assert tab.models["cnn"].input_shape == (1, 28, 28)


def test_a_session_whose_folder_is_gone_keeps_the_data_and_names_it(qtbot, tab, tmp_path):
    state = tab.save_state()
    state["source"] = {"kind": "folder", "path": str(tmp_path / "gone")}
    with qtbot.waitSignal(tab.loader.failed, timeout=WAIT):
        tab.restore_state(state)
    assert "gone is not a folder" in tab.data_box.error_label.text()
    _digits_kept(tab)
    assert tab.models["cnn"] is not None


def test_shutdown_while_loading_leaves_no_thread(qtbot, tab, big_folder):
    tab.start_loading({"kind": "folder", "path": str(big_folder)})
    tab.shutdown()
    assert not tab.loading and tab.loader.thread_count == 0
    _digits_kept(tab)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares ``width`` × ``height`` and holds no pixels (a decompression bomb
    would decode to that size; it must be refused from the header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_an_image_declaring_8000_by_8000_pixels_is_refused_from_its_header(qtbot, tab, tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(5):
            cv2.imwrite(str(tmp_path / name / f"{i}.png"), np.full((8, 8), 30 * i, np.uint8))
    (tmp_path / "b" / "huge.png").write_bytes(_png_header_only(8000, 8000))
    with qtbot.waitSignal(tab.loader.failed, timeout=WAIT):
        tab.start_loading({"kind": "folder", "path": str(tmp_path)})
    text = tab.data_box.error_label.text()
    assert "b/huge.png" in text and "64,000,000 pixels" in text and "before decoding" in text
    _digits_kept(tab)


def test_the_uci_digits_button_replaces_a_folder_being_read(qtbot, tab, big_folder):
    tab.load_source({"kind": "folder", "path": str(big_folder), "size": [8, 8]})
    assert tab.source["kind"] == "folder"
    tab.start_loading({"kind": "folder", "path": str(big_folder)})
    button = tab.data_box.findChild(QPushButton, "open_digits")
    with qtbot.waitSignal(tab.loader.finished, timeout=WAIT) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "UCI digits" in blocker.args[0].source
    qtbot.waitUntil(lambda: tab.loader.thread_count == 0, timeout=WAIT)
    _digits_kept(tab)
    assert not tab.data_box.load_row.isVisible()


def test_a_save_while_a_restored_sessions_data_loads_keeps_that_session(qtbot, tab, big_folder):
    state = tab.save_state()
    state["source"] = {"kind": "folder", "path": str(big_folder)}
    state["trained"] = {"cnn": {"omitted": 600_000}}  # what an autosave must not drop
    tab.restore_state(state)
    assert tab.loading
    during = tab.save_state()  # e.g. the autosave right after start-up, or quitting now
    assert during["source"] == state["source"]
    assert during["trained"] == state["trained"]
    qtbot.waitUntil(lambda: not tab.loading, timeout=WAIT)
    after = tab.save_state()
    assert after["source"] == state["source"] and after["trained"] == {}
    assert "Not restored" in tab.status_label.text()  # the weights were tried, and said why
