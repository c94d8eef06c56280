"""HorizontalPodAutoscaler (autoscaling/v2): kube-controller-manager's podautoscaler
(pkg/controller/podautoscaler: horizontal.go, replica_calculator.go) over the simulator's metrics.

Every HPA is synced every 15 s of virtual time (the controller's resync period; the first sync
15 s after it appears). A sync reads the target's scale (Deployment, StatefulSet, ReplicaSet,
ReplicationController), computes a replica count per metric from what metrics-server would
report (``sim/metrics.py``: the numbers ``kubectl top`` shows, workloads' ``k9py.sim/cpu-load``
included) against the pods' requests — desired = ceil(ready pods × usage / target), nothing
within the 0.1 tolerance, unready and missing pods counted as the upstream calculator does —
takes the highest, stabilises it (scale-down: the highest recommendation of the last 300 s; or
the ``behavior``'s windows and policies), bounds it by min/maxReplicas, writes the scale and
reports: status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime), the
AbleToScale / ScalingActive / ScalingLimited conditions and the events (SuccessfulRescale,
FailedGetResourceMetric, FailedComputeMetricsReplicas, FailedGetScale) with upstream's words.
Custom and external metrics have no API here: those metrics fail like on a cluster without one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, quantity, selectors
from k9py.kube.meta import dig
from k9py.kube.status import invalid
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim import metrics as sim_metrics
from k9py.sim.admission import admits
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

KIND = "HorizontalPodAutoscaler"
COMPONENT = "horizontal-pod-autoscaler"
SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
TOLERANCE = 0.1  # --horizontal-pod-autoscaler-tolerance
DOWNSCALE_WINDOW = 300.0  # --horizontal-pod-autoscaler-downscale-stabilization
CPU_INITIALIZATION_PERIOD = 300.0  # --horizontal-pod-autoscaler-cpu-initialization-period
INITIAL_READINESS_DELAY = 30.0  # --horizontal-pod-autoscaler-initial-readiness-delay
DEFAULT_CPU_UTILIZATION = 80
SCALE_UP_LIMIT_FACTOR, SCALE_UP_LIMIT_MINIMUM = 2.0, 4.0
SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
NO_CUSTOM_METRICS = "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
NO_EXTERNAL_METRICS = "unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered"


# -- admission (the apiserver's defaults and validation) ---------------------------------------
def default_scale_up() -> Obj:
    return {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                         {"type": "Percent", "value": 100, "periodSeconds": 15}]}


def default_scale_down() -> Obj:  # the window stays unset: the controller's flag (300 s) applies
    return {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _default_rules(rules: Any, default: Obj) -> Obj:
    if not isinstance(rules, dict):
        return default
    out = dict(rules)
    if out.get("selectPolicy") is None:
        out["selectPolicy"] = default["selectPolicy"]
    if not out.get("policies"):
        out["policies"] = default["policies"]
    if out.get("stabilizationWindowSeconds") is None and "stabilizationWindowSeconds" in default:
        out["stabilizationWindowSeconds"] = default["stabilizationWindowSeconds"]
    return out


@admits(KIND)
def _admit_hpa(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    name = meta.name(obj)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise invalid(KIND, name, [("spec", "Required value")])
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    if isinstance(spec.get("behavior"), dict):
        b = spec["behavior"]
        b["scaleUp"] = _default_rules(b.get("scaleUp"), default_scale_up())
        b["scaleDown"] = _default_rules(b.get("scaleDown"), default_scale_down())
    errs: list[tuple[str, str]] = []
    ref = spec.get("scaleTargetRef")
    if not isinstance(ref, dict):
        errs.append(("spec.scaleTargetRef", "Required value"))
    else:
        if not ref.get("kind"):
            errs.append(("spec.scaleTargetRef.kind", "Required value"))
        if not ref.get("name"):
            errs.append(("spec.scaleTargetRef.name", "Required value"))
    lo, hi = spec.get("minReplicas"), spec.get("maxReplicas")
    if not isinstance(lo, int) or isinstance(lo, bool) or lo < 1:
        errs.append(("spec.minReplicas", f"Invalid value: {lo}: must be greater than or equal to 1"))
    if not isinstance(hi, int) or isinstance(hi, bool) or hi < 1:
        errs.append(("spec.maxReplicas", f"Invalid value: {hi}: must be greater than 0"))
    elif isinstance(lo, int) and hi < lo:
        errs.append(("spec.maxReplicas", f"Invalid value: {hi}: must be greater than or equal to `minReplicas`"))
    for i, m in enumerate(spec.get("metrics") or []):
        target = dig(m, "resource", "target") if isinstance(m, dict) and m.get("type") == "Resource" else None
        if isinstance(target, dict) and target.get("type") == "Utilization":
            u = target.get("averageUtilization")
            if not isinstance(u, int) or isinstance(u, bool) or u < 1:
                errs.append((f"spec.metrics[{i}].resource.target.averageUtilization",
                             f"Invalid value: {u}: must be greater than 0"))
    if errs:
        raise invalid(KIND, name, errs)
    if old is None:  # the apiserver resets the status on create
        obj["status"] = {"desiredReplicas": 0}


# -- quantities ----------------------------------------------------------------------------------
def milli_quantity(m: int) -> str:
    """``resource.NewMilliQuantity(m, DecimalSI).String()``: 250 → ``250m``, 2000 → ``2``,
    100000000000 (100M in milli) → ``100M``."""
    if m % 1000:
        return f"{m}m"
    v, exp = m // 1000, 0
    while v and v % 1000 == 0 and exp < 18:
        v //= 1000
        exp += 3
    return f"{v}{ {0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E'}[exp]}"


def _milli(q: Any) -> int:
    try:
        return int(quantity.parse(q) * 1000)
    except (ValueError, TypeError):
        return 0


class MetricError(Exception):
    """A metric that could not be computed: ``reason`` for the event and the condition."""

    def __init__(self, reason: str, message: str, inner: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.inner = inner if inner is not None else message  # what the event and condition say


# -- the replica calculator ----------------------------------------------------------------------
class _PodMetric:
    __slots__ = ("timestamp", "value")

    def __init__(self, value: int, timestamp: float) -> None:
        self.value = value
        self.timestamp = timestamp


def _pod_metrics(cluster: Cluster, pods: list[Obj], resource: str, container: str,
                 loads: sim_metrics.Loads) -> dict[str, _PodMetric]:
    """What the resource metrics API reports per pod, in milli-units (cpu: millicores; memory:
    milli-bytes, as Quantity.MilliValue), for pods whose every (named) container reports."""
    now = cluster.now()
    stamp = math.floor(now / sim_metrics.WINDOW) * sim_metrics.WINDOW
    out: dict[str, _PodMetric] = {}
    for pod in pods:
        usage = sim_metrics.pod_usage(cluster.seed, pod, now, loads)
        if not usage:
            continue
        total = 0
        found = False
        for cname, u in usage.items():
            if container and cname != container:
                continue
            found = True
            total += u.cpu_nanos // 1_000_000 if resource == "cpu" else u.memory_bytes * 1000
        if container and not found:
            continue
        out[meta.name(pod)] = _PodMetric(total, stamp)
    return out


def _group_pods(pods: list[Obj], metrics: dict[str, _PodMetric], resource: str,
                now: float) -> tuple[int, set[str], set[str], set[str]]:
    """groupPods: (ready count, unready, missing, ignored)."""
    ready, unready, missing, ignored = 0, set(), set(), set()
    for pod in pods:
        name = meta.name(pod)
        phase = dig(pod, "status", "phase")
        if meta.is_deleting(pod) or phase == "Failed":
            ignored.add(name)
            continue
        if phase == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource == "cpu":
            cond = next((c for c in dig(pod, "status", "conditions") or [] if c.get("type") == "Ready"), None)
            start = parse_time(dig(pod, "status", "startTime"))
            if cond is None or start is None:
                is_unready = True
            else:
                changed = parse_time(cond.get("lastTransitionTime")) or start
                if start + CPU_INITIALIZATION_PERIOD > now:
                    is_unready = cond.get("status") == "False" or metric.timestamp < changed + sim_metrics.WINDOW
                else:
                    is_unready = cond.get("status") == "False" and start + INITIAL_READINESS_DELAY > changed
            if is_unready:
                unready.add(name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def _requests(pods: list[Obj], resource: str, container: str) -> dict[str, int]:
    """calculatePodRequests (milli-units); the error upstream gives for a container without one."""
    out: dict[str, int] = {}
    for pod in pods:
        spec = pod.get("spec") or {}
        total = 0
        cs = list(spec.get("containers") or [])
        cs += [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
        for c in cs:
            if container and c.get("name") != container:
                continue
            req = dig(c, "resources", "requests", resource)
            if req in (None, ""):
                raise MetricError("", f"missing request for {resource} in container {c.get('name', '')} of Pod {meta.name(pod)}")
            total += _milli(req)
        out[meta.name(pod)] = total
    return out


def _utilization_ratio(metrics: dict[str, _PodMetric], requests: dict[str, int],
                       target: int) -> tuple[float, int, int]:
    """GetResourceUtilizationRatio: (ratio, utilization %, raw average)."""
    total = req_total = n = 0
    for name, m in metrics.items():
        if name not in requests:
            continue
        total += m.value
        req_total += requests[name]
        n += 1
    if req_total == 0:
        raise MetricError("", "no metrics returned matched known pods")
    utilization = int(total * 100 / req_total)
    return utilization / target, utilization, total // n


def _usage_ratio(metrics: dict[str, _PodMetric], target: int) -> tuple[float, int]:
    """GetMetricUsageRatio: (ratio, average)."""
    avg = sum(m.value for m in metrics.values()) // len(metrics)
    return avg / target, avg


def resource_replicas(cluster: Cluster, current: int, pods: list[Obj], resource: str, container: str,
                      *, utilization: int | None = None, average: int | None = None,
                      loads: sim_metrics.Loads | None = None) -> tuple[int, int | None, int]:
    """GetResourceReplicas (``utilization``: a percentage of requests) or GetRawResourceReplicas
    (``average``: milli-units): (replicas, utilization or None, raw average). MetricError when
    the metrics cannot give a count."""
    if cluster.state.get(sim_metrics.DISABLED_STATE):
        raise MetricError("", f"unable to get metrics for resource {resource}: unable to fetch metrics from resource metrics API: "
                              "the server could not find the requested resource (get pods.metrics.k8s.io)")
    metrics = _pod_metrics(cluster, pods, resource, container, loads or {})
    if not metrics:
        raise MetricError("", f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise MetricError("", "no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = _group_pods(pods, metrics, resource, cluster.now())
    for name in ignored | unready:
        metrics.pop(name, None)
    if not metrics:
        raise MetricError("", "did not receive metrics for targeted pods (pods might be unready)")
    if utilization is not None:
        requests = _requests(pods, resource, container)
        ratio, util, raw = _utilization_ratio(metrics, requests, utilization)
        missing_fill = requests  # scale-down: missing pods use max(100%, target) of their request
    else:
        assert average is not None
        ratio, raw = _usage_ratio(metrics, average)
        util = None
    up_with_unready = bool(unready) and ratio > 1.0
    if not up_with_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current, util, raw
        return math.ceil(ratio * ready), util, raw
    for name in missing:
        if ratio < 1.0:
            if utilization is not None:
                metrics[name] = _PodMetric(missing_fill.get(name, 0) * max(100, utilization) // 100, 0.0)
            else:
                metrics[name] = _PodMetric(average or 0, 0.0)
        elif ratio > 1.0 or utilization is None:
            metrics[name] = _PodMetric(0, 0.0)
    if up_with_unready:
        for name in unready:
            metrics[name] = _PodMetric(0, 0.0)
    if utilization is not None:
        new_ratio = _utilization_ratio(metrics, requests, utilization)[0]
    else:
        new_ratio = _usage_ratio(metrics, average or 1)[0]
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current, util, raw
    new = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1.0 and new > current) or (new_ratio > 1.0 and new < current):
        return current, util, raw
    return new, util, raw


# -- conditions ---------------------------------------------------------------------------------
def set_condition(hpa: Obj, type_: str, status: str, reason: str, message: str, now: float) -> None:
    """setConditionInList: lastTransitionTime moves only when the status changes."""
    conds = hpa.setdefault("status", {}).setdefault("conditions", [])
    cond = next((c for c in conds if c.get("type") == type_), None)
    if cond is None:
        cond = {"type": type_}
        conds.append(cond)
    if cond.get("status") != status:
        cond["lastTransitionTime"] = rfc3339(now)
    cond["status"], cond["reason"], cond["message"] = status, reason, message


# -- the controller -----------------------------------------------------------------------------
class HorizontalPodAutoscalerController(Controller):
    name = "horizontal-pod-autoscaler"
    watches = (KIND,)

    def reconcile(self, cluster: Cluster) -> None:
        state: dict[str, Obj] = cluster.state.setdefault("hpa", {})
        now = cluster.now()
        seen: set[str] = set()
        for hpa in cluster.store.list(KIND):
            uid = meta.uid(hpa)
            seen.add(uid)
            st = state.get(uid)
            if st is None:
                created = parse_time(hpa["metadata"].get("creationTimestamp")) or now
                st = state[uid] = {"next": max(created + SYNC_PERIOD, now), "recommendations": [],
                                   "up_events": [], "down_events": [], "asked": None}
            if meta.is_deleting(hpa):
                continue
            if now >= st["next"]:
                self._sync(cluster, hpa, st, now)
                st["next"] = now + SYNC_PERIOD
            if st["asked"] != st["next"]:
                st["asked"] = st["next"]
                cluster.wake_at(st["next"])
        for uid in [u for u in state if u not in seen]:
            del state[uid]

    # one sync: reconcileAutoscaler --------------------------------------------------------------
    def _sync(self, cluster: Cluster, stored: Obj, st: Obj, now: float) -> None:
        hpa = meta.deep_copy(stored)
        ns = meta.namespace(hpa)
        spec = hpa.get("spec") or {}
        status = hpa.setdefault("status", {})
        ref = spec.get("scaleTargetRef") or {}
        target, err = self._target(cluster, ns, ref)
        if target is None:
            cluster.record_event(stored, "Warning", "FailedGetScale", err, COMPONENT)
            set_condition(hpa, "AbleToScale", "False", "FailedGetScale",
                          f"the HPA controller was unable to get the target's current scale: {err}", now)
            self._write(cluster, stored, hpa)
            return
        set_condition(hpa, "AbleToScale", "True", "SucceededGetScale",
                      "the HPA controller was able to get the target's current scale", now)
        current = int(dig(target, "spec", "replicas", default=1) or 0)
        lo = int(spec.get("minReplicas") or 1)
        hi = int(spec.get("maxReplicas") or 1)
        metric_statuses: list[Obj] = []
        reason = ""
        rescale = True
        desired = 0
        if current == 0 and lo != 0:
            rescale = False
            set_condition(hpa, "ScalingActive", "False", "ScalingDisabled",
                          "scaling is disabled since the replica count of the target is zero", now)
        elif current > hi:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", hi
        elif current < lo:
            reason, desired = "Current number of replicas below Spec.MinReplicas", lo
        else:
            proposal, metric, metric_statuses, failure = self._replicas_for_metrics(cluster, hpa, target, stored, now)
            if failure is not None:
                status.update(currentReplicas=current, currentMetrics=metric_statuses or None)
                if status.get("currentMetrics") is None:
                    status.pop("currentMetrics", None)
                status.setdefault("desiredReplicas", 0)
                cluster.record_event(stored, "Warning", "FailedComputeMetricsReplicas", failure, COMPONENT)
                self._write(cluster, stored, hpa)
                return
            if proposal > desired:
                desired = proposal
            if desired > current:
                reason = f"{metric} above target"
            if desired < current:
                reason = "All metrics below target"
            if spec.get("behavior") is None:
                desired = self._normalize(hpa, st, current, desired, lo, hi, now)
            else:
                desired = self._normalize_with_behavior(hpa, st, current, desired, lo, hi, now)
            rescale = desired != current
        if rescale:
            self._scale(cluster, target, desired)
            set_condition(hpa, "AbleToScale", "True", "SucceededRescale",
                          f"the HPA controller was able to update the target scale to {desired}", now)
            cluster.record_event(stored, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}", COMPONENT)
            self._store_scale_event(spec.get("behavior"), st, current, desired, now)
        else:
            desired = current
        status["currentReplicas"] = current
        status["desiredReplicas"] = desired
        if metric_statuses:
            status["currentMetrics"] = metric_statuses
        else:
            status.pop("currentMetrics", None)
        if rescale:
            status["lastScaleTime"] = rfc3339(now)
        self._write(cluster, stored, hpa)

    @staticmethod
    def _write(cluster: Cluster, stored: Obj, hpa: Obj) -> None:
        status = hpa["status"]
        cluster.store.mutate(KIND, meta.namespace(stored), meta.name(stored),
                             lambda o: o.__setitem__("status", status))

    @staticmethod
    def _target(cluster: Cluster, ns: str, ref: Obj) -> tuple[Obj | None, str]:
        kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
        api_version = str(ref.get("apiVersion") or "")
        group = api_version.split("/", 1)[0] if "/" in api_version else ""
        res = cluster.api_resources().kind(kind)
        if res is None or res.group != group:
            return None, f'no matches for kind "{kind}" in group "{group}"'
        if kind not in SCALABLE:
            return None, "the server could not find the requested resource"
        obj = cluster.store.get(kind, ns, name)
        if obj is None:
            gr = f"{res.plural}/scale.{res.group}" if res.group else f"{res.plural}/scale"
            return None, f'{gr} "{name}" not found'
        return obj, ""

    @staticmethod
    def _scale(cluster: Cluster, target: Obj, replicas: int) -> None:
        """An update of the target's scale subresource: spec.replicas."""
        cluster.store.mutate(target["kind"], meta.namespace(target), meta.name(target),
                             lambda o: o.setdefault("spec", {}).__setitem__("replicas", replicas))

    # computeReplicasForMetrics ------------------------------------------------------------------
    def _replicas_for_metrics(self, cluster: Cluster, hpa: Obj, target: Obj, stored: Obj,
                              now: float) -> tuple[int, str, list[Obj], str | None]:
        """(replicas, metric name, statuses, error for FailedComputeMetricsReplicas or None)."""
        specs = dig(hpa, "spec", "metrics") or []
        sel_obj = dig(target, "spec", "selector")
        if target["kind"] == "ReplicationController" and isinstance(sel_obj, dict):
            sel_obj = {"matchLabels": sel_obj}
        if not sel_obj:
            cluster.record_event(stored, "Warning", "SelectorRequired", "selector is required", COMPONENT)
            set_condition(hpa, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector", now)
            return -1, "", [], "selector is required"
        sel = selectors.from_label_selector(sel_obj)
        ns = meta.namespace(hpa)
        pods = [p for p in cluster.store.list("Pod", ns) if selectors.matches(sel, meta.labels(p))]
        spec_replicas = int(dig(target, "spec", "replicas", default=1) or 0)
        loads = sim_metrics.load_shares(cluster)
        statuses: list[Obj] = []
        replicas, metric = 0, ""
        invalid_count, first_err, first_cond = 0, "", ("", "")
        for m in specs:
            try:
                proposal, name, mstatus = self._replicas_for_metric(cluster, m, spec_replicas, pods, loads)
            except MetricError as e:
                cluster.record_event(stored, "Warning", e.reason, e.inner, COMPONENT)
                statuses.append({"type": ""})
                if invalid_count == 0:
                    first_err = str(e)
                    first_cond = (e.reason, f"the HPA was unable to compute the replica count: {e.inner}")
                invalid_count += 1
                continue
            statuses.append(mstatus)
            if replicas == 0 or proposal > replicas:
                replicas, metric = proposal, name
        if invalid_count and (invalid_count >= len(specs) or replicas < spec_replicas):
            set_condition(hpa, "ScalingActive", "False", first_cond[0], first_cond[1], now)
            return -1, "", statuses, f"invalid metrics ({invalid_count} invalid out of {len(specs)}), first error is: {first_err}"
        set_condition(hpa, "ScalingActive", "True", "ValidMetricFound",
                      f"the HPA was able to successfully calculate a replica count from {metric}", now)
        return replicas, metric, statuses, None

    @staticmethod
    def _replicas_for_metric(cluster: Cluster, m: Obj, current: int, pods: list[Obj],
                             loads: sim_metrics.Loads) -> tuple[int, str, Obj]:
        mtype = m.get("type")
        if mtype in ("Resource", "ContainerResource"):
            key = "resource" if mtype == "Resource" else "containerResource"
            src = m.get(key) or {}
            resource, container = str(src.get("name") or ""), str(src.get("container") or "")
            target = src.get("target") or {}
            label = f"{resource} resource" if mtype == "Resource" else f"{resource} container resource"
            reason = "FailedGetResourceMetric" if mtype == "Resource" else "FailedGetContainerResourceMetric"
            outer = f"failed to get {resource} resource metric value" if mtype == "Resource" else \
                f"failed to get {resource} container metric value"
            if target.get("averageValue") is not None:
                try:
                    replicas, _, raw = resource_replicas(cluster, current, pods, resource, container,
                                                         average=_milli(target["averageValue"]), loads=loads)
                except MetricError as e:
                    raise MetricError(reason, f"{outer}: failed to get {resource} usage: {e}",
                                      f"failed to get {resource} usage: {e}") from None
                current_status: Obj = {"averageValue": milli_quantity(raw)}
                name = label
            else:
                util_target = target.get("averageUtilization")
                if util_target is None:
                    msg = "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"
                    raise MetricError(reason, f"{outer}: {msg}", msg)
                try:
                    replicas, util, raw = resource_replicas(cluster, current, pods, resource, container,
                                                            utilization=int(util_target), loads=loads)
                except MetricError as e:
                    raise MetricError(reason, f"{outer}: failed to get {resource} utilization: {e}",
                                      f"failed to get {resource} utilization: {e}") from None
                current_status = {"averageUtilization": util, "averageValue": milli_quantity(raw)}
                name = f"{label} utilization (percentage of request)"
            status_src: Obj = {"name": resource, "current": current_status}
            if container:
                status_src["container"] = container
            return replicas, name, {"type": mtype, key: status_src}
        if mtype == "Pods":
            metric = str(dig(m, "pods", "metric", "name") or "")
            inner = f"unable to get metric {metric}: {NO_CUSTOM_METRICS}"
            raise MetricError("FailedGetPodsMetric", f"failed to get pods metric value: {inner}", inner)
        if mtype == "Object":
            metric = str(dig(m, "object", "metric", "name") or "")
            inner = f"unable to get metric {metric}: {NO_CUSTOM_METRICS}"
            raise MetricError("FailedGetObjectMetric", f"failed to get object metric value: {inner}", inner)
        if mtype == "External":
            metric = str(dig(m, "external", "metric", "name") or "")
            inner = f"unable to get external metric {metric}: {NO_EXTERNAL_METRICS}"
            raise MetricError("FailedGetExternalMetric", f"failed to get external metric value: {inner}", inner)
        msg = f"unknown metric source type {mtype!r}"
        raise MetricError("InvalidMetricSourceType", msg, msg)

    # normalizeDesiredReplicas (no behavior) ------------------------------------------------------
    @staticmethod
    def _normalize(hpa: Obj, st: Obj, current: int, desired: int, lo: int, hi: int, now: float) -> int:
        recs: list[list[float]] = st["recommendations"]
        stabilized = desired
        old_index = -1
        cutoff = now - DOWNSCALE_WINDOW
        for i, (rec, t) in enumerate(recs):
            if t < cutoff:
                old_index = i
            elif rec > stabilized:
                stabilized = int(rec)
        if old_index >= 0:
            recs[old_index] = [desired, now]
        else:
            recs.append([desired, now])
        if stabilized != desired:
            set_condition(hpa, "AbleToScale", "True", "ScaleDownStabilized",
                          "recent recommendations were higher than current one, applying the highest recent recommendation", now)
        else:
            set_condition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now)
        up_limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
        if hi > up_limit:
            maximum, cond, msg = up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
        else:
            maximum, cond, msg = hi, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if stabilized < lo:
            result, cond, msg = lo, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        elif stabilized > maximum:
            result = maximum
        else:
            result, cond, msg = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        set_condition(hpa, "ScalingLimited", "False" if result == stabilized else "True", cond, msg, now)
        return result

    # normalizeDesiredReplicasWithBehaviors ------------------------------------------------------
    def _normalize_with_behavior(self, hpa: Obj, st: Obj, current: int, desired: int, lo: int, hi: int,
                                 now: float) -> int:
        behavior = dig(hpa, "spec", "behavior") or {}
        up = behavior.get("scaleUp") or default_scale_up()
        down = behavior.get("scaleDown") or default_scale_down()
        up_window = float(up.get("stabilizationWindowSeconds") or 0)
        down_window = down.get("stabilizationWindowSeconds")
        down_window = DOWNSCALE_WINDOW if down_window is None else float(down_window)
        recs: list[list[float]] = st["recommendations"]
        up_rec, down_rec = desired, desired
        up_cut, down_cut = now - up_window, now - down_window
        old_index = -1
        for i, (rec, t) in enumerate(recs):
            if t > up_cut:
                up_rec = min(int(rec), up_rec)
            if t > down_cut:
                down_rec = max(int(rec), down_rec)
            if t < up_cut and t < down_cut:
                old_index = i
        stabilized = current
        stabilized = max(stabilized, up_rec)
        stabilized = min(stabilized, down_rec)
        if old_index >= 0:
            recs[old_index] = [desired, now]
        else:
            recs.append([desired, now])
        if stabilized != desired:
            if desired >= current:
                set_condition(hpa, "AbleToScale", "True", "ScaleUpStabilized",
                              "recent recommendations were lower than current one, applying the lowest recent recommendation", now)
            else:
                set_condition(hpa, "AbleToScale", "True", "ScaleDownStabilized",
                              "recent recommendations were higher than current one, applying the highest recent recommendation", now)
        else:
            set_condition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now)
        result, cond, msg = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        if stabilized > current:
            limit = max(_scale_up_limit(current, st, up, now), current)
            if hi > limit:
                maximum, c, m = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
            else:
                maximum, c, m = hi, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
            if stabilized > maximum:
                result, cond, msg = maximum, c, m
        elif stabilized < current:
            limit = min(_scale_down_limit(current, st, down, now), current)
            if lo < limit:
                minimum, c, m = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
            else:
                minimum, c, m = lo, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
            if stabilized < minimum:
                result, cond, msg = minimum, c, m
        set_condition(hpa, "ScalingLimited", "False" if result == stabilized else "True", cond, msg, now)
        return result

    @staticmethod
    def _store_scale_event(behavior: Obj | None, st: Obj, before: int, after: int, now: float) -> None:
        if behavior is None:
            return
        if after > before:
            events, rules, change = st["up_events"], behavior.get("scaleUp") or default_scale_up(), after - before
        else:
            events, rules, change = st["down_events"], behavior.get("scaleDown") or default_scale_down(), before - after
        longest = max((int(p.get("periodSeconds") or 0) for p in rules.get("policies") or []), default=0)
        for i, (_, t) in enumerate(events):
            if t + longest < now:  # outdated: reuse its slot
                events[i] = [change, now]
                return
        events.append([change, now])


