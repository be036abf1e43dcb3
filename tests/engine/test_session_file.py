"""Versioned JSON documents: atomic writes, defensive reads, plain JSON types only."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.storage import (
    MAX_JSON_INT_DIGITS,
    SESSION_KIND,
    SESSION_VERSION,
    atomic_write_text,
    document_text,
    load_document,
    make_session_data,
    move_aside,
    normalize_session_data,
    parse_document,
    parse_json,
    to_plain_json,
    write_document,
)

ROOT = Path(__file__).resolve().parents[2]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_write_then_load_gives_back_exactly_the_same_values_and_types(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("doc") / "session.json"
    write_document(path, SESSION_KIND, SESSION_VERSION, data)
    result = load_document(path, SESSION_KIND, SESSION_VERSION)
    assert result.status == "ok"
    assert result.data == data
    # types survive too (True must not come back as 1, 1 not as 1.0)
    assert json.dumps(result.data, sort_keys=True) == json.dumps(data, sort_keys=True)


def test_numpy_values_and_tuples_become_plain_python():
    plain = to_plain_json(
        {"a": np.int64(3), "b": np.float32(0.5), "m": np.arange(4).reshape(2, 2), "t": (1, 2)}
    )
    assert plain == {"a": 3, "b": 0.5, "m": [[0, 1], [2, 3]], "t": [1, 2]}
    assert type(plain["a"]) is int and type(plain["b"]) is float
    assert type(plain["m"][0][0]) is int


def test_non_finite_floats_round_trip(tmp_path):
    path = tmp_path / "s.json"
    write_document(path, SESSION_KIND, 1, {"x": [math.inf, -math.inf, math.nan]})
    values = load_document(path, SESSION_KIND, 1).data["x"]
    assert values[0] == math.inf and values[1] == -math.inf and math.isnan(values[2])


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"s": {1, 2}}, "data['s']: set"),
        ({"k": {3: "x"}}, "dict key 3"),
        ({"o": [object()]}, "data['o'][0]: object"),
        ({"b": b"raw"}, "bytes"),
    ],
)
def test_values_that_are_not_plain_json_are_refused_naming_where(tmp_path, value, fragment):
    with pytest.raises(ValueError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        write_document(tmp_path / "x.json", SESSION_KIND, 1, value)
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    ("kind", "version", "data", "argument"),
    [
        ("", 1, {}, "kind"),
        ("k", 0, {}, "version"),
        ("k", True, {}, "version"),
        ("k", 1, [], "data"),
    ],
)
def test_bad_document_arguments_raise_naming_the_argument(kind, version, data, argument):
    with pytest.raises(ValueError, match=argument):
        document_text(kind, version, data)


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"{not json", "corrupt", "not valid JSON"),
        (b"", "corrupt", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "corrupt", "not UTF-8"),
        (b"[1, 2]", "corrupt", "not a JSON object"),
        (b'{"kind": "other", "version": 1, "data": {}}', "corrupt", "kind is 'other'"),
        (b'{"kind": "kernelscope-session", "version": "1", "data": {}}', "corrupt", "version"),
        (b'{"kind": "kernelscope-session", "version": true, "data": {}}', "corrupt", "version"),
        (b'{"kind": "kernelscope-session", "version": 1, "data": 5}', "corrupt", "'data'"),
        (b'{"kind": "kernelscope-session", "version": 99, "data": {}}', "future", "newer"),
        # int() refuses > 4,300 digits with a plain ValueError (not a JSONDecodeError)
        (
            b'{"kind": "kernelscope-session", "version": 1, "data": {"tabs": {"zoom": '
            + b"7" * 5000
            + b"}}}",
            "corrupt",
            'the value of "zoom" in "tabs" in "data" is a whole number of 5,000 digits',
        ),
    ],
)
def test_unusable_files_are_moved_aside_with_their_bytes_and_a_message(
    tmp_path, content, status, words
):
    path = tmp_path / "autosave.json"
    path.write_bytes(content)
    result = load_document(path, SESSION_KIND, SESSION_VERSION, label="session file")
    assert result.status == status
    assert result.data == {}
    assert not path.exists()
    assert result.backup is not None and result.backup.read_bytes() == content
    assert result.backup.name.startswith(f"autosave.{status}-")
    assert result.backup.suffix == ".json"
    assert words in result.message and "starting with defaults" in result.message
    assert result.backup.name in result.message


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"{not json", "corrupt", "is damaged: not valid JSON"),
        (b'{"kind": "kernelscope-session", "version": 99, "data": {}}', "future", "newer"),
    ],
)
def test_a_file_the_user_named_is_never_moved(tmp_path, content, status, words):
    path = tmp_path / "lesson.json"
    path.write_bytes(content)
    result = load_document(path, SESSION_KIND, SESSION_VERSION, label="session file", move=False)
    assert (result.status, result.data, result.backup) == (status, {}, None)
    assert path.read_bytes() == content and list(tmp_path.iterdir()) == [path]
    assert words in result.message and "left as it is" in result.message
    assert "starting with defaults" not in result.message


def test_missing_file_is_reported_as_missing_without_message(tmp_path):
    result = load_document(tmp_path / "none.json", SESSION_KIND, 1)
    assert (result.status, result.data, result.backup, result.message) == ("missing", {}, None, "")


def test_a_folder_in_place_of_the_file_is_reported_not_moved(tmp_path):
    (tmp_path / "s.json").mkdir()
    result = load_document(tmp_path / "s.json", SESSION_KIND, 1, label="session file")
    assert result.status == "corrupt" and "cannot be read" in result.message
    assert (tmp_path / "s.json").is_dir()


def test_move_aside_never_overwrites_an_earlier_backup(tmp_path):
    backups = []
    for n in range(3):
        path = tmp_path / "settings.json"
        path.write_text(f"broken {n}")
        backups.append(move_aside(path, "corrupt"))
    assert len(set(backups)) == 3
    assert sorted(b.read_text() for b in backups) == ["broken 0", "broken 1", "broken 2"]


def test_atomic_write_replaces_content_keeps_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "deep" / "s.json"
    atomic_write_text(path, "one")
    path.chmod(0o640)
    atomic_write_text(path, "two")
    assert path.read_text() == "two"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["s.json"]


def test_failed_write_raises_and_leaves_no_temporary_file(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    with pytest.raises(OSError):
        atomic_write_text(blocker / "s.json", "data")
    target = tmp_path / "target"
    target.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError):
        atomic_write_text(target, "data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_folder", "target"]


DISK_FULL_CHILD = r"""
import sys
from engine.storage import write_document, SESSION_KIND
path = sys.argv[1]
try:
    write_document(path, SESSION_KIND, 1, {"big": "x" * 200_000})
