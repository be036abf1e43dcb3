"""Whole-network builder: presets, an editable layer table, totals, undo, files and exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.layers import (
    LAYER_KINDS,
    MAX_INPUT_CHANNELS,
    MAX_INPUT_SIDE,
    PRESETS,
    format_bytes,
    format_jump,
    format_rf,
    format_shape,
    network_from_json,
    network_to_json,
    normalize_layer,
)
from gui.colours import set_box_tone, tone_box
from gui.layers_tab.layer_form import LayerForm
from gui.layers_tab.network_files import NetworkFileActions
from gui.layers_tab.network_model import COL_PARAMS_TEXT, COL_TYPE, LayerTypeDelegate, NetworkModel
from gui.widgets.spin_boxes import int_spin

StatusFn = Callable[[str, int], None]


class _SnapshotCommand(QUndoCommand):
    """Undoable change of the whole network (layers are small: a snapshot is simplest)."""

    MERGE_INPUT_SHAPE = 1

    def __init__(self, panel: NetworkPanel, before: dict, after: dict, text: str, rows: tuple):
        super().__init__(text)
        self._panel, self.before, self.after, self.rows = panel, before, after, rows
        self._merge_id = -1
        self._done = False

    def id(self) -> int:  # noqa: D102 - Qt override
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802, D102 - Qt override
        if not isinstance(other, _SnapshotCommand) or other.id() != self.id():
            return False
        self.after, self.rows = other.after, (self.rows[0], other.rows[1])
        return True

    def redo(self) -> None:  # noqa: D102 - Qt override
        self._panel._apply_snapshot(self.after, self.rows[1])
        if self._done:  # a real redo, not the push: show the page it changes
            self._panel.reveal_requested.emit()
        self._done = True

    def undo(self) -> None:  # noqa: D102 - Qt override
        self._panel._apply_snapshot(self.before, self.rows[0])
        self._panel.reveal_requested.emit()


def _si(value: int) -> str:
    """``714188480`` → ``"714.2 M"``."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{value / factor:.2f} {prefix}"
    return str(value)


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


class NetworkPanel(NetworkFileActions):
    """The network builder.

    Signals
    -------
    edited()
        After any change of the network by the user (including undo/redo).
    reveal_requested()
        Undo/redo changed the network: show this page.
    """

    edited = Signal()
    reveal_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        show_status: StatusFn | None = None,
        undo_stack: QUndoStack | None = None,
    ):
        super().__init__(parent)
        self._show_status = show_status or (lambda _msg, _ms: None)
        self._applying = False
        self.name = ""
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.model = NetworkModel(self._commit_layers, self)
        self.model.edit_failed.connect(self._on_edit_failed)
        self._build()
        self._apply_snapshot({"name": "", "input_shape": [1, 28, 28], "layers": []}, None)
        self.load_preset("small_cnn")
        self.undo_stack.clear()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.addItem("Custom network", "")
        for key, preset in PRESETS.items():
            self.preset_combo.addItem(preset.title, key)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1, preset.source, Qt.ItemDataRole.ToolTipRole
            )
        self.preset_combo.setToolTip("Load a classic network (undoable)")
        self.preset_combo.activated.connect(self._on_preset_activated)
        self.in_spins: list[QSpinBox] = []
        top = QHBoxLayout()
        top.addWidget(QLabel("Preset:"))
        top.addWidget(self.preset_combo, 1)
        top.addSpacing(16)
        top.addWidget(QLabel("Input C × H × W:"))
        for axis, maximum in (
            ("C", MAX_INPUT_CHANNELS),
            ("H", MAX_INPUT_SIDE),
            ("W", MAX_INPUT_SIDE),
        ):
            spin = int_spin(None, f"spinIn{axis}", 1, maximum, 1, f"input {axis} per sample")
            spin.valueChanged.connect(self._on_input_shape_edited)
            self.in_spins.append(spin)
            top.addWidget(spin)
        top.addStretch(1)
        self.undo_button = _button("Undo", "buttonNetworkUndo", "undo the last network edit")
        self.redo_button = _button("Redo", "buttonNetworkRedo", "redo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        top.addWidget(self.undo_button)
        top.addWidget(self.redo_button)

        self.table = QTableView()
        self.table.setObjectName("networkTable")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COL_TYPE, LayerTypeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_PARAMS_TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._update_detail)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        Shortcut = tuple[str, str, str | QKeySequence.StandardKey, Callable[[], object]]
        shortcuts: tuple[Shortcut, ...] = (
            (
                "Remove layer",
                "actionRemoveLayer",
                QKeySequence.StandardKey.Delete,
                self.remove_selected,
            ),
            ("Move layer up", "actionMoveLayerUp", "Alt+Up", lambda: self.move_selected(-1)),
            ("Move layer down", "actionMoveLayerDown", "Alt+Down", lambda: self.move_selected(1)),
        )
        for text, name, shortcut, slot in shortcuts:
            action = QAction(text, self.table)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.table.addAction(action)

        self.add_type_combo = QComboBox()
        self.add_type_combo.setObjectName("addTypeCombo")
        for key, kind in LAYER_KINDS.items():
            self.add_type_combo.addItem(kind.label, key)
        self.add_button = _button("Add layer", "buttonAdd", "insert after the selected row")
        self.remove_button = _button("Remove", "buttonRemove", "remove the selected layer (Delete)")
        self.up_button = _button("Move up", "buttonUp", "move the selected layer up (Alt+Up)")
        self.down_button = _button(
            "Move down", "buttonDown", "move the selected layer down (Alt+Down)"
        )
        self.add_button.clicked.connect(lambda: self.add_layer(self.add_type_combo.currentData()))
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.load_button = _button("Load JSON…", "buttonLoad", "load a saved network")
        self.save_button = _button("Save JSON…", "buttonSave", "save this network")
        self.csv_button = _button("Export CSV…", "buttonExportCsv", "the summary as CSV")
        self.md_button = _button("Export Markdown…", "buttonExportMd", "the summary as a table")
        self.torch_button = _button(
            "Copy PyTorch code", "buttonCopyTorch", "nn.Sequential code for this network"
        )
        self.load_button.clicked.connect(self._on_load_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.csv_button.clicked.connect(lambda: self._on_export_clicked("csv"))
        self.md_button.clicked.connect(lambda: self._on_export_clicked("md"))
        self.torch_button.clicked.connect(self.copy_pytorch)
        edit_row = QHBoxLayout()
        for widget in (self.add_type_combo, self.add_button, self.remove_button):
            edit_row.addWidget(widget)
        edit_row.addWidget(self.up_button)
        edit_row.addWidget(self.down_button)
        edit_row.addStretch(1)
        for widget in (self.load_button, self.save_button, self.csv_button, self.md_button):
            edit_row.addWidget(widget)
        edit_row.addWidget(self.torch_button)

        self.error_label = self._message_label("labelNetworkError")
        self.file_label = self._message_label("labelFileMessage")
        # Boxes tinted from the palette's tones, re-tinted on every theme switch.
        tone_box(self.error_label, "error")
        tone_box(self.file_label, "note")
        self.totals_label = QLabel()
        self.totals_label.setObjectName("labelTotals")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("labelLayerDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = LayerForm()
        self.form.layer_edited.connect(self._on_form_edited)
        self.form.edit_failed.connect(self._on_edit_failed)
        self.form.setMinimumWidth(250)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("networkSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.form)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setCollapsible(0, False)
        splitter.setSizes([1000, 280])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.detail_label)
        layout.addLayout(edit_row)
        layout.addWidget(self.file_label)

    def _message_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        return label

    # -- state and undo ----------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """The network as plain JSON types: ``name``, ``input_shape``, ``layers``."""
        return {
            "name": self.name,
            "input_shape": list(self.model.input_shape),
            "layers": [dict(spec) for spec in self.model.layers],
        }

    def current_row(self) -> int | None:
        """The selected layer row, or ``None``."""
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def _push(self, after: dict[str, Any], text: str, row_after: int | None, merge: int = -1):
        if after == self.save_state():
            return
        command = _SnapshotCommand(
            self, self.save_state(), after, text, (self.current_row(), row_after)
        )
        command._merge_id = merge
        self.undo_stack.push(command)

    def _apply_snapshot(self, snap: dict[str, Any], row: int | None) -> None:
        self._applying = True
        try:
            self.name = snap["name"]
            shape = tuple(snap["input_shape"])
            self.model.set_network(snap["layers"], shape)
            if len(shape) == 3:
                for spin, value in zip(self.in_spins, shape, strict=True):
                    spin.setValue(value)
            for spin in self.in_spins:
                spin.setEnabled(len(shape) == 3)
            preset = self.preset_combo.findText(self.name) if self.name else -1
            self.preset_combo.setCurrentIndex(max(preset, 0))
        finally:
            self._applying = False
        if row is not None and 0 <= row < self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._refresh_labels()
        self.edited.emit()

    def restore_state(self, state: object) -> str:
        """Restore :meth:`save_state` output (the undo history cleared); a state the tab cannot
        hold is not applied at all: returns why ("" when restored)."""
        if not isinstance(state, dict):
            return "" if state is None else "the saved network is not an object"
        try:
            text = network_to_json(state.get("layers", []), tuple(state.get("input_shape", ())))
            doc = network_from_json(text)
        except (ValueError, TypeError) as exc:
            return f"the saved network was not restored: {exc}"
        name = state.get("name", "")
        snap = {"name": name if isinstance(name, str) else "", "input_shape": list(doc.input_shape)}
        snap["layers"] = list(doc.layers)
        self._apply_snapshot(snap, None)
        self.undo_stack.clear()
        return ""

    def _commit_layers(self, layers: list[dict[str, Any]], text: str) -> None:
        after = self.save_state() | {"layers": layers, "name": ""}
        self._push(after, text, self.current_row())
        self.file_label.hide()

    # -- user actions ------------------------------------------------------------------------
    def load_preset(self, key: str) -> None:
        """Replace the network by preset ``key`` (undoable)."""
        preset = PRESETS[key]
        after = {
            "name": preset.title,
            "input_shape": list(preset.input_shape),
            "layers": [normalize_layer(spec) for spec in preset.layers],
        }
        self._push(after, f"Load {preset.title}", 0)

    def add_layer(self, type_key: str, row: int | None = None) -> None:
        """Insert a default layer of ``type_key`` after ``row`` (default: the selected row)."""
        row = self.current_row() if row is None else row
        at = len(self.model.layers) if row is None else row + 1
        layers = [dict(s) for s in self.model.layers]
        layers.insert(at, normalize_layer({"type": type_key}))
        self._push(self.save_state() | {"layers": layers, "name": ""}, "Add layer", at)

    def remove_selected(self) -> None:
        """Remove the selected layer."""
        row = self.current_row()
        if row is None:
            return
        layers = [dict(s) for s in self.model.layers]
        del layers[row]
        keep = min(row, len(layers) - 1) if layers else None
        self._push(self.save_state() | {"layers": layers, "name": ""}, "Remove layer", keep)

    def move_selected(self, delta: int) -> None:
        """Move the selected layer up (``-1``) or down (``+1``)."""
        row = self.current_row()
        if row is None or not 0 <= row + delta < len(self.model.layers):
            return
        layers = [dict(s) for s in self.model.layers]
        layers[row], layers[row + delta] = layers[row + delta], layers[row]
        self._push(self.save_state() | {"layers": layers, "name": ""}, "Move layer", row + delta)

    @Slot(int)
    def _on_preset_activated(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        if key:
            self.load_preset(key)

    @Slot()
    def _on_input_shape_edited(self) -> None:
        if self._applying:
            return
        shape = [spin.value() for spin in self.in_spins]
        after = self.save_state() | {"input_shape": shape}
        self._push(
            after, "Change input shape", self.current_row(), _SnapshotCommand.MERGE_INPUT_SHAPE
        )

    @Slot(int, dict)
    def _on_form_edited(self, row: int, spec: dict) -> None:
        layers = [dict(s) for s in self.model.layers]
        layers[row] = spec
        self._commit_layers(layers, f"Edit layer {row + 1}")

    @Slot(str)
    def _on_edit_failed(self, message: str) -> None:
        self._show_file_message(f"Edit not applied — {message}", error=True)

    # -- labels ------------------------------------------------------------------------------
    def _refresh_labels(self) -> None:
        summary = self.model.summary
        if summary.error is None:
            self.error_label.hide()
        else:
            later = self.model.rowCount() - summary.error.index - 1
            tail = f"; the {later} layer(s) after it are greyed out" if later else ""
            self.error_label.setText(f"⚠ {summary.error.message}{tail}.")
            self.error_label.show()
            self.table.scrollTo(self.model.index(summary.error.index, 0))
        scope = "Total" if summary.valid else f"Total of the {len(summary.rows)} valid layer(s)"
        self.totals_label.setText(
            f"<b>{scope}:</b> {summary.total_params:,} parameters "
            f"({format_bytes(summary.total_params * 4)} at float32) · "
            f"{summary.total_macs:,} MACs ({_si(summary.total_macs)}) · "
            f"activations {format_bytes(summary.total_activation_bytes)} per sample · "
            f"output {format_shape(summary.output_shape)}"
        )
        self._update_detail()

    @Slot()
    def _update_detail(self, *_args: object) -> None:
        row = self.current_row()
        rows = self.model.summary.rows
        if row is None:
            self.form.show_layer(None, None, "")
        else:
            self.form.show_layer(row, self.model.layers[row], self.model.names[row])
        if row is None or row >= len(rows):
            self.detail_label.setText(
                "Select a row to see its arithmetic; double-click a type or parameter cell to edit."
            )
            return
        r = rows[row]
        self.detail_label.setText(
            f"<b>{r.name}</b>: {format_shape(r.input_shape)} → {format_shape(r.output_shape)} · "
            f"params {r.formula} · MACs {r.macs:,} · receptive field "
            f"{format_rf(r.receptive_field)}, jump {format_jump(r.jump)}"
        )

    def _show_file_message(self, text: str, *, error: bool) -> None:
        self.file_label.setText(text)
        set_box_tone(self.file_label, "error" if error else "note")
        self.file_label.show()
        self._show_status(text, 6000)
