"""Cell colours of the matrix tables, for the current light or dark palette.

The explained window keeps its warm "highlighter" backgrounds in both themes, with explicitly
dark text on them (the palette's text colour is white in the dark theme). Padding and negative
numbers follow the palette: padding is a slightly raised base colour with dimmed italic text,
negatives a red that reads on that base.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from gui.colours import is_dark, mix, tone

HIGHLIGHT_KINDS = ("window", "focus")


@dataclass(frozen=True)
class CellColours:
    """Backgrounds and text colours of matrix cells for one palette."""

    window: QColor
    focus: QColor
    on_highlight: QColor
    negative_on_highlight: QColor
    padding: QColor
    padding_text: QColor
    negative: QColor

    def background(self, kind: str) -> QColor:
        """Background of a highlighted cell of ``kind`` (``"window"`` or ``"focus"``)."""
        if kind not in HIGHLIGHT_KINDS:
            raise ValueError(f"kind must be one of {HIGHLIGHT_KINDS}, got {kind!r}")
        return self.window if kind == "window" else self.focus

    def same_as(self, other: CellColours | None) -> bool:
        """Whether ``other`` holds the same colours (QColor has no hash)."""
        return other is not None and all(
            getattr(self, name) == getattr(other, name) for name in self.__dataclass_fields__
        )


def cell_colours(palette: QPalette) -> CellColours:
    """The cell colours that suit ``palette``."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    if is_dark(palette):
        padding = mix(base, text, 0.10)
        padding_text = mix(text, base, 0.30)
    else:
        padding = QColor(228, 228, 236)
        padding_text = QColor(95, 95, 115)
    return CellColours(
        window=QColor(255, 214, 140),
        focus=QColor(255, 170, 60),
        on_highlight=QColor(26, 26, 26),
        negative_on_highlight=QColor(143, 0, 0),
        padding=padding,
        padding_text=padding_text,
        negative=tone("negative", palette),
    )
