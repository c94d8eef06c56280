"""The simulator's compiled core (``k9py.native``): which build runs, and that both run alike.

The suite runs whichever build the install made (the README's compiles it); these tests check
the guard that keeps a compiled build from running in place of a source it no longer matches,
and run a simulation in the other build (``K9PY_PURE=1``) to compare every object it ends with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from k9py import native

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the compiled modules' sources, as a checkout holds them."""
    for module in native.COMPILED:
        dest = native.source_path(module, tmp_path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(native.source_path(module), dest)
    return tmp_path


def _write_manifest(root: Path, runtime: tuple[str, ...] = ("json",)) -> None:
    # (runtime: a module that imports stands for mypyc's library)
    (root / "k9py" / native.MANIFEST).write_text(json.dumps(native.manifest(root, runtime)), encoding="utf-8")


def test_a_build_that_matches_its_sources_runs_compiled(tree, monkeypatch):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    _write_manifest(tree)
    assert native._why_source(tree) is None


def test_an_edited_source_runs_every_module_from_source_and_says_which(tree, monkeypatch):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    _write_manifest(tree)
    edited = native.source_path("k9py.sim.kubelet", tree)
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert native._why_source(tree) == "k9py/sim/kubelet.py changed since it was compiled"


@pytest.mark.parametrize("manifest, why", [
    (None, "not compiled"),
    ("{not json", "k9py/native-build.json is unreadable"),
    ('{"sources": {"k9py.sim.store": "x"}, "runtime": []}', "k9py/native-build.json is from another list of modules"),
    ('{"k9py.sim.store": "x"}', "k9py/native-build.json is from another list of modules"),
])
def test_no_build_or_a_broken_manifest_runs_from_source(tree, monkeypatch, manifest, why):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    if manifest is not None:
        (tree / "k9py" / native.MANIFEST).write_text(manifest, encoding="utf-8")
    assert (native._why_source(tree) or "").startswith(why)


def test_a_build_whose_library_cannot_be_imported_runs_from_source(tree, monkeypatch):
    """An install whose import paths miss mypyc's library (compiled again outside pip) would fail
    at the first compiled import: the source runs instead."""
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    _write_manifest(tree, ("k9py_no_such_library__mypyc",))
    assert native._why_source(tree) == ("the compiled core's library k9py_no_such_library__mypyc cannot be "
                                        "imported (install again)")


def test_k9py_pure_runs_from_source_even_a_matching_build(tree, monkeypatch):
    _write_manifest(tree)
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert native._why_source(tree) == "K9PY_PURE is set"


def test_the_source_finder_loads_the_py_file_of_a_compiled_module_only(tree):
    finder = native._SourceFirst(tree)
    spec = finder.find_spec("k9py.sim.kubelet")
    assert spec is not None and spec.origin == str(native.source_path("k9py.sim.kubelet", tree))
    assert finder.find_spec("k9py.ui.app") is None  # never compiled: found as usual


def test_what_runs_is_what_the_guard_decided():
    """In this process: compiled modules loaded exactly when the build matches the checkout."""
    import k9py.sim.kubelet
    import k9py.sim.store

    compiled = native.mode() == "compiled (mypyc)"
    for mod in (k9py.sim.kubelet, k9py.sim.store):
        assert str(mod.__file__).endswith(tuple(EXTENSION_SUFFIXES)) == compiled, (mod.__file__, native.mode())
    if (ROOT / "k9py" / native.MANIFEST).exists() and native._why_source(ROOT) is None \
            and os.environ.get(native.PURE_ENV, "") in ("", "0"):
        assert compiled


_RUN = """
import hashlib, json, sys
from k9py import native
from k9py.scenario import files
cluster = files.build_cluster(files.parse_file(sys.argv[1]), warmup=0)
cluster.advance(300)
objects = sorted(json.dumps(o, sort_keys=True) for kind in cluster.store.kinds() for o in cluster.store.list(kind))
print(native.mode().split()[0], len(objects), hashlib.sha256("\\n".join(objects).encode()).hexdigest())
"""


def test_the_compiled_and_the_source_build_end_a_simulation_with_the_same_objects():
    """Five minutes of the demo cluster (every controller at work), from the same seed: every
    object (pods, events, statuses, resourceVersions) the same in either build."""
    scenario = str(ROOT / "scenarios" / "demo.yaml")
    out = {}
    for pure in ("1", "0"):
        env = {**os.environ, native.PURE_ENV: pure}
        done = subprocess.run([sys.executable, "-c", _RUN, scenario], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr
        out[pure] = done.stdout.split()
    assert out["1"][0] == "Python"
    assert int(out["1"][1]) > 50
    assert out["1"][1:] == out["0"][1:]
    if native.mode().startswith("compiled"):
        assert out["0"][0] == "compiled"


_WRITE = """
import sys
from pathlib import Path
from k9py.scenario import snapshot
Path(sys.argv[1]).write_bytes(snapshot.dumps(snapshot.build_demo()))
"""


@pytest.mark.parametrize("other", ["1", "0"])
def test_a_demo_snapshot_written_by_either_build_loads_in_this_one_as_the_built_demo(tmp_path, other):
    """The shipped snapshot is written by whichever build its author ran: the other build must
    read it as the same cluster (``sim/picklestate.py``)."""
    from k9py.scenario import snapshot
    from tests.scenario.test_snapshot import state

    path = tmp_path / "demo.bin"
    done = subprocess.run([sys.executable, "-c", _WRITE, str(path)], capture_output=True, text=True,
                          env={**os.environ, native.PURE_ENV: other}, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = snapshot.load_demo(path)
    assert loaded is not None
    built = snapshot.build_demo()
    assert state(loaded) == state(built)
    for c in (loaded, built):  # and it goes on as the built one
        with c.lock:
            c.delete("Pod", "default", "counter")
            c.settle()
            c.advance(60)
    assert state(loaded) == state(built)
