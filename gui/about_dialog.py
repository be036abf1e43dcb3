"""Help menu dialogs: About (with library versions, copyable) and a short help page."""

from __future__ import annotations

import platform
import sys

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gui.resources_access import resource_path


def kernelscope_version() -> str:
    """The installed package's version, or ``"development"`` when run from a source tree."""
    from importlib import metadata  # only when the About box opens: keeps start-up quick

    try:
        return metadata.version("kernelscope")
    except metadata.PackageNotFoundError:
        return "development"


def library_versions() -> dict[str, str]:
    """Versions of everything KernelScope runs on, for the About box and bug reports."""
    import cv2
    import numpy
    import pyqtgraph
    import PySide6

    return {
        "KernelScope": kernelscope_version(),
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "OpenCV": cv2.__version__,
        "numpy": numpy.__version__,
        "pyqtgraph": pyqtgraph.__version__,
        "Platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Frozen bundle": "yes" if getattr(sys, "frozen", False) else "no",
    }


def versions_text() -> str:
    """``name: version`` lines (what the Copy button puts on the clipboard)."""
    return "\n".join(f"{name}: {version}" for name, version in library_versions().items())


class AboutDialog(QDialog):
    """Icon, one-line description and a read-only, copyable list of versions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About KernelScope")
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        icon = QLabel(self)
        with resource_path("kernelscope.png") as path:
            icon.setPixmap(
                QPixmap(str(path)).scaled(
                    72,
                    72,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        header.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        title = QLabel(
            f"<h2>KernelScope {kernelscope_version()}</h2>"
            "<p>See, check and export 2-D convolutions, edge filters,<br>"
            "CNN layer arithmetic and loss maths.</p><p>MIT licence.</p>",
            self,
        )
        title.setObjectName("aboutTitle")
        header.addWidget(title, 1)
        layout.addLayout(header)
        self.versions = QPlainTextEdit(versions_text(), self)
        self.versions.setObjectName("aboutVersions")
        self.versions.setReadOnly(True)
        self.versions.setMinimumSize(420, 150)
        layout.addWidget(self.versions)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy versions", self)
        self.copy_button.setObjectName("aboutCopyButton")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    def copy_versions(self) -> None:
        """Put the version list on the clipboard."""
        QGuiApplication.clipboard().setText(self.versions.toPlainText())


HELP_HTML = """
<h3>KernelScope in one minute</h3>
<ul>
<li><b>Matrix &amp; kernel</b> (Ctrl+1): type or paste a matrix and a kernel; pick padding,
stride, dilation; click an output cell to see its sum of products.</li>
<li><b>Filter gallery</b> (Ctrl+2): open an image (Ctrl+O) or the camera and compare edge
filters; numpy and OpenCV results side by side.</li>
<li><b>Layer sizes</b> (Ctrl+3): output size, parameters and receptive field of conv layers.</li>
<li><b>Loss &amp; regularisation</b> (Ctrl+4): softmax, cross-entropy, MSE + L2.</li>
</ul>
<h3>Your work is kept</h3>
<p>Everything is autosaved a moment after each change and restored at the next start. After a
crash the last autosave is offered for recovery. <i>File &rarr; Save session as…</i> writes a
session file you can open elsewhere (<i>File &rarr; Open session…</i>).</p>
<h3>Shortcuts</h3>
<table cellspacing="0" cellpadding="3">
<tr><td><b>Ctrl+O</b></td><td>&nbsp;&nbsp;Open an image in the Filter gallery</td></tr>
<tr><td><b>Ctrl+Shift+O</b></td><td>&nbsp;&nbsp;Open a session file</td></tr>
<tr><td><b>Ctrl+S / Ctrl+Shift+S</b></td><td>&nbsp;&nbsp;Save the session / save it as…</td></tr>
<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>&nbsp;&nbsp;Undo / redo in the current tab</td></tr>
<tr><td><b>Ctrl+C</b></td><td>&nbsp;&nbsp;Copy the selection</td></tr>
<tr><td><b>Ctrl+1 … Ctrl+4</b></td><td>&nbsp;&nbsp;Switch tabs</td></tr>
<tr><td><b>F11</b></td><td>&nbsp;&nbsp;Full screen</td></tr>
<tr><td><b>F1</b></td><td>&nbsp;&nbsp;This help</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>&nbsp;&nbsp;Quit (the session is saved)</td></tr>
</table>
"""


class HelpDialog(QDialog):
    """A short, scrollable help page (non-modal: it can stay open next to the window)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("KernelScope help")
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpText")
        self.browser.setHtml(HELP_HTML)
        self.browser.setMinimumSize(560, 470)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
