"""Row cells for every kind except Pod/Node (see printers_pod), as the apiserver prints them.

Each function mirrors ``printX`` in pkg/printers/internalversion/printers.go with
``GenerateOptions{Wide: true}`` (the apiserver's TableConvertor always asks for wide cells;
kubectl hides priority-1 columns unless ``-o wide``). Cell types follow the Go code: where Go
appends an ``int64`` we return an int, a Go ``bool`` a Python bool, everything else a str.
"""

from __future__ import annotations

from typing import Any

from k9py.kube.meta import dig
from k9py.kube.timefmt import human_duration
from k9py.view.printers_format import (
    INVALID,
    access_modes,
    container_cells,
    format_label_selector,
    format_labels,
    int_or_string,
    list_with_more,
    lower_group_kind,
    parse_ts,
    print_bool_ptr,
    quantity_string,
    selector_string,
    since,
)

Obj = dict[str, Any]
LOAD_BALANCER_WIDTH = 16
BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
DEFAULT_SC_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                          "storageclass.beta.kubernetes.io/is-default-class")


def _name(o: Obj) -> str:
    return dig(o, "metadata", "name", default="")


def _age(o: Obj, now: float) -> str:
    return since(dig(o, "metadata", "creationTimestamp"), now)


def _int(v: Any, default: int = 0) -> int:
    return default if v is None else int(v)


# --- workloads ---------------------------------------------------------------------------------

def deployment_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = container_cells(dig(spec, "template", "spec", "containers"))
    try:
        sel = selector_string(spec.get("selector"))
    except ValueError:
        sel = INVALID
    return [_name(o), f"{_int(st.get('readyReplicas'))}/{_int(spec.get('replicas'), 1)}",
            _int(st.get("updatedReplicas")), _int(st.get("availableReplicas")), _age(o, now),
            names, images, sel]


def replicaset_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = container_cells(dig(spec, "template", "spec", "containers"))
    return [_name(o), _int(spec.get("replicas"), 1), _int(st.get("replicas")),
            _int(st.get("readyReplicas")), _age(o, now), names, images,
            format_label_selector(spec.get("selector"))]


def replicationcontroller_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = container_cells(dig(spec, "template", "spec", "containers"))
    return [_name(o), _int(spec.get("replicas"), 1), _int(st.get("replicas")),
            _int(st.get("readyReplicas")), _age(o, now), names, images,
            format_labels(spec.get("selector"))]


def statefulset_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = container_cells(dig(spec, "template", "spec", "containers"))
    return [_name(o), f"{_int(st.get('readyReplicas'))}/{_int(spec.get('replicas'), 1)}",
            _age(o, now), names, images]


def daemonset_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = container_cells(dig(spec, "template", "spec", "containers"))
    return [_name(o), _int(st.get("desiredNumberScheduled")), _int(st.get("currentNumberScheduled")),
            _int(st.get("numberReady")), _int(st.get("updatedNumberScheduled")),
            _int(st.get("numberAvailable")), format_labels(dig(spec, "template", "spec", "nodeSelector")),
            _age(o, now), names, images, format_label_selector(spec.get("selector"))]


def _job_condition(conditions: list[Obj] | None, ctype: str) -> bool:
    for c in conditions or []:
        if c.get("type") == ctype:
            return c.get("status") == "True"
    return False


