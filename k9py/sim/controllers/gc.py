"""The garbage collector: ownerReferences-driven deletion, like kube-controller-manager's.

- An object whose owners are all gone (no object with that uid) is deleted, Background
  (pods through ``Cluster.delete``, so they terminate gracefully).
- An object with some owners gone and some alive only loses the dangling references.
- Foreground deletion: an owner with deletionTimestamp and the ``foregroundDeletion`` finalizer
  has its dependents deleted first (Foreground again if they have dependents themselves); it
  is removed once no dependent with ``blockOwnerDeletion: true`` is left.
- Like the apiserver, an object being deleted whose last finalizer went away is removed
  (pods and namespaces excepted: the kubelet and the namespace controller finish those).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import ApiError
from k9py.sim.admission import FOREGROUND
from k9py.sim.controllers.base import Controller
from k9py.sim.follower import Follower

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

Obj = dict[str, Any]


def _finalizers(obj: Obj) -> list[str]:
    return obj.get("metadata", {}).get("finalizers") or []


_NO_METADATA: Obj = {}  # read only


def _same_facts(old_md: Obj, md: Obj) -> bool:
    """Whether two versions' metadata agree on what the collector reads: the owners, whether
    and how the object is being deleted (most writes, a status or spec, change none of it)."""
    a, b = old_md.get("ownerReferences"), md.get("ownerReferences")
    if a is not b and a != b:
        return False
    a, b = old_md.get("deletionTimestamp"), md.get("deletionTimestamp")
    if a != b:
        return False
    a, b = old_md.get("finalizers"), md.get("finalizers")
    return a is b or a == b


class _GcState(Follower):
    """What changed since the last pass (kept as the changes are made: ``follower.py``), and
    the owners in foreground deletion."""

    skip = ("Event",)
    statuses = False  # (owners, deletion and finalizers are metadata)

    def __init__(self) -> None:
        super().__init__()
        self.changed: set[tuple[str, str, str]] = set()  # objects whose owners or deletion changed
        self.owners: set[str] = set()  # their uids: what references them is looked at too
        self.foreground: set[tuple[str, str, str]] = set()  # owners waiting for their dependents

    def fold(self, change: Change) -> None:
        obj, old = change.obj, change.old
        md = obj.get("metadata") or _NO_METADATA
        if change.type == "MODIFIED" and old is not None and _same_facts(old.get("metadata") or _NO_METADATA, md):
            return  # a status or spec write: its owners and dependents see nothing new
        self.changed.add((obj.get("kind", ""), md.get("namespace", "") or "", md.get("name", "")))
        uid = md.get("uid", "")
        if uid:
            self.owners.add(uid)

    def take(self) -> tuple[set[tuple[str, str, str]], set[str]]:
        """The objects and owner uids that changed since the last take (forgotten here)."""
        changed, owners = self.changed, self.owners
        self.changed, self.owners = set(), set()
        return changed, owners


def _everything(store: Any) -> tuple[list[Obj], dict[str, Obj], dict[str, list[Obj]]]:
    """Every object but Events, with the uid and dependents maps over them (a full pass)."""
    objects: list[Obj] = []
    for kind in store.kinds():
        if kind == "Event":
            continue
        objects.extend(store.list(kind))
    by_uid = {meta.uid(o): o for o in objects}
    dependents: dict[str, list[Obj]] = {}
    for o in objects:
        for ref in meta.owner_refs(o):
            dependents.setdefault(ref.get("uid", ""), []).append(o)
    return objects, by_uid, dependents


def _concerned(store: Any, state: _GcState) -> tuple[list[Obj], dict[str, Obj], dict[str, list[Obj]]]:
    """What a full pass would act on, found from the changes since the last pass: the changed
    objects, the dependents of changed (or deleted) owners, and the owners in foreground
    deletion; the uid and dependents maps cover just what those look up, as of now."""
    order = {k: i for i, k in enumerate(store.kinds())}
    changed, owners = state.take()
    keys: set[tuple[str, str, str]] = state.foreground | changed
    for uid in owners:
        keys.update(store.owned_keys(uid))

    def rank(k: tuple[str, str, str]) -> tuple[int, str, str]:
        return (order.get(k[0], len(order)), k[1], k[2])

    objects: list[Obj] = []
    for kind, ns, name in sorted(keys, key=rank):
        o = store.get(kind, ns or None, name) if kind != "Event" else None
        if o is None:
            state.foreground.discard((kind, ns, name))
        else:
            objects.append(o)
    by_uid: dict[str, Obj] = {}
    dependents: dict[str, list[Obj]] = {}
    for o in objects:
        for ref in meta.owner_refs(o):
            uid = ref.get("uid", "")
            if uid not in by_uid:
                found = [x for x in store.with_uid(uid) if x.get("kind") != "Event"]
                if found:  # the last in a full pass's order, as a dict built over it keeps
                    by_uid[uid] = max(found, key=lambda x: rank(meta.key(x)))
        if meta.is_deleting(o) and FOREGROUND in _finalizers(o):
            deps = [d for d in store.owned_by(meta.uid(o)) if d.get("kind") != "Event"]
            dependents[meta.uid(o)] = sorted(deps, key=lambda x: rank(meta.key(x)))
        else:
            state.foreground.discard(meta.key(o))
    return objects, by_uid, dependents


class GarbageCollector(Controller):
    name = "gc"

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        state: _GcState = cluster.state.setdefault("gc-sync", _GcState())
        if state.follow(store):
            state.take()  # (what an earlier store's changes left)
            objects, by_uid, dependents = _everything(store)
        else:
            objects, by_uid, dependents = _concerned(store, state)

        for o in objects:
            if meta.is_deleting(o):
                if FOREGROUND in _finalizers(o):
                    state.foreground.add(meta.key(o))
                    self._foreground(cluster, o, dependents.get(meta.uid(o), []))
                elif not _finalizers(o) and o.get("kind") not in ("Pod", "Namespace"):
                    _delete_now(cluster, o)
                continue
            refs = meta.owner_refs(o)
            if refs:
                self._check_owners(cluster, o, refs, by_uid, dependents)
        # Cascades go one level per pass: what this pass deleted makes the store dirty, so
        # Cluster.settle runs it again (it watches every kind).

    def _check_owners(self, cluster: Cluster, o: Obj, refs: list[Obj], by_uid: dict[str, Obj],
                      dependents: dict[str, list[Obj]]) -> None:
        solid, dangling, waiting = [], [], []
        for ref in refs:
            owner = by_uid.get(ref.get("uid", ""))
            if owner is None:
                dangling.append(ref)
            elif meta.is_deleting(owner) and FOREGROUND in _finalizers(owner):
                waiting.append(ref)
            else:
                solid.append(ref)
        if not dangling and not waiting:
            return
        kind, ns, name = meta.key(o)
        if solid:
            drop = {r.get("uid") for r in dangling + waiting}
            cluster.store.mutate(kind, ns or None, name, lambda x: x["metadata"].__setitem__(
                "ownerReferences", [r for r in meta.owner_refs(x) if r.get("uid") not in drop]))
            return
        if waiting:
            return  # the foreground owner deletes it (see _foreground)
        _delete(cluster, o, "Background")

    def _foreground(self, cluster: Cluster, owner: Obj, deps: list[Obj]) -> None:
        uid = meta.uid(owner)
        blocking = False
        for dep in deps:
            current = cluster.store.get(dep["kind"], meta.namespace(dep) or None, meta.name(dep))
            if current is None or meta.uid(current) != meta.uid(dep):
                continue
            ref = next((r for r in meta.owner_refs(current) if r.get("uid") == uid), None)
            if ref is None:
                continue
            if ref.get("blockOwnerDeletion"):
                blocking = True
            if meta.is_deleting(current):
                continue
            others = [r for r in meta.owner_refs(current) if r.get("uid") != uid]
            if any(cluster.store.get(r.get("kind", ""), meta.namespace(current) or None, r.get("name", "")) is not None
                   for r in others):
                # another owner keeps it alive: it only stops pointing at this one
                kind, ns, name = meta.key(current)
                cluster.store.mutate(kind, ns or None, name, lambda x: x["metadata"].__setitem__(
                    "ownerReferences", [r for r in meta.owner_refs(x) if r.get("uid") != uid]))
                continue
            has_own_deps = bool(cluster.dependents(current)) if current.get("kind") != "Pod" else False
            _delete(cluster, current, "Foreground" if has_own_deps else "Background")
        if not blocking:
            # re-check: deleting dependents may have removed them already
            still = any(
                (cur := cluster.store.get(d["kind"], meta.namespace(d) or None, meta.name(d))) is not None
                and meta.uid(cur) == meta.uid(d)
                and any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in meta.owner_refs(cur))
                for d in deps)
            if not still:
                _finish_foreground(cluster, owner)


def _delete(cluster: Cluster, o: Obj, propagation: str) -> None:
    kind, ns, name = meta.key(o)
    with contextlib.suppress(ApiError):
        cluster.delete(kind, ns or None, name, propagation=propagation)


def _delete_now(cluster: Cluster, o: Obj) -> None:
    kind, ns, name = meta.key(o)
    if cluster.store.get(kind, ns or None, name) is not None:
        cluster.store.delete(kind, ns or None, name)


def _finish_foreground(cluster: Cluster, owner: Obj) -> None:
    kind, ns, name = meta.key(owner)
    current = cluster.store.get(kind, ns or None, name)
    if current is None:
        return
    rest = [f for f in _finalizers(current) if f != FOREGROUND]
    if rest:
        def drop(x: Obj) -> None:
            x["metadata"]["finalizers"] = rest
        cluster.store.mutate(kind, ns or None, name, drop)
        return
    cluster.store.delete(kind, ns or None, name)
