"""The pods behind a Service as the endpoints controllers see them, kept between passes.

A stored pod is an immutable version, so what a Service makes of it (a ``Member``: its address,
readiness, resolved ports, and the Endpoints address and EndpointSlice endpoint it shows as) is
built once per pod version and Service version and reused until either changes. The dicts are
never changed after they are built; stored Endpoints and EndpointSlices hold them (written
``whole``: ``endpoints._put_body``), so comparing what is stored with what is wanted stops at identity.
"""

from __future__ import annotations

import functools
import ipaddress
import operator
import re
from collections.abc import Iterable, Mapping
from typing import Any

from k9py.kube import meta
from k9py.kube.unicode import digits
from k9py.sim.controllers.podtemplate import ready_condition

Obj = dict[str, Any]
Key = tuple[str, ...]  # (namespace, name): as store_index.Key


def pod_ip(pod: Obj) -> str:
    st = pod.get("status") or {}
    return st.get("podIP") or ((st.get("podIPs") or [{}])[0].get("ip") or "")


def find_port(pod: Obj, svc_port: Obj) -> int | None:
    """podutil.FindPort: a numeric targetPort as is, a named one from the containers' ports."""
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if isinstance(target, str) and digits(target):
        return int(target)
    proto = svc_port.get("protocol", "TCP")
    for c in meta.dig(pod, "spec", "containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == proto:
                return p.get("containerPort")
    return None


_DOTTED_QUAD = re.compile(r"(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})")


@functools.lru_cache(maxsize=1 << 16)
def _ip_key(ip: str) -> tuple[int, int | str]:
    """Sorts addresses as numbers; a dotted quad that ipaddress accepts is read directly."""
    quad = _DOTTED_QUAD.fullmatch(ip)
    if quad is not None:
        a, b, c, d = map(int, quad.groups())
        if a <= 255 and b <= 255 and c <= 255 and d <= 255:
            return (0, (a << 24) | (b << 16) | (c << 8) | d)
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, ip)


def is_terminal(status: Obj) -> bool:
    """podutil.IsPodTerminal, as ShouldPodBeInEndpoints asks it: a Succeeded or Failed pod is in no
    Endpoints or EndpointSlice, whatever its restartPolicy (the endpoints controllers' only reading
    of the phase)."""
    return status.get("phase") in ("Failed", "Succeeded")


def _status_of_ready(pod: Obj) -> Any:
    ready = ready_condition(pod)
    return ready.get("status") if ready is not None else None


