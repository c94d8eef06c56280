"""Startup imports only what the first frame needs (issue 14: first frame ≤ 500 ms).

The screens and dialogs (describe, logs, help, confirm, port-forward...) are imported when first
opened; this follows the module-level imports from ``k9py.ui.launch`` statically (imports inside
functions and under ``if TYPE_CHECKING:`` are lazy) and checks none of them is reached.
"""

import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]


def _module_level_imports(path: pathlib.Path) -> set[str]:
    """The k9py modules ``path`` imports when it is imported (not in functions or TYPE_CHECKING)."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)  # `from pkg import module`
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, (ast.ClassDef, ast.With)):
                visit(node.body)

    visit(ast.parse(path.read_text(), filename=str(path)).body)
    return {n for n in names if n.startswith("k9py")}


def _file(module: str) -> pathlib.Path | None:
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None  # a name imported from a module, not a module


def startup_modules() -> set[str]:
    seen: set[str] = set()
    todo = ["k9py.ui.launch"]
    while todo:
        module = todo.pop()
        path = _file(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # its packages' __init__
        todo.extend(_module_level_imports(path))
    return seen


def test_the_first_frame_imports_no_screen_or_dialog():
    modules = startup_modules()
    assert {"k9py.ui.app", "k9py.ui.widgets.pane", "k9py.ui.plugins"} <= modules  # the walk sees them
    assert sorted(m for m in modules if m.startswith("k9py.ui.screens.")) == []


def test_the_walk_sees_a_module_level_import(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nfrom k9py.ui.screens import help\n"
                      "if TYPE_CHECKING:\n    from k9py.ui.screens.logs import LogScreen\n"
                      "def f():\n    from k9py.ui.screens.xray import XrayScreen\n")
    assert _module_level_imports(source) == {"k9py.ui.screens", "k9py.ui.screens.help"}
