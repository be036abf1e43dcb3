"""Light/dark theme: follows the system colour scheme, with a manual override from the View menu."""

from __future__ import annotations

import sys
from typing import TypeGuard

from PySide6.QtCore import QObject, QPointF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionToolButton,
    QTabWidget,
    QWidget,
)

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


def radio_dot_colour(palette: QPalette) -> QColor:
    """The checked radio button's dot: the highlight colour, lightened on a dark palette."""
    highlight = palette.color(QPalette.ColorRole.Highlight)
    dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
    return highlight.lighter(140) if dark else highlight


def _arrow_inside(option: QStyleOption) -> TypeGuard[QStyleOptionToolButton]:
    """A tool button whose menu arrow is drawn inside the button (popup mode not split)."""
    if not isinstance(option, QStyleOptionToolButton):
        return False
    features = option.features
    feature = QStyleOptionToolButton.ToolButtonFeature
    return bool(features & feature.HasMenu) and not bool(features & feature.MenuButtonPopup)


class ThemeStyle(QProxyStyle):
    """The platform style (Fusion) with two fixes that every widget of the app gets.

    - A checked radio button's dot is clearly visible: Fusion paints it small, in the text
      colour at 70 % opacity over the base colour (on the dark palette a grey dot on
      near-black). Here it is larger and in :func:`radio_dot_colour`.
    - A tool button with a menu ("Samples", "Copy", "Fill") keeps its text clear of the menu
      arrow: Qt draws that arrow inside the button's corner without reserving room for it, so
      it overlapped the last letter. The button is made wider by the arrow's width and its
      label is laid out left of the arrow.
    """

    def sizeFromContents(  # noqa: N802 (Qt override)
        self,
        contents: QStyle.ContentsType,
        option: QStyleOption,
        size: QSize,
        widget: QWidget | None = None,
    ) -> QSize:
        # Qt takes a null widget here; PySide6's stubs say QWidget
        result = super().sizeFromContents(contents, option, size, widget)  # type: ignore[arg-type]
        if contents == QStyle.ContentsType.CT_ToolButton and _arrow_inside(option):
            indicator = self.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, widget)
            result = QSize(result.width() + indicator, result.height())
        return result

    def drawControl(  # noqa: N802 (Qt override)
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.ControlElement.CE_ToolButtonLabel and _arrow_inside(option):
            label = QStyleOptionToolButton(option)
            indicator = self.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, widget)
            label.rect = option.rect.adjusted(0, 0, -(indicator - 4), 0)
            super().drawControl(element, label, painter, widget)
            return
        super().drawControl(element, option, painter, widget)

    def drawPrimitive(  # noqa: N802 (Qt override)
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        checked = bool(option.state & QStyle.StateFlag.State_On)
        if element != QStyle.PrimitiveElement.PE_IndicatorRadioButton or not checked:
            super().drawPrimitive(element, option, painter, widget)
            return
        ring = type(option)(option)
        ring.state = option.state & ~QStyle.StateFlag.State_On
        super().drawPrimitive(element, ring, painter, widget)
        rect = option.rect
        radius = max(2.5, min(rect.width(), rect.height()) / 3.3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        colour = radio_dot_colour(option.palette)
        if not option.state & QStyle.StateFlag.State_Enabled:
            colour.setAlphaF(0.45)
        painter.setBrush(colour)
        # Fusion centres its ring one pixel right/down of the rectangle's centre.
        painter.drawEllipse(QPointF(rect.center()) + QPointF(1.0, 1.0), radius, radius)
        painter.restore()


_KEEP: list[QStyle] = []


def use_theme_style(app: QApplication) -> None:
    """Wrap the application's style in :class:`ThemeStyle` (once; keeps the palette)."""
    if isinstance(app.style(), ThemeStyle):
        return
    palette = app.palette()
    style = ThemeStyle(app.style().name())
    _KEEP.append(style)  # the application uses it until exit: never garbage-collected first
    app.setStyle(style)
    app.setPalette(palette)  # setStyle() may reset the palette to the style's own


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


def theme_plots(root: QWidget) -> int:
    """Re-colour every pyqtgraph view under ``root`` from the current palette; returns how many.

    Plots built through ``gui.widgets.plots`` follow the palette on their own; this also
    reaches any other view (a tab's own plots). pyqtgraph is not imported for it: with no
    pyqtgraph loaded there is no plot to colour.
    """
    if "pyqtgraph" not in sys.modules:
        return 0
    import pyqtgraph as pg

    from gui.widgets.plots import apply_plot_theme

    views = root.findChildren(pg.GraphicsView)
    for view in views:
        apply_plot_theme(view)
    return len(views)


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
        # Tabs are built lazily, after the theme was applied: their plots are coloured when
        # they are first shown (and again on every switch, which costs well under 1 ms).
        tabs = getattr(parent, "tab_widget", None)
        self._tabs = tabs if isinstance(tabs, QTabWidget) else None
        if self._tabs is not None:
            # A bound slot, not a lambda holding the tab widget: Qt drops the connection with
            # this object, so a tab widget torn down at exit calls nothing back.
            self._tabs.currentChanged.connect(self._on_tab_changed)

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
            use_theme_style(app)
            app.setPalette(dark_palette() if self.scheme == "dark" else light_palette())
            window = self.parent()
            if isinstance(window, QWidget):
                restyle_style_sheet_widgets(window)
                theme_plots(window)
        self.theme_changed.emit(self.mode, self.scheme)
        return self.scheme

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        page = self._tabs.currentWidget() if self._tabs is not None else None
        if page is not None:
            theme_plots(page)

    @Slot()
    def _on_system_changed(self) -> None:
        if self.mode == "system":
            self.apply()
