"""One recent-files list: File ▸ Recent and the gallery's Recent menu, across a restart."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from gui.main_window import MainWindow
from gui.recent_files import RecentFiles
from gui.settings_store import MAX_RECENT, AppSettings
from gui.tab_registry import TABS
from tests.gui.conftest import NOTE_TABS
from tests.media import write_video

# the real Filter gallery; light note tabs for the others (they are not under test here)
GALLERY_TABS = tuple(
    spec if spec.key == "gallery" else note for spec, note in zip(TABS, NOTE_TABS, strict=True)
)


@pytest.fixture
def gallery_window(qtbot, tmp_path):
    """Factory: a shown MainWindow with the real gallery keeping its data in ``data_dir``;
    calling it again with the same folder is a restart."""
    windows = []

    def make(data_dir):
        window = MainWindow(tabs=GALLERY_TABS, data_dir=data_dir)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def _png(path, value):
    assert cv2.imwrite(str(path), np.full((24, 32), value, np.uint8))
    return path


def _file_menu_paths(window) -> list[str]:
    window.menus.rebuild_recent_menu()
    actions = window.menus.recent_menu.findChildren(QAction)
    named = sorted(
        (a for a in actions if a.objectName().startswith("actionRecent") and a.data()),
        key=lambda a: int(a.objectName().removeprefix("actionRecent")),
    )
    return [a.data() for a in named]


def _gallery_menu_paths(window) -> list[str]:
    bar = window.page("gallery").source_bar
    bar.rebuild_recent_menu()
    return [a.data() for a in bar.recent_menu.actions() if a.data()]


def test_files_opened_in_either_place_are_listed_in_both_and_survive_a_restart(
    gallery_window, tmp_path
):
    data = tmp_path / "data"
    a = _png(tmp_path / "from_gallery.png", 40)
    b = _png(tmp_path / "from_file_menu.png", 200)
    clip = write_video(tmp_path / "clip.avi", n_frames=6)
    window = gallery_window(data)
    gallery = window.page("gallery")
    assert gallery.open_image(a)  # the gallery's own Open / drop / Recent path
    assert window.menus.open_image(b)  # File ▸ Open image…
    assert gallery.open_video(clip)
    gallery.stop_capture()
    expected = [str(p.resolve()) for p in (clip, b, a)]
    assert _file_menu_paths(window) == expected
    assert _gallery_menu_paths(window) == expected
    session = tmp_path / "lesson.kscope.json"
    assert window.menus.save_session_as(session)
    # the file menu lists the session too; the gallery cannot open sessions, so it does not
    assert _file_menu_paths(window) == [str(session.resolve()), *expected]
    assert _gallery_menu_paths(window) == expected
    stored = json.loads((data / "settings.json").read_text())
    assert json.dumps(stored)  # plain JSON
    window.close()

    again = gallery_window(data)  # a restart with the same data dir
    assert _file_menu_paths(again) == [str(session.resolve()), *expected]
    assert _gallery_menu_paths(again) == expected
    # choosing an entry in the gallery's menu moves it to the top of File ▸ Recent
    bar = again.page("gallery").source_bar
    bar.rebuild_recent_menu()
    entry = next(x for x in bar.recent_menu.actions() if x.data() == str(a.resolve()))
    entry.trigger()
    assert again.page("gallery").save_state()["source"] == {"kind": "file", "path": str(a)}
    assert _file_menu_paths(again)[0] == str(a.resolve())


def test_a_gone_file_chosen_in_the_gallery_leaves_both_menus(gallery_window, tmp_path):
    gone = _png(tmp_path / "gone.png", 90)
    window = gallery_window(tmp_path / "data")
    assert window.page("gallery").open_image(gone)
    assert _file_menu_paths(window) == [str(gone.resolve())]
    gone.unlink()
    window.page("gallery")._open_recent(str(gone.resolve()), "image")
    assert _file_menu_paths(window) == []
    assert _gallery_menu_paths(window) == []
    assert AppSettings(tmp_path / "data" / "settings.json").load().data.get("recent") == []


def test_recent_files_list_keeps_kinds_order_and_limit(qtbot, tmp_path):
    settings = AppSettings(tmp_path / "settings.json")
    saves = []
    recent = RecentFiles(settings, save=lambda: saves.append(settings.save()))
    paths = [tmp_path / f"f{i}.png" for i in range(MAX_RECENT + 2)]
    with qtbot.waitSignal(recent.changed, timeout=1000):
        recent.add(paths[0], "image")
    for path in paths[1:]:
        recent.add(path, "image")
    recent.add(tmp_path / "clip.avi", "video")
    recent.add(paths[-1], "image")  # again: moves to the top, listed once
    entries = recent.entries()
    assert len(entries) == MAX_RECENT
    assert entries[0] == {"path": str(paths[-1].resolve()), "kind": "image"}
    assert [e["kind"] for e in recent.entries(("video",))] == ["video"]
    assert len(saves) == MAX_RECENT + 4
    assert AppSettings(settings.path).load().data["recent"] == entries
    with pytest.raises(ValueError, match="kind"):
        recent.add(tmp_path / "x.txt", "text")
    with pytest.raises(ValueError, match="memory only"):
        AppSettings(None).save()


def test_an_ampersand_in_a_file_name_is_shown_as_written_in_both_recent_menus(
    gallery_window, tmp_path
):
    window = gallery_window(tmp_path / "data")
    path = tmp_path / "edges & lines.png"
    cv2.imwrite(str(path), np.full((8, 8, 3), 128, np.uint8))
    assert window.menus.open_image(path)
    window.menus.rebuild_recent_menu()
    [file_entry] = [a for a in window.menus.recent_menu.actions() if a.data() == str(path)]
    # iconText() is the label as shown: Qt drops a lone "&" (a mnemonic) and shows "&&" as "&"
    assert "edges & lines.png" in file_entry.iconText()
    bar = window.page("gallery").source_bar
    bar.rebuild_recent_menu()
    [gallery_entry] = [a for a in bar.recent_menu.actions() if a.data() == str(path)]
    assert gallery_entry.iconText().startswith("edges & lines.png")


def _inspect_file_dialog(found):
    """Record the next file dialog's start folder and pre-filled name, then cancel it."""

    def poll():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, poll)
            return
        name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
        found.append((dialog.directory().absolutePath(), name_edit.text()))
        dialog.reject()

    QTimer.singleShot(0, poll)


def test_open_image_dialogs_start_in_a_folder_that_exists_with_no_name_prefilled(
    gallery_window, tmp_path
):
    assert not (Path.home() / "Pictures").exists()  # a fresh home, as on the student's machine
    window = gallery_window(tmp_path / "data")
    found = []
    _inspect_file_dialog(found)
    window.page("gallery").open_image_dialog()  # the gallery's own Open… button
    _inspect_file_dialog(found)
    window.menus.open_image_dialog()  # File ▸ Open image…
    assert len(found) == 2
    for folder, name in found:
        assert Path(folder).is_dir(), folder
        assert name == "", name
