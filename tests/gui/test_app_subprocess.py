"""``main()`` in a real subprocess (a second QApplication in this process would abort)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _run(args, timeout=90):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "gui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_main_starts_and_quits_cleanly():
    result = _run(["--quit-after", "300"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_negative_quit_after_is_refused_with_a_message():
    result = _run(["--quit-after", "-5"])
    assert result.returncode == 2
    assert "--quit-after must not be negative" in result.stderr


def _saved_session(data_dir):
    document = json.loads((data_dir / "autosave.json").read_text(encoding="utf-8"))
    return document["data"]


@pytest.mark.slow
def test_first_start_opens_on_a_sample_image_then_restores_the_last_tab(tmp_path):
    data_dir = tmp_path / "data"
    first = _run(["--quit-after", "1500", "--data-dir", str(data_dir)])
    assert first.returncode == 0, first.stderr
    session = _saved_session(data_dir)
    assert session["current_tab"] == "gallery"
    assert session["tabs"]["gallery"]["source"] == {"kind": "sample", "name": "astronaut"}

    # The user had moved to another tab: the next start restores it instead of the gallery.
    session["current_tab"] = "layers"
    document = {"kind": "kernelscope-session", "version": 1, "data": session}
    (data_dir / "autosave.json").write_text(json.dumps(document), encoding="utf-8")
    second = _run(["--quit-after", "1500", "--data-dir", str(data_dir)])
    assert second.returncode == 0, second.stderr
    assert _saved_session(data_dir)["current_tab"] == "layers"
