"""The package's shape: data → analysis → report → apps, no circles, no private cross-imports."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "planlib"
#: Rank of each layer: a module may import only from its own layer or lower ones.
LAYERS = {"files": 0, "resources": 0, "data": 1, "analysis": 2, "report": 3, "apps": 4}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[str, list[str], ast.AST]]:
    """(module, imported names, node) for every ``import planlib…`` / ``from planlib… import``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planlib"):
            found.append((node.module, [a.name for a in node.names], node))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node) for a in node.names if a.name.startswith("planlib")]
    return found


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_only_downwards_and_no_private_names(module):
    own = _layer(module)
    for target, names, node in _imports(MODULES[module]):
        full = [f"{target}.{n}" if f"{target}.{n}" in MODULES else target for n in names] or [target]
        for t in full:
            layer = _layer(t)
            if own is not None and layer is not None:
                assert layer <= own, f"{module} (line {node.lineno}) imports {t} from a later layer"
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        assert not private, f"{module} (line {node.lineno}) imports private names {private} from {target}"


def test_no_module_reaches_into_another_modules_private_names():
    offenders = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and node.module and node.module.startswith("planlib") for a in node.names}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__")):
                offenders.append(f"{module} line {node.lineno}: {node.value.id}.{node.attr}")
    assert not offenders, offenders


def test_no_import_circles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, names, _ in _imports(path):
            for t in [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES] or [target]:
                if t in MODULES and t != module and t != "planlib":
                    graph[module].add(t)
    seen: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        seen[m] = 1
        for n in graph[m]:
            if seen.get(n) == 1:
                raise AssertionError("import circle: " + " → ".join(stack[stack.index(n):] + [n]))
            if n not in seen:
                visit(n, stack + [n])
        seen[m] = 2

    for m in graph:
        if m not in seen:
            visit(m, [m])
