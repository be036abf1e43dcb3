"""Sessions and export of the Train tab (part of :class:`TrainTab`).

A session holds plain JSON: options, the data source, both networks, the trained weights
(base64, see :mod:`gui.train_tab.state`) with their curves, the visible page and experiment
inputs.  Export writes each trained model as ``.npz`` (weights + network JSON + curves, via
:func:`engine.train.save_model`) and the network alone as ``.json`` for the Layer sizes tab.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from engine.storage import save_text
from engine.train import save_model
from gui.train_tab.data_source import valid_source
from gui.train_tab.state import SLOTS, decode_trained, encode_trained

STATE_VERSION = 1


class PersistenceMixin:
    """``save_state`` / ``restore_state`` and export."""

    def save_state(self) -> dict[str, Any]:
        """Everything needed to come back after a restart, as plain JSON types."""
        trained = {
            slot: encode_trained(self.models[slot], self.histories[slot])
            for slot in SLOTS
            if self.trained(slot)
        }
        return {
            "version": STATE_VERSION,
            "options": self.options.to_dict(),
            "source": dict(self.source),
            "networks": {slot: self.networks[slot] for slot in SLOTS},
            "trained": trained,
            "page": self.pages.currentIndex(),
            "experiments": self.experiments.save_state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`save_state` output; bad or stale parts are skipped with a note."""
        if not isinstance(state, dict):
            return
        self.stop_worker()
        self.options = self.options.updated(state.get("options"))
        self.data_box.set_options(self.options)
        self.options_box.set_options(self.options)
        networks = state.get("networks")
        if isinstance(networks, dict):
            for slot in SLOTS:
                net = networks.get(slot)
                if isinstance(net, dict) and isinstance(net.get("layers"), list):
                    self.networks[slot] = net
        source = state.get("source")
        if valid_source(source) and source != self.source:
            self.load_source(source)  # shows why if the files are gone
        else:
            self.prepare_data()
        notes = []
        trained = state.get("trained")
        for slot in SLOTS if isinstance(trained, dict) else ():
            if slot not in trained:
                continue
            try:
                model, history = decode_trained(trained[slot])
            except (ValueError, TypeError) as exc:
                notes.append(f"{slot.upper()}: {exc}")
                continue
            fresh = self.models[slot]
            if fresh is None or fresh.network_json() != model.network_json():
                notes.append(f"{slot.upper()}: saved weights do not fit the current data")
                continue
            self.models[slot] = model
            self.histories[slot] = history or self.histories[slot]
            self.curves.show_history(slot, self.histories[slot])
        page = state.get("page")
        if isinstance(page, int) and 0 <= page < self.pages.count():
            self.pages.setCurrentIndex(page)
        self.experiments.restore_state(state.get("experiments"))
        self._models_changed()
        if notes:
            self.status_label.setText("Not restored: " + "; ".join(notes))
        elif any(self.trained(s) for s in SLOTS):
            self.status_label.setText("Restored: " + self._trained_summary())

    def export_dialog(self) -> None:
        """Ask for a file name, then :meth:`export_to`."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export trained models", "digits.npz", "NumPy weights (*.npz)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> list[Path]:
        """Write ``<stem>_cnn.npz``/``.json`` and ``<stem>_mlp.npz``/``.json``; return the files."""
        base = Path(path)
        stem = base.stem if base.suffix.lower() == ".npz" else base.name
        written = []
        try:
            for slot in SLOTS:
                model = self.models[slot]
                if model is None or not self.trained(slot):
                    continue
                npz = base.with_name(f"{stem}_{slot}.npz")
                save_model(npz, model, self.histories[slot])
                json_path = base.with_name(f"{stem}_{slot}.json")
                save_text(json_path, model.network_json(f"{stem} {slot}"))
                written += [npz, json_path]
        except (OSError, ValueError) as exc:
            self.status_label.setText(f"Export failed: {exc}")
            return written
        names = ", ".join(p.name for p in written)
        self.status_label.setText(f"Exported {names}" if written else "Nothing trained to export.")
        return written
