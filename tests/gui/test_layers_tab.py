"""Layer sizes tab: one-layer formulas, presets, network editing, invalid shapes, files."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QSpinBox

from engine import PRESETS
from gui.colours import box_colours, tone
from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.layers_tab.network_model import COL_PARAMS_TEXT, COL_TYPE, GREYED


@pytest.fixture
def tab(qtbot):
    page = LayersTab(context=AppContext())
    qtbot.addWidget(page)
    page.resize(1300, 820)
    page.show()
    qtbot.waitExposed(page)
    return page


def spin(page, name: str) -> QSpinBox:
    return page.findChild(QSpinBox, f"spin_{name}")


def label(page, name: str) -> QLabel:
    return page.findChild(QLabel, name)


def button(page, name: str) -> QPushButton:
    return page.findChild(QPushButton, name)


def type_into(qtbot, box: QSpinBox, value: int) -> None:
    """Replace a spin box's text with the keyboard, as a user would."""
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), str(value))
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Tab)
    assert box.value() == value


# -- the tab in the app --------------------------------------------------------------------------
def test_tab_is_built_by_the_main_window(main_window):
    page = main_window.page("layers")
    assert isinstance(page, LayersTab)
    main_window.show_tab("layers")
    assert page.undo_stack() is page.network.undo_stack
    assert "Output: 3 × 3 × 4" in label(page, "labelOutput").text()


# -- one layer -----------------------------------------------------------------------------------
def test_formula_labels_follow_typed_values(qtbot, tab):
    with qtbot.waitSignal(tab.state_changed, timeout=2000):
        type_into(qtbot, spin(tab, "h"), 8)
    assert label(tab, "labelFormulaH").text() == (
        "H′ = ⌊(H + 2p − k)/s⌋ + 1 = ⌊(8 + 2·0 − 3)/2⌋ + 1 = ⌊5/2⌋ + 1 = 3"
    )
    warnings = label(tab, "labelWarnings")
    assert warnings.isVisible()
    assert "not divisible by the stride 2" in warnings.text()
    assert "input row 7 is never covered" in warnings.text()
    type_into(qtbot, spin(tab, "filters"), 10)
    assert label(tab, "labelParams").text() == (
        "Parameters: N·(kh·kw·C/groups + 1) = 10·(3·3·3 + 1) = 280"
    )
    assert label(tab, "labelMacs").text().endswith("= 3·3·10·3·3·3 = 2,430")
    assert "Output: 3 × 3 × 10" in label(tab, "labelOutput").text()
    type_into(qtbot, spin(tab, "h"), 9)
    assert not label(tab, "labelWarnings").text().startswith("• H")


def test_dense_comparison_and_bias(qtbot, tab):
    dense = label(tab, "labelDense")
    assert "147·36 + 36 = 5,328" in dense.text()
    assert "47.6×" in label(tab, "labelRatio").text()
    tab.findChild(type(tab.single.bias), "checkBias").click()
    assert "4·(3·3·3) = 108" in label(tab, "labelParams").text()
    assert "147·36 = 5,292" in dense.text()


def test_impossible_output_is_explained_and_cleared(qtbot, tab):
    type_into(qtbot, spin(tab, "kh"), 9)
    error = label(tab, "labelLayerError")
    assert error.isVisible() and "no window fits" in error.text() and "padding ≥ 1" in error.text()
    assert "none" in label(tab, "labelOutput").text()
    assert "no output" in label(tab, "labelDense").text()
    type_into(qtbot, spin(tab, "padding"), 1)
    assert not error.isVisible()
    assert "Output: 1 × 4 × 4" in label(tab, "labelOutput").text()  # W: ⌊(7+2−3)/2⌋+1


