"""Matrix tab data flow: one engine call gives one result; explanations and export reuse it."""

from __future__ import annotations

import numpy as np
import pytest

import engine.conv.correlate as correlate_module
import engine.matrix.compute as compute_module
from engine import correlate2d, pool2d
from engine.matrix import MatrixResult
from gui.context import AppContext
from gui.matrix_tab import MatrixTab
from gui.matrix_tab.page import DEFAULT_INPUT
from tests.gui.matrix_helpers import shown_matrix_tab


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot) as page:
        yield page


def test_a_settings_change_resolves_each_kernels_geometry_once(tab, qtbot, monkeypatch):
    # The export tab is visible, so the worked solution (every cell of every output) and the
    # explanation are rebuilt too: they must reuse the result's geometry.
    tab.bottom.setCurrentWidget(tab.solution)
    qtbot.waitUntil(tab.solution.isVisible)
    calls = []
    real = correlate_module.conv_geometry

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(correlate_module, "conv_geometry", counting)
    monkeypatch.setattr(compute_module, "conv_geometry", counting)
    tab.settings.set_choice("padding", "same")
    kernels = len(tab.kernel_models)
    # geometry_for once per kernel, plus correlate2d's own check of its arguments.
    assert len(calls) <= 2 * kernels
    assert isinstance(tab.result, MatrixResult)
    assert "out[6, 6] = " in tab.solution.preview.toPlainText()
    assert "Sobel x: output cell (0, 0)" in tab.explain_panel.explanation()


def test_panels_show_the_results_pooling_and_display_values(tab, qtbot):
    tab.settings.set_choice("display", "abs")
    tab.settings.set_choice("pool", "max")
    tab.settings.pool_size.setValue(2)
    tab.settings.pool_stride.setValue(1)
    res = tab.result.outputs[0]
    expected = correlate2d(DEFAULT_INPUT, tab.kernel_models[0].values)
    np.testing.assert_array_equal(res.output, expected)
    np.testing.assert_array_equal(tab.panels[0].model.shown, np.abs(expected))
    np.testing.assert_array_equal(tab.panels[0].pool_model.values, pool2d(expected, 2, 1, "max"))
    assert "⌊(5 − 2)/1⌋ + 1 = 4" in tab.panels[0].pool_heading.text()
    tab.settings.pool_size.setValue(6)
    assert "does not fit this 5×5 output" in tab.panels[0].pool_heading.text()
    assert tab.panels[0].pool_view.isHidden()


def test_version_one_sessions_still_restore(tab, qtbot):
    state = tab.save_state()
    old = {k: v for k, v in state.items() if k not in ("solver", "solution")}
    old.update(
        version=1,
        solver_target=[[1, 2], [3, 4]],
        solver_size=[2, 2],
        solution_format="latex",
    )
    other = MatrixTab(None, context=AppContext())
    qtbot.addWidget(other)
    other.restore_state(old)
    assert other.solver.target_model.values.tolist() == [[1, 2], [3, 4]]
    assert other.solver.k_rows.value() == 2
    assert other.solution.current_format() == "latex"
    saved = other.save_state()["solver"]
    assert saved == {"target": [[1, 2], [3, 4]], "size": [2, 2], "link": None}
