"""KernelScope's Qt front end: the main window, one package per tab, shared widgets."""

from gui.pyside_workarounds import keep_none_alive

# Before any Qt call: PySide6 6.12 on CPython < 3.12 leaks references to None/True/False.
keep_none_alive()
