"""Every user-input path ends in a clear message (issue 12 #6 #8 #11): huge numbers, deep JSON,
over-long file names, huge CSV files and numbers a spin box cannot hold — in the real tabs."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from engine.storage import SESSION_KIND, write_document
from gui.loss_tab.ridge_data import MAX_RIDGE_ROWS

LONG = "x" * 300  # one path component of 300 bytes; file systems allow 255


def test_a_five_thousand_digit_number_in_a_cell_is_refused_with_a_message(main_window, qtbot):
    tab = main_window.page("matrix")
    main_window.show_tab("matrix")
    view = tab.input_editor.view
    before = tab.input_model.values.copy()
    index = view.model().index(1, 1)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index)
    editor.selectAll()
    editor.insert("9" * 5000)  # Python's int() refuses more than 4,300 digits (a ValueError)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)
    assert "row 1, column 1" in tab.input_editor.error_text()
    assert np.array_equal(tab.input_model.values, before)
    assert main_window.errors.dialog is None  # a message, not the crash dialog


def test_a_network_file_nested_100000_deep_is_refused_with_a_message(main_window, tmp_path):
    network = main_window.page("layers").network
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert not network.load_network(path)
    assert "nested too deeply" in network.file_label.text()


def test_a_network_file_with_numbers_no_spin_box_can_hold_is_refused(main_window, tmp_path):
    network = main_window.page("layers").network
    shape_before = [spin.value() for spin in network.in_spins]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"input_shape": [10**9, 32, 32], "layers": []}))
    assert not network.load_network(path)
    assert "C = 1000000000" in network.file_label.text()
    assert [spin.value() for spin in network.in_spins] == shape_before  # nothing half-applied
    path.write_text(json.dumps({"input_shape": [3, 32, 32], "layers": []}))
    assert network.load_network(path)  # the next load works: no stale error in the undo stack
    stack = main_window.page("layers").undo_stack()
    stack.undo()
    assert [spin.value() for spin in network.in_spins] == shape_before


def test_over_long_file_names_give_messages_on_every_path(main_window, tmp_path):
    menus = main_window.menus
    assert not menus.open_image(tmp_path / f"{LONG}.png")
    strip = main_window.page("gallery").status_strip.message_label.text()
    assert "at most 255 bytes" in strip
    assert not menus.open_session(tmp_path / f"{LONG}.json")
    assert "at most 255 bytes" in main_window.message_bar.label.text()
    assert not menus.save_session_as(tmp_path / f"{LONG}.json")
    status = main_window.statusBar().currentMessage()
    assert "file names can be at most 255 bytes" in status and ".tmp" not in status
    network = main_window.page("layers").network
    assert not network.load_network(tmp_path / f"{LONG}.json")
    assert "at most 255 bytes" in network.file_label.text()
    data_box = main_window.page("loss").ridge_panel.data_box
    assert not data_box.load_csv(tmp_path / f"{LONG}.csv")
    assert "at most 255 bytes" in data_box.csv_error.text()
    assert main_window.errors.dialog is None


def _csv(path, rows):
    rng = np.random.default_rng(0)
    values = rng.random((rows, 2))
    np.savetxt(path, values, fmt="%.6f", delimiter=",", header="x,y", comments="")
    return path


def test_a_million_row_csv_is_refused_before_parsing_and_a_fair_size_loads(main_window, tmp_path):
    data_box = main_window.page("loss").ridge_panel.data_box
    assert not data_box.load_csv(_csv(tmp_path / "million.csv", 1_000_000))
    assert "this panel reads at most 2 MB" in data_box.csv_error.text()
    assert not data_box.load_csv(_csv(tmp_path / "many.csv", MAX_RIDGE_ROWS + 5_000))
    assert f"at most {MAX_RIDGE_ROWS:,}" in data_box.csv_error.text()
    assert data_box.load_csv(_csv(tmp_path / "fair.csv", MAX_RIDGE_ROWS))
    assert data_box.csv_label.text() == f"fair.csv: {MAX_RIDGE_ROWS} rows"


def test_a_session_with_numbers_no_spin_box_can_hold_says_what_was_skipped(main_window, tmp_path):
    data = main_window.sessions.collect()
    layers = data["tabs"]["layers"]
    layers["single"]["filters"] = 2**31
    layers["network"]["input_shape"] = [10**9, 32, 32]
    data["tabs"]["gallery"]["custom_kernels"] = [
        {"name": f"k{n}", "weights": [[1, 0], [0, 1]]} for n in range(20_000)
    ]
    path = tmp_path / "huge.json"
    write_document(path, SESSION_KIND, 1, data)
    assert main_window.menus.open_session(path)
    for key in ("layers", "gallery"):
        main_window.page(key)  # built (a pending tab restores when it is built)
    status = main_window.statusBar().currentMessage()
    assert "filters = 2147483648" in status
    assert "C = 1000000000" in status
    assert "19,968 saved custom kernels skipped (the gallery holds at most 32" in status
    single = main_window.page("layers").single
    assert single.save_state()["filters"] != 2**31
    network = main_window.page("layers").network
    assert [spin.value() for spin in network.in_spins] != [10**9, 32, 32]
    assert len(main_window.page("gallery").pipeline.custom_kernels()) <= 32


def test_a_session_with_matrix_values_beyond_the_typing_limit_keeps_the_matrix(
    main_window, tmp_path
):
    data = main_window.sessions.collect()
    tab = main_window.page("matrix")
    before = tab.input_model.values.copy()
    for value in (3e18, 2**64 - 1):
        data["tabs"]["matrix"]["input"][0][0] = value
        path = tmp_path / "values.json"
        write_document(path, SESSION_KIND, 1, data)
        assert main_window.menus.open_session(path)
        assert "the limit for typed cells" in main_window.statusBar().currentMessage()
        assert np.array_equal(tab.input_model.values, before)


def test_a_session_kernel_beyond_the_typing_limit_is_skipped_with_a_message(main_window, tmp_path):
    data = main_window.sessions.collect()
    tab = main_window.page("matrix")
    kernels = data["tabs"]["matrix"]["kernels"]
    kernels.append({"name": "Huge", "values": [[3e18, 0], [0, 1]]})
    path = tmp_path / "kernel.json"
    write_document(path, SESSION_KIND, 1, data)
    assert main_window.menus.open_session(path)
    message = main_window.statusBar().currentMessage()
    assert "kernel 'Huge'" in message and "the limit for typed cells" in message
    assert len(tab.save_state()["kernels"]) == len(kernels) - 1


def test_matrix_settings_no_spin_box_can_hold_are_skipped_and_the_rest_restores(
    main_window, tmp_path
):
    data = main_window.sessions.collect()
    saved = data["tabs"]["matrix"]
    saved["settings"].update(padding="custom", custom_pad=2**40, stride=2**31, dilation=2)
    saved["input"] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    saved["kernels"] = [{"name": "Mine", "values": [[1, 0], [0, -1]]}]
    saved["layer"]["channels"] = float("inf")  # int(inf) raises OverflowError too
    path = tmp_path / "settings.json"
    write_document(path, SESSION_KIND, 1, data)
    assert main_window.menus.open_session(path)
    tab = main_window.page("matrix")
    status = main_window.statusBar().currentMessage()
    assert "OverflowError" not in status and "could not restore" not in status
    assert "custom padding 1,099,511,627,776 is outside 0…16" in status
    assert "stride 2,147,483,648 is outside 1…8" in status
    assert tab.input_model.values.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]  # kept, not lost
    assert [k["name"] for k in tab.save_state()["kernels"]] == ["Mine"]
    settings = tab.save_state()["settings"]
    assert (settings["padding"], settings["dilation"]) == ("custom", 2)
    assert settings["custom_pad"] <= 16 and settings["stride"] <= 8
