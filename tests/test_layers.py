"""The package's layers, read from its source with ``ast``: imports flow one way.

Each module belongs to a layer (``LAYERS``, by its first path segment under ``server/``); a module
may import from its own layer's package and from lower layers, never from a higher one, and two
packages of the same rank (``store/`` and ``convert/``) do not import each other. On top of that:

- no import cycle between modules (``if TYPE_CHECKING`` imports count: they are cycles too);
- no import inside a function, except in ``cli.py``, which defers the web server's and the build's
  imports so that ``ofsted-kg --help`` and ``ofsted-kg query`` start quickly;
- no private name (``_name``) imported from another module: what is shared is public.

Each rule has a planted counter-example below, checked to be caught.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "server"
NAME = "ofsted_kg"

# The rank of each top-level module or package: a module imports only from ranks at or below its
# own (and within its own rank, only from its own package).
LAYERS: dict[str, int] = {
    "__init__": 0,
    "errors": 0,
    "config": 1,
    "runtime": 1,
    "rdf": 2,
    "search": 2,
    "store": 3,
    "convert": 3,
    "claims": 3,
    "build": 4,
    "backends": 5,
    "web": 6,
    "cli": 7,
}
# Where an import inside a function is allowed, and why (see the module's docstring).
DEFERRED_IMPORTS_ALLOWED = {f"{NAME}.cli"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted
    names: tuple[str, ...]  # the names taken from it (empty for ``import x``)
    line: int
    in_function: bool


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([NAME, *parts])


def is_package(module: str, modules: set[str], root: Path = PACKAGE) -> bool:
    return (root.joinpath(*module.split(".")[1:]) / "__init__.py").exists()


def imports_of(path: Path, modules: set[str], root: Path = PACKAGE) -> Iterator[Import]:
    """The package-internal imports of one module."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    inside = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.split(".")[0] == NAME:
                target = node.module
            else:
                continue
            for alias in node.names:
                # ``from . import reasoning`` imports a module: the target is the module itself.
                if f"{target}.{alias.name}" in modules:
                    yield Import(
                        module, f"{target}.{alias.name}", (), node.lineno, id(node) in inside
                    )
                else:
                    yield Import(module, target, (alias.name,), node.lineno, id(node) in inside)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == NAME:
                    yield Import(module, alias.name, (), node.lineno, id(node) in inside)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def problems(root: Path = PACKAGE) -> list[str]:
    """Everything that breaks the rules in the module docstring, one line each."""
    paths = sorted(root.rglob("*.py"))
    modules = {module_name(p, root) for p in paths}
    found: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in paths:
        where = path.relative_to(root)
        for imp in imports_of(path, modules, root):
            here, there = layer(imp.module), layer(imp.target)
            for name in (here, there):
                if name not in LAYERS:
                    found.append(f"{where}: {name!r} has no layer in LAYERS")
            if here in LAYERS and there in LAYERS:
                if LAYERS[there] > LAYERS[here]:
                    found.append(
                        f"{where}:{imp.line}: imports {imp.target} from a higher layer "
                        f"({there} above {here})"
                    )
                elif LAYERS[there] == LAYERS[here] and there != here:
                    found.append(f"{where}:{imp.line}: imports {imp.target}, a sibling layer")
            if imp.in_function and imp.module not in DEFERRED_IMPORTS_ALLOWED:
                found.append(f"{where}:{imp.line}: imports {imp.target} inside a function")
            for name in imp.names:
                dunder = name.startswith("__") and name.endswith("__")
                if name.startswith("_") and not dunder and imp.target != imp.module:
                    found.append(f"{where}:{imp.line}: imports the private name {name}")
            if imp.target != imp.module and imp.target in modules:
                graph[imp.module].add(imp.target)
    found.extend(f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph))
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm).

    A package's ``__init__`` is left out of the edges into it: importing ``a.b`` runs ``a``
    first, but an empty ``__init__`` depends on nothing."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append([*sorted(group), sorted(group)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_package_keeps_its_layers() -> None:
    assert problems() == []


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    tops = {t for t in tops if (PACKAGE / t).is_dir() or (PACKAGE / f"{t}.py").exists()}
    tops -= {"static", "templates", "__pycache__"}
    assert tops <= set(LAYERS), f"give these a layer: {sorted(tops - set(LAYERS))}"


def test_every_package_is_packaged() -> None:
    """A wheel holds what pyproject.toml lists: a new package left out would be missing there."""
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {module_name(init) for init in PACKAGE.rglob("__init__.py")}
    assert found == listed


# -- The rules catch what they are for: a planted package breaking each -----------------------


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "server"
    for relpath, text in {"__init__.py": "", **files}.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "caught"),
    [
        pytest.param(
            {"rdf/__init__.py": "", "rdf/a.py": "from ..web import b\n", "web/__init__.py": "",
             "web/b.py": ""},
            "from a higher layer",
            id="upward",
        ),
        pytest.param(
            {"store/__init__.py": "", "store/a.py": "from ..convert import b\n",
             "convert/__init__.py": "", "convert/b.py": ""},
            "a sibling layer",
            id="sibling",
        ),
        pytest.param(
            {"web/__init__.py": "", "web/a.py": "from .b import f\n",
             "web/b.py": "def f():\n    from .a import g\n"},
            "inside a function",
            id="deferred",
        ),
        pytest.param(
            {"web/__init__.py": "", "web/a.py": "from .b import _hidden\n",
             "web/b.py": "_hidden = 1\n"},
            "private name _hidden",
            id="private",
        ),
        pytest.param(
            {"web/__init__.py": "", "web/a.py": "from .b import x\ny = 1\n",
             "web/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
             "    from .a import y\nx = 1\n"},
            "import cycle: ofsted_kg.web.a -> ofsted_kg.web.b -> ofsted_kg.web.a",
            id="cycle",
        ),
        pytest.param({"extra/__init__.py": "", "extra/a.py": "from .. import errors\n",
                      "errors.py": ""}, "'extra' has no layer", id="unknown-layer"),
    ],
)  # fmt: skip
def test_each_rule_catches_its_counter_example(
    tmp_path: Path, files: dict[str, str], caught: str
) -> None:
    found = problems(_plant(tmp_path, files))
    assert any(caught in line for line in found), found


def test_a_well_layered_package_passes(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "errors.py": "",
            "rdf/__init__.py": "",
            "rdf/a.py": "from ..errors import x\n",
            "web/__init__.py": "",
            "web/b.py": "from ..rdf.a import y\nfrom . import c\n",
            "web/c.py": "from ..rdf import a\n",
        },
    )
    assert problems(root) == []
