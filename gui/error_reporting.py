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

from PySide6.QtCore import QObject, Qt, Signal, Slot
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


class ErrorDialog(QDialog):
    """Shows what went wrong; more errors while it is open are appended, not stacked."""

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
        self.add_error(summary, details)

    def add_error(self, summary: str, details: str) -> None:
        """Show another error in the same dialog."""
        self.count += 1
        suffix = "" if self.count == 1 else f" ({self.count} errors so far; details below)"
        self.message.setText(f"<b>{_escape(summary)}</b>{suffix}")
        separator = "\n" + "-" * 60 + "\n" if self.details.toPlainText() else ""
        self.details.setPlainText(self.details.toPlainText() + separator + details)

    def copy_details(self) -> None:
        """Put the message and tracebacks on the clipboard (for a bug report)."""
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
