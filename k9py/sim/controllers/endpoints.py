"""Endpoints and EndpointSlice controllers (kube-controller-manager's endpoint and
endpointslice controllers): the pods behind every Service with a selector.

Endpoints (core/v1): ready pod IPs in ``addresses``, unready ones in ``notReadyAddresses``;
terminating pods are left out (unless ``publishNotReadyAddresses``). EndpointSlices
(discovery.k8s.io/v1): every pod with an IP, with ``ready``/``serving``/``terminating`` conditions.
Importing this module registers Service admission (IP / node-port allocation).
"""

from __future__ import annotations

import functools
import ipaddress
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.timefmt import rfc3339
from k9py.sim import (
    ipam,
    service_admission,  # noqa: F401  (registers @admits("Service"))
)
from k9py.sim.controllers.base import Controller
from k9py.sim.controllers.endpoints_sync import EndpointsSync, selector_pairs

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"


def pod_is_ready(pod: Obj) -> bool:
    for c in meta.dig(pod, "status", "conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def _pod_ip(pod: Obj) -> str:
    st = pod.get("status") or {}
    return st.get("podIP") or ((st.get("podIPs") or [{}])[0].get("ip") or "")


def should_pod_be_in_endpoints(pod: Obj, include_terminating: bool) -> bool:
    """endpointutil.ShouldPodBeInEndpoints."""
    if not _pod_ip(pod):
        return False
    if not include_terminating and meta.is_deleting(pod):
        return False
    phase = meta.dig(pod, "status", "phase")
    policy = meta.dig(pod, "spec", "restartPolicy") or "Always"
    if policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if policy == "OnFailure":
        return phase != "Succeeded"
    return True


def find_port(pod: Obj, svc_port: Obj) -> int | None:
    """podutil.FindPort: a numeric targetPort as is, a named one from the containers' ports."""
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    proto = svc_port.get("protocol", "TCP")
    for c in meta.dig(pod, "spec", "containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == proto:
                return p.get("containerPort")
    return None


@functools.lru_cache(maxsize=1 << 16)  # parsed again for every pod of every Service sync otherwise
def _ip_key(ip: str) -> tuple[int, int | str]:
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, ip)


def _target_ref(pod: Obj) -> Obj:
    return {"kind": "Pod", "namespace": meta.namespace(pod), "name": meta.name(pod), "uid": meta.uid(pod)}


def _service_labels(svc: Obj) -> dict[str, str]:
    labels = dict(meta.labels(svc))
    if meta.dig(svc, "spec", "clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    return labels


class _Member:
    """One pod as seen from one Service: its address, readiness and resolved ports."""

    def __init__(self, svc: Obj, pod: Obj) -> None:
        spec = svc.get("spec", {})
        publish = bool(spec.get("publishNotReadyAddresses"))
        self.pod = pod
        self.ip = _pod_ip(pod)
        self.terminating = meta.is_deleting(pod)
        self.serving = pod_is_ready(pod)
        self.ready = publish or (self.serving and not self.terminating)
        self.in_endpoints = should_pod_be_in_endpoints(pod, publish)
        ports = []
        for sp in spec.get("ports") or []:
            port = find_port(pod, sp)
            if port is None:
                continue
            ports.append({"name": sp.get("name") or "", "port": port, "protocol": sp.get("protocol", "TCP")})
        self.ports = ports
        self.port_key = tuple((p["name"], p["port"], p["protocol"]) for p in ports)
        hostname = meta.dig(pod, "spec", "hostname")
        sub = meta.dig(pod, "spec", "subdomain")
        self.hostname = hostname if hostname and sub == meta.name(svc) else None


class EndpointsController(Controller):
    name = "endpoints"
    _sync_state: EndpointsSync | None = None  # this pass's (cluster.state's), told of each own write

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        ipam.release_missing(cluster)
        sync: EndpointsSync = cluster.state.setdefault("endpoints-sync", EndpointsSync())
        self._sync_state = sync
        dirty = sync.dirty(store)  # None: every Service (see endpoints_sync.py)
        services = store.list("Service")
        live = {(meta.namespace(s), meta.name(s)) for s in services}
        for svc in services:
            spec = svc.get("spec", {})
            if spec.get("type") == "ExternalName" or not spec.get("selector"):
                continue
            pairs = selector_pairs(svc)
            if pairs is None:  # not an indexable map: scanned, every pass, as it always was
                sel = selectors.from_map(spec.get("selector"))
                pods = [p for p in store.list("Pod", meta.namespace(svc))
                        if selectors.matches(sel, meta.labels(p)) and _pod_ip(p)]
            elif dirty is not None and (meta.namespace(svc), meta.name(svc)) not in dirty:
                continue  # nothing it depends on changed since its last sync
            else:
                pods = [p for p in sync.pods_for(store, pairs) if _pod_ip(p)]
            members = [_Member(svc, p) for p in pods]
            members.sort(key=lambda m: (_ip_key(m.ip), meta.uid(m.pod)))
            self._sync_endpoints(cluster, svc, members)
            self._sync_slices(cluster, svc, members)
        # Endpoints this controller made for Services that are gone (checkLeftoverEndpoints).
        for ep in store.list("Endpoints"):
            if (meta.namespace(ep), meta.name(ep)) not in live and TRIGGER_TIME in meta.annotations(ep):
                sync.wrote(store.delete("Endpoints", meta.namespace(ep), meta.name(ep)))

    # -- core/v1 Endpoints -----------------------------------------------------------------
    def _sync_endpoints(self, cluster: Cluster, svc: Obj, members: list[_Member]) -> None:
        groups: dict[tuple, Obj] = {}
        for m in members:
            if not m.in_endpoints:
                continue
            subset = groups.get(m.port_key)
            if subset is None:
                subset = groups[m.port_key] = {"addresses": [], "notReadyAddresses": [],
                                               "ports": [_ep_port(p) for p in m.ports]}
            addr: Obj = {"ip": m.ip}
            if m.hostname:
                addr["hostname"] = m.hostname
            node = meta.dig(m.pod, "spec", "nodeName")
            if node:
                addr["nodeName"] = node
            addr["targetRef"] = _target_ref(m.pod)
            subset["addresses" if m.ready else "notReadyAddresses"].append(addr)
        subsets = []
        for subset in groups.values():
            out = {k: v for k, v in subset.items() if v}
            if not subset["ports"] and meta.dig(svc, "spec", "clusterIP") != "None":
                continue  # a pod without any resolvable port contributes nothing
            subsets.append(out)
        ns, name = meta.namespace(svc), meta.name(svc)
        labels = _service_labels(svc)
        existing = cluster.store.get("Endpoints", ns, name)
        if existing is None:
            ep: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                       "metadata": {"name": name, "namespace": ns,
                                    "annotations": {TRIGGER_TIME: rfc3339(cluster.now())}}}
            if labels:
                ep["metadata"]["labels"] = labels
            if subsets:
                ep["subsets"] = subsets
            self._wrote(cluster.store.create(ep))
            return
        if (existing.get("subsets") or []) == subsets and meta.labels(existing) == labels:
            return

        def write(o: Obj) -> None:
            md = o["metadata"]
            md.setdefault("annotations", {})[TRIGGER_TIME] = rfc3339(cluster.now())
            if labels:
                md["labels"] = labels
            else:
                md.pop("labels", None)
            if subsets:
                o["subsets"] = subsets
            else:
                o.pop("subsets", None)
        self._wrote(cluster.store.rewrite("Endpoints", ns, name, write))  # endpoints shared, not copied

    # -- discovery.k8s.io/v1 EndpointSlices ------------------------------------------------
    def _sync_slices(self, cluster: Cluster, svc: Obj, members: list[_Member]) -> None:
        store = cluster.store
        ns, name = meta.namespace(svc), meta.name(svc)
        desired: dict[tuple, list[Obj]] = {}
        ports_of: dict[tuple, list[Obj]] = {}
        for m in members:
            if not should_pod_be_in_endpoints(m.pod, True):
                continue
            if not m.ports and meta.dig(svc, "spec", "clusterIP") != "None":
                continue
            ep: Obj = {"addresses": [m.ip],
                       "conditions": {"ready": m.ready, "serving": m.serving, "terminating": m.terminating}}
            if m.hostname:
                ep["hostname"] = m.hostname
            node = meta.dig(m.pod, "spec", "nodeName")
            if node:
                ep["nodeName"] = node
            ep["targetRef"] = _target_ref(m.pod)
            desired.setdefault(m.port_key, []).append(ep)
            ports_of[m.port_key] = [dict(p) for p in m.ports]
        if not desired:
            desired[()] = []  # the placeholder slice a Service without endpoints keeps
            ports_of[()] = []
        labels = _service_labels(svc)
        labels[SERVICE_NAME_LABEL] = name
        labels[MANAGED_BY_LABEL] = MANAGED_BY
        existing = [s for s in store.list("EndpointSlice", ns)
                    if meta.labels(s).get(SERVICE_NAME_LABEL) == name
                    and meta.labels(s).get(MANAGED_BY_LABEL) == MANAGED_BY]
        by_key = {_slice_key(s): s for s in existing}
        unmatched_existing = [s for s in existing if _slice_key(s) not in desired]
        for key in sorted(desired):
            body = {"endpoints": desired[key], "ports": ports_of[key]}
            current = by_key.get(key)
            if current is None and unmatched_existing:
                current = unmatched_existing.pop(0)
            if current is None:
                self._create_slice(cluster, svc, labels, body)
            else:
                self._update_slice(cluster, current, labels, body)
        for s in unmatched_existing:
            self._wrote(store.delete("EndpointSlice", ns, meta.name(s)))

    def _create_slice(self, cluster: Cluster, svc: Obj, labels: dict[str, str], body: Obj) -> None:
        obj: Obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"generateName": f"{meta.name(svc)[:57]}-", "namespace": meta.namespace(svc),
                                 "labels": dict(labels),
                                 "annotations": {TRIGGER_TIME: rfc3339(cluster.now())},
                                 "ownerReferences": [meta.owner_reference(svc)]},
                    "addressType": "IPv4"}
        _put_body(obj, body)
        self._wrote(cluster.store.create(obj))

    def _update_slice(self, cluster: Cluster, current: Obj, labels: dict[str, str], body: Obj) -> None:
        same = ((current.get("endpoints") or []) == body["endpoints"]
                and (current.get("ports") or []) == body["ports"]
                and meta.labels(current) == labels)
        if same:
            return

        def write(o: Obj) -> None:
            o["metadata"]["labels"] = dict(labels)
            o["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = rfc3339(cluster.now())
            _put_body(o, body)
        self._wrote(cluster.store.rewrite("EndpointSlice", meta.namespace(current), meta.name(current), write))

    def _wrote(self, obj: Obj | None) -> None:
        if self._sync_state is not None:
            self._sync_state.wrote(obj)


def _put_body(obj: Obj, body: Obj) -> None:
    for key in ("endpoints", "ports"):
        if body[key]:
            obj[key] = body[key]
        else:
            obj.pop(key, None)


def _slice_key(s: Obj) -> tuple:
    return tuple((p.get("name") or "", p.get("port"), p.get("protocol", "TCP")) for p in s.get("ports") or [])


def _ep_port(p: Obj) -> Obj:
    out = {"port": p["port"], "protocol": p["protocol"]}
    if p["name"]:
        out = {"name": p["name"], **out}
    return out
