"""Images and video: file I/O and headers, frame sources, border filtering, edge maps,
Canny, the gallery pipeline, the test chart."""

from engine.images.chart import make_test_chart
from engine.images.frame_sources import (
    CaptureSource,
    EndOfStream,
    FrameSource,
    FrameSourceError,
    StillImageSource,
    SyntheticSource,
    probe_cameras,
)
from engine.images.gallery import GalleryOptions, GalleryPipeline, filter_same, process_frame
from engine.images.io import ImageLoadError, load_image, save_png
from engine.images.pixel_window import PixelWindow, pixel_window

__all__ = [
    "CaptureSource",
    "EndOfStream",
    "FrameSource",
    "FrameSourceError",
    "GalleryOptions",
    "GalleryPipeline",
    "ImageLoadError",
    "PixelWindow",
    "StillImageSource",
    "SyntheticSource",
    "filter_same",
    "load_image",
    "make_test_chart",
    "pixel_window",
    "probe_cameras",
    "process_frame",
    "save_png",
]