def job_status(o: Obj) -> str:
    conds = dig(o, "status", "conditions")
    if _job_condition(conds, "Complete"):
        return "Complete"
    if _job_condition(conds, "Failed"):
        return "Failed"
    if dig(o, "metadata", "deletionTimestamp"):
        return "Terminating"
    if _job_condition(conds, "Suspended"):
        return "Suspended"
    if _job_condition(conds, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def job_completions(o: Obj) -> str:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    succeeded = _int(st.get("succeeded"))
    if spec.get("completions") is not None:
        return f"{succeeded}/{int(spec['completions'])}"
    parallelism = _int(spec.get("parallelism"))
    if parallelism > 1:
        return f"{succeeded}/1 of {parallelism}"
    return f"{succeeded}/1"


def job_duration(o: Obj, now: float) -> str:
    start = parse_ts(dig(o, "status", "startTime"))
    if start is None:
        return ""
    end = parse_ts(dig(o, "status", "completionTime"))
    return human_duration((now if end is None else end) - start)


def job_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    names, images = container_cells(dig(spec, "template", "spec", "containers"))
    return [_name(o), job_status(o), job_completions(o), job_duration(o, now), _age(o, now),
            names, images, format_label_selector(spec.get("selector"))]


def cronjob_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    last = st.get("lastScheduleTime")
    job_spec = dig(spec, "jobTemplate", "spec") or {}
    names, images = container_cells(dig(job_spec, "template", "spec", "containers"))
    # spec.suspend is defaulted to false by the apiserver, so an unset value prints False.
    suspend = spec.get("suspend", False)
    return [_name(o), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            print_bool_ptr(suspend), len(st.get("active") or []),
            since(last, now) if last else "<none>", _age(o, now), names, images,
            format_label_selector(job_spec.get("selector"))]


def controllerrevision_cells(o: Obj, now: float) -> list[Any]:
    controller = "<none>"
    for ref in dig(o, "metadata", "ownerReferences") or []:
        if ref.get("controller"):
            controller = f"{lower_group_kind(ref.get('kind', ''), ref.get('apiVersion', ''))}/{ref.get('name', '')}"
            break
    return [_name(o), controller, _int(o.get("revision")), _age(o, now)]


def hpa_metrics(o: Obj) -> str:
    """``formatHPAMetrics`` for autoscaling/v2 objects: ``cpu: 12%/50%``."""
    specs = dig(o, "spec", "metrics") or []
    statuses = dig(o, "status", "currentMetrics") or []
    if not specs:
        return "<none>"
    out: list[str] = []

    def status_of(i: int, key: str) -> Obj | None:
        return statuses[i].get(key) if i < len(statuses) else None

    for i, m in enumerate(specs):
        mtype = m.get("type")
        if mtype == "External":
            target = dig(m, "external", "target") or {}
            st = status_of(i, "external")
            if target.get("averageValue") is not None:
                cur = "<unknown>"
                if st is not None and dig(st, "current", "averageValue") is not None:
                    cur = quantity_string(dig(st, "current", "averageValue"))
                out.append(f"{cur}/{quantity_string(target['averageValue'])} (avg)")
            else:
                cur = quantity_string(dig(st, "current", "value")) if st is not None else "<unknown>"
                out.append(f"{cur}/{quantity_string(target.get('value'))}")
        elif mtype == "Pods":
            target = dig(m, "pods", "target") or {}
            st = status_of(i, "pods")
            cur = quantity_string(dig(st, "current", "averageValue")) if st is not None else "<unknown>"
            out.append(f"{cur}/{quantity_string(target.get('averageValue'))}")
        elif mtype == "Object":
            target = dig(m, "object", "target") or {}
            st = status_of(i, "object")
            if target.get("averageValue") is not None:
                cur = "<unknown>"
                if st is not None and dig(st, "current", "averageValue") is not None:
                    cur = quantity_string(dig(st, "current", "averageValue"))
                out.append(f"{cur}/{quantity_string(target['averageValue'])} (avg)")
            else:
                cur = quantity_string(dig(st, "current", "value")) if st is not None else "<unknown>"
                out.append(f"{cur}/{quantity_string(target.get('value'))}")
        elif mtype in ("Resource", "ContainerResource"):
            key = "resource" if mtype == "Resource" else "containerResource"
            src = m.get(key) or {}
            target = src.get("target") or {}
            st = status_of(i, key)
            rname = src.get("name", "")
            if target.get("averageValue") is not None:
                cur = quantity_string(dig(st, "current", "averageValue")) if st is not None else "<unknown>"
                out.append(f"{rname}: {cur}/{quantity_string(target['averageValue'])}")
            else:
                cur = "<unknown>"
                if st is not None and dig(st, "current", "averageUtilization") is not None:
                    cur = f"{int(dig(st, 'current', 'averageUtilization'))}%"
                tgt = "<auto>"
                if target.get("averageUtilization") is not None:
                    tgt = f"{int(target['averageUtilization'])}%"
                out.append(f"{rname}: {cur}/{tgt}")
        else:
            out.append("<unknown type>")
    if len(out) > 2:
        return f"{', '.join(out[:2])} + {len(out) - 2} more..."
    return ", ".join(out)


def hpa_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    min_pods = "<unset>" if spec.get("minReplicas") is None else str(int(spec["minReplicas"]))
    return [_name(o), f"{ref.get('kind', '')}/{ref.get('name', '')}", hpa_metrics(o), min_pods,
            _int(spec.get("maxReplicas")), _int(st.get("currentReplicas")), _age(o, now)]


def pdb_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    min_av = "N/A" if spec.get("minAvailable") is None else int_or_string(spec["minAvailable"])
    max_un = "N/A" if spec.get("maxUnavailable") is None else int_or_string(spec["maxUnavailable"])
    return [_name(o), min_av, max_un, _int(dig(o, "status", "disruptionsAllowed")), _age(o, now)]


# --- networking --------------------------------------------------------------------------------

def _lb_ingress_string(ingress: list[Obj] | None, wide: bool) -> str:
    """``loadBalancerStatusStringer``: sorted unique IPs/hostnames, clipped to 16 unless wide."""
    result: set[str] = set()
    for i in ingress or []:
        if i.get("ip"):
            result.add(i["ip"])
        elif i.get("hostname"):
            result.add(i["hostname"])
    r = ",".join(sorted(result))
    if not wide and len(r) > LOAD_BALANCER_WIDTH:
        r = r[: LOAD_BALANCER_WIDTH - 3] + "..."
    return r


def service_type(svc: Obj) -> str:
    return dig(svc, "spec", "type") or "ClusterIP"


def service_external_ip(svc: Obj, wide: bool = True) -> str:
    """EXTERNAL-IP: ``<none>``, ``<pending>``, LB ingress + externalIPs, or externalName."""
    spec = svc.get("spec") or {}
    stype = service_type(svc)
    external = list(spec.get("externalIPs") or [])
    if stype in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if stype == "LoadBalancer":
        lb = _lb_ingress_string(dig(svc, "status", "loadBalancer", "ingress"), wide)
        if external:
            results = (lb.split(",") if lb else []) + external
            return ",".join(results)
        return lb or "<pending>"
    if stype == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_cluster_ip(svc: Obj) -> str:
    ips = dig(svc, "spec", "clusterIPs") or []
    if ips:
        return ips[0]
    return dig(svc, "spec", "clusterIP") or "<none>"


def format_ports(svc: Obj) -> str:
    """PORT(S): ``80:31380/TCP,443/TCP`` (``<none>`` without ports)."""
    pieces = []
    for p in dig(svc, "spec", "ports") or []:
        proto = p.get("protocol") or "TCP"
        if _int(p.get("nodePort")) > 0:
            pieces.append(f"{p.get('port')}:{p['nodePort']}/{proto}")
        else:
            pieces.append(f"{p.get('port')}/{proto}")
    return ",".join(pieces) or "<none>"


def service_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), service_type(o), service_cluster_ip(o), service_external_ip(o, wide=True),
            format_ports(o), _age(o, now), format_labels(dig(o, "spec", "selector"))]