def same_endpoint_facts(old: Obj, new: Obj) -> bool:
    """Whether two versions of a pod agree on all the endpoints controllers read of it but its
    labels: which pod it is (uid), whether it is going, its spec (ports, node, hostname), address,
    whether it is terminal (of its phase only that: Pending to Running changes no endpoint) and
    readiness."""
    omd, nmd = old.get("metadata") or {}, new.get("metadata") or {}
    if omd.get("deletionTimestamp") != nmd.get("deletionTimestamp") or omd.get("uid") != nmd.get("uid"):
        return False
    ospec, nspec = old.get("spec"), new.get("spec")
    if ospec is not nspec and ospec != nspec:
        return False
    ost, nst = old.get("status") or {}, new.get("status") or {}
    if ost is nst:
        return True
    if ost.get("podIP") != nst.get("podIP"):
        return False
    if ost.get("phase") != nst.get("phase") and is_terminal(ost) != is_terminal(nst):
        return False
    oips, nips = ost.get("podIPs"), nst.get("podIPs")
    if oips is not nips and oips != nips:
        return False
    return bool(_status_of_ready(old) == _status_of_ready(new))


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

    def __init__(self, svc: Obj, pod: Obj, ip: str, shared: dict[tuple, tuple[list[Obj], list[Obj]]],
                 prev: Member | None = None) -> None:
        # ``ip``: the pod's address, never empty here (endpointutil.ShouldPodBeInEndpoints
        # checks it first). ``shared``: the Service's port lists by what they hold, so the
        # members whose ports resolve alike (all of them, mostly) hold the same lists.
        # ``prev``: this pod key's member from an earlier version, whose sort key is reused
        # when the address and uid are the same (``_ip_key``'s cache holds 65,536 addresses:
        # at 100k pods a pod's next version mostly finds its address gone from it).
        spec = svc.get("spec", {})
        publish = bool(spec.get("publishNotReadyAddresses"))
        md = pod.get("metadata", {})
        pod_spec = _dict(pod.get("spec"))
        status = _dict(pod.get("status"))
        self.pod = pod
        self.ip = ip
        terminating = bool(md.get("deletionTimestamp"))
        serving = _status_of_ready(pod) == "True"
        self.ready = publish or (serving and not terminating)
        running = not is_terminal(status)
        resolved = []
        for sp in spec.get("ports") or []:
            port = find_port(pod, sp)
            if port is not None:
                resolved.append((sp.get("name") or "", port, sp.get("protocol", "TCP")))
        self.port_key = port_key = tuple(resolved)
        lists = shared.get(port_key)
        if lists is None:
            lists = shared[port_key] = (
                [{"name": pname, "port": port, "protocol": proto} for pname, port, proto in port_key],
                [{"name": pname, "port": port, "protocol": proto} if pname else {"port": port, "protocol": proto}
                 for pname, port, proto in port_key])
        self.ports, self.ep_ports = lists
        ports = self.ports
        uid = md.get("uid", "")
        if prev is not None and prev.ip == ip and prev.sort_key[1] == uid:
            self.sort_key = prev.sort_key
        else:
            self.sort_key = (_ip_key(ip), uid)
        hostname = pod_spec.get("hostname")
        if not (hostname and pod_spec.get("subdomain") == svc.get("metadata", {}).get("name", "")):
            hostname = None
        node = pod_spec.get("nodeName")
        target_ref = {"kind": "Pod", "namespace": md.get("namespace", "") or "", "name": md.get("name", ""),
                      "uid": uid}
        address: Obj | None = None
        if running and (publish or not terminating):  # ShouldPodBeInEndpoints(pod, publish)
            address = {"ip": ip}
            if hostname:
                address["hostname"] = hostname
            if node:
                address["nodeName"] = node
            address["targetRef"] = target_ref
        endpoint: Obj | None = None
        if running and (ports or spec.get("clusterIP") == "None"):  # ShouldPodBeInEndpoints(pod, true)
            endpoint = {"addresses": [ip], "conditions": _conditions(self.ready, serving, terminating)}
            if hostname:
                endpoint["hostname"] = hostname
            if node:
                endpoint["nodeName"] = node
            endpoint["targetRef"] = target_ref
        self.address = address
        self.slice_endpoint = endpoint


@functools.lru_cache(maxsize=8)
def _conditions(ready: bool, serving: bool, terminating: bool) -> Obj:
    """An EndpointSlice endpoint's conditions: one dict for each of the eight (never changed)."""
    return {"ready": ready, "serving": serving, "terminating": terminating}


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


class ServiceMembers:
    """One Service version's members by pod (namespace, name), and what it derives from its own
    object alone (its selector pairs and its objects' labels)."""

    __slots__ = ("by_pod", "labels", "pairs", "ports", "slice_labels", "svc")

    def __init__(self, svc: Obj, pairs: Any, labels: dict[str, str], slice_labels: dict[str, str]) -> None:
        self.svc = svc
        self.pairs = pairs
        self.labels = labels
        self.slice_labels = slice_labels
        self.by_pod: dict[Key, Member] = {}
        self.ports: dict[tuple, tuple[list[Obj], list[Obj]]] = {}  # its members' port lists (Member)

    def members(self, keys: Iterable[Key], pods: Mapping[Key, Obj]) -> list[Member]:
        """The members for the pods of ``keys`` (those stored in ``pods`` with an IP), in the
        controllers' order (by IP, then uid); members of pods that are no longer among them are
        forgotten."""
        old = self.by_pod
        new: dict[Key, Member] = {}
        svc = self.svc
        for key in keys:
            pod = pods.get(key)
            if pod is None:
                continue
            m = old.get(key)
            if m is None or m.pod is not pod:
                if m is not None and same_endpoint_facts(m.pod, pod):
                    m.pod = pod  # a version that changes nothing it shows (a container's state)
                else:
                    ip = pod_ip(pod)
                    if not ip:
                        continue
                    m = Member(svc, pod, ip, self.ports, m)
            new[key] = m
        self.by_pod = new
        out = list(new.values())
        out.sort(key=_SORT_KEY)
        return out


_SORT_KEY = operator.attrgetter("sort_key")
