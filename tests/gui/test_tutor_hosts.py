"""Each tab really offers what its tutor adapter declares it reads (the adapter's host Protocol,
which extends gui.services.TutorHost), and the generic tutor panels know no tab."""

from __future__ import annotations

import ast
from pathlib import Path

from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.layers_tab.tutor import LayersTutorHost
from gui.loss_tab import LossTab
from gui.loss_tab.tutor import LossTutorHost
from gui.matrix_tab import MatrixTab
from gui.matrix_tab.tutor import MatrixTutorHost
from gui.services import TutorHost, as_widget

ROOT = Path(__file__).resolve().parents[2]


def _members(protocol: type) -> set[str]:
    """Every attribute and method a Protocol declares, its base Protocols' included."""
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls is object or cls.__name__ in ("Protocol", "Generic"):
            continue
        names |= set(vars(cls).get("__annotations__", {}))
        names |= {
            n
            for n, v in vars(cls).items()
            if (callable(v) or isinstance(v, property)) and not n.startswith("_")
        }
    return names


def test_members_include_the_base_protocol():
    assert {"context", "state_changed"} <= _members(TutorHost)
    assert {"context", "input_model", "kernel_models", "layer_mode"} <= _members(MatrixTutorHost)


def test_the_checker_finds_a_missing_member():
    class Half:
        context = None

    assert "state_changed" in {n for n in _members(TutorHost) if not hasattr(Half(), n)}


def test_the_matrix_tab_offers_every_matrix_tutor_host_member(qtbot):
    tab = MatrixTab(None, context=AppContext())
    qtbot.addWidget(tab)
    missing = sorted(n for n in _members(MatrixTutorHost) if not hasattr(tab, n))
    assert not missing, missing
    assert tab.tutor.tab is tab
    assert as_widget(tab.tutor.tab) is tab


def test_the_layers_tab_offers_every_layers_tutor_host_member(qtbot):
    tab = LayersTab(None, context=AppContext())
    qtbot.addWidget(tab)
    assert "single" in _members(LayersTutorHost)
    missing = sorted(n for n in _members(LayersTutorHost) if not hasattr(tab, n))
    assert not missing, missing
    assert tab.tutor.tab is tab


def test_the_loss_tab_offers_every_loss_tutor_host_member(qtbot):
    tab = LossTab(None, context=AppContext())
    qtbot.addWidget(tab)
    try:
        assert {"softmax_panel", "ridge_panel", "context"} <= _members(LossTutorHost)
        missing = sorted(n for n in _members(LossTutorHost) if not hasattr(tab, n))
        assert not missing, missing
        assert tab.tutor.tab is tab
    finally:
        tab.shutdown()


def test_gui_tutor_imports_no_tab_package():
    tab_packages = {p.name for p in (ROOT / "gui").iterdir() if p.name.endswith("_tab")}
    assert {"matrix_tab", "layers_tab", "loss_tab"} <= tab_packages
    imported: set[str] = set()
    for path in (ROOT / "gui" / "tutor").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            imported |= {n.split(".")[1] for n in names if n.startswith("gui.")}
    assert "services" in imported  # the checker sees the tutor's imports
    assert not imported & tab_packages, sorted(imported & tab_packages)
