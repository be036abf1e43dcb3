"""pyqtgraph's global options, applied without importing pyqtgraph before a tab needs it.

Importing pyqtgraph costs about 0.3–0.8 s, and the first tab (Matrix & kernel) does not use it,
so the options are applied when a tab whose module imported pyqtgraph is built
(:meth:`gui.tab_registry.TabSpec.build`), before the tab creates any plot or image item.
"""

from __future__ import annotations

import sys


def configure_pyqtgraph() -> None:
    """Global pyqtgraph options, once: numpy/OpenCV images are row-major."""
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def configure_pyqtgraph_if_imported() -> bool:
    """Apply :func:`configure_pyqtgraph` if pyqtgraph is imported; True if it was."""
    if "pyqtgraph" not in sys.modules:
        return False
    configure_pyqtgraph()
    return True
