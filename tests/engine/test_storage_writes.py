"""The one atomic writer: exports get the user's umask default (not mkstemp's 0600) and
overwrites keep the old mode. Failures (full disk, folder in the way) are tested in
test_session_file.py."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from engine import (
    load_image,
    matrix_to_text,
    save_png,
    save_text,
    summarize,
    summary_to_csv,
    summary_to_markdown,
)
from engine.storage import rename_file, write_files


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _exports(folder):
    """Write every kind of file the tabs export; return their paths."""
    values = np.array([[1, -2], [3, 4]])
    paths = {}
    for fmt, suffix in (("csv", ".csv"), ("markdown", ".md"), ("latex", ".tex")):
        paths[fmt] = folder / f"matrix{suffix}"
        save_text(paths[fmt], matrix_to_text(values, fmt))
    summary = summarize([{"type": "conv2d", "out_channels": 8, "kernel_size": 3}], (3, 32, 32))
    paths["network-csv"] = folder / "net.csv"
    save_text(paths["network-csv"], summary_to_csv(summary))
    paths["network-md"] = folder / "net.md"
    save_text(paths["network-md"], summary_to_markdown(summary))
    paths["png"] = folder / "image.png"
    save_png(paths["png"], np.zeros((4, 5, 3), np.uint8))
    return paths


def test_new_exports_get_the_umask_default_not_0600(tmp_path, umask_022):
    paths = _exports(tmp_path)
    assert {name: _mode(p) for name, p in paths.items()} == dict.fromkeys(paths, 0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())


def test_a_stricter_umask_is_respected(tmp_path):
    old = os.umask(0o077)
    try:
        paths = _exports(tmp_path)
    finally:
        os.umask(old)
    assert {_mode(p) for p in paths.values()} == {0o600}


@pytest.mark.parametrize("kept", [0o600, 0o640, 0o664])
def test_overwriting_keeps_the_existing_mode(tmp_path, umask_022, kept):
    paths = _exports(tmp_path)
    for path in paths.values():
        path.chmod(kept)
    paths = _exports(tmp_path)
    assert {_mode(p) for p in paths.values()} == {kept}
    assert load_image(paths["png"]).shape == (4, 5, 3)
    assert paths["csv"].read_text(encoding="utf-8").splitlines()[0] == "1,-2"


def test_export_into_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(OSError):
        save_text(tmp_path / "no such folder" / "m.csv", "1")
    with pytest.raises(OSError):
        save_png(tmp_path / "no such folder" / "m.png", np.zeros((2, 2), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_rename_file_replaces_atomically(tmp_path):
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_text("new")
    target.write_text("old")
    rename_file(source, target)
    assert target.read_text() == "new" and not source.exists()


@pytest.mark.parametrize("name_bytes", [241, 248, 255])
def test_a_legal_long_file_name_can_be_written(tmp_path, name_bytes):
    # The temporary file next to the target adds 14 bytes; a legal 242-255 byte name used to
    # fail with ENAMETOOLONG. Multi-byte characters check that shortening keeps UTF-8 whole.
    name = ("é" * 200).encode()[: name_bytes - 4].decode(errors="ignore")
    name += "x" * (name_bytes - 4 - len(name.encode())) + ".txt"
    assert len(name.encode()) == name_bytes
    target = tmp_path / name
    save_text(target, "first")
    save_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == [name]


# --- several files, all or nothing (a worksheet and its answer key) ---------------------------
def test_write_files_writes_every_file(tmp_path):
    files = [(tmp_path / "sheet.md", b"sheet"), (tmp_path / "sheet-answers.md", b"key")]
    write_files(files)
    assert [p.read_bytes() for p, _ in files] == [b"sheet", b"key"]


@pytest.mark.parametrize("blocker", ["folder", "name too long", "missing folder"])
@pytest.mark.parametrize("first_exists", [False, True])
def test_write_files_leaves_every_file_as_it_was_when_one_cannot_be_written(
    tmp_path, blocker, first_exists
):
    first = tmp_path / "sheet.md"
    if blocker == "folder":
        second = tmp_path / "sheet-answers.md"
        second.mkdir()  # the write fails at the rename, after the first file was replaced
    elif blocker == "name too long":
        second = tmp_path / ("k" * 256)  # its temporary name is shortened: the rename fails
    else:
        second = tmp_path / "gone" / "key.md"
    if first_exists:
        first.write_bytes(b"old sheet")
    with pytest.raises(OSError):
        write_files([(first, b"new sheet"), (second, b"key")])
    assert first.read_bytes() == b"old sheet" if first_exists else not first.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
