"""The menu bar (File, Edit, View, Help), its shortcuts and what each entry does.

One module per menu: :mod:`~gui.menus.file_menu`, :mod:`~gui.menus.edit_menu`,
:mod:`~gui.menus.view_menu`, :mod:`~gui.menus.help_menu`; :class:`AppMenus` composes them.
Every action has an ``objectName`` (``actionOpenImage``, ``actionUndo``, ``actionTab_matrix``…)
so tests and tools find it without walking menus. The menus know the window only as
:class:`gui.services.WindowServices`, never as the concrete main window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QUndoStack

from gui.menus.edit_menu import EditMenu
from gui.menus.file_menu import IMAGE_FILTER, SESSION_FILTER, FileMenu
from gui.menus.help_menu import HelpMenu
from gui.menus.view_menu import ViewMenu
from gui.services import WindowServices, as_widget

if TYPE_CHECKING:
    from gui.about_dialog import AboutDialog
    from gui.help_dialog import HelpDialog
    from gui.tutor.worksheet_dialog import WorksheetDialog

__all__ = ["IMAGE_FILTER", "SESSION_FILTER", "AppMenus"]


class AppMenus(FileMenu, EditMenu, ViewMenu, HelpMenu, QObject):
    """Builds the menu bar of ``window`` and keeps Undo/Redo bound to the visible tab."""

    def __init__(self, window: WindowServices) -> None:
        QObject.__init__(self, as_widget(window))
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.about_dialog: AboutDialog | None = None
        self.help_dialog: HelpDialog | None = None
        self.worksheet_dialog: WorksheetDialog | None = None
        self._stack: QUndoStack | None = None
        self._stack_connections: list = []
        bar = window.menuBar()
        self._build_file(bar.addMenu("&File"))
        self._build_edit(bar.addMenu("&Edit"))
        self._build_view(bar.addMenu("&View"))
        self._build_help(bar.addMenu("&Help"))
        window.tab_widget.currentChanged.connect(self.bind_undo_stack)
        window.installEventFilter(self)
        self.bind_undo_stack()

    def close_dialogs(self) -> None:
        """Close About/Help/worksheet (the main window does this when it closes)."""
        for dialog in (self.about_dialog, self.help_dialog, self.worksheet_dialog):
            if dialog is not None:
                dialog.close()
