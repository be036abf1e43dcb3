"""Thumbnail pixmaps: wrapped without copies, shown unscaled when computed at the tile's size."""

from __future__ import annotations

import numpy as np

from engine.images.gallery import GalleryPipeline, preview_size
from gui.gallery_tab.thumbnails import (
    THUMB_PREVIEW_SIDE,
    THUMB_SIZE,
    ThumbnailTile,
    array_to_pixmap,
    thumbnail_pixmap,
)


def test_pixmap_keeps_the_pixels_of_gray_and_rgb_arrays(qtbot):
    rng = np.random.default_rng(5)
    gray = rng.integers(0, 256, (7, 13), dtype=np.uint8)  # odd width: row padding in QImage
    image = array_to_pixmap(gray).toImage()
    assert (image.width(), image.height()) == (13, 7)
    assert [image.pixelColor(x, 3).red() for x in range(13)] == gray[3].tolist()
    rgb = rng.integers(0, 256, (5, 9, 3), dtype=np.uint8)
    image = array_to_pixmap(rgb[:, ::-1]).toImage()  # non-contiguous view
    colour = image.pixelColor(2, 4)
    assert (colour.red(), colour.green(), colour.blue()) == tuple(rgb[4, 6].tolist())
    assert array_to_pixmap(np.zeros((0, 3), dtype=np.uint8)).isNull()


def test_thumbnails_at_preview_size_are_shown_without_rescaling(qtbot):
    pipeline = GalleryPipeline(preview_max_side=THUMB_PREVIEW_SIDE)
    frame = np.random.default_rng(2).integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    thumbs = pipeline.process(frame, thumbnails=["sobel_x"]).thumbnails
    h, w = preview_size(frame.shape, THUMB_PREVIEW_SIDE)
    assert thumbs["sobel_x"].shape == (h, w)
    pixmap = thumbnail_pixmap(thumbs["sobel_x"])
    assert (pixmap.width(), pixmap.height()) == (w, h) == (THUMB_SIZE.width(), h)
    # larger (or smaller) results are still fitted to the tile, aspect ratio kept
    big = thumbnail_pixmap(np.zeros((270, 480), dtype=np.uint8))
    assert big.width() == THUMB_SIZE.width() and big.height() <= THUMB_SIZE.height()
    small = thumbnail_pixmap(np.zeros((30, 40), dtype=np.uint8))
    assert small.height() == THUMB_SIZE.height() and small.width() <= THUMB_SIZE.width()
    tile = ThumbnailTile(pipeline.tile("sobel_x"))
    qtbot.addWidget(tile)
    tile.set_image(thumbs["sobel_x"])
    assert tile.updates == 1 and tile.image_label.pixmap().size() == pixmap.size()
    tile.set_image(np.zeros((0, 0), dtype=np.uint8))
    assert tile.image_label.text() == "(no image)"
