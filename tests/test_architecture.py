"""House rules that code review alone would let slip.

engine/ never touches Qt or gui/; the GUI reaches the engine only through public names of a
package (``engine.conv``, ``engine.storage``, …) or a house module (``engine.text``, …); every
engine package says what it offers in ``__all__``; no engine module grows past 500 lines; every
file the engine writes or renames goes through ``engine/storage/_atomic.py``; colours come from the
GUI's theme, never from the engine.  Each checker is a plain function over source text, and the
tests run it on a planted violation too, so a checker that stopped finding anything would fail.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "gui")
#: Where the GUI may import engine names from: a domain package or a house module.
ENGINE_PACKAGES = (
    "conv",
    "derivation",
    "images",
    "layers",
    "loss",
    "matrix",
    "numbers",
    "storage",
    "train",
    "tutor",
)
HOUSE_MODULES = ("checks", "text")
MAX_ENGINE_LINES = 500
#: The one module allowed to write and rename files.
STORAGE = "engine/storage/_atomic.py"
#: Most .py modules directly in engine/ (new code goes into a domain package).
MAX_ENGINE_TOP_LEVEL = 6


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_sources_import_no_qt_or_gui():
    offenders = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for name in _imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_importing_engine_loads_no_qt_at_runtime():
    code = (
        "import sys, engine, pkgutil, importlib\n"
        "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_public_engine_function_has_a_docstring():
    import inspect

    modules = ["engine"] + [f"engine.{p}" for p in ENGINE_PACKAGES + HOUSE_MODULES]
    missing = [
        f"{name}.{attr}"
        for name in modules
        for attr in importlib.import_module(name).__all__
        if callable(obj := getattr(importlib.import_module(name), attr)) and not inspect.getdoc(obj)
    ]
    assert not missing, missing


def test_ruff_lint_and_format_are_clean():
    """The house style is enforced, not hoped for (ruff is in the test extra)."""
    paths = ["engine", "gui", "tests"]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout[-4000:]


def not_yet_typed_modules(pyproject: str) -> set[str]:
    """The modules pyproject.toml's ``[[tool.mypy.overrides]]`` lets off with ``ignore_errors``.

    Read with a regular expression: ``tomllib`` is not in Python 3.10, which the project supports.
    """
    block = re.search(r"\[\[tool\.mypy\.overrides\]\]\s*module\s*=\s*\[(.*?)\]", pyproject, re.S)
    return set(re.findall(r'"([\w.]+)"', block.group(1))) if block else set()


def mypy_error_modules(output: str) -> dict[str, list[str]]:
    """mypy's ``path:line: error: …`` lines grouped by dotted module name."""
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        match = re.match(r"^([\w/]+)\.py:\d+(?::\d+)?: error:", line)
        if match:
            found.setdefault(match.group(1).replace("/", "."), []).append(line)
    return found


