"""k9s's UsedBy (`u` on a ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim): the
workloads whose pod template refers to it, found as k9s's reference scanners find them
(internal/dao: deployments, daemonsets, statefulsets, cronjobs and jobs of its namespace)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from k9py.kube import meta, podcontainers
from k9py.view.kinds import gvr_of

Obj = dict[str, Any]

# the kinds scanned, in the order the list shows them, with k9s's GVR column
SCANNED: dict[str, str] = {kind: gvr_of(kind) for kind in ("Deployment", "DaemonSet", "StatefulSet", "CronJob", "Job")}
REFERABLE = ("ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim")


def _list(v: Any) -> list[Obj]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _field(obj: Obj, key: str, field: str) -> str:
    """``obj[key][field]`` as text ("" when either is missing or not what the API says)."""
    inner = obj.get(key)
    return str(inner.get(field) or "") if isinstance(inner, dict) else ""


def _containers(spec: Obj) -> Iterable[Obj]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from _list(spec.get(key))


def _env_refs(spec: Obj, from_key: str, key_ref: str) -> Iterable[str]:
    """Names the containers' envFrom (``from_key``: configMapRef / secretRef) and env valueFrom
    (``key_ref``: configMapKeyRef / secretKeyRef) name."""
    for c in _containers(spec):
        for e in _list(c.get("envFrom")):
            yield _field(e, from_key, "name")
        for e in _list(c.get("env")):
            value_from = e.get("valueFrom")
            yield _field(value_from, key_ref, "name") if isinstance(value_from, dict) else ""


def _volumes(spec: Obj, key: str, field: str) -> Iterable[str]:
    """Names the volumes of type ``key`` (configMap, secret, persistentVolumeClaim) give in ``field``,
    a projected volume's sources included."""
    for v in _list(spec.get("volumes")):
        yield _field(v, key, field)
        projected = v.get("projected")
        for src in _list(projected.get("sources") if isinstance(projected, dict) else None):
            yield _field(src, key, field)


def uses(kind: str, name: str, obj: Obj) -> bool:
    """Whether the workload ``obj`` refers to the ``kind`` named ``name`` in its namespace."""
    spec = podcontainers.pod_spec(obj)
    if kind == "ConfigMap":
        return name in _env_refs(spec, "configMapRef", "configMapKeyRef") or name in _volumes(spec, "configMap", "name")
    if kind == "Secret":
        return (name in _env_refs(spec, "secretRef", "secretKeyRef") or name in _volumes(spec, "secret", "secretName")
                or name in (str(s.get("name") or "") for s in _list(spec.get("imagePullSecrets"))))
    if kind == "ServiceAccount":  # no name: the namespace's default one
        return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default") == name
    if kind == "PersistentVolumeClaim":
        if name in _volumes(spec, "persistentVolumeClaim", "claimName"):
            return True
        if obj.get("kind") == "StatefulSet":  # its claims: TEMPLATE-STS-ORDINAL
            sts = meta.name(obj)
            sts_spec = obj.get("spec")
            templates = sts_spec.get("volumeClaimTemplates") if isinstance(sts_spec, dict) else None
            return any(re.fullmatch(re.escape(f"{meta.name(t)}-{sts}-") + r"\d+", name) for t in _list(templates))
    return False


def used_by(kind: str, namespace: str, name: str, objects: Mapping[str, Iterable[Obj]]) -> list[tuple[str, str, str]]:
    """(namespace, name, GVR) of the workloads among ``objects`` (by kind) referring to it, in
    k9s's kind order, then by name."""
    out = []
    for wkind, gvr in SCANNED.items():
        found = [o for o in objects.get(wkind) or () if meta.namespace(o) == namespace and uses(kind, name, o)]
        out += [(meta.namespace(o), meta.name(o), gvr) for o in sorted(found, key=meta.name)]
    return out
