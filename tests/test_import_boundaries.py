"""Layers below ui/ never import textual (ARCHITECTURE.md): checked on the source, statically."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "k9py"
UI_FREE = ["sim", "backends", "store", "view", "scenario", "serve", "kube"]


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", UI_FREE)
def test_layer_never_imports_textual_or_ui(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"k9py/{package} has no modules"
    offenders = [
        f"{f.relative_to(ROOT)} imports {m}"
        for f in files
        for m in _imports(f)
        if m == "textual" or m.startswith("textual.") or m.startswith("k9py.ui")
    ]
    assert offenders == []


def test_the_check_sees_a_textual_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from textual.app import App\nimport textual.widgets\n")
    assert {"textual.app", "textual.widgets"} <= _imports(bad)
