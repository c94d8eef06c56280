"""``kubectl describe`` for Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs."""

from __future__ import annotations

from typing import Any

from k9py.kube.meta import dig
from k9py.kube.timefmt import human_duration
from k9py.view.describe_common import (
    Obj,
    Related,
    annotations_multiline,
    controlled_by,
    controller_uid,
    describe_events,
    fetch,
    format_labels,
    labels_multiline,
)
from k9py.view.describe_pod import claim_templates, pod_template
from k9py.view.describe_text import LEVEL_0, LEVEL_1, Writer, parse_time, print_bool_ptr, rfc1123z
from k9py.view.printers_format import format_label_selector, int_or_string, selector_string


def _head(w: Writer, obj: Obj) -> None:
    md = obj.get("metadata") or {}
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")


def _selector(obj: Obj) -> str:
    try:
        return selector_string(dig(obj, "spec", "selector"))
    except ValueError:
        return "<error>"


def _matches(sel: Obj | None, labels: dict[str, str]) -> bool:
    if not sel:
        return False  # LabelSelectorAsSelector(nil) selects nothing
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        key, op, values = e.get("key", ""), e.get("operator", ""), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def pod_counts(obj: Obj, related: Related | None) -> tuple[int, int, int, int]:
    """``getPodStatusForController``: pods matching the selector and controlled by ``obj``."""
    md = obj.get("metadata") or {}
    sel = dig(obj, "spec", "selector")
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in fetch(related, "Pod", md.get("namespace", "")) or []:
        if not _matches(sel, dig(pod, "metadata", "labels") or {}):
            continue
        if controller_uid(pod) != md.get("uid"):
            continue
        phase = dig(pod, "status", "phase")
        if phase in counts:
            counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def _pods_status(w: Writer, counts: tuple[int, int, int, int]) -> None:
    r, wt, s, f = counts
    w.write(LEVEL_0, f"Pods Status:\t{r} Running / {wt} Waiting / {s} Succeeded / {f} Failed\n")


