"""Child process for the live-pipeline benchmark (720p frames, OpenCV backend).

Run as ``python -m tests.benchmarks.probe_pipeline <parent time> [seconds]``.  Frames come
pre-decoded from memory (a list filled from
:class:`engine.images.frame_sources.SyntheticSource`), so decoding is not measured.
Each frame goes through
:class:`engine.images.gallery.GalleryPipeline`
(grayscale → pre-blur → filter → uint8 display image) and is shown the way the Filter gallery
tab shows it (a pyqtgraph ``ImageItem`` with fixed levels for the large view, scaled pixmaps in
labels for the thumbnails), followed by a synchronous repaint of the (offscreen) window.
Two modes:

* ``single``: one filter (Sobel x) in the large view;
* ``gallery``: the large view plus a thumbnail of every tile.

Prints one JSON line per mode: frames/s, per-frame latency (median, 95th percentile, max) —
the time from taking a frame to its painted result, which with a newest-frame-wins source is
the camera-to-screen latency — the part of it spent in the engine, and resident memory after
warm-up and at the end.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np

WIDTH, HEIGHT = 1280, 720


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication, QGridLayout, QHBoxLayout, QLabel, QWidget

    from engine.images.frame_sources import SyntheticSource
    from engine.images.gallery import GalleryPipeline
    from gui.gallery_tab.thumbnails import THUMB_PREVIEW_SIDE, THUMB_SIZE, thumbnail_pixmap
    from gui.pyside_workarounds import keep_none_alive

    # The app applies this too: PySide6 6.12 on Python 3.11 leaks references to None/True on
    # every paint, and thousands of repaints would otherwise abort the process.
    keep_none_alive()

    app = QApplication(["kernelscope-bench"])
    pg.setConfigOptions(imageAxisOrder="row-major")
    source = SyntheticSource((HEIGHT, WIDTH))
    source.open()
    frames = [np.ascontiguousarray(source.read()) for _ in range(30)]
    source.close()
    # Thumbnails at the resolution the Filter gallery tab uses (gui/gallery_tab/page.py).
    pipeline = GalleryPipeline(preview_max_side=THUMB_PREVIEW_SIDE)
    tiles = [spec.key for spec in pipeline.tiles()]

    # Display as the Filter gallery tab does it: the large view is a pyqtgraph ImageItem with
    # fixed levels, each thumbnail a QLabel showing the tile's pixmap (thumbnail_pixmap in
    # gui/gallery_tab/thumbnails.py: no copy into the QImage, no rescaling when it fits).
    window = QWidget()
    layout = QHBoxLayout(window)
    view = pg.GraphicsLayoutWidget()
    large = pg.ImageItem()
    view.addViewBox(lockAspect=True).addItem(large)
    layout.addWidget(view, 2)
    grid_widget = QWidget()
    grid = QGridLayout(grid_widget)
    labels = {}
    for n, key in enumerate(tiles):
        label = QLabel()
        label.setFixedSize(THUMB_SIZE)
        grid.addWidget(label, n // 6, n % 6)
        labels[key] = label
    layout.addWidget(grid_widget, 3)
    window.resize(1800, 1000)
    window.show()
    app.processEvents()

    def show_thumbnail(key: str, image: np.ndarray) -> None:
        labels[key].setPixmap(thumbnail_pixmap(image))

    for mode in ("single", "gallery"):
        with_thumbs = mode == "gallery"
        latencies: list[float] = []
        engine_ms: list[float] = []
        rss_start = 0.0
        t_end = time.perf_counter() + seconds
        n = 0
        t_first = 0.0
        while True:
            frame = frames[n % len(frames)]
            t0 = time.perf_counter()
            result = pipeline.process(
                frame, selected="sobel_x", backend="opencv", thumbnails=with_thumbs, compare=False
            )
            t_engine = time.perf_counter()
            assert result.large is not None
            large.setImage(result.large.display, levels=(0, 255), autoLevels=False)
            for key, image in result.thumbnails.items():
                show_thumbnail(key, image)
            window.repaint()
            app.processEvents()
            t1 = time.perf_counter()
            n += 1
            if n == 5:  # warm-up done: caches, first paints, allocator pools
                rss_start = _rss_mb()
                t_first = t1
            elif n > 5:
                latencies.append((t1 - t0) * 1000.0)
                engine_ms.append((t_engine - t0) * 1000.0)
            if t1 > t_end and n > 15:
                break
        frames_timed = n - 5
        fps = frames_timed / (time.perf_counter() - t_first)
        lat = np.array(latencies)
        print(
            json.dumps(
                {
                    "mode": mode,
                    "frames": frames_timed,
                    "fps": fps,
                    "latency_median_ms": float(np.median(lat)),
                    "latency_p95_ms": float(np.percentile(lat, 95)),
                    "latency_max_ms": float(lat.max()),
                    "engine_median_ms": float(np.median(engine_ms)),
                    "rss_start_mb": rss_start,
                    "rss_end_mb": _rss_mb(),
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                    "tiles": len(tiles),
                }
            ),
            flush=True,
        )
    window.close()
    window.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
