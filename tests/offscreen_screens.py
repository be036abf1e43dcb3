"""Offscreen Qt with a screen of a chosen size (Qt's own offscreen screen is 800×800).

``QT_QPA_PLATFORM=offscreen:configfile=FILE`` makes Qt's offscreen plugin report the screens
listed in ``FILE``. The test run uses a 1920×1080 desktop (:data:`DESKTOP`), so the window opens
at its default size as on a typical desktop; tests of small screens start a process with
:func:`offscreen_platform` of their own size.
"""

from __future__ import annotations

import json
from pathlib import Path

#: The screen of the whole test run: a common desktop monitor.
DESKTOP = (1920, 1080)


def offscreen_platform(width: int, height: int, folder: Path) -> str:
    """The ``QT_QPA_PLATFORM`` value for one offscreen screen of ``width``×``height`` pixels
    (96 dpi, scale 1); its configuration file is written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"offscreen-{width}x{height}.json"
    screen = {"name": f"screen{width}x{height}", "x": 0, "y": 0, "width": width, "height": height}
    screen.update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    path.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={path}"
