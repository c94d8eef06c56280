"""Endpoints and EndpointSlice controllers (kube-controller-manager's endpoint and
endpointslice controllers): the pods behind every Service with a selector.

Endpoints (core/v1): ready pod IPs in ``addresses``, unready ones in ``notReadyAddresses``;
terminating pods are left out (unless ``publishNotReadyAddresses``). EndpointSlices
(discovery.k8s.io/v1): every pod with an IP, with ``ready``/``serving``/``terminating`` conditions.
Importing this module registers Service admission (IP / node-port allocation).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.timefmt import rfc3339
from k9py.sim import service_admission  # noqa: F401  (registers @admits("Service"))
from k9py.sim.controllers import endpoints_slices as slices
from k9py.sim.controllers.base import Controller
from k9py.sim.controllers.endpoints_members import Member, ServiceMembers
from k9py.sim.controllers.endpoints_sync import EndpointsSync, selector_pairs

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
MAX_CAPACITY = 1000  # addresses an Endpoints object holds at most (EndpointSlices hold them all)
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"


def _service_labels(svc: Obj) -> dict[str, str]:
    labels = dict(meta.labels(svc))
    if meta.dig(svc, "spec", "clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    return labels


def _service_members(svc: Obj) -> ServiceMembers:
    labels = _service_labels(svc)
    slice_labels = {**labels, SERVICE_NAME_LABEL: meta.name(svc), MANAGED_BY_LABEL: MANAGED_BY}
    return ServiceMembers(svc, selector_pairs(svc), labels, slice_labels)


class EndpointsController(Controller):
    name = "endpoints"
    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        sync: EndpointsSync = cluster.state.setdefault("endpoints-sync", EndpointsSync())
        sync.release_allocations(cluster)
        dirty = sync.dirty(store)  # None: every Service (see endpoints_sync.py)
        # The Services a full pass would sync, in its order: the changed ones and the scanned.
        keys = store.keys("Service") if dirty is None else sorted(dirty | sync.scanned)
        cache = sync.members
        pods = store.table("Pod")
        for key in keys:
            svc = store.get("Service", *key)
            if svc is None:
                cache.pop(key, None)
                continue
            spec = svc.get("spec", {})
            if spec.get("type") == "ExternalName" or not spec.get("selector"):
                cache.pop(key, None)
                continue
            entry = cache.get(key)
            if entry is None or entry.svc is not svc:
                entry = cache[key] = _service_members(svc)
            if entry.pairs is None:  # not an indexable map: scanned, every pass, as it always was
                sel = selectors.from_map(spec.get("selector"))
                picked = [k for k in store.keys("Pod", key[0]) if selectors.matches(sel, meta.labels(pods[k]))]
            else:
                picked = sync.pod_keys(entry.pairs)
            members = entry.members(picked, pods)
            self._sync_endpoints(cluster, svc, entry, members, sync)
            self._sync_slices(cluster, svc, entry, members, sync)
        if sync.leftovers:  # Endpoints this controller made for Services that are gone (checkLeftoverEndpoints)
            sync.leftovers = False
            live = set(store.keys("Service"))
            for ep in store.list("Endpoints"):
                if (meta.namespace(ep), meta.name(ep)) not in live and TRIGGER_TIME in meta.annotations(ep):
                    sync.wrote(store.delete("Endpoints", meta.namespace(ep), meta.name(ep)))

    # -- core/v1 Endpoints -----------------------------------------------------------------
    def _sync_endpoints(self, cluster: Cluster, svc: Obj, entry: ServiceMembers, members: list[Member],
                        sync: EndpointsSync) -> None:
        """Write the Service's Endpoints from ``members``; ``sync`` is told of the write."""
        groups: dict[tuple, Obj] = {}
        for m in members:
            addr = m.address
            if addr is None:
                continue
            subset = groups.get(m.port_key)
            if subset is None:
                subset = groups[m.port_key] = {"addresses": [], "notReadyAddresses": [], "ports": m.ep_ports}
            subset["addresses" if m.ready else "notReadyAddresses"].append(addr)
        subsets = []
        for subset in groups.values():
            out = {k: v for k, v in subset.items() if v}
            if not subset["ports"] and meta.dig(svc, "spec", "clusterIP") != "None":
                continue  # a pod without any resolvable port contributes nothing
            subsets.append(out)
        truncated = truncate(subsets)
        ns, name = meta.namespace(svc), meta.name(svc)
        labels = entry.labels
        existing = cluster.store.get("Endpoints", ns, name)
        if existing is None:
            ep: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                       "metadata": {"name": name, "namespace": ns,
                                    "annotations": {TRIGGER_TIME: rfc3339(cluster.now())}}}
            if truncated:
                ep["metadata"]["annotations"][OVER_CAPACITY] = "truncated"
            if labels:
                ep["metadata"]["labels"] = dict(labels)
            if subsets:
                ep["subsets"] = subsets
            sync.wrote(cluster.store.create(ep))
            return
        if ((existing.get("subsets") or []) == subsets and meta.labels(existing) == labels
                and (OVER_CAPACITY in meta.annotations(existing)) == truncated):
            return

        def write(o: Obj) -> None:
            md = o["metadata"]
            md["annotations"] = {**(md.get("annotations") or {}), TRIGGER_TIME: rfc3339(cluster.now())}
            if truncated:
                md["annotations"][OVER_CAPACITY] = "truncated"
            else:
                md["annotations"].pop(OVER_CAPACITY, None)
            if labels:
                md["labels"] = dict(labels)
            else:
                md.pop("labels", None)
            if subsets:
                o["subsets"] = subsets
            else:
                o.pop("subsets", None)
        sync.wrote(cluster.store.rewrite("Endpoints", ns, name, write, whole=("subsets",)))

    # -- discovery.k8s.io/v1 EndpointSlices ------------------------------------------------
    def _sync_slices(self, cluster: Cluster, svc: Obj, entry: ServiceMembers, members: list[Member],
                     sync: EndpointsSync) -> None:
        """Create, update and delete the Service's EndpointSlices to match ``members``
        (at most 100 endpoints a slice: endpoints_slices.py)."""
        store = cluster.store
        ns, name = meta.namespace(svc), meta.name(svc)
        desired: dict[tuple, list[Obj]] = {}
        ports_of: dict[tuple, list[Obj]] = {}
        for m in members:
            ep = m.slice_endpoint
            if ep is None:
                continue
            eps = desired.get(m.port_key)
            if eps is None:
                eps = desired[m.port_key] = []
                ports_of[m.port_key] = m.ports  # equal for every member with this port key
            eps.append(ep)
        labels = entry.slice_labels
        existing = []  # this Service's slices, by name
        for slice_name in sync.slices_of(ns, name):
            s = store.get("EndpointSlice", ns, slice_name)
            if s is not None and meta.labels(s).get(MANAGED_BY_LABEL) == MANAGED_BY \
                    and meta.labels(s).get(SERVICE_NAME_LABEL) == name:
                existing.append(s)
        todo = slices.plan(existing, desired, ports_of, lambda s: meta.labels(s) != labels)
        for ports, endpoints in todo.create:
            sync.wrote(self._create_slice(cluster, svc, labels, {"endpoints": endpoints, "ports": ports}))
        for current, ports, endpoints in todo.update:
            sync.wrote(self._update_slice(cluster, current, labels, {"endpoints": endpoints, "ports": ports}))
        for s in todo.delete:
            sync.wrote(store.delete("EndpointSlice", ns, meta.name(s)))

    def _create_slice(self, cluster: Cluster, svc: Obj, labels: dict[str, str], body: Obj) -> Obj:
        obj: Obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"generateName": f"{meta.name(svc)[:57]}-", "namespace": meta.namespace(svc),
                                 "labels": dict(labels),
                                 "annotations": {TRIGGER_TIME: rfc3339(cluster.now())},
                                 "ownerReferences": [meta.owner_reference(svc)]},
                    "addressType": "IPv4"}
        _put_body(obj, body)
        return cluster.store.create(obj)

    def _update_slice(self, cluster: Cluster, current: Obj, labels: dict[str, str], body: Obj) -> Obj | None:
        """The slice written, None when it already shows ``body`` and ``labels``."""
        same = ((current.get("endpoints") or []) == body["endpoints"]
                and (current.get("ports") or []) == body["ports"]
                and meta.labels(current) == labels)
        if same:
            return None

        def write(o: Obj) -> None:
            md = o["metadata"]
            md["labels"] = dict(labels)
            md["annotations"] = {**(md.get("annotations") or {}), TRIGGER_TIME: rfc3339(cluster.now())}
            _put_body(o, body)
        return cluster.store.rewrite("EndpointSlice", meta.namespace(current), meta.name(current), write,
                                     whole=("endpoints", "ports"))


