"""A pod condition as the components that set one write it (the scheduler's PodScheduled, the
eviction API's and the taint manager's DisruptionTarget): with the pod's generation it was set
at (``observedGeneration``, PodObservedGenerationTracking: GA in Kubernetes 1.35)."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def pod_condition(pod: Obj, type_: str, status: str, transition: str, reason: str | None = None,
                  message: str | None = None) -> Obj:
    """The condition ``type_`` of ``pod`` (its current version)."""
    return condition(type_, status, transition, reason, message, (pod.get("metadata") or {}).get("generation"))


def condition(type_: str, status: str, transition: Any, reason: str | None, message: str | None,
              generation: int | None) -> Obj:
    """A pod condition, keys in PodCondition's order; no observedGeneration without a
    generation (0 is left out, as omitempty does)."""
    cond: Obj = {"type": type_}
    if generation:
        cond["observedGeneration"] = generation
    cond["status"] = status
    cond["lastProbeTime"] = None
    cond["lastTransitionTime"] = transition
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond
