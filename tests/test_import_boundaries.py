"""The layers of docs/architecture.md, checked statically.

import-linter (`lint-imports`, run by .ci/run) holds the full contracts in pyproject.toml; these tests
keep the parts that must never silently stop applying: nothing below ui/ imports textual, every
package is one the contracts can see, and every package has its place in the layers.
"""

import ast
import pathlib
import tomllib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
ROOT = REPO / "k9py"
UI_FREE = ["explorer", "config", "sim", "backends", "store", "view", "scenario", "serve", "kube"]


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _packages() -> list[pathlib.Path]:
    """Every directory of k9py/ holding Python modules."""
    return sorted({f.parent for f in ROOT.rglob("*.py") if "__pycache__" not in f.parts})


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


def test_every_package_is_a_regular_package():
    """import-linter skips a directory without __init__.py: its imports would escape every contract."""
    missing = [str(d.relative_to(REPO)) for d in _packages() if not (d / "__init__.py").exists()]
    assert missing == []


def test_every_top_level_package_has_a_layer():
    """A new package or top-level module must take its place in the layers contract."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {m.strip().strip("()") for layer in layers for m in layer.split("|")}
    top_level = {f"k9py.{d.relative_to(ROOT).parts[0]}" for d in _packages() if d != ROOT}
    top_level |= {f"k9py.{f.stem}" for f in ROOT.glob("*.py") if f.stem not in ("__init__", "__main__")}
    assert top_level - named == set()
    assert named - top_level == set(), "the contract names a package that does not exist"