def test_bad_groups_keeps_the_last_good_result(qtbot, tab):
    type_into(qtbot, spin(tab, "groups"), 2)
    error = label(tab, "labelLayerError")
    assert error.isVisible() and "groups=2 must divide both channels=3" in error.text()
    assert "4·(3·3·3 + 1) = 112" in label(tab, "labelParams").text()
    button(tab, "buttonDepthwise").click()
    assert not error.isVisible()
    assert spin(tab, "groups").value() == 3 and spin(tab, "filters").value() == 3
    assert "3·(3·3·3/3 + 1) = 30" in label(tab, "labelParams").text()


def test_padding_modes_and_inverse_solver(qtbot, tab):
    mode = tab.findChild(QComboBox, "comboPaddingMode")
    mode.setCurrentText("same")
    assert not spin(tab, "padding").isEnabled()
    assert "Output: 4 × 4 × 4" in label(tab, "labelOutput").text()  # ⌈7/2⌉
    solve = label(tab, "labelSolve")
    type_into(qtbot, spin(tab, "wanted"), 3)
    assert "stride s (k=3, p=1, d=1): 3" in solve.text()
    assert "kernel k (s=2, p=1, d=1): 4–5" in solve.text()
    mode.setCurrentText("number")
    type_into(qtbot, spin(tab, "stride"), 1)
    assert "padding=1 on each side" in label(tab, "labelSame").text()
    button(tab, "buttonApplySame").click()
    assert spin(tab, "padding").value() == 1 and mode.currentText() == "number"
    assert "Output: 7 × 7 × 4" in label(tab, "labelOutput").text()


def test_drawing_is_to_scale(qtbot, tab):
    drawing = tab.single.drawing
    assert drawing.explanation is tab.single.explanation and drawing.scale > 0
    big_scale = drawing.scale
    type_into(qtbot, spin(tab, "h"), 60)
    drawing.repaint()
    assert drawing.explanation.input_shape == (60, 7, 3)
    assert drawing.scale < big_scale


# -- whole network -------------------------------------------------------------------------------
def totals(page) -> str:
    return label(page, "labelTotals").text()


@pytest.mark.parametrize("key", list(PRESETS))
def test_each_preset_shows_its_published_total(qtbot, tab, key):
    tab.show_page("network")
    tab.network.load_preset(key)
    assert f"{PRESETS[key].published_params:,} parameters" in totals(tab)
    combo = tab.findChild(QComboBox, "presetCombo")
    assert combo.currentData() == key
    assert tab.network.model.rowCount() == len(PRESETS[key].layers)


def test_preset_combo_by_keyboard(qtbot, tab):
    tab.show_page("network")
    combo = tab.findChild(QComboBox, "presetCombo")
    combo.setFocus()
    start = combo.currentIndex()
    with qtbot.waitSignal(tab.state_changed, timeout=2000):
        qtbot.keyClick(combo, Qt.Key.Key_Up)
    key = combo.itemData(start - 1)
    assert f"{PRESETS[key].published_params:,} parameters" in totals(tab)
    assert spin(tab, "h").value() == 7  # the one-layer page is untouched
    assert tab.findChild(QSpinBox, "spinInH").value() == PRESETS[key].input_shape[1]


def select_row(page, row: int) -> None:
    view = page.network.table
    view.setCurrentIndex(page.network.model.index(row, 0))


def test_add_remove_and_reorder_layers(qtbot, tab):
    tab.show_page("network")
    model = tab.network.model
    n = model.rowCount()
    select_row(tab, 0)
    tab.findChild(QComboBox, "addTypeCombo").setCurrentText("Dropout")
    with qtbot.waitSignal(tab.state_changed, timeout=2000):
        button(tab, "buttonAdd").click()
    assert model.rowCount() == n + 1
    assert model.index(1, COL_TYPE).data() == "Dropout" and tab.network.current_row() == 1
    button(tab, "buttonUp").click()
    assert model.index(0, COL_TYPE).data() == "Dropout"
    assert model.index(0, 4).data() == "1×28×28"
    button(tab, "buttonDown").click()
    button(tab, "buttonDown").click()
    assert [model.index(r, COL_TYPE).data() for r in range(3)] == [
        "Conv2d",
        "BatchNorm2d",
        "Dropout",
    ]
    button(tab, "buttonRemove").click()
    assert model.rowCount() == n and "20,586 parameters" in totals(tab)
    button(tab, "buttonNetworkUndo").click()
    assert model.rowCount() == n + 1
    button(tab, "buttonNetworkRedo").click()
    assert model.rowCount() == n


