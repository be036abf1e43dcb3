"""``kernelscope --install-desktop``: a Linux app-menu entry and icon for the current user.

Writes ``$XDG_DATA_HOME/applications/kernelscope.desktop`` (default ``~/.local/share``) whose
``Exec`` is the absolute path of the program that is running now (the ``kernelscope`` script,
a PyInstaller bundle, or ``python -m gui`` as a last resort), and copies the 256×256 icon to
``$XDG_DATA_HOME/icons/hicolor/256x256/apps/kernelscope.png``. No Qt needed: this runs without
a display.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from engine.storage import atomic_write_text
from gui.resources_access import read_resource_bytes

DESKTOP_NAME = "kernelscope.desktop"
ICON_NAME = "kernelscope"
ICON_SUBDIR = Path("icons") / "hicolor" / "256x256" / "apps"


def data_home() -> Path:
    """``$XDG_DATA_HOME`` or ``~/.local/share``."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def _quote_exec_arg(arg: str) -> str:
    """Quote one argument for a desktop entry's ``Exec`` key (freedesktop spec rules)."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    escaped = arg.replace("%", "%%")
    if not any(c in reserved for c in escaped):
        return escaped
    for char in ("\\", '"', "`", "$"):
        escaped = escaped.replace(char, "\\" + char)
    # a desktop file's string values unescape backslashes once more
    return '"' + escaped.replace("\\", "\\\\") + '"'


def launch_command(argv0: str | None = None) -> list[str]:
    """The absolute command that starts this KernelScope (``Exec`` of the desktop entry)."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    # Absolute, but symlinks are NOT followed: a virtual environment's python is a symlink to
    # the base interpreter, and only the venv's own path finds the venv's site-packages.
    first = Path(argv0 if argv0 is not None else sys.argv[0])
    if first.name.startswith("kernelscope") and first.exists():
        return [os.path.abspath(first)]
    found = shutil.which("kernelscope")
    if found:
        return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "gui"]


def desktop_entry_text(command: list[str]) -> str:
    """The ``.desktop`` file for ``command`` (started with a double click, no terminal)."""
    exec_line = " ".join(_quote_exec_arg(arg) for arg in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.5\n"
        "Name=KernelScope\n"
        "GenericName=Convolution explorer\n"
        "Comment=See, check and export 2-D convolutions, edge filters, CNN layer sizes and "
        "loss maths\n"
        f"TryExec={_quote_exec_arg(command[0])}\n"
        f"Exec={exec_line}\n"
        f"Icon={ICON_NAME}\n"
        "Terminal=false\n"
        "Categories=Education;Science;Graphics;\n"
        "Keywords=convolution;kernel;CNN;Sobel;softmax;\n"
        "StartupWMClass=kernelscope\n"
    )


def install_desktop(home: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Write the desktop entry and icon; return the files written."""
    base = data_home() if home is None else Path(home)
    entry = base / "applications" / DESKTOP_NAME
    icon = base / ICON_SUBDIR / f"{ICON_NAME}.png"
    atomic_write_text(entry, desktop_entry_text(command or launch_command()))
    entry.chmod(0o755)  # some desktops only trust executable entries
    icon.parent.mkdir(parents=True, exist_ok=True)
    icon.write_bytes(read_resource_bytes("kernelscope.png"))
    _refresh_caches(base)
    return [entry, icon]


def uninstall_desktop(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install_desktop` wrote; return the files that were removed."""
    base = data_home() if home is None else Path(home)
    removed = []
    for path in (base / "applications" / DESKTOP_NAME, base / ICON_SUBDIR / f"{ICON_NAME}.png"):
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh_caches(base)
    return removed


def _refresh_caches(base: Path) -> None:
    """Tell the desktop about the change, if its cache tools are installed (optional)."""
    for tool, target in (
        ("update-desktop-database", base / "applications"),
        ("gtk-update-icon-cache", base / "icons" / "hicolor"),
    ):
        program = shutil.which(tool)
        if program and target.exists():
            subprocess.run(
                [program, "-q", str(target)]
                if tool.startswith("update")
                else [program, "-q", "-t", str(target)],
                check=False,
                capture_output=True,
                timeout=30,
            )


def run_cli(install: bool) -> int:
    """``--install-desktop`` / ``--uninstall-desktop``: do it and print what happened."""
    if sys.platform != "linux":
        print("kernelscope: desktop entries are for Linux; on Windows and macOS use the bundle.")
        return 0
    try:
        paths = install_desktop() if install else uninstall_desktop()
    except OSError as exc:
        print(
            f"kernelscope: could not {'install' if install else 'remove'} the entry: {exc}",
            file=sys.stderr,
        )
        return 1
    verb = "wrote" if install else "removed"
    for path in paths:
        print(f"kernelscope: {verb} {path}")
    if not paths:
        print("kernelscope: nothing to remove")
    return 0
