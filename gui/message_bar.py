"""A non-blocking message strip above the tabs (recovery offers, "file moved aside" notices)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from gui.colours import set_box_tone, tone_box

#: The bar's kinds and the theme tone each is drawn in (palette roles, so a theme switch recolours
#: a bar that is showing).
_TONE_OF_KIND = {"info": "note", "warning": "warning"}


class MessageBar(QFrame):
    """One message with a few buttons; hidden until :meth:`show_message`.

    Unlike a modal dialog it never blocks start-up, a test or a ``--quit-after`` run. Each button
    runs its callback and then hides the bar.

    Signals
    -------
    message_shown(str)
        The text of a message that was just shown.
    """

    message_shown = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        tone_box(self, "note", padding=0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setObjectName("messageBarText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self._button_row = QHBoxLayout()
        layout.addLayout(self._button_row)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: str = "info",
        buttons: tuple[tuple[str, str, Callable[[], None]], ...] = (),
    ) -> None:
        """Show ``text`` with ``buttons`` ``(objectName, label, callback)`` and a Close button."""
        self._clear_buttons()
        set_box_tone(self, _TONE_OF_KIND.get(kind, "note"))
        self.label.setText(text)
        for name, label, callback in (*buttons, ("messageBarClose", "Close", lambda: None)):
            button = QPushButton(label, self)
            button.setObjectName(name)
            button.clicked.connect(lambda _=False, cb=callback: self._run(cb))
            self._button_row.addWidget(button)
            self.buttons[name] = button
        self.show()
        self.message_shown.emit(text)

    def _run(self, callback: Callable[[], None]) -> None:
        self.hide()
        callback()

    def _clear_buttons(self) -> None:
        for button in self.buttons.values():
            self._button_row.removeWidget(button)
            button.hide()  # out of the layout it would sit over the text until deleted
            button.deleteLater()
        self.buttons = {}
