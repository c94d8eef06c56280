"""Conversions between the served versions of a built-in kind.

The simulator stores one version of each kind; the API also serves others, as the apiserver does:
``autoscaling/v1`` HorizontalPodAutoscalers (stored as ``autoscaling/v2``) and ``events.k8s.io/v1``
Events (stored as core ``v1``). ``convert`` turns a stored object into the version a request
names, ``to_storage`` a request's object into the stored version.

The rules are the apiserver's (``pkg/apis/autoscaling/v1/conversion.go``,
``pkg/apis/events/v1/conversion.go``): autoscaling/v1 has room for one CPU utilisation target
only, so the rest of a v2 spec and status round-trips through the
``autoscaling.alpha.kubernetes.io/*`` annotations; events.k8s.io/v1 renames core's fields
(``message`` → ``note``, ``involvedObject`` → ``regarding``, ``reportingComponent`` →
``reportingController``, ``source``/``firstTimestamp``/``lastTimestamp``/``count`` →
``deprecated*``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from k9py.kube.meta import deep_copy

Obj = dict[str, Any]

HPA = "HorizontalPodAutoscaler"
HPA_V1, HPA_V2 = "autoscaling/v1", "autoscaling/v2"
EVENTS_V1 = "events.k8s.io/v1"

METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics"
BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"
CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"
_ROUND_TRIP = (METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION)


def storage_version(api_version: str, kind: str) -> str:
    """The version the simulator stores ``kind`` of ``api_version`` in (itself when not converted)."""
    return _STORAGE.get((api_version, kind), api_version)


def convert(obj: Obj, api_version: str) -> Obj:
    """A stored object as ``api_version`` (the object itself when there is nothing to convert)."""
    fn = _FROM_STORAGE.get((obj.get("apiVersion", ""), api_version, obj.get("kind", "")))
    return fn(obj) if fn is not None else obj


def to_storage(obj: Obj) -> Obj:
    """A request's object in the version the simulator stores (itself when that is its version)."""
    fn = _TO_STORAGE.get((obj.get("apiVersion", ""), obj.get("kind", "")))
    # (a null metadata or spec is unset, as the typed decoder reads it; the other nulls are
    # dropped where the object enters the simulated apiserver, ``Cluster._prepare``)
    if fn is None or not isinstance(obj.get("metadata") or {}, dict) or not isinstance(obj.get("spec") or {}, dict):
        return obj
    return fn(obj)


def field_path_to_storage(api_version: str, kind: str, path: str) -> str:
    """A field selector's path for ``kind`` of ``api_version`` → the stored object's path."""
    if (api_version, kind) == (EVENTS_V1, "Event"):
        for new, old in _EVENT_FIELDS:
            if path == new or path.startswith(new + "."):
                return old + path[len(new):]
    return path


# -- autoscaling/v1 <-> v2 -------------------------------------------------------------------------
def _set(d: Obj, key: str, value: Any) -> None:
    if value is not None:
        d[key] = value


def _metric_spec_to_v1(m: Obj) -> Obj:
    t = m.get("type", "")
    out: Obj = {"type": t}
    if t in ("Resource", "ContainerResource"):
        src = m.get("resource" if t == "Resource" else "containerResource") or {}
        target = src.get("target") or {}
        v1: Obj = {"name": src.get("name", "")}
        if t == "ContainerResource":
            v1["container"] = src.get("container", "")
        _set(v1, "targetAverageUtilization", target.get("averageUtilization"))
        _set(v1, "targetAverageValue", target.get("averageValue"))
        out["resource" if t == "Resource" else "containerResource"] = v1
    elif t == "Pods":
        src = m.get("pods") or {}
        metric, target = src.get("metric") or {}, src.get("target") or {}
        v1 = {"metricName": metric.get("name", ""), "targetAverageValue": target.get("averageValue", "0")}
        _set(v1, "selector", metric.get("selector"))
        out["pods"] = v1
    elif t == "Object":
        src = m.get("object") or {}
        metric, target = src.get("metric") or {}, src.get("target") or {}
        v1 = {"target": src.get("describedObject") or {}, "metricName": metric.get("name", ""),
              "targetValue": target.get("value", "0")}
        _set(v1, "selector", metric.get("selector"))
        _set(v1, "averageValue", target.get("averageValue"))
        out["object"] = v1
    elif t == "External":
        src = m.get("external") or {}
        metric, target = src.get("metric") or {}, src.get("target") or {}
        v1 = {"metricName": metric.get("name", "")}
        _set(v1, "metricSelector", metric.get("selector"))
        _set(v1, "targetValue", target.get("value"))
        _set(v1, "targetAverageValue", target.get("averageValue"))
        out["external"] = v1
    return out


