"""Start-up: ``main()`` for the ``kernelscope`` gui-script and ``build_window()`` for tests."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from gui.error_reporting import QuitRequested
from gui.main_window import MainWindow
from gui.pg_config import configure_pyqtgraph as configure_pyqtgraph  # re-exported
from gui.pg_config import configure_pyqtgraph_if_imported
from gui.resources_access import resource_path
from gui.session import RESTORE_CHOICES
from gui.tab_registry import FIRST_RUN_TAB
from gui.widgets import install_wheel_guard

APP_NAME = "KernelScope"
ORGANISATION = "KernelScope"
DESKTOP_FILE = "kernelscope"
#: Qt's event loop counts as busy (stuck in a long call) when its heartbeat is older than this.
BUSY_AFTER_S = 1.0
#: The heartbeat timer's period; it also lets Python run signal handlers while Qt waits in C++.
HEARTBEAT_MS = 250


class SignalQuitter:
    """SIGTERM / SIGINT (logout, ``kill``, Ctrl+C) save the session and quit, even while busy.

    Python runs a signal handler only between bytecodes of the main thread. While Qt's loop
    waits in C++, a heartbeat timer gives it that chance every :data:`HEARTBEAT_MS`; the handler
    then asks the window to quit the normal way (autosave first). If the main thread is stuck
    in a long call instead (a blocking read, a long parse) the heartbeat is older than
    :data:`BUSY_AFTER_S` and the handler raises :class:`QuitRequested`, which abandons that call;
    the event loop then runs the quit. A signal that arrives just as the main thread gets stuck
    is sent again to the main thread a little later, when the heartbeat tells the truth.
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.beat = time.monotonic()
        self.received: str | None = None
        self.quitting = False
        self.timer = QTimer(window)
        self.timer.setObjectName("signalHeartbeat")
        self.timer.timeout.connect(self._tick)
        self.timer.start(HEARTBEAT_MS)
        window.closing.connect(self._on_closing)

    def install(self) -> None:
        """Handle SIGINT and SIGTERM from now on (main thread only)."""
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, self._on_signal)

    def _tick(self) -> None:
        self.beat = time.monotonic()

    def _on_closing(self) -> None:
        self.quitting = True  # saving now: a repeated signal must not interrupt the save

    def _on_signal(self, number: int, _frame: object) -> None:
        if self.quitting:
            return
        name = signal.Signals(number).name
        if self.received is None:
            print(f"kernelscope: {name} received; saving the session and quitting", file=sys.stderr)
            QTimer.singleShot(0, self.window.request_quit)
        self.received = name
        if time.monotonic() - self.beat > BUSY_AFTER_S:
            raise QuitRequested(name)
        if hasattr(signal, "pthread_kill"):
            check = threading.Timer(BUSY_AFTER_S + HEARTBEAT_MS / 1000, self._resend, (number,))
            check.daemon = True
            check.start()

    def _resend(self, number: int) -> None:
        """(Worker thread) the quit has not begun: signal the main thread again."""
        if not self.quitting:
            signal.pthread_kill(threading.main_thread().ident or 0, number)


def build_window(data_dir: Path | None = None) -> MainWindow:
    """Create the main window (a ``QApplication`` must exist) without running the event loop.

    ``data_dir`` is where sessions, settings and the error log live (default: the platform's
    app-data folder). Nothing is restored until ``window.sessions.start(...)``.
    """
    # pyqtgraph is configured (and imported) only when a tab that uses it is built.
    configure_pyqtgraph_if_imported()
    # Spin boxes, combos and sliders of every tab (built now or later) ignore an unfocused wheel.
    install_wheel_guard()
    window = MainWindow(data_dir=data_dir)
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
    parser.add_argument(
        "--session",
        type=Path,
        metavar="FILE",
        help="open this session file instead of restoring the last autosave",
    )
    parser.add_argument(
        "--restore-session",
        choices=RESTORE_CHOICES,
        default="ask",
        help="restore the last autosave: 'ask' restores it after a clean exit and offers it "
        "after a crash (default), 'yes' always, 'no' starts with defaults",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="keep sessions, settings and logs in DIR instead of the platform's app-data folder",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print session events (autosaves, restores, notices, status messages) to stdout",
    )
    desktop = parser.add_mutually_exclusive_group()
    desktop.add_argument(
        "--install-desktop",
        action="store_true",
        help="add KernelScope to this user's application menu (Linux) and exit",
    )
    desktop.add_argument(
        "--uninstall-desktop",
        action="store_true",
        help="remove the application-menu entry written by --install-desktop and exit",
    )
    return parser.parse_args(argv)


def _print_events(window: MainWindow) -> None:
    """``--verbose``: echo what the user would read, one line each (tests read these lines)."""

    def echo(kind: str, text: str) -> None:
        if text:
            print(f"kernelscope {kind}: {text}", flush=True)

    window.sessions.autosaved.connect(lambda path: echo("autosaved", path))
    window.sessions.save_failed.connect(lambda message: echo("save failed", message))
    window.statusBar().messageChanged.connect(lambda message: echo("status", message))
    window.message_bar.message_shown.connect(lambda message: echo("notice", message))
    window.errors.error_reported.connect(lambda summary, _details: echo("error", summary))
    if not window.message_bar.isHidden():  # shown while the window was built (settings notice)
        echo("notice", window.message_bar.label.text())


def main(argv: Sequence[str] | None = None) -> int:
    """Run KernelScope; returns the process exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.quit_after is not None and args.quit_after < 0:
        print("kernelscope: --quit-after must not be negative", file=sys.stderr)
        return 2
    if args.install_desktop or args.uninstall_desktop:
        from gui.desktop_install import run_cli

        return run_cli(install=args.install_desktop)
    # instance() is typed as QCoreApplication; the only one ever made here is a QApplication
    app = cast(QApplication, QApplication.instance() or QApplication([sys.argv[0]]))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")  # honours light and dark palettes on every platform
    window = build_window(args.data_dir)
    window.errors.install()
    app.aboutToQuit.connect(window.shutdown)
    app.aboutToQuit.connect(window.errors.uninstall)
    window.theme.apply()
    if args.verbose:
        _print_events(window)
    starts_with_defaults = args.session is None and (
        args.restore_session == "no" or not window.sessions.autosave_path.exists()
    )
    quitter = SignalQuitter(window)
    quitter.install()
    try:
        window.sessions.start(restore=args.restore_session, session_file=args.session)
        if starts_with_defaults:
            window.show_tab(FIRST_RUN_TAB)
        window.show()
    except QuitRequested:
        # Stopped half-way through restoring: the files on disk still hold the last good
        # session, so nothing is written over them.
        window.sessions.finish(saved=True)
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return 0
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.request_quit)
    code = app.exec()
    # Destroy the widget tree while QApplication still exists, in Qt's order, rather than
    # leaving it to Python's garbage collector during interpreter shutdown.
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return code
