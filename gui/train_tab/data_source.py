"""Where the Train tab's digits come from: built-in UCI digits, MNIST IDX files, an image folder.

Nothing is downloaded. A source is a small dict (``{"kind": "digits"}``, ``{"kind": "idx",
"images": path, "labels": path}`` or ``{"kind": "folder", "path": path}``) so a session can
reopen it; a file that is gone or unreadable leaves the current data and shows why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QFileDialog

from engine.train import Dataset, load_digits, load_idx, load_image_folder, split_dataset
from gui.train_tab.setup_panel import show_message
from gui.train_tab.webcam_classes import open_webcam_classes

IDX_FILTER = "MNIST IDX files (*-ubyte *-ubyte.gz *.idx* *.gz);;All files (*)"


def guess_labels_path(images_path: str) -> str | None:
    """``train-images-idx3-ubyte.gz`` → ``train-labels-idx1-ubyte.gz`` if that file exists."""
    path = Path(images_path)
    name = re.sub(r"images", "labels", path.name, count=1)
    name = re.sub(r"idx3", "idx1", name, count=1)
    candidate = path.with_name(name)
    return str(candidate) if name != path.name and candidate.is_file() else None


def read_source(source: dict[str, Any]) -> Dataset:
    """The dataset a source names (raises ``ValueError``/``OSError`` with a readable message)."""
    kind = source.get("kind")
    if kind == "digits":
        return load_digits()
    if kind == "idx":
        return load_idx(str(source["images"]), str(source["labels"]))
    if kind == "folder":  # a webcam set names its size; other folders are read at 28×28
        size = source.get("size", (28, 28))
        return load_image_folder(str(source["path"]), (int(size[0]), int(size[1])))
    raise ValueError(f"unknown data source {kind!r}")


def valid_source(source: object) -> bool:
    """Whether ``source`` is a well-formed source dict (from a session file)."""
    if not isinstance(source, dict):
        return False
    kind = source.get("kind")
    if kind == "digits":
        return True
    if kind == "idx":
        return isinstance(source.get("images"), str) and isinstance(source.get("labels"), str)
    size = source.get("size", [28, 28])
    sized = isinstance(size, list) and len(size) == 2 and all(type(v) is int for v in size)
    return kind == "folder" and isinstance(source.get("path"), str) and sized


class DataMixin:
    """Loading, subsetting and splitting the data (part of :class:`TrainTab`)."""

    def init_data(self) -> None:
        """Start with the built-in digits."""
        self.source: dict[str, Any] = {"kind": "digits"}
        self.full = load_digits()
        self.prepare_data()

    def open_requested(self, kind: str) -> None:
        """A data button: built-in digits, or a file dialog for IDX files / an image folder."""
        if kind == "digits":
            self.load_source({"kind": "digits"})
        elif kind == "idx":
            self.open_idx_dialog()
        elif kind == "webcam":
            open_webcam_classes(self)
        else:
            folder = QFileDialog.getExistingDirectory(self, "Folder with one sub-folder per class")
            if folder:
                self.load_source({"kind": "folder", "path": folder})

    def use_webcam_set(self, folder: str, height: int, width: int) -> None:
        """Open the image folder the webcam dialog saved, at the size it was captured."""
        if self.load_source({"kind": "folder", "path": folder, "size": [height, width]}):
            self.status_label.setText(f"Webcam classes from {folder}: press Train both.")

    def forget_webcam_dialog(self) -> None:
        """The webcam dialog was closed and deleted."""
        self.webcam_dialog = None

    def open_idx_dialog(self) -> None:
        """Pick an IDX images file; the labels file is found beside it or asked for."""
        images, _ = QFileDialog.getOpenFileName(self, "MNIST images (IDX)", "", IDX_FILTER)
        if not images:
            return
        labels = guess_labels_path(images)
        if labels is None:
            labels, _ = QFileDialog.getOpenFileName(
                self, "MNIST labels (IDX) for these images", str(Path(images).parent), IDX_FILTER
            )
            if not labels:
                return
        self.load_source({"kind": "idx", "images": images, "labels": labels})

    def load_source(self, source: dict[str, Any]) -> bool:
        """Load ``source``; on failure keep the current data and show the reason."""
        try:
            data = read_source(source)
        except (ValueError, OSError, KeyError) as exc:
            show_message(self.data_box.error_label, f"Could not open the data: {exc}")
            return False
        if len(data.labels) < 10 or data.n_classes < 2:
            show_message(
                self.data_box.error_label,
                f"Could not open the data: {len(data.labels)} images in "
                f"{data.n_classes} classes; need at least 10 images and 2 classes",
            )
            return False
        show_message(self.data_box.error_label, "")
        self.stop_worker()
        self.full = data
        self.source = dict(source)
        self.prepare_data()
        self.state_changed.emit()
        return True

    def prepare_data(self) -> None:
        """Take the seeded subset, split it, and rebuild both (untrained) models."""
        o = self.options
        data = self.full
        n = len(data.labels)
        if n > o.max_samples:
            keep = np.sort(np.random.default_rng([o.seed, 7]).permutation(n)[: o.max_samples])
            data = data.subset(keep)
        train, val = split_dataset(data, o.validation_fraction, o.seed)
        self.dataset = data
        self.train_x, self.train_y = train.as_input(), train.labels
        self.val_x, self.val_y = val.as_input(), val.labels
        self.val_images = val.images
        h, w = data.image_shape
        where = data.source or self.source.get("kind", "")
        used = f"all {n:,}" if len(data.labels) == n else f"{len(data.labels):,} of {n:,}"
        self.data_box.source_label.setText(
            f"{where}; {h}×{w} px, {data.n_classes} classes. Using {used} images: "
            f"{len(train.labels):,} training, {len(val.labels):,} validation (seed {o.seed})."
        )
        self.learned.set_validation(val.images, val.labels, data.class_names)
        self.canvas.set_shape((h, w))
        self.rebuild_models()
