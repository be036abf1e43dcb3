"""The Train tab's Export menu: weights (.npz + JSON), ONNX per trained model, PyTorch code.

*Export ▸ ONNX…* writes a trained model with :func:`engine.train.export_onnx`; when onnxruntime
is installed the file is run on the validation set right away
(:func:`engine.train.compare_onnx_logits`) and the message states the largest difference of
the logits.  Without the ``onnx`` package the entry is greyed out and says what to install.
*Copy PyTorch code* saves the model's ``.npz`` (asking where) and copies ``nn.Sequential`` code
that loads those weights with ``load_state_dict``
(:func:`engine.layers.pytorch_code` with ``npz_path``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from engine.layers import pytorch_code
from engine.text import format_number
from engine.train import (
    LOGIT_TOLERANCE,
    compare_onnx_logits,
    export_onnx,
    onnx_missing,
    onnxruntime_missing,
    save_model,
)
from gui.services import ExportHost, as_widget
from gui.train_tab.state import SLOT_TITLES, SLOTS

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"
NPZ_FILTER = "NumPy weights (*.npz)"


class ExportActions(QObject):
    """The menu of the tab's *Export* button and what its entries do (the tab is known only as
    a :class:`gui.services.ExportHost`: no import of the page, which imports this module)."""

    def __init__(self, tab: ExportHost) -> None:
        super().__init__(as_widget(tab))
        self.tab = tab
        self.message_box: QMessageBox | None = None
        self.menu = QMenu(tab.export_button)
        self.menu.setObjectName("exportMenu")
        self.weights_action = self._add("Weights and networks (.npz, .json)…", "exportWeights")
        self.weights_action.triggered.connect(tab.export_dialog)
        self.menu.addSeparator()
        self.onnx_actions = {slot: self._add("", f"exportOnnx_{slot}", slot) for slot in SLOTS}
        for action in self.onnx_actions.values():
            action.triggered.connect(self._on_onnx_triggered)
        self.menu.addSeparator()
        self.code_actions = {slot: self._add("", f"copyTorch_{slot}", slot) for slot in SLOTS}
        for action in self.code_actions.values():
            action.triggered.connect(self._on_code_triggered)
        self.menu.aboutToShow.connect(self.refresh)
        tab.export_button.setMenu(self.menu)
        tab.export_button.setToolTip(
            "save the trained models: .npz weights with the network JSON, ONNX files, or "
            "PyTorch code that loads the weights"
        )
        self.refresh()

    def _add(self, text: str, name: str, slot: str = "") -> QAction:
        action = self.menu.addAction(text)
        action.setObjectName(name)
        action.setData(slot)  # bound slots read it: no lambdas holding the tab
        return action

    @Slot()
    def refresh(self) -> None:
        """Entry texts and which are enabled: only trained models; ONNX only with ``onnx``."""
        missing = onnx_missing()
        for slot in SLOTS:
            title, trained = SLOT_TITLES[slot], self.tab.trained(slot)
            onnx = self.onnx_actions[slot]
            if missing:
                onnx.setText(f'ONNX ({title}) — needs: pip install "kernelscope[onnx]"')
                onnx.setToolTip(missing)
            else:
                onnx.setText(f"ONNX ({title})…" if trained else f"ONNX ({title}): not trained")
                onnx.setToolTip("an .onnx file for onnxruntime, checked on the validation set")
            onnx.setEnabled(trained and not missing)
            code = self.code_actions[slot]
            code.setText(
                f"Copy PyTorch code ({title}) with its weights…"
                if trained
                else f"Copy PyTorch code ({title}): not trained"
            )
            code.setEnabled(trained)
        self.menu.setToolTipsVisible(True)

    # -- ONNX ------------------------------------------------------------------------------------
    @Slot()
    def _on_onnx_triggered(self) -> None:
        chosen = self._ask_save_path("Export the {title} as ONNX", ".onnx", ONNX_FILTER)
        if chosen is not None:
            self.export_onnx_to(*chosen)

    def export_onnx_to(self, slot: str, path: str) -> str:
        """Write ``slot``'s trained model to ``path`` as ONNX, compare it in onnxruntime on the
        validation set when installed, and show the outcome; returns the message shown."""
        model = self.tab.models[slot]
        title = SLOT_TITLES[slot]
        if model is None or not self.tab.trained(slot):
            return self._show(f"The {title} is not trained yet: nothing to export.", error=True)
        if not Path(path).suffix:
            path += ".onnx"
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            try:
                written = export_onnx(model, path)
            except ValueError as exc:
                return self._show(f"ONNX export of the {title} failed: {exc}", error=True)
            lines = [
                f"Exported the {title} to {written.path.name} (ONNX opset {written.opset}, "
                f"{written.nodes} operators, {written.size_bytes:,} bytes; input "
                f"{'×'.join(map(str, written.input_shape))}, output “logits”)."
            ]
            lines.append(self._comparison(slot, written.path))
        finally:
            QApplication.restoreOverrideCursor()
        return self._show("\n\n".join(lines), error=False)

    def _comparison(self, slot: str, path: Path) -> str:
        """The sentence about onnxruntime's logits against ours on the validation set."""
        missing = onnxruntime_missing()
        if missing:
            return missing
        x = self.tab.val_x
        if len(x) == 0:
            return "There is no validation set to compare onnxruntime's logits on."
        model = self.tab.models[slot]
        assert model is not None
        try:
            result = compare_onnx_logits(path, model, x)
        except ValueError as exc:
            return f"onnxruntime could not check the file: {exc}"
        verdict = (
            f"within the tolerance of {LOGIT_TOLERANCE:g}"
            if result.same_logits
            else f"MORE than the tolerance of {LOGIT_TOLERANCE:g}"
        )
        return (
            f"onnxruntime on the {result.samples:,} validation images: max |logit difference| "
            f"= {result.max_logit_difference:.2e} ({verdict}; the largest logit is "
            f"{format_number(result.largest_logit)}); same predicted class for "
            f"{result.same_predictions:,} of {result.samples:,}."
        )

    # -- PyTorch ---------------------------------------------------------------------------------
    @Slot()
    def _on_code_triggered(self) -> None:
        caption = "Save the {title}'s weights for the PyTorch code"
        chosen = self._ask_save_path(caption, ".npz", NPZ_FILTER)
        if chosen is not None:
            self.copy_pytorch_to(*chosen)

    def copy_pytorch_to(self, slot: str, npz_path: str) -> str:
        """Save ``slot``'s model to ``npz_path`` and copy PyTorch code loading it to the
        clipboard; returns the code ('' when nothing was copied, the reason shown)."""
        model = self.tab.models[slot]
        title = SLOT_TITLES[slot]
        if model is None or not self.tab.trained(slot):
            self._show(f"The {title} is not trained yet: no weights to copy.", error=True)
            return ""
        if Path(npz_path).suffix.lower() != ".npz":
            npz_path += ".npz"
        try:
            code = pytorch_code(model.summary, f"{slot}_model", npz_path=str(Path(npz_path)))
            save_model(npz_path, model, self.tab.histories[slot])
        except ValueError as exc:
            self._show(f"Could not copy the {title}'s PyTorch code: {exc}", error=True)
            return ""
        QGuiApplication.clipboard().setText(code)
        self.tab.status_label.setText(
            f"PyTorch code for the {title} copied to the clipboard; it loads the weights from "
            f"{Path(npz_path).name} (saved now) with load_state_dict."
        )
        return code

    # -- helpers ---------------------------------------------------------------------------------
    def _sender_slot(self) -> str | None:
        action = self.sender()
        slot = action.data() if isinstance(action, QAction) else None
        return slot if slot in SLOTS else None

    def _ask_save_path(self, caption: str, suffix: str, file_filter: str) -> tuple[str, str] | None:
        """The triggering action's model slot and the file the user chose for it, ``None`` when
        cancelled. ``caption`` names the model as ``{title}``; the file is ``digits_<slot>``."""
        slot = self._sender_slot()
        if slot is None:
            return None
        path, _ = QFileDialog.getSaveFileName(
            as_widget(self.tab),
            caption.format(title=SLOT_TITLES[slot]),
            f"digits_{slot}{suffix}",
            file_filter,
        )
        return (slot, path) if path else None

    def _show(self, text: str, *, error: bool) -> str:
        """The outcome in the status line and in a (non-modal) message box."""
        self.tab.status_label.setText(text.replace("\n\n", " "))
        self.close_message()
        icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
        box = QMessageBox(icon, "Export", text, QMessageBox.StandardButton.Ok, as_widget(self.tab))
        box.setObjectName("exportMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.destroyed.connect(self._on_message_destroyed)
        self.message_box = box
        box.open()
        return text

    @Slot()
    def _on_message_destroyed(self) -> None:
        self.message_box = None

    def close_message(self) -> None:
        """Close the last message box, if any (the tab's shutdown calls this too)."""
        if self.message_box is not None:
            box, self.message_box = self.message_box, None
            box.destroyed.disconnect(self._on_message_destroyed)
            box.close()
