"""No import circles in engine/ or gui/: not between modules, not between packages.

Every import counts, wherever it is written: at the top, inside a function (a lazy import),
under ``if TYPE_CHECKING:`` (a loop of design is a loop even if Python never runs it), and
relative ones (``from .x import y``). Two graphs are checked:

* modules: ``gui.menus.file_menu`` → ``gui.services``;
* components, one per package or top-level module under ``engine`` / ``gui``
  (``gui.matrix_tab``, ``gui.tutor``, ``gui.session``, ``engine.conv`` …).

A circle is a strongly connected component of more than one node. The few circles that are
still being untangled are listed, with why, in :data:`ALLOWED_MODULE_CIRCLES` and
:data:`ALLOWED_COMPONENT_CIRCLES`: any other circle fails, an allowed circle that grows fails,
and an allowed circle that is gone fails too (so the list shrinks with the code). The checker
is plain functions over source text; the planted tests feed it each kind of circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "gui")

#: Module circles still open, each with why; empty since issue 23 (the tutor adapters moved
#: into their tabs, the LMS writers read a QuizSheet Protocol). A new entry needs a reason.
ALLOWED_MODULE_CIRCLES: frozenset[frozenset[str]] = frozenset()
#: Component (package-level) circles still open, each with why; empty since issue 23.
ALLOWED_COMPONENT_CIRCLES: frozenset[frozenset[str]] = frozenset()


# -- the checker -----------------------------------------------------------------------------
def module_name(path: Path, root: Path) -> str:
    """``gui/menus/__init__.py`` → ``gui.menus``; ``gui/services.py`` → ``gui.services``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest known module that ``name`` is or lies in (``None`` if outside the tree)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, source: str, known: set[str], *, is_package: bool) -> set[str]:
    """The known modules that ``source`` (module ``module``) imports, anywhere in the file."""
    tree = ast.parse(source)
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):  # every block: functions, if TYPE_CHECKING, try/except
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # "from pkg import sub" imports the submodule when there is one, else pkg.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            targets = [t for t in targets if t]
            if any(f"{base}.{alias.name}" in known for alias in node.names):
                targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = _resolve(target, known)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def module_graph(sources: Mapping[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """``{module: imported modules}`` from ``{module: (source, is_package)}``."""
    known = set(sources)
    return {
        name: imports_of(name, text, known, is_package=is_package)
        for name, (text, is_package) in sources.items()
    }


def component_of(module: str) -> str:
    """``gui.matrix_tab.page`` → ``gui.matrix_tab``; ``gui.session`` → ``gui.session``."""
    return ".".join(module.split(".")[:2])


def component_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """The module graph folded onto components (imports inside a component dropped)."""
    folded: dict[str, set[str]] = {}
    for module, targets in graph.items():
        source = component_of(module)
        edges = folded.setdefault(source, set())
        for target in targets:
            if component_of(target) != source:
                edges.add(component_of(target))
    return folded


def circles(graph: Mapping[str, Iterable[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    counter = 0
    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.add(frozenset(members))
    return found


def problems(found: set[frozenset[str]], allowed: frozenset[frozenset[str]]) -> list[str]:
    """New or grown circles, and allowed circles that are gone, in words."""
    lines = [f"import circle: {' ↔ '.join(sorted(c))}" for c in found - allowed]
    lines += [
        f"allowed circle no longer exists, remove it from the allow-list: {' ↔ '.join(sorted(c))}"
        for c in allowed - found
    ]
    return sorted(lines)


def tree_sources(root: Path = ROOT) -> dict[str, tuple[str, bool]]:
    """Every module of engine/ and gui/: ``{name: (source, is_package)}``."""
    sources = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            sources[module_name(path, root)] = (
                path.read_text(encoding="utf-8"),
                path.name == "__init__.py",
            )
    return sources


# -- the house ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return module_graph(tree_sources())


def test_no_module_import_circles_beyond_the_allow_list(graph):
    assert not problems(circles(graph), ALLOWED_MODULE_CIRCLES)


def test_no_component_import_circles_beyond_the_allow_list(graph):
    assert not problems(circles(component_graph(graph)), ALLOWED_COMPONENT_CIRCLES)


def test_the_shell_does_not_import_the_main_window_back(graph):
    importers = sorted(m for m, targets in graph.items() if "gui.main_window" in targets)
    assert set(importers) <= {"gui.app"}, importers


def test_the_graph_sees_the_house(graph):
    assert "gui.services" in graph["gui.menus.file_menu"]
    assert "engine.storage" in graph["gui.session"]
    assert len(graph) > 100


# -- planted circles: each kind of import must be seen -----------------------------------------
def _planted(files: dict[str, str]) -> dict[str, set[str]]:
    known = {name.removesuffix(".__init__") for name in files}
    sources = {
        name.removesuffix(".__init__"): (text, name.endswith(".__init__"))
        for name, text in files.items()
    }
    assert set(sources) == known
    return module_graph(sources)


PLANTED = {
    "top level": {
        "gui.a": "import gui.b\n",
        "gui.b": "from gui.a import thing\n",
    },
    "TYPE_CHECKING": {
        "gui.a": "from gui.b import B\n",
        "gui.b": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gui.a import A\n"),
    },
    "function level": {
        "gui.a": "from gui.b import B\n",
        "gui.b": "def f():\n    from gui.a import A\n    return A\n",
    },
    "relative": {
        "gui.pkg.__init__": "",
        "gui.pkg.a": "from .b import B\n",
        "gui.pkg.b": "from . import a\n",
    },
    "relative from the package": {
        "gui.pkg.__init__": "from .a import A\n",
        "gui.pkg.a": "from .. import pkg\n",
    },
    "three modules": {
        "engine.x": "from engine.y import f\n",
        "engine.y": "from engine.z import g\n",
        "engine.z": "try:\n    from engine.x import h\nexcept ImportError:\n    h = None\n",
    },
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_a_planted_module_circle_is_found(kind):
    found = circles(_planted(PLANTED[kind]))
    assert len(found) == 1, found
    assert problems(found, frozenset())


def test_a_planted_component_circle_is_found():
    graph = _planted(
        {
            "gui.tab_a.__init__": "",
            "gui.tab_a.page": "from gui.tutor.hooks import hook\n",
            "gui.tutor.__init__": "",
            "gui.tutor.hooks": "from gui.tab_a.panel import Panel\n",
            "gui.tab_a.panel": "",
        }
    )
    assert not circles(graph)  # no module circle ...
    assert circles(component_graph(graph)) == {frozenset({"gui.tab_a", "gui.tutor"})}  # ... but


def test_no_circle_without_a_loop_and_imports_from_outside_are_ignored():
    graph = _planted(
        {
            "gui.a": "import numpy\nfrom PySide6.QtCore import QObject\nfrom gui.b import f\n",
            "gui.b": "import gui.c\n",
            "gui.c": "import os\n",
        }
    )
    assert graph["gui.a"] == {"gui.b"}
    assert not circles(graph)


def test_an_allowed_circle_that_grows_or_goes_is_reported():
    allowed = frozenset({frozenset({"gui.a", "gui.b"})})
    grown = {frozenset({"gui.a", "gui.b", "gui.c"})}
    assert any("gui.a ↔ gui.b ↔ gui.c" in line for line in problems(grown, allowed))
    assert any("no longer exists" in line for line in problems(set(), allowed))
    assert not problems({frozenset({"gui.a", "gui.b"})}, allowed)