def truncate(subsets: list[Obj], capacity: int = MAX_CAPACITY) -> bool:
    """Cut ``subsets`` (in place) to ``capacity`` addresses as the endpoints controller does
    (``truncateEndpoints``): ready addresses first; the cut spread over the subsets in
    proportion, rounded up, the last ones short. True when something was cut."""
    ready = sum(len(s.get("addresses") or ()) for s in subsets)
    not_ready = sum(len(s.get("notReadyAddresses") or ()) for s in subsets)
    if ready + not_ready <= capacity:
        return False
    cut_ready = ready > capacity
    room, total = (capacity, ready) if cut_ready else (capacity - ready, not_ready)
    field = "addresses" if cut_ready else "notReadyAddresses"
    left = room
    for s in subsets:
        have = s.get(field) or []
        share = min(math.ceil(len(have) / total * room), left)  # as Go rounds it (float64)
        if share < len(have):
            s[field] = have[:share]
        if cut_ready:
            s.pop("notReadyAddresses", None)
        if not s.get(field):
            s.pop(field, None)
        left -= len(s.get(field) or ())
    # a subset cut to nothing goes (the apiserver refuses one with neither kind of address:
    # the controller's own cut would be refused with it)
    subsets[:] = [s for s in subsets if s.get("addresses") or s.get("notReadyAddresses")]
    return True


def _put_body(obj: Obj, body: Obj) -> None:
    """The slice's endpoints and ports: the members' own dicts in lists of its own (stored
    ``whole``: the store shares nothing inside them, so the members' dicts are never written
    into, and the next comparison with what is stored stops at identity)."""
    for key in ("endpoints", "ports"):
        if body[key]:
            obj[key] = list(body[key])
        else:
            obj.pop(key, None)