def test_invalid_shape_is_highlighted_then_cleared(qtbot, tab):
    tab.show_page("network")
    model, view = tab.network.model, tab.network.table
    index = model.index(4, COL_PARAMS_TEXT)  # conv2 of the small CNN (input 16×14×14)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = QApplication.focusWidget()
    assert (
        isinstance(editor, QLineEdit)
        and editor.text() == "out_channels=32, kernel_size=3, padding=1"
    )
    editor.setText("out_channels=32, kernel_size=20")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits through a queued call
    qtbot.waitUntil(lambda: model.summary.error is not None, timeout=2000)
    error = label(tab, "labelNetworkError")
    assert error.isVisible()
    assert "layer 5 (conv2, input 16×14×14)" in error.text() and "greyed out" in error.text()
    assert model.index(4, 1).data(Qt.ItemDataRole.BackgroundRole).color() == box_colours("error")[1]
    assert "no output" in model.index(4, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(4, 4).data() == "invalid"
    assert model.index(6, 5).data() == "—"
    assert model.index(6, 1).data() == "relu2"  # later rows keep their names
    assert model.index(6, 1).data(Qt.ItemDataRole.ForegroundRole).color() == tone(GREYED)
    assert "Total of the 4 valid layer(s)" in totals(tab)
    assert tab.network.copy_pytorch() == ""
    # a bigger input makes the same layer fit again
    type_into(qtbot, tab.findChild(QSpinBox, "spinInH"), 80)
    type_into(qtbot, tab.findChild(QSpinBox, "spinInW"), 80)
    assert not error.isVisible()
    assert model.index(4, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(4, 4).data() == "32×21×21"


def test_unreadable_parameter_text_is_refused(qtbot, tab):
    tab.show_page("network")
    model = tab.network.model
    before = tab.network.save_state()
    assert not model.setData(model.index(0, COL_PARAMS_TEXT), "kernel_size=three")
    message = label(tab, "labelFileMessage")
    assert message.isVisible() and "layer 1 (Conv2d): kernel_size must be an integer" in (
        message.text()
    )
    assert tab.network.save_state() == before


def test_change_type_with_the_combo_delegate(qtbot, tab):
    tab.show_page("network")
    model, view = tab.network.model, tab.network.table
    index = model.index(3, COL_TYPE)  # maxpool1
    view.setCurrentIndex(index)
    view.edit(index)
    combo = view.findChild(QComboBox, "layerTypeEditor")
    assert combo.currentData() == "maxpool2d"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # AvgPool2d follows MaxPool2d in the list
    assert model.index(3, COL_TYPE).data() == "AvgPool2d"
    assert model.index(3, COL_PARAMS_TEXT).data() == "kernel_size=2"  # kernel carried over
    assert "20,586 parameters" in totals(tab)


def test_exports_write_files(qtbot, tab, tmp_path):
    tab.show_page("network")
    tab.network.load_preset("lenet5")
    assert tab.network.export_csv(tmp_path / "lenet.csv")
    rows = list(csv.reader((tmp_path / "lenet.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[-1][1] == "total" and rows[-1][5] == "61706"
    assert "Exported lenet.csv" in label(tab, "labelFileMessage").text()
    assert tab.network.export_markdown(tmp_path / "lenet.md")
    assert "**61,706**" in (tmp_path / "lenet.md").read_text(encoding="utf-8")
    code = tab.network.copy_pytorch()
    assert "nn.Conv2d(1, 6, kernel_size=5)" in code
    assert QGuiApplication.clipboard().text() == code
    assert not tab.network.export_csv(tmp_path / "missing" / "x.csv")
    assert "Could not export" in label(tab, "labelFileMessage").text()


def test_save_button_goes_through_the_path_method(qtbot, tab, tmp_path):
    tab.show_page("network")
    target = tmp_path / "net.json"
    tab.network.ask_save_path = lambda caption, file_filter, suggested: str(target)
    button(tab, "buttonSave").click()
    assert json.loads(target.read_text(encoding="utf-8"))["input_shape"] == [1, 28, 28]
    tab.network.load_preset("vgg16")
    tab.network.ask_open_path = lambda caption, file_filter: str(target)
    button(tab, "buttonLoad").click()
    assert "20,586 parameters" in totals(tab)
    assert "Loaded net.json (11 layers)" in label(tab, "labelFileMessage").text()
    tab.network.undo_stack.undo()
    assert "138,357,544 parameters" in totals(tab)


def test_loading_a_symlink_loop_uses_the_engines_safe_reader(qtbot, tab, tmp_path):
    """The tab reads network files through engine.layers.read_network_file, which refuses
    FIFOs, devices and link loops before opening (a FIFO hung Path.read_text forever)."""
    tab.show_page("network")
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    assert not tab.network.load_network(tmp_path / "a.json")
    assert "symbolic link loop" in label(tab, "labelFileMessage").text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"input_shape": [1, 8, 8], "layers": [{"type": "conv9d"}]}', "unknown layer type"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
    ],
)
def test_loading_a_bad_file_says_why_and_keeps_the_network(qtbot, tab, tmp_path, content, message):
    tab.show_page("network")
    tab.network.load_preset("alexnet")
    before = tab.network.save_state()
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert not tab.network.load_network(path)
    text = label(tab, "labelFileMessage").text()
    assert label(tab, "labelFileMessage").isVisible()
    assert "Could not load bad.json" in text and message in text and "unchanged" in text
    assert tab.network.save_state() == before
    assert not tab.network.load_network(tmp_path / "nope.json")
    assert "Could not load nope.json" in label(tab, "labelFileMessage").text()


# -- state ---------------------------------------------------------------------------------------
def test_save_and_restore_state(qtbot, tab):
    type_into(qtbot, spin(tab, "h"), 32)
    tab.findChild(QComboBox, "comboPaddingMode").setCurrentText("same")
    tab.network.load_preset("lenet5")
    tab.show_page("network")
    state = tab.save_state()
    assert json.loads(json.dumps(state)) == state
    other = LayersTab(context=AppContext())
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.save_state() == state
    assert "61,706 parameters" in totals(other)
    assert spin(other, "h").value() == 32
    assert other.undo_stack().count() == 0


def test_restore_state_ignores_bad_entries(qtbot, tab):
    before = tab.save_state()
    tab.restore_state({"single": {"h": "x", "bias": 3}, "network": {"layers": [{"type": "?"}]}})
    tab.restore_state({"single": None, "network": "zzz", "page": 7})
    tab.restore_state("nonsense")  # type: ignore[arg-type]
    assert tab.save_state() == before


def test_form_editor_edits_the_selected_layer(qtbot, tab):
    tab.show_page("network")
    model, form = tab.network.model, tab.network.form
    select_row(tab, 0)
    assert form.title() == "Layer 1: conv1 (Conv2d)"
    filters = form.fields["out_channels"]
    type_into(qtbot, filters, 8)
    assert model.index(0, COL_PARAMS_TEXT).data() == "out_channels=8, kernel_size=3, padding=1"
    assert model.index(0, 5).data() == "80"  # 8·(3·3·1 + 1)
    kernel = form.findChild(QLineEdit, "field_kernel_size")
    kernel.setFocus()
    kernel.selectAll()
    qtbot.keyClicks(kernel, "5x3")
    qtbot.keyClick(kernel, Qt.Key.Key_Return)
    assert model.layers[0]["kernel_size"] == [5, 3]
    assert model.index(0, 4).data() == "8×26×28"
    kernel.selectAll()
    qtbot.keyClicks(kernel, "big")
    qtbot.keyClick(kernel, Qt.Key.Key_Return)
    assert (
        "kernel_size must be an integer or AxB, got 'big'" in label(tab, "labelFileMessage").text()
    )
    assert model.layers[0]["kernel_size"] == [5, 3]
    tab.network.undo_stack.undo()
    tab.network.undo_stack.undo()
    assert model.index(0, COL_PARAMS_TEXT).data() == "out_channels=16, kernel_size=3, padding=1"


def test_form_editor_for_other_kinds(qtbot, tab):
    tab.show_page("network")
    model, form = tab.network.model, tab.network.form
    select_row(tab, 2)  # relu1
    function = form.findChild(QComboBox, "field_function")
    function.setFocus()
    qtbot.keyClick(function, Qt.Key.Key_Down)
    assert model.index(2, COL_TYPE).data() == "Activation (leaky_relu)"
    select_row(tab, 9)  # dropout1
    p = form.fields["p"]
    p.setValue(0.1)
    assert model.layers[9]["p"] == pytest.approx(0.1)
    select_row(tab, 8)  # flatten: nothing to edit
    assert form.fields == {} and "C×H×W" in form.findChild(QLabel, "labelLayerHelp").text()
    select_row(tab, 1)  # batch norm without affine parameters
    form.fields["affine"].click()
    assert model.index(1, 5).data() == "0"
    assert "20,554 parameters" in totals(tab)  # 20,586 − 2·16


def test_edit_menu_undoes_network_edits(main_window, qtbot):
    from PySide6.QtGui import QAction

    main_window.show_tab("layers")
    page = main_window.page("layers")
    page.show_page("network")
    undo = main_window.findChild(QAction, "actionUndo")
    assert not undo.isEnabled()
    page.network.load_preset("vgg16")
    assert undo.isEnabled() and "138,357,544 parameters" in totals(page)
    undo.trigger()
    assert "20,586 parameters" in totals(page)


def test_one_undo_stack_for_both_pages(qtbot, tab):
    stack = tab.undo_stack()
    type_into(qtbot, spin(tab, "h"), 224)  # typing "224" merges into one step
    type_into(qtbot, spin(tab, "kh"), 5)
    assert stack.count() == 2
    tab.show_page("network")
    tab.network.load_preset("lenet5")
    tab.show_page("single")
    with qtbot.waitSignal(tab.state_changed, timeout=2000):
        stack.undo()
    assert tab.pages.currentWidget() is tab.network  # undo shows what it changed
    assert "20,586 parameters" in totals(tab)
    stack.undo()
    assert tab.pages.currentWidget() is tab.single
    assert spin(tab, "kh").value() == 3 and spin(tab, "h").value() == 224
    stack.undo()
    assert spin(tab, "h").value() == 7
    assert label(tab, "labelFormulaH").text().endswith("= ⌊4/2⌋ + 1 = 3")
    stack.redo()
    assert (
        spin(tab, "h").value() == 224 and "Output: 111 × 3 × 4" in label(tab, "labelOutput").text()
    )


def test_keyboard_shortcuts_in_the_table(qtbot, tab):
    tab.show_page("network")
    model, view = tab.network.model, tab.network.table
    n = model.rowCount()
    select_row(tab, 2)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert model.index(1, COL_TYPE).data() == "Activation (relu)" and tab.network.current_row() == 1
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert model.rowCount() == n - 1
    assert [model.index(r, COL_TYPE).data() for r in range(2)] == ["Conv2d", "BatchNorm2d"]
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert model.index(2, COL_TYPE).data() == "BatchNorm2d"
