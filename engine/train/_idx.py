"""MNIST IDX files (``train-images-idx3-ubyte[.gz]`` and its labels file) as a :class:`Dataset`.

The files are streamed, never read whole: the header is read first and the sizes it declares
are checked against the limits (image side, number of values, labels matching images) before a
byte of data is decompressed — a gzip bomb or a header declaring 4294967295 × 4294967295 images
is refused at once.  The data is then read in 1 MiB chunks into one preallocated array
(progress reported and cancellation checked between chunks), and a file holding more data than
its header declares is refused after exactly the declared amount plus one byte.  Every failure
— not a regular file, a bad magic number, a damaged gzip stream (``zlib.error``), truncation —
is a ``ValueError`` naming the file.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from engine.storage import UserFileError, open_user_file
from engine.train._data import (
    MAX_DATASET_VALUES,
    MAX_SIDE,
    CancelCallback,
    Dataset,
    LoadReporter,
    ProgressCallback,
)

#: Largest IDX file on disk (bytes; compressed or not).
MAX_IDX_FILE_BYTES = 512 * 1024 * 1024
#: Bytes decompressed between two progress reports / cancellation checks.
CHUNK_BYTES = 1024 * 1024

# What decompressing a damaged or cut-off .gz raises: BadGzipFile (an OSError), zlib.error
# (a corrupt deflate body) and EOFError (the stream ends early).
_STREAM_ERRORS = (OSError, EOFError, zlib.error)


class _IdxFile:
    """One open IDX file: its header read and checked, its data still to be read."""

    def __init__(self, path: str | os.PathLike[str], name: str, ndim: int) -> None:
        self.path = Path(path)
        self.name = name
        what = "IDX images file" if ndim == 3 else "IDX labels file"
        try:
            self._file: BinaryIO = open_user_file(path, what=what, max_bytes=MAX_IDX_FILE_BYTES)
        except UserFileError as exc:
            raise ValueError(f"{name}: {exc}") from None
        try:
            self._stream = self._open_stream()
            self.dims = self._read_header(ndim)
        except BaseException:
            self.close()
            raise
        self.count = int(np.prod(self.dims, dtype=object))

    def fail(self, why: str) -> ValueError:
        """A ``ValueError`` naming the argument and the file."""
        return ValueError(f"{self.name}: {self.path.name} {why}")

    def _open_stream(self) -> BinaryIO:
        try:
            magic = self._file.read(2)
            self._file.seek(0)
        except OSError as exc:
            raise self.fail(f"cannot be read ({exc.strerror or exc})") from None
        if magic == b"\x1f\x8b":
            return gzip.GzipFile(fileobj=self._file, mode="rb")  # type: ignore[return-value]
        return self._file

    def _read(self, n: int) -> bytes:
        try:
            return self._stream.read(n)
        except _STREAM_ERRORS as exc:
            raise self.fail(f"is not a readable gzip file (damaged or cut off: {exc})") from None

    def _read_header(self, ndim: int) -> tuple[int, ...]:
        head = self._read(4)
        if len(head) < 4 or head[0] != 0 or head[1] != 0:
            raise self.fail("is not an IDX file (bad magic number)")
        if head[2] != 0x08:
            raise self.fail(f"holds IDX type 0x{head[2]:02x}; only unsigned bytes (0x08) are read")
        if head[3] != ndim:
            shape = "3 dimensions (n, rows, cols)" if ndim == 3 else "1 dimension (n,)"
            raise self.fail(
                f"has {head[3]} dimension{'' if head[3] == 1 else 's'}; expected {shape}"
            )
        raw = self._read(4 * ndim)
        if len(raw) < 4 * ndim:
            raise self.fail("is truncated (incomplete header)")
        dims = tuple(int.from_bytes(raw[4 * i : 4 * i + 4], "big") for i in range(ndim))
        if ndim == 3:
            rows, cols = dims[1:]
            if not (1 <= rows <= MAX_SIDE and 1 <= cols <= MAX_SIDE):
                raise self.fail(
                    f"declares images of {rows:,}×{cols:,} pixels; at most "
                    f"{MAX_SIDE}×{MAX_SIDE} are read"
                )
        if dims[0] == 0:
            raise self.fail("declares no images (n = 0)")
        values = int(np.prod(dims, dtype=object))
        if values > MAX_DATASET_VALUES:
            raise self.fail(
                f"declares {' × '.join(f'{d:,}' for d in dims)} = {values:,} values, more than "
                f"the limit of {MAX_DATASET_VALUES:,}; refused before reading"
            )
        return dims

    def read_data(self, report: LoadReporter, done: int, total: int) -> np.ndarray:
        """The declared data as ``uint8`` of shape :attr:`dims`; ``done``/``total`` are bytes of
        the whole load, for progress."""
        out = np.empty(self.count, dtype=np.uint8)
        view = memoryview(out.data)
        got = 0
        while got < self.count:
            report((done + got) / total, f"reading {self.path.name}")
            want = min(CHUNK_BYTES, self.count - got)
            try:
                n = self._stream.readinto(view[got : got + want])  # type: ignore[attr-defined]
            except _STREAM_ERRORS as exc:
                raise self.fail(
                    f"is not a readable gzip file (damaged or cut off: {exc})"
                ) from None
            if not n:
                raise self.fail(
                    f"should hold {self.count:,} bytes of data for shape {self.dims}, has {got:,}"
                )
            got += n
        if self._read(1):  # a bomb stops here: one byte past what the header declares
            raise self.fail(
                f"holds more data than its header declares ({self.count:,} bytes for shape "
                f"{self.dims})"
            )
        return out.reshape(self.dims)

    def close(self) -> None:
        """Close the stream and the file."""
        stream = getattr(self, "_stream", None)
        if stream is not None and stream is not self._file:
            stream.close()
        self._file.close()


def load_idx(
    images_path: str | os.PathLike[str],
    labels_path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    cancelled: CancelCallback | None = None,
) -> Dataset:
    """Read MNIST-format IDX files (``*-idx3-ubyte`` images, ``*-idx1-ubyte`` labels, or .gz).

    Parameters
    ----------
    images_path, labels_path
        The two files.
    progress
        Called as ``progress(fraction, text)`` between chunks of 1 MiB.
    cancelled
        Polled between chunks; when it returns ``True`` the load stops with
        :class:`LoadCancelled`.

    Raises
    ------
    ValueError
        Naming the file: not a regular file, too large, bad magic number, images larger than
        ``MAX_SIDE`` or more than ``MAX_DATASET_VALUES`` values declared, a damaged gzip stream,
        truncated or longer than declared, labels that are not 1-D or do not match the number
        of images, or labels above 9.
    LoadCancelled
        ``cancelled()`` returned ``True``.
    """
    report = LoadReporter(progress, cancelled)
    report(0.0, "reading the headers")
    images_file = _IdxFile(images_path, "images_path", 3)
    try:
        labels_file = _IdxFile(labels_path, "labels_path", 1)
        try:
            n_images, n_labels = images_file.dims[0], labels_file.dims[0]
            if n_images != n_labels:  # checked on the headers, before reading the data
                raise ValueError(f"labels_path: {n_labels:,} labels for {n_images:,} images")
            total = images_file.count + labels_file.count
            images = images_file.read_data(report, 0, total)
            labels = labels_file.read_data(report, images_file.count, total)
        finally:
            labels_file.close()
    finally:
        images_file.close()
    if int(labels.max()) > 9:
        raise ValueError(f"labels_path: label {int(labels.max())} is not a digit 0–9")
    report(1.0, "converting")
    return Dataset(
        images.astype(np.float32) / np.float32(255.0),
        labels.astype(np.int64),
        source=f"IDX files {Path(images_path).name}, {Path(labels_path).name}",
    )
