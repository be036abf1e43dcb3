"""Trained models to and from ``.npz``: the weights plus the network JSON, in one file.

The archive holds one array per parameter (``conv1.weight`` …), the network as Layer-sizes JSON
text under ``__network__``, the number of classes and the model seed; optionally the training
history as JSON under ``__history__``.  It is written through :func:`engine.storage.
atomic_write_bytes` and read through :func:`engine.user_files.read_user_bytes` (a FIFO, a
device or a folder is refused without opening it; the size is capped) with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from engine.storage import atomic_write_bytes
from engine.train._model import Model, build_model
from engine.train._training import History
from engine.user_files import read_user_bytes

#: Largest model file read (bytes).
MAX_MODEL_BYTES = 512 * 1024 * 1024
_META = ("__network__", "__classes__", "__seed__", "__history__")


def save_model(path: str | os.PathLike[str], model: Model, history: History | None = None) -> None:
    """Write ``model``'s weights, network JSON (and ``history``) to ``path`` (``.npz``), atomically.

    Raises
    ------
    OSError
        When the file cannot be written; an existing file is then left intact.
    """
    arrays: dict[str, np.ndarray] = {k: np.asarray(v) for k, v in model.parameters().items()}
    arrays["__network__"] = np.array(model.network_json())
    arrays["__classes__"] = np.array(model.classes)
    arrays["__seed__"] = np.array(model.seed)
    if history is not None:
        arrays["__history__"] = np.array(json.dumps(history.to_dict()))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    atomic_write_bytes(path, buffer.getvalue())


def load_model(path: str | os.PathLike[str]) -> tuple[Model, History | None]:
    """Read a file written by :func:`save_model`: the model (float32) and its history or ``None``.

    Raises
    ------
    ValueError
        Naming the file: missing or not a regular file (:class:`engine.user_files.
        UserFileError`), too large, not an ``.npz`` archive, no network, or weights whose names
        or shapes do not match the network.
    """
    p = Path(path)
    # A UserFileError (a ValueError) says what the path is instead: missing, a folder, a FIFO…
    data = read_user_bytes(p, what="model file", max_bytes=MAX_MODEL_BYTES)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            # A small archive can expand to gigabytes: check the sizes it declares first.
            expanded = sum(info.file_size for info in npz.zip.infolist())
            if expanded > MAX_MODEL_BYTES:
                raise ValueError(f"it expands to {expanded:,} bytes")
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"path: {p.name} is not a KernelScope model archive ({exc})") from None
    if "__network__" not in arrays:
        raise ValueError(f"path: {p.name} holds no network (__network__ is missing)")
    try:
        classes = int(arrays.get("__classes__", np.array(10)))
        seed = int(arrays.get("__seed__", np.array(0)))
        model = build_model(str(arrays["__network__"]), classes=classes, seed=seed)
        model.set_parameters({k: v for k, v in arrays.items() if k not in _META})
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"path: {p.name}: {exc}") from None
    history = None
    if "__history__" in arrays:
        try:
            history = History.from_dict(json.loads(str(arrays["__history__"])))
        except (ValueError, TypeError, OverflowError) as exc:  # int(inf) overflows
            raise ValueError(f"path: {p.name}: {exc}") from None
    return model, history
