"""k9s's ctrl-z, Toggle Faults: only the objects in trouble, those whose VALID cell says why
(k9s: ``model1.TableData.filterToast``), read as the xray tree and the pulses read health
(``view/health.py``): a warning or an error. A kind with no health rules has no faults."""

from __future__ import annotations

from typing import Any

from k9py.view import health

Obj = dict[str, Any]

JUDGED = frozenset({"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Node",
                    "Event", "PersistentVolumeClaim", "Namespace"})


def judged(kind: str) -> bool:
    """Whether objects of ``kind`` can be in fault."""
    return kind in JUDGED


def faulty(kind: str, obj: Obj) -> bool:
    """Whether ``obj`` (of ``kind``: a list's items may not say it) is in trouble."""
    if obj.get("kind") != kind:
        obj = {**obj, "kind": kind}
    return health.of(obj) in (health.WARN, health.ERROR)


# k9s's `z` on pods, Sanitize: the pods it deletes, by their STATUS (its dao ``toastPhases``)
SANITIZED = frozenset({"Completed", "Pending", "CrashLoopBackOff", "Error", "ImagePullBackOff",
                       "ContainerStatusUnknown", "Evicted", "OOMKilled"})


def sanitized(pods: list[Obj]) -> list[Obj]:
    """The pods k9s's Sanitize deletes: those whose STATUS is done or failing."""
    from k9py.view.printers_pod import pod_status_reason
    out = []
    for pod in pods:
        try:
            status = pod_status_reason(pod)
        except Exception:  # a malformed pod (a recording, a server): not judged, not deleted
            continue
        if status in SANITIZED:
            out.append(pod)
    return out
