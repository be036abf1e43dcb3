"""Help ▸ About KernelScope: the icon, a one-line description and the library versions
(copyable). The help pages live in :mod:`gui.help_dialog`."""

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
