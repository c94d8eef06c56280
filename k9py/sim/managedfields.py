"""Where the apiserver's field manager meets the simulator: the ``Writer`` of an API write (its
manager, operation, version and subresource) and ``track``, which sets ``metadata.managedFields``
on what ``Cluster.create``/``replace`` store. The field-set algebra is ``kube/fieldmanager.py``.

Writes without a writer (controllers through the store, the simulator's own backend) keep the
object's managedFields as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mypy_extensions import mypyc_attr

from k9py.kube import fieldmanager, meta
from k9py.kube.meta import deep_copy
from k9py.kube.timefmt import rfc3339

Obj = dict[str, Any]


@dataclass(frozen=True)
class Writer:
    """Who writes through the API. ``applied``: the managedFields an apply computed already
    (``fieldmanager.apply``), stored as they are."""
    manager: str
    api_version: str
    subresource: str = ""
    applied: tuple[Obj, ...] | None = None


def schema_for(cluster: Any, kind: str) -> fieldmanager.Schema:
    """The kind's field schema: built-in tables, or the CRD's structural schema."""
    res = cluster.api_resources().kind(kind)
    status = res is not None and "status" in res.subresources
    crd_schema = None
    if res is not None and res.crd:
        crd = cluster.store.get("CustomResourceDefinition", None, res.crd)
        for v in ((crd or {}).get("spec") or {}).get("versions") or []:
            if isinstance(v, dict) and v.get("name") == res.version:
                crd_schema = (v.get("schema") or {}).get("openAPIV3Schema")
        if not isinstance(crd_schema, dict):
            crd_schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return fieldmanager.Schema(kind, status_subresource=status, crd_schema=crd_schema)


def now(cluster: Any) -> str:
    return rfc3339(cluster.now())


def track(cluster: Any, old: Obj | None, new: Obj, writer: Writer | None) -> None:
    """Set ``new``'s managedFields for a write of ``old`` → ``new`` (``old`` None: a create)."""
    md = new.setdefault("metadata", {})
    if writer is None:
        if old is not None and "managedFields" not in md and (old.get("metadata") or {}).get("managedFields"):
            md["managedFields"] = deep_copy(old["metadata"]["managedFields"])
        elif old is None and cluster.store.on_create is not None:
            cluster.store.on_create(new)  # a controller creating through the apiserver's door
        return
    if writer.applied is not None:
        if writer.applied:
            md["managedFields"] = deep_copy(list(writer.applied))
        else:
            md.pop("managedFields", None)
        return
    entries = fieldmanager.update_entries(old, new, manager=writer.manager, api_version=writer.api_version,
                                          subresource=writer.subresource, schema=schema_for(cluster, new["kind"]),
                                          now=now(cluster))
    if entries:
        md["managedFields"] = entries
    else:
        md.pop("managedFields", None)


def component_manager(controller: Any) -> str:
    """The manager a control-plane component writes as (its User-Agent's first word)."""
    name = type(controller).__name__
    if name == "Kubelet":
        return "kubelet"
    if name == "Scheduler":
        return "kube-scheduler"
    return "kube-controller-manager"


def component_tracker(cluster: Any) -> Any:
    """The store's ``on_replace``: a controller's write of an object the API wrote before (one
    with managedFields) is an Update by its component: what it changed of the status as through
    the ``status`` subresource, the rest through the resource (``scale`` for the
    HorizontalPodAutoscaler's replicas)."""
    return ComponentTracker(cluster)


@mypyc_attr(serializable=True)  # pickled in the demo snapshot (a closure would not be, compiled)
class ComponentTracker:
    """``component_tracker``'s callable."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster

    def __call__(self, old: Obj, new: Obj) -> None:
        cluster = self.cluster
        controller = cluster.component
        if controller is None:
            return
        rest_old = {k: v for k, v in old.items() if k not in ("status", "metadata")}
        rest_new = {k: v for k, v in new.items() if k not in ("status", "metadata")}
        md_old = {k: v for k, v in old["metadata"].items() if k not in ("managedFields", "resourceVersion", "generation")}
        md_new = {k: v for k, v in new["metadata"].items() if k not in ("managedFields", "resourceVersion", "generation")}
        res = cluster.api_resources().kind(new["kind"])
        api_version = res.api_version if res is not None else str(new.get("apiVersion") or "v1")
        manager = component_manager(controller)
        if manager == "kube-scheduler" and (old.get("spec") or {}).get("nodeName") != (new.get("spec") or {}).get("nodeName"):
            return  # a binding (pods/binding): the registry writes it, no field manager in the way
        status_changed = old.get("status") != new.get("status")
        has_status = res is not None and "status" in res.subresources
        if rest_old != rest_new or md_old != md_new or (status_changed and not has_status):
            sub = "scale" if type(controller).__name__ == "HorizontalPodAutoscalerController" else ""
            track(cluster, old, new, Writer(manager, api_version, sub))
        if status_changed and has_status:
            # the status part of the same write, as if through the status subresource
            base = {**old, "metadata": {**old["metadata"], "managedFields": new["metadata"].get("managedFields") or []}}
            track(cluster, base, new, Writer(manager, api_version, "status"))


def _owned_by_api(cluster: Any, obj: Obj) -> bool:
    """Whether an owner of ``obj`` has managedFields (was written through the API)."""
    md = obj.get("metadata") or {}
    for ref in md.get("ownerReferences") or []:
        kind, name = str(ref.get("kind")), str(ref.get("name"))
        owner = cluster.store.get(kind, md.get("namespace") or None, name) or cluster.store.get(kind, None, name)
        if owner is not None and owner["metadata"].get("managedFields") and meta.uid(owner) == ref.get("uid"):
            return True
    return False


def component_creator(cluster: Any) -> Any:
    """The store's ``on_create`` (and ``track`` of a create without a writer): what a controller
    creates for an owner the API wrote (a Deployment's ReplicaSets, their Pods) is an Update by
    its component. The simulator's own objects and their descendants stay without managedFields,
    which keeps warm-ups fast."""
    return ComponentCreator(cluster)


@mypyc_attr(serializable=True)  # pickled in the demo snapshot (a closure would not be, compiled)
class ComponentCreator:
    """``component_creator``'s callable."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster

    def __call__(self, obj: Obj) -> None:
        cluster = self.cluster
        controller = cluster.component
        if controller is None or (obj.get("metadata") or {}).get("managedFields") or not _owned_by_api(cluster, obj):
            return
        res = cluster.api_resources().kind(obj["kind"])
        api_version = res.api_version if res is not None else str(obj.get("apiVersion") or "v1")
        track(cluster, None, obj, Writer(component_manager(controller), api_version))
