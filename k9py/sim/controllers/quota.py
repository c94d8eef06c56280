"""ResourceQuota: the resourcequota controller (status.hard / status.used) and the
ResourceQuota admission plugin (rejects creations that would exceed a quota, and pods that do
not state the compute resources a quota limits).

Usage follows the apiserver's evaluators: pods (non-terminal ones) count ``pods``, ``cpu`` /
``requests.cpu`` / ``limits.cpu`` and the same for memory and ephemeral-storage; Services count
``services``, ``services.nodeports``, ``services.loadbalancers``; claims count
``persistentvolumeclaims``, ``requests.storage`` and the per-class variants; every kind counts
``count/<resource>[.<group>]``. Quota scopes Terminating / NotTerminating / BestEffort /
NotBestEffort apply to pods.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, quantity, resources
from k9py.kube.status import ApiError, invalid
from k9py.kube.timefmt import parse_time

# Defaulting / validation of the kinds quota'd here register first, so they run before quota
# (in the apiserver, quota is a validating admission plugin that sees the defaulted object).
from k9py.sim import (
    pod_admission,  # noqa: F401
    service_admission,  # noqa: F401
)
from k9py.sim.admission import admits
from k9py.sim.controllers import volumes  # noqa: F401  (DefaultStorageClass)
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

COMPUTE = ("cpu", "memory", "ephemeral-storage")
# A quota on any of these makes every container state it (BACKWARD COMPATIBILITY in pods.go).
VALIDATED = {"cpu": "requests.cpu", "memory": "requests.memory", "requests.cpu": "requests.cpu",
             "requests.memory": "requests.memory", "limits.cpu": "limits.cpu", "limits.memory": "limits.memory"}
POD_SCOPES = ("Terminating", "NotTerminating", "BestEffort", "NotBestEffort")
ALL_SCOPES = ("BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass",
              "Terminating", "VolumeAttributesClass")
_CPU_LIKE = ("cpu",)


class Usage(dict):
    """resource name -> Decimal amount; remembers whether amounts were written in binary units."""

    def __init__(self) -> None:
        super().__init__()
        self.binary: set[str] = set()

    def add(self, key: str, amount: Decimal, written: Any = None) -> None:
        self[key] = self.get(key, Decimal(0)) + amount
        if isinstance(written, str) and written.endswith("i"):
            self.binary.add(key)

    def merge(self, other: Usage) -> None:
        for k, v in other.items():
            self[k] = self.get(k, Decimal(0)) + v
        self.binary |= other.binary


def _q(value: Any) -> Decimal:
    try:
        return quantity.parse(value)
    except (ValueError, TypeError):
        return Decimal(0)


def format_amount(key: str, amount: Decimal, binary: bool = False) -> str:
    """A quantity as the apiserver prints it: ``500m``, ``2``, ``384Mi``, ``1G``, ``0``."""
    if amount == 0:
        return "0"
    base = key.rsplit(".", 1)[-1] if key.startswith(("requests.", "limits.")) else key
    if base in _CPU_LIKE or amount != amount.to_integral_value():
        millis = int(amount * 1000)
        if millis % 1000 == 0:
            return str(millis // 1000)
        return f"{millis}m"
    n = int(amount)
    if binary:
        for suffix, unit in (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if n % unit == 0:
                return f"{n // unit}{suffix}"
    if base in ("memory", "storage", "ephemeral-storage") or base.endswith("storage"):
        for suffix, unit in (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
            if n % unit == 0:
                return f"{n // unit}{suffix}"
    return str(n)


def _count_key(kind: str) -> str | None:
    res = resources.BY_KIND.get(kind)
    if res is None:
        return None
    return f"count/{res.plural}.{res.group}" if res.group else f"count/{res.plural}"


def pod_counts(pod: Obj, now: float) -> bool:
    """QuotaV1Pod: terminal pods, and pods past their deletion grace period, stop counting."""
    if meta.dig(pod, "status", "phase") in ("Succeeded", "Failed"):
        return False
    deleting = parse_time(meta.dig(pod, "metadata", "deletionTimestamp"))
    grace = meta.dig(pod, "metadata", "deletionGracePeriodSeconds")
    return not (deleting is not None and grace is not None and now > deleting)


def _map(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _container_amounts(c: Obj) -> tuple[dict[str, tuple[Decimal, Any]], dict[str, tuple[Decimal, Any]]]:
    res = _map(c.get("resources"))
    requests = _map(res.get("requests"))
    limits = _map(res.get("limits"))
    req: dict[str, tuple[Decimal, Any]] = {}
    lim: dict[str, tuple[Decimal, Any]] = {}
    for name, value in requests.items():
        req[name] = (_q(value), value)
    for name, value in limits.items():
        lim[name] = (_q(value), value)
        if name in COMPUTE and name not in req:  # the apiserver defaults requests to limits
            req[name] = (_q(value), value)
    return req, lim


def pod_usage(pod: Obj) -> Usage:
    spec = _map(pod.get("spec"))
    totals: dict[str, dict[str, tuple[Decimal, Any]]] = {"requests": {}, "limits": {}}
    for c in _list(spec.get("containers")):
        req, lim = _container_amounts(c)
        for part, amounts in (("requests", req), ("limits", lim)):
            for name, (v, w) in amounts.items():
                cur = totals[part].get(name, (Decimal(0), w))
                totals[part][name] = (cur[0] + v, cur[1] or w)
    for c in _list(spec.get("initContainers")):
        req, lim = _container_amounts(c)
        for part, amounts in (("requests", req), ("limits", lim)):
            for name, (v, w) in amounts.items():
                cur = totals[part].get(name, (Decimal(0), w))
                if v > cur[0]:
                    totals[part][name] = (v, w)
    for name, value in _map(spec.get("overhead")).items():
        for part in ("requests", "limits"):
            if name in totals[part]:
                cur = totals[part][name]
                totals[part][name] = (cur[0] + _q(value), cur[1])
    u = Usage()
    u.add("pods", Decimal(1))
    u.add("count/pods", Decimal(1))
    for name, (v, w) in totals["requests"].items():
        u.add(f"requests.{name}", v, w)
        if name in COMPUTE:
            u.add(name, v, w)
    for name, (v, w) in totals["limits"].items():
        u.add(f"limits.{name}", v, w)
    return u


def is_best_effort(pod: Obj) -> bool:
    spec = _map(pod.get("spec"))
    for c in _list(spec.get("containers")) + _list(spec.get("initContainers")):
        res = _map(c.get("resources"))
        for part in ("requests", "limits"):
            if any(k in COMPUTE[:2] for k in _map(res.get(part))):
                return False
    return True


def pod_matches_scopes(pod: Obj, scopes: list[str]) -> bool:
    for s in scopes:
        terminating = meta.dig(pod, "spec", "activeDeadlineSeconds") is not None
        if s == "Terminating" and not terminating:
            return False
        if s == "NotTerminating" and terminating:
            return False
        if s == "BestEffort" and not is_best_effort(pod):
            return False
        if s == "NotBestEffort" and is_best_effort(pod):
            return False
    return True


def object_usage(obj: Obj) -> Usage:
    """What one object adds to a namespace's usage (pods: as if it counts)."""
    kind = obj.get("kind", "")
    if kind == "Pod":
        return pod_usage(obj)
    u = Usage()
    key = _count_key(kind)
    if key:
        u.add(key, Decimal(1))
    spec = _map(obj.get("spec"))
    if kind == "Service":
        u.add("services", Decimal(1))
        t = spec.get("type", "ClusterIP")
        if t in ("NodePort", "LoadBalancer"):
            u.add("services.nodeports", Decimal(len(spec.get("ports") or [])))
        if t == "LoadBalancer":
            u.add("services.loadbalancers", Decimal(1))
    elif kind == "PersistentVolumeClaim":
        storage = meta.dig(spec, "resources", "requests", "storage")
        cls = spec.get("storageClassName") or ""
        u.add("persistentvolumeclaims", Decimal(1))
        u.add("requests.storage", _q(storage), storage)
        if cls:
            u.add(f"{cls}.storageclass.storage.k8s.io/persistentvolumeclaims", Decimal(1))
            u.add(f"{cls}.storageclass.storage.k8s.io/requests.storage", _q(storage), storage)
    elif kind == "ConfigMap":
        u.add("configmaps", Decimal(1))
    elif kind == "Secret":
        u.add("secrets", Decimal(1))
    elif kind == "ReplicationController":
        u.add("replicationcontrollers", Decimal(1))
    elif kind == "ResourceQuota":
        u.add("resourcequotas", Decimal(1))
    return u


