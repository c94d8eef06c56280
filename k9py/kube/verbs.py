"""kubectl's verbs as pure builders: an object (and a request) in, the patch or object kubectl
would send out. ``Backend`` runs them through its primitives; nothing here does I/O.

Messages of the errors are kubectl's (or k9s's, for what kubectl has no verb for)."""

from __future__ import annotations

from typing import Any

from k9py.errors import K9pyError
from k9py.kube import meta, podcontainers, selectors
from k9py.kube.timefmt import rfc3339

Obj = dict[str, Any]

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
POD_TEMPLATE_HASH = "pod-template-hash"
INSTANTIATE = "cronjob.kubernetes.io/instantiate"


# -- scale -------------------------------------------------------------------------------------
def scale_patch(replicas: int) -> Obj:
    """``kubectl scale --replicas=N``: a merge patch of the ``scale`` subresource."""
    if isinstance(replicas, bool) or int(replicas) != replicas or replicas < 0:
        raise K9pyError(f"invalid replicas {replicas!r}: must be a non-negative integer")
    return {"spec": {"replicas": int(replicas)}}


def scale_of(obj: Obj) -> Obj:
    """The autoscaling/v1 ``Scale`` the apiserver serves for a scalable object."""
    md = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    sel = spec.get("selector")
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in md},
        "spec": {"replicas": int(spec.get("replicas", 1) or 0)},
        "status": {"replicas": int((obj.get("status") or {}).get("replicas", 0) or 0),
                   "selector": selectors.selector_string(sel) if sel else ""},
    }


# -- rollout restart ---------------------------------------------------------------------------
def restart_patch(now: float) -> Obj:
    """``kubectl rollout restart``: a strategic merge patch stamping the pod template."""
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: rfc3339(now)}}}}}


# -- cordon / uncordon ---------------------------------------------------------------------------
def cordon_patch(unschedulable: bool) -> Obj:
    """``kubectl cordon`` / ``uncordon``: the strategic merge patch (``null`` drops the field,
    as the Go type's ``omitempty`` false does)."""
    return {"spec": {"unschedulable": True if unschedulable else None}}


# -- set image -----------------------------------------------------------------------------------
def set_image_patch(obj: Obj, images: dict[str, str]) -> Obj:
    """``kubectl set image KIND/NAME c1=img1 …``: a strategic merge patch naming only the changed
    containers (init containers too); kubectl's error for a container the object lacks."""
    path = podcontainers.spec_path(obj.get("kind", ""))
    pod_spec = meta.dig(obj, *path) or {}
    patch: Obj = {}
    found: set[str] = set()
    for key in ("initContainers", "containers"):
        hits = [{"name": c["name"], "image": images[c["name"]]} for c in pod_spec.get(key) or []
                if c.get("name") in images]
        if hits:
            patch[key] = hits
            found.update(h["name"] for h in hits)
    missing = sorted(set(images) - found)
    if missing:
        raise K9pyError(f'unable to find container named "{missing[0]}"')
    for part in reversed(path):
        patch = {part: patch}
    return patch


# -- rollout undo --------------------------------------------------------------------------------
def rollback_target(rs: Obj) -> str:
    """The Deployment a ReplicaSet belongs to (rolling back to a ReplicaSet rolls that back)."""
    ref = meta.controller_ref(rs)
    if not ref or ref.get("kind") != "Deployment":
        raise K9pyError(f"replicaset {meta.name(rs)} is not owned by a deployment")
    return str(ref["name"])


def rollback_template(rs: Obj) -> Obj:
    """The ReplicaSet's pod template without the ``pod-template-hash`` label the controller added."""
    template = meta.deep_copy((rs.get("spec") or {}).get("template") or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(POD_TEMPLATE_HASH, None)
    return template


def rollback_patch(rs: Obj, deployment: Obj) -> list[Obj]:
    """``kubectl rollout undo deployment/D --to-revision=R`` (R: the ReplicaSet's revision): the
    JSON patch replacing the Deployment's template with the ReplicaSet's."""
    template = rollback_template(rs)
    if template == (deployment.get("spec") or {}).get("template"):
        raise K9pyError(f"deployment {meta.name(deployment)} is already at the revision of {meta.name(rs)}")
    return [{"op": "replace", "path": "/spec/template", "value": template}]


# -- cronjobs ------------------------------------------------------------------------------------
def job_from_cronjob(cj: Obj) -> Obj:
    """k9s's trigger, ``kubectl create job NAME-manual-xxx --from=cronjob/NAME``: the Job of the
    CronJob's template, owned by it, annotated as instantiated by hand. The server completes
    the name (``generateName``)."""
    jt = meta.deep_copy((cj.get("spec") or {}).get("jobTemplate") or {})
    jmd = jt.get("metadata") or {}
    annotations = dict(jmd.get("annotations") or {})
    annotations[INSTANTIATE] = "manual"
    md: Obj = {"generateName": f"{meta.name(cj)[:42]}-manual-", "namespace": meta.namespace(cj),
               "annotations": annotations, "ownerReferences": [meta.owner_reference(cj)]}
    if jmd.get("labels"):
        md["labels"] = dict(jmd["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": md, "spec": jt.get("spec") or {}}


def suspend_patch(suspend: bool) -> Obj:
    """k9s's suspend / resume of a CronJob."""
    return {"spec": {"suspend": bool(suspend)}}


# -- delete / evict ------------------------------------------------------------------------------
def delete_options(grace_period: int | None = None, propagation: str | None = None) -> Obj:
    """The DeleteOptions body of ``kubectl delete`` (Background propagation by default)."""
    body: Obj = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation or "Background"}
    if grace_period is not None:
        body["gracePeriodSeconds"] = int(grace_period)
    return body


def eviction(namespace: str, pod: str, grace_period: int | None = None) -> Obj:
    """The policy/v1 Eviction ``kubectl drain`` posts for each pod."""
    body: Obj = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod, "namespace": namespace}}
    if grace_period is not None:
        body["deleteOptions"] = {"gracePeriodSeconds": int(grace_period)}
    return body
