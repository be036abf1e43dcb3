"""save_state / restore_state of the Matrix & kernel tab (plain JSON types only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.matrix.parse import as_exact

STATE_VERSION = 1


def _matrix(value: Any, max_side: int) -> np.ndarray | None:
    """A finite numeric 2-D list within ``max_side``, or None."""
    try:
        arr = np.array(value)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2 or arr.size == 0 or arr.dtype.kind not in "iuf":
        return None
    if max(arr.shape) > max_side or not np.all(np.isfinite(arr)):
        return None
    return as_exact(arr)


class TabStateMixin:
    """Mixed into :class:`MatrixTab`: sessions save matrices, kernels and settings."""

    def save_state(self) -> dict[str, Any]:
        """Matrices, kernels (name and values), settings, the layer and the solver target."""
        return {
            "version": STATE_VERSION,
            "settings": self.settings.save_state(),
            "input": self.input_model.values.tolist(),
            "kernels": [{"name": m.title, "values": m.values.tolist()} for m in self.kernel_models],
            "layer": self.layer_panel.save_state(),
            "solver_target": self.solver.target_model.values.tolist(),
            "solver_size": [self.solver.k_rows.value(), self.solver.k_cols.value()],
            "solution_format": self.solution.current_format(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; missing or bad entries keep the current value.

        Restoring is not an undoable edit: the undo stack is cleared afterwards.
        """
        if not isinstance(state, dict):
            return
        self.explain_panel.stop()
        self._updating = True
        try:
            settings = state.get("settings")
            if isinstance(settings, dict):
                self.settings.restore_state(settings)
            values = _matrix(state.get("input"), 64)
            if values is not None:
                self.input_model.apply(values, self.input_model.title)
            kernels = []
            for item in state.get("kernels") or []:
                if isinstance(item, dict):
                    k = _matrix(item.get("values"), 15)
                    if k is not None:
                        kernels.append((str(item.get("name") or "Kernel"), k))
            if kernels:
                while self.kernel_models:
                    self.remove_item(len(self.kernel_models) - 1)
                for name, k in kernels[:6]:
                    self.insert_item(len(self.kernel_models), self._new_kernel_model(name, k))
            layer = state.get("layer")
            if isinstance(layer, dict):
                self.layer_panel.restore_state(layer)
            target = _matrix(state.get("solver_target"), 64)
            if target is not None:
                self.solver.target_model.apply(target, self.solver.target_model.title)
            size = state.get("solver_size")
            if isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) for v in size):
                self.solver.k_rows.setValue(size[0])
                self.solver.k_cols.setValue(size[1])
            fmt = state.get("solution_format")
            if isinstance(fmt, str) and self.solution.format.findData(fmt) >= 0:
                self.solution.set_format(fmt)
        finally:
            self._updating = False
        self._stack.clear()
        self._settings_state = None  # restoring is not an undoable settings change
        self._on_settings_changed()
