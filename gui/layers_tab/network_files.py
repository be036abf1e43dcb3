"""File actions of the network builder: JSON save/load, CSV/Markdown export, PyTorch code.

Each action has a path-taking method (``save_network(path)`` …) that tests and other code call
directly; the buttons only ask for the path first through :meth:`ask_save_path` /
:meth:`ask_open_path`, which a subclass or a test can replace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from engine.layers import (
    network_to_json,
    pytorch_code,
    read_network_file,
    summary_to_csv,
    summary_to_markdown,
)
from engine.storage import save_text

if TYPE_CHECKING:
    from gui.layers_tab.network_model import NetworkModel

JSON_FILTER = "KernelScope network (*.json);;All files (*)"


class NetworkFileActions(QWidget):
    """Base of :class:`~gui.layers_tab.network_panel.NetworkPanel` holding its file actions.

    The panel provides ``model``, ``name``, ``_push`` and ``_show_file_message``.
    """

    model: NetworkModel
    name: str
    _push: Callable[..., None]
    _show_file_message: Callable[..., None]

    def ask_save_path(self, caption: str, file_filter: str, suggested: str) -> str:
        """Ask for a file to write ('' if cancelled); tests call the path methods directly."""
        path, _ = QFileDialog.getSaveFileName(self, caption, suggested, file_filter)
        return path

    def ask_open_path(self, caption: str, file_filter: str) -> str:
        """Ask for a file to read ('' if cancelled)."""
        path, _ = QFileDialog.getOpenFileName(self, caption, "", file_filter)
        return path

    def _suggested(self, suffix: str) -> str:
        stem = "".join(ch if ch.isalnum() else "_" for ch in (self.name or "network")).strip("_")
        return f"{stem or 'network'}{suffix}"

    def save_network(self, path: str | Path) -> bool:
        """Write the network as JSON (atomically); report the result under the table."""
        try:
            text = network_to_json(self.model.layers, self.model.input_shape, self.name)
            save_text(path, text)
        except (OSError, ValueError) as exc:
            self._show_file_message(f"Could not save {path}: {exc}", error=True)
            return False
        self._show_file_message(f"Saved {Path(path).name}", error=False)
        return True

    def load_network(self, path: str | Path) -> bool:
        """Read a network saved as JSON; on any problem say why and keep the current network."""
        try:
            doc = read_network_file(path)  # refuses FIFOs/devices before opening (would hang)
        except (OSError, ValueError) as exc:
            self._show_file_message(
                f"Could not load {Path(path).name}: {str(exc).rstrip('.')}. "
                "The current network is unchanged.",
                error=True,
            )
            return False
        after = {"name": doc.name, "input_shape": list(doc.input_shape), "layers": list(doc.layers)}
        self._push(after, f"Load {Path(path).name}", 0)
        self._show_file_message(f"Loaded {Path(path).name} ({len(doc.layers)} layers)", error=False)
        return True

    def export_csv(self, path: str | Path) -> bool:
        """Write the summary as CSV."""
        return self._export(path, summary_to_csv(self.model.summary))

    def export_markdown(self, path: str | Path) -> bool:
        """Write the summary as a Markdown table."""
        return self._export(path, summary_to_markdown(self.model.summary, self.name))

    def _export(self, path: str | Path, text: str) -> bool:
        try:
            save_text(path, text)
        except OSError as exc:
            self._show_file_message(f"Could not export to {path}: {exc}", error=True)
            return False
        self._show_file_message(f"Exported {Path(path).name}", error=False)
        return True

    def copy_pytorch(self) -> str:
        """Copy ``nn.Sequential`` code for the network to the clipboard; '' if invalid."""
        try:
            code = pytorch_code(self.model.summary, self.name or "model")
        except ValueError as exc:
            self._show_file_message(str(exc), error=True)
            return ""
        QGuiApplication.clipboard().setText(code)
        self._show_file_message("PyTorch code copied to the clipboard", error=False)
        return code

    @Slot()
    def _on_save_clicked(self) -> None:
        path = self.ask_save_path("Save network", JSON_FILTER, self._suggested(".json"))
        if path:
            self.save_network(path)

    @Slot()
    def _on_load_clicked(self) -> None:
        path = self.ask_open_path("Load network", JSON_FILTER)
        if path:
            self.load_network(path)

    def _on_export_clicked(self, kind: str) -> None:
        file_filter = "CSV (*.csv)" if kind == "csv" else "Markdown (*.md)"
        path = self.ask_save_path("Export summary", file_filter, self._suggested(f".{kind}"))
        if path:
            (self.export_csv if kind == "csv" else self.export_markdown)(path)
