"""Theme-aware colours: text tones that stay readable on light and dark palettes.

Hard-coded colours chosen on a white background (dark red negatives, grey hints, dark-blue notes)
vanish on a dark palette. Every coloured text in the app takes its colour from :func:`tone`,
which picks a light- or dark-palette variant, and :func:`follow_palette` re-applies it when
View ▸ Theme (or the system) changes the palette. :func:`contrast_ratio` is the WCAG 2 measure
the tests use (4.5 : 1 is the minimum for body text).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QWidget

# (light palette, dark palette) variants of each semantic text colour.
_TONES: dict[str, tuple[str, str]] = {
    "error": ("#b00020", "#ff8a8a"),
    "warning": ("#8a5300", "#f0b45a"),
    "note": ("#3a4a6a", "#a8c1f0"),
    "hint": ("#555555", "#a6a9b0"),
    "negative": ("#b01e1e", "#ff8a80"),
}
TONES = tuple(_TONES)

_PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of ``colour`` (0 = black, 1 = white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    rgb = colour.toRgb()
    r, g, b = (channel(v) for v in (rgb.redF(), rgb.greenF(), rgb.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(QColor(a)), relative_luminance(QColor(b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (default: the application's) has a dark window background."""
    pal = palette if palette is not None else QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def tone(kind: str, palette: QPalette | None = None) -> QColor:
    """The text colour for ``kind`` (one of :data:`TONES`) on ``palette``'s backgrounds."""
    if kind not in _TONES:
        raise ValueError(f"kind must be one of {TONES}, got {kind!r}")
    return QColor(_TONES[kind][1 if is_dark(palette) else 0])


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` of the way towards ``b`` (RGB)."""
    ca, cb = QColor(a).toRgb(), QColor(b).toRgb()
    return QColor.fromRgbF(
        ca.redF() + (cb.redF() - ca.redF()) * t,
        ca.greenF() + (cb.greenF() - ca.greenF()) * t,
        ca.blueF() + (cb.blueF() - ca.blueF()) * t,
    )


class _PaletteFollower(QObject):
    """Event filter that calls ``apply`` whenever its widget's palette changes."""

    def __init__(self, widget: QWidget, apply: Callable[[], None]) -> None:
        super().__init__(widget)
        self._apply = apply
        self._busy = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in _PALETTE_EVENTS and not self._busy:
            self._busy = True  # setStyleSheet inside apply() posts another PaletteChange
            try:
                self._apply()
            finally:
                self._busy = False
        return False


def follow_palette(widget: QWidget, apply: Callable[[], None]) -> None:
    """Call ``apply()`` now and again each time ``widget``'s or the application's palette
    changes (the theme switch); ``apply`` should read colours from :func:`tone`."""
    apply()
    _PaletteFollower(widget, apply)


def set_tone(widget: QWidget, kind: str | None) -> None:
    """Colour ``widget``'s text with :func:`tone` ``kind``.

    ``None`` = the application palette's own text colour. Widgets set up by :func:`tone_label`
    follow later palette changes. This sets palette roles rather than a style sheet: a widget
    with a style-sheet colour gets no palette-change events, so it could not follow the theme.
    """
    palette = widget.palette()
    base = QGuiApplication.palette()
    colour = tone(kind, base) if kind else base.color(QPalette.ColorRole.WindowText)
    if widget.property("tone") == kind and palette.color(QPalette.ColorRole.WindowText) == colour:
        return
    widget.setProperty("tone", kind)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, colour)
    widget.setPalette(palette)


def tone_label(widget: QWidget, kind: str | None) -> None:
    """Make ``widget``'s text take :func:`tone` ``kind`` now and after every palette change;
    :func:`set_tone` later changes the kind (e.g. a message that turns into an error)."""
    widget.setProperty("tone", kind)
    follow_palette(widget, lambda: set_tone(widget, widget.property("tone")))


def box_colours(kind: str, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """``(text, background)`` of a message box of tone ``kind``: the tone's text colour on the
    window colour tinted a little towards it (a pale tint in light, a deep one in dark)."""
    pal = palette if palette is not None else QGuiApplication.palette()
    text = tone(kind, pal)
    window = pal.color(QPalette.ColorRole.Window)
    return text, mix(window, text, 0.16 if is_dark(pal) else 0.1)


def set_box_tone(widget: QFrame, kind: str) -> None:
    """Show ``widget`` as a message box of tone ``kind`` (``"error"``, ``"warning"``, ``"note"``
    …): text and frame in the tone, a tinted filled background. Palette roles, not a style
    sheet, so :func:`tone_box` can follow later theme switches."""
    text, background = box_colours(kind)
    palette = widget.palette()
    current = palette.color(QPalette.ColorRole.Window)
    if widget.property("boxTone") == kind and current == background:
        return
    widget.setProperty("boxTone", kind)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, text)
    palette.setColor(QPalette.ColorRole.Window, background)
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)
    widget.setFrameShape(QFrame.Shape.Box)  # a plain box is drawn in the text colour
    widget.setFrameShadow(QFrame.Shadow.Plain)


def tone_box(widget: QFrame, kind: str, *, padding: int = 4) -> None:
    """Make ``widget`` (a ``QLabel``) a message box of tone ``kind`` now and after every
    palette change; :func:`set_box_tone` later changes the kind (an error that becomes a note)."""
    if isinstance(widget, QLabel):
        widget.setMargin(padding)
    widget.setProperty("boxTone", kind)
    follow_palette(widget, lambda: set_box_tone(widget, widget.property("boxTone")))