def format_endpoints(ep: Obj) -> str:
    """``formatEndpoints``: ``10.244.1.5:80,10.244.2.3:80 + 1 more...``."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    out: list[str] = []
    limit, more, count = 3, False, 0
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            for a in addrs:
                if len(out) == limit:
                    more = True
                    break
                out.append(a.get("ip", ""))
            continue
        for port in ports:
            count += len(addrs)
            for a in addrs:
                if len(out) == limit:
                    more = True
                    break
                ip = a.get("ip", "")
                host = f"[{ip}]" if ":" in ip else ip
                out.append(f"{host}:{port.get('port')}")
    ret = ",".join(out)
    if more:
        return f"{ret} + {count - limit} more..."
    return ret


def endpoints_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), format_endpoints(o), _age(o, now)]


def endpointslice_cells(o: Obj, now: float) -> list[Any]:
    ports: list[str] = []
    more, count = False, 0
    for p in o.get("ports") or []:
        if len(ports) < 3:
            if p.get("port") is not None:
                ports.append(str(p["port"]))
            elif p.get("name") is not None:
                ports.append(p["name"])
            else:
                ports.append("*")
        elif len(ports) == 3:
            more = True
        count += 1
    ports_s = list_with_more(ports, more, count, 3)
    addrs: list[str] = []
    amore, acount = False, 0
    for e in o.get("endpoints") or []:
        for a in e.get("addresses") or []:
            if len(addrs) < 3:
                addrs.append(a)
            elif len(addrs) == 3:
                amore = True
            acount += 1
    return [_name(o), o.get("addressType", ""), ports_s, list_with_more(addrs, amore, acount, 3),
            _age(o, now)]


def _ingress_hosts(rules: list[Obj]) -> str:
    out: list[str] = []
    more = False
    for r in rules:
        if len(out) == 3:
            more = True
        if not more and r.get("host"):
            out.append(r["host"])
    if not out:
        return "*"
    ret = ",".join(out)
    if more:
        return f"{ret} + {len(rules) - 3} more..."
    return ret


def ingress_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    return [_name(o), spec.get("ingressClassName") or "<none>", _ingress_hosts(spec.get("rules") or []),
            _lb_ingress_string(dig(o, "status", "loadBalancer", "ingress"), True),
            "80, 443" if spec.get("tls") else "80", _age(o, now)]


def ingressclass_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    params = spec.get("parameters")
    p = "<none>"
    if params is not None:
        p = params.get("kind", "")
        if params.get("apiGroup") is not None:
            p += "." + params["apiGroup"]
        p += "/" + params.get("name", "")
    return [_name(o), spec.get("controller", ""), p, _age(o, now)]


def networkpolicy_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), format_label_selector(dig(o, "spec", "podSelector") or {}), _age(o, now)]


# --- config & storage --------------------------------------------------------------------------

def configmap_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o, now)]


def secret_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), o.get("type") or "Opaque", len(o.get("data") or {}), _age(o, now)]


def serviceaccount_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), len(o.get("secrets") or []), _age(o, now)]


def pv_storage_class(o: Obj) -> str:
    ann = dig(o, "metadata", "annotations") or {}
    if BETA_STORAGE_CLASS_ANNOTATION in ann:
        return ann[BETA_STORAGE_CLASS_ANNOTATION]
    return dig(o, "spec", "storageClassName") or ""


def pv_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref is not None else ""
    phase = "Terminating" if dig(o, "metadata", "deletionTimestamp") else dig(o, "status", "phase") or ""
    # as stored: the apiserver defaults reclaim policy and volumeMode (Retain, Filesystem), the
    # printer does not (a replayed object without them prints "" and <unset>)
    return [_name(o), quantity_string(dig(spec, "capacity", "storage")), access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy") or "", phase, claim, pv_storage_class(o),
            spec.get("volumeAttributesClassName") or "<unset>", dig(o, "status", "reason") or "",
            _age(o, now), spec.get("volumeMode") or "<unset>"]


def pvc_cells(o: Obj, now: float) -> list[Any]:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    phase = "Terminating" if dig(o, "metadata", "deletionTimestamp") else st.get("phase") or ""
    capacity, modes = "", ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        capacity = quantity_string(dig(st, "capacity", "storage"))
    return [_name(o), phase, spec.get("volumeName") or "", capacity, modes, pv_storage_class(o),
            spec.get("volumeAttributesClassName") or "<unset>", _age(o, now),
            spec.get("volumeMode") or "<unset>"]


def storageclass_cells(o: Obj, now: float) -> list[Any]:
    ann = dig(o, "metadata", "annotations") or {}
    name = _name(o)
    if any(ann.get(a) == "true" for a in DEFAULT_SC_ANNOTATIONS):
        name += " (default)"
    allow = o.get("allowVolumeExpansion")
    return [name, o.get("provisioner", ""), o.get("reclaimPolicy") or "Delete",
            o.get("volumeBindingMode") or "Immediate", bool(allow) if allow is not None else False,
            _age(o, now)]


def resourcequota_cells(o: Obj, now: float) -> list[Any]:
    hard = dig(o, "status", "hard") or {}
    used = dig(o, "status", "used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for res in sorted(hard):
        pieces = res.split(".")
        target = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        target.append(f"{res}: {quantity_string(used.get(res))}/{quantity_string(hard[res])}")
    return [_name(o), ", ".join(requests), ", ".join(limits), _age(o, now)]


# --- cluster -----------------------------------------------------------------------------------

def namespace_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), dig(o, "status", "phase") or "", _age(o, now)]


def componentstatus_cells(o: Obj, now: float) -> list[Any]:
    status, message, error = "Unknown", "", ""
    for c in o.get("conditions") or []:
        if c.get("type") == "Healthy":
            status = "Healthy" if c.get("status") == "True" else "Unhealthy"
            message, error = c.get("message", ""), c.get("error", "")
            break
    return [_name(o), status, message, error]


def event_cells(o: Obj, now: float) -> list[Any]:
    first_ts = o.get("firstTimestamp")
    first = since(first_ts, now) if first_ts else since(o.get("eventTime"), now)
    last = since(o.get("lastTimestamp"), now) if o.get("lastTimestamp") else first
    count = _int(o.get("count"))
    series = o.get("series")
    if series is not None:
        last = since(series.get("lastObservedTime"), now)
        count = _int(series.get("count"))
    elif count == 0:
        count = 1
    inv = o.get("involvedObject") or {}
    kind = (inv.get("kind") or "").lower()
    target = f"{kind}/{inv['name']}" if inv.get("name") else kind
    src = o.get("source") or {}
    component = src.get("component") or o.get("reportingComponent") or o.get("reportingController") or ""
    host = src.get("host") or o.get("reportingInstance") or ""
    source = f"{component}, {host}" if host else component
    return [last, o.get("type", ""), o.get("reason", ""), target, inv.get("fieldPath", ""), source,
            (o.get("message") or "").strip(), first, count, _name(o)]


def _subjects(o: Obj) -> list[str]:
    users, groups, sas = [], [], []
    for s in o.get("subjects") or []:
        kind = s.get("kind")
        if kind == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
        elif kind == "User":
            users.append(s.get("name", ""))
        elif kind == "Group":
            groups.append(s.get("name", ""))
    return [", ".join(users), ", ".join(groups), ", ".join(sas)]


def rolebinding_cells(o: Obj, now: float) -> list[Any]:
    ref = o.get("roleRef") or {}
    return [_name(o), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(o, now), *_subjects(o)]


def lease_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), dig(o, "spec", "holderIdentity") or "", _age(o, now)]


def priorityclass_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), _int(o.get("value")), bool(o.get("globalDefault", False)), _age(o, now),
            o.get("preemptionPolicy") or ""]


def podtemplate_cells(o: Obj, now: float) -> list[Any]:
    names, images = container_cells(dig(o, "template", "spec", "containers"))
    return [_name(o), names, images, format_labels(dig(o, "template", "metadata", "labels"))]


def runtimeclass_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), o.get("handler") or "", _age(o, now)]


def csinode_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), len(dig(o, "spec", "drivers") or []), _age(o, now)]


def csidriver_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    tokens = spec.get("tokenRequests")
    audiences = "<unset>" if tokens is None else ",".join(str(t.get("audience") or "") for t in tokens)
    modes = ",".join(map(str, spec.get("volumeLifecycleModes") or [])) or "<none>"
    return [_name(o), spec.get("attachRequired", True) is not False, spec.get("podInfoOnMount") is True,
            spec.get("storageCapacity") is True, audiences, spec.get("requiresRepublish") is True, modes,
            _age(o, now)]


def csistoragecapacity_cells(o: Obj, now: float) -> list[Any]:
    capacity = o.get("capacity")
    return [_name(o), o.get("storageClassName") or "", "<unset>" if capacity is None else str(capacity)]


def volumeattachment_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    return [_name(o), spec.get("attacher") or "", dig(spec, "source", "persistentVolumeName") or "",
            spec.get("nodeName") or "", dig(o, "status", "attached") is True, _age(o, now)]


def volumeattributesclass_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), o.get("driverName") or "", _age(o, now)]


def resourceclaim_cells(o: Obj, now: float) -> list[Any]:
    """kubectl's STATE: deleted, then pending (unallocated) or allocated[,reserved]."""
    deleting = bool(dig(o, "metadata", "deletionTimestamp"))
    states = ["deleted"] if deleting else []
    if not dig(o, "status", "allocation"):
        if not deleting:
            states.append("pending")
    else:
        states.append("allocated")
        if dig(o, "status", "reservedFor"):
            states.append("reserved")
    return [_name(o), ",".join(states), _age(o, now)]


