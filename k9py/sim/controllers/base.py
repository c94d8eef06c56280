"""The controller shape: level-triggered reconcile over the whole store, like kube-controller-manager."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mypy_extensions import mypyc_attr

from k9py.sim.picklestate import restore, state_of

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster


@mypyc_attr(allow_interpreted_subclasses=True)
class Controller:
    """Subclasses implement ``reconcile``: compare desired with actual state and write the
    difference through ``cluster.store``. It is called after every change and at every wake-up
    until nothing changes, so it must be idempotent. Anything due later is asked for with
    ``cluster.wake_at(t)``."""

    name = "controller"
    watches: tuple[str, ...] | str | None = None  # the kinds whose changes wake it (cluster.ANY_KIND: any)

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    def reconcile(self, cluster: Cluster) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def unchanged_since_last(cluster: Cluster, key: str, kinds: tuple[str, ...]) -> bool:
    """Whether no object of ``kinds`` changed since the last ``saw(cluster, key, kinds)``: a
    controller that reads only those kinds has nothing to do at a clock wake-up."""
    return cluster.state.get(key) == tuple(cluster.store.kind_version(k) for k in kinds)


def saw(cluster: Cluster, key: str, kinds: tuple[str, ...]) -> None:
    """Remember where ``kinds`` stand (after the controller's own writes: they are seen too)."""
    cluster.state[key] = tuple(cluster.store.kind_version(k) for k in kinds)


def add_owners(store: Any, change: Any, owner_kind: str, keys: set[tuple[str, str]]) -> None:
    """Add to ``keys`` the (namespace, name) of the ``owner_kind`` objects a changed dependent
    concerns, before and after the change: its controller, or, when it has none, every
    ``owner_kind`` object of its namespace (one of them may adopt it)."""
    for obj in (change.obj, change.old):
        if obj is None:
            continue
        md = obj.get("metadata", {})  # meta.controller_ref and meta.namespace's reads, once
        ref = None
        for r in md.get("ownerReferences") or ():
            if r.get("controller"):
                ref = r
                break
        if ref is None:
            keys.update(store.keys(owner_kind, md.get("namespace", "") or ""))
        elif ref.get("kind") == owner_kind:
            keys.add((md.get("namespace", "") or "", ref.get("name", "")))