def _conditions_reason(w: Writer, obj: Obj) -> None:
    conds = dig(obj, "status", "conditions") or []
    if conds:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(LEVEL_1, "----\t------\t------\n")
        for c in conds:
            w.write(LEVEL_1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _int(v: Any, default: int = 0) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


# -- Deployment ----------------------------------------------------------------------------------

def describe_deployment(d: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    w = Writer()
    _head(w, d)
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Selector:\t{_selector(d)}\n")
    w.write(LEVEL_0, f"Replicas:\t{_int(spec.get('replicas'), 1)} desired | {_int(status.get('updatedReplicas'))} updated | "
                     f"{_int(status.get('replicas'))} total | {_int(status.get('availableReplicas'))} available | "
                     f"{_int(status.get('unavailableReplicas'))} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(LEVEL_0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(LEVEL_0, f"MinReadySeconds:\t{_int(spec.get('minReadySeconds'))}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None:
        w.write(LEVEL_0, f"RollingUpdateStrategy:\t{_intstr(ru.get('maxUnavailable'))} max unavailable, "
                         f"{_intstr(ru.get('maxSurge'))} max surge\n")
    pod_template(w, spec.get("template"))
    _conditions_reason(w, d)
    replicasets = fetch(related, "ReplicaSet", md.get("namespace", ""))
    if replicasets is not None:
        old, new = deployment_replicasets(d, replicasets)
        if old or new:
            w.write(LEVEL_0, f"OldReplicaSets:\t{_rs_list(old)}\n")
            w.write(LEVEL_0, f"NewReplicaSet:\t{_rs_list([new] if new else [])}\n")
    describe_events(w, events, now)
    return w.text()


def _intstr(v: Any) -> str:
    return "0" if v is None else int_or_string(v)


def _rs_list(items: list[Obj]) -> str:
    parts = [f"{dig(rs, 'metadata', 'name')} ({_int(dig(rs, 'status', 'replicas'))}/{_int(dig(rs, 'spec', 'replicas'), 1)} "
             "replicas created)" for rs in items]
    return ", ".join(parts) or "<none>"


def deployment_replicasets(d: Obj, replicasets: list[Obj]) -> tuple[list[Obj], Obj | None]:
    """``deploymentutil.GetAllReplicaSetsInChunks``: (all old RSes, the new RS), by creation time."""
    md = d.get("metadata") or {}
    sel = dig(d, "spec", "selector")
    owned = [rs for rs in replicasets
             if _matches(sel, dig(rs, "metadata", "labels") or {}) and controller_uid(rs) == md.get("uid")]
    owned.sort(key=lambda rs: (parse_time(dig(rs, "metadata", "creationTimestamp")) or 0.0, dig(rs, "metadata", "name") or ""))
    template = _without_hash(dig(d, "spec", "template"))
    new = next((rs for rs in owned if _without_hash(dig(rs, "spec", "template")) == template), None)
    old = [rs for rs in owned if rs is not new]
    return old, new


def _without_hash(template: Any) -> Any:
    t = _prune(template)
    labels = (t or {}).get("metadata", {}).get("labels") if isinstance(t, dict) else None
    if isinstance(labels, dict):
        labels.pop("pod-template-hash", None)
        if not labels:
            t["metadata"].pop("labels")
            if not t["metadata"]:
                t.pop("metadata")
    return t


def _prune(v: Any) -> Any:
    """A copy with empty maps/lists and nulls dropped (Semantic.DeepEqual treats nil and empty alike)."""
    if isinstance(v, dict):
        out = {k: _prune(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x not in (None, {}, [])}
    if isinstance(v, list):
        return [_prune(x) for x in v]
    return v


# -- ReplicaSet ----------------------------------------------------------------------------------

def describe_replicaset(rs: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    w = Writer()
    _head(w, rs)
    w.write(LEVEL_0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    owner = controlled_by(rs)
    if owner:
        w.write(LEVEL_0, f"Controlled By:\t{owner}\n")
    w.write(LEVEL_0, f"Replicas:\t{_int(status.get('replicas'))} current / {_int(spec.get('replicas'), 1)} desired\n")
    _pods_status(w, pod_counts(rs, related))
    pod_template(w, spec.get("template"))
    _conditions_reason(w, rs)
    describe_events(w, events, now)
    return w.text()


def describe_replicationcontroller(rc: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = rc.get("metadata") or {}, rc.get("spec") or {}, rc.get("status") or {}
    w = Writer()
    _head(w, rc)
    w.write(LEVEL_0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Replicas:\t{_int(status.get('replicas'))} current / {_int(spec.get('replicas'), 1)} desired\n")
    rc_sel = {"matchLabels": spec.get("selector") or {}} if spec.get("selector") else None
    _pods_status(w, pod_counts({**rc, "spec": {**spec, "selector": rc_sel}}, related))
    pod_template(w, spec.get("template"))
    _conditions_reason(w, rc)
    describe_events(w, events, now)
    return w.text()


# -- StatefulSet ---------------------------------------------------------------------------------

def describe_statefulset(ss: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = ss.get("metadata") or {}, ss.get("spec") or {}, ss.get("status") or {}
    w = Writer()
    _head(w, ss)
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(LEVEL_0, f"Selector:\t{_selector(ss)}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if spec.get("serviceName"):
        w.write(LEVEL_0, f"Service Name:\t{spec['serviceName']}\n")
    w.write(LEVEL_0, f"Pod Management Policy:\t{spec.get('podManagementPolicy', '')}\n")
    w.write(LEVEL_0, f"Replicas:\t{_int(spec.get('replicas'), 1)} desired | {_int(status.get('replicas'))} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(LEVEL_0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None and ru.get("partition") is not None:
        w.write(LEVEL_1, f"Partition:\t{_int(ru['partition'])}\n")
        if ru.get("maxUnavailable") is not None:
            w.write(LEVEL_1, f"MaxUnavailable:\t{int_or_string(ru['maxUnavailable'])}\n")
    policy = spec.get("persistentVolumeClaimRetentionPolicy")
    if policy is not None:
        w.write(LEVEL_0, "Persistent Volume Claim Retention Policy:\n")
        w.write(LEVEL_1, f"WhenDeleted:\t{policy.get('whenDeleted', '')}\n")
        w.write(LEVEL_1, f"WhenScaled:\t{policy.get('whenScaled', '')}\n")
    _pods_status(w, pod_counts(ss, related))
    pod_template(w, spec.get("template"))
    claim_templates(w, spec.get("volumeClaimTemplates"))
    describe_events(w, events, now)
    return w.text()


# -- DaemonSet -----------------------------------------------------------------------------------

def describe_daemonset(ds: Obj, events: list[Obj] | None, now: float, related: Related | None) -> str:
    md, spec, status = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    w = Writer()
    _head(w, ds)
    w.write(LEVEL_0, f"Selector:\t{_selector(ds)}\n")
    w.write(LEVEL_0, f"Node-Selector:\t{format_labels(dig(spec, 'template', 'spec', 'nodeSelector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Desired Number of Nodes Scheduled: {_int(status.get('desiredNumberScheduled'))}\n")
    w.write(LEVEL_0, f"Current Number of Nodes Scheduled: {_int(status.get('currentNumberScheduled'))}\n")
    w.write(LEVEL_0, f"Number of Nodes Scheduled with Up-to-date Pods: {_int(status.get('updatedNumberScheduled'))}\n")
    w.write(LEVEL_0, f"Number of Nodes Scheduled with Available Pods: {_int(status.get('numberAvailable'))}\n")
    w.write(LEVEL_0, f"Number of Nodes Misscheduled: {_int(status.get('numberMisscheduled'))}\n")
    _pods_status(w, pod_counts(ds, related))
    pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.text()


# -- Job / CronJob -------------------------------------------------------------------------------

def describe_job(job: Obj, events: list[Obj] | None, now: float) -> str:
    md, spec, status = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    w = Writer()
    _head(w, job)
    w.write(LEVEL_0, f"Selector:\t{_selector(job)}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    owner = controlled_by(job)
    if owner:
        w.write(LEVEL_0, f"Controlled By:\t{owner}\n")
    if spec.get("parallelism") is not None:
        w.write(LEVEL_0, f"Parallelism:\t{_int(spec['parallelism'])}\n")
    if spec.get("completions") is not None:
        w.write(LEVEL_0, f"Completions:\t{_int(spec['completions'])}\n")
    else:
        w.write(LEVEL_0, "Completions:\t<unset>\n")
    if spec.get("completionMode") is not None:
        w.write(LEVEL_0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(LEVEL_0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(LEVEL_0, f"Backoff Limit:\t{_int(spec['backoffLimit'])}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(LEVEL_0, f"TTL Seconds After Finished:\t{_int(spec['ttlSecondsAfterFinished'])}\n")
    start, done = status.get("startTime"), status.get("completionTime")
    if start:
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(start)}\n")
    if done:
        w.write(LEVEL_0, f"Completed At:\t{rfc1123z(done)}\n")
    if start and done:
        w.write(LEVEL_0, f"Duration:\t{human_duration((parse_time(done) or 0) - (parse_time(start) or 0))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{_int(spec['activeDeadlineSeconds'])}s\n")
    active, succeeded, failed = _int(status.get("active")), _int(status.get("succeeded")), _int(status.get("failed"))
    if status.get("ready") is None:
        w.write(LEVEL_0, f"Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")
    else:
        w.write(LEVEL_0, f"Pods Statuses:\t{active} Active ({_int(status['ready'])} Ready) / {succeeded} Succeeded / "
                         f"{failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(LEVEL_0, f"Completed Indexes:\t{_cap_indexes(status.get('completedIndexes') or '', 50)}\n")
    pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.text()


def _cap_indexes(indexes: str, soft: int) -> str:
    if not indexes:
        return "<none>"
    ix = soft
    while ix < len(indexes) and indexes[ix] != ",":
        ix += 1
    return indexes if ix >= len(indexes) else indexes[:ix + 1] + "..."


def describe_cronjob(cj: Obj, events: list[Obj] | None, now: float) -> str:
    md, spec, status = cj.get("metadata") or {}, cj.get("spec") or {}, cj.get("status") or {}
    w = Writer()
    _head(w, cj)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(LEVEL_0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    w.write(LEVEL_0, f"Suspend:\t{print_bool_ptr(spec.get('suspend'))}\n")
    w.write(LEVEL_0, f"Time Zone:\t{spec['timeZone'] if spec.get('timeZone') is not None else '<unset>'}\n")
    for title, key, suffix in (("Successful Job History Limit", "successfulJobsHistoryLimit", ""),
                               ("Failed Job History Limit", "failedJobsHistoryLimit", ""),
                               ("Starting Deadline Seconds", "startingDeadlineSeconds", "s")):
        v = spec.get(key)
        w.write(LEVEL_0, f"{title}:\t{str(_int(v)) + suffix if v is not None else '<unset>'}\n")
    jt = dig(spec, "jobTemplate", "spec") or {}
    if jt.get("selector") is not None:
        w.write(LEVEL_0, f"Selector:\t{selector_string(jt['selector'])}\n")
    else:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    for title, key in (("Parallelism", "parallelism"), ("Completions", "completions")):
        v = jt.get(key)
        w.write(LEVEL_0, f"{title}:\t{_int(v) if v is not None else '<unset>'}\n")
    if jt.get("activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{_int(jt['activeDeadlineSeconds'])}s\n")
    pod_template(w, jt.get("template") or {})
    if status.get("lastScheduleTime"):
        w.write(LEVEL_0, f"Last Schedule Time:\t{rfc1123z(status['lastScheduleTime'])}\n")
    else:
        w.write(LEVEL_0, "Last Schedule Time:\t<unset>\n")
    w.write(LEVEL_0, "Active Jobs:\t")
    active = status.get("active") or []
    if not active:
        w.line("<none>")
    else:
        w.write(LEVEL_0, ", ".join(a.get("name", "") for a in active))
        w.line("")
    describe_events(w, events, now)
    return w.text()
