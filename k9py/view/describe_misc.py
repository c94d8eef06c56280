"""``kubectl describe`` for services, endpoints, namespaces, storage, config and the generic fallback."""

from __future__ import annotations

import base64
import re
from decimal import Decimal
from typing import Any

from k9py.kube.meta import dig
from k9py.view.describe_common import (
    Obj,
    Quantity,
    Related,
    annotations_multiline,
    describe_events,
    fetch,
    format_labels,
    labels_multiline,
)
from k9py.view.describe_pod import pvc_class, volume_source
from k9py.view.describe_text import LEVEL_0, LEVEL_1, LEVEL_2, Writer, go_bool, go_list, print_bool_ptr, rfc1123z, since
from k9py.view.printers_format import access_modes, quantity_string

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _head(w: Writer, obj: Obj) -> None:
    md = obj.get("metadata") or {}
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))


# -- Service / Endpoints / EndpointSlice / Ingress -----------------------------------------------

def _slices_for(service: str, namespace: str, related: Related | None) -> list[Obj]:
    return [s for s in fetch(related, "EndpointSlice", namespace) or [] if (dig(s, "metadata", "labels") or {}).get(SERVICE_NAME_LABEL) == service]


def format_endpoint_slices(slices: list[Obj], ports: set[str] | None) -> str:
    """``formatEndpointSlices``: up to 3 ready ``ip:port`` then ``+ N more...``."""
    if not slices:
        return "<none>"
    out: list[str] = []
    limit, more, count = 3, False, 0
    for s in slices:
        endpoints = s.get("endpoints") or []
        if not s.get("ports"):
            for ep in endpoints:
                if len(out) == limit:
                    more = True
                if dig(ep, "conditions", "ready") is False:
                    continue
                if not more:
                    out.append((ep.get("addresses") or [""])[0])
                count += 1
            continue
        for port in s.get("ports") or []:
            if ports is not None and (port.get("name") or "") not in ports:
                continue
            for ep in endpoints:
                if len(out) == limit:
                    more = True
                if dig(ep, "conditions", "ready") is False:
                    continue
                if not more:
                    addr = (ep.get("addresses") or [""])[0]
                    host = f"[{addr}]" if ":" in addr else addr
                    out.append(f"{host}:{int(port.get('port') or 0)}")
                count += 1
    ret = ",".join(out)
    return f"{ret} + {count - limit} more..." if more else ret