def _metric_spec_to_v2(m: Obj) -> Obj:
    t = m.get("type", "")
    out: Obj = {"type": t}
    if t in ("Resource", "ContainerResource"):
        key = "resource" if t == "Resource" else "containerResource"
        src = m.get(key) or {}
        target: Obj = {}
        if src.get("targetAverageUtilization") is not None:
            target = {"type": "Utilization", "averageUtilization": src["targetAverageUtilization"]}
        elif src.get("targetAverageValue") is not None:
            target = {"type": "AverageValue", "averageValue": src["targetAverageValue"]}
        v2: Obj = {"name": src.get("name", ""), "target": target}
        if t == "ContainerResource":
            v2["container"] = src.get("container", "")
        out[key] = v2
    elif t == "Pods":
        src = m.get("pods") or {}
        metric: Obj = {"name": src.get("metricName", "")}
        _set(metric, "selector", src.get("selector"))
        out["pods"] = {"metric": metric, "target": {"type": "AverageValue", "averageValue": src.get("targetAverageValue", "0")}}
    elif t == "Object":
        src = m.get("object") or {}
        metric = {"name": src.get("metricName", "")}
        _set(metric, "selector", src.get("selector"))
        target = ({"type": "AverageValue", "averageValue": src["averageValue"]} if src.get("averageValue") is not None
                  else {"type": "Value", "value": src.get("targetValue", "0")})
        out["object"] = {"describedObject": src.get("target") or {}, "metric": metric, "target": target}
    elif t == "External":
        src = m.get("external") or {}
        metric = {"name": src.get("metricName", "")}
        _set(metric, "selector", src.get("metricSelector"))
        target = ({"type": "AverageValue", "averageValue": src["targetAverageValue"]}
                  if src.get("targetAverageValue") is not None else {"type": "Value", "value": src.get("targetValue", "0")})
        out["external"] = {"metric": metric, "target": target}
    return out


def _metric_status_to_v1(m: Obj) -> Obj:
    t = m.get("type", "")
    out: Obj = {"type": t}
    if t in ("Resource", "ContainerResource"):
        key = "resource" if t == "Resource" else "containerResource"
        src = m.get(key) or {}
        current = src.get("current") or {}
        v1: Obj = {"name": src.get("name", ""), "currentAverageValue": current.get("averageValue", "0")}
        if t == "ContainerResource":
            v1["container"] = src.get("container", "")
        _set(v1, "currentAverageUtilization", current.get("averageUtilization"))
        out[key] = v1
    elif t == "Pods":
        src = m.get("pods") or {}
        metric, current = src.get("metric") or {}, src.get("current") or {}
        v1 = {"metricName": metric.get("name", ""), "currentAverageValue": current.get("averageValue", "0")}
        _set(v1, "selector", metric.get("selector"))
        out["pods"] = v1
    elif t == "Object":
        src = m.get("object") or {}
        metric, current = src.get("metric") or {}, src.get("current") or {}
        v1 = {"target": src.get("describedObject") or {}, "metricName": metric.get("name", ""),
              "currentValue": current.get("value", "0")}
        _set(v1, "selector", metric.get("selector"))
        _set(v1, "averageValue", current.get("averageValue"))
        out["object"] = v1
    elif t == "External":
        src = m.get("external") or {}
        metric, current = src.get("metric") or {}, src.get("current") or {}
        v1 = {"metricName": metric.get("name", ""), "currentValue": current.get("value", "0")}
        _set(v1, "metricSelector", metric.get("selector"))
        _set(v1, "currentAverageValue", current.get("averageValue"))
        out["external"] = v1
    return out


