"""The modules of k9py/scenario import each other in one direction only (no cycle, not even
through an import inside a function): checked on the source, statically."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = "k9py.scenario"
ROOT = pathlib.Path(__file__).resolve().parents[2] / "k9py" / "scenario"


def imports_of(source: str, modules: set[str]) -> set[str]:
    """The sibling modules (names in ``modules``) that ``source`` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from k9py.scenario import files` names the module in the imported names
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith(PACKAGE + "."):
                short = name[len(PACKAGE) + 1:].split(".")[0]
                if short in modules:
                    found.add(short)
    return found


def graph(sources: dict[str, str]) -> dict[str, set[str]]:
    modules = set(sources)
    return {name: imports_of(text, modules) - {name} for name, text in sources.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that is on one (depth-first search)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def test_scenario_modules_import_each_other_without_cycles():
    sources = {p.stem: p.read_text() for p in sorted(ROOT.glob("*.py")) if p.stem != "__init__"}
    edges = graph(sources)
    assert edges["files"] >= {"manifests", "loader", "source"}  # the check reads real imports
    assert cycles(edges) == []


def test_the_check_sees_a_cycle_through_a_function_level_import():
    sources = {
        "loader": "from k9py.scenario.files import parse_file\n",
        "files": "def f():\n    from k9py.scenario import loader\n",
        "source": "import k9py.scenario.schema\n",
        "schema": "",
    }
    edges = graph(sources)
    assert edges == {"loader": {"files"}, "files": {"loader"}, "source": {"schema"}, "schema": set()}
    assert cycles(edges) == [["files", "loader", "files"]]
