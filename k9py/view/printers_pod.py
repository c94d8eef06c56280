"""Pod and Node cells: ``printPod`` / ``printNode`` of pkg/printers/internalversion/printers.go."""

from __future__ import annotations

from typing import Any, NamedTuple

from k9py.kube.meta import dig
from k9py.kube.timefmt import human_duration
from k9py.view.printers_format import parse_ts, since

Obj = dict[str, Any]

NODE_UNREACHABLE_POD_REASON = "NodeLost"
_LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
_NODE_LABEL_ROLE = "kubernetes.io/role"


class PodSummary(NamedTuple):
    ready: int
    total: int
    reason: str
    restarts: int
    last_restart: float | None  # epoch seconds of the latest restart, None when unknown


def _is_restartable_init(container: Obj | None) -> bool:
    """A sidecar: an init container with ``restartPolicy: Always``."""
    return container is not None and container.get("restartPolicy") == "Always"


def _condition(conditions: list[Obj] | None, ctype: str) -> Obj | None:
    for c in conditions or []:
        if c.get("type") == ctype:
            return c
    return None


def _later(current: float | None, finished_at: str | None) -> float | None:
    t = parse_ts(finished_at)
    if t is None:
        return current
    return t if current is None or current < t else current


def pod_summary(pod: Obj) -> PodSummary:
    """The READY / STATUS / RESTARTS logic of ``printPod``, line by line."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    conditions = status.get("conditions") or []
    init_specs = spec.get("initContainers") or []
    restarts = 0
    sidecar_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart: float | None = None
    last_sidecar_restart: float | None = None

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for c in conditions:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_by_name = {c.get("name"): c for c in init_specs}
    total += sum(1 for c in init_specs if _is_restartable_init(c))

    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(cs.get("restartCount") or 0)
        last_term = dig(cs, "lastState", "terminated")
        if last_term is not None:
            last_restart = _later(last_restart, last_term.get("finishedAt"))
        sidecar = _is_restartable_init(init_by_name.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            if last_term is not None:
                last_sidecar_restart = _later(last_sidecar_restart, last_term.get("finishedAt"))
        state = cs.get("state") or {}
        term, waiting = state.get("terminated"), state.get("waiting")
        if term is not None and int(term.get("exitCode") or 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            if not term.get("reason"):
                if term.get("signal"):
                    reason = f"Init:Signal:{term['signal']}"
                else:
                    reason = f"Init:ExitCode:{int(term.get('exitCode') or 0)}"
            else:
                reason = "Init:" + term["reason"]
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    init_cond = _condition(conditions, "Initialized")
    if not initializing or (init_cond is not None and init_cond.get("status") == "True"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            last_term = dig(cs, "lastState", "terminated")
            if last_term is not None:
                last_restart = _later(last_restart, last_term.get("finishedAt"))
            state = cs.get("state") or {}
            term, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif term is not None and term.get("reason"):
                reason = term["reason"]
            elif term is not None:
                if term.get("signal"):
                    reason = f"Signal:{term['signal']}"
                else:
                    reason = f"ExitCode:{int(term.get('exitCode') or 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_cond = [c for c in conditions if c.get("type") == "Ready" and c.get("status") == "True"]
            reason = "Running" if ready_cond else "NotReady"

    deleting = bool(dig(pod, "metadata", "deletionTimestamp"))
    if deleting and status.get("reason") == NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return PodSummary(ready, total, reason, restarts, last_restart)


def pod_status_reason(pod: Obj) -> str:
    """STATUS as ``kubectl get pods`` shows it (``Running``, ``Init:0/1``, ``CrashLoopBackOff``…)."""
    return pod_summary(pod).reason


def pod_ready(pod: Obj) -> tuple[int, int]:
    """(ready, total) containers, the READY column's ``1/2``."""
    s = pod_summary(pod)
    return s.ready, s.total


