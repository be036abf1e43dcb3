"""The shell's Protocols (gui/services.py): the main window really offers what they declare."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject

from gui.context import AppContext
from gui.gallery_tab import GalleryTab
from gui.recent_files import RecentFiles
from gui.services import (
    BackendChoice,
    CameraPicker,
    FileActionsHost,
    SessionServices,
    WindowServices,
    as_widget,
)
from gui.settings_store import AppSettings


def _members(protocol: type) -> set[str]:
    names = set(getattr(protocol, "__annotations__", {}))
    names |= {
        n
        for n, v in vars(protocol).items()
        if (callable(v) or isinstance(v, property)) and not n.startswith("_")
    }
    return names


def test_main_window_offers_every_window_service(light_window):
    window = light_window()
    assert {"menuBar", "pages", "sessions", "show_tab"} <= _members(WindowServices)
    missing = sorted(name for name in _members(WindowServices) if not hasattr(window, name))
    assert not missing, missing
    missing = sorted(
        name for name in _members(SessionServices) if not hasattr(window.sessions, name)
    )
    assert not missing, missing
    assert as_widget(window) is window


def test_a_window_service_that_is_no_widget_is_refused():
    with pytest.raises(TypeError, match="must be a QWidget"):
        as_widget(QObject())  # type: ignore[arg-type]


def test_the_checker_finds_a_missing_member():
    class Half:
        pages: dict = {}

    assert "show_tab" in {n for n in _members(WindowServices) if not hasattr(Half(), n)}


def test_the_gallery_page_offers_every_file_actions_host_member(qtbot, tmp_path):
    settings = AppSettings(tmp_path / "settings.json")
    page = GalleryTab(context=AppContext(recent_files=RecentFiles(settings, save=settings.save)))
    qtbot.addWidget(page)
    try:
        assert {"recent", "pipeline", "open_image", "show_message"} <= _members(FileActionsHost)
        missing = sorted(n for n in _members(FileActionsHost) if not hasattr(page, n))
        missing += [n for n in _members(CameraPicker) if not hasattr(page.source_bar, n)]
        missing += [n for n in _members(BackendChoice) if not hasattr(page.options_panel, n)]
        assert not missing, missing
        assert page.files.page is page
        assert as_widget(page.files.page) is page
    finally:
        page.shutdown()
