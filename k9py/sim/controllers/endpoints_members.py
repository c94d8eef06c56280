"""The pods behind a Service as the endpoints controllers see them, kept between passes.

A stored pod is an immutable version, so what a Service makes of it (a ``Member``: its address,
readiness, resolved ports, and the Endpoints address and EndpointSlice endpoint it shows as) is
built once per pod version and Service version and reused until either changes. The dicts are
never changed after they are built; stored Endpoints and EndpointSlices may hold them (see
``endpoints._storable``), so comparing what is stored with what is wanted stops at identity.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from k9py.kube import meta

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name)


def pod_is_ready(pod: Obj) -> bool:
    for c in meta.dig(pod, "status", "conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def pod_ip(pod: Obj) -> str:
    st = pod.get("status") or {}
    return st.get("podIP") or ((st.get("podIPs") or [{}])[0].get("ip") or "")


def should_pod_be_in_endpoints(pod: Obj, include_terminating: bool) -> bool:
    """endpointutil.ShouldPodBeInEndpoints."""
    if not pod_ip(pod):
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


@functools.lru_cache(maxsize=1 << 16)
def _ip_key(ip: str) -> tuple[int, int | str]:
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, ip)


def _ep_port(p: Obj) -> Obj:
    out = {"port": p["port"], "protocol": p["protocol"]}
    if p["name"]:
        out = {"name": p["name"], **out}
    return out


class Member:
    """One pod as seen from one Service. ``address``: its entry in the Endpoints (None: not in
    them); ``slice_endpoint``: its entry in an EndpointSlice (None: in none)."""

    __slots__ = ("address", "ep_ports", "ip", "pod", "port_key", "ports", "ready", "slice_endpoint", "sort_key")

    pod: Obj
    ip: str
    ready: bool
    ports: list[Obj]
    port_key: tuple
    ep_ports: list[Obj]
    sort_key: tuple
    address: Obj | None
    slice_endpoint: Obj | None

    def __init__(self, svc: Obj, pod: Obj, ip: str) -> None:
        spec = svc.get("spec", {})
        publish = bool(spec.get("publishNotReadyAddresses"))
        self.pod = pod
        self.ip = ip
        terminating = meta.is_deleting(pod)
        serving = pod_is_ready(pod)
        self.ready = publish or (serving and not terminating)
        ports = []
        for sp in spec.get("ports") or []:
            port = find_port(pod, sp)
            if port is None:
                continue
            ports.append({"name": sp.get("name") or "", "port": port, "protocol": sp.get("protocol", "TCP")})
        self.port_key = tuple((p["name"], p["port"], p["protocol"]) for p in ports)
        self.sort_key = (_ip_key(ip), meta.uid(pod))
        hostname = meta.dig(pod, "spec", "hostname")
        if not (hostname and meta.dig(pod, "spec", "subdomain") == meta.name(svc)):
            hostname = None
        node = meta.dig(pod, "spec", "nodeName")
        target_ref = {"kind": "Pod", "namespace": meta.namespace(pod), "name": meta.name(pod), "uid": meta.uid(pod)}
        address: Obj | None = None
        if should_pod_be_in_endpoints(pod, publish):
            address = {"ip": ip}
            if hostname:
                address["hostname"] = hostname
            if node:
                address["nodeName"] = node
            address["targetRef"] = target_ref
        endpoint: Obj | None = None
        if should_pod_be_in_endpoints(pod, True) and (ports or spec.get("clusterIP") == "None"):
            endpoint = {"addresses": [ip],
                        "conditions": {"ready": self.ready, "serving": serving, "terminating": terminating}}
            if hostname:
                endpoint["hostname"] = hostname
            if node:
                endpoint["nodeName"] = node
            endpoint["targetRef"] = target_ref
        self.ports = ports
        self.ep_ports = [_ep_port(p) for p in ports]
        self.address = address
        self.slice_endpoint = endpoint


class ServiceMembers:
    """One Service version's members by pod (namespace, name), and what it derives from its own
    object alone (its selector pairs and its objects' labels)."""

    __slots__ = ("by_pod", "labels", "pairs", "slice_labels", "svc")

    def __init__(self, svc: Obj, pairs: Any, labels: dict[str, str], slice_labels: dict[str, str]) -> None:
        self.svc = svc
        self.pairs = pairs
        self.labels = labels
        self.slice_labels = slice_labels
        self.by_pod: dict[Key, Member] = {}

    def members(self, pods: list[tuple[Key, Obj]]) -> list[Member]:
        """The members for ``pods`` (those with an IP), in the controllers' order (by IP, then
        uid); members of pods that are no longer among them are forgotten."""
        old = self.by_pod
        new: dict[Key, Member] = {}
        svc = self.svc
        for key, pod in pods:
            m = old.get(key)
            if m is None or m.pod is not pod:
                ip = pod_ip(pod)
                if not ip:
                    continue
                m = Member(svc, pod, ip)
            new[key] = m
        self.by_pod = new
        out = list(new.values())
        out.sort(key=_sort_key)
        return out


def _sort_key(m: Member) -> tuple:
    return m.sort_key
