"""The ``data`` of a session document: built from the tabs' states, and checked when read back.

Exported by :mod:`engine.storage` (with the reader and writer of the documents themselves).
"""

from __future__ import annotations

from typing import Any

from engine.storage._plain_json import to_plain_json

__all__ = ["make_session_data", "normalize_session_data"]


def make_session_data(
    tabs: dict[str, dict[str, Any]], current_tab: str | None, geometry: str | None
) -> dict[str, Any]:
    """The ``data`` of a session document: every tab's state, the current tab, window geometry.

    Parameters
    ----------
    tabs
        ``{tab key: that tab's save_state()}``; converted with :func:`to_plain_json`.
    current_tab
        Key of the visible tab.
    geometry
        The window geometry as a base64 string (``QWidget.saveGeometry().toBase64()``).
    """
    if not isinstance(tabs, dict):
        raise ValueError(f"tabs must be a dict, got {type(tabs).__name__}")
    return {
        "tabs": to_plain_json(tabs, where="tabs"),
        "current_tab": current_tab if isinstance(current_tab, str) else None,
        "geometry": geometry if isinstance(geometry, str) else None,
    }


def normalize_session_data(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Keep the usable parts of a session's ``data``; return it and notes on what was dropped.

    ``tabs`` entries that are not objects, a ``current_tab`` that is not a string and a
    ``geometry`` that is not a string are dropped (each with a note), so one bad entry never
    stops the rest of a session from loading.
    """
    notes: list[str] = []
    tabs_in = data.get("tabs", {})
    tabs: dict[str, dict[str, Any]] = {}
    if isinstance(tabs_in, dict):
        for key, state in tabs_in.items():
            if isinstance(state, dict):
                tabs[key] = state
            else:
                notes.append(f"tab {key!r}: state is not an object")
    else:
        notes.append("'tabs' is not an object")
    current = data.get("current_tab")
    if current is not None and not isinstance(current, str):
        notes.append(f"current_tab {current!r} is not a string")
        current = None
    geometry = data.get("geometry")
    if geometry is not None and not isinstance(geometry, str):
        notes.append("geometry is not a string")
        geometry = None
    return {"tabs": tabs, "current_tab": current, "geometry": geometry}, notes
