"""Matrix tab with sums beyond int64 (issue 12 #2): exact numbers shown, explained, no crash."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.gui.matrix_helpers import shown_matrix_tab

EXACT = 9 * 10**24  # nine products of two cell-limit values (1e12 · 1e12)


@pytest.fixture
def tab(qtbot):
    with shown_matrix_tab(qtbot) as page:
        yield page


def test_cell_limit_values_give_exact_outputs_tooltips_and_explanations(tab):
    tab.input_model.apply(np.full((5, 5), 10**12, dtype=np.int64), tab.input_model.title)
    kernel = tab.kernel_models[0]
    kernel.apply(np.full((3, 3), 10**12, dtype=np.int64), kernel.title)
    output = tab.result.outputs[0].output
    assert output.tolist() == [[EXACT] * 3] * 3  # not −412866226847481856
    model = tab.panels[0].model
    assert model.data(model.index(1, 2), Qt.ItemDataRole.DisplayRole) == str(EXACT)
    assert str(EXACT) in model.data(model.index(1, 2), Qt.ItemDataRole.ToolTipRole)
    for _ in range(2):  # the explanation raised AttributeError on every recompute
        tab.explainer.explain_cell(0, 1, 1, select=True)
        tab.recompute()
    text = tab.explainer.panel.text.toPlainText()
    assert f"= {EXACT}" in text