def _changed_in(events: list[list[float]], period: float, now: float) -> int:
    return int(sum(c for c, t in events if t > now - period))


def _scale_up_limit(current: int, st: Obj, rules: Obj, now: float) -> int:
    """calculateScaleUpLimitWithScalingRules."""
    policy = rules.get("selectPolicy") or "Max"
    if policy == "Disabled":
        return current
    out: int | None = None
    for p in rules.get("policies") or []:
        period = float(p.get("periodSeconds") or 0)
        start = current - _changed_in(st["up_events"], period, now) + _changed_in(st["down_events"], period, now)
        value = int(p.get("value") or 0)
        proposed = start + value if p.get("type") == "Pods" else math.ceil(start * (1 + value / 100))
        out = proposed if out is None else (min(out, proposed) if policy == "Min" else max(out, proposed))
    return current if out is None else out


def _scale_down_limit(current: int, st: Obj, rules: Obj, now: float) -> int:
    """calculateScaleDownLimitWithBehaviors."""
    policy = rules.get("selectPolicy") or "Max"
    if policy == "Disabled":
        return current
    out: int | None = None
    for p in rules.get("policies") or []:
        period = float(p.get("periodSeconds") or 0)
        start = current - _changed_in(st["up_events"], period, now) + _changed_in(st["down_events"], period, now)
        value = int(p.get("value") or 0)
        proposed = start - value if p.get("type") == "Pods" else int(start * (1 - value / 100))
        out = proposed if out is None else (max(out, proposed) if policy == "Min" else min(out, proposed))
    return current if out is None else out
