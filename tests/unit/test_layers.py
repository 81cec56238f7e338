"""The layers hold: the services depend on the domain and their own ports only, and no two
files of `coordination/` or `flows/` import each other, directly or round a longer loop
(imports inside functions and under TYPE_CHECKING count: a lazy import hides a cycle, it
does not remove it)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("coordination", "flows")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic's scripts, run by Alembic, not imported
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports, anywhere in the file."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            # `from package import module` imports the module; `from module import name` the module
            candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                          for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return components


def test_the_graph_is_read():
    assert "coordination.services.actions" in GRAPH
    assert "coordination.services.ports" in GRAPH["coordination.services.actions"]
    assert "coordination.bootstrap" in GRAPH["coordination.cli"]


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("coordination.services")))
def test_a_service_imports_only_the_domain_config_and_other_services(name):
    outside = sorted(t for t in GRAPH[name]
                     if not t.startswith(("coordination.domain", "coordination.services", "coordination.config")))
    assert outside == [], f"{name} imports {outside}: a service takes ports (services/ports.py), not adapters"


def test_no_two_files_import_each_other_even_round_a_loop():
    assert _cycles() == []


def test_the_composition_root_stands_above_the_services_and_adapters():
    below = {t for n in GRAPH if n.startswith(("coordination.services", "coordination.adapters", "coordination.domain"))
             for t in GRAPH[n]}
    assert "coordination.bootstrap" not in below
