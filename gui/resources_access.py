"""Access to files in the ``resources`` package through ``importlib.resources``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path


@contextlib.contextmanager
def resource_path(name: str) -> Iterator[Path]:
    """Yield a real filesystem path for ``resources/<name>`` (extracted if packed in a zip)."""
    ref = resources.files("resources").joinpath(name)
    with resources.as_file(ref) as path:
        yield path


def read_resource_bytes(name: str) -> bytes:
    """The bytes of ``resources/<name>``."""
    return resources.files("resources").joinpath(name).read_bytes()
