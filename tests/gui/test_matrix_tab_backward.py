"""Matrix tab backward pass (issue 14): an editable upstream gradient G, ∂L/∂K = X ⋆ G and
∂L/∂X = G fully convolved with K, explained cell by cell and exported."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import conv_backward, convolve2d, correlate2d, get_filter
from gui.context import AppContext
from gui.matrix_tab import MatrixTab
from gui.matrix_tab.page import DEFAULT_INPUT
from tests.gui.matrix_helpers import shown_matrix_tab, type_into

SOBEL = get_filter("sobel_x").kernel


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot) as page:
        yield page


def backward_on(tab, qtbot):
    qtbot.mouseClick(tab.settings.backward, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.gradient.isVisible)


def test_switch_shows_forward_output_and_both_gradients(tab, qtbot):
    assert tab.gradient.isHidden()
    backward_on(tab, qtbot)
    headings = [p.heading.text() for p in tab.panels]
    assert headings == [
        "Y = X ⋆ Sobel x — 5×5",
        "∂L/∂K = X ⋆ G — 3×3",
        "∂L/∂X = G full-conv K — 7×7",
    ]
    g = tab.gradient.model.values
    assert g.tolist() == np.ones((5, 5), dtype=int).tolist()  # default: all ones
    # independent checks: X ⋆ G (valid, stride 1) and the full convolution of G with K
    np.testing.assert_array_equal(tab.panels[1].model.values, correlate2d(DEFAULT_INPUT, g))
    np.testing.assert_array_equal(tab.panels[2].model.values, convolve2d(np.pad(g, 2), SOBEL))
    assert (
        "X ⋆ G" in tab.outputs_title.text()
        or "Backward pass for Sobel x" in tab.outputs_title.text()
    )


def test_editing_g_and_the_settings_recomputes_the_gradients(tab, qtbot):
    backward_on(tab, qtbot)
    type_into(qtbot, tab.gradient.editor.view, 0, 0, "3")
    g = tab.gradient.model.values
    assert g[0, 0] == 3
    d_k, d_x = conv_backward(DEFAULT_INPUT, SOBEL, g)
    np.testing.assert_array_equal(tab.panels[1].model.values, d_k)
    np.testing.assert_array_equal(tab.panels[2].model.values, d_x)
    qtbot.mouseClick(tab.gradient.pattern_button, Qt.MouseButton.LeftButton)
    assert set(np.unique(tab.gradient.model.values)) <= {-1, 0, 1, 2}
    tab.undo_stack().undo()
    assert tab.gradient.model.values[0, 0] == 3
    tab.settings.stride.setValue(2)  # Y is 3×3 now: G follows
    assert tab.gradient.model.shape == (3, 3)
    g = tab.gradient.model.values
    d_k, d_x = conv_backward(DEFAULT_INPUT, SOBEL, g, stride=2)
    np.testing.assert_array_equal(tab.panels[1].model.values, d_k)
    np.testing.assert_array_equal(tab.panels[2].model.values, d_x)
    tab.settings.set_choice("operation", "convolve")
    d_k, d_x = conv_backward(DEFAULT_INPUT, SOBEL, g, stride=2, operation="convolve")
    np.testing.assert_array_equal(tab.panels[1].model.values, d_k)
    tab.settings.compare_kernel.setCurrentIndex(2)
    assert tab.panels[0].heading.text().startswith("Y = X ∗ Laplacian")


def test_gradient_cells_are_explained_as_sums_of_products(tab, qtbot):
    backward_on(tab, qtbot)
    type_into(qtbot, tab.gradient.editor.view, 1, 1, "2")
    tab.panels[1].select_cell(0, 1)
    text = tab.explain_panel.explanation()
    assert "∂L/∂K[0, 1]" in text
    g = tab.gradient.model.values
    expected = sum(int(g[i, j]) * int(DEFAULT_INPUT[i, j + 1]) for i in range(5) for j in range(5))
    assert text.rstrip().endswith(f"= {expected}")
    assert "G[1, 1] · X[1, 2]" in text
    picture = tab.explain_panel.picture
    assert picture.labels == ("g", "x") and len(picture.cells) == 5
    assert picture.cell_lines(1, 1) == (
        "g 2",
        f"x {DEFAULT_INPUT[1, 2]}",
        f"= {2 * DEFAULT_INPUT[1, 2]}",
    )
    assert tab.input_model.highlighted()[(0, 1)] == "window"
    tab.panels[2].select_cell(0, 0)  # a corner input: one window, weight K[0, 0]
    assert "∂L/∂X[0, 0]" in tab.explain_panel.explanation()
    assert "G[0, 0] · K[0, 0]" in tab.explain_panel.explanation()
    assert picture.labels == ("g", "w") and picture.cells[2][2] is None
    tab.panels[2].select_cell(3, 3)  # the middle input: nine windows
    assert "used by 9 window(s)" in tab.explain_panel.explanation()


def test_backward_worked_solution_and_session_round_trip(tab, qtbot):
    backward_on(tab, qtbot)
    qtbot.mouseClick(tab.gradient.pattern_button, Qt.MouseButton.LeftButton)
    solution = tab.worked_solution("markdown")
    assert "## Upstream gradient G = ∂L/∂Y" in solution
    assert "∂L/∂K[2, 2] = " in solution and "∂L/∂X[6, 6] = " in solution
    assert "Y[4, 4] = " in solution
    state = json.loads(json.dumps(tab.save_state()))
    other = MatrixTab(None, context=AppContext())
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.settings.backward.isChecked()
    np.testing.assert_array_equal(other.gradient.model.values, tab.gradient.model.values)
    np.testing.assert_array_equal(other.panels[2].model.values, tab.panels[2].model.values)
    other.shutdown()
