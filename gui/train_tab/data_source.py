"""Where the Train tab's digits come from: built-in UCI digits, MNIST IDX files, an image folder.

Nothing is downloaded. A source is a small dict (``{"kind": "digits"}``, ``{"kind": "idx",
"images": path, "labels": path}`` or ``{"kind": "folder", "path": path}``) so a session can
reopen it; a file that is gone or unreadable leaves the current data and shows why.

Data is read off the GUI thread (:class:`gui.widgets.JobRunner`): the Data box shows a progress
bar with Cancel while the rest of the tab stays usable; a cancelled or failed load keeps the
data in use, and a load started while one runs replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QFileDialog

from engine.train import Dataset, load_digits, load_idx, load_image_folder, split_dataset
from gui.train_tab.host import TrainTabParts
from gui.train_tab.setup_panel import show_message
from gui.train_tab.webcam_classes import open_webcam_classes
from gui.widgets import JobControl, JobRunner

IDX_FILTER = "MNIST IDX files (*-ubyte *-ubyte.gz *.idx* *.gz);;All files (*)"


def guess_labels_path(images_path: str) -> str | None:
    """``train-images-idx3-ubyte.gz`` → ``train-labels-idx1-ubyte.gz`` if that file exists."""
    path = Path(images_path)
    name = re.sub(r"images", "labels", path.name, count=1)
    name = re.sub(r"idx3", "idx1", name, count=1)
    candidate = path.with_name(name)
    return str(candidate) if name != path.name and candidate.is_file() else None


#: Steps of the data progress bar (the engine reports fractions).
LOAD_STEPS = 1000
#: Fewest images and classes a data set needs to be trained on.
MIN_IMAGES, MIN_CLASSES = 10, 2


def read_source(
    source: dict[str, Any],
    *,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Dataset:
    """The dataset a source names (raises ``ValueError``/``OSError`` with a readable message,
    ``LoadCancelled`` once ``cancelled()`` is true)."""
    kind = source.get("kind")
    if kind == "digits":
        return load_digits()
    hooks: dict[str, Any] = {"progress": progress, "cancelled": cancelled}
    if kind == "idx":
        return load_idx(str(source["images"]), str(source["labels"]), **hooks)
    if kind == "folder":  # a webcam set names its size; other folders are read at 28×28
        size = source.get("size", (28, 28))
        return load_image_folder(str(source["path"]), (int(size[0]), int(size[1])), **hooks)
    raise ValueError(f"unknown data source {kind!r}")


def check_usable(data: Dataset) -> Dataset:
    """``data`` if it can be trained on (≥ 10 images, ≥ 2 classes); ``ValueError`` otherwise."""
    if len(data.labels) < MIN_IMAGES or data.n_classes < MIN_CLASSES:
        raise ValueError(
            f"{len(data.labels)} images in {data.n_classes} classes; need at least "
            f"{MIN_IMAGES} images and {MIN_CLASSES} classes"
        )
    return data


def load_job(source: dict[str, Any]) -> Callable[[JobControl], Dataset]:
    """A :class:`JobRunner` job reading ``source`` with progress and Cancel."""
    source = dict(source)

    def job(control: JobControl) -> Dataset:
        def progress(fraction: float, text: str) -> None:
            control.report(round(LOAD_STEPS * fraction), LOAD_STEPS, text)

        return check_usable(read_source(source, progress=progress, cancelled=control.cancelled))

    return job


def describe_source(source: dict[str, Any]) -> str:
    """A few words naming ``source`` for the progress line (``image folder digits``)."""
    kind = source.get("kind")
    if kind == "idx":
        return f"IDX file {Path(str(source.get('images', ''))).name}"
    if kind == "folder":
        return f"image folder {Path(str(source.get('path', ''))).name}"
    return "the UCI digits"


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


class DataMixin(TrainTabParts):
    """Loading, subsetting and splitting the data (part of :class:`TrainTab`)."""

    def init_data(self) -> None:
        """Start with the built-in digits (read at once: 3 ms) and a loader for the rest."""
        self.source: dict[str, Any] = {"kind": "digits"}
        self.full = load_digits()
        #: The source being read in the background (``None`` while idle).
        self.loading_source: dict[str, Any] | None = None
        self._after_load: Callable[[bool], None] | None = None
        #: A session being restored while its data loads: what a save keeps meanwhile.
        self.restoring: dict[str, Any] | None = None
        self.loader = JobRunner(self, name="trainDataLoader")
        self.loader.progress.connect(self._on_load_progress)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.cancelled.connect(self._on_load_cancelled)
        self.data_box.cancel_button.clicked.connect(self.cancel_loading)
        self.prepare_data()

    @property
    def loading(self) -> bool:
        """Whether data is being read in the background."""
        return self.loader.busy

    def open_requested(self, kind: str) -> None:
        """A data button: built-in digits, or a file dialog for IDX files / an image folder."""
        if kind == "digits":
            self.start_loading({"kind": "digits"})
        elif kind == "idx":
            self.open_idx_dialog()
        elif kind == "webcam":
            open_webcam_classes(self)
        else:
            folder = QFileDialog.getExistingDirectory(self, "Folder with one sub-folder per class")
            if folder:
                self.start_loading({"kind": "folder", "path": folder})

    def use_webcam_set(self, folder: str, height: int, width: int) -> None:
        """Open the image folder the webcam dialog saved, at the size it was captured."""

        def done(ok: bool) -> None:
            if ok:
                self.status_label.setText(f"Webcam classes from {folder}: press Train both.")

        self.start_loading({"kind": "folder", "path": folder, "size": [height, width]}, then=done)

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
        self.start_loading({"kind": "idx", "images": images, "labels": labels})

    # -- background loading ----------------------------------------------------------------------
    def start_loading(
        self,
        source: dict[str, Any],
        *,
        then: Callable[[bool], None] | None = None,
        restoring: dict[str, Any] | None = None,
    ) -> None:
        """Read ``source`` in the background (replacing a load that is running); the data in
        use stays until it is there.  ``then(ok)`` runs when this load ends (not if replaced);
        ``restoring`` is the session whose source this is (see :attr:`restoring`)."""
        self.loading_source = dict(source)
        self._after_load = then
        self.restoring = restoring
        show_message(self.data_box.error_label, "")
        show_message(self.data_box.load_note, "")
        self.data_box.loading_started(f"Opening {describe_source(source)}…")
        self.loader.start(load_job(source))

    def cancel_loading(self) -> None:
        """Stop the background load; the data in use stays."""
        if self.loader.busy:
            self.loader.request_cancel()
            self.data_box.show_cancelling()

    def stop_loading(self) -> None:
        """Cancel the background load and wait for its thread (shutdown)."""
        self.loader.shutdown()
        self.loading_source = None
        self._after_load = None
        self.restoring = None
        self.data_box.loading_ended()

    def _on_load_progress(self, done: int, total: int, text: str) -> None:
        what = describe_source(self.loading_source or {})
        self.data_box.show_loading(f"{what[:1].upper()}{what[1:]}: {text}", done, total)

    def _end_load(self, ok: bool) -> None:
        then = self._after_load
        self.loading_source = None
        self._after_load = None
        self.restoring = None
        self.data_box.loading_ended()
        if then is not None:
            then(ok)

    def _on_loaded(self, data: Dataset) -> None:
        source = self.loading_source or {}
        self.loading_source = None  # the label and state now describe the new data
        self._use_data(source, data)
        self._end_load(True)

    def _on_load_failed(self, message: str) -> None:
        show_message(
            self.data_box.error_label,
            f"Could not open the data: {message}. Still using {self.full.source}.",
        )
        self._end_load(False)

    def _on_load_cancelled(self) -> None:
        show_message(self.data_box.load_note, f"Loading cancelled. Still using {self.full.source}.")
        self._end_load(False)

    # -- on this thread ---------------------------------------------------------------------------
    def load_source(self, source: dict[str, Any]) -> bool:
        """Load ``source`` now, on this thread (scripts and tests; the buttons use
        :meth:`start_loading`); on failure keep the current data and show the reason."""
        if self.loader.busy:  # this load is newer: the background one must not land after it
            self.stop_loading()
        try:
            data = check_usable(read_source(source))
        except (ValueError, OSError, KeyError) as exc:
            show_message(self.data_box.error_label, f"Could not open the data: {exc}")
            return False
        self._use_data(source, data)
        return True

    def _use_data(self, source: dict[str, Any], data: Dataset) -> None:
        show_message(self.data_box.error_label, "")
        show_message(self.data_box.load_note, "")
        self.stop_worker()
        self.full = data
        self.source = dict(source)
        self.prepare_data()
        self.state_changed.emit()

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
