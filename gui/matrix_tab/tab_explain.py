"""Explaining output and pooled cells, highlights, and step mode for the Matrix tab."""

from __future__ import annotations

import numpy as np

from engine.conv.layer import trace_layer_cell
from engine.conv.pooling import trace_pool_cell
from engine.matrix.compute import display_values, explain_output_cell, step_cells
from gui.matrix_tab import explain


class ExplainMixin:
    """Mixed into :class:`MatrixTab`: hover/select explanations and step playback."""

    # --- explaining ----------------------------------------------------------------------------
    def _refresh_focus(self) -> None:
        if self._focus is None:
            return
        p, i, j = self._focus
        res = self._results[p] if p < len(self._results) else None
        if (
            res is None
            or res.output is None
            or i >= res.output.shape[0]
            or j >= res.output.shape[1]
        ):
            self._focus = None
            self._clear_highlights()
            self.explain_panel.set_explanation("", "")
            return
        self.explain_cell(p, i, j, select=False, keep_focus=True)

    def _clear_highlights(self) -> None:
        self.input_model.set_highlight({})
        for model in self.layer_panel.channel_models:
            model.set_highlight({})
        for panel in self.panels:
            panel.model.set_highlight({})

    def explain_cell(
        self, p: int, i: int, j: int, *, select: bool, keep_focus: bool = False
    ) -> None:
        """Explain output cell (i, j) of panel ``p``; ``select`` makes it the step position."""
        if p >= len(self._results):
            return
        res = self._results[p]
        if res.output is None:
            return
        if select or keep_focus or self._focus is None:
            self._focus = (p, i, j)
        settings = self.settings.conv_settings()
        self._clear_highlights()
        cells = step_cells(res.output.shape)
        position = f"cell {cells.index((i, j)) + 1} of {len(cells)}"
        if self.layer_mode():
            x, w, bias = self.layer_panel.arrays()
            trace = trace_layer_cell(
                x,
                w,
                bias,
                p,
                i,
                j,
                **settings.operation_kwargs(),
            )
            spin = self.explain_panel.channel_spin
            spin.blockSignals(True)
            spin.setMaximum(x.shape[0] - 1)
            spin.blockSignals(False)
            ch = spin.value()
            first = trace.channels[ch]
            padded, pad, mask, window, tips = explain.window_view(x[ch], first)
            self.explain_panel.show_padded(
                padded, pad, mask, f"Padded input, channel {ch}", window, tips
            )
            inside = {(t.row, t.col): "window" for t in first.terms if not t.is_padding}
            for c in range(x.shape[0]):
                self.layer_panel.channel_models[c].set_highlight(inside)
            self.explain_panel.set_explanation(explain.layer_text(trace, settings), position)
            return
        x = self.input_model.values
        trace = explain_output_cell(x, res.kernel, i, j, settings)
        padded, pad, mask, window, tips = explain.window_view(x, trace)
        geo = trace.geometry
        self.explain_panel.show_padded(
            padded,
            pad,
            mask,
            f"Padded input ({geo.padded_shape[0]}×{geo.padded_shape[1]}) — window of "
            f"{res.name} cell ({i}, {j})",
            window,
            tips,
        )
        self.input_model.set_highlight(
            {(t.row, t.col): "window" for t in trace.terms if not t.is_padding}
        )
        display = self.settings.display.currentData()
        # tolist(): an exact sum beyond int64 is a Python int in an object array (no .item())
        shown = display_values(np.array([trace.total]), display).tolist()[0]
        self.explain_panel.set_explanation(
            explain.cell_text(res.name, trace, settings, display, shown), position
        )

    def explain_pool_cell(self, p: int, i: int, j: int) -> None:
        """Explain pooled cell (i, j) of panel ``p`` and highlight its window on the output."""
        pooling = self.settings.pooling()
        if pooling is None or p >= len(self._results) or self._results[p].output is None:
            return
        mode, size, stride = pooling
        res = self._results[p]
        try:
            trace = trace_pool_cell(res.output, i, j, size, stride, mode)
        except ValueError:
            return
        self._clear_highlights()
        self.panels[p].model.set_highlight({cell: "window" for cell in trace.cells()})
        self.explain_panel.set_explanation(explain.pool_text(res.name, trace), "")

    def step(self, delta: int) -> None:
        """Move the explained cell forward/back in reading order (step mode)."""
        if not self._results:
            return
        p, i, j = self._focus if self._focus is not None else (0, 0, -1 if delta > 0 else 0)
        res = self._results[p]
        if res.output is None:
            self.explain_panel.stop()
            return
        cells = step_cells(res.output.shape)
        pos = cells.index((i, j)) if (i, j) in cells else -1
        new = min(max(pos + delta, 0), len(cells) - 1)
        if new == pos and delta > 0:
            self.explain_panel.stop()  # reached the last cell
            return
        self.panels[p].select_cell(*cells[new])
        if new == len(cells) - 1:
            self.explain_panel.stop()
