"""The apiserver's pod-spec checks every pod-bearing object shares (ValidatePodSpec and
validateContainers in pkg/apis/core/validation): volumes, container names, ports, volume
mounts and resource requests against limits. Pods, and the templates of workloads, CronJobs
and PodTemplates (``template_path``), get the same causes at their own paths.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from k9py.kube import quantity
from k9py.sim import names

Obj = dict[str, Any]
Cause = tuple[str, str]

# Where each kind keeps its pod spec (a Pod's is its own spec). Not a StatefulSet's: the apiserver
# leaves its template's pod spec unchecked (its mounts may name volumeClaimTemplates).
TEMPLATE_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "ReplicationController": ("spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")  # sorted, as the apiserver lists them
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_OVERCOMMIT = ("cpu", "memory", "ephemeral-storage")  # native resources that are not huge pages


def pod_spec_of(obj: Obj) -> tuple[Obj, str] | None:
    """(the pod spec, its field path) of a pod-bearing object, None for other kinds."""
    steps = TEMPLATE_PATHS.get(str(obj.get("kind", "")))
    if steps is None:
        return None
    cur: Any = obj
    for s in steps:
        cur = cur.get(s) if isinstance(cur, dict) else None
    return (cur, ".".join(steps)) if isinstance(cur, dict) else None


def validate(spec: Obj, path: str) -> list[Cause]:
    """Every cause, in the apiserver's order: volumes, then each container (its name, image,
    ports, volume mounts and resources, then a name used before), then init containers."""
    causes: list[Cause] = []
    volumes = _volumes(spec.get("volumes"), f"{path}.volumes", causes)
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers:
        causes.append((f"{path}.containers", "Required value"))
        containers = []
    seen: set[str] = set()
    regular = {c.get("name") for c in containers if isinstance(c, dict)}
    for field, items in (("containers", containers), ("initContainers", spec.get("initContainers"))):
        if not isinstance(items, list):
            continue
        for i, c in enumerate(items):
            ip = f"{path}.{field}[{i}]"
            if not isinstance(c, dict):
                causes.append((ip, "Invalid value: must be an object"))
                continue
            _container(c, ip, volumes, causes)
            cname = c.get("name")
            if isinstance(cname, str) and cname:
                if cname in seen or (field == "initContainers" and cname in regular):
                    causes.append((f"{ip}.name", f'Duplicate value: "{cname}"'))
                seen.add(cname)
    _supported(spec.get("restartPolicy"), f"{path}.restartPolicy", RESTART_POLICIES, causes)
    _supported(spec.get("dnsPolicy"), f"{path}.dnsPolicy", DNS_POLICIES, causes)
    return causes


def _supported(value: Any, path: str, supported: tuple[str, ...], causes: list[Cause]) -> None:
    """``field.NotSupported`` for an enum given a value it does not have (absent: defaulted later)."""
    if value is not None and value not in supported:
        causes.append((path, f'Unsupported value: "{value}": supported values: ' + ", ".join(f'"{v}"' for v in supported)))


def _volumes(vols: Any, path: str, causes: list[Cause]) -> set[str]:
    known: set[str] = set()
    if not isinstance(vols, list):
        return known
    for i, v in enumerate(vols):
        if not isinstance(v, dict):
            continue
        name = v.get("name")
        p = f"{path}[{i}].name"
        if not name:
            causes.append((p, "Required value"))
            continue
        if not isinstance(name, str):
            continue
        msgs = names.dns1123_label(name)
        if msgs:
            causes.extend(names.invalid_causes(p, name, msgs))
        elif name in known:
            causes.append((p, f'Duplicate value: "{name}"'))
        known.add(name)
    return known


def _container(c: Obj, path: str, volumes: set[str], causes: list[Cause]) -> None:
    cname = c.get("name")
    if not cname:
        causes.append((f"{path}.name", "Required value"))
    elif isinstance(cname, str):
        causes.extend(names.invalid_causes(f"{path}.name", cname, names.dns1123_label(cname)))
    image = c.get("image")
    if not image or not isinstance(image, str) or not image.strip():
        causes.append((f"{path}.image", "Required value"))
    _ports(c.get("ports"), f"{path}.ports", causes)
    _mounts(c.get("volumeMounts"), f"{path}.volumeMounts", volumes, causes)
    _supported(c.get("imagePullPolicy"), f"{path}.imagePullPolicy", PULL_POLICIES, causes)
    res = c.get("resources")
    if isinstance(res, dict):
        causes.extend(resource_causes(res, f"{path}.resources"))


def _ports(ports: Any, path: str, causes: list[Cause]) -> None:
    if not isinstance(ports, list):
        return
    taken: set[str] = set()
    for i, p in enumerate(ports):
        if not isinstance(p, dict):
            continue
        ip = f"{path}[{i}]"
        name = p.get("name")
        if isinstance(name, str) and name:
            msgs = names.port_name(name)
            if msgs:
                causes.extend(names.invalid_causes(f"{ip}.name", name, msgs))
            elif name in taken:
                causes.append((f"{ip}.name", f'Duplicate value: "{name}"'))
            taken.add(name)
        port = p.get("containerPort")
        if port is None or port == 0:
            causes.append((f"{ip}.containerPort", "Required value"))
        elif isinstance(port, int) and not isinstance(port, bool) and not 1 <= port <= 65535:
            causes.append((f"{ip}.containerPort", f"Invalid value: {port}: must be between 1 and 65535, inclusive"))


def _mounts(mounts: Any, path: str, volumes: set[str], causes: list[Cause]) -> None:
    if not isinstance(mounts, list):
        return
    points: set[str] = set()
    for i, m in enumerate(mounts):
        if not isinstance(m, dict):
            continue
        ip = f"{path}[{i}]"
        name = m.get("name") or ""
        if not name:
            causes.append((f"{ip}.name", "Required value"))
        if name not in volumes:
            causes.append((f"{ip}.name", f'Not found: "{name}"'))
        mount_path = m.get("mountPath") or ""
        if not mount_path:
            causes.append((f"{ip}.mountPath", "Required value"))
        if mount_path in points:
            causes.append((f"{ip}.mountPath", f'Invalid value: "{mount_path}": must be unique'))
        points.add(mount_path)


def canonical(q: Any) -> str:
    """``resource.Quantity.String()`` (``1000m`` → ``1``, ``0.5`` → ``500m``); what is no
    quantity stays as written."""
    try:
        return quantity.canonical(str(q).strip())
    except (ValueError, ArithmeticError):
        return str(q).strip()


def _parse(q: Any) -> Decimal | None:
    if isinstance(q, bool) or not isinstance(q, (int, float, str)):
        return None
    try:
        return quantity.parse(q)
    except (ValueError, ArithmeticError):
        return None


def resource_causes(res: Obj, path: str) -> list[Cause]:
    """``ValidateResourceRequirements``: a request above its limit (or, for resources that cannot
    be overcommitted, different from it or without one)."""
    causes: list[Cause] = []
    requests, limits = res.get("requests"), res.get("limits")
    if not isinstance(requests, dict):
        return causes
    limits = limits if isinstance(limits, dict) else {}
    for name, q in requests.items():
        req = _parse(q)
        overcommit = name in _OVERCOMMIT or ("/" not in name and not name.startswith("hugepages-"))
        if name not in limits:
            if not overcommit:
                causes.append((f"{path}.limits", "Required value: Limit must be set for non overcommitable resources"))
            continue
        lim = _parse(limits[name])
        if req is None or lim is None:
            continue
        if not overcommit and req != lim:
            causes.append((f"{path}.requests", f'Invalid value: "{canonical(q)}": must be equal to {name} limit of {canonical(limits[name])}'))
        elif req > lim:
            causes.append((f"{path}.requests", f'Invalid value: "{canonical(q)}": must be less than or equal to {name} limit of {canonical(limits[name])}'))
    return causes