def test_mypy_is_clean_on_engine_and_gui(tmp_path):
    """mypy over engine/ and gui/ (~12 s with a cold cache): any error outside the listed
    not-yet-typed gui modules fails, and so does a listed module that has become clean.

    It runs without the overrides (so the listed modules' errors are seen) and with its own
    cache in ``tmp_path``, the same on a fresh clone as on a working tree.
    """
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nignore_missing_imports = True\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config)]
        + ["--cache-dir", str(tmp_path / "cache"), "engine", "gui"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-2000:]
    errors = mypy_error_modules(result.stdout)
    assert result.returncode == 0 or errors, result.stdout[-4000:]
    allowed = not_yet_typed_modules((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    new = [
        line for module, lines in sorted(errors.items()) if module not in allowed for line in lines
    ]
    assert not new, "\n".join(new[:60])
    now_clean = sorted(allowed - set(errors))
    assert not now_clean, f"clean now: delete from pyproject.toml's mypy overrides: {now_clean}"


def test_mypy_checkers_find_errors_and_the_allow_list():
    output = (
        "gui/a/b.py:3: error: Bad  [attr-defined]\n"
        "gui/a/b.py:4: note: x\n"
        "engine/c.py:1:5: error: y\n"
    )
    assert mypy_error_modules(output) == {
        "gui.a.b": ["gui/a/b.py:3: error: Bad  [attr-defined]"],
        "engine.c": ["engine/c.py:1:5: error: y"],
    }
    toml = '[tool.mypy]\n[[tool.mypy.overrides]]\nmodule = [\n  "gui.x",\n  "gui.y.z",\n]\n'
    assert not_yet_typed_modules(toml) == {"gui.x", "gui.y.z"}
    assert not_yet_typed_modules("[tool.mypy]\n") == set()


def test_readme_python_examples_run():
    """The README's code samples are real: every ```python block executes as written."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "the README should show the engine from Python"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 (our own README)


# --- the GUI imports public engine names only, one style ------------------------------------


def gui_import_violations(source: str, where: str = "<source>") -> list[str]:
    """Engine imports in GUI ``source`` that break the house style.

    Allowed: ``from engine.<package> import name`` and ``from engine.<house module> import
    name`` where ``name`` is in that module's ``__all__``. Refused: the top-level ``engine``
    (the notebook/README API), deeper modules (``engine.conv.correlate``), ``_private``
    modules or names, and ``import engine…`` statements.
    """
    allowed = {f"engine.{p}" for p in ENGINE_PACKAGES} | {f"engine.{h}" for h in HOUSE_MODULES}
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            problems += [
                f"{where}:{node.lineno}: import {a.name} (use from engine.<package> import …)"
                for a in node.names
                if a.name.split(".")[0] == "engine"
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module.split(".")[0] != "engine":
                continue
            if module not in allowed:
                problems.append(
                    f"{where}:{node.lineno}: from {module} (not a package/house module)"
                )
                continue
            public = getattr(importlib.import_module(module), "__all__", ())
            for alias in node.names:
                if alias.name.startswith("_") or alias.name not in public:
                    problems.append(
                        f"{where}:{node.lineno}: {module}.{alias.name} is not in its __all__"
                    )
    return problems


def test_gui_imports_only_public_engine_names_from_packages():
    problems = []
    for path in sorted((ROOT / "gui").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        problems += gui_import_violations(path.read_text(encoding="utf-8"), rel)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "planted",
    [
        "from engine.conv.correlate import correlate2d",
        "from engine.conv import _rank1",
        "from engine.images import _decoder_warnings",
        "from engine import correlate2d",
        "import engine.conv",
        "from engine.conv import no_such_name",
        "def f():\n    from engine.matrix.parse import parse_number",
    ],
)
def test_gui_import_checker_catches_a_planted_violation(planted):
    assert gui_import_violations(planted)
    assert not gui_import_violations("from engine.conv import correlate2d\nimport numpy")


# --- every engine package declares __all__, and every name in it exists ----------------------


def all_violations(module: object) -> list[str]:
    """Problems with ``module.__all__``: missing, private names, names that do not exist."""
    name = getattr(module, "__name__", "?")
    public = getattr(module, "__all__", None)
    if public is None:
        return [f"{name} has no __all__"]
    return [f"{name}.__all__ lists {n!r}" for n in public if n.startswith("_")] + [
        f"{name}.__all__ names {n!r}, which does not exist"
        for n in public
        if not hasattr(module, n)
    ]


def test_every_engine_package_declares_all_and_every_name_exists():
    import engine

    packages = [engine] + [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(engine.__path__, "engine.")
        if m.ispkg and not m.name.rsplit(".", 1)[1].startswith("_")
    ]
    houses = [importlib.import_module(f"engine.{h}") for h in HOUSE_MODULES]
    problems = [p for module in packages + houses for p in all_violations(module)]
    assert {p.__name__ for p in packages} >= {f"engine.{p}" for p in ENGINE_PACKAGES}
    assert not problems, problems


def test_all_checker_catches_planted_violations():
    import types

    bare = types.ModuleType("planted")
    assert all_violations(bare) == ["planted has no __all__"]
    bare.__all__ = ["ghost", "_hidden"]  # type: ignore[attr-defined]
    bare._hidden = 1  # type: ignore[attr-defined]
    assert len(all_violations(bare)) == 2


def test_engine_init_lists_no_names_and_holds_no_logic():
    """engine/__init__.py: a docstring, comments and imports (the PEP 562 hooks) — no name is
    listed there again: the packages' ``__all__`` are the one list."""
    tree = ast.parse((ROOT / "engine" / "__init__.py").read_text(encoding="utf-8"))
    for i, node in enumerate(tree.body):
        docstring = i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        assert docstring or isinstance(node, ast.ImportFrom), ast.dump(node)[:120]
    hooks = {a.asname for node in tree.body if isinstance(node, ast.ImportFrom) for a in node.names}
    assert hooks == {"__getattr__", "__dir__"}


def test_engine_offers_every_public_name_of_its_packages_and_house_modules():
    import engine

    modules = [f"engine.{p}" for p in ENGINE_PACKAGES + HOUSE_MODULES]
    expected: dict[str, object] = {}
    for name in modules:
        module = importlib.import_module(name)
        for attr in module.__all__:
            assert attr not in expected, f"{attr} offered twice"
            expected[attr] = getattr(module, attr)
    assert sorted(expected) == engine.__all__
    assert set(expected) <= set(dir(engine))
    for attr, value in expected.items():
        assert getattr(engine, attr) is value, attr
    namespace: dict[str, object] = {}
    exec("from engine import *", namespace)  # noqa: S102 (a fixed line)
    assert set(namespace) - {"__builtins__"} == set(expected)
    with pytest.raises(ImportError, match="no_such_name"):
        exec("from engine import no_such_name", {})  # noqa: S102
    with pytest.raises(AttributeError, match="_private"):
        engine._private  # noqa: B018 (the access is the test)


_LAZY_PROBE = """
import sys
import engine.text
from engine import format_number
loaded = sorted(m for m in sys.modules if m == "cv2" or m.startswith("engine."))
print(loaded)
import engine
print(sorted(dir(engine)) == sorted(set(dir(engine))), "correlate2d" in dir(engine))
print("cv2" in sys.modules)
from engine import correlate2d, summarize
print("cv2" in sys.modules, summarize("lenet5", (1, 32, 32)).total_params)
"""


def test_importing_one_engine_module_does_not_load_the_whole_engine():
    result = subprocess.run(
        [sys.executable, "-c", _LAZY_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded, listed, after_dir, after_import = result.stdout.splitlines()
    # the GUI's first engine import: the number formatter (and the house validators it checks
    # its arguments with, numpy only), not OpenCV and every package
    assert loaded == "['engine._public_names', 'engine.checks', 'engine.text']"
    assert listed == "True True"
    assert after_dir == "False"  # dir(engine) reads the __all__ lists without importing
    assert after_import == "True 61706"


def test_the_engine_name_index_refuses_a_name_offered_twice(tmp_path, monkeypatch):
    from engine._public_names import build_index

    package = tmp_path / "planted_api"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "one.py").write_text('__all__ = ["shared", "only_one"]\n', encoding="utf-8")
    (package / "two.py").write_text('__all__ = ["shared"]\n', encoding="utf-8")
    # not a literal list: the module is imported and asked
    (package / "three.py").write_text(
        'NAMES = ["computed"]\n__all__ = list(NAMES)\ncomputed = 3\n', encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert build_index(("planted_api.one", "planted_api.three")) == {
        "shared": "planted_api.one",
        "only_one": "planted_api.one",
        "computed": "planted_api.three",
    }
    with pytest.raises(ImportError, match="'shared' is in the __all__ of both"):
        build_index(("planted_api.one", "planted_api.two"))


# --- no engine module over 500 lines ------------------------------------------------------------


def long_modules(root: Path, limit: int = MAX_ENGINE_LINES) -> list[str]:
    """``path: lines`` for every ``.py`` file under ``root`` longer than ``limit`` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out.append(f"{path.relative_to(root)}: {lines} lines")
    return out


def test_no_engine_module_over_500_lines(tmp_path):
    assert not long_modules(ROOT / "engine")
    (tmp_path / "big.py").write_text("x = 1\n" * (MAX_ENGINE_LINES + 1))
    (tmp_path / "small.py").write_text("x = 1\n" * MAX_ENGINE_LINES)
    assert long_modules(tmp_path) == [f"big.py: {MAX_ENGINE_LINES + 1} lines"]


def top_level_modules(root: Path) -> list[str]:
    """The ``.py`` files directly in ``root`` (not in its packages), sorted."""
    return sorted(path.name for path in root.glob("*.py"))


def test_engine_keeps_its_top_level_small(tmp_path):
    """New code goes into a domain package, not beside ``engine/__init__.py``."""
    found = top_level_modules(ROOT / "engine")
    assert len(found) <= MAX_ENGINE_TOP_LEVEL, found
    for n in range(MAX_ENGINE_TOP_LEVEL + 1):
        (tmp_path / f"m{n}.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "inside.py").write_text("", encoding="utf-8")
    assert len(top_level_modules(tmp_path)) == MAX_ENGINE_TOP_LEVEL + 1


# --- every write and rename in the engine goes through engine/storage/_atomic.py --------------

_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def file_write_violations(source: str, where: str = "<source>") -> list[str]:
    """Calls in ``source`` that write or rename a file themselves.

    Caught: ``open(..., "w"/"a"/"x"/"+")`` (also ``mode=``, ``Path.open``, ``os.fdopen``),
    ``os.open`` with a write flag, ``os.replace``/``os.rename``/``os.renames``/``shutil.move``,
    ``.rename(…)``, ``.write_text``/``.write_bytes``, ``.tofile``, ``cv2.imwrite``, and named
    ``tempfile`` files.  Everything else must call :mod:`engine.storage`.
    """
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        attr = name.rsplit(".", 1)[-1]
        bad = ""
        if name in ("os.replace", "os.rename", "os.renames", "shutil.move", "cv2.imwrite"):
            bad = name
        elif attr in ("write_text", "write_bytes", "tofile", "rename") and "." in name:
            bad = f".{attr}()"
        elif name.startswith("tempfile.") and attr in ("mkstemp", "mkdtemp", "NamedTemporaryFile"):
            bad = name  # (an anonymous TemporaryFile, e.g. to capture a decoder's stderr, is fine)
        elif name == "os.open" and any(f in ast.unparse(node) for f in _WRITE_FLAGS):
            bad = "os.open for writing"
        elif name == "open" or attr in ("open", "fdopen") and name != "os.open":
            modes = [a for a in node.args[1:2]] + [
                k.value for k in node.keywords if k.arg == "mode"
            ]
            if name != "open" and attr == "open":  # Path.open(mode)
                modes = list(node.args[:1]) + modes
            for mode in modes:
                if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
                    if set(mode.value) & set("wax+"):
                        bad = f"{name}(mode={mode.value!r})"
                else:
                    bad = f"{name} with a computed mode"
        if bad:
            problems.append(f"{where}:{node.lineno}: {bad}")
    return problems


def test_engine_writes_and_renames_only_through_storage():
    problems = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel != STORAGE:
            problems += file_write_violations(path.read_text(encoding="utf-8"), rel)
    assert not problems, "\n".join(problems)
    # the atomic writer itself is where they happen
    assert file_write_violations((ROOT / STORAGE).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "planted",
    [
        "open(path, 'w')",
        "open(path, mode='ab')",
        "open(path, 'r+')",
        "Path(p).open('w')",
        "os.fdopen(fd, 'wb')",
        "os.open(p, os.O_WRONLY | os.O_CREAT)",
        "os.replace(a, b)",
        "os.rename(a, b)",
        "shutil.move(a, b)",
        "Path(a).rename(b)",
        "Path(p).write_text('x')",
        "target.write_bytes(b'x')",
        "arr.tofile(p)",
        "cv2.imwrite(p, img)",
        "tempfile.mkstemp(dir=d)",
        "tempfile.NamedTemporaryFile('w')",
    ],
)
def test_write_checker_catches_a_planted_violation(planted):
    assert file_write_violations(planted)


def test_write_checker_lets_reading_through():
    reading = (
        "open(p)\nopen(p, 'rb')\nPath(p).open()\nos.open(p, os.O_RDONLY | os.O_NONBLOCK)\n"
        "np.fromfile(p)\nPath(p).read_bytes()\ntext.replace('-', '−')\n"
    )
    assert file_write_violations(reading) == []


# --- colours come from the GUI's theme, never from the engine ------------------------------------

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\bcolou?r\s*:", re.IGNORECASE)


def colour_literals(source: str, where: str = "<source>") -> list[str]:
    """String constants in ``source`` that hard-code a colour (``#a04000``, ``color: red``)."""
    return [
        f"{where}:{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _COLOUR.search(node.value)
    ]


def test_engine_emits_no_colours():
    problems = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        problems += colour_literals(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not problems, problems
    assert colour_literals("""_WARN = 'style="color:#a04000"'""")
    assert colour_literals("x = '<span style=\\'colour: red\\'>'")
    assert not colour_literals("""_WARN = 'class="warning"'""")