_TRACKED_KINDS = tuple(r.kind for r in resources.RESOURCES if r.namespaced and r.kind != "Event")


def namespace_usage(cluster: Cluster, namespace: str, scopes: list[str] | None = None) -> Usage:
    now = cluster.now()
    total = Usage()
    scoped = [s for s in (scopes or []) if s in POD_SCOPES]
    for kind in _TRACKED_KINDS:
        for obj in cluster.store.list(kind, namespace):
            if kind == "Pod":
                if not pod_counts(obj, now):
                    continue
                if scoped and not pod_matches_scopes(obj, scoped):
                    continue
            elif scoped:
                continue
            total.merge(object_usage(obj))
    return total


def _hard(quota: Obj) -> dict[str, Any]:
    return _map(meta.dig(quota, "spec", "hard"))


# -- the controller -----------------------------------------------------------------------
class ResourceQuotaController(Controller):
    name = "resourcequota"

    def __init__(self) -> None:
        self._seen: tuple[int, float] | None = None

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        key = (store.resource_version, cluster.now())
        if self._seen == key:
            return
        cache: dict[tuple[str, tuple[str, ...]], Usage] = {}
        for quota in store.list("ResourceQuota"):
            ns = meta.namespace(quota)
            scopes = tuple(meta.dig(quota, "spec", "scopes") or [])
            usage = cache.get((ns, scopes))
            if usage is None:
                usage = cache[(ns, scopes)] = namespace_usage(cluster, ns, list(scopes))
            hard = _hard(quota)
            used = {k: format_amount(k, usage.get(k, Decimal(0)), k in usage.binary or _written_binary(hard.get(k)))
                    for k in hard}
            status = {"hard": dict(hard), "used": used}
            if quota.get("status") != status:
                store.mutate("ResourceQuota", ns, meta.name(quota), _set_status(status))
        self._seen = key if store.resource_version == key[0] else None


