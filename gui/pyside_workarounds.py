"""Work around PySide6 6.12 dropping references to ``None`` (and ``True``) on many calls.

Measured here (PySide6 6.12.0, CPython 3.11.7): each call such as ``QLabel.setText``,
``QWidget.setVisible`` or ``PlotDataItem.setData`` lowers ``sys.getrefcount(None)`` by one or
more, and pyqtgraph's ``PlotCurveItem.setData`` also loses references to ``True`` (a Python
override returning a bool to C++). ``None`` starts with ~50 000 references, and one redraw of the
softmax plots costs ~11 000, so after a few slider moves CPython aborts with "Fatal Python error:
none_dealloc: deallocating None" (or ``bool_dealloc``). From CPython 3.12 these singletons are
immortal and the bug is harmless; on 3.10/3.11 we give ``None``, ``True``, ``False`` and the
cached small ints so many references (2⁵⁰) that the leak can never reach zero in a session.

This is process-wide and applied when the ``gui`` package is imported (``gui/__init__.py``), before
any widget exists; calling it twice is harmless. PySide6 6.11.3 does not leak, but our suite
crashed on it in teardown, so we stay on the release the app is tested with and keep this guard.
"""

from __future__ import annotations

import ctypes
import sys

#: References given to ``None``: at 10⁶ lost per second it would take 35 years to use them up.
_BOOST = 1 << 50


def _singletons() -> list[object]:
    return [None, True, False, *range(-5, 257)]


def keep_none_alive() -> bool:
    """Raise the reference counts of ``None``, the bools and small ints out of reach.

    Returns True if anything was changed. Does nothing on CPython ≥ 3.12 (immortal objects),
    other interpreters, or debug builds (whose object header differs).
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if hasattr(sys, "gettotalrefcount"):  # debug build: ob_refcnt is not the first field
        return False
    changed = False
    for obj in _singletons():
        refcount = ctypes.c_ssize_t.from_address(id(obj))  # PyObject.ob_refcnt
        if refcount.value < _BOOST // 2:
            refcount.value += _BOOST
            changed = True
    return changed
