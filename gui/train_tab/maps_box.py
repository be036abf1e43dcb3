"""Feature maps of one validation digit after every layer, sized to fit their view."""

from __future__ import annotations

from typing import cast

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.loss import softmax
from engine.train import Model
from gui.train_tab.draw_panel import ProbabilityBars
from gui.train_tab.pixmaps import feature_grid, gray_pixmap, scaled_gray_pixmap

#: Feature-map pictures: at least / at most this many pixels wide.
MAP_MIN_PX = 32
MAP_MAX_PX = 150
#: The last layer's bars (a compact ProbabilityBars) are at least this wide and tall.
BARS_MIN = (70, 60)
#: Space left and right of each map in its cell.
CELL_MARGIN = 1


def plan_grid(
    width: int,
    height: int,
    *,
    caption_height: int,
    caption_widths: list[int],
    bars: list[bool],
    spacing: int,
) -> tuple[int, int]:
    """Picture size and pictures per row for the maps grid in a ``width``×``height`` view.

    The largest picture size at which every column (as wide as its picture or its widest
    caption) and every row (the last layer's bars are at least ``BARS_MIN`` in size) fit; when
    none fits even at ``MAP_MIN_PX``, the layout that comes closest (the view then scrolls).
    """
    n = len(caption_widths)
    width, height = max(120, width), max(80, height)
    fitting: tuple[float, int] | None = None
    closest: tuple[float, int] = (-1.0, 1)
    for per_row in range(1, n + 1):
        rows = -(-n // per_row)
        px = min(float(MAP_MAX_PX), width / per_row - 10, height / rows - caption_height)
        if any(bars) and rows > 1 and px < BARS_MIN[1]:
            # the bars' row is BARS_MIN tall whatever px is: the other rows share the rest
            px = min(px, (height - rows * caption_height - BARS_MIN[1]) / (rows - 1))
        if px > closest[0]:
            closest = (px, per_row)
        if px < MAP_MIN_PX:
            continue
        columns = [
            max(
                max(caption_widths[i], (max(px, BARS_MIN[0]) if bars[i] else px)) + 2 * CELL_MARGIN
                for i in range(column, n, per_row)
            )
            for column in range(min(per_row, n))
        ]
        if sum(columns) + spacing * (len(columns) - 1) <= width and (
            fitting is None or px > fitting[0]
        ):
            fitting = (px, per_row)
    px, per_row = fitting if fitting is not None else closest
    return int(max(MAP_MIN_PX, px)), per_row


class FeatureMapsBox(QGroupBox):
    """Pick a validation digit; see the input and each layer's output for one model.

    Signals
    -------
    digit_to_canvas(object)
        The selected digit ``(H, W)``, to draw on.
    """

    digit_to_canvas = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Feature maps of one digit", parent)
        self.setObjectName("featureMapsBox")
        self.model: Model | None = None
        self.predictions: np.ndarray | None = None
        self.images = np.zeros((0, 8, 8), dtype=np.float32)
        self.labels = np.zeros(0, dtype=np.int64)
        self.class_names: tuple[str, ...] = ()
        self.digit_spin = QSpinBox()
        self.digit_spin.setObjectName("digitIndex")
        self.digit_spin.setPrefix("validation #")
        self.digit_spin.valueChanged.connect(lambda _v: self._update_maps())
        self.digit_label = QLabel()
        self.digit_label.setObjectName("digitLabel")
        self.digit_label.setWordWrap(True)  # gives way to the spin box and the button
        self.draw_button = QPushButton("Draw on it")
        self.draw_button.setObjectName("digitToCanvas")
        self.draw_button.setToolTip("copy this digit to the Draw your own canvas")
        self.draw_button.clicked.connect(self._draw_selected)
        digit_row = QHBoxLayout()
        digit_row.addWidget(self.digit_spin)
        digit_row.addWidget(self.digit_label, 1)
        digit_row.addWidget(self.draw_button)
        self.maps_area = QWidget()
        self.maps_layout = QGridLayout(self.maps_area)
        self.maps_layout.setContentsMargins(2, 2, 2, 2)
        self.maps_layout.setHorizontalSpacing(4)
        self.caption_font = QFont(self.font())
        # Captions a little smaller than the text around them: nine maps with two-line
        # captions then fit the view at 1100×750 without scrolling.
        self.caption_font.setPointSizeF(max(7.0, 0.85 * self.font().pointSizeF()))
        scroll = QScrollArea()
        scroll.setObjectName("mapsScroll")
        scroll.setWidgetResizable(True)
        # The maps re-flow when the view's size changes; a vertical bar that came and went
        # with each re-flow changed that size again, and Qt could settle with the last row
        # cut off and no bar to scroll to it (1100×750). Always there, it cannot oscillate.
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        scroll.setWidget(self.maps_area)
        scroll.setMinimumHeight(MAP_MIN_PX + 60)
        self.maps_scroll = scroll
        scroll.viewport().installEventFilter(self)
        maps = QVBoxLayout(self)
        maps.addLayout(digit_row)
        maps.addWidget(scroll, 1)

    def set_digits(self, images: np.ndarray, labels: np.ndarray, names: tuple[str, ...]) -> None:
        """Validation digits ``(n, H, W)``, their labels and class names."""
        self.images, self.labels, self.class_names = images, labels, names
        self.predictions = None  # belonged to the old digits; set_model brings new ones
        self.digit_spin.setRange(0, max(0, len(images) - 1))
        self.digit_spin.setMinimumWidth(self.digit_spin.sizeHint().width())  # never cut off

    def set_model(self, model: Model | None, predictions: np.ndarray | None) -> None:
        """The model whose layers are shown and its predictions for the digits (or ``None``)."""
        self.model, self.predictions = model, predictions
        self._update_maps()

    def select_digit(self, index: int) -> None:
        """Show validation digit ``index``."""
        self.digit_spin.setValue(index)

    def _clear_maps(self) -> None:
        while self.maps_layout.count():
            item = self.maps_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _update_maps(self) -> None:
        self._clear_maps()
        index = self.digit_spin.value()
        model = self.model
        if not len(self.images) or index >= len(self.images):
            self.digit_label.setText("no data")
            return
        image = self.images[index]
        truth = self.class_names[self.labels[index]] if self.class_names else "?"
        guess = ""
        if self.predictions is not None:
            guess = f", predicted {self.class_names[self.predictions[index]]}"
        self.digit_label.setText(f"true {truth}{guess}")
        maps: list[tuple[str, np.ndarray, str, str]] = [
            ("input", image, "image", f"{image.shape[0]}×{image.shape[1]}")
        ]
        if model is not None:
            activations = model.activations(image[None])
            for act in activations:
                values = act.values
                if act is activations[-1] and values.shape == (model.classes,):
                    # The logits: shown as what they mean, each class's softmax probability.
                    maps.append((f"{act.name} → softmax", values, "bars", f"{values.size} classes"))
                    continue
                if values.ndim == 3:
                    grid = feature_grid(values)
                    shape = "×".join(str(n) for n in values.shape)
                else:  # a vector: wrapped into rows so it stays readable
                    cols = int(np.ceil(np.sqrt(values.size)))
                    grid = np.zeros(cols * int(np.ceil(values.size / cols)))
                    grid[: values.size] = values
                    grid = grid.reshape(-1, cols)
                    shape = str(values.size)
                maps.append((act.name, np.maximum(grid, 0), "scaled", shape))
        self._layout_maps(maps)

    def _layout_maps(self, maps: list[tuple[str, np.ndarray, str, str]]) -> None:
        """Pictures as large as fit the view (width and height), in as many rows as that takes;
        the view scrolls only if even the smallest pictures do not fit."""
        viewport = self.maps_scroll.viewport()
        metrics = QFontMetrics(self.caption_font)
        spacing = self.maps_layout.horizontalSpacing()
        px, per_row = plan_grid(
            viewport.width() - 8,
            viewport.height() - 8,
            caption_height=2 * metrics.height() + 10,
            caption_widths=[
                max(metrics.horizontalAdvance(title), metrics.horizontalAdvance(shape)) + 2
                for title, _values, _kind, shape in maps
            ],
            bars=[kind == "bars" for _title, _values, kind, _shape in maps],
            spacing=spacing if spacing >= 0 else 6,
        )
        for i, (title, values, kind, shape) in enumerate(maps):
            if kind == "bars":
                cell = self._bars_cell(title, values, shape, px)
            else:
                draw = scaled_gray_pixmap if kind == "scaled" else gray_pixmap
                cell = self._map_cell(title, draw(values, px), shape)
            self.maps_layout.addWidget(cell, *divmod(i, per_row))
            cell.show()  # a child added to a visible widget stays hidden until shown
        self._maps_per_row = per_row

    def _map_cell(self, title: str, pixmap, shape: str) -> QWidget:
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(CELL_MARGIN, 0, CELL_MARGIN, 0)
        picture = QLabel()
        picture.setPixmap(pixmap)
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = QLabel(f"{title}\n{shape}")
        caption.setFont(self.caption_font)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(picture)
        column.addWidget(caption)
        column.addStretch(1)
        return cell

    def _bars_cell(self, title: str, logits: np.ndarray, shape: str, px: int) -> QWidget:
        """The last layer: one labelled bar per class (its softmax probability)."""
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(CELL_MARGIN, 0, CELL_MARGIN, 0)
        colour = self.palette().highlight().color().name()
        bars = ProbabilityBars("predicted", colour, compact=True)
        bars.setObjectName("lastLayerBars")
        names = self.class_names or tuple(str(i) for i in range(logits.size))
        probabilities = softmax(np.asarray(logits, dtype=np.float64))
        bars.set_probabilities(probabilities, names)
        bars.setFixedSize(max(bars.minimumWidth(), px), max(bars.minimumHeight(), px))
        column.addWidget(bars, 0, Qt.AlignmentFlag.AlignCenter)
        best = int(np.argmax(probabilities))
        guess = names[best] if best < len(names) else str(best)
        caption = QLabel(f"{title}\n{guess} ({100 * probabilities[best]:.0f} %)")
        caption.setFont(self.caption_font)
        caption.setToolTip(f"the {shape}' logits through softmax: one probability per class")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(caption)
        return cell

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Re-flow the feature maps when their view changes width (after the layout ran)."""
        if watched is self.maps_scroll.viewport() and event.type() == QEvent.Type.Resize:
            resize = cast(QResizeEvent, event)  # PySide6 hands a Resize event over as one
            if resize.oldSize() != resize.size():
                self._update_maps()
        return super().eventFilter(watched, event)

    def _draw_selected(self) -> None:
        index = self.digit_spin.value()
        if 0 <= index < len(self.images):
            self.digit_to_canvas.emit(self.images[index].copy())
