"""``named(QLabel(), "fpsLabel")``: a widget with its object name, typed as the widget.

PySide6 accepts Qt properties as constructor keywords (``QLabel(objectName="fpsLabel")``), but
its type stubs do not know them, so mypy refused every such call. This keeps the one-line style
and the widget's own type.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

__all__ = ["named"]

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str) -> W:
    """``widget`` after ``setObjectName(name)`` (tests and style sheets find it by that name)."""
    widget.setObjectName(name)
    return widget
