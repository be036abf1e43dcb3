"""A read-only page describing what a tab will do, shown until that tab is built."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.widgets.tab_page import TabPage


class DescriptionPage(TabPage):
    """Shows a heading and a paragraph; has no controls."""

    def __init__(self, parent: QWidget | None = None, *, title: str, description: str) -> None:
        super().__init__(parent)
        heading = QLabel(f"<h2>{title}</h2>")
        heading.setObjectName("descriptionHeading")
        body = QLabel(description)
        body.setObjectName("descriptionBody")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addStretch(1)
