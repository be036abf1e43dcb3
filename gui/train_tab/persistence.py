"""Sessions and export of the Train tab (part of :class:`TrainTab`).

A session holds plain JSON: options, the data source, both networks, the trained weights
(base64, see :mod:`gui.train_tab.state`) with their curves, the visible page and experiment
inputs.  Export writes each trained model as ``.npz`` (weights + network JSON + curves, via
:func:`engine.train.save_model`) and the network alone as ``.json`` for the Layer sizes tab;
*Import weights…* reads such an ``.npz`` back into a slot (:func:`engine.train.load_model`),
after checking that it fits the current data.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from engine.layers import network_from_json
from engine.storage import save_text
from engine.train import EpochRecord, History, Model, load_model, save_model
from gui.train_tab.data_source import valid_source
from gui.train_tab.host import TrainTabParts
from gui.train_tab.setup_panel import show_message
from gui.train_tab.state import SLOT_TITLES, SLOTS, decode_trained, encode_trained

STATE_VERSION = 1


def checked_network(data: object) -> dict[str, Any]:
    """A slot's network from a session, checked as a network file is (layer kinds, values,
    the Layer sizes ranges); raises ``ValueError`` saying what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise ValueError("expected an object with a list of layers")
    shape = data.get("input_shape", [1, 8, 8])
    try:
        doc = network_from_json(json.dumps({"input_shape": shape, "layers": data["layers"]}))
    except (TypeError, ValueError) as exc:  # TypeError: values json cannot write
        raise ValueError(str(exc)) from None
    name = data.get("name")
    return {
        "name": name if isinstance(name, str) else "",
        "input_shape": list(doc.input_shape),
        "layers": [dict(layer) for layer in doc.layers],
    }


