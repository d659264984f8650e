"""The package's modules import each other without cycles (every import statement, function-level
ones included), and tasks know nothing of engines, serving or training."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sagemaker_nlp

PACKAGE = Path(sagemaker_nlp.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules that ``name`` imports (a package import's own ``__init__`` only when
    it names the package itself, not when it reaches a submodule through it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    table = modules()
    known = set(table)
    return {name: imports_of(name, path, known) for name, path in table.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    # The check above must be able to fail: a two-module loop is reported as such.
    assert find_cycle({"a": {"b"}, "b": {"a"}, "c": set()}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_relative_and_function_level_imports():
    graph = import_graph()
    assert "sagemaker_nlp.tasks.base" in graph["sagemaker_nlp.tasks.classification"]
    assert "sagemaker_nlp.tasks.loading" in graph["sagemaker_nlp.serving.predictor"]  # in load()


@pytest.mark.parametrize("layer", ["engines", "serving", "training"])
def test_tasks_import_nothing_from_the_runtime_layers(layer):
    graph = import_graph()
    offenders = sorted(name for name, targets in graph.items()
                       if name.startswith("sagemaker_nlp.tasks")
                       and any(t.startswith(f"sagemaker_nlp.{layer}") for t in targets))
    assert not offenders, f"task modules importing {layer}: {offenders}"
