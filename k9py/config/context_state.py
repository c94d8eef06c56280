"""What k9py remembers per context between runs, as k9s keeps per cluster/context
(``internal/config/data/context.go``, ``ns.go``, ``view.go``; ``json/schemas/context.json``):
the active namespace and the favourites, the active view, and two settings the user may write by
hand for one context: ``readOnly`` and ``skin`` (e.g. a red skin for production).

One YAML file per context where k9s keeps it, ``clusters/<cluster>/<context>/config.yaml``
(``locations.context_file``: a k9s user's folder copied over is read; a file of k9py's older
``clusters/<context>/`` layout is read when there is none, and saved in the new place), k9s's
shape under ``k9py:`` (``k9s:`` is read and written back as ``k9s:``)::

    k9py:
      cluster: kind-prod
      readOnly: true
      skin: red
      namespace:
        active: shop            # "all": all namespaces
        lockFavorites: false    # true: the favourites are kept as written
        favorites: [shop, default, kube-system]
      view:
        active: deploy

Loading never fails: a file that cannot be read gives defaults and one warning naming its line
(the UI flashes it); a wrong field is a warning naming it and is left out, the others apply. Saving writes the file atomically (a temporary file renamed
over it), keeps what k9py does not manage (cluster, readOnly, skin, featureGates, proxy), and keeps
a file that was wrong as ``config.yaml.corrupt`` before replacing it (one with a field left out
is copied there, once: the value and the comments stay); other contexts' files are never touched."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from k9py.config import locations, yamlfile
from k9py.config.schema import Anything, Bool, Map, Str, StrList, unknown_key
from k9py.config.settings import ROOTS
from k9py.errors import K9pyError

ALL = "all"  # k9s's word for all namespaces in the file
MAX_FAVORITES = 9  # k9s's MaxFavoritesNS
SCHEMA = Map({
    "cluster": Str(), "readOnly": Bool(), "skin": Str(empty=False),
    "namespace": Map({"active": Str(), "lockFavorites": Bool(), "favorites": StrList()}),
    "view": Map({"active": Str()}),
    "featureGates": Anything(), "proxy": Anything(),
})


@dataclass
class ContextState:
    context: str
    cluster: str = ""
    namespace: str | None = None  # the active one ("" all); None: not remembered
    favorites: list[str] = field(default_factory=list)
    lock_favorites: bool = False
    view: str | None = None  # the active view's command (pods, deploy, ...)
    read_only: bool | None = None  # None: config.yaml's readOnly
    skin: str | None = None  # None: config.yaml's skin
    node_shell: bool = False  # featureGates.nodeShell (k9s's): `s` on a node may start a privileged pod
    raw: dict[str, Any] = field(default_factory=dict)  # the file's tree: saved back with our changes
    root: str = "k9py"
    corrupt: bool = False  # the file on disk is wrong (kept aside when saving)
    left_out: bool = False  # a field of it was wrong and left out (a copy kept when saving, once)
    path: Path | None = None  # where it is saved (None: its context's and cluster's file)
    read_from: Path | None = None  # the file read (k9py's older layout's, until saved)


def load(context: str, path: Path | None = None, *, cluster: str = "") -> tuple[ContextState, list[str]]:
    """The remembered state of ``context`` (on ``cluster``: k9s's folder for the pair) and the
    warnings to show (a wrong file: defaults)."""
    state = ContextState(context, cluster=cluster)
    if path is None:
        state.path = path = locations.context_file(context, cluster)
        legacy = locations.legacy_context_file(context)
        if not path.is_file() and legacy.is_file():
            path = legacy  # k9py's older layout: read here, saved in k9s's place
    if not path.is_file():
        return state, []
    state.read_from = path
    try:
        doc = yamlfile.load(path)
        top = yamlfile.mapping(doc, doc.data, [])
        roots = [k for k in top if k in ROOTS]
        extra = [k for k in top if k not in ROOTS]
        if extra:
            raise doc.error([extra[0]], "unknown key (a context file holds one `k9py:` tree)")
        if not roots:
            return state, []
        root = roots[0]
        problems: list[str] = []
        data = _lenient(doc, SCHEMA, yamlfile.mapping(doc, top[root], [root]), [root], problems)
    except K9pyError as err:
        state.corrupt = True
        return state, [f"{err}: ignored (the context's settings start afresh)"]
    ns, view = data.get("namespace", {}), data.get("view", {})
    state.root, state.raw = root, dict(top[root] or {})
    state.cluster = cluster or data.get("cluster", "")  # k9s writes the cluster it is on
    if "active" in ns:
        state.namespace = "" if ns["active"] in (ALL, "") else ns["active"]
    state.favorites = _clean(ns.get("favorites", []))
    state.lock_favorites = ns.get("lockFavorites", False)
    state.view = view.get("active") or None
    state.read_only = data.get("readOnly")
    state.skin = data.get("skin")
    gates = data.get("featureGates")
    state.node_shell = isinstance(gates, dict) and gates.get("nodeShell") is True
    state.left_out = bool(problems)  # the file as written (its value left out, its comments) kept aside
    return state, problems


def _lenient(doc: yamlfile.ConfigDoc, spec: Map, value: dict[str, Any], where: list[str | int],
             problems: list[str]) -> dict[str, Any]:
    """``spec.check`` field by field: a wrong or unknown field is a problem (``FILE:LINE: FIELD:
    ...: ignored``) and left out; the others apply (a favourites typo must not drop the
    ``readOnly: true`` written for a production context)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        sub = spec.fields.get(key)
        try:
            if sub is None:
                raise doc.error([*where, key], unknown_key(key, list(spec.fields)))
            if item is None and not isinstance(sub, Map | StrList | Anything):
                continue  # `key:` with no value: the default (Map.check's rule)
            if isinstance(sub, Map) and isinstance(item, dict):
                out[key] = _lenient(doc, sub, item, [*where, key], problems)
            else:
                out[key] = sub.check(doc, item, [*where, key])
        except K9pyError as err:
            problems.append(f"{err}: ignored")
    return out


def _clean(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        if n and n != ALL and n not in out:
            out.append(n)
    return out[:MAX_FAVORITES]


def document(state: ContextState) -> dict[str, Any]:
    """The file's tree for ``state``: what was there, with the namespace and view updated."""
    tree = dict(state.raw)
    if state.cluster:
        tree["cluster"] = state.cluster
    ns = dict(tree.get("namespace") or {})
    if state.namespace is not None:
        ns["active"] = state.namespace or ALL
    ns["lockFavorites"] = state.lock_favorites
    if not state.lock_favorites:
        ns["favorites"] = _clean(state.favorites)
    tree["namespace"] = ns
    if state.view:
        tree["view"] = {**(tree.get("view") or {}), "active": state.view}
    return {state.root: tree}


def save(state: ContextState, path: Path | None = None) -> Path:
    """Write ``state`` to its context's file, atomically. OSError when it cannot be written."""
    path = path or state.path or locations.context_file(state.context, state.cluster)
    path.parent.mkdir(parents=True, exist_ok=True)
    read = state.read_from if state.read_from is not None and state.read_from.is_file() else None
    if state.corrupt and read is not None:  # keep the user's broken file to look at
        os.replace(read, read.with_name(read.name + ".corrupt"))
        state.corrupt, read = False, None
    aside = read.with_name(read.name + ".corrupt") if read is not None else None
    if state.left_out and read is not None and aside is not None and not aside.exists():  # (never over the first copy)
        shutil.copyfile(read, aside)
    state.left_out = False
    text = "# k9py remembers this context here (k9s's per-context config). Safe to edit or delete.\n"
    text += yaml.safe_dump(document(state), sort_keys=False, default_flow_style=False)
    write_atomic(path, text)
    if read is not None and read != path and read == locations.legacy_context_file(state.context):
        with contextlib.suppress(OSError):  # moved to k9s's place: not read twice, nor listed twice
            read.unlink()
    state.read_from = path
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, flush it to disk, rename it over
    ``path``: a reader sees the old file or the new one, never half of one. A ``path`` that
    is a symlink (a dotfiles manager's) is written where it points: the link stays."""
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
