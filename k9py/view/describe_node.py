"""``kubectl describe node``: conditions, capacity, system info, non-terminated pods, allocated resources."""

from __future__ import annotations

from k9py.kube.meta import dig
from k9py.view.describe_common import (
    Obj,
    Quantity,
    Related,
    annotations_multiline,
    describe_events,
    fetch,
    labels_multiline,
    pod_resources,
    resource_list,
    sum_resources,
    taints_multiline,
)
from k9py.view.describe_text import LEVEL_0, LEVEL_1, Writer, go_bool, rfc1123z, since
from k9py.view.printers_format import quantity_string

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
STANDARD_CONTAINER_RESOURCES = {"cpu", "memory", "ephemeral-storage"}


def node_roles(node: Obj) -> list[str]:
    roles = set()
    for k, v in (dig(node, "metadata", "labels") or {}).items():
        if k.startswith(NODE_ROLE_PREFIX):
            role = k[len(NODE_ROLE_PREFIX):]
            if role:
                roles.add(role)
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    return sorted(roles)


def describe_node(node: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = md.get("name", "")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{name}\n")
    w.write(LEVEL_0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(LEVEL_0, f"Unschedulable:\t{go_bool(spec.get('unschedulable'))}\n")
    leases = fetch(related, "Lease", "kube-node-lease")
    if leases is not None:
        lease = next((x for x in leases if dig(x, "metadata", "name") == name), None)
        if lease is None:
            w.write(LEVEL_0, f'Lease:\tFailed to get lease: leases.coordination.k8s.io "{name}" not found\n')
        else:
            ls = lease.get("spec") or {}
            w.write(LEVEL_0, "Lease:\n")
            w.write(LEVEL_1, f"HolderIdentity:\t{ls.get('holderIdentity') or '<unset>'}\n")
            w.write(LEVEL_1, f"AcquireTime:\t{rfc1123z(ls['acquireTime']) if ls.get('acquireTime') else '<unset>'}\n")
            w.write(LEVEL_1, f"RenewTime:\t{rfc1123z(ls['renewTime']) if ls.get('renewTime') else '<unset>'}\n")
    conds = status.get("conditions") or []
    if conds:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(LEVEL_1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                             f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(LEVEL_0, "Addresses:\n")
    for a in status.get("addresses") or []:
        w.write(LEVEL_1, f"{a.get('type', '')}:\t{a.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        res = status.get(key) or {}
        if res:
            w.write(LEVEL_0, f"{title}:\n")
            for r in sorted(res):
                w.write(LEVEL_0, f"  {r}:\t{quantity_string(res[r])}\n")
    info = status.get("nodeInfo") or {}
    w.write(LEVEL_0, "System Info:\n")
    for title, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"), ("Kubelet Version", "kubeletVersion")):
        w.write(LEVEL_0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(LEVEL_0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(LEVEL_0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(LEVEL_0, f"ProviderID:\t{spec['providerID']}\n")
    all_pods = fetch(related, "Pod", "")
    if all_pods is not None:
        pods = [p for p in all_pods
                if dig(p, "spec", "nodeName") == name and dig(p, "status", "phase") not in ("Succeeded", "Failed")]
        pods.sort(key=lambda p: (dig(p, "metadata", "namespace") or "", dig(p, "metadata", "name") or ""))
        _node_resources(w, node, pods, now)
    else:
        w.write(LEVEL_0, "Pods:\tnot authorized\n")
    describe_events(w, events, now)
    return w.text()


def _pct(part: int, whole: int) -> int:
    """``int64(float64(part) / float64(whole) * 100)`` (Go truncates toward zero)."""
    if whole == 0:
        return 0
    return int(float(part) / float(whole) * 100)


def _node_resources(w: Writer, node: Obj, pods: list[Obj], now: float) -> None:
    w.write(LEVEL_0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(LEVEL_1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(LEVEL_1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    alloc = resource_list(dig(node, "status", "allocatable") or dig(node, "status", "capacity"))
    zero = Quantity()
    a_cpu, a_mem = alloc.get("cpu", zero).milli(), alloc.get("memory", zero).whole()
    for p in pods:
        req, lim = pod_resources(p, "requests"), pod_resources(p, "limits")
        cr, cl = req.get("cpu", zero), lim.get("cpu", zero)
        mr, ml = req.get("memory", zero), lim.get("memory", zero)
        w.write(LEVEL_1, f"{dig(p, 'metadata', 'namespace') or ''}\t{dig(p, 'metadata', 'name') or ''}\t\t"
                         f"{cr} ({_pct(cr.milli(), a_cpu)}%)\t{cl} ({_pct(cl.milli(), a_cpu)}%)\t"
                         f"{mr} ({_pct(mr.whole(), a_mem)}%)\t{ml} ({_pct(ml.whole(), a_mem)}%)\t"
                         f"{since(dig(p, 'metadata', 'creationTimestamp'), now)}\n")
    w.write(LEVEL_0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n")
    w.write(LEVEL_1, "--------\t--------\t------\n")
    reqs, lims = sum_resources(pods, "requests"), sum_resources(pods, "limits")
    a_eph = alloc.get("ephemeral-storage", zero).whole()
    for name, whole, milli in (("cpu", a_cpu, True), ("memory", a_mem, False), ("ephemeral-storage", a_eph, False)):
        r, limit = reqs.get(name, zero), lims.get(name, zero)
        rv, lv = (r.milli(), limit.milli()) if milli else (r.whole(), limit.whole())
        w.write(LEVEL_1, f"{name}\t{r} ({_pct(rv, whole)}%)\t{limit} ({_pct(lv, whole)}%)\n")
    huge = sorted(k for k in alloc if k.startswith("hugepages-"))
    ext = sorted(k for k in alloc if not k.startswith("hugepages-") and k not in STANDARD_CONTAINER_RESOURCES
                 and k != "pods" and not _is_standard(k))
    for name in huge:
        r, limit, a = reqs.get(name, zero), lims.get(name, zero), alloc[name].whole()
        w.write(LEVEL_1, f"{name}\t{r} ({_pct(r.whole(), a)}%)\t{limit} ({_pct(limit.whole(), a)}%)\n")
    for name in ext:
        w.write(LEVEL_1, f"{name}\t{reqs.get(name, zero)}\t{lims.get(name, zero)}\n")


def _is_standard(name: str) -> bool:
    """``IsStandardContainerResourceName``: cpu, memory, ephemeral-storage and hugepages-*."""
    return name in STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-")
