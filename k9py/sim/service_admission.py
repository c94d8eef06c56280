"""Service admission: the apiserver's defaulting, validation and IP / node-port allocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import invalid
from k9py.sim import ipam
from k9py.sim.admission import admits

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
PROTOCOLS = ("SCTP", "TCP", "UDP")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def needs_cluster_ip(spec: Obj) -> bool:
    return spec.get("type", "ClusterIP") != "ExternalName" and spec.get("clusterIP") != "None"


def needs_node_ports(spec: Obj) -> bool:
    t = spec.get("type", "ClusterIP")
    if t == "NodePort":
        return True
    return t == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True) is not False


def _go_strings(values: list[str]) -> str:
    return "[]string{" + ", ".join(f'"{v}"' for v in values) + "}"


@admits("Service")
def admit_service(cluster: Cluster, svc: Obj, old: Obj | None) -> None:
    name = meta.name(svc)
    spec = svc.setdefault("spec", {})
    if not isinstance(spec, dict):
        raise invalid("Service", name, [("spec", "Invalid value: must be an object")])
    _default(spec)
    if old is not None:
        _drop_type_dependent_fields(spec, old.get("spec", {}))
    _validate(name, spec)
    if old is not None:
        _keep_allocations(spec, old.get("spec", {}))
    _allocate(cluster, svc, old)
    svc.setdefault("status", {}).setdefault("loadBalancer", {})


def _default(spec: Obj) -> None:
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    t = spec["type"]
    if t != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if t in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if t == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    ports = spec.get("ports")
    if isinstance(ports, list):
        for p in ports:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                if "port" in p and p.get("targetPort") in (None, "", 0):
                    p["targetPort"] = p["port"]


def _validate(name: str, spec: Obj) -> None:
    causes: list[tuple[str, str]] = []
    t = spec.get("type")
    if t not in TYPES:
        causes.append(("spec.type", f'Unsupported value: "{t}": supported values: {_quoted(TYPES)}'))
    ports = spec.get("ports") or []
    if not isinstance(ports, list):
        raise invalid("Service", name, [("spec.ports", "Invalid value: must be a list")])
    headless = spec.get("clusterIP") == "None"
    if not ports and t != "ExternalName" and not headless:
        causes.append(("spec.ports", "Required value"))
    if t == "ExternalName" and not spec.get("externalName"):
        causes.append(("spec.externalName", "Required value"))
    sel = spec.get("selector")
    if sel is not None and (not isinstance(sel, dict) or not all(isinstance(v, str) for v in sel.values())):
        causes.append(("spec.selector", "Invalid value: must be a map of string keys and values"))
    for key in ("clusterIP", "externalName", "sessionAffinity", "internalTrafficPolicy", "externalTrafficPolicy"):
        if key in spec and spec[key] is not None and not isinstance(spec[key], str):
            causes.append((f"spec.{key}", f"Invalid value: {spec[key]!r}: must be a string"))
    seen_names: set[str] = set()
    for i, p in enumerate(ports):
        path = f"spec.ports[{i}]"
        if not isinstance(p, dict):
            causes.append((path, "Invalid value: must be an object"))
            continue
        pname = p.get("name") or ""
        if len(ports) > 1 and not pname:
            causes.append((f"{path}.name", "Required value"))
        elif pname and pname in seen_names:
            causes.append((f"{path}.name", f'Duplicate value: "{pname}"'))
        seen_names.add(pname)
        port = p.get("port")
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            causes.append((f"{path}.port", f"Invalid value: {port}: must be between 1 and 65535, inclusive"))
        proto = p.get("protocol")
        if proto not in PROTOCOLS:
            causes.append((f"{path}.protocol", f'Unsupported value: "{proto}": supported values: {_quoted(PROTOCOLS)}'))
        tp = p.get("targetPort")
        if isinstance(tp, int) and not isinstance(tp, bool) and not 1 <= tp <= 65535:
            causes.append((f"{path}.targetPort", f"Invalid value: {tp}: must be between 1 and 65535, inclusive"))
        np = p.get("nodePort")
        if np is not None and (not isinstance(np, int) or isinstance(np, bool)):
            causes.append((f"{path}.nodePort", f"Invalid value: {np!r}: must be an integer"))
        elif p.get("nodePort") and t in ("ClusterIP", "ExternalName"):
            causes.append((f"{path}.nodePort", f"Forbidden: may not be used when `type` is '{t}'"))
    if causes:
        raise invalid("Service", name, causes)


def _drop_type_dependent_fields(spec: Obj, old_spec: Obj) -> None:
    """The registry's dropTypeDependentFields: switching to a type that does not need the
    allocated node ports / cluster IPs clears them, when the user left them as they were."""
    if needs_node_ports(old_spec) and not needs_node_ports(spec):
        old_ports = [p.get("nodePort") for p in old_spec.get("ports") or []]
        new_ports = [p.get("nodePort") for p in spec.get("ports") or []]
        if all(n in (None, 0, o) for n, o in zip(new_ports, old_ports + [None] * len(new_ports), strict=False)):
            for p in spec.get("ports") or []:
                p.pop("nodePort", None)
    if (needs_cluster_ip(old_spec) and spec.get("type") == "ExternalName"
            and spec.get("clusterIP") in (None, "", old_spec.get("clusterIP"))):
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"):
            spec.pop(key, None)
    if (old_spec.get("type") in ("NodePort", "LoadBalancer") and spec.get("type") not in ("NodePort", "LoadBalancer")
            and spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy")):
        spec.pop("externalTrafficPolicy", None)
    if old_spec.get("type") == "LoadBalancer" and spec.get("type") != "LoadBalancer":
        spec.pop("allocateLoadBalancerNodePorts", None)


def _keep_allocations(spec: Obj, old_spec: Obj) -> None:
    """Like the registry's patchAllocatedValues: an update that omits clusterIP / nodePorts keeps
    the allocated ones (so re-applying a manifest does not reallocate)."""
    if needs_cluster_ip(old_spec) and needs_cluster_ip(spec):
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
            spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_spec["clusterIP"]])
        for key in ("ipFamilies", "ipFamilyPolicy"):
            if key not in spec and key in old_spec:
                spec[key] = meta.deep_copy(old_spec[key])
    if needs_node_ports(old_spec) and needs_node_ports(spec):
        by_name = {p.get("name") or "": p.get("nodePort") for p in old_spec.get("ports") or []}
        used = {p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")}
        for p in spec.get("ports") or []:
            if not p.get("nodePort"):
                old_np = by_name.get(p.get("name") or "")
                if old_np and old_np not in used:
                    p["nodePort"] = old_np
                    used.add(old_np)


def _allocate(cluster: Cluster, svc: Obj, old: Obj | None) -> None:
    spec = svc["spec"]
    name = meta.name(svc)
    holder = f"{meta.namespace(svc) or 'default'}/{name}"
    old_spec = (old or {}).get("spec", {})
    if spec["type"] == "ExternalName":
        if spec.get("clusterIP") and spec.get("clusterIP") != "None":
            raise invalid("Service", name, [("spec.clusterIP", "Invalid value: must be empty for ExternalName services")])
        spec.pop("clusterIPs", None)
    else:
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        requested = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
        if old_spec.get("clusterIP") and old_spec.get("clusterIP") != "None" and requested and requested != old_spec["clusterIP"]:
            raise invalid("Service", name, [("spec.clusterIPs[0]", f'Invalid value: {_go_strings([requested])}: may not change once set')])
        if requested == "None":
            spec["clusterIP"] = "None"
            spec["clusterIPs"] = ["None"]
        else:
            try:
                ip = ipam.allocate_ip(cluster, holder, requested)
            except ipam.AllocationError as e:
                raise invalid("Service", name, [("spec.clusterIPs", f"Invalid value: {_go_strings([requested or ''])}: {e}")]) from None
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
    if needs_node_ports(spec):
        for i, p in enumerate(spec.get("ports") or []):
            try:
                p["nodePort"] = ipam.allocate_port(cluster, holder, p.get("nodePort") or None)
            except ipam.AllocationError as e:
                raise invalid("Service", name, [(f"spec.ports[{i}].nodePort", f"Invalid value: {p.get('nodePort')}: {e}")]) from None
    else:
        for p in spec.get("ports") or []:
            p.pop("nodePort", None)
