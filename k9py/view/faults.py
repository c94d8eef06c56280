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
