"""Which Services the endpoints controllers must look at in a pass, and the pods a Service's
selector picks, both kept up to date from the store's change log instead of scanning every pod
for every Service on every pass.

A Service is looked at again when it changed, when a pod its selector matches (before or after
the change) changed, or when someone else changed its Endpoints or EndpointSlices. Anything else
cannot change what it would write, so skipping it writes exactly what a full pass writes.
"""

from __future__ import annotations

from typing import Any

from k9py.kube import meta
from k9py.sim.controllers.podtemplate import ready_condition

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name)
Pair = tuple[str, str, Any]  # (namespace, label key, label value)

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def selector_pairs(svc: Obj) -> list[Pair] | None:
    """The Service's selector as (namespace, key, value) pairs; None: it has no selector map
    (or one that cannot be indexed), so it is looked up by a scan."""
    sel = (svc.get("spec") or {}).get("selector")
    if not isinstance(sel, dict) or not sel:
        return None
    ns = meta.namespace(svc)
    pairs = [(ns, k, v) for k, v in sel.items()]
    try:
        for p in pairs:
            hash(p)
    except TypeError:
        return None
    return pairs


def _pod_pairs(pod: Obj) -> list[Pair]:
    ns = meta.namespace(pod)
    return [(ns, k, v) for k, v in (meta.labels(pod) or {}).items()]


def _facts(pod: Obj) -> tuple:
    """What the endpoints controllers read of a pod: its labels, whether it is going, its spec
    (ports, node, hostname, restart policy), address, phase and readiness."""
    md = pod.get("metadata") or {}
    st = pod.get("status") or {}
    ready = ready_condition(pod)
    return (md.get("labels"), md.get("deletionTimestamp"), pod.get("spec"), st.get("podIP"), st.get("podIPs"),
            st.get("phase"), ready.get("status") if ready is not None else None)


class EndpointsSync:
    """Kept in ``cluster.state``; ``dirty`` once per pass, ``wrote`` after each own write."""

    def __init__(self) -> None:
        self.seen: int | None = None
        self._pods: dict[Pair, set[Key]] = {}  # (namespace, label, value) -> pods with that label
        self._services: dict[Pair, set[Key]] = {}  # (namespace, key, value) -> Services selecting on it
        self._selectors: dict[Key, list[Pair]] = {}  # Service -> its indexed selector
        self._ours: dict[tuple[str, str, str], str] = {}  # (kind, ns, name) -> resourceVersion we wrote

    # -- the pass ---------------------------------------------------------------------------
    def dirty(self, store: Any) -> set[Key] | None:
        """The Services to sync now; None: all of them (the first pass, or the change log no
        longer reaches back to the last one)."""
        changes = None if self.seen is None else store.changes_since(self.seen)
        self.seen = store.resource_version
        if changes is None:
            self._rebuild(store)
            return None
        out: set[Key] = set()
        for ch in changes:
            obj, old = ch.obj, ch.old
            kind = obj.get("kind")
            if kind == "Pod":
                if ch.type == "MODIFIED" and old is not None and _facts(old) == _facts(obj):
                    continue  # a container's state changed, or an annotation: no endpoint shows it
                key = (meta.namespace(obj), meta.name(obj))
                if ch.type == "DELETED":
                    before, after = _pod_pairs(obj), []
                else:
                    before, after = (_pod_pairs(old) if old is not None else []), _pod_pairs(obj)
                for version in (old, obj):
                    if version is not None:
                        out.update(self._selecting(version))
                if before != after:
                    self._unindex_pod(key, before)
                    self._index_pod(key, after)
            elif kind == "Service":
                key = (meta.namespace(obj), meta.name(obj))
                out.add(key)
                self._unindex_service(key)
                if ch.type != "DELETED":
                    self._index_service(key, obj)
            elif kind in ("Endpoints", "EndpointSlice"):
                ns, name = meta.namespace(obj), meta.name(obj)
                if self._ours.get((kind, ns, name)) == meta.dig(obj, "metadata", "resourceVersion"):
                    continue  # our own write: it is what the last sync of that Service wanted
                if kind == "Endpoints":
                    out.add((ns, name))
                else:
                    for version in (old, obj):
                        svc = meta.labels(version).get(SERVICE_NAME_LABEL) if version is not None else None
                        if svc:
                            out.add((ns, svc))
        return out

    def wrote(self, obj: Obj | None) -> None:
        """Note an Endpoints/EndpointSlice this controller just wrote (or deleted)."""
        if obj is not None:
            self._ours[(obj["kind"], meta.namespace(obj), meta.name(obj))] = meta.dig(
                obj, "metadata", "resourceVersion")

    def pods_for(self, store: Any, pairs: list[Pair]) -> list[Obj]:
        """The pods a Service's selector (as ``selector_pairs``) picks, by namespace/name."""
        sets = [self._pods.get(p, set()) for p in pairs]
        smallest = min(sets, key=len)
        keys = [k for k in smallest if all(k in s for s in sets)]
        keys.sort()
        out = []
        for k in keys:
            pod = store.get("Pod", *k)
            if pod is not None:
                out.append(pod)
        return out

    # -- the indexes ------------------------------------------------------------------------
    def _rebuild(self, store: Any) -> None:
        self._pods.clear()
        self._services.clear()
        self._selectors.clear()
        self._ours.clear()
        for pod in store.list("Pod"):
            self._index_pod((meta.namespace(pod), meta.name(pod)), _pod_pairs(pod))
        for svc in store.list("Service"):
            self._index_service((meta.namespace(svc), meta.name(svc)), svc)

    def _selecting(self, pod: Obj) -> set[Key]:
        labels = meta.labels(pod) or {}
        out: set[Key] = set()
        ns = meta.namespace(pod)
        for k, v in labels.items():
            for key in self._services.get((ns, k, v), ()):
                if all(sk in labels and labels[sk] == sv for _, sk, sv in self._selectors[key]):
                    out.add(key)
        return out

    def _index_pod(self, key: Key, pairs: list[Pair]) -> None:
        for p in pairs:
            self._pods.setdefault(p, set()).add(key)

    def _unindex_pod(self, key: Key, pairs: list[Pair]) -> None:
        for p in pairs:
            keys = self._pods.get(p)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._pods[p]

    def _index_service(self, key: Key, svc: Obj) -> None:
        pairs = selector_pairs(svc)
        if pairs is None:
            return
        self._selectors[key] = pairs
        for p in pairs:
            self._services.setdefault(p, set()).add(key)

    def _unindex_service(self, key: Key) -> None:
        for p in self._selectors.pop(key, ()):
            keys = self._services.get(p)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._services[p]
