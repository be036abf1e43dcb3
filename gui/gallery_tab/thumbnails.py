"""The thumbnail grid: one clickable tile per filter, showing its live result and its kernel."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFontDatabase,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.images import CUSTOM_PREFIX, TileSpec

THUMB_SIZE = QSize(184, 138)
TILE_WIDTH = 200
#: A tile's caption shows this many lines of the description; the large view shows all of it.
CAPTION_LINES = 3
#: Thumbnails are computed on the frame shrunk to this longer side (what the tile shows; the
#: large view stays at full resolution), so most of them are shown without any scaling.
THUMB_PREVIEW_SIDE = max(THUMB_SIZE.width(), THUMB_SIZE.height())


def array_to_pixmap(image: np.ndarray) -> QPixmap:
    """A display-ready uint8 gray or RGB array (what the gallery pipeline returns) as a
    QPixmap; null for an empty or non-uint8 array, which the pipeline never produces.

    The QImage wraps the array's buffer without a copy (``bytesPerLine`` from its row stride);
    ``QPixmap.fromImage`` then copies the pixels once while the array is still referenced here.
    """
    arr = np.ascontiguousarray(image)  # no copy for the pipeline's (contiguous) images
    shown = arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] == 3)
    if arr.dtype != np.uint8 or arr.size == 0 or not shown:
        return QPixmap()
    h, w = arr.shape[:2]
    fmt = QImage.Format.Format_Grayscale8 if arr.ndim == 2 else QImage.Format.Format_RGB888
    qimage = QImage(arr.data, w, h, arr.strides[0], fmt)
    pixmap = QPixmap.fromImage(qimage)
    del qimage  # before arr, whose buffer it wraps
    return pixmap


def thumbnail_pixmap(image: np.ndarray) -> QPixmap:
    """``image`` as a pixmap fitting :data:`THUMB_SIZE` (aspect ratio kept; null if unshowable)."""
    pixmap = array_to_pixmap(image)
    if pixmap.isNull():
        return pixmap
    w, h, tw, th = pixmap.width(), pixmap.height(), THUMB_SIZE.width(), THUMB_SIZE.height()
    if (w == tw and h <= th) or (h == th and w <= tw):
        return pixmap  # computed at the tile's size already: no second resampling
    return pixmap.scaled(
        THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def wrapped_caption(text: str, metrics: QFontMetrics, width: int, max_lines: int) -> str:
    """``text`` word-wrapped to ``width`` pixels in at most ``max_lines`` lines (joined with
    newlines); only a longer text loses its tail, at a word boundary, marked with "…"."""
    lines: list[str] = []
    words = text.split()
    current = ""
    while words:
        candidate = f"{current} {words[0]}".strip()
        if metrics.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            words.pop(0)
            continue
        lines.append(current)
        current = ""
        if len(lines) == max_lines:
            break
    if current and len(lines) < max_lines:
        lines.append(current)
        current = ""
    if words or current:  # did not fit: the last line ends with an ellipsis
        last = lines[-1]
        while last and metrics.horizontalAdvance(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = (last + " …").strip()
    return "\n".join(lines)


def _blend(a: QColor, b: QColor, t: float) -> str:
    """``a`` moved a fraction ``t`` towards ``b``, as ``#rrggbb`` (a border for any theme)."""
    ends = zip((a.red(), a.green(), a.blue()), (b.red(), b.green(), b.blue()), strict=True)
    mixed = [round(x + (y - x) * t) for x, y in ends]
    return QColor(*mixed).name()


