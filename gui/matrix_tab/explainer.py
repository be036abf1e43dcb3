"""Explains output and pooled cells of the tab's current result and walks through them (steps).

The explainer reads the one :class:`engine.matrix.MatrixResult` the tab computed; traces come
from it (:meth:`~engine.matrix.MatrixResult.trace`), with the geometry resolved there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QObject

from engine.matrix import MatrixResult, display_values, step_cells
from engine.text import format_number
from gui.matrix_tab import explain
from gui.matrix_tab.explain_panel import ExplainPanel
from gui.matrix_tab.matrix_model import MatrixModel
from gui.matrix_tab.output_panel import OutputPanel
from gui.matrix_tab.window_picture import PictureCell


class CellExplainer(QObject):
    """Keeps the explained cell (the step position), its highlights and the explanation text.

    ``result()`` returns the tab's current result, ``panels()`` its output panels and
    ``input_models()`` the editable input matrices whose window cells are highlighted.
    """

    def __init__(
        self,
        panel: ExplainPanel,
        *,
        result: Callable[[], MatrixResult | None],
        panels: Callable[[], Sequence[OutputPanel]],
        input_models: Callable[[], Sequence[MatrixModel]],
        gradient_model: Callable[[], MatrixModel | None] = lambda: None,
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self._result = result
        self._panels = panels
        self._input_models = input_models
        self._gradient_model = gradient_model
        #: ``(output index, i, j)`` being explained, or None.
        self.focus: tuple[int, int, int] | None = None
        panel.step_requested.connect(self.step)
        panel.channel_spin.valueChanged.connect(self.refresh)

    def connect_panel(self, panel: OutputPanel) -> None:
        """Explain ``panel``'s cells on hover and selection."""
        panel.cell_hovered.connect(lambda p, i, j: self.explain_cell(p, i, j, select=False))
        panel.cell_selected.connect(lambda p, i, j: self.explain_cell(p, i, j, select=True))
        panel.pool_cell_selected.connect(self.explain_pool_cell)

    def refresh(self, *_args) -> None:
        """Re-explain the focused cell after a recompute (or clear it when it is gone)."""
        if self.focus is None:
            return
        p, i, j = self.focus
        result = self._result()
        res = result.outputs[p] if result is not None and p < len(result.outputs) else None
        if (
            res is None
            or res.output is None
            or i >= res.output.shape[0]
            or j >= res.output.shape[1]
        ):
            self.focus = None
            self._clear_highlights()
            self.panel.clear_window()
            self.panel.set_explanation("", "")
            return
        self.explain_cell(p, i, j, select=False, keep_focus=True)

    def _clear_highlights(self) -> None:
        for model in self._input_models():
            model.set_highlight({})
        gradient = self._gradient_model()
        if gradient is not None:
            gradient.set_highlight({})
        for panel in self._panels():
            panel.model.set_highlight({})
            panel.pool_model.set_highlight({})

    def explain_cell(
        self, p: int, i: int, j: int, *, select: bool, keep_focus: bool = False
    ) -> None:
        """Explain output cell (i, j) of output ``p``; ``select`` makes it the step position."""
        result = self._result()
        if result is None or p >= len(result.outputs):
            return
        res = result.outputs[p]
        if res.output is None:
            return
        if select or keep_focus or self.focus is None:
            self.focus = (p, i, j)
        self._clear_highlights()
        panels = self._panels()
        if p < len(panels):
            panels[p].model.set_highlight({(i, j): "focus"})
        cells = step_cells(res.output.shape)
        position = f"cell {cells.index((i, j)) + 1} of {len(cells)}"
        if res.kind != "output":
            self._explain_gradient(result, p, i, j, position)
            return
        if result.layer is not None:
            layer_trace = result.layer_trace(p, i, j)
            spin = self.panel.channel_spin
            spin.blockSignals(True)
            spin.setMaximum(result.x.shape[0] - 1)
            spin.blockSignals(False)
            ch = spin.value()
            first = layer_trace.channels[ch]
            padded, pad, mask, window, tips = explain.window_view(result.x[ch], first)
            self.panel.show_padded(padded, pad, mask, f"Padded input, channel {ch}", window, tips)
            self.panel.show_window(
                first, f"channel {ch}", f"Filter {p}, cell ({i}, {j}): channel {ch}'s share"
            )
            inside = {(t.row, t.col): "window" for t in first.terms if not t.is_padding}
            for model in self._input_models():
                model.set_highlight(inside)
            self.panel.set_explanation(explain.layer_text(layer_trace, result.settings), position)
            return
        trace = result.trace(p, i, j)
        padded, pad, mask, window, tips = explain.window_view(result.x, trace, res.padded)
        geo = trace.geometry
        self.panel.show_padded(
            padded,
            pad,
            mask,
            f"Padded input ({geo.padded_shape[0]}×{geo.padded_shape[1]}) — window of "
            f"{res.name} cell ({i}, {j})",
            window,
            tips,
        )
        self.panel.show_window(trace, f"out[{i}, {j}]", f"{res.name}: window of cell ({i}, {j})")
        models = self._input_models()
        if models:
            models[0].set_highlight(
                {(t.row, t.col): "window" for t in trace.terms if not t.is_padding}
            )
        # tolist(): an exact sum beyond int64 is a Python int in an object array (no .item())
        shown = display_values(np.array([trace.total]), result.display).tolist()[0]
        self.panel.set_explanation(
            explain.cell_text(res.name, trace, result.settings, result.display, shown),
            position,
        )

    def _explain_gradient(self, result: MatrixResult, p: int, i: int, j: int, position: str):
        """Explain cell (i, j) of ∂L/∂K or ∂L/∂X: the G cells and inputs/weights it sums."""
        res = result.outputs[p]
        trace = result.grad_trace(p, i, j)
        assert res.padded is not None  # an output with a gradient has its padded input
        geo = trace.geometry
        top, left = geo.pad[0], geo.pad[2]
        mask = explain.padding_mask(geo)
        gradient = self._gradient_model()
        models = self._input_models()
        used_g = {(t.grad_row, t.grad_col): "window" for t in trace.terms}
        if trace.kind == "kernel":
            oh, ow = geo.output_shape
            grid: list[list[PictureCell | None]] = [[None] * ow for _ in range(oh)]
            tips = {}
            for t in trace.terms:
                grid[t.grad_row][t.grad_col] = PictureCell(t.grad, t.other, t.product, t.is_padding)
                tips[(t.other_row + top, t.other_col + left)] = (
                    f"input ({t.other_row}, {t.other_col}) = {format_number(t.other)} "
                    f"meets weight ({i}, {j}) in window ({t.grad_row}, {t.grad_col}), "
                    f"G = {format_number(t.grad)}"
                )
            window = list(tips)
            self.panel.show_padded(
                res.padded, (top, left), mask,
                f"Padded input — the inputs weight K[{i}, {j}] met (one per window)", window, tips,
            )  # fmt: skip
            self.panel.show_cells(
                grid, trace.total, trace.symbol, "G[i, j] · the input weight (a, b) met there",
                ("g", "x"),
            )  # fmt: skip
            if models:
                models[0].set_highlight(
                    {(t.other_row, t.other_col): "window" for t in trace.terms if not t.is_padding}
                )
        else:
            kh, kw = geo.kernel_shape
            grid = [[None] * kw for _ in range(kh)]
            for t in trace.terms:
                grid[t.other_row][t.other_col] = PictureCell(t.grad, t.other, t.product, False)
            self.panel.show_padded(
                res.padded, (top, left), mask,
                f"Padded input — input cell X[{i}, {j}]", [], {}, focus=(i + top, j + left),
            )  # fmt: skip
            self.panel.show_cells(
                grid, trace.total, trace.symbol,
                "G[i, j] · the weight K[a, b] that met this input (blank: no window)",
                ("g", "w"),
            )  # fmt: skip
            if models:
                models[0].set_highlight({(i, j): "focus"})
        if gradient is not None:
            gradient.set_highlight(used_g)
        self.panel.set_explanation(explain.grad_text(res.name, res.formula, trace), position)

    def explain_pool_cell(self, p: int, i: int, j: int) -> None:
        """Explain pooled cell (i, j) of output ``p`` and highlight its window on the output."""
        result = self._result()
        if result is None or p >= len(result.outputs):
            return
        try:
            trace = result.pool_trace(p, i, j)
        except ValueError:
            return
        self._clear_highlights()
        panels = self._panels()
        panels[p].model.set_highlight({cell: "window" for cell in trace.cells()})
        panels[p].pool_model.set_highlight({(i, j): "focus"})
        self.panel.clear_window()
        self.panel.set_explanation(explain.pool_text(result.outputs[p].name, trace), "")

    def step(self, delta: int) -> None:
        """Move the explained cell forward/back in reading order (step mode)."""
        result = self._result()
        if result is None or not result.outputs:
            return
        p, i, j = self.focus if self.focus is not None else (0, 0, -1 if delta > 0 else 0)
        res = result.outputs[p]
        if res.output is None:
            self.panel.stop()
            return
        cells = step_cells(res.output.shape)
        pos = cells.index((i, j)) if (i, j) in cells else -1
        new = min(max(pos + delta, 0), len(cells) - 1)
        if new == pos and delta > 0:
            self.panel.stop()  # reached the last cell
            return
        self._panels()[p].select_cell(*cells[new])
        if new == len(cells) - 1:
            self.panel.stop()