except OSError as exc:
    print("OSError", exc.errno)
    sys.exit(0)
print("no error")
sys.exit(1)
"""


def _limit_file_size():
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))


def _write_on_a_full_disk(child, path):
    """Run ``child`` (code that rewrites ``path``) under a 50,000-byte file size limit: its
    write fails with EFBIG, ``path`` keeps its bytes and no temporary file is left beside it."""
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-c", child, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_file_size,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OSError 27")  # EFBIG
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_full_write_in_a_child_keeps_the_previous_file_intact(tmp_path):
    path = tmp_path / "autosave.json"
    write_document(path, SESSION_KIND, 1, {"work": [1, 2, 3]})
    _write_on_a_full_disk(DISK_FULL_CHILD, path)
    assert load_document(path, SESSION_KIND, 1).data == {"work": [1, 2, 3]}


PNG_DISK_FULL_CHILD = r"""
import sys
import numpy as np
from engine.images.io import save_png
rng = np.random.default_rng(0)
try:  # noise does not compress: far more than the 50,000-byte file size limit
    save_png(sys.argv[1], rng.integers(0, 256, (300, 300, 3), dtype=np.uint8))
except OSError as exc:
    print("OSError", exc.errno)
    sys.exit(0)
print("no error")
sys.exit(1)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_full_png_export_keeps_the_previous_png_intact(tmp_path):
    """KernelScope's binary writer (save_png → atomic_write_bytes) on a full disk: the old
    picture survives byte for byte and no temporary file is left behind."""
    from engine.images.io import load_image, save_png

    path = tmp_path / "export.png"
    save_png(path, np.full((4, 4), 7, dtype=np.uint8))
    _write_on_a_full_disk(PNG_DISK_FULL_CHILD, path)
    assert load_image(path).tolist() == [[7] * 4] * 4


def test_session_data_holds_tabs_current_tab_and_geometry():
    data = make_session_data({"matrix": {"cells": np.eye(2)}}, "matrix", "AAE=")
    assert data == {
        "tabs": {"matrix": {"cells": [[1.0, 0.0], [0.0, 1.0]]}},
        "current_tab": "matrix",
        "geometry": "AAE=",
    }
    with pytest.raises(ValueError, match="tabs"):
        make_session_data([], "matrix", None)


def test_normalize_keeps_good_parts_and_notes_the_bad():
    clean, notes = normalize_session_data(
        {"tabs": {"matrix": {"a": 1}, "loss": [1, 2]}, "current_tab": 3, "geometry": 7}
    )
    assert clean == {"tabs": {"matrix": {"a": 1}}, "current_tab": None, "geometry": None}
    assert len(notes) == 3 and any("loss" in n for n in notes)
    clean, notes = normalize_session_data({"tabs": "nope"})
    assert clean["tabs"] == {} and notes == ["'tabs' is not an object"]


def test_parse_document_rejects_deeply_nested_garbage_as_corrupt():
    text = (
        '{"kind": "kernelscope-session", "version": 1, "data": '
        + "[" * 100_000
        + "]" * 100_000
        + "}"
    )
    with pytest.raises(ValueError, match="not valid JSON|not a JSON object"):
        parse_document(text, SESSION_KIND, 1)


@pytest.mark.parametrize("digits", [4301, 5000, 100_000])
def test_parse_json_names_where_an_integer_with_too_many_digits_sits(digits):
    text = '{"layers": [{"type": "conv2d"}, {"out": -' + "1" * digits + "}]}"
    with pytest.raises(ValueError) as caught:
        parse_json(text)
    message = str(caught.value)
    assert f'the value of "out" in item 2 of "layers" is a whole number of {digits:,} digits' in (
        message
    )
    assert "int_max_str_digits" not in message


def test_parse_json_reads_long_but_allowed_integers_and_plain_values_exactly():
    big = int("9" * MAX_JSON_INT_DIGITS)
    assert parse_json(f'{{"a": [{big}, -{big}, 1.5, null, true, "x"]}}') == {
        "a": [big, -big, 1.5, None, True, "x"]
    }
    assert parse_json("\ufeff[1]") == [1]  # a BOM from a Windows editor is not damage


@pytest.mark.parametrize(
    ("text", "words"),
    [("{", "not valid JSON: .* line 1, column 2"), ("[" * 100_000, "nested too deeply")],
)
def test_parse_json_refuses_broken_text_with_a_value_error(text, words):
    with pytest.raises(ValueError, match=words):
        parse_json(text)
