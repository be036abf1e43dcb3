"""``main()`` in a real subprocess (a second QApplication in this process would abort)."""

from __future__ import annotations

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
