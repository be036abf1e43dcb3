"""Tool buttons with a menu keep their text clear of the menu arrow (issue 13 #12)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QMenu, QStyle, QToolButton

from gui.colours import contrast_ratio


def _ink(button: QToolButton) -> set[tuple[int, int]]:
    """Pixels of the rendered button drawn in a text-like colour."""
    image = button.grab().toImage()
    face = button.palette().color(QPalette.ColorRole.Button)
    return {
        (x, y)
        for x in range(2, image.width() - 2)
        for y in range(2, image.height() - 2)
        if contrast_ratio(QColor(image.pixel(x, y)), face) >= 3
    }


@pytest.mark.parametrize("text", ["Samples", "Copy", "Fill", "Recent"])
def test_menu_arrow_does_not_touch_the_text(main_window, qtbot, text):
    main_window.theme.set_mode("light")
    button = QToolButton(text=text)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setMenu(QMenu(button))
    qtbot.addWidget(button)
    button.show()
    qtbot.waitExposed(button)
    indicator = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)
    height = button.height()
    ink = _ink(button)
    # Qt draws the arrow in the bottom-right corner, its top at height + 4 - indicator; the text
    # sits above that (descenders aside, which are never at the right end of these words).
    arrow_top = height + 4 - indicator
    text_right = max(x for x, y in ink if y < arrow_top)
    arrow_left = min(x for x, y in ink if y > arrow_top and x >= button.width() - indicator)
    assert text_right < arrow_left - 2, f"text ends at x={text_right}, arrow starts at {arrow_left}"
