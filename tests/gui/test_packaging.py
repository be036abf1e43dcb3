"""The PyInstaller one-folder bundle builds and starts headless without the source tree.

Building takes about half a minute on 2 cores (measured: 26 s), so it is marked slow; CI runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "resources" / "kernelscope.spec"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Build the bundle once for this module; return the folder holding the executable."""
    pytest.importorskip("PyInstaller", reason="PyInstaller comes with the 'test' extra")
    out = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    folder = out / "dist" / "kernelscope"
    assert (folder / ("kernelscope.exe" if sys.platform == "win32" else "kernelscope")).is_file()
    return folder


def _bare_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH, no virtualenv: what a machine without Python offers the bundle."""
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "PATH": "/usr/bin:/bin",
        "QT_QPA_PLATFORM": "offscreen",
        "KERNELSCOPE_NO_CAMERA": "1",
    }
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform == "win32":
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "APPDATA") if k in os.environ})
    return env


@pytest.mark.slow
def test_bundle_starts_headless_and_quits_cleanly(bundle, tmp_path):
    exe = bundle / ("kernelscope.exe" if sys.platform == "win32" else "kernelscope")
    result = subprocess.run(
        [str(exe), "--verbose", "--quit-after", "1500"],
        cwd=tmp_path,
        env=_bare_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "kernelscope autosaved" in result.stdout
    autosaves = list((tmp_path / "home").rglob("autosave.json"))
    assert [p.parent.name for p in autosaves] == ["KernelScope"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="desktop entries are a Linux thing")
def test_bundle_installs_a_desktop_entry_that_points_at_itself(bundle, tmp_path):
    exe = bundle / "kernelscope"
    home = tmp_path / "home"
    result = subprocess.run(
        [str(exe), "--install-desktop"],
        env=_bare_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    entry = (home / ".local/share/applications/kernelscope.desktop").read_text()
    assert f"Exec={exe.resolve()}" in entry.splitlines()


@pytest.mark.slow
def test_bundle_carries_the_resources_the_app_reads(bundle):
    """Icon, sample images, the built-in digits and the derivation table are read with
    importlib.resources: every data file of resources/ must be in the bundle (the digits were
    not, and the bundle's Train tab failed at start)."""
    wanted = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc", ".spec"} and "__pycache__" not in p.parts
    }
    assert "resources/data/digits.npz" in wanted
    icons = list(bundle.rglob("resources/kernelscope.png"))
    assert len(icons) == 1, icons
    root = icons[0].parent.parent
    bundled = {p.relative_to(root).as_posix() for p in (root / "resources").rglob("*")}
    assert wanted and wanted <= bundled, sorted(wanted - bundled)
