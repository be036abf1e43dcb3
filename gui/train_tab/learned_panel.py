"""What a model learned: first-layer filters, feature maps of one digit, confusion, mistakes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.train import Model, confusion_matrix, misclassified
from gui.colours import follow_palette, mix, relative_luminance
from gui.train_tab.maps_box import FeatureMapsBox
from gui.train_tab.pixmaps import diverging_pixmap, gray_pixmap
from gui.train_tab.state import SLOT_TITLES

FILTER_PX = 36
THUMB_PX = 40
#: Most filters / misclassified digits shown (more would only shrink each one).
MAX_FILTERS = 32
MAX_MISTAKES = 120


def first_layer_kernels(model: Model) -> tuple[np.ndarray, str]:
    """2-D kernels of the first layer: conv filters (channel 0), or a Linear layer's first
    units' weights reshaped to the image (what each hidden unit looks for)."""
    filters = model.first_layer_filters()
    if filters is not None:
        return filters[:MAX_FILTERS, 0], "conv"
    weights = model.first_layer_weights()
    _, h, w = model.input_shape
    if weights.shape[1] != h * w:
        return np.zeros((0, 1, 1)), "none"
    return weights[:MAX_FILTERS].reshape(-1, h, w), "linear"


class LearnedPanel(QWidget):
    """Filters, feature maps, confusion matrix and misclassified digits of one chosen model.

    Signals
    -------
    kernel_to_matrix(str, object) / kernel_to_gallery(str, object)
        The selected filter (2-D float array), to open in the Matrix tab / the Filter gallery.
    digit_to_canvas(object)
        The selected digit, to draw on.
    """

    kernel_to_matrix = Signal(str, object)
    kernel_to_gallery = Signal(str, object)
    digit_to_canvas = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models: dict[str, Model | None] = {}
        self.images = np.zeros((0, 8, 8), dtype=np.float32)
        self.labels = np.zeros(0, dtype=np.int64)
        self.class_names: tuple[str, ...] = ()
        self.kernels = np.zeros((0, 1, 1))
        self.selected_filter: int | None = None
        self.predictions: np.ndarray | None = None

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("learnedModel")
        for slot, title in SLOT_TITLES.items():
            self.model_combo.addItem(title, slot)
        self.model_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.note = QLabel()
        self.note.setObjectName("learnedNote")
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Model:"))
        top.addWidget(self.model_combo)
        top.addWidget(self.note, 1)

        self.filters_box = QGroupBox("First-layer filters")
        self.filter_grid = QGridLayout()
        self.filter_grid.setSpacing(3)
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_group.idClicked.connect(self.select_filter)
        self.filter_label = QLabel("Click a filter.")
        self.filter_label.setObjectName("filterLabel")
        self.filter_label.setWordWrap(True)
        self.to_matrix = QPushButton("Open in Matrix tab")
        self.to_matrix.setObjectName("filterToMatrix")
        self.to_gallery = QPushButton("Add to gallery")
        self.to_gallery.setObjectName("filterToGallery")
        self.to_gallery.setToolTip("a Filter-gallery tile: run it on photos and the webcam")
        self.to_matrix.clicked.connect(lambda: self._send(self.kernel_to_matrix))
        self.to_gallery.clicked.connect(lambda: self._send(self.kernel_to_gallery))
        buttons = QHBoxLayout()
        buttons.addWidget(self.to_matrix)
        buttons.addWidget(self.to_gallery)
        box = QVBoxLayout(self.filters_box)
        box.addLayout(self.filter_grid)
        box.addWidget(self.filter_label)
        box.addLayout(buttons)
        box.addStretch(1)

        self.maps_box = FeatureMapsBox()
        self.maps_box.digit_to_canvas.connect(self.digit_to_canvas)

        self.confusion = QTableWidget(0, 0)
        self.confusion.setObjectName("confusionTable")
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for header in (self.confusion.horizontalHeader(), self.confusion.verticalHeader()):
            header.setMinimumSectionSize(self.fontMetrics().height() + 2)
        self.confusion.setToolTip("rows: true class, columns: predicted class (validation)")
        follow_palette(self.confusion, self._update_confusion)  # cell colours follow the theme
        confusion_box = QGroupBox("Confusion matrix (validation)")
        QVBoxLayout(confusion_box).addWidget(self.confusion)

        self.mistakes = QListWidget()
        self.mistakes.setObjectName("mistakesList")
        self.mistakes.setViewMode(QListWidget.ViewMode.IconMode)
        self.mistakes.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.mistakes.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.mistakes.setMovement(QListWidget.Movement.Static)
        self.mistakes.itemClicked.connect(self._on_mistake_clicked)
        self.mistakes_box = QGroupBox("Misclassified validation digits")
        self.mistakes.setToolTip("click a digit to see its feature maps")
        QVBoxLayout(self.mistakes_box).addWidget(self.mistakes)

        grid = QGridLayout()
        grid.addWidget(self.filters_box, 0, 0)
        grid.addWidget(self.maps_box, 0, 1)
        grid.addWidget(confusion_box, 1, 0)
        grid.addWidget(self.mistakes_box, 1, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        self.refresh()

    # -- inputs ----------------------------------------------------------------------------------
    @property
    def slot(self) -> str:
        """The model shown."""
        return str(self.model_combo.currentData())

    def set_models(self, models: dict[str, Model | None]) -> None:
        """The current (trained or fresh) model of each slot."""
        self.models = dict(models)
        self.refresh()

    def set_validation(self, images: np.ndarray, labels: np.ndarray, names: tuple[str, ...]):
        """Validation digits ``(n, H, W)`` and labels."""
        self.images, self.labels, self.class_names = images, labels, names
        self.maps_box.set_digits(images, labels, names)
        self.refresh()

    def select_digit(self, index: int) -> None:
        """Show validation digit ``index``'s feature maps."""
        self.maps_box.select_digit(index)

    # -- redraw ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute everything for the chosen model."""
        model = self.models.get(self.slot)
        self.predictions = None
        if model is not None and len(self.images):
            self.predictions = model.predict(self.images[:, None])
        self._update_filters(model)
        self.maps_box.set_model(model, self.predictions)
        self._update_confusion()
        self._update_mistakes()

    def _update_filters(self, model: Model | None) -> None:
        kind = "none"
        kernels = np.zeros((0, 1, 1))
        if model is not None:
            kernels, kind = first_layer_kernels(model)
        self.filters_box.setTitle(
            {
                "conv": "First-layer filters (conv kernels)",
                "linear": "First-layer weights per unit",
            }.get(kind, "First-layer filters")
        )
        same_grid = kernels.shape == self.kernels.shape and len(self.filter_group.buttons()) == len(
            kernels
        )
        self.kernels = kernels
        if same_grid:
            # Training redraws this several times a second: new icons on the same buttons (an
            # eighth of the cost of new buttons), and the user's selected filter stays selected.
            for i, kernel in enumerate(kernels):
                self.filter_group.button(i).setIcon(QIcon(diverging_pixmap(kernel, FILTER_PX)))
            if self.selected_filter is not None:
                self.select_filter(self.selected_filter)
            return
        for button in self.filter_group.buttons():
            self.filter_group.removeButton(button)
            self.filter_grid.removeWidget(button)
            button.hide()  # deleted later; hidden now so it never overlaps the new grid
            button.deleteLater()
        cols = 6  # fits the narrowest column (1100-pixel window): 16 filters in three rows
        for i, kernel in enumerate(self.kernels):
            button = QToolButton()
            button.setObjectName(f"filter{i}")
            button.setCheckable(True)
            button.setIcon(QIcon(diverging_pixmap(kernel, FILTER_PX)))
            button.setIconSize(QSize(FILTER_PX, FILTER_PX))
            button.setToolTip(f"filter {i + 1}: {kernel.shape[0]}×{kernel.shape[1]}")
            self.filter_group.addButton(button, i)
            self.filter_grid.addWidget(button, *divmod(i, cols))
            button.show()
        self.selected_filter = None
        has = len(self.kernels) > 0
        self.filter_label.setText(
            "Click a filter: blue < 0 < red." if has else "No model with weights yet."
        )
        self.to_matrix.setEnabled(False)
        self.to_gallery.setEnabled(False)

    def select_filter(self, index: int) -> None:
        """Select filter ``index`` (the two send buttons act on it)."""
        if not 0 <= index < len(self.kernels):
            return
        self.selected_filter = index
        button = self.filter_group.button(index)
        if button is not None:
            button.setChecked(True)
        k = self.kernels[index]
        values = ", ".join(f"{v:.2f}" for v in k.ravel()[:9])
        more = " …" if k.size > 9 else ""
        self.filter_label.setText(f"Filter {index + 1} ({k.shape[0]}×{k.shape[1]}): {values}{more}")
        self.to_matrix.setEnabled(True)
        self.to_gallery.setEnabled(True)

    def _send(self, signal) -> None:
        if self.selected_filter is None:
            return
        kernel = np.round(self.kernels[self.selected_filter].astype(np.float64), 3)
        name = f"{SLOT_TITLES.get(self.slot, self.slot)} filter {self.selected_filter + 1}"
        signal.emit(name, kernel)

    def _update_confusion(self) -> None:
        n = len(self.class_names)
        self.confusion.setRowCount(n)
        self.confusion.setColumnCount(n)
        self.confusion.setHorizontalHeaderLabels(list(self.class_names))
        self.confusion.setVerticalHeaderLabels(list(self.class_names))
        if self.predictions is None or n == 0:
            self.confusion.clearContents()
            return
        counts = confusion_matrix(self.labels, self.predictions, n)
        background = self.confusion.palette().base().color()
        top = max(1, int(counts.max()))
        for r in range(n):
            for c in range(n):
                value = int(counts[r, c])
                item = QTableWidgetItem(str(value) if value else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.confusion.setItem(r, c, item)
                if not value:
                    continue  # empty cells keep the theme's background
                # From the theme's cell colour towards blue (right) or orange (confused); even
                # a count of 1 gets a visible share, so rare confusions are not missed.
                t = 0.25 + 0.75 * value / top
                target = QColor(0, 114, 178) if r == c else QColor(213, 94, 0)
                colour = mix(background, target, t)
                item.setBackground(QBrush(colour))
                dark_cell = relative_luminance(colour) < 0.3
                item.setForeground(QBrush(QColor("#ffffff" if dark_cell else "#111111")))

    def _update_mistakes(self) -> None:
        self.mistakes.clear()
        if self.predictions is None:
            self.mistakes_box.setTitle("Misclassified validation digits")
            return
        wrong = misclassified(self.labels, self.predictions)
        self.mistakes_box.setTitle(
            f"Misclassified: {len(wrong)} of {len(self.labels)} validation digits"
        )
        for index in wrong[:MAX_MISTAKES]:
            truth = self.class_names[self.labels[index]]
            guess = self.class_names[self.predictions[index]]
            item = QListWidgetItem(
                QIcon(gray_pixmap(self.images[index], THUMB_PX)), f"{truth}→{guess}"
            )
            item.setData(Qt.ItemDataRole.UserRole, int(index))
            item.setToolTip(f"validation #{index}: true {truth}, predicted {guess}")
            self.mistakes.addItem(item)

    def _on_mistake_clicked(self, item: QListWidgetItem) -> None:
        self.select_digit(int(item.data(Qt.ItemDataRole.UserRole)))