def _metric_status_to_v2(m: Obj) -> Obj:
    t = m.get("type", "")
    out: Obj = {"type": t}
    if t in ("Resource", "ContainerResource"):
        key = "resource" if t == "Resource" else "containerResource"
        src = m.get(key) or {}
        current: Obj = {}
        _set(current, "averageValue", src.get("currentAverageValue"))
        _set(current, "averageUtilization", src.get("currentAverageUtilization"))
        v2: Obj = {"name": src.get("name", ""), "current": current}
        if t == "ContainerResource":
            v2["container"] = src.get("container", "")
        out[key] = v2
    elif t == "Pods":
        src = m.get("pods") or {}
        metric: Obj = {"name": src.get("metricName", "")}
        _set(metric, "selector", src.get("selector"))
        out["pods"] = {"metric": metric, "current": {"averageValue": src.get("currentAverageValue", "0")}}
    elif t == "Object":
        src = m.get("object") or {}
        metric = {"name": src.get("metricName", "")}
        _set(metric, "selector", src.get("selector"))
        current = {"value": src.get("currentValue", "0")}
        _set(current, "averageValue", src.get("averageValue"))
        out["object"] = {"describedObject": src.get("target") or {}, "metric": metric, "current": current}
    elif t == "External":
        src = m.get("external") or {}
        metric = {"name": src.get("metricName", "")}
        _set(metric, "selector", src.get("metricSelector"))
        current = {"value": src.get("currentValue", "0")}
        _set(current, "averageValue", src.get("currentAverageValue"))
        out["external"] = {"metric": metric, "current": current}
    return out


def _is_cpu_utilization(m: Obj, field: str) -> bool:
    res = m.get("resource") or {}
    return (m.get("type") == "Resource" and res.get("name") == "cpu"
            and (res.get(field) or {}).get("averageUtilization") is not None)


def _hpa_v2_to_v1(obj: Obj) -> Obj:
    out: Obj = {k: deep_copy(v) for k, v in obj.items() if k not in ("spec", "status")}
    out["apiVersion"] = HPA_V1
    md: Obj = out.setdefault("metadata", {})
    ann = {k: v for k, v in (md.get("annotations") or {}).items() if k not in _ROUND_TRIP}
    spec: Obj = obj.get("spec") or {}
    v1spec: Obj = {"scaleTargetRef": deep_copy(spec.get("scaleTargetRef") or {})}
    _set(v1spec, "minReplicas", spec.get("minReplicas"))
    v1spec["maxReplicas"] = spec.get("maxReplicas", 0)
    other = []
    for m in spec.get("metrics") or []:
        if _is_cpu_utilization(m, "target") and "targetCPUUtilizationPercentage" not in v1spec:
            v1spec["targetCPUUtilizationPercentage"] = m["resource"]["target"]["averageUtilization"]
        else:
            other.append(_metric_spec_to_v1(m))
    if other:
        ann[METRICS_ANNOTATION] = json.dumps(other, separators=(",", ":"))
    if spec.get("behavior"):
        ann[BEHAVIOR_ANNOTATION] = json.dumps(spec["behavior"], separators=(",", ":"))
    out["spec"] = v1spec
    if "status" in obj:
        status: Obj = obj.get("status") or {}
        v1status: Obj = {}
        _set(v1status, "observedGeneration", status.get("observedGeneration"))
        _set(v1status, "lastScaleTime", status.get("lastScaleTime"))
        v1status["currentReplicas"] = status.get("currentReplicas", 0)
        v1status["desiredReplicas"] = status.get("desiredReplicas", 0)
        current = status.get("currentMetrics") or []
        for m in current:
            if _is_cpu_utilization(m, "current"):
                v1status["currentCPUUtilizationPercentage"] = m["resource"]["current"]["averageUtilization"]
                break
        if current:
            ann[CURRENT_METRICS_ANNOTATION] = json.dumps([_metric_status_to_v1(m) for m in current], separators=(",", ":"))
        if status.get("conditions"):
            ann[CONDITIONS_ANNOTATION] = json.dumps(status["conditions"], separators=(",", ":"))
        out["status"] = v1status
    if ann:
        md["annotations"] = ann
    else:
        md.pop("annotations", None)
    return out