class ThumbnailTile(QFrame):
    """A tile: title, live thumbnail, kernel (monospace) and a one-line description.

    Signals
    -------
    clicked(str)
        The tile was clicked (its key).
    save_requested(str)
        "Save this result as PNG…" was chosen from the context menu.
    remove_requested(str)
        "Remove this custom kernel" was chosen (custom tiles only).
    """

    clicked = Signal(str)
    save_requested = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, spec: TileSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = spec.key
        self.setObjectName(f"tile_{spec.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(TILE_WIDTH)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(f"<b>{spec.title}</b><br>{spec.description}<br><i>Click to view large</i>")
        self.title_label = QLabel(spec.title)
        self.title_label.setObjectName("tileTitle")
        self.title_label.setStyleSheet("font-weight: bold;")
        self.image_label = QLabel()
        self.image_label.setObjectName("tileImage")
        self.image_label.setFixedSize(THUMB_SIZE)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setStyleSheet("background: #202020;")
        self.kernel_label = QLabel(spec.kernel_text)
        self.kernel_label.setObjectName("tileKernel")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(6.5, mono.pointSizeF() - 2))
        self.kernel_label.setFont(mono)
        self.kernel_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.kernel_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.description_label = QLabel()
        self.description_label.setObjectName("tileDescription")
        # A palette role (not a fixed colour) keeps it readable in the light and dark themes.
        self.description_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._description = spec.description
        metrics = self.description_label.fontMetrics()
        self.description_label.setText(
            wrapped_caption(spec.description, metrics, TILE_WIDTH - 16, CAPTION_LINES)
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.image_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.description_label)
        layout.addWidget(self.kernel_label)
        layout.addStretch(1)
        self.updates = 0
        self._selected = False
        self._restyling = False
        self.set_selected(False)

    def set_image(self, image: np.ndarray) -> None:
        """Show a new result (scaled to the thumbnail, aspect ratio kept)."""
        pixmap = thumbnail_pixmap(image)
        if pixmap.isNull():
            self.image_label.setText("(no image)")
            return
        self.image_label.setPixmap(pixmap)
        self.updates += 1

    def set_selected(self, selected: bool) -> None:
        """Highlight the tile shown in the large view."""
        self._selected = selected
        self.setProperty("selected", selected)
        palette = self.palette()
        highlight = palette.color(QPalette.ColorRole.Highlight).name()
        plain = _blend(
            palette.color(QPalette.ColorRole.Window),
            palette.color(QPalette.ColorRole.WindowText),
            0.3,
        )
        colour, width = (highlight, 2) if selected else (plain, 1)
        # Class selector: custom-kernel object names may contain ':' or spaces.
        self.setStyleSheet(
            f"ThumbnailTile {{ border: {width}px solid {colour}; border-radius: 3px; }}"
            f"ThumbnailTile:focus {{ border: 2px dotted {highlight}; }}"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Follow theme (palette) changes."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._restyling:
            self._restyling = True
            try:
                self.set_selected(self._selected)
            finally:
                self._restyling = False

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        """Left click selects the tile."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Enter or Space selects the focused tile (Tab moves between tiles)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.key)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        """Right click: view large or save."""
        menu = QMenu(self)
        menu.addAction("View large", lambda: self.clicked.emit(self.key))
        menu.addAction("Save this result as PNG…", lambda: self.save_requested.emit(self.key))
        if self.key.startswith(CUSTOM_PREFIX):
            menu.addAction(
                "Remove this custom kernel", lambda: self.remove_requested.emit(self.key)
            )
        menu.exec(event.globalPos())


class ThumbnailGrid(QScrollArea):
    """A scrollable grid of :class:`ThumbnailTile`, re-flowed to the available width.

    Signals
    -------
    tile_clicked(str), save_requested(str), remove_requested(str)
        Forwarded from the tiles.
    """

    tile_clicked = Signal(str)
    save_requested = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thumbnailGrid")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._inner = QWidget()
        self._inner.setObjectName("thumbnailGridInner")
        self._grid = QGridLayout(self._inner)
        self._grid.setContentsMargins(6, 6, 6, 6)
        self._grid.setSpacing(8)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setWidget(self._inner)
        self.tiles: dict[str, ThumbnailTile] = {}
        self._order: list[ThumbnailTile] = []
        self._scroll_target: str | None = None
        self._columns = 0
        self.setMinimumWidth(TILE_WIDTH + 40)

    def set_tiles(self, specs: list[TileSpec]) -> None:
        """Create tiles for ``specs`` (existing tiles with the same key are kept)."""
        keep = {spec.key for spec in specs}
        for key in list(self.tiles):
            if key not in keep:
                gone = self.tiles.pop(key)
                self._grid.removeWidget(gone)
                gone.deleteLater()
        order = []
        for spec in specs:
            tile = self.tiles.get(spec.key)
            if tile is None:
                tile = ThumbnailTile(spec, self._inner)
                tile.clicked.connect(self.tile_clicked)
                tile.save_requested.connect(self.save_requested)
                tile.remove_requested.connect(self.remove_requested)
                self.tiles[spec.key] = tile
            order.append(tile)
        self._order = order
        self._columns = 0
        self._reflow()

    def _reflow(self) -> None:
        available = self.viewport().width() - 12
        columns = max(1, available // (TILE_WIDTH + self._grid.horizontalSpacing()))
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self._order:
            self._grid.removeWidget(tile)
        for n, tile in enumerate(self._order):
            self._grid.addWidget(tile, n // columns, n % columns)
        # Spare height goes below the last row (rows left over from a narrower layout too).
        rows = -(-len(self._order) // columns)
        for row in range(self._grid.rowCount()):
            self._grid.setRowStretch(row, 1 if row == rows else 0)
        self._grid.setRowStretch(rows, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Re-flow the tiles to the new width."""
        super().resizeEvent(event)
        self._reflow()

    def visible_keys(self) -> list[str]:
        """Keys of the tiles (partly) scrolled into view."""
        top_left = self._inner.mapFrom(self.viewport(), QPoint(0, 0))
        area = QRect(top_left, self.viewport().size())
        return [key for key, tile in self.tiles.items() if tile.geometry().intersects(area)]

    def update_images(self, images: dict[str, np.ndarray]) -> None:
        """Show new thumbnails (keys without a tile are ignored)."""
        for key, image in images.items():
            tile = self.tiles.get(key)
            if tile is not None:
                tile.set_image(image)

    def set_selected(self, key: str | None, *, scroll: bool = True) -> None:
        """Highlight one tile (and, with ``scroll``, scroll it into view)."""
        for tile_key, tile in self.tiles.items():
            tile.set_selected(tile_key == key)
        if not scroll:
            return
        self._scroll_target = key
        # After set_tiles the new geometry is only known once the layout has run.
        QTimer.singleShot(0, self, self._scroll_to_target)

    def _scroll_to_target(self) -> None:
        tile = self.tiles.get(self._scroll_target or "")
        if tile is not None:
            self._grid.activate()  # geometry of newly added tiles
            self._inner.adjustSize()
            self.ensureWidgetVisible(tile, 10, 10)
