"""Start-up: ``main()`` for the ``kernelscope`` gui-script and ``build_window()`` for tests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow
from gui.resources_access import resource_path

APP_NAME = "KernelScope"
ORGANISATION = "KernelScope"
DESKTOP_FILE = "kernelscope"


def configure_pyqtgraph() -> None:
    """Global pyqtgraph options, once: numpy/OpenCV images are row-major."""
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def build_window() -> MainWindow:
    """Create the main window (a ``QApplication`` must exist) without running the event loop."""
    configure_pyqtgraph()
    window = MainWindow()
    window.setWindowIcon(app_icon())
    return window


def app_icon() -> QIcon:
    """KernelScope's icon from ``resources/``."""
    with resource_path("kernelscope.png") as path:
        return QIcon(str(path))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the ``kernelscope`` command."""
    parser = argparse.ArgumentParser(prog="kernelscope", description="KernelScope desktop app")
    parser.add_argument(
        "--quit-after",
        type=int,
        metavar="MS",
        help="close the window after MS milliseconds (smoke tests, packaging checks)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run KernelScope; returns the process exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.quit_after is not None and args.quit_after < 0:
        print("kernelscope: --quit-after must not be negative", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(app_icon())
    window = build_window()
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.close)
    return app.exec()
