"""Table model of the network builder: one row per layer, results from ``engine.summarize``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from engine.layers import (
    LAYER_KINDS,
    NetworkSummary,
    format_bytes,
    format_jump,
    format_layer_params,
    format_rf,
    format_shape,
    layer_names,
    normalize_layer,
    parse_layer_params,
    summarize_partial,
)
from gui.colours import box_colours, tone

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS = ("#", "Name", "Layer", "Parameters", "Output", "Params", "MACs", "Memory", "RF", "Jump")
COL_NAME, COL_TYPE, COL_PARAMS_TEXT = 1, 2, 3
NUMERIC = {5, 6, 7}
GREYED = "hint"  # tone of skipped rows: a dimmed text colour that suits the theme

CommitFn = Callable[[list[dict[str, Any]], str], None]


class NetworkModel(QAbstractTableModel):
    """Layers (normalised specs) and their summary.

    Edits made in the view do not change the layers directly: the model builds the new layer
    list and hands it to ``commit`` (the panel pushes it on its undo stack, which calls
    :meth:`set_network`).  A parameter text that cannot be read emits :attr:`edit_failed`.
    """

    edit_failed = Signal(str)
    summary_changed = Signal()

    def __init__(self, commit: CommitFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._commit = commit
        self.layers: list[dict[str, Any]] = []
        self.input_shape: tuple[int, ...] = (1, 28, 28)
        self.summary: NetworkSummary = summarize_partial([], self.input_shape)
        self.names: list[str] = []

    # -- state -------------------------------------------------------------------------------
    def set_network(self, layers: list[dict[str, Any]], input_shape: tuple[int, ...]) -> None:
        """Replace every layer and the input shape, then recompute the summary."""
        self.beginResetModel()
        self.layers = [dict(spec) for spec in layers]
        self.input_shape = tuple(input_shape)
        self.summary = summarize_partial(self.layers, self.input_shape)
        self.names = layer_names(self.layers)
        self.endResetModel()
        self.summary_changed.emit()

    def row_state(self, row: int) -> str:
        """``"ok"``, ``"error"`` (the first invalid layer) or ``"skipped"`` (after it)."""
        error = self.summary.error
        if error is None or row < error.index:
            return "ok"
        return "error" if row == error.index else "skipped"

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """One row per layer."""
        return 0 if parent.isValid() else len(self.layers)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """The columns of :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles and tooltips."""
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                "",
                "layer name (editable)",
                "layer type (double-click to change)",
                "parameters as name=value, … (double-click to edit; pairs as 3x5)",
                "output shape C×H×W per sample",
                "trainable parameters",
                "multiply-accumulates of the weights",
                "output activations at float32",
                "receptive field in input pixels (rows×cols)",
                "jump: input pixels between neighbouring units (cumulative stride)",
            )[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Name, type and parameter cells are editable."""
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (COL_NAME, COL_TYPE, COL_PARAMS_TEXT):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def _row_result(self, row: int):
        return self.summary.rows[row] if row < len(self.summary.rows) else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, edit values, error highlighting and tooltips."""
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        spec = self.layers[row]
        result = self._row_result(row)
        state = self.row_state(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return str(row + 1)
            if col == COL_NAME:
                if role == Qt.ItemDataRole.EditRole:
                    return spec.get("name", "")
                return self.names[row]
            if col == COL_TYPE:
                return spec["type"] if role == Qt.ItemDataRole.EditRole else _type_label(spec)
            if col == COL_PARAMS_TEXT:
                return format_layer_params(spec)
            if result is None:
                return "invalid" if (state == "error" and col == 4) else "—"
            return _result_cell(result, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and state == "error":
            return QBrush(box_colours("error")[1])  # the error boxes' tint: follows the theme
        if role == Qt.ItemDataRole.ForegroundRole and state == "skipped":
            return QBrush(tone(GREYED))  # looked up now: follows View ▸ Theme
        if role == Qt.ItemDataRole.ForegroundRole and state == "error":
            return QBrush(box_colours("error")[0])
        if role == Qt.ItemDataRole.FontRole and state == "skipped":
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if state == "error" and self.summary.error is not None:
                return self.summary.error.message
            if state == "skipped":
                return "not computed: an earlier layer makes the shape invalid"
            if col == COL_PARAMS_TEXT:
                kind = LAYER_KINDS[spec["type"]]
                lines = [f"{f.name}: {f.help} (default {f.default})" for f in kind.fields]
                return "\n".join([kind.help] + lines)
            if result is not None:
                return f"{result.name}: params {result.formula}"
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Turn an edit into a new layer list and pass it to ``commit``; refuse unreadable text."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row, col = index.row(), index.column()
        old = self.layers[row]
        where = f"layer {row + 1}"
        try:
            if col == COL_NAME:
                new = dict(old)
                text = str(value).strip()
                if text:
                    new["name"] = text
                else:
                    new.pop("name", None)
                what = "Rename layer"
            elif col == COL_TYPE:
                new = retype_layer(old, str(value))
                what = "Change layer type"
            elif col == COL_PARAMS_TEXT:
                new = parse_layer_params(old["type"], str(value), where)
                if "name" in old and "name" not in new:
                    new["name"] = old["name"]
                what = "Edit layer parameters"
            else:
                return False
        except ValueError as exc:
            self.edit_failed.emit(str(exc))
            return False
        if new == old:
            return False
        layers = list(self.layers)
        layers[row] = new
        self._commit(layers, f"{what} {row + 1}")
        return True


def retype_layer(spec: dict[str, Any], type_key: str) -> dict[str, Any]:
    """A layer of type ``type_key`` that keeps ``spec``'s compatible fields (kernel, stride…)."""
    if type_key == spec["type"]:
        return dict(spec)
    kind = LAYER_KINDS[type_key]
    carried = {"type": type_key}
    if "name" in spec:
        carried["name"] = spec["name"]
    for field in kind.fields:
        if field.name in spec:
            trial = dict(carried, **{field.name: spec[field.name]})
            try:
                normalize_layer(trial)
            except ValueError:
                continue
            carried = trial
    return normalize_layer(carried)


def _type_label(spec: dict[str, Any]) -> str:
    if spec["type"] == "activation":
        return f"Activation ({spec['function']})"
    return LAYER_KINDS[spec["type"]].label


def _result_cell(result: Any, col: int) -> str:
    if col == 4:
        return format_shape(result.output_shape)
    if col == 5:
        return f"{result.params:,}"
    if col == 6:
        return f"{result.macs:,}"
    if col == 7:
        return format_bytes(result.activation_bytes)
    if col == 8:
        return format_rf(result.receptive_field)
    return format_jump(result.jump)


class LayerTypeDelegate(QStyledItemDelegate):
    """A combo box of layer types for the "Layer" column."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        """A combo listing every layer kind."""
        del option, index
        combo = QComboBox(parent)
        combo.setObjectName("layerTypeEditor")
        for key, kind in LAYER_KINDS.items():
            combo.addItem(kind.label, key)
            combo.setItemData(combo.count() - 1, kind.help, Qt.ItemDataRole.ToolTipRole)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:  # noqa: N802
        """Select the row's current type."""
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: Any, index: ModelIndex) -> None:  # noqa: N802
        """Write the chosen type key back to the model."""
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