def name_age_cells(o: Obj, now: float) -> list[Any]:
    """A printer of NAME and AGE only (DeviceClass, ResourceClaimTemplate), not the default Created At."""
    return [_name(o), _age(o, now)]


def resourceslice_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), str(dig(o, "spec", "nodeName") or ""), str(dig(o, "spec", "driver") or ""),
            str(dig(o, "spec", "pool", "name") or ""), _age(o, now)]


def servicecidr_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), ",".join(map(str, dig(o, "spec", "cidrs") or [])), _age(o, now)]


def ipaddress_cells(o: Obj, now: float) -> list[Any]:
    """kubectl's PARENTREF: ``services/default/kubernetes`` (resource.group/namespace/name)."""
    ref = dig(o, "spec", "parentRef")
    if not isinstance(ref, dict):
        return [_name(o), "<none>"]
    group, resource = ref.get("group") or "", ref.get("resource") or ""
    parent = (f"{resource}.{group}" if group else resource).lower()
    if ref.get("namespace"):
        parent += "/" + str(ref["namespace"])
    return [_name(o), f"{parent}/{ref.get('name') or ''}"]


def flowschema_cells(o: Obj, now: float) -> list[Any]:
    """MISSINGPL: the status of the Dangling condition the APF controller keeps (? until it has)."""
    spec = o.get("spec") or {}
    method = dig(spec, "distinguisherMethod", "type") or "<none>"
    missing = next((str(c.get("status")) for c in dig(o, "status", "conditions") or []
                    if c.get("type") == "Dangling"), "?")
    return [_name(o), dig(spec, "priorityLevelConfiguration", "name") or "", _int(spec.get("matchingPrecedence")),
            method, _age(o, now), missing]


