"""Trained models to and from ``.npz``: the weights plus the network JSON, in one file.

The archive holds one array per parameter (``conv1.weight`` …), the network as Layer-sizes JSON
text under ``__network__``, the number of classes and the model seed; optionally the training
history as JSON under ``__history__``.  It is written through :func:`engine.storage.
atomic_write_bytes` (the target checked first, so a failure is a sentence about the user's path,
not the writer's hidden temporary file) and read through :func:`engine.storage.
read_user_bytes` (a FIFO, a device or a folder is refused without opening it; the size is
capped).

A model file is untrusted input, so it is not handed to ``np.load``: each member's ``.npy``
header is read with :func:`numpy.lib.format.read_magic` / ``read_array_header_*`` and the shape
× item size it declares is bounded before a byte of data is decompressed (a 1 KB file can
declare terabytes).  Object arrays are never read.  Whatever is wrong — a damaged zip, a flipped
byte in the deflate data, a header that does not parse, JSON nested 100,000 deep, weights that
are complex or too large for float32 — ends as a ``ValueError`` naming the file.
"""

from __future__ import annotations

import io
import json
import math
import os
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from engine.storage import atomic_write_bytes, check_write_target, read_user_bytes, write_problem
from engine.train._model import Model, build_model
from engine.train._training import History

#: Largest model file read (bytes), and most bytes its arrays may declare in all.
MAX_MODEL_BYTES = 512 * 1024 * 1024
#: Most arrays in a model archive (a network has at most a few hundred parameters arrays).
MAX_MEMBERS = 2000
#: Largest ``.npy`` header read (numpy's own default limit).
MAX_HEADER_BYTES = 10_000
_META = ("__network__", "__classes__", "__seed__", "__history__")

# What parsing a damaged archive can raise besides ValueError: a corrupt zip or deflate stream,
# a cut-off member, a header numpy's tokenizer or literal_eval chokes on, an unsupported or
# encrypted zip member.
_ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    TypeError,
    KeyError,
    SyntaxError,
    tokenize.TokenError,
    zlib.error,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    OverflowError,
)


def save_model(path: str | os.PathLike[str], model: Model, history: History | None = None) -> None:
    """Write ``model``'s weights, network JSON (and ``history``) to ``path`` (``.npz``), atomically.

    Raises
    ------
    ValueError
        (:class:`engine.storage.UserFileError`) when the file cannot be written, in a
        sentence about ``path``: a folder, a name over 255 bytes, a file where a folder should
        be, permission denied, disk full (missing folders are created). An existing file is
        then left intact.
    """
    target = check_write_target(path, what="model file", folder_must_exist=False)
    arrays: dict[str, np.ndarray] = {k: np.asarray(v) for k, v in model.parameters().items()}
    arrays["__network__"] = np.array(model.network_json())
    arrays["__classes__"] = np.array(model.classes)
    arrays["__seed__"] = np.array(model.seed)
    if history is not None:
        arrays["__history__"] = np.array(json.dumps(history.to_dict()))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    try:
        atomic_write_bytes(target, buffer.getvalue())
    except OSError as exc:
        raise write_problem(target, exc, what="model file") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> np.ndarray:
    """One ``.npy`` member, its declared size checked against ``budget`` bytes first."""
    with archive.open(name=info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp, MAX_HEADER_BYTES)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp, MAX_HEADER_BYTES)
        else:
            raise ValueError(f".npy format version {version} is not read")
        if dtype.hasobject or dtype.kind not in "biufcU" or dtype.fields is not None:
            raise ValueError(f"its data type {dtype} is not numbers or text")
        count = math.prod(int(d) for d in shape)
        nbytes = count * dtype.itemsize
        if nbytes > budget:
            raise ValueError(
                f"its header declares {nbytes:,} bytes (shape {tuple(shape)}, {dtype}), more "
                f"than the {MAX_MODEL_BYTES:,} a model file may hold; refused before reading"
            )
        raw = fp.read(nbytes)
        if len(raw) != nbytes:
            raise ValueError(f"it is cut off: {len(raw):,} of {nbytes:,} bytes")
    flat = np.frombuffer(raw, dtype=dtype, count=count)
    return flat.reshape(tuple(shape), order="F") if fortran else flat.reshape(tuple(shape))


