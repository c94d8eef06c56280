"""How healthy an object looks, k9s style, as one word: ``ok``, ``warn``, ``error`` or
``completed`` (done and fine). The xray tree colours its nodes with it and the pulses view
counts it; both read the same rules (k9s's ``Healthy``/``validate`` functions, adapted)."""

from __future__ import annotations

import re
from typing import Any

from k9py.kube import meta
from k9py.view.printers_pod import node_status, pod_ready, pod_status_reason

Obj = dict[str, Any]
OK, WARN, ERROR, COMPLETED = "ok", "warn", "error", "completed"
MISSING = "missing"  # a reference (configmap, secret, ...) to an object that does not exist

_STARTING = {"Pending", "ContainerCreating", "PodInitializing", "Terminating"}
_FINE = {"Running", "Completed", "Succeeded"}
_INIT_PROGRESS = re.compile(r"Init:\d+/\d+$")


def _int(v: Any, default: int = 0) -> int:
    try:
        return default if v is None else int(v)
    except (TypeError, ValueError):
        return default


def pod(p: Obj, now: float = 0.0) -> str:
    """kubectl's STATUS read as health: Completed is done, Pending / ContainerCreating / Init:n/m
    and Running-but-not-ready are on their way (warn), CrashLoopBackOff, Error, ImagePullBackOff,
    Evicted, ... are errors."""
    if meta.is_deleting(p):
        return WARN
    status = pod_status_reason(p)  # kubectl's STATUS, without the cells that take time to format
    if status in ("Completed", "Succeeded"):
        return COMPLETED
    if status in _STARTING or _INIT_PROGRESS.match(status):
        return WARN
    if status not in _FINE:
        return ERROR
    ready, total = pod_ready(p)
    return OK if ready == total else WARN


def container(status: Obj, *, ready_needed: bool = True) -> str:
    """One container's state (a ``containerStatuses`` entry; empty: not started yet)."""
    state = status.get("state") or {}
    if "running" in state:
        return OK if status.get("ready") or not ready_needed else WARN
    if "terminated" in state:
        t = state["terminated"]
        return COMPLETED if _int(t.get("exitCode")) == 0 and t.get("reason") in (None, "Completed") else ERROR
    reason = (state.get("waiting") or {}).get("reason") or ""
    return WARN if reason in ("", "ContainerCreating", "PodInitializing") else ERROR


def _replicas(ready: int, desired: int) -> str:
    if ready >= desired:
        return OK
    return ERROR if ready == 0 else WARN


def workload(o: Obj) -> tuple[str, str]:
    """(health, info) of a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob: ready
    over desired (ok when all, error when none, warn in between)."""
    kind, spec, st = o.get("kind"), o.get("spec") or {}, o.get("status") or {}
    if kind == "Deployment":
        want, have = _int(spec.get("replicas"), 1), _int(st.get("availableReplicas"))
        health = _replicas(have, want)
        if health == OK and _int(st.get("unavailableReplicas")):
            health = WARN
        return health, f"{have}/{want}"
    if kind in ("ReplicaSet", "StatefulSet"):
        want, have = _int(spec.get("replicas"), 1), _int(st.get("readyReplicas"))
        return _replicas(have, want), f"{have}/{want}"
    if kind == "DaemonSet":
        want, have = _int(st.get("desiredNumberScheduled")), _int(st.get("numberAvailable"))
        return _replicas(have, want), f"{have}/{want}"
    if kind == "Job":
        conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
        done, want = _int(st.get("succeeded")), _int(spec.get("completions"), 1)
        info = f"{done}/{want}"
        if conds.get("Failed") == "True":
            return ERROR, info
        if conds.get("Complete") == "True" or (done >= want and not _int(st.get("active"))):
            return COMPLETED, info
        return (WARN if _int(st.get("failed")) else OK), info
    if kind == "CronJob":
        return (WARN if spec.get("suspend") else OK), f"{len(st.get('active') or [])} active"
    return OK, ""


def node(n: Obj) -> str:
    """Ready is ok, cordoned is a warning, not ready an error (k9s's ``Node.diagnose``)."""
    status = node_status(n).split(",")
    if "Ready" not in status:
        return ERROR
    return WARN if "SchedulingDisabled" in status else OK


def event(e: Obj) -> str:
    """k9s: an event that is not Normal is a fault."""
    return OK if (e.get("type") or "Normal") == "Normal" else WARN


def pvc(c: Obj) -> str:
    phase = (c.get("status") or {}).get("phase") or "Pending"
    return {"Bound": OK, "Pending": WARN}.get(phase, ERROR)


def of(o: Obj, now: float = 0.0) -> str:
    """The health of any object this module knows (others: ok; a deleting one: warn; one that
    does not read as its kind, from a recording or a server: error)."""
    try:
        return _of(o, now)
    except Exception:
        return ERROR


def _of(o: Obj, now: float) -> str:
    kind = o.get("kind")
    if kind == "Pod":
        return pod(o, now)
    if meta.is_deleting(o):
        return WARN
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"):
        return workload(o)[0]
    if kind == "Node":
        return node(o)
    if kind == "Event":
        return event(o)
    if kind == "PersistentVolumeClaim":
        return pvc(o)
    if kind == "Namespace":
        return OK if (o.get("status") or {}).get("phase", "Active") == "Active" else WARN
    return OK
