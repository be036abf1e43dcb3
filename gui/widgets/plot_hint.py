"""A sentence over an empty plot saying what to do to fill it ("Press Train both to see …")."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget


class PlotHint(QLabel):
    """A centred, word-wrapped label over ``plot`` (any widget), shown while the plot is empty.

    ``show_hint(text)`` shows it, ``hide()`` takes it away; it follows the plot's size.  The
    text is the palette's (italic), over the themed plot background: it reads in both themes.
    """

    def __init__(self, plot: QWidget, name: str) -> None:
        super().__init__(plot)
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # zoom/pan still work
        font = self.font()
        font.setItalic(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.setFont(font)
        self._plot = plot
        plot.installEventFilter(self)
        self._fit()
        self.hide()

    def show_hint(self, text: str) -> None:
        """Show ``text`` over the middle of the plot."""
        self.setText(text)
        self._fit()
        self.show()
        self.raise_()

    def _fit(self) -> None:
        width = max(120, int(self._plot.width() * 0.7))
        height = max(40, self.heightForWidth(width))
        self.setGeometry(
            (self._plot.width() - width) // 2, (self._plot.height() - height) // 2, width, height
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Stay centred when the plot is resized."""
        if watched is self._plot and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)
