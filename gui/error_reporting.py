"""Global exception hook: an unexpected error becomes a dialog and a log entry, not a dead app.

``sys.excepthook`` (exceptions in Qt slots and event handlers land there) and
``threading.excepthook`` (worker threads) both go to :meth:`ErrorReporter.report`, which appends
the traceback to a log file in the app-data folder and shows a non-modal :class:`ErrorDialog`
with the message and a "Copy details" button. Reports from worker threads reach the dialog
through a queued signal, so widgets are only touched in the GUI thread.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MAX_LOG_BYTES = 1_000_000


class QuitRequested(BaseException):
    """Raised by the SIGTERM/SIGINT handler to abandon a call that keeps the GUI busy; the app
    then quits the normal way. Not an error: the exception hook ignores it."""


#: Distinct errors kept in the dialog; more are only counted (the log file has them all).
MAX_SHOWN_ERRORS = 20


class ErrorDialog(QDialog):
    """Shows what went wrong; more errors while it is open are added, not stacked.

    A burst of errors (a paint handler failing on every frame) must not freeze the GUI: an
    error identical to one already shown only bumps its count ("the same error 1,999 more
    times"), at most :data:`MAX_SHOWN_ERRORS` distinct ones are kept, and the text is rebuilt
    once per burst (a zero-delay timer), not once per error.
    """

    def __init__(self, parent: QWidget | None, summary: str, details: str, log_path: Path) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle("KernelScope: unexpected error")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.message = QLabel(self)
        self.message.setObjectName("errorMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        note = QLabel(
            f"KernelScope keeps running; your work is autosaved. The details were written to "
            f"{log_path}.",
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy details", self)
        self.copy_button.setObjectName("errorCopyButton")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.count = 0
        self.not_shown = 0  # distinct errors beyond MAX_SHOWN_ERRORS
        self._repeats: dict[str, int] = {}  # details -> times seen, in first-seen order
        self._summary = ""
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render)
        self.add_error(summary, details)
        self._render()

    def add_error(self, summary: str, details: str) -> None:
        """Count another error; the dialog's text is refreshed once the burst is over."""
        self.count += 1
        self._summary = summary
        if details in self._repeats:
            self._repeats[details] += 1
        elif len(self._repeats) < MAX_SHOWN_ERRORS:
            self._repeats[details] = 1
        else:
            self.not_shown += 1
        if not self._render_timer.isActive():
            self._render_timer.start()

    def flush(self) -> None:
        """Bring the text up to date now (tests, Copy details)."""
        self._render_timer.stop()
        self._render()

    def _render(self) -> None:
        suffix = "" if self.count == 1 else f" ({self.count:,} errors so far; details below)"
        self.message.setText(f"<b>{_escape(self._summary)}</b>{suffix}")
        parts = []
        for details, times in self._repeats.items():
            more = times - 1
            if more:
                plural = "time" if more == 1 else "times"
                details = f"{details.rstrip()}\n(the same error {more:,} more {plural})\n"
            parts.append(details)
        if self.not_shown:
            parts.append(
                f"… and {self.not_shown:,} more errors of other kinds, not shown here "
                "(they are in the log file)\n"
            )
        self.details.setPlainText(("\n" + "-" * 60 + "\n").join(parts))

    def copy_details(self) -> None:
        """Put the message and tracebacks on the clipboard (for a bug report)."""
        self.flush()
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ErrorReporter(QObject):
    """Installs the hooks, writes the log and owns the error dialog.

    Signals
    -------
    error_reported(str, str)
        ``(summary, details)`` in the GUI thread, after the dialog shows it.
    """

    error_reported = Signal(str, str)
    _deliver = Signal(str, str)

    def __init__(self, log_path: Path, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.log_path = Path(log_path)
        self.window = window
        self.dialog: ErrorDialog | None = None
        self._lock = threading.Lock()
        self._previous: tuple | None = None
        self._deliver.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        """Route ``sys.excepthook`` and ``threading.excepthook`` here (undo: :meth:`uninstall`)."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self.excepthook
            threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put the previous hooks back."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """``sys.excepthook``: report, except Ctrl+C which keeps its usual meaning."""
        if issubclass(exc_type, QuitRequested):
            return  # a signal asked to quit; the quit is already scheduled
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: report an exception that ended a worker thread."""
        if args.exc_type is SystemExit:
            return
        thread = args.thread.name if args.thread is not None else "unknown thread"
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        self.report(args.exc_type, exc, args.exc_traceback, where=f" in {thread}")

    def report(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        where: str = "",
    ) -> None:
        """Log the traceback and ask the GUI thread to show it; callable from any thread."""
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        summary = f"{exc_type.__name__}{where}: {exc}"
        print(details, file=sys.stderr, end="")
        self._write_log(details)
        self._deliver.emit(summary, details)

    def _write_log(self, details: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        entry = f"=== {stamp} ===\n{details}\n"
        with self._lock, contextlib.suppress(OSError):  # a full disk must not loop the hook
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            if self.log_path.exists() and self.log_path.stat().st_size > MAX_LOG_BYTES:
                self.log_path.replace(self.log_path.with_suffix(".log.1"))
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(entry)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_error(summary, details)
        else:
            self.dialog = ErrorDialog(self.window, summary, details, self.log_path)
            self.dialog.destroyed.connect(self._forget_dialog)
            self.dialog.show()  # non-modal: never blocks the app, a test or --quit-after
        self.error_reported.emit(summary, details)

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None

    def close_dialog(self) -> None:
        """Close the error dialog if one is open (the main window does this when it closes)."""
        if self.dialog is not None:
            self.dialog.close()