def _annotation_list(ann: Obj, key: str) -> list[Any]:
    try:
        value = json.loads(ann.get(key) or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _hpa_v1_to_v2(obj: Obj) -> Obj:
    out: Obj = {k: deep_copy(v) for k, v in obj.items() if k not in ("spec", "status")}
    out["apiVersion"] = HPA_V2
    md: Obj = out.setdefault("metadata", {})
    all_ann: Obj = md.get("annotations") or {}
    ann = {k: v for k, v in all_ann.items() if k not in _ROUND_TRIP}
    spec: Obj = obj.get("spec") or {}
    v2spec: Obj = {"scaleTargetRef": deep_copy(spec.get("scaleTargetRef") or {})}
    _set(v2spec, "minReplicas", spec.get("minReplicas"))
    v2spec["maxReplicas"] = spec.get("maxReplicas", 0)
    metrics = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    metrics += [_metric_spec_to_v2(m) for m in _annotation_list(all_ann, METRICS_ANNOTATION) if isinstance(m, dict)]
    if metrics:
        v2spec["metrics"] = metrics
    try:
        behavior = json.loads(all_ann[BEHAVIOR_ANNOTATION]) if BEHAVIOR_ANNOTATION in all_ann else None
    except ValueError:
        behavior = None
    if isinstance(behavior, dict):
        v2spec["behavior"] = behavior
    out["spec"] = v2spec
    if "status" in obj:
        status: Obj = obj.get("status") or {}
        v2status: Obj = {}
        for k in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"):
            _set(v2status, k, status.get(k))
        current = [_metric_status_to_v2(m) for m in _annotation_list(all_ann, CURRENT_METRICS_ANNOTATION)
                   if isinstance(m, dict)]
        if not current and status.get("currentCPUUtilizationPercentage") is not None:
            current = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
        if current:
            v2status["currentMetrics"] = current
        conditions = _annotation_list(all_ann, CONDITIONS_ANNOTATION)
        if conditions:
            v2status["conditions"] = conditions
        out["status"] = v2status
    if ann:
        md["annotations"] = ann
    else:
        md.pop("annotations", None)
    return out


# -- events.k8s.io/v1 <-> core v1 ------------------------------------------------------------------
# (events.k8s.io/v1 name, core v1 name)
_EVENT_FIELDS = (("note", "message"), ("regarding", "involvedObject"), ("reportingController", "reportingComponent"),
                 ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
                 ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"))
_EVENT_SAME = ("metadata", "eventTime", "series", "reportingInstance", "action", "reason", "related", "type")


def _event_core_to_v1(obj: Obj) -> Obj:
    out: Obj = {"kind": "Event", "apiVersion": EVENTS_V1}
    for k in _EVENT_SAME:
        if obj.get(k) not in (None, "") or k in ("metadata", "eventTime"):
            out[k] = deep_copy(obj.get(k))
    # eventTime is events.k8s.io/v1's one field without omitempty
    for new, old in _EVENT_FIELDS:
        if obj.get(old) not in (None, "", 0, {}):
            out[new] = deep_copy(obj[old])
    return out


def _event_v1_to_core(obj: Obj) -> Obj:
    out: Obj = {"kind": "Event", "apiVersion": "v1"}
    for k in _EVENT_SAME:
        if k in obj:
            out[k] = deep_copy(obj[k])
    for new, old in _EVENT_FIELDS:
        if new in obj:
            out[old] = deep_copy(obj[new])
    out.setdefault("involvedObject", {})
    out.setdefault("reportingComponent", "")
    out.setdefault("reportingInstance", "")
    return out


_STORAGE: dict[tuple[str, str], str] = {(HPA_V1, HPA): HPA_V2, (EVENTS_V1, "Event"): "v1"}
# (stored apiVersion, requested apiVersion, kind) → converter
_FROM_STORAGE: dict[tuple[str, str, str], Callable[[Obj], Obj]] = {
    (HPA_V2, HPA_V1, HPA): _hpa_v2_to_v1,
    ("v1", EVENTS_V1, "Event"): _event_core_to_v1,
}
_TO_STORAGE: dict[tuple[str, str], Callable[[Obj], Obj]] = {
    (HPA_V1, HPA): _hpa_v1_to_v2,
    (EVENTS_V1, "Event"): _event_v1_to_core,
}
