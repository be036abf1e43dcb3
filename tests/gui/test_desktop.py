"""``kernelscope --install-desktop`` / ``--uninstall-desktop``: the app-menu entry for this user."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from gui.desktop_install import desktop_entry_text, install_desktop, launch_command

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="freedesktop entries")


def _entry(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read_string(text)
    return dict(parser["Desktop Entry"])


def _unquote_exec(value: str) -> list[str]:
    """Split an Exec value the way the freedesktop spec says a launcher does.

    First the general string escapes (``\\\\`` → ``\\``), then the Exec quoting: arguments
    are separated by spaces; inside double quotes a backslash escapes ``"``, `` ` ``, ``$``, ``\\``.
    """
    text = value.replace("\\\\", "\\")
    args, current, quoted, i = [], "", False, 0
    while i < len(text):
        char = text[i]
        if quoted and char == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            current += text[i + 1]
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            if current:
                args.append(current)
            current = ""
        else:
            current += char
        i += 1
    assert not quoted, f"unbalanced quotes in {value!r}"
    return [*args, current] if current else args


@linux_only
def test_install_desktop_command_writes_entry_and_icon_in_the_users_data_home(tmp_path):
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-m", "gui", "--install-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    data_home = Path(env["XDG_DATA_HOME"])
    entry_path = data_home / "applications" / "kernelscope.desktop"
    icon_path = data_home / "icons" / "hicolor" / "256x256" / "apps" / "kernelscope.png"
    assert f"wrote {entry_path}" in result.stdout
    entry = _entry(entry_path.read_text(encoding="utf-8"))
    assert entry["Type"] == "Application" and entry["Name"] == "KernelScope"
    assert entry["Terminal"] == "false" and entry["Icon"] == "kernelscope"
    command = _unquote_exec(entry["Exec"])
    assert Path(command[0]).is_absolute() and Path(command[0]).exists()
    assert icon_path.read_bytes().startswith(PNG_SIGNATURE)

    removed = subprocess.run(
        [sys.executable, "-m", "gui", "--uninstall-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert removed.returncode == 0, removed.stderr
    assert not entry_path.exists() and not icon_path.exists()
    again = subprocess.run(
        [sys.executable, "-m", "gui", "--uninstall-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0 and "nothing to remove" in again.stdout


@linux_only
def test_the_installed_exec_line_really_starts_kernelscope(tmp_path):
    [entry_path, _icon] = install_desktop(tmp_path / "share")
    command = _unquote_exec(_entry(entry_path.read_text())["Exec"])
    result = subprocess.run(
        [*command, "--quit-after", "-1"],  # refused at once: proves it is our program
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 2 and "--quit-after must not be negative" in result.stderr


def test_paths_with_spaces_and_quotes_survive_exec_quoting():
    odd = '/opt/My Apps/ks "beta"/$HOME\\kernelscope'
    entry = _entry(desktop_entry_text([odd, "-m", "gui"]))
    assert _unquote_exec(entry["Exec"]) == [odd, "-m", "gui"]
    assert _entry(desktop_entry_text(["/usr/bin/kernelscope"]))["Exec"] == "/usr/bin/kernelscope"


def test_percent_signs_are_doubled_so_they_are_not_field_codes():
    assert "Exec=/data/100%%/kernelscope" in desktop_entry_text(["/data/100%/kernelscope"])


def test_launch_command_is_absolute_for_a_script_a_bundle_and_a_module(tmp_path):
    script = tmp_path / "kernelscope"
    script.write_text("#!/bin/sh\n")
    assert launch_command(str(script)) == [str(script.resolve())]
    fallback = launch_command(str(tmp_path / "not-our-name.py"))
    assert Path(fallback[0]).is_absolute()


LAUNCH_FROM_LINK = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from gui.desktop_install import launch_command; print(launch_command('python -m gui')[0])"
)


def _real_venv(folder: Path) -> Path:
    """A virtual environment as ``python -m venv --without-pip`` makes it (``pyvenv.cfg``, its
    ``bin/python3`` a symlink to the base interpreter), which sees this test run's packages
    through a ``.pth`` file: so it works whether the tests run from a venv or a system Python.
    Returns its ``bin/python3``."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
    site_packages = next((folder / "lib").glob("python*/site-packages"))
    ours = [
        p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()
    ]
    (site_packages / "test-run-packages.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return folder / "bin" / "python3"


@linux_only
def test_a_venv_python_symlink_is_kept_not_resolved_to_the_base_interpreter(tmp_path):
    # A virtual environment's bin/python is a symlink to the base interpreter; following it
    # gives an interpreter without the venv's site-packages (no PySide6 there). The venv must be
    # a real one: a bare symlink without pyvenv.cfg *is* the base interpreter, which has none of
    # the test run's packages when the tests themselves run from a venv.
    link = _real_venv(tmp_path / "venv")
    assert link.is_symlink() and (tmp_path / "venv" / "pyvenv.cfg").is_file()
    result = subprocess.run(
        [str(link), "-c", LAUNCH_FROM_LINK, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PATH=str(link.parent)),  # no kernelscope script on PATH
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(link)