def _read_archive(data: bytes, name: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive by name, or a ``ValueError`` saying what is wrong."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ARCHIVE_ERRORS as exc:
        raise ValueError(f"path: {name} is not a KernelScope model archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ValueError(f"path: {name} holds {len(infos):,} arrays; at most {MAX_MEMBERS:,}")
        # A small archive can expand to gigabytes: check the sizes it declares first.
        expanded = sum(info.file_size for info in infos)
        if expanded > MAX_MODEL_BYTES:
            raise ValueError(
                f"path: {name} is not a KernelScope model archive (it expands to "
                f"{expanded:,} bytes)"
            )
        arrays: dict[str, np.ndarray] = {}
        budget = MAX_MODEL_BYTES
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise ValueError(f"path: {name}: {info.filename} is not a .npy array")
            key = info.filename.removesuffix(".npy")
            try:
                arrays[key] = _read_member(archive, info, budget)
            except _ARCHIVE_ERRORS as exc:
                raise ValueError(f"path: {name}: the array {key!r} cannot be read: {exc}") from None
            budget -= arrays[key].nbytes
    return arrays


def _whole_number(arrays: dict[str, np.ndarray], key: str, default: int, name: str) -> int:
    value = arrays.get(key)
    if value is None:
        return default
    if value.shape != () or value.dtype.kind not in "iu":
        raise ValueError(
            f"path: {name}: {key} must be one whole number, got {value.dtype} values of shape "
            f"{value.shape}"
        )
    return int(value)


def _text(arrays: dict[str, np.ndarray], key: str, name: str) -> str:
    value = arrays[key]
    if value.shape != () or value.dtype.kind != "U":
        raise ValueError(f"path: {name}: {key} must be JSON text, got {value.dtype} {value.shape}")
    return str(value[()])


def _checked_weights(
    arrays: dict[str, np.ndarray], model: Model, name: str
) -> dict[str, np.ndarray]:
    """The parameter arrays, refusing what would silently change on the way into ``model``."""
    limit = float(np.finfo(model.dtype).max)
    weights = {k: v for k, v in arrays.items() if k not in _META}
    for key, value in weights.items():
        if value.dtype.kind == "c":
            raise ValueError(
                f"path: {name}: {key} holds complex numbers; weights are real, and dropping the "
                "imaginary part would change the model"
            )
        if value.dtype.kind not in "iuf":
            raise ValueError(f"path: {name}: {key} holds {value.dtype} values, not numbers")
        if value.size and value.dtype.kind == "f" and np.all(np.isfinite(value)):
            biggest = float(np.max(np.abs(value)))
            if biggest > limit:
                raise ValueError(
                    f"path: {name}: {key} holds values up to {biggest:.3g}, beyond the "
                    f"{np.dtype(model.dtype).name} range (±{limit:.3g}): they would become "
                    "infinite"
                )
    return weights


def load_model(path: str | os.PathLike[str]) -> tuple[Model, History | None]:
    """Read a file written by :func:`save_model`: the model (float32) and its history or ``None``.

    Raises
    ------
    ValueError
        Naming the file: missing or not a regular file (:class:`engine.storage.
        UserFileError`), too large, not an ``.npz`` archive or a damaged one, arrays declaring
        more than ``MAX_MODEL_BYTES``, no network, ``__classes__``/``__seed__`` that are not one
        whole number, weights whose names or shapes do not match the network, weights that are
        complex, NaN/infinite or beyond float32, or a history that is not valid JSON.
    """
    p = Path(path)
    # A UserFileError (a ValueError) says what the path is instead: missing, a folder, a FIFO…
    data = read_user_bytes(p, what="model file", max_bytes=MAX_MODEL_BYTES)
    arrays = _read_archive(data, p.name)
    if "__network__" not in arrays:
        raise ValueError(f"path: {p.name} holds no network (__network__ is missing)")
    classes = _whole_number(arrays, "__classes__", 10, p.name)
    seed = _whole_number(arrays, "__seed__", 0, p.name)
    network = _text(arrays, "__network__", p.name)
    try:
        model = build_model(network, classes=classes, seed=seed)
    except RecursionError:
        raise ValueError(f"path: {p.name}: the network JSON is nested too deeply") from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"path: {p.name}: {exc}") from None
    weights = _checked_weights(arrays, model, p.name)
    try:
        model.set_parameters(weights)
    except ValueError as exc:
        raise ValueError(f"path: {p.name}: {exc}") from None
    history = None
    if "__history__" in arrays:
        text = _text(arrays, "__history__", p.name)
        try:
            history = History.from_dict(json.loads(text))
        except RecursionError:
            raise ValueError(f"path: {p.name}: the history JSON is nested too deeply") from None
        except (ValueError, TypeError, OverflowError) as exc:  # int(inf) overflows
            raise ValueError(f"path: {p.name}: {exc}") from None
    return model, history
