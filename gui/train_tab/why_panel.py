"""Why this prediction? Both models' probabilities, saliency and occlusion maps of one digit.

The maps come from :func:`engine.train.explain_prediction`; this panel only draws them.  On
small images they are recomputed at once after every change; on large ones (28×28: 784
occluded copies per model) a stroke's changes are coalesced into one update every
:data:`COALESCE_MS`, so drawing stays fluid.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QSizePolicy, QWidget

from engine.train import Model, PredictionExplanation, explain_prediction
from gui.train_tab.draw_panel import ProbabilityBars
from gui.train_tab.pixmaps import diverging_pixmap
from gui.train_tab.plots import SLOT_COLOURS
from gui.train_tab.state import SLOT_TITLES, SLOTS

#: Images with more pixels than this get their maps on a timer, not on every mouse move.
IMMEDIATE_PIXELS = 256
COALESCE_MS = 120
MAP_MIN_PX = 84


class MapPicture(QLabel):
    """A signed map as a blue–white–red picture, as large as its cell allows (square)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.values: np.ndarray | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(MAP_MIN_PX, MAP_MIN_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Room for a readable map."""
        return QSize(150, 150)

    def show_values(self, values: np.ndarray | None, empty: str) -> None:
        """Draw ``values`` (or write ``empty`` in the cell when there are none)."""
        self.values = None if values is None else np.asarray(values, dtype=np.float64)
        self._redraw(empty)

    def _redraw(self, empty: str = "") -> None:
        if self.values is None:
            self.clear()
            self.setText(empty)
            self.setWordWrap(True)
            return
        side = max(16, min(self.width(), self.height()) - 4)
        pixmap = diverging_pixmap(self.values, side)
        # A thin frame: the map's white (zero) border would otherwise melt into the panel.
        painter = QPainter(pixmap)
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawRect(0, 0, pixmap.width() - 1, pixmap.height() - 1)
        painter.end()
        self.setPixmap(pixmap)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Keep the picture as large as the cell."""
        super().resizeEvent(event)
        if self.values is not None:
            self._redraw()


class WhyPanel(QGroupBox):
    """One row per model: its softmax bars, its saliency map and its occlusion map.

    Attributes
    ----------
    bars
        ``{slot: ProbabilityBars}``.
    explanations
        ``{slot: PredictionExplanation | None}`` of the image shown (``None``: untrained).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Why this prediction?", parent)
        self.setObjectName("whyPanel")
        self.bars = {s: ProbabilityBars(SLOT_TITLES[s], SLOT_COLOURS[s]) for s in SLOTS}
        self.saliency = {s: MapPicture(f"saliency_{s}") for s in SLOTS}
        self.occlusion = {s: MapPicture(f"occlusion_{s}") for s in SLOTS}
        self.explanations: dict[str, PredictionExplanation | None] = dict.fromkeys(SLOTS)
        self.class_names: tuple[str, ...] = tuple(str(d) for d in range(10))
        self._models: dict[str, Model | None] = dict.fromkeys(SLOTS)
        self._image = np.zeros((8, 8), np.float32)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._update_maps)
        self._stale = False
        self.headers = {
            "saliency": QLabel("Saliency ∂z/∂x"),
            "occlusion": QLabel("Occlusion"),
        }
        for key, label in self.headers.items():
            label.setObjectName(f"{key}Header")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.key = QLabel(
            "Red: ink there raises the predicted class's score (saliency), or hiding that patch "
            "lowers its probability (occlusion); blue: the opposite. Each map is scaled to its "
            "own largest value."
        )
        self.key.setObjectName("whyKey")
        self.key.setWordWrap(True)
        grid = QGridLayout(self)
        grid.addWidget(self.headers["saliency"], 0, 1)
        grid.addWidget(self.headers["occlusion"], 0, 2)
        for row, slot in enumerate(SLOTS, 1):
            grid.addWidget(self.bars[slot], row, 0)
            grid.addWidget(self.saliency[slot], row, 1)
            grid.addWidget(self.occlusion[slot], row, 2)
            grid.setRowStretch(row, 1)
        grid.addWidget(self.key, len(SLOTS) + 1, 0, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)

    # -- inputs ----------------------------------------------------------------------------------
    def show_image(
        self, image: np.ndarray, models: dict[str, Model | None], names: tuple[str, ...]
    ) -> None:
        """Explain ``image`` with ``models`` (a slot's ``None``: not trained yet)."""
        self._image = np.asarray(image, dtype=np.float32).copy()
        self._models = dict(models)
        self.class_names = names
        x = self._image[None, None]
        for slot, bars in self.bars.items():
            model = self._usable(slot)
            bars.set_probabilities(None if model is None else model.predict_proba(x)[0], names)
        # Training redraws often: the maps of a hidden page wait until it is shown.
        self._stale = not self.isVisible()
        if self._stale:
            self._timer.stop()
        elif self._image.size <= IMMEDIATE_PIXELS:
            self._timer.stop()
            self._update_maps()
        elif not self._timer.isActive():  # a throttle: restarting would starve it mid-stroke
            self._timer.start()

    @property
    def pending(self) -> bool:
        """True while a coalesced update of the maps is waiting (tests wait for it)."""
        return self._timer.isActive()

    def stop(self) -> None:
        """Drop a pending update (the tab is shutting down)."""
        self._timer.stop()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Catch up with what changed while the page was hidden."""
        super().showEvent(event)
        if self._stale:
            self.show_image(self._image, self._models, self.class_names)

    def _usable(self, slot: str) -> Model | None:
        model = self._models.get(slot)
        if model is None or model.input_shape[1:] != self._image.shape:
            return None
        return model

    # -- drawing ---------------------------------------------------------------------------------
    def _update_maps(self) -> None:
        for slot in SLOTS:
            model = self._usable(slot)
            result = None if model is None else explain_prediction(model, self._image)
            self.explanations[slot] = result
            empty = f"Train the {SLOT_TITLES[slot]} to see why it answers"
            self.saliency[slot].show_values(None if result is None else result.saliency, empty)
            self.occlusion[slot].show_values(None if result is None else result.occlusion, empty)
            for picture, kind in ((self.saliency[slot], "saliency"), (self.occlusion[slot], "occ")):
                picture.setToolTip(self._tooltip(slot, result, kind))
        shown = [r for r in self.explanations.values() if r is not None]
        patch = shown[0].patch if shown else None
        self.headers["occlusion"].setText(
            "Occlusion" if patch is None else f"Occlusion ({patch}×{patch} patch hidden)"
        )

    def _tooltip(self, slot: str, result: PredictionExplanation | None, kind: str) -> str:
        if result is None:
            return ""
        name = self.class_names[result.target] if result.target < len(self.class_names) else "?"
        values = result.saliency if kind == "saliency" else result.occlusion
        top = float(np.max(np.abs(values))) if values.size else 0.0
        if kind == "saliency":
            return f"{SLOT_TITLES[slot]}: ∂(score of {name})/∂(pixel); largest |value| {top:.3g}"
        return (
            f"{SLOT_TITLES[slot]}: p({name}) minus p({name}) with a {result.patch}×{result.patch}"
            f" patch around each pixel hidden; largest change {top:.3f}"
        )
