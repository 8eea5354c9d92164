"""The package is the pipeline: no import loops, and no stage imports a stage downstream of it.

Imports are read with ``ast`` (every import, also those inside functions), and a name taken
from a stage's package (``from kg.query import Catalog``) counts as an import of the module
that defines it (the package's lazy exports say which).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
SHARED = {"kg", "kg.errors", "kg.progress", "kg.terms"}
#: Upstream first. Stages of one rank are siblings and may not import each other.
RANKS = {"sources": 1, "validate": 2, "store": 3, "query": 4, "link": 5, "publish": 5,
         "imports": 5, "serve": 6, "cli": 7, "__main__": 8}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if "_project" not in p.parts}


def exports(package: str) -> dict[str, str]:
    module = importlib.import_module(package)
    table = getattr(module, "__getattr__", None)
    names = getattr(module, "__all__", [])
    return {name: f"{package}.{_defining_module(module, name)}" for name in names} if table \
        else {}


def _defining_module(package, name: str) -> str:
    value = getattr(package, name)
    defined = getattr(value, "__module__", None)
    if defined and defined.startswith(package.__name__ + "."):
        return defined[len(package.__name__) + 1:]
    # constants carry no __module__: find the submodule that binds the same object
    for sub in MODULES:
        if sub.startswith(package.__name__ + "."):
            mod = importlib.import_module(sub)
            if getattr(mod, name, object()) is value and name in vars(mod) and \
                    not isinstance(vars(mod).get(name), type(package)):
                return sub[len(package.__name__) + 1:]
    raise AssertionError(f"{package.__name__}.{name}: defining module not found")


def imports_of(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kg")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == "kg":
            table = exports(node.module) if node.module in MODULES else {}
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if target in MODULES:
                    found.add(target)
                else:
                    found.add(table.get(alias.name, node.module))
    found.discard(name)
    return {f for f in found if f in MODULES}


GRAPH = {name: imports_of(name) for name in MODULES}


def stage(name: str) -> str | None:
    parts = name.split(".")
    return None if name in SHARED else parts[1]


def test_every_stage_is_ranked() -> None:
    assert {stage(n) for n in MODULES} - {None} <= set(RANKS)


def violations(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for name, targets in graph.items():
        for target in targets:
            source_stage, target_stage = stage(name), stage(target)
            if target_stage is None or source_stage == target_stage:
                continue
            if source_stage is None or RANKS[target_stage] >= RANKS[source_stage]:
                wrong.append(f"{name} imports {target}")
    return sorted(wrong)


def loops(graph: dict[str, set[str]]) -> list[str]:
    found = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                found.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_no_stage_imports_a_stage_downstream_or_beside_it() -> None:
    assert violations(GRAPH) == []


def test_no_import_loops() -> None:
    assert loops(GRAPH) == []


@pytest.mark.parametrize("package", sorted(n for n in MODULES
                                           if MODULES[n].name == "__init__.py" and n != "kg"))
def test_each_stage_says_what_it_takes_and_gives(package: str) -> None:
    module = importlib.import_module(package)
    doc = module.__doc__ or ""
    assert len(doc.strip().splitlines()) >= 3, f"{package} needs a docstring: what it takes, gives"
    for name in getattr(module, "__all__", []):
        assert f"{package}.{name}" not in MODULES, (
            f"{package}.{name} is both an exported name and a submodule: importing the "
            "submodule would hide the name")


def test_the_checks_fail_on_the_mistakes_they_exist_for() -> None:
    assert "kg.store.counts" in GRAPH["kg.store.pipeline"]  # a same-stage edge is seen
    assert "kg.query.catalog" in GRAPH["kg.serve.app"]  # a name taken from a package resolves
    downstream = {**GRAPH, "kg.query.run": GRAPH["kg.query.run"] | {"kg.serve.app"}}
    assert violations(downstream) == ["kg.query.run imports kg.serve.app"]
    sibling = {**GRAPH, "kg.link.wikidata": GRAPH["kg.link.wikidata"] | {"kg.publish.export"}}
    assert violations(sibling) == ["kg.link.wikidata imports kg.publish.export"]
    looped = {**GRAPH, "kg.validate.report": GRAPH["kg.validate.report"] | {"kg.validate.parts"}}
    # where the search enters the loop depends on the other modules: compare its members
    assert {"kg.validate.parts", "kg.validate.report"} in [set(loop.split(" -> "))
                                                          for loop in loops(looped)]
