"""The layers of src/hfnotes point one way: read every module's imports (at any depth) and check them.

The layers are the list in the package docstring, so the documentation and the check cannot drift.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import hfnotes

PACKAGE = Path(hfnotes.__file__).resolve().parent


def _layers() -> dict[str, int]:
    """Module → layer number, read from the ``1. base: errors, config, ...`` lines of the docstring."""
    layers: dict[str, int] = {}
    for number, names in re.findall(r"^(\d+)\. \w+: (.+)$", hfnotes.__doc__, flags=re.M):
        for name in names.split(","):
            layers[name.strip()] = int(number)
    return layers


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = PACKAGE.joinpath(*dotted.split(".")) if dotted else PACKAGE
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imports(path: Path, source: str | None = None) -> list[tuple[str, int, bool]]:
    """(imported hfnotes module, line, at module level) for every import in the file, at any depth."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    top_level = {id(node) for node in tree.body}
    # imports inside `if TYPE_CHECKING:` or try/except at the top still run at import time
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try)):
            top_level.update(id(child) for child in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [
                a.name.removeprefix("hfnotes").lstrip(".") for a in node.names if a.name.split(".")[0] == "hfnotes"
            ]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                origin = ".".join([*parts, *([node.module] if node.module else [])])
            elif node.module and node.module.split(".")[0] == "hfnotes":
                origin = node.module.removeprefix("hfnotes").lstrip(".")
            else:
                continue
            subs = [f"{origin}.{a.name}".lstrip(".") for a in node.names]
            targets = [sub if _is_module(sub) else origin for sub in subs]
        found.extend((target, node.lineno, id(node) in top_level) for target in targets)
    return found


def _layer(module: str, layers: dict[str, int]) -> int:
    """The layer of ``module``, or of the closest package above it (metric scripts belong to ``metrics``)."""
    parts = module.split(".")
    while parts:
        if ".".join(parts) in layers:
            return layers[".".join(parts)]
        parts.pop()
    return max(layers.values()) + 1  # the package itself (hfnotes/__init__) is above everything


FILES = sorted(PACKAGE.rglob("*.py"))
EDGES = {_module_name(path): _imports(path) for path in FILES}


def test_every_module_has_a_layer():
    layers = _layers()
    assert len(layers) > 20, "the layer list in the package docstring was not found"
    unplaced = [name for name in EDGES if name and _layer(name, layers) > max(layers.values())]
    assert unplaced == [], f"add these modules to a layer in hfnotes/__init__.py: {unplaced}"
    missing = [name for name in layers if not _is_module(name)]
    assert missing == [], f"the layer list names modules that do not exist: {missing}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_and_sit_at_the_top(path):
    layers = _layers()
    name = _module_name(path)
    own = _layer(name, layers)
    for target, line, top in EDGES[name]:
        where = f"{path.relative_to(PACKAGE)}:{line} imports hfnotes.{target}"
        assert top, f"{where} inside a function: import it at the top of the file"
        assert target != name, f"{where}: a module importing itself"
        assert _layer(target, layers) <= own, (
            f"{where}, which is in layer {_layer(target, layers)}, above this module's layer {own}"
        )


def test_no_import_cycles():
    graph = {name: {t for t, _, _ in edges if t != name} for name, edges in EDGES.items()}
    # a package's __init__ is imported before its modules, so a module importing its own package is fine
    graph = {name: {t for t in targets if not name.startswith(f"{t}.")} for name, targets in graph.items()}
    done: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> None:
        if node in stack:
            cycle = [*stack[stack.index(node) :], node]
            pytest.fail(f"import cycle: {' → '.join(cycle)}")
        if node in done:
            return
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            visit(target)
        stack.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def test_the_reader_finds_hidden_relative_and_absolute_imports():
    """The check itself can fail: imports inside functions, relative or absolute, are found with their line."""
    source = (
        "from . import config\n"
        "from .data import card\n"
        "from .errors import InputError\n"
        "def f():\n"
        "    from . import assets\n"
        "    import hfnotes.train\n"
    )
    assert _imports(PACKAGE / "probe.py", source) == [
        ("config", 1, True),
        ("data.card", 2, True),
        ("errors", 3, True),
        ("assets", 5, False),
        ("train", 6, False),
    ]
    assert _imports(PACKAGE / "data" / "probe.py", "from .. import config\nfrom . import SPLITS\n") == [
        ("config", 1, True),
        ("data", 2, True),
    ]
    upward = _imports(PACKAGE / "inference.py", "from . import assets\n")
    assert upward == [("assets", 1, True)]
    assert _layer("assets", _layers()) > _layer("inference", _layers())