def describe_service(svc: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = svc.get("metadata") or {}, svc.get("spec") or {}, svc.get("status") or {}
    slices = _slices_for(md.get("name", ""), md.get("namespace", ""), related)
    w = Writer()
    _head(w, svc)
    w.write(LEVEL_0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(LEVEL_0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(LEVEL_0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(LEVEL_0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(LEVEL_0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(LEVEL_0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(LEVEL_0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(LEVEL_0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(LEVEL_0, f"External Name:\t{spec['externalName']}\n")
    ingress = dig(status, "loadBalancer", "ingress") or []
    if ingress:
        parts = []
        for i in ingress:
            if i.get("ip"):
                parts.append(i["ip"] + (f" ({i['ipMode']})" if i.get("ipMode") else ""))
            else:
                parts.append(i.get("hostname", ""))
        w.write(LEVEL_0, f"LoadBalancer Ingress:\t{', '.join(parts)}\n")
    for sp in spec.get("ports") or []:
        name = sp.get("name") or "<unset>"
        proto = sp.get("protocol", "")
        w.write(LEVEL_0, f"Port:\t{name}\t{int(sp.get('port') or 0)}/{proto}\n")
        tp = sp.get("targetPort", 0)
        w.write(LEVEL_0, f"TargetPort:\t{tp if isinstance(tp, str) else int(tp or 0)}/{proto}\n")
        if sp.get("appProtocol") is not None:
            w.write(LEVEL_0, f"AppProtocol:\t{sp['appProtocol']}\n")
        if sp.get("nodePort"):
            w.write(LEVEL_0, f"NodePort:\t{name}\t{int(sp['nodePort'])}/{proto}\n")
        w.write(LEVEL_0, f"Endpoints:\t{format_endpoint_slices(slices, {sp.get('name') or ''})}\n")
    w.write(LEVEL_0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(LEVEL_0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(LEVEL_0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(LEVEL_0, f"HealthCheck NodePort:\t{int(spec['healthCheckNodePort'])}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(LEVEL_0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("trafficDistribution") is not None:
        w.write(LEVEL_0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    describe_events(w, events, now)
    return w.text()


def describe_endpoints(ep: Obj, events: list[Obj] | None, now: float) -> str:
    w = Writer()
    _head(w, ep)
    w.write(LEVEL_0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        addrs = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        w.write(LEVEL_1, f"Addresses:\t{addrs or '<none>'}\n")
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(LEVEL_1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(LEVEL_1, "Ports:\n")
            w.write(LEVEL_2, "Name\tPort\tProtocol\n")
            w.write(LEVEL_2, "----\t----\t--------\n")
            for p in subset["ports"]:
                w.write(LEVEL_2, f"{p.get('name') or '<unset>'}\t{int(p.get('port') or 0)}\t{p.get('protocol', '')}\n")
        w.write(LEVEL_0, "\n")
    describe_events(w, events, now)
    return w.text()


def describe_endpointslice(eps: Obj, events: list[Obj] | None, now: float) -> str:
    w = Writer()
    _head(w, eps)
    w.write(LEVEL_0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(LEVEL_0, "Ports: <unset>\n")
    else:
        w.write(LEVEL_0, "Ports:\n")
        w.write(LEVEL_1, "Name\tPort\tProtocol\n")
        w.write(LEVEL_1, "----\t----\t--------\n")
        for p in ports:
            num = str(int(p["port"])) if p.get("port") is not None else "<unset>"
            w.write(LEVEL_1, f"{p.get('name') or '<unset>'}\t{num}\t{p.get('protocol', '')}\n")
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(LEVEL_0, "Endpoints: <none>\n")
    else:
        w.write(LEVEL_0, "Endpoints:\n")
        for e in endpoints:
            w.write(LEVEL_1, f"- Addresses:\t{', '.join(e.get('addresses') or []) or '<none>'}\n")
            w.write(LEVEL_2, "Conditions:\n")
            ready = dig(e, "conditions", "ready")
            w.write(LEVEL_2 + 1, f"Ready:\t{'<unset>' if ready is None else go_bool(ready)}\n")
            w.write(LEVEL_2, f"Hostname:\t{e.get('hostname') if e.get('hostname') is not None else '<unset>'}\n")
            if e.get("targetRef") is not None:
                w.write(LEVEL_2, f"TargetRef:\t{e['targetRef'].get('kind', '')}/{e['targetRef'].get('name', '')}\n")
            w.write(LEVEL_2, f"NodeName:\t{e.get('nodeName') if e.get('nodeName') is not None else '<unset>'}\n")
            w.write(LEVEL_2, f"Zone:\t{e.get('zone') if e.get('zone') is not None else '<unset>'}\n")
    describe_events(w, events, now)
    return w.text()


def _ingress_backend(ns: str, backend: Obj, related: Related | None) -> str:
    svc_ref = backend.get("service")
    if svc_ref is not None:
        port = svc_ref.get("port") or {}
        sb = f"{svc_ref.get('name', '')}:{port.get('number') or port.get('name', '')}"
        services = fetch(related, "Service", ns) or []
        svc = next((s for s in services if dig(s, "metadata", "name") == svc_ref.get("name")), None)
        if svc is None:
            return f'{sb} (<error: services "{svc_ref.get("name", "")}" not found>)'
        sp_name = ""
        for sp in dig(svc, "spec", "ports") or []:
            number, port_name = port.get("number"), port.get("name")
            if (number and number == sp.get("port")) or (port_name and port_name == sp.get("name")):
                sp_name = sp.get("name") or ""
        return f"{sb} ({format_endpoint_slices(_slices_for(svc_ref.get('name', ''), ns, related), {sp_name})})"
    res = backend.get("resource")
    if res is not None:
        group = res.get("apiGroup") if res.get("apiGroup") is not None else "<none>"
        return f"APIGroup: {group}, Kind: {res.get('kind', '')}, Name: {res.get('name', '')}"
    return ""


def describe_ingress(ing: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec = ing.get("metadata") or {}, ing.get("spec") or {}
    ns = md.get("namespace", "")
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    w.write(LEVEL_0, f"Namespace:\t{ns}\n")
    lb = sorted({i.get("ip") or i.get("hostname") for i in dig(ing, "status", "loadBalancer", "ingress") or []
                 if i.get("ip") or i.get("hostname")})
    w.write(LEVEL_0, f"Address:\t{','.join(lb)}\n")
    w.write(LEVEL_0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = "<default>"
    if spec.get("defaultBackend") is not None:
        default = _ingress_backend(ns, spec["defaultBackend"], related)
    w.write(LEVEL_0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(LEVEL_0, "TLS:\n")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or [])
            if not t.get("secretName"):
                w.write(LEVEL_1, f"SNI routes {hosts}\n")
            else:
                w.write(LEVEL_1, f"{t['secretName']} terminates {hosts}\n")
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(LEVEL_1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(LEVEL_1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            w.write(LEVEL_2, f"\t{path.get('path', '')} \t{_ingress_backend(ns, path.get('backend') or {}, related)}\n")
    if count == 0:
        w.write(LEVEL_1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", md.get("annotations"))
    describe_events(w, events, now)
    return w.text()


# -- Namespace, quotas, limit ranges ---------------------------------------------------------------

QUOTA_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
}


def describe_namespace(ns: Obj, now: float, related: Related | None) -> str:
    md = ns.get("metadata") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Status:\t{dig(ns, 'status', 'phase') or ''}\n")
    conds = dig(ns, "status", "conditions") or []
    if conds:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(LEVEL_1, f"{c.get('type', '')}\t{c.get('status', '')}\t{rfc1123z(c.get('lastTransitionTime'))}\t"
                             f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    quotas = fetch(related, "ResourceQuota", md.get("name", ""))
    if quotas is not None:
        w.write(LEVEL_0, "\n")
        _quotas(w, sorted(quotas, key=lambda q: dig(q, "metadata", "name") or ""))
    limit_ranges = fetch(related, "LimitRange", md.get("name", ""))
    if limit_ranges is not None:
        w.write(LEVEL_0, "\n")
        _limit_ranges(w, limit_ranges)
    return w.text()


def _quotas(w: Writer, quotas: list[Obj]) -> None:
    if not quotas:
        w.write(LEVEL_0, "No resource quota.\n")
        return
    w.write(LEVEL_0, "Resource Quotas\n")
    for rq in quotas:
        w.write(LEVEL_1, f"Name:\t{dig(rq, 'metadata', 'name') or ''}\n")
        scopes = sorted(dig(rq, "spec", "scopes") or [])
        if scopes:
            w.write(LEVEL_1, f"Scopes:\t{', '.join(scopes)}\n")
            for s in scopes:
                if QUOTA_SCOPE_HELP.get(s):
                    w.write(LEVEL_1, f"* {QUOTA_SCOPE_HELP[s]}\n")
        w.write(LEVEL_1, "Resource\tUsed\tHard\n")
        w.write(LEVEL_1, "--------\t---\t---\n")
        hard, used = dig(rq, "status", "hard") or {}, dig(rq, "status", "used") or {}
        for r in sorted(hard):
            w.write(LEVEL_1, f"{r}\t{quantity_string(used.get(r))}\t{quantity_string(hard[r])}\n")


def _limit_ranges(w: Writer, items: list[Obj], prefix: str = " ") -> None:
    if not items:
        w.write(LEVEL_0, "No LimitRange resource.\n")
        return
    w.write(LEVEL_0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
    w.write(LEVEL_0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    for lr in items:
        _limit_range_spec(w, lr.get("spec") or {}, prefix)


def _limit_range_spec(w: Writer, spec: Obj, prefix: str) -> None:
    for item in spec.get("limits") or []:
        maps = [item.get(k) or {} for k in ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")]
        names: list[str] = []
        for m in (item.get("max") or {}, item.get("min") or {}, item.get("default") or {},
                  item.get("defaultRequest") or {}, item.get("maxLimitRequestRatio") or {}):
            names += [k for k in m if k not in names]
        for name in sorted(names):  # Go iterates a map here (random order); sorted keeps ours stable
            vals = [quantity_string(m[name]) if name in m else "-" for m in maps]
            w.write(LEVEL_0, f"{prefix}{item.get('type', '')}\t{name}\t" + "\t".join(vals) + "\n")


def describe_limitrange(lr: Obj) -> str:
    md = lr.get("metadata") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(LEVEL_0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
    w.write(LEVEL_0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    _limit_range_spec(w, lr.get("spec") or {}, "")
    return w.text()


def describe_resourcequota(rq: Obj) -> str:
    md = rq.get("metadata") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")
    scopes = sorted(dig(rq, "spec", "scopes") or [])
    if scopes:
        w.write(LEVEL_0, f"Scopes:\t{', '.join(scopes)}\n")
        for s in scopes:
            if QUOTA_SCOPE_HELP.get(s):
                w.write(LEVEL_0, f" * {QUOTA_SCOPE_HELP[s]}\n")
    w.write(LEVEL_0, "Resource\tUsed\tHard\n")
    w.write(LEVEL_0, "--------\t----\t----\n")
    hard, used = dig(rq, "status", "hard") or {}, dig(rq, "status", "used") or {}
    for r in sorted(hard):
        h = Quantity.of(hard[r])
        u = Quantity.of(used[r]) if r in used else Quantity()
        if u.fmt != h.fmt:  # kubectl re-expresses Used in Hard's format
            u = Quantity(Decimal(u.whole()), h.fmt)
        w.write(LEVEL_0, f"{r}\t{u}\t{quantity_string(hard[r])}\n")
    return w.text()


# -- storage ---------------------------------------------------------------------------------------

def pv_class(pv: Obj) -> str:
    ann = dig(pv, "metadata", "annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return str(ann["volume.beta.kubernetes.io/storage-class"])
    return str(dig(pv, "spec", "storageClassName") or "")


def describe_pv(pv: Obj, events: list[Obj] | None, now: float) -> str:
    md, spec, status = pv.get("metadata") or {}, pv.get("spec") or {}, pv.get("status") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Finalizers:\t{go_list(md.get('finalizers'))}\n")
    w.write(LEVEL_0, f"StorageClass:\t{pv_class(pv)}\n")
    if md.get("deletionTimestamp"):
        w.write(LEVEL_0, f"Status:\tTerminating (lasts {since(md['deletionTimestamp'], now)})\n")
    else:
        w.write(LEVEL_0, f"Status:\t{status.get('phase', '')}\n")
    ref = spec.get("claimRef")
    w.write(LEVEL_0, f"Claim:\t{ref.get('namespace', '') + '/' + ref.get('name', '') if ref else ''}\n")
    w.write(LEVEL_0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(LEVEL_0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode") is not None:
        w.write(LEVEL_0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(LEVEL_0, f"Capacity:\t{quantity_string((spec.get('capacity') or {}).get('storage'))}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(LEVEL_0, f"Message:\t{status.get('message', '')}\n")
    w.write(LEVEL_0, "Source:\n")
    _pv_source(w, spec)
    describe_events(w, events, now)
    return w.text()


def _node_affinity(w: Writer, aff: Obj | None) -> None:
    w.write(LEVEL_0, "Node Affinity:\t")
    if not aff or aff.get("required") is None:
        w.line("<none>")
        return
    w.line("")
    w.write(LEVEL_1, "Required Terms:\t")
    terms = aff["required"].get("nodeSelectorTerms") or []
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        w.write(LEVEL_2, f"Term {i}:\t")
        reqs = term.get("matchExpressions") or []
        if not reqs:
            w.line("<none>")
            continue
        for j, r in enumerate(reqs):
            if j:
                w.write(LEVEL_2, "\t")
            s = f"{r.get('key', '')} {str(r.get('operator', '')).lower()}"
            if r.get("values"):
                s += f" [{', '.join(r['values'])}]"
            w.write(LEVEL_0, s + "\n")


def _pv_source(w: Writer, spec: Obj) -> None:
    if spec.get("local") is not None:
        w.write(LEVEL_2, f"Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
                         f"    Path:\t{spec['local'].get('path', '')}\n")
    elif spec.get("csi") is not None:
        s = spec["csi"]
        w.write(LEVEL_2, f"Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{s.get('driver', '')}\n"
                         f"    FSType:\t{s.get('fsType', '')}\n    VolumeHandle:\t{s.get('volumeHandle', '')}\n"
                         f"    ReadOnly:\t{go_bool(s.get('readOnly'))}\n")
        from k9py.view.describe_pod import csi_attributes
        csi_attributes(w, s.get("volumeAttributes"))
    elif any(spec.get(k) is not None for k in ("hostPath", "nfs")):
        volume_source(w, spec)
    else:
        w.write(LEVEL_1, "<unknown>\n")


def pods_using_claim(pvc: Obj, related: Related | None) -> list[Obj]:
    """``getPodsForPVC``: pods mounting the claim, then pods owning it."""
    md = pvc.get("metadata") or {}
    pods = fetch(related, "Pod", md.get("namespace", "")) or []
    out = [p for p in pods for v in dig(p, "spec", "volumes") or []
           if dig(v, "persistentVolumeClaim", "claimName") == md.get("name")]
    for ref in md.get("ownerReferences") or []:
        if ref.get("kind") != "Pod":
            continue
        owner = next((p for p in pods if dig(p, "metadata", "uid") == ref.get("uid")), None)
        if owner is not None and all(dig(p, "metadata", "uid") != ref.get("uid") for p in out):
            out.append(owner)
    return out


def describe_pvc(pvc: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = pvc.get("metadata") or {}, pvc.get("spec") or {}, pvc.get("status") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(LEVEL_0, f"StorageClass:\t{pvc_class(pvc)}\n")
    if md.get("deletionTimestamp"):
        w.write(LEVEL_0, f"Status:\tTerminating (lasts {since(md['deletionTimestamp'], now)})\n")
    else:
        w.write(LEVEL_0, f"Status:\t{status.get('phase', '')}\n")
    w.write(LEVEL_0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Finalizers:\t{go_list(md.get('finalizers'))}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = quantity_string((status.get("capacity") or {}).get("storage"))
    w.write(LEVEL_0, f"Capacity:\t{capacity}\n")
    w.write(LEVEL_0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode") is not None:
        w.write(LEVEL_0, f"VolumeMode:\t{spec['volumeMode']}\n")
    ds = spec.get("dataSource")
    if ds is not None:
        w.write(LEVEL_0, "DataSource:\n")
        if ds.get("apiGroup") is not None:
            w.write(LEVEL_1, f"APIGroup:\t{ds['apiGroup']}\n")
        w.write(LEVEL_1, f"Kind:\t{ds.get('kind', '')}\n")
        w.write(LEVEL_1, f"Name:\t{ds.get('name', '')}\n")
    pods = sorted(pods_using_claim(pvc, related), key=lambda p: dig(p, "metadata", "name") or "")
    w.write(LEVEL_0, "Used By:\t")
    if not pods:
        w.line("<none>")
    for i, p in enumerate(pods):
        if i:
            w.write(LEVEL_0, "\t")
        w.write(LEVEL_0, f"{dig(p, 'metadata', 'name')}\n")
    conds = status.get("conditions") or []
    if conds:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(LEVEL_1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastProbeTime'))} \t"
                             f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    describe_events(w, events, now)
    return w.text()


def describe_storageclass(sc: Obj, events: list[Obj] | None, now: float) -> str:
    md = sc.get("metadata") or {}
    ann = md.get("annotations") or {}
    default = "Yes" if (ann.get("storageclass.kubernetes.io/is-default-class") == "true"
                        or ann.get("storageclass.beta.kubernetes.io/is-default-class") == "true") else "No"
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"IsDefaultClass:\t{default}\n")
    w.write(LEVEL_0, f"Annotations:\t{format_labels(ann)}\n")
    w.write(LEVEL_0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(LEVEL_0, f"Parameters:\t{format_labels(sc.get('parameters'))}\n")
    w.write(LEVEL_0, f"AllowVolumeExpansion:\t{print_bool_ptr(sc.get('allowVolumeExpansion'))}\n")
    if not sc.get("mountOptions"):
        w.write(LEVEL_0, "MountOptions:\t<none>\n")
    else:
        w.write(LEVEL_0, "MountOptions:\n")
        for o in sc["mountOptions"]:
            w.write(LEVEL_1, f"{o}\n")
    if sc.get("reclaimPolicy") is not None:
        w.write(LEVEL_0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode") is not None:
        w.write(LEVEL_0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    if sc.get("allowedTopologies") is not None:
        w.write(LEVEL_0, "AllowedTopologies:\t")
        if not sc["allowedTopologies"]:
            w.line("<none>")
        else:
            w.line("")
            for i, term in enumerate(sc["allowedTopologies"]):
                w.write(LEVEL_1, f"Term {i}:\t")
                reqs = term.get("matchLabelExpressions") or []
                if not reqs:
                    w.line("<none>")
                for j, r in enumerate(reqs):
                    if j:
                        w.write(LEVEL_1, "\t")
                    s = f"{r.get('key', '')} in"
                    if r.get("values"):
                        s += f" [{', '.join(r['values'])}]"
                    w.write(LEVEL_0, s + "\n")
    describe_events(w, events, now)
    return w.text()


# -- ConfigMap / Secret / ServiceAccount -----------------------------------------------------------

def describe_configmap(cm: Obj, events: list[Obj] | None, now: float) -> str:
    w = Writer()
    _head(w, cm)
    w.write(LEVEL_0, "\nData\n====\n")
    data = cm.get("data") or {}
    for k in sorted(data):
        w.write(LEVEL_0, f"{k}:\n----\n")
        w.write(LEVEL_0, f"{data[k]}\n")
        w.write(LEVEL_0, "\n")
    w.write(LEVEL_0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for k in sorted(binary):
        w.write(LEVEL_0, f"{k}: {_b64len(binary[k])} bytes\n")
    w.write(LEVEL_0, "\n")
    describe_events(w, events, now)
    return w.text()


def _b64len(v: Any) -> int:
    try:
        return len(base64.b64decode(str(v), validate=False))
    except (ValueError, TypeError):
        return len(str(v))


def describe_secret(secret: Obj) -> str:
    """Sizes only, never values (except a service-account token, as kubectl)."""
    w = Writer()
    _head(w, secret)
    stype = secret.get("type", "")
    w.write(LEVEL_0, f"\nType:\t{stype}\n")
    w.write(LEVEL_0, "\nData\n====\n")
    data = secret.get("data") or {}
    for k in sorted(data):
        if k == "token" and stype == "kubernetes.io/service-account-token":
            w.write(LEVEL_0, f"{k}:\t{base64.b64decode(str(data[k])).decode(errors='replace')}\n")
        else:
            w.write(LEVEL_0, f"{k}:\t{_b64len(data[k])} bytes\n")
    return w.text()


def describe_serviceaccount(sa: Obj, events: list[Obj] | None, now: float) -> str:
    w = Writer()
    _head(w, sa)
    names = [s.get("name", "") for s in sa.get("imagePullSecrets") or []]
    header = "Image pull secrets:"
    if not names:
        w.write(LEVEL_0, f"{header}\t<none>\n")
    for i, n in enumerate(names):
        w.write(LEVEL_0, f"{header if i == 0 else ' ' * len(header)}\t{n}\n")
    describe_events(w, events, now)
    return w.text()


# -- generic -------------------------------------------------------------------------------------

_GENERIC_SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
                 ".metadata.annotations"}


def describe_generic(obj: Obj, events: list[Obj] | None, now: float) -> str:
    """kubectl's ``genericDescriber`` (Events, CRDs, any kind without its own describer)."""
    md = obj.get("metadata") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    _unstructured(w, LEVEL_0, obj, "")
    describe_events(w, events, now)
    return w.text()


def _unstructured(w: Writer, level: int, content: Obj, prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        expr = f"{prefix}.{field}"
        if expr in _GENERIC_SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, expr)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, expr)
                else:
                    w.write(level + 1, f"{_go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_go_value(value)}\n")


def _go_value(v: Any) -> str:
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return go_bool(v)
    return str(v)


def _camel_split(s: str) -> list[str]:
    """fatih/camelcase ``Split``."""
    runs: list[list[str]] = []
    last = 0
    for ch in s:
        cls = 1 if ch.islower() else 2 if ch.isupper() else 3 if ch.isdigit() else 4
        if cls == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = cls
    for i in range(len(runs) - 1):
        if runs[i] and runs[i][0].isupper() and runs[i + 1] and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def smart_label(field: str) -> str:
    """``smartLabelFor``: ``apiVersion`` → ``API Version``, ``involvedObject`` → ``Involved Object``."""
    if re.search(r"[^A-Za-z\-]", field) or any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = _camel_split(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if i < len(parts) - 1:
            nxt = parts[i + 1]
            if len(part) >= 2 and all(not c.isalpha() or c.isupper() for c in part) and nxt and nxt[0].isupper():
                merged.append(part + nxt)
                i += 2
                continue
        merged.append(part)
        i += 1
    out = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in ("API", "URL", "UID", "GUID"):
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        out.append(part)
    return " ".join(out)
