"""How ``engine``'s public names are found without importing the whole engine.

``engine/__init__.py`` lists no names. The public API of ``engine`` is the union of the
``__all__`` of its public submodules (the domain packages ``engine.conv``, ``engine.storage``, …
and the house modules ``engine.text``, ``engine.checks``). A name is imported from its
module the first time it is asked for (a PEP 562 module ``__getattr__``), so ``import
engine.text`` — what the GUI does at start-up — no longer loads OpenCV and every package.

Which module holds which name is read from each module's source (its literal ``__all__``)
without importing it; a module whose ``__all__`` is not a literal list is imported to ask.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

_PACKAGE = "engine"


def _engine() -> ModuleType:
    return sys.modules[_PACKAGE]


def public_modules() -> tuple[str, ...]:
    """The dotted names of ``engine``'s public submodules (no leading underscore), sorted."""
    return tuple(
        f"{_PACKAGE}.{info.name}"
        for info in sorted(pkgutil.iter_modules(_engine().__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    )


def _literal_all(path: Path) -> list[str] | None:
    """The names of a literal ``__all__ = [...]`` at the top of the file, else ``None``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
            "__all__"
        ]:
            try:
                names = ast.literal_eval(node.value)
            except ValueError:
                return None
            if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
                return list(names)
            return None
    return None


def module_names(module: str) -> list[str]:
    """The ``__all__`` of ``module`` (e.g. ``"engine.conv"``), read without importing it if the
    source has a literal list, imported otherwise."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    names = _literal_all(Path(origin)) if origin and origin.endswith(".py") else None
    if names is None:
        names = list(getattr(importlib.import_module(module), "__all__", ()))
    return names


def build_index(modules: tuple[str, ...]) -> dict[str, str]:
    """``{public name: the module that offers it}`` over ``modules`` (dotted names).

    Raises
    ------
    ImportError
        If two modules offer the same name (``from engine import X`` would be ambiguous).
    """
    index: dict[str, str] = {}
    for module in modules:
        for name in module_names(module):
            if name in index and index[name] != module:
                raise ImportError(f"{name!r} is in the __all__ of both {index[name]} and {module}")
            index[name] = module
    return index


@functools.cache
def name_index() -> dict[str, str]:
    """:func:`build_index` over every public submodule of ``engine`` (computed once)."""
    return build_index(public_modules())


def public_getattr(name: str) -> Any:
    """``engine.<name>``: a public name (imported from its module on first use, then kept on
    ``engine``), ``__all__``, or a public submodule; ``AttributeError`` otherwise."""
    engine = _engine()
    if name == "__all__":
        value: Any = sorted(name_index())
    elif not name.startswith("_") and name in name_index():
        value = getattr(importlib.import_module(name_index()[name]), name)
    elif not name.startswith("_") and f"{_PACKAGE}.{name}" in public_modules():
        value = importlib.import_module(f"{_PACKAGE}.{name}")
    else:
        raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")
    setattr(engine, name, value)
    return value


def public_dir() -> list[str]:
    """``dir(engine)``: what the module already holds plus every public name and submodule."""
    submodules = [m.rsplit(".", 1)[1] for m in public_modules()]
    return sorted(set(vars(_engine())) | set(name_index()) | set(submodules))
