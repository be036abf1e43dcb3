"""Light/dark theme: follows the system colour scheme, with a manual override from the View menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from gui.settings_store import THEME_MODES


def system_scheme() -> str:
    """``"dark"`` or ``"light"`` as the platform says (Qt 6 ``styleHints().colorScheme()``)."""
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def effective_scheme(mode: str) -> str:
    """The scheme ``mode`` (``"system"``, ``"light"``, ``"dark"``) resolves to right now."""
    if mode not in THEME_MODES:
        raise ValueError(f"mode must be one of {THEME_MODES}, got {mode!r}")
    return system_scheme() if mode == "system" else mode


def dark_palette() -> QPalette:
    """A readable dark palette (Fusion style honours every role)."""
    palette = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    colours = {
        role.Window: "#2b2d31",
        role.WindowText: "#e6e6e6",
        role.Base: "#1e1f22",
        role.AlternateBase: "#2f3136",
        role.ToolTipBase: "#3a3c42",
        role.ToolTipText: "#f0f0f0",
        role.PlaceholderText: "#8a8d93",
        role.Text: "#e6e6e6",
        role.Button: "#35373c",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Light: "#4a4d54",
        role.Midlight: "#3f4248",
        role.Mid: "#2a2c30",
        role.Dark: "#1a1b1e",
        role.Shadow: "#000000",
        role.Highlight: "#3d7bd9",
        role.HighlightedText: "#ffffff",
        role.Link: "#6ea8fe",
        role.LinkVisited: "#b197fc",
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, colour_role, QColor("#7c7f86"))
    return palette


def light_palette() -> QPalette:
    """The style's own light palette."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.style().standardPalette()


def restyle_style_sheet_widgets(root: QWidget) -> int:
    """Re-apply the style sheet of ``root`` and of every widget under it; returns how many.

    A widget with a style sheet (even one that only sets a font) keeps the palette it was
    polished with: it gets no palette-change event when the application palette changes, and
    neither do its children, so dark text would stay on the new dark background. Setting the
    same sheet again re-polishes it from the current palette. Only ``root``'s own tree is
    walked: ``QApplication.allWidgets()`` also returns widgets of other windows that may be
    half-destroyed (touching those crashed the test run).
    """
    count = 0
    for widget in (root, *root.findChildren(QWidget)):
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)
            count += 1
    return count


class ThemeController(QObject):
    """Applies a theme mode to the application and re-applies it when the system scheme changes.

    A parent widget (the main window) has its style-sheet widgets re-polished on every change.

    Signals
    -------
    theme_changed(str, str)
        ``(mode, effective scheme)`` after a change was applied.
    """

    theme_changed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, *, mode: str = "system") -> None:
        super().__init__(parent)
        if mode not in THEME_MODES:
            raise ValueError(f"mode must be one of {THEME_MODES}, got {mode!r}")
        self.mode = mode
        self.scheme = "light"
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_changed)

    def set_mode(self, mode: str) -> str:
        """Switch to ``mode`` and apply it; returns the effective scheme."""
        if mode not in THEME_MODES:
            raise ValueError(f"mode must be one of {THEME_MODES}, got {mode!r}")
        self.mode = mode
        return self.apply()

    def apply(self) -> str:
        """Apply the current mode's palette to the whole application."""
        self.scheme = effective_scheme(self.mode)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(dark_palette() if self.scheme == "dark" else light_palette())
            window = self.parent()
            if isinstance(window, QWidget):
                restyle_style_sheet_widgets(window)
        self.theme_changed.emit(self.mode, self.scheme)
        return self.scheme

    @Slot()
    def _on_system_changed(self) -> None:
        if self.mode == "system":
            self.apply()
