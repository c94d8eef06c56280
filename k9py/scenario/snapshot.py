"""The bundled demo cluster, warmed up once and shipped: `k9py` opens it in milliseconds instead of
running its 4m30s warm-up (seconds of CPU) on every start.

The snapshot is the whole ``Cluster`` object graph right after ``loader.load_cluster(None)``
(store, clock, random state, wake-ups, controllers' state), pickled, so the simulator goes on
exactly as if it had just warmed up. It is used only while its fingerprint matches: the demo
file, the bytecode magic and the source of every module the build had imported (of sim,
scenario, kube, errors). Any change there makes it stale and ``load_demo`` answers None (the
caller builds the cluster as before); ``tests/scenario/test_snapshot.py`` rewrites a stale file
(``python -m k9py.scenario.snapshot`` does too) and checks a loaded snapshot against a fresh build.

The file: one JSON line (fingerprint, cluster name, the modules to import first: those
register admission rules and controllers as a side effect) and the zlib-compressed pickle.
Functions local to a cluster (the store's component trackers) travel as their code objects,
the cluster's locks as new locks.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import io
import json
import marshal
import os
import pickle
import sys
import threading
import types
import zlib
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent  # k9py/
SNAPSHOT = PACKAGE / "data" / "demo-snapshot.bin"
SOURCES = ("sim", "scenario", "kube", "errors")  # the packages a cluster's build runs
_EMPTY = "<k9py-empty-cell>"
_RLOCK, _LOCK = type(threading.RLock()), type(threading.Lock())


def demo_file() -> Path:
    return PACKAGE / "data" / "scenarios" / "demo.yaml"


def module_file(module: str) -> Path:
    """The source of a k9py module, found without importing it."""
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def fingerprint(modules: list[str]) -> str:
    """What a snapshot depends on: the demo, the bytecode version and the sources of the
    ``modules`` building it ran (a new module is imported by a changed one)."""
    h = hashlib.sha256(importlib.util.MAGIC_NUMBER)
    for f in [demo_file(), *(module_file(m) for m in sorted(modules))]:
        try:
            data = f.read_bytes()
        except OSError:  # a module gone: stale
            data = b"\0missing"
        h.update(f.relative_to(PACKAGE.parent).as_posix().encode() + b"\0" + data + b"\0")
    return h.hexdigest()


# -- pickling what plain pickle cannot ---------------------------------------------------------------

def _function(code: bytes, module: str, name: str, defaults: Any, kwdefaults: Any, cells: Any) -> types.FunctionType:
    closure = None if cells is None else tuple(types.CellType() if c == _EMPTY else types.CellType(c) for c in cells)
    fn = types.FunctionType(marshal.loads(code), importlib.import_module(module).__dict__, name, defaults, closure)
    fn.__kwdefaults__ = kwdefaults
    return fn


def _cell(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return _EMPTY


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _RLOCK):
            return threading.RLock, ()
        if isinstance(obj, _LOCK):
            return threading.Lock, ()
        if isinstance(obj, types.FunctionType) and ("<locals>" in obj.__qualname__ or obj.__name__ == "<lambda>"):
            cells = None if obj.__closure__ is None else tuple(_cell(c) for c in obj.__closure__)
            return _function, (marshal.dumps(obj.__code__), obj.__module__, obj.__name__, obj.__defaults__,
                               obj.__kwdefaults__, cells)
        return NotImplemented


def _cluster_modules() -> list[str]:
    prefixes = tuple(f"k9py.{s}" for s in SOURCES)
    return sorted(m for m in sys.modules if m.startswith(prefixes) and module_file(m).exists())


# -- the file ---------------------------------------------------------------------------------------

def dumps(cluster: Any) -> bytes:
    """``cluster`` as a snapshot file's bytes, fingerprinted by the modules loaded now."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(cluster)
    modules = _cluster_modules()
    meta = {"fingerprint": fingerprint(modules), "name": cluster.name, "now": cluster.now(), "modules": modules}
    return json.dumps(meta).encode() + b"\n" + zlib.compress(buf.getvalue(), 6)


def read_meta(path: Path = SNAPSHOT) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            meta = json.loads(f.readline())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and isinstance(meta.get("modules"), list) else None


def is_current(path: Path = SNAPSHOT) -> bool:
    meta = read_meta(path)
    return meta is not None and meta.get("fingerprint") == fingerprint(meta["modules"])


def load_demo(path: Path = SNAPSHOT) -> Any | None:
    """The warmed-up demo cluster (seed 0) from the snapshot; None when it is missing or stale."""
    try:
        data = path.read_bytes()
        head, _, body = data.partition(b"\n")
        meta = json.loads(head)
    except (OSError, ValueError):
        return None
    modules = meta.get("modules") if isinstance(meta, dict) else None
    if not isinstance(modules, list) or meta.get("fingerprint") != fingerprint(modules):
        return None
    for module in modules:  # what building imported: admission rules register on import
        importlib.import_module(module)
    return pickle.loads(zlib.decompress(body))


def build_demo() -> Any:
    """The demo cluster as `k9py` builds it without a snapshot (seed 0, its header's warm-up)."""
    from k9py.scenario.loader import load_cluster
    return load_cluster(None, seed=0)


def write(path: Path = SNAPSHOT) -> bool:
    """Build the demo and write its snapshot unless the file is current. True: written."""
    if is_current(path):
        return False
    data = dumps(build_demo())
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # test workers may write at once
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


if __name__ == "__main__":  # through the module's own name: the pickle must name k9py.scenario.snapshot
    from k9py.scenario import snapshot
    print("written" if snapshot.write() else "current", snapshot.SNAPSHOT)
