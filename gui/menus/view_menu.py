"""View menu: full screen, one entry per tab (Ctrl+1…9), practice mode, the derivation checker
(Ctrl+Shift+D), theme.

Each section is built by its own ``_add_view_*`` method called from :meth:`ViewMenu._build_view`;
a new View entry is one more such method (and its slot) here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from gui.menus._base import MenuBase, with_standard
from gui.settings_store import THEME_MODES


class ViewMenu(MenuBase):
    """View ▸ …: the window's look and which tab is shown."""

    def _build_view(self, menu: QMenu) -> None:
        menu.setObjectName("menuView")
        self._add_view_full_screen(menu)
        menu.addSeparator()
        self._add_view_tabs(menu)
        menu.addSeparator()
        self._add_view_practice(menu)
        self._add_view_derivation(menu)
        menu.addSeparator()
        self._add_view_theme(menu)

    def _add_view_full_screen(self, menu: QMenu) -> None:
        full = self._add(menu, "actionFullScreen", "&Full screen", self.toggle_full_screen)
        full.setShortcuts(with_standard("F11", QKeySequence.StandardKey.FullScreen))
        full.setCheckable(True)

    def _add_view_tabs(self, menu: QMenu) -> None:
        for n, key in enumerate(self.window.pages, start=1):
            title = self.window.tab_widget.tabText(
                self.window.tab_widget.indexOf(self.window.pages[key])
            )
            shortcut = f"Ctrl+{n}" if n <= 9 else None
            action = self._add(menu, f"actionTab_{key}", title, self._show_tab_action, shortcut)
            action.setData(key)

    def _add_view_practice(self, menu: QMenu) -> None:
        # The same switch as each tutor panel's "Practice mode" box (AppContext.practice); it is
        # saved with the panels' state in the session, so the menu keeps no copy of its own.
        practice = self.window.context.practice
        action = self._add(
            menu,
            "actionPracticeMode",
            "&Practice mode",
            self._set_practice_action,
            tip="Hide the results of the exercise at hand in every tab until you check an "
            "answer or press Show answer",
        )
        action.setCheckable(True)
        action.setChecked(practice.enabled)
        practice.changed.connect(self._sync_practice_action)

    def _add_view_derivation(self, menu: QMenu) -> None:
        # The tutor's derivation checker lives in the Loss tab (sheet 2.2 and 2.3); this entry
        # finds it from anywhere.
        if "loss" not in self.window.pages:
            return
        self._add(
            menu,
            "actionCheckDerivation",
            "Check my &derivation…",
            self._show_derivation_action,
            "Ctrl+Shift+D",
            tip="Type a derivation one step a line; each step is checked against the one before",
        )

    def _add_view_theme(self, menu: QMenu) -> None:
        theme_menu = menu.addMenu("&Theme")
        theme_menu.setObjectName("menuTheme")
        group = QActionGroup(menu)
        labels = {"system": "Follow &system", "light": "&Light", "dark": "&Dark"}
        for mode in THEME_MODES:
            action = self._add(
                theme_menu, f"actionTheme_{mode}", labels[mode], self._set_theme_action
            )
            action.setData(mode)
            action.setCheckable(True)
            group.addAction(action)
        self.sync_theme_actions()

    # Actions made in a loop carry their key in data(): one bound slot each reads it (lambdas
    # holding the window would outlive it at exit).
    @Slot()
    def _show_tab_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.window.show_tab(action.data())

    @Slot()
    def _set_theme_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_theme(action.data())

    @Slot()
    def _set_practice_action(self) -> None:
        self.window.context.practice.set_enabled(self.actions["actionPracticeMode"].isChecked())

    @Slot()
    def _show_derivation_action(self) -> None:
        self.window.show_tab("loss")
        self.window.page("loss").show_section("derivation")

    @Slot(bool)
    def _sync_practice_action(self, enabled: bool) -> None:
        # setChecked does not emit triggered: no loop back into set_enabled
        self.actions["actionPracticeMode"].setChecked(enabled)

    @Slot()
    def toggle_full_screen(self) -> None:
        """View ▸ Full screen (F11) on and off."""
        if self.window.isFullScreen():
            self.window.showNormal()
        else:
            self.window.showFullScreen()

    def set_theme(self, mode: str) -> None:
        """View ▸ Theme: apply ``mode`` now and remember it."""
        self.window.theme.set_mode(mode)
        self.window.settings.theme = mode
        self.window.save_settings()
        self.sync_theme_actions()

    def sync_theme_actions(self) -> None:
        """Check the theme entry that matches the current mode."""
        self.actions[f"actionTheme_{self.window.theme.mode}"].setChecked(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Keep the Full screen entry's check mark in step with the window state."""
        if watched is self.window and event.type() == QEvent.Type.WindowStateChange:
            self.actions["actionFullScreen"].setChecked(self.window.isFullScreen())
        return False
