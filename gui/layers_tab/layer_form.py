"""Form editor for the selected network layer: one widget per parameter of its kind."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from engine.layers import LAYER_KINDS, MAX_LAYER_INT, FieldSpec, parse_layer_params

TEXT_KINDS = ("pair", "padding", "optional_pair", "optional_int")


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return f"{value[0]}x{value[1]}"
    return str(value)


class LayerForm(QGroupBox):
    """Shows the selected layer's parameters as spin boxes, check boxes and text fields.

    Integers use spin boxes, pairs (``3`` or ``3x5``) and padding (``1``, ``valid``, ``same``)
    use text fields that apply on Enter or when focus leaves; an unreadable value is reported
    through :attr:`edit_failed` and not applied.

    Signals
    -------
    layer_edited(int, dict)
        Row and the new, normalised layer spec.
    edit_failed(str)
        Why a value could not be used.
    """

    layer_edited = Signal(int, dict)
    edit_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Selected layer", parent)
        self.setObjectName("layerForm")
        self.form = QFormLayout(self)
        self.help_label = QLabel()
        self.help_label.setObjectName("labelLayerHelp")
        self.help_label.setWordWrap(True)
        self.form.addRow(self.help_label)
        self.fields: dict[str, QWidget] = {}
        self._row: int | None = None
        self._spec: dict[str, Any] | None = None
        self._kind: str | None = None
        self._filling = False
        self.show_layer(None, None, "")

    def show_layer(self, row: int | None, spec: dict[str, Any] | None, name: str) -> None:
        """Show ``spec`` (row ``row``, display ``name``); ``None`` shows a hint."""
        self._row, self._spec = row, spec
        if spec is None:
            self._rebuild(None)
            self.setTitle("Selected layer")
            self.help_label.setText("Select a row to edit its parameters here.")
            return
        kind = LAYER_KINDS[spec["type"]]
        if spec["type"] != self._kind:
            self._rebuild(spec["type"])
        self.setTitle(f"Layer {row + 1 if row is not None else ''}: {name} ({kind.label})")
        self.help_label.setText(kind.help)
        self._filling = True
        try:
            for field in kind.fields:
                self._set_value(field, self.fields[field.name], spec[field.name])
        finally:
            self._filling = False

    def _rebuild(self, type_key: str | None) -> None:
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.fields.clear()
        self._kind = type_key
        if type_key is None:
            return
        for field in LAYER_KINDS[type_key].fields:
            widget = self._make_widget(field)
            widget.setObjectName(f"field_{field.name}")
            widget.setToolTip(field.help)
            self.fields[field.name] = widget
            self.form.addRow(field.name.replace("_", " "), widget)
        if not LAYER_KINDS[type_key].fields:
            self.form.addRow(QLabel("(no parameters)"))

    def _make_widget(self, field: FieldSpec) -> QWidget:
        if field.kind == "int":
            spin = QSpinBox()
            spin.setRange(field.minimum, MAX_LAYER_INT)
            spin.setKeyboardTracking(False)  # typed numbers apply on Enter, arrows at once
            spin.valueChanged.connect(self._apply)
            return spin
        if field.kind == "prob":
            dspin = QDoubleSpinBox()
            dspin.setRange(0.0, 1.0)
            dspin.setSingleStep(0.05)
            dspin.setDecimals(3)
            dspin.setKeyboardTracking(False)
            dspin.valueChanged.connect(self._apply)
            return dspin
        if field.kind == "bool":
            check = QCheckBox()
            check.toggled.connect(self._apply)
            return check
        if field.kind == "choice":
            combo = QComboBox()
            combo.addItems(field.choices)
            combo.activated.connect(self._apply)
            return combo
        line = QLineEdit()
        line.setPlaceholderText(
            {"padding": "p, AxB, valid or same", "optional_pair": "none, k or AxB"}.get(
                field.kind, "k or AxB"
            )
        )
        line.editingFinished.connect(self._apply)
        return line

    def _set_value(self, field: FieldSpec, widget: QWidget, value: Any) -> None:
        if isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentText(str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(_text(value))

    def _value_text(self, widget: QWidget) -> str:
        if isinstance(widget, QSpinBox):
            return str(widget.value())
        if isinstance(widget, QDoubleSpinBox):
            return repr(widget.value())
        if isinstance(widget, QCheckBox):
            return "true" if widget.isChecked() else "false"
        if isinstance(widget, QComboBox):
            return widget.currentText()
        assert isinstance(widget, QLineEdit)
        return widget.text().strip() or "none"

    def _apply(self, *_args: object) -> None:
        if self._filling or self._spec is None or self._row is None:
            return
        text = ", ".join(f"{name}={self._value_text(w)}" for name, w in self.fields.items())
        try:
            spec = parse_layer_params(self._spec["type"], text, f"layer {self._row + 1}")
        except ValueError as exc:
            self.edit_failed.emit(str(exc))
            return
        if "name" in self._spec:
            spec["name"] = self._spec["name"]
        if spec != self._spec:
            self.layer_edited.emit(self._row, spec)
