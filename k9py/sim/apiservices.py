"""The APIService objects of kube-aggregator: one per group/version the apiserver serves.

The kube-apiserver registers its own group/versions when it starts (label
``kube-aggregator.kubernetes.io/automanaged: onstart``, the priorities of its
``apiVersionPriorities``); the apiextensions-apiserver's crdRegistrationController registers one
for each group/version a CRD serves (``automanaged: "true"``, priority 1000/100) and removes it when
no CRD serves it any more. All are ``Local``: always available.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta, resources
from k9py.kube.timefmt import rfc3339
from k9py.sim.store import fixed_uid

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
KIND = "APIService"
AUTOMANAGED = "kube-aggregator.kubernetes.io/automanaged"

# kube-apiserver's apiVersionPriorities (and the generic ones): (groupPriorityMinimum, versionPriority)
PRIORITIES: dict[tuple[str, str], tuple[int, int]] = {
    ("", "v1"): (18000, 1),
    ("apiregistration.k8s.io", "v1"): (18000, 15),
    ("apps", "v1"): (17800, 15),
    ("events.k8s.io", "v1"): (17750, 15),
    ("authentication.k8s.io", "v1"): (17700, 15),
    ("authorization.k8s.io", "v1"): (17600, 15),
    ("autoscaling", "v1"): (17500, 15),
    ("autoscaling", "v2"): (17500, 30),
    ("batch", "v1"): (17400, 15),
    ("certificates.k8s.io", "v1"): (17300, 15),
    ("networking.k8s.io", "v1"): (17200, 15),
    ("policy", "v1"): (17100, 15),
    ("rbac.authorization.k8s.io", "v1"): (17000, 15),
    ("storage.k8s.io", "v1"): (16800, 15),
    ("apiextensions.k8s.io", "v1"): (16700, 15),
    ("admissionregistration.k8s.io", "v1"): (16700, 15),
    ("scheduling.k8s.io", "v1"): (16600, 15),
    ("coordination.k8s.io", "v1"): (16500, 15),
    ("node.k8s.io", "v1"): (16300, 15),
    ("discovery.k8s.io", "v1"): (16200, 15),
}
CRD_PRIORITY = (1000, 100)  # crdRegistrationController: "CRDs should have relatively low priority"


def name_of(group: str, version: str) -> str:
    return f"{version}.{group}"


def apiservice(group: str, version: str, automanaged: str, priority: tuple[int, int]) -> Obj:
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": KIND,
            "metadata": {"name": name_of(group, version), "labels": {AUTOMANAGED: automanaged}},
            "spec": {"group": group, "version": version, "groupPriorityMinimum": priority[0],
                     "versionPriority": priority[1]}}


def builtin() -> list[Obj]:
    """What the kube-apiserver registers on start: every built-in group/version it serves."""
    return [apiservice(g, v, "onstart", PRIORITIES.get((g, v), (16000, 9)))
            for g, versions in resources.groups().items() for v in versions]


def _available(obj: Obj, now: float) -> None:
    obj["status"] = {"conditions": [{"type": "Available", "status": "True", "lastTransitionTime": rfc3339(now),
                                     "reason": "Local", "message": "Local APIServices are always available"}]}


def create(cluster: Cluster, obj: Obj) -> None:
    """Stored as the aggregator's controllers write it: Available, a uid from its name (drawn from
    no random stream, so the rest of a seeded cluster stays as it was)."""
    obj = meta.deep_copy(obj)
    obj["metadata"]["uid"] = fixed_uid(KIND, None, obj["metadata"]["name"])
    _available(obj, cluster.now())
    cluster.store.create(obj, keep_uid=True)


def ensure_builtin(cluster: Cluster) -> None:
    for obj in builtin():
        if cluster.store.get(KIND, None, obj["metadata"]["name"]) is None:
            create(cluster, obj)


def sync_crds(cluster: Cluster) -> None:
    """crdRegistrationController: an APIService for each group/version a CRD serves, none for
    one no CRD serves any more (those it made itself only)."""
    store = cluster.store
    builtin_gv = {(g, v) for g, versions in resources.groups().items() for v in versions}
    wanted: set[tuple[str, str]] = set()
    for crd in store.list(resources.CRD_KIND):
        if meta.is_deleting(crd):
            continue
        for r in resources.from_crd(crd):
            if (r.group, r.version) not in builtin_gv:
                wanted.add((r.group, r.version))
    for group, version in sorted(wanted):
        if store.get(KIND, None, name_of(group, version)) is None:
            create(cluster, apiservice(group, version, "true", CRD_PRIORITY))
    for obj in list(store.list(KIND)):
        if meta.dig(obj, "metadata", "labels", AUTOMANAGED) != "true":
            continue
        spec = obj.get("spec") or {}
        if (spec.get("group"), spec.get("version")) not in wanted:
            store.delete(KIND, None, meta.name(obj))

