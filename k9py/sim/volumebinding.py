"""kube-scheduler's VolumeBinding PreFilter: a pod whose PersistentVolumeClaims cannot be used
yet is not scheduled (pkg/scheduler/framework/plugins/volumebinding, podHasPVCs and
GetPodVolumeClaims). A claim that is missing, Lost or being deleted, or an unbound claim of
Immediate binding mode (no class, a class that does not exist, or an Immediate one), makes the
pod UnschedulableAndUnresolvable on every node; the scheduler tries it again when one of its
claims or a StorageClass changes (the plugin's queueing hints). An unbound claim of a
WaitForFirstConsumer class passes: the persistentvolume-controller provisions or binds it once
the pod has a node (``volume.kubernetes.io/selected-node``).
"""

from __future__ import annotations

from typing import Any

from k9py.kube import meta

Obj = dict[str, Any]

ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"


def claim_names(pod: Obj) -> list[str]:
    """The claims a pod's volumes name (``persistentVolumeClaim.claimName``)."""
    out = []
    for vol in (pod.get("spec") or {}).get("volumes") or ():
        src = vol.get("persistentVolumeClaim") if isinstance(vol, dict) else None
        if isinstance(src, dict) and isinstance(src.get("claimName"), str) and src["claimName"]:
            out.append(src["claimName"])
    return out


def prefilter(store: Any, pod: Obj, claims: list[str]) -> str | None:
    """Why the pod's ``claims`` keep it from every node (the plugin's PreFilter message), or None."""
    ns = meta.namespace(pod)
    pvcs = []
    for name in claims:
        pvc = store.get("PersistentVolumeClaim", ns, name)
        if pvc is None:
            return f'persistentvolumeclaim "{name}" not found'
        if meta.dig(pvc, "status", "phase") == "Lost":
            return (f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume '
                    f'"{meta.dig(pvc, "spec", "volumeName") or ""}"')
        if meta.is_deleting(pvc):
            return f'persistentvolumeclaim "{name}" is being deleted'
        pvcs.append(pvc)
    for pvc in pvcs:
        if _unbound_immediate(store, pvc):
            return UNBOUND_IMMEDIATE
    return None


def _unbound_immediate(store: Any, pvc: Obj) -> bool:
    """An unbound claim the scheduler cannot wait for (a pre-bound one counts as immediate)."""
    volume = meta.dig(pvc, "spec", "volumeName")
    if volume and meta.annotations(pvc).get(ANN_BIND_COMPLETED):
        return False
    cls = meta.dig(pvc, "spec", "storageClassName")
    sc = store.get("StorageClass", None, cls) if cls else None
    return bool(volume) or sc is None or sc.get("volumeBindingMode") != "WaitForFirstConsumer"
