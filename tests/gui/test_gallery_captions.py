"""Gallery captions: tiles show whole lines of the description, the large view all of it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

from gui.gallery_tab.thumbnails import CAPTION_LINES, wrapped_caption


def test_tile_captions_show_whole_words_and_the_large_view_the_full_description(main_window, qtbot):
    main_window.show_tab("gallery")
    page = main_window.page("gallery")
    qtbot.waitUntil(page.isVisible)
    specs = {spec.key: spec for spec in page.pipeline.tiles()}
    # a description that fits three lines is shown whole (it was cut after one line)
    identity = page.grid.tiles["identity"].description_label
    assert identity.text().split() == specs["identity"].description.split()
    assert "…" not in identity.text()
    assert identity.isVisible() and identity.width() >= identity.sizeHint().width() - 2
    # the longest description: first lines on the tile, all of it in the large view
    longest = max(specs.values(), key=lambda spec: len(spec.description))
    caption = page.grid.tiles[longest.key].description_label.text()
    assert 1 < len(caption.splitlines()) <= CAPTION_LINES and caption.endswith("…")
    assert longest.description.startswith(caption.replace("\n", " ")[:-2].rstrip())
    qtbot.mouseClick(page.grid.tiles[longest.key], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.selected == longest.key)
    header = page.header.description_label
    assert header.isVisible() and header.text() == longest.description
    assert header.wordWrap()


def test_wrapped_caption_breaks_at_words_and_marks_a_cut(qapp):
    metrics = QFontMetrics(QFont())
    width = metrics.horizontalAdvance("abcdefghij" * 2)
    text = "one two three four five six seven eight nine ten eleven twelve thirteen"
    lines = wrapped_caption(text, metrics, width, 2).splitlines()
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(metrics.horizontalAdvance(line) <= width for line in lines)
    assert wrapped_caption("short", metrics, width, 2) == "short"


def test_tiles_keep_their_height_when_the_window_grows_while_the_tab_is_hidden(main_window, qtbot):
    window = main_window
    window.resize(1100, 750)
    window.show_tab("gallery")
    page = window.page("gallery")
    qtbot.waitUntil(page.isVisible)
    window.show_tab("loss")
    qtbot.waitUntil(lambda: not page.isVisible())
    window.resize(1920, 1080)
    window.show_tab("gallery")
    qtbot.waitUntil(page.isVisible)
    qtbot.waitUntil(lambda: page.grid.tiles["identity"].width() > 0)
    tallest = max(tile.sizeHint().height() for tile in page.grid.tiles.values())
    heights = [tile.height() for tile in page.grid.tiles.values()]
    assert max(heights) <= tallest + 2, (max(heights), tallest)
