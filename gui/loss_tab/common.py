"""Small pieces the three Loss-tab panels share: data colours, message labels, coalescing and
the derivation view. Plot set-up and the panel scaffold are shared app-wide in gui.widgets."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QSizePolicy, QTextBrowser, QWidget

from gui.colours import follow_palette, tone, tone_label

#: Data colours used consistently across the tab (colour-blind friendly Okabe–Ito palette);
#: legible on the white and the dark plot background. Text and axes take the theme's ink.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#888888"
#: Outline of markers and bars (separates touching shapes; not used for text).
OUTLINE = "#222222"

#: Delay that merges a burst of slider events into one recomputation.
COALESCE_MS = 30


def message_label(parent: QWidget | None, object_name: str, *, warning: bool = False) -> QLabel:
    """A word-wrapped label for an input's error (red) or a warning (amber); hidden when empty."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    tone_label(label, "warning" if warning else "error")
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.setVisible(False)
    return label


def show_message(label: QLabel, text: str | None) -> None:
    """Show ``text`` in ``label`` (and its tooltip), or clear and hide it."""
    label.setText(text or "")
    label.setToolTip(text or "")
    label.setVisible(bool(text))


def readout_label(parent: QWidget | None, object_name: str) -> QLabel:
    """A selectable monospace label for numbers the user reads off (loss, errors, weights)."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    # No word wrap: the texts break lines themselves, and wrapped labels in a form layout get
    # too little height (the last line was clipped).
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class Coalescer(QObject):
    """Runs ``callback`` once, ``COALESCE_MS`` after the last of a burst of :meth:`request` calls.

    Slider drags fire dozens of ``valueChanged`` per second; recomputing on each would lag.
    The timer is owned by this object (a child of the panel) and stopped by :meth:`stop`.
    """

    def __init__(self, parent: QObject, callback: Callable[[], None]) -> None:
        super().__init__(parent)
        self._callback = callback
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(callback)

    def request(self) -> None:
        """Schedule the callback (restarts the delay)."""
        self._timer.start()

    def flush(self) -> None:
        """Run a pending callback now."""
        if self._timer.isActive():
            self._timer.stop()
            self._callback()

    def stop(self) -> None:
        """Drop a pending callback."""
        self._timer.stop()


class DerivationView(QTextBrowser):
    """Read-only rich text for the step-by-step derivations."""

    def __init__(self, parent: QWidget | None = None, *, object_name: str) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setOpenExternalLinks(False)
        font = QFont(self.font())
        font.setPointSizeF(max(10.0, font.pointSizeF() + 1))
        self.setFont(font)
        self._html = ""
        # Headings and the engine's class="warning" paragraphs take theme tones; the text and
        # background are the palette's, so the derivation follows View ▸ Theme like the plots.
        follow_palette(self, self._apply_theme)

    def _apply_theme(self) -> None:
        self.document().setDefaultStyleSheet(
            f"h3 {{ color: {tone('note').name()}; margin-top: 10px; }} p {{ margin: 4px 0; }} "
            f".warning {{ color: {tone('warning').name()}; }}"
        )
        if self._html:
            self.set_derivation(self._html)

    def set_derivation(self, html_text: str) -> None:
        """Replace the text, keeping the scroll position."""
        bar = self.verticalScrollBar()
        position = bar.value()
        self._html = html_text
        self.setHtml(html_text)
        bar.setValue(position)