def _set_status(status: Obj) -> Callable[[Obj], None]:
    """A ``store.mutate`` function that replaces the object's status with ``status``."""
    def set_status(o: Obj) -> None:
        o["status"] = status
    return set_status


def _written_binary(value: Any) -> bool:
    return isinstance(value, str) and value.endswith("i")


# -- admission ----------------------------------------------------------------------------
def _plural(kind: str) -> str:
    res = resources.BY_KIND.get(kind)
    if res is None:
        return kind.lower()
    return f"{res.plural}.{res.group}" if res.group else res.plural


def _forbidden(cluster: Cluster, obj: Obj, why: str) -> ApiError:
    kind = obj.get("kind", "")
    name = meta.name(obj)
    if not name:
        # the apiserver generates the name before quota admission runs, so messages show it
        name = obj.get("metadata", {}).get("generateName", "") + cluster.store.random_suffix()
    return ApiError(403, "Forbidden", f'{_plural(kind)} "{name}" is forbidden: {why}', name=name, kind=kind)


def _missing_requests(pod: Obj, hard: dict[str, Any]) -> str | None:
    required = sorted({VALIDATED[k] for k in hard if k in VALIDATED})
    if not required:
        return None
    missing: dict[str, set[str]] = {}
    spec = _map(pod.get("spec"))
    containers = _list(spec.get("containers")) + _list(spec.get("initContainers"))
    for c in containers:
        req, lim = _container_amounts(c)
        have = {f"requests.{k}" for k in req} | {f"limits.{k}" for k in lim}
        for r in required:
            if r not in have:
                missing.setdefault(r, set()).add(c.get("name", ""))
    if not missing:
        return None
    return "must specify " + "; ".join(f"{r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing))


@admits("ResourceQuota")
def validate_quota(cluster: Cluster, rq: Obj, old: Obj | None) -> None:
    name = meta.name(rq)
    spec = rq.get("spec", {})
    if not isinstance(spec, dict):
        raise invalid("ResourceQuota", name, [("spec", "Invalid value: must be an object")])
    hard = spec.get("hard", {})
    if not isinstance(hard, dict):
        raise invalid("ResourceQuota", name, [("spec.hard", "Invalid value: must be a map of quantities")])
    causes = []
    for k, v in hard.items():
        try:
            if isinstance(v, bool):
                raise ValueError
            quantity.parse(v)
        except (ValueError, TypeError):
            causes.append((f"spec.hard[{k}]", f"Invalid value: \"{v}\": {quantity.ERR_FORMAT}"))
    scopes = spec.get("scopes") or []
    for i, sc in enumerate(scopes if isinstance(scopes, list) else [scopes]):
        if sc not in ALL_SCOPES:
            causes.append((f"spec.scopes[{i}]", f'Unsupported value: "{sc}": supported values: '
                           + ", ".join(f'"{x}"' for x in ALL_SCOPES)))
    if causes:
        raise invalid("ResourceQuota", name, causes)


def admit_quota(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    if old is not None:
        return
    ns = meta.namespace(obj)
    quotas = [q for q in cluster.store.list("ResourceQuota", ns) if _hard(q)]
    if not quotas:
        return
    delta = object_usage(obj)
    is_pod = obj.get("kind") == "Pod"
    for quota in sorted(quotas, key=meta.name):
        hard = _hard(quota)
        scopes = [s for s in meta.dig(quota, "spec", "scopes") or [] if s in POD_SCOPES]
        if scopes and (not is_pod or not pod_matches_scopes(obj, scopes)):
            continue
        if is_pod:
            why = _missing_requests(obj, hard)
            if why:
                raise _forbidden(cluster, obj, f"failed quota: {meta.name(quota)}: {why}")
        relevant = [k for k in sorted(hard) if delta.get(k, Decimal(0)) != 0]
        if not relevant:
            continue
        used = namespace_usage(cluster, ns, scopes)
        exceeded = [k for k in relevant if used.get(k, Decimal(0)) + delta[k] > _q(hard[k])]
        if not exceeded:
            continue

        def show(u: Usage, k: str) -> str:
            return format_amount(k, u.get(k, Decimal(0)), k in u.binary)
        requested = ",".join(f"{k}={show(delta, k)}" for k in exceeded)
        was = ",".join(f"{k}={show(used, k)}" for k in exceeded)
        limited = ",".join(f"{k}={format_amount(k, _q(hard[k]), _written_binary(hard[k]))}" for k in exceeded)
        raise _forbidden(cluster, obj, f"exceeded quota: {meta.name(quota)}, requested: {requested}, used: {was}, limited: {limited}")


for _kind in _TRACKED_KINDS:
    admits(_kind)(admit_quota)
