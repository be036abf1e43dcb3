"""What every menu mixin of :class:`gui.menus.AppMenus` shares: the window, the action table,
and one way to make an action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from gui.services import WindowServices, as_widget

if TYPE_CHECKING:
    from gui.about_dialog import AboutDialog
    from gui.help_dialog import HelpDialog
    from gui.tutor.worksheet_dialog import WorksheetDialog


class MenuBase:
    """Plain mixin base (the one ``QObject`` base comes last in :class:`~gui.menus.AppMenus`,
    so every mixin's ``@Slot`` lands in its meta-object).

    Connect signals only to ``@Slot`` methods: one connection to a plain method gives the object
    a dynamic meta-object, and from then on ``self.sender()`` is ``None`` inside the mixins'
    slots (PySide6 6.12, measured: View ▸ tab entries stopped switching tabs).
    """

    window: WindowServices
    actions: dict[str, QAction]
    about_dialog: AboutDialog | None
    help_dialog: HelpDialog | None
    worksheet_dialog: WorksheetDialog | None

    if TYPE_CHECKING:  # AppMenus is a QObject: its slots ask which action sent the signal

        def sender(self) -> QObject:
            """The object whose signal called the running slot (``QObject.sender``)."""
            ...

    def _add(
        self, menu: QMenu, name: str, text: str, slot, shortcut=None, tip: str = ""
    ) -> QAction:
        action = QAction(text, as_widget(self.window))
        action.setObjectName(name)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.actions[name] = action
        return action


def with_standard(key: str, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """``key`` plus the platform's standard binding(s) for the same command, without repeats."""
    sequences = [QKeySequence(key)]
    for extra in QKeySequence.keyBindings(standard):
        if extra.toString() not in {s.toString() for s in sequences}:
            sequences.append(extra)
    return sequences
