"""Child process for the start-up benchmark: process start → a painted main window.

Run as ``python -m tests.benchmarks.probe_startup <parent time.time()>`` (offscreen Qt is fine).
It repeats what ``gui.app.main`` does before the event loop (QApplication, Fusion style, window,
theme, fresh session, first-start tab, show), waits until the window is exposed, forces a full
synchronous paint, and prints one JSON line: seconds since the parent's timestamp at each
step, peak resident memory, and how many modules were imported.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    t_parent = float(sys.argv[1]) if len(sys.argv) > 1 else time.time()
    stamps = {"interpreter": time.time() - t_parent}
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication(["kernelscope"])
    app.setStyle("Fusion")
    from gui.app import build_window
    from gui.tab_registry import FIRST_RUN_TAB

    stamps["imports"] = time.time() - t_parent
    window = build_window(Path(tempfile.mkdtemp(prefix="ks-startup-")))
    window.theme.apply()
    window.sessions.start(restore="no")
    window.show_tab(FIRST_RUN_TAB)  # as main() does on a first start: the gallery's sample
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.repaint()
    app.processEvents()
    stamps["painted"] = time.time() - t_parent
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    heavy = sorted(m for m in ("scipy", "matplotlib", "pandas", "torch") if m in sys.modules)
    print(
        json.dumps({**stamps, "peak_rss_mb": rss_mb, "modules": len(sys.modules), "heavy": heavy}),
        flush=True,
    )
    # A measurement process: skip Qt's teardown (its time is not start-up).
    window.close()
    os._exit(0)


if __name__ == "__main__":
    main()
