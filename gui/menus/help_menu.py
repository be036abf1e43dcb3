"""Help menu: the help browser and About (each one non-modal instance)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from gui.about_dialog import AboutDialog
from gui.help_dialog import HelpDialog
from gui.menus._base import MenuBase
from gui.services import as_widget


class HelpMenu(MenuBase):
    """Help ▸ …"""

    def _build_help(self, menu: QMenu) -> None:
        menu.setObjectName("menuHelp")
        self._add(
            menu,
            "actionHelp",
            "KernelScope &help",
            self.show_help,
            QKeySequence.StandardKey.HelpContents,
        )
        self._add(menu, "actionAbout", "&About KernelScope", self.show_about)

    @Slot()
    def show_about(self) -> AboutDialog:
        """Help ▸ About (non-modal, one instance)."""
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(as_widget(self.window))
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    @Slot()
    def show_help(self) -> HelpDialog:
        """Help ▸ KernelScope help (non-modal, one instance)."""
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(as_widget(self.window))
        self.help_dialog.show()
        self.help_dialog.raise_()
        return self.help_dialog