class PersistenceMixin(TrainTabParts):
    """``save_state`` / ``restore_state`` and export."""

    def save_state(self) -> dict[str, Any]:
        """Everything needed to come back after a restart, as plain JSON types."""
        trained = {
            slot: encode_trained(model, self.histories[slot])
            for slot in SLOTS
            if self.trained(slot) and (model := self.models[slot]) is not None
        }
        source: dict[str, Any] = dict(self.source)
        if self.restoring is not None:
            # Saved while a restored session's data is still loading (an autosave at start-up,
            # or quitting then): keep that session's source and weights, not the stand-in.
            source = dict(self.restoring.get("source") or source)
            pending = self.restoring.get("trained")
            trained = pending if isinstance(pending, dict) else {}
        return {
            "version": STATE_VERSION,
            "options": self.options.to_dict(),
            "source": source,
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
        notes = []
        networks = state.get("networks")
        if isinstance(networks, dict):
            for slot in SLOTS:
                if slot not in networks:
                    continue
                try:
                    self.networks[slot] = checked_network(networks[slot])
                except ValueError as exc:
                    notes.append(f"{SLOT_TITLES[slot]} network: {exc}")
        page = state.get("page")
        if isinstance(page, int) and 0 <= page < self.pages.count():
            self.pages.setCurrentIndex(page)
        self.experiments.restore_state(state.get("experiments"))
        source = state.get("source")
        if isinstance(source, dict) and valid_source(source) and source != self.source:
            # Read in the background (a large folder must not freeze the start); the weights
            # are put back once the data is there, or checked against the old data if it fails.
            self.start_loading(
                source,
                then=lambda ok: self._after_restore_load(ok, state, notes),
                restoring=state,
            )
            return
        if self.loading:  # the session is newer than a load still running
            self.stop_loading()
        self.prepare_data()
        self._restore_trained(state, notes)

    def _after_restore_load(self, ok: bool, state: dict[str, Any], notes: list[str]) -> None:
        if not ok:  # the old data stays: its models, built from the restored networks
            self.prepare_data()
        self._restore_trained(state, notes)

    def _restore_trained(self, state: dict[str, Any], notes: list[str]) -> None:
        """The trained weights of :meth:`restore_state` (they must fit the data now in use)."""
        saved = state.get("trained")
        trained: dict[str, Any] = saved if isinstance(saved, dict) else {}
        for slot in SLOTS:
            if slot not in trained:
                continue
            try:
                model, history = decode_trained(trained[slot])
            except (ValueError, TypeError) as exc:
                notes.append(f"{SLOT_TITLES[slot]} weights: {exc}")
                continue
            fresh = self.models[slot]
            if fresh is None or fresh.network_json() != model.network_json():
                notes.append(f"{SLOT_TITLES[slot]}: saved weights do not fit the current data")
                continue
            self.models[slot] = model
            self.histories[slot] = history or self.histories[slot]
            self.curves.show_history(slot, self.histories[slot])
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

    # -- import ----------------------------------------------------------------------------------
    def import_dialog(self, slot: str) -> None:
        """Ask for an exported ``.npz``, then :meth:`import_model` it into ``slot``."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"Import a trained model into the {SLOT_TITLES[slot]} slot",
            "",
            "KernelScope models (*.npz);;All files (*)",
        )
        if path:
            self.import_model(slot, path)

    def import_model(self, slot: str, path: str) -> bool:
        """Put the model exported to ``path`` (network, weights, curves) into ``slot``.

        A file that cannot be read, is not a model, or does not fit the current data (input
        shape, number of classes) changes nothing; the reason is shown in the slot and the
        status line.  Returns whether the model was imported.
        """
        name = Path(path).name
        try:
            model, history = load_model(path)
        except ValueError as exc:
            why = str(exc).removeprefix("path: ")
            return self._import_refused(slot, f"Could not import {name}: {why}")
        mismatch = self._mismatch(model)
        if mismatch:
            return self._import_refused(
                slot,
                f"{name} does not fit the current data: {mismatch}. Open data like the data it "
                "was trained on, or train this slot afresh.",
            )
        self.stop_worker()
        doc = json.loads(model.network_json())
        self.networks[slot] = {
            "name": str(doc.get("name") or Path(path).stem),
            "input_shape": list(model.input_shape),
            "layers": doc["layers"],
        }
        box = self.slots[slot]
        box.set_network(self.networks[slot], self.input_shape())
        box.show_params(model.n_params)
        from_file = history is not None and bool(history.records)
        if history is None or not history.records:
            history = History([self._evaluated_record(model)])
        self.models[slot] = model
        self.histories[slot] = history
        self.curves.show_history(slot, history)
        self._models_changed()
        now = 100 * self._val_accuracy(model)
        curves = (
            f"{len(history.records)} epochs of curves (validation accuracy "
            f"{100 * history.records[-1].val_accuracy:.1f} % when exported)"
            if from_file
            else "no curves in the file (the point at epoch 0 is measured now)"
        )
        self.status_label.setText(
            f"Imported {name} into the {SLOT_TITLES[slot]} slot: {model.n_params:,} parameters, "
            f"{curves}; validation accuracy on the current data {now:.1f} %."
        )
        self.state_changed.emit()
        return True

    def _import_refused(self, slot: str, message: str) -> bool:
        show_message(self.slots[slot].error_label, message)
        self.status_label.setText(message)
        return False

    def _mismatch(self, model: Model) -> str:
        """What stops ``model`` from running on the current data ("" when it fits)."""
        parts = []
        want = tuple(self.input_shape())
        if tuple(model.input_shape) != want:
            parts.append(
                f"its network takes {'×'.join(map(str, model.input_shape))} inputs "
                f"(channels×height×width), the current images are {'×'.join(map(str, want))}"
            )
        classes = self.dataset.n_classes
        if model.classes != classes:
            parts.append(f"it has {model.classes} output classes, the current data have {classes}")
        return "; ".join(parts)

    def _val_accuracy(self, model: Model) -> float:
        return model.data_loss(self.val_x, self.val_y)[1] if len(self.val_y) else float("nan")

    def _evaluated_record(self, model: Model) -> EpochRecord:
        """A file without curves: one point, "epoch 0", measured on the current data."""
        started = time.perf_counter()
        train_loss, train_acc = model.data_loss(self.train_x, self.train_y)
        val_loss, val_acc = model.data_loss(self.val_x, self.val_y)
        penalty = model.penalty(self.options.lam)
        return EpochRecord(
            0, train_loss, train_acc, val_loss, val_acc, penalty, time.perf_counter() - started
        )