def format_restarts(restarts: int, last_restart: float | None, now: float) -> str:
    if restarts != 0 and last_restart is not None:
        return f"{restarts} ({human_duration(now - last_restart)} ago)"
    return str(restarts)


def pod_restarts(pod: Obj, now: float) -> str:
    """RESTARTS: ``3`` or ``3 (2m5s ago)`` when the last restart time is known."""
    s = pod_summary(pod)
    return format_restarts(s.restarts, s.last_restart, now)


def pod_ip(pod: Obj) -> str:
    ips = dig(pod, "status", "podIPs") or []
    ip = (ips[0].get("ip") if ips else None) or dig(pod, "status", "podIP") or ""
    return ip or "<none>"


def gates_met(pod: Obj) -> tuple[int, int]:
    """(readiness gates whose condition is True, readiness gates)."""
    gates = dig(pod, "spec", "readinessGates") or []
    conditions = dig(pod, "status", "conditions") or []
    true = 0
    for g in gates:
        c = _condition(conditions, g.get("conditionType"))
        if c is not None and c.get("status") == "True":
            true += 1
    return true, len(gates)


def condition_true(pod: Obj, ctype: str) -> bool:
    c = _condition(dig(pod, "status", "conditions"), ctype)
    return c is not None and c.get("status") == "True"


def readiness_gates(pod: Obj) -> str:
    true, total = gates_met(pod)
    return f"{true}/{total}" if total else "<none>"


def pod_cells(pod: Obj, now: float, s: PodSummary | None = None) -> list[Any]:
    """kubectl's pod row; ``s``: the pod's ``pod_summary`` when the caller has it already."""
    if s is None:
        s = pod_summary(pod)
    return [
        dig(pod, "metadata", "name", default=""),
        f"{s.ready}/{s.total}",
        s.reason,
        format_restarts(s.restarts, s.last_restart, now),
        since(dig(pod, "metadata", "creationTimestamp"), now),
        pod_ip(pod),
        dig(pod, "spec", "nodeName") or "<none>",
        dig(pod, "status", "nominatedNodeName") or "<none>",
        readiness_gates(pod),
    ]


def pod_row_conditions(pod: Obj) -> list[Obj] | None:
    """Row conditions the apiserver attaches to finished pods."""
    phase = dig(pod, "status", "phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed",
                 "message": "The pod failed."}]
    return None


# --- nodes -------------------------------------------------------------------------------------

def node_status(node: Obj) -> str:
    """``Ready``, ``NotReady``, ``Unknown``, plus ``,SchedulingDisabled`` when cordoned."""
    by_type: dict[str, Obj] = {}
    for c in dig(node, "status", "conditions") or []:
        by_type[c.get("type", "")] = c
    status: list[str] = []
    ready = by_type.get("Ready")
    if ready is not None:
        status.append("Ready" if ready.get("status") == "True" else "NotReady")
    if not status:
        status.append("Unknown")
    if dig(node, "spec", "unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def node_roles(node: Obj) -> str:
    """ROLES from ``node-role.kubernetes.io/<role>`` and ``kubernetes.io/role`` labels."""
    roles: set[str] = set()
    for k, v in (dig(node, "metadata", "labels") or {}).items():
        if k.startswith(_LABEL_NODE_ROLE_PREFIX):
            role = k[len(_LABEL_NODE_ROLE_PREFIX):]
            if role:
                roles.add(role)
        elif k == _NODE_LABEL_ROLE and v:
            roles.add(v)
    return ",".join(sorted(roles)) or "<none>"


def node_address(node: Obj, addr_type: str) -> str:
    for a in dig(node, "status", "addresses") or []:
        if a.get("type") == addr_type:
            return a.get("address", "")
    return "<none>"


def node_cells(node: Obj, now: float) -> list[Any]:
    info = dig(node, "status", "nodeInfo") or {}
    return [
        dig(node, "metadata", "name", default=""),
        node_status(node),
        node_roles(node),
        since(dig(node, "metadata", "creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        node_address(node, "InternalIP"),
        node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]
