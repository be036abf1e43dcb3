"""Small readings from issue 13 #12: the parameter ratio and the camera message."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar

from tests.gui.test_layers_tab import label, spin, type_into


@pytest.mark.parametrize(("side", "shown"), [(3, "45×"), (20, "80,200×")])
def test_whole_parameter_ratio_prints_without_a_decimal(main_window, qtbot, side, shown):
    main_window.show_tab("layers")
    tab = main_window.page("layers")
    for name, value in (("kh", 1), ("kw", 1), ("stride", 1), ("c", 1), ("h", side), ("w", side)):
        type_into(qtbot, spin(tab, name), value)
    # 1×1 kernel, one channel, bias: dense = HW·(HW + 1)·N, conv = 2N → ratio HW(HW + 1)/2
    text = label(tab, "labelRatio").text()
    assert f"<b>{shown}</b>" in text and ".0×" not in text


def test_default_ratio_keeps_its_decimal(main_window, qtbot):
    main_window.show_tab("layers")
    assert "<b>47.6×</b>" in label(main_window.page("layers"), "labelRatio").text()


def _visible_texts(window) -> list[str]:
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    texts += [c.currentText() for c in window.findChildren(QComboBox) if c.isVisible()]
    texts += [bar.currentMessage() for bar in window.findChildren(QStatusBar)]
    return texts


def test_no_camera_found_is_said_once(main_window, qtbot, monkeypatch):
    monkeypatch.delenv("KERNELSCOPE_NO_CAMERA", raising=False)  # probe for real (none here)
    main_window.show_tab("gallery")
    page = main_window.page("gallery")
    qtbot.waitUntil(page.source_bar.refresh_button.isVisible)
    page.source_bar.refresh_button.click()
    qtbot.waitUntil(lambda: page.source_bar.camera_combo.currentText() == "no camera found")
    said = [t for t in _visible_texts(main_window) if "no camera" in t.lower()]
    assert len(said) == 1, said


def test_gallery_errors_reach_the_status_bar_only_while_the_tab_is_hidden(main_window, qtbot):
    page = main_window.page("gallery")
    main_window.show_tab("gallery")
    qtbot.waitUntil(page.isVisible)
    page.open_image("/no/such/picture.png")
    assert "Could not open image" in page.status_strip.message_label.text()
    assert "Could not open image" not in main_window.statusBar().currentMessage()
    main_window.show_tab("loss")
    qtbot.waitUntil(lambda: not page.isVisible())
    page.open_image("/no/such/other.png")
    assert "Could not open image" in main_window.statusBar().currentMessage()