def prioritylevel_cells(o: Obj, now: float) -> list[Any]:
    spec = o.get("spec") or {}
    limited = spec.get("limited")
    shares: Any = "<none>"
    queues: Any = "<none>"
    hand: Any = "<none>"
    length: Any = "<none>"
    if isinstance(limited, dict):
        shares = _int(limited.get("nominalConcurrencyShares"))
        queuing = dig(limited, "limitResponse", "queuing")
        if isinstance(queuing, dict):
            queues, hand, length = (_int(queuing.get(k)) for k in ("queues", "handSize", "queueLengthLimit"))
    return [_name(o), spec.get("type") or "", shares, queues, hand, length, _age(o, now)]


def webhookconfiguration_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), len(o.get("webhooks") or []), _age(o, now)]


def admission_policy_cells(o: Obj, now: float) -> list[Any]:
    """printValidatingAdmissionPolicy: the paramKind as apiVersion/kind, ``<unset>`` without one."""
    pk = dig(o, "spec", "paramKind")
    kind = f"{pk.get('apiVersion', '')}/{pk.get('kind', '')}" if isinstance(pk, dict) else "<unset>"
    validations = dig(o, "spec", "validations")
    return [_name(o), len(validations) if isinstance(validations, list) else 0, kind, _age(o, now)]


