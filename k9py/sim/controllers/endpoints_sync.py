"""Which Services the endpoints controllers must look at in a pass, and the pods a Service's
selector picks, both kept up to date from the store's changes as they are made (a ``Follower``)
instead of scanning every pod for every Service on every pass.

A Service is looked at again when it changed, when a pod its selector matches (before or after
the change) changed, or when someone else changed its Endpoints or EndpointSlices. Anything else
cannot change what it would write, so skipping it writes exactly what a full pass writes.
Likewise Service IPs and ports are checked for release only when a Service or an allocation
changed, and leftover Endpoints looked for only when a Service went or someone else wrote one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.sim import ipam
from k9py.sim.controllers.endpoints_members import same_endpoint_facts
from k9py.sim.follower import Follower
from k9py.sim.store import Change
from k9py.sim.store_index import unindex

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.controllers.endpoints_members import ServiceMembers

Obj = dict[str, Any]
Key = tuple[str, ...]  # (namespace, name): boxed, as store_index.Key
Pair = tuple[str, str, Any]  # (namespace, label key, label value)

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
SELECTING_MEMO = 4096  # labels dicts whose selecting Services are remembered, at most
_NONE: frozenset[Key] = frozenset()


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


class EndpointsSync(Follower):
    """Kept in ``cluster.state``; ``dirty`` once per pass, ``wrote`` after each own write.
    Pod and Service changes are folded in as they are made; Endpoints and EndpointSlice changes
    wait for the next ``dirty``, when this controller's ``wrote`` has said which were its own."""

    kinds = ("Pod", "Service", "Endpoints", "EndpointSlice")

    def __init__(self) -> None:
        super().__init__()
        self._dirty: set[Key] = set()  # Services the changes since the last pass concern
        self._written: list[Change] = []  # Endpoints and EndpointSlice changes since the last pass
        self._pods: dict[Pair, set[Key]] = {}  # (namespace, label, value) -> pods with that label
        # the namespaces whose pods ``_pods`` holds: those where a Service was indexed (the pods
        # of a namespace no Service selects in are nobody's endpoints: not looked at, as the
        # endpoints controllers look up a Service's pods only in its own namespace)
        self._pod_namespaces: set[str] = set()
        self._services: dict[Pair, set[Key]] = {}  # (namespace, key, value) -> Services selecting on it
        self._selectors: dict[Key, list[Pair]] = {}  # Service -> its indexed selector
        self._ours: dict[tuple[str, str, str], str] = {}  # (kind, ns, name) -> resourceVersion we wrote
        self.scanned: set[Key] = set()  # Services with a selector that cannot be indexed: every pass
        self.leftovers = True  # whether Endpoints without a Service may have appeared since the last look
        self._ipam_seen: tuple[int, dict[str, str], dict[str, str]] | None = None
        self.members: dict[Key, ServiceMembers] = {}  # a cache (endpoints_members.py), not pickled
        self._slices: dict[Key, set[str]] = {}  # (namespace, service-name label) -> EndpointSlice names
        # id(labels dict) -> (that dict, namespace, the Services selecting it): ``_selecting``'s
        # answers, until a Service's selector is indexed or unindexed. Stored versions are never
        # changed in place, the versions of a pod keep one labels dict while it is unchanged and
        # the store gives replicas of one template their sibling's, so most pod changes are
        # answered by one lookup. The dict is kept, so its id cannot be another's meanwhile.
        self._selecting_memo: dict[int, tuple[dict[str, Any], str, frozenset[Key]]] = {}
        # (namespace, label, value) -> its pods' keys sorted, for one-label selectors
        # (``pod_keys``), until a pod with that label comes or goes
        self._sorted: dict[Pair, list[Key]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["members"] = {}
        state["_selecting_memo"] = {}  # by id(): meaningless in another process
        state["_sorted"] = {}
        return state

    def release_allocations(self, cluster: Cluster) -> None:
        """``ipam.release_missing``, unless no Service and no allocation changed since it last ran."""
        st = cluster.state.get("ipam")
        version = cluster.store.kind_version("Service")
        seen = self._ipam_seen
        if st is not None and seen is not None and seen[0] == version and st["ips"] == seen[1] \
                and st["ports"] == seen[2]:
            return
        ipam.release_missing(cluster)
        st = cluster.state["ipam"]
        self._ipam_seen = (version, dict(st["ips"]), dict(st["ports"]))

    # -- the pass ---------------------------------------------------------------------------
    def dirty(self, store: Any) -> set[Key] | None:
        """The Services to sync now; None: all of them (the first pass, or a new store)."""
        if self.follow(store):
            self._dirty, self._written = set(), []
            self._rebuild(store)
            self.leftovers = True
            return None
        out, self._dirty = self._dirty, set()
        written, self._written = self._written, []
        for ch in written:
            self._endpoints_changed(ch, out)
        return out

    def fold(self, change: Change) -> None:
        obj, old = change.obj, change.old
        kind = obj.get("kind")
        if kind == "Pod":
            self._pod_changed(change, obj, old)
        elif kind == "Service":
            key = (meta.namespace(obj), meta.name(obj))
            self._dirty.add(key)
            self._unindex_service(key)
            if change.type != "DELETED":
                self._index_service(key, obj, self._listener.store if self._listener is not None else None)
            else:
                self.members.pop(key, None)
                self.leftovers = True
        else:
            self._written.append(change)

    def _pod_changed(self, ch: Change, obj: Obj, old: Obj | None) -> None:
        if meta.namespace(obj) not in self._pod_namespaces:
            return  # no Service was indexed there: none selects it, nothing indexes it yet
        out = self._dirty
        if ch.type == "MODIFIED" and old is not None:
            labels, old_labels = meta.labels(obj), meta.labels(old)
            if labels is old_labels or labels == old_labels:  # the usual: no index to update
                selecting = self._selecting(obj)
                if selecting and not same_endpoint_facts(old, obj):
                    out |= selecting
                return  # else a container's state, an annotation: no endpoint shows it
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

    def _endpoints_changed(self, ch: Change, out: set[Key]) -> None:
        obj, old = ch.obj, ch.old
        kind: str = obj["kind"]
        ns, name = meta.namespace(obj), meta.name(obj)
        if kind == "EndpointSlice":
            if ch.type == "DELETED":
                self._unindex_slice(obj)
            else:
                if old is not None:
                    self._unindex_slice(old)
                self._index_slice(obj)
        if self._ours.get((kind, ns, name)) == meta.dig(obj, "metadata", "resourceVersion"):
            return  # our own write: it is what the last sync of that Service wanted
        if kind == "Endpoints":
            out.add((ns, name))
            if ch.type != "DELETED":
                self.leftovers = True
        else:
            for version in (old, obj):
                svc = meta.labels(version).get(SERVICE_NAME_LABEL) if version is not None else None
                if svc:
                    out.add((ns, svc))

    def wrote(self, obj: Obj | None) -> None:
        """Note an Endpoints/EndpointSlice this controller just wrote (or deleted)."""
        if obj is not None:
            self._ours[(obj["kind"], meta.namespace(obj), meta.name(obj))] = meta.dig(
                obj, "metadata", "resourceVersion")

    def pod_keys(self, pairs: list[Pair]) -> list[Key]:
        """(namespace, name) of the pods a Service's selector (as ``selector_pairs``) picks,
        sorted (a one-label selector's list is kept until a pod with that label comes or goes:
        never change it)."""
        if len(pairs) == 1:
            p = pairs[0]
            keys = self._sorted.get(p)
            if keys is None:
                keys = self._sorted[p] = sorted(self._pods.get(p, ()))
            return keys
        sets = [self._pods.get(p, set()) for p in pairs]
        smallest = min(sets, key=len)
        return sorted(k for k in smallest if all(k in s for s in sets))

    def slices_of(self, namespace: str, service: str) -> list[str]:
        """Names of the EndpointSlices labelled for a Service, sorted (as of the pass's start:
        a pass syncs each Service once, and only that sync writes its slices)."""
        return sorted(self._slices.get((namespace, service), ()))

    # -- the indexes ------------------------------------------------------------------------
    def _rebuild(self, store: Any) -> None:
        self._slices.clear()
        for s in store.list("EndpointSlice"):
            self._index_slice(s)
        self._pods.clear()
        self._pod_namespaces.clear()
        self._sorted.clear()
        self._services.clear()
        self._selectors.clear()
        self._selecting_memo.clear()
        self._ours.clear()
        self.scanned.clear()
        # the members stay: each is checked against the stored Service and pod versions by
        # identity before it is used (endpoints_members.py), so only the gone Services' go
        live = set(store.keys("Service"))
        for key in [k for k in self.members if k not in live]:
            del self.members[key]
        for svc in store.list("Service"):
            self._index_service((meta.namespace(svc), meta.name(svc)), svc, store)

    def _selecting(self, pod: Obj) -> frozenset[Key]:
        """The indexed Services whose selector the pod's labels match (never changed: shared)."""
        labels = meta.labels(pod)
        if not labels:
            return _NONE
        ns = meta.namespace(pod)
        memo = self._selecting_memo
        hit = memo.get(id(labels))
        if hit is not None and hit[0] is labels and hit[1] == ns:
            return hit[2]
        out: set[Key] = set()
        services, selectors = self._services, self._selectors
        for k, v in labels.items():
            for key in services.get((ns, k, v), ()):
                for _, sk, sv in selectors[key]:
                    if sk not in labels or labels[sk] != sv:
                        break
                else:
                    out.add(key)
        found = frozenset(out) if out else _NONE
        if len(memo) >= SELECTING_MEMO:
            memo.clear()
        memo[id(labels)] = (labels, ns, found)
        return found

    def _index_slice(self, s: Obj) -> None:
        svc = meta.labels(s).get(SERVICE_NAME_LABEL)
        if svc is not None:
            self._slices.setdefault((meta.namespace(s), svc), set()).add(meta.name(s))

    def _unindex_slice(self, s: Obj) -> None:
        svc = meta.labels(s).get(SERVICE_NAME_LABEL)
        if svc is None:
            return
        unindex(self._slices, (meta.namespace(s), svc), meta.name(s))

    def _index_pod(self, key: Key, pairs: list[Pair]) -> None:
        sorted_keys = self._sorted
        for p in pairs:
            self._pods.setdefault(p, set()).add(key)
            if p in sorted_keys:
                del sorted_keys[p]

    def _unindex_pod(self, key: Key, pairs: list[Pair]) -> None:
        sorted_keys = self._sorted
        for p in pairs:
            if p in sorted_keys:
                del sorted_keys[p]
            unindex(self._pods, p, key)

    def _index_service(self, key: Key, svc: Obj, store: Any) -> None:
        """Index the Service's selector; the pods of its namespace are indexed from ``store``
        first if none was before (its first indexed Service)."""
        pairs = selector_pairs(svc)
        if pairs is None:
            if (svc.get("spec") or {}).get("selector"):
                self.scanned.add(key)
            return
        if key[0] not in self._pod_namespaces and store is not None:
            self._index_namespace_pods(store, key[0])
        self._selectors[key] = pairs
        self._selecting_memo.clear()
        for p in pairs:
            self._services.setdefault(p, set()).add(key)

    def _index_namespace_pods(self, store: Any, namespace: str) -> None:
        """From now on ``_pods`` holds the pods of ``namespace`` (as stored now, then as changed)."""
        self._pod_namespaces.add(namespace)
        for pod in store.list("Pod", namespace):
            self._index_pod((namespace, meta.name(pod)), _pod_pairs(pod))

    def _unindex_service(self, key: Key) -> None:
        self.scanned.discard(key)
        if key in self._selectors:
            self._selecting_memo.clear()
        for p in self._selectors.pop(key, ()):
            unindex(self._services, p, key)
