"""The simulator's compiled core: which modules mypyc compiles, and which build runs.

A simulated cluster of 10,000 pods under churn spends its time in a few dozen functions that
each do little (the kubelet's syncs, the ReplicaSet and Deployment controllers, the store's
writes, events, admission): a flat profile of dict reads and calls that only compiling takes
under its budget. ``setup.py`` compiles the modules of ``COMPILED`` with mypyc when mypyc and a
C compiler are at hand (the README's install has both: mypyc comes with the build's mypy); the
same modules run as plain Python otherwise, slower but alike (the test suite runs in both).

An editable install compiles them next to their source, and Python prefers an extension module
to its source: an edit to one of them would go unseen until the next install. So the build
writes the SHA-256 of every source it compiled (``MANIFEST``), and ``guard`` (called when
``k9py`` is imported) runs all of them from source when one differs, when there is no such
build, or when ``K9PY_PURE=1`` asks for it: all or none, as compiled modules call each other
directly. ``mode`` says which runs (``k9py version``, the benchmarks).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

COMPILED = (
    "k9py.kube.meta",
    "k9py.sim.admission",
    "k9py.sim.behaviour",
    "k9py.sim.clock",
    "k9py.sim.cluster",
    "k9py.sim.events",
    "k9py.sim.follower",
    "k9py.sim.identity_memo",
    "k9py.sim.kubelet",
    "k9py.sim.limits",
    "k9py.sim.managedfields",
    "k9py.sim.names",
    "k9py.sim.nodes",
    "k9py.sim.pod_admission",
    "k9py.sim.pod_conditions",
    "k9py.sim.podspec",
    "k9py.sim.podrefs",
    "k9py.sim.schedcache",
    "k9py.sim.store",
    "k9py.sim.store_index",
    "k9py.sim.controllers.base",
    "k9py.sim.controllers.deployment",
    "k9py.sim.controllers.endpoints_sync",
    "k9py.sim.controllers.gc",
    "k9py.sim.controllers.nodes",
    "k9py.sim.controllers.podtemplate",
    "k9py.sim.controllers.quota",
    "k9py.sim.controllers.replicaset",
    "k9py.sim.controllers.settled_syncs",
)
MANIFEST = "native-build.json"  # in the package directory, next to the compiled modules
PURE_ENV = "K9PY_PURE"

ROOT = Path(__file__).resolve().parent.parent  # the directory holding the ``k9py`` package

_mode: str | None = None  # guard's decision
_found: str | None = None  # mode's answer


def source_path(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(root: Path = ROOT, runtime: Sequence[str] = ()) -> dict[str, Any]:
    """What a build writes: each compiled module's source digest, and the top-level modules the
    compiled ones load (mypyc's shared library of the group)."""
    return {"sources": {m: digest(source_path(m, root)) for m in COMPILED}, "runtime": list(runtime)}


def _why_source(root: Path) -> str | None:
    """None when the compiled build is the source's; else why the modules run from source."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return f"{PURE_ENV} is set"
    try:
        built = json.loads((root / "k9py" / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "not compiled"
    except (OSError, ValueError) as err:
        return f"k9py/{MANIFEST} is unreadable ({err})"
    sources = built.get("sources") if isinstance(built, dict) else None
    runtime = built.get("runtime") if isinstance(built, dict) else None
    if not isinstance(sources, dict) or set(sources) != set(COMPILED) or not isinstance(runtime, list):
        return f"k9py/{MANIFEST} is from another list of modules"
    for module in COMPILED:
        path = source_path(module, root)
        try:
            if digest(path) != sources[module]:
                return f"{path.relative_to(root)} changed since it was compiled"
        except OSError as err:
            return f"{path.relative_to(root)} is unreadable ({err})"
    for name in runtime:  # (an install's import paths that do not reach it: compiled modules could not load)
        if not isinstance(name, str) or importlib.util.find_spec(name) is None:
            return f"the compiled core's library {name} cannot be imported (install again)"
    return None


class _SourceFirst:
    """A meta path finder that loads the compiled modules from their ``.py`` source."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names = frozenset(COMPILED)

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name not in self.names:
            return None
        return importlib.util.spec_from_file_location(name, source_path(name, self.root))


def guard(root: Path = ROOT) -> str:
    """Decide once which build of ``COMPILED`` runs; returns ``mode()``."""
    global _mode
    if _mode is None:
        why = _why_source(root)
        if why is None:
            _mode = "compiled (mypyc)"
        else:
            sys.meta_path.insert(0, _SourceFirst(root))
            _mode = f"Python source ({why})"
    return _mode


def mode() -> str:
    """Which build of the simulator's core runs: ``compiled (mypyc)`` or ``Python source (why)``
    (found once: the test suite asks for every test)."""
    global _found
    if _found is None:
        decided = guard()
        spec = importlib.util.find_spec(COMPILED[-1])
        origin = (spec.origin or "") if spec is not None else ""
        compiled_found = not (decided.startswith("compiled") and origin.endswith(".py"))
        _found = decided if compiled_found else "Python source (no compiled module found)"
    return _found