def admission_policy_binding_cells(o: Obj, now: float) -> list[Any]:
    """printValidatingAdmissionPolicyBinding: a named param as namespace/name (``*/`` when the
    namespace is not given), a selector as Go prints a LabelSelector."""
    spec = o.get("spec")
    if not isinstance(spec, dict):
        spec = {}
    ref = spec.get("paramRef")
    param = "<unset>"
    if isinstance(ref, dict):
        if ref.get("name"):
            param = f"{ref.get('namespace') or '*'}/{ref['name']}"
        elif isinstance(ref.get("selector"), dict):
            param = go_label_selector(ref["selector"])
    return [_name(o), spec.get("policyName", ""), param, _age(o, now)]


def go_label_selector(sel: Obj) -> str:
    """``metav1.LabelSelector.String()`` (the generated protobuf one)."""
    labels = sel.get("matchLabels")
    exprs = sel.get("matchExpressions")
    if not isinstance(labels, dict):
        labels = {}
    if not isinstance(exprs, list):
        exprs = []
    label_text = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    expr_text = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(str(v) for v in e.get('values') or [])}],}},"
        for e in exprs if isinstance(e, dict))
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{label_text}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{expr_text}}},}}")


def apiservice_cells(o: Obj, now: float) -> list[Any]:
    """kube-aggregator's ConvertToTable: the service (Local without one) and the Available
    condition, with its reason when not True."""
    svc = dig(o, "spec", "service")
    service = f"{svc.get('namespace', '')}/{svc.get('name', '')}" if isinstance(svc, dict) else "Local"
    status = "Unknown"
    for c in dig(o, "status", "conditions") or []:
        if isinstance(c, dict) and c.get("type") == "Available":
            st = str(c.get("status") or "")
            status = st if st == "True" or not c.get("reason") else f"{st} ({c['reason']})"
            break
    return [_name(o), service, status, _age(o, now)]


def csr_cells(o: Obj, now: float) -> list[Any]:
    """printCertificateSigningRequest: the condition is Denied, else Approved, else Pending, then
    ",Failed" and ",Issued" (a certificate) as they apply."""
    types = {c.get("type") for c in dig(o, "status", "conditions") or [] if isinstance(c, dict)}
    condition = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        condition += ",Failed"
    if dig(o, "status", "certificate"):
        condition += ",Issued"
    seconds = dig(o, "spec", "expirationSeconds")
    duration = human_duration(int(seconds)) if isinstance(seconds, int) else "<none>"
    return [_name(o), _age(o, now), dig(o, "spec", "signerName") or "<none>", dig(o, "spec", "username") or "",
            duration, condition]


def scale_cells(o: Obj, now: float) -> list[Any]:
    return [_name(o), _int(dig(o, "spec", "replicas")), _int(dig(o, "status", "replicas")), _age(o, now)]
