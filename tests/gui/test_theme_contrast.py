"""Light and dark themes: every coloured text in the Matrix tab stays readable after a switch."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QSpinBox

from gui.colours import TONES, contrast_ratio, is_dark, tone, tone_label
from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.matrix_tab.cell_colours import cell_colours
from gui.theme import ThemeController
from tests.gui.matrix_helpers import shown_matrix_tab

MIN_TEXT_CONTRAST = 4.5  # WCAG 2 AA for body text


@pytest.fixture
def keep_palette(qapp):
    palette = qapp.palette()
    yield
    qapp.setPalette(palette)


class Theme:
    """Switches the theme the way View ▸ Theme does and waits until the (posted) palette
    change has reached the widgets under test."""

    def __init__(self, qtbot) -> None:
        self.controller = ThemeController(None, mode="light")
        self.qtbot = qtbot
        self.widgets: list = []

    def set_mode(self, mode: str) -> None:
        self.controller.set_mode(mode)
        window = QApplication.palette().color(QPalette.ColorRole.Window)
        for widget in self.widgets:
            self.qtbot.waitUntil(
                lambda w=widget: w.palette().color(QPalette.ColorRole.Window) == window
            )


@pytest.fixture
def theme(qtbot, keep_palette):
    switcher = Theme(qtbot)
    yield switcher
    switcher.controller.deleteLater()


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot) as page:
        yield page


@pytest.fixture
def tab_theme(tab, theme):
    theme.widgets.append(tab)
    theme.controller.setParent(tab)  # as the main window owns its controller: re-polishes it
    return theme


def test_contrast_ratio_matches_published_wcag_values():
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("white"), QColor("white")) == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48 : 1, #767676 is 4.54 : 1
    assert contrast_ratio(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("white"), QColor("#767676")) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tone_reads_on_the_window_and_base_colours(theme, scheme):
    theme.controller.set_mode(scheme)
    palette = QApplication.palette()
    for kind in TONES:
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            ratio = contrast_ratio(tone(kind, palette), palette.color(role))
            assert ratio >= MIN_TEXT_CONTRAST, (scheme, kind, role, ratio)


def _cell_pairs(view):
    """(text colour, background colour, row, col, value text) of every cell as drawn."""
    model = view.model()
    palette = view.palette()
    pairs = []
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            fg = index.data(Qt.ItemDataRole.ForegroundRole)
            bg = index.data(Qt.ItemDataRole.BackgroundRole)
            pairs.append(
                (
                    fg.color() if fg is not None else palette.color(QPalette.ColorRole.Text),
                    bg.color() if bg is not None else palette.color(QPalette.ColorRole.Base),
                    r,
                    c,
                    index.data(),
                )
            )
    return pairs


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_matrix_cells_have_enough_contrast_after_a_theme_switch(tab, tab_theme, scheme):
    tab_theme.set_mode("dark" if scheme == "light" else "light")  # start in the other theme
    tab.settings.set_choice("padding", "same")
    tab.panels[0].select_cell(0, 0)  # window reaches into the padding; Sobel has negatives
    tab_theme.set_mode(scheme)
    palette = tab.palette()
    colours = cell_colours(palette)
    views = [
        tab.input_editor.view,
        tab.explain_panel.padded_view,
        *(panel.view for panel in tab.panels),
    ]
    pairs = [pair for view in views for pair in _cell_pairs(view)]
    for fg, bg, r, c, text in pairs:
        ratio = contrast_ratio(fg, bg)
        assert ratio >= MIN_TEXT_CONTRAST, (scheme, r, c, text, fg.name(), bg.name(), ratio)
    # the test covered the interesting cases: highlighted, padding and negative cells
    backgrounds = {bg.name() for _fg, bg, *_ in pairs}
    foregrounds = {fg.name() for fg, *_ in pairs}
    assert colours.window.name() in backgrounds
    assert colours.padding.name() in backgrounds
    assert colours.negative.name() in foregrounds
    assert colours.on_highlight.name() in foregrounds


def test_cell_colours_follow_the_palette(tab, tab_theme):
    tab_theme.set_mode("light")
    model = tab.panels[0].model
    light_negative = model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole).color()
    assert model.index(0, 2).data() == "\u22121"
    tab_theme.set_mode("dark")
    dark_negative = model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole).color()
    assert light_negative != dark_negative
    assert dark_negative == tone("negative", tab.palette())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_matrix_tab_labels_are_readable(tab, tab_theme, scheme):
    tab_theme.set_mode("dark" if scheme == "light" else "light")
    tab.input_editor.show_error("not a number: 'x'")
    tab_theme.set_mode(scheme)
    labels = [
        tab.settings.note,
        tab.input_editor.error_label,
        *(editor.info for editor in tab.kernel_editors),
        *(panel.floor_note for panel in tab.panels),
        *(panel.error for panel in tab.panels),
    ]
    for label in labels:
        palette = label.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        window = palette.color(QPalette.ColorRole.Window)
        ratio = contrast_ratio(text, window)
        assert ratio >= MIN_TEXT_CONTRAST, (scheme, label.objectName(), text.name(), ratio)
    assert tab.settings.note.palette().color(QPalette.ColorRole.WindowText) == tone(
        "note", tab.palette()
    )
    legend = tab.findChild(QLabel, "explainLegend")
    assert cell_colours(tab.palette()).padding.name() in legend.text()


def test_tone_label_switches_kind_and_follows_the_theme(qtbot, theme):
    label = QLabel("message")
    qtbot.addWidget(label)
    tone_label(label, "error")
    label.show()
    theme.widgets.append(label)
    theme.set_mode("dark")
    assert label.palette().color(QPalette.ColorRole.WindowText) == tone("error")
    label.setProperty("tone", "warning")
    theme.set_mode("light")
    assert label.palette().color(QPalette.ColorRole.WindowText) == tone("warning")


def _unreadable_labels(page) -> list[str]:
    found = []
    for label in page.findChildren(QLabel):
        if not label.text() or not label.isVisibleTo(page):
            continue
        palette = label.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        # what is painted behind it: its own background if it fills one, else the window's
        own = label.autoFillBackground() or "background" in label.styleSheet()
        behind = (palette if own else QApplication.palette()).color(QPalette.ColorRole.Window)
        ratio = contrast_ratio(text, behind)
        if ratio < MIN_TEXT_CONTRAST:
            found.append(f"{label.objectName() or label.text()[:30]!r}: {text.name()} {ratio:.2f}")
    return found


def test_every_tab_label_is_readable_after_switching_from_the_view_menu(
    main_window, keep_palette, qtbot
):
    for mode in ("dark", "light", "dark"):
        main_window.findChild(QAction, f"actionTheme_{mode}").trigger()
        window_colour = QApplication.palette().color(QPalette.ColorRole.Window)
        for key, page in main_window.pages.items():
            main_window.show_tab(key)
            qtbot.waitUntil(
                lambda p=page, c=window_colour: p.palette().color(QPalette.ColorRole.Window) == c
            )
            assert _unreadable_labels(page) == [], (mode, key)
    # labels with a style sheet (bold headings) follow the switch too
    heading = main_window.page("matrix").panels[0].heading
    assert heading.styleSheet()
    assert heading.palette().color(QPalette.ColorRole.WindowText).lightness() > 180


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_network_table_error_and_skipped_rows_are_readable(qtbot, theme, scheme):
    page = LayersTab(context=AppContext())
    qtbot.addWidget(page)
    page.resize(1300, 820)
    page.show()
    qtbot.waitExposed(page)
    page.show_page("network")
    theme.widgets.append(page)
    for axis in ("H", "W"):
        page.findChild(QSpinBox, f"spinIn{axis}").setValue(3)  # too small for maxpool2
    theme.set_mode("dark" if scheme == "light" else "light")
    theme.set_mode(scheme)
    view = page.network.table
    states = {page.network.model.row_state(r) for r in range(page.network.model.rowCount())}
    assert {"error", "skipped"} <= states
    for fg, bg, r, c, text in _cell_pairs(view):
        ratio = contrast_ratio(fg, bg)
        assert ratio >= MIN_TEXT_CONTRAST, (scheme, r, c, text, fg.name(), bg.name(), ratio)


def _box_contrast(label: QLabel) -> float:
    """Contrast of a message box's text on the background it fills itself."""
    palette = label.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    return contrast_ratio(text, palette.color(QPalette.ColorRole.Window))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_layer_sizes_warning_and_error_boxes_are_readable(qtbot, theme, scheme):
    page = LayersTab(context=AppContext())
    qtbot.addWidget(page)
    page.resize(1100, 750)
    page.show()
    qtbot.waitExposed(page)
    theme.widgets.append(page)
    theme.set_mode("dark" if scheme == "light" else "light")  # boxes built in the other theme
    page.findChild(QSpinBox, "spin_kh").setValue(9)  # no window fits vertically: an error
    page.findChild(QSpinBox, "spin_kw").setValue(4)  # stride 2 skips a column: a warning
    page.show_page("network")
    for axis in ("H", "W"):
        page.findChild(QSpinBox, f"spinIn{axis}").setValue(3)  # too small for maxpool2
    network = page.network
    network._show_file_message("Could not save x.json: disk full", error=True)
    theme.set_mode(scheme)
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    boxes = {
        "labelLayerError": "error",
        "labelWarnings": "warning",
        "labelNetworkError": "error",
        "labelFileMessage": "error",
    }
    for name, kind in boxes.items():
        label = page.findChild(QLabel, name)
        assert label.text() and label.autoFillBackground(), name
        palette = label.palette()
        assert palette.color(QPalette.ColorRole.WindowText) == tone(kind), name
        background = palette.color(QPalette.ColorRole.Window)
        assert background != window and is_dark(palette) == (scheme == "dark"), name
        ratio = _box_contrast(label)
        assert ratio >= MIN_TEXT_CONTRAST, (scheme, name, ratio)
    assert "never covered" in page.findChild(QLabel, "labelWarnings").text()
    # a message that turns from an error into a note keeps following the theme
    network._show_file_message("Saved x.json", error=False)
    assert network.file_label.palette().color(QPalette.ColorRole.WindowText) == tone("note")
    theme.set_mode("dark" if scheme == "light" else "light")
    assert network.file_label.palette().color(QPalette.ColorRole.WindowText) == tone("note")
    assert _box_contrast(network.file_label) >= MIN_TEXT_CONTRAST


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", ["info", "warning"])
def test_the_message_bar_follows_the_theme(qtbot, theme, scheme, kind):
    from gui.message_bar import MessageBar  # noqa: PLC0415 - only this test needs it

    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.resize(700, 60)
    theme.set_mode("dark" if scheme == "light" else "light")  # shown in the other theme first
    bar.show_message("KernelScope did not close cleanly last time.", kind=kind)
    theme.set_mode(scheme)
    palette = QApplication.palette()
    qtbot.waitUntil(
        lambda: (
            bar.palette().color(QPalette.ColorRole.WindowText)
            == tone("note" if kind == "info" else "warning", palette)
        )
    )
    assert _box_contrast(bar) >= MIN_TEXT_CONTRAST
    assert is_dark(bar.palette()) == (scheme == "dark")
