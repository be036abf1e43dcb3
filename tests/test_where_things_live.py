"""The README's "Where things live" table stays true: every file it names exists, and each room
names the registry that really holds that kind of thing."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Where things live")
    end = text.find("\n#", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_every_room_is_named():
    rows = [line for line in _section().splitlines() if line.startswith("| a")]
    rooms = [re.search(r"\*\*(.+?)\*\*", row).group(1) for row in rows]  # type: ignore[union-attr]
    assert rooms == ["tab", "filter", "layer kind", "slip diagnoser", "export format"]


def test_every_path_it_names_exists():
    paths = [
        p
        for p in re.findall(r"`([\w./<>-]+)`", _section())
        if "/" in p and "<" not in p and not p.startswith(".")
    ]
    assert len(paths) >= 15, paths
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, missing


def test_each_room_names_its_registry():
    section = _section()
    sources = {
        "engine/conv/filters.py": "def _build_library",
        "gui/tab_registry.py": "TABS: tuple[TabSpec, ...]",
        "engine/layers/_builtin.py": "register_layer_kind(",
        "engine/matrix/export.py": "EXPORTS: dict[str, ExportFormat]",
        "engine/tutor/_diagnosis.py": "class Alternative",
    }
    for path, marker in sources.items():
        assert path in section, path
        assert marker in (ROOT / path).read_text(encoding="utf-8"), (path, marker)
    assert "gui.services.TutorHost" in section
    assert "class TutorHost(Protocol)" in (ROOT / "gui/services.py").read_text(encoding="utf-8")
