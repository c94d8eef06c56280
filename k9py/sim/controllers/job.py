"""JobController (pkg/controller/job) and the TTL-after-finished controller: pods until
``completions`` succeed, retries with back-off up to ``backoffLimit``, deadlines, suspend,
Indexed completion mode, status and the 1.31 conditions (SuccessCriteriaMet/FailureTarget
before Complete/Failed)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError, invalid
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
COMPONENT = "job-controller"
UID_LABEL = "batch.kubernetes.io/controller-uid"
NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_UID_LABEL = "controller-uid"
LEGACY_NAME_LABEL = "job-name"
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
BACKOFF_BASE = 10.0
BACKOFF_MAX = 360.0


def _assigned_uid(cluster: Cluster, obj: Obj) -> str:
    """The uid the apiserver gave ``obj`` before admission (Cluster.create), so the selector can
    carry it like the apiserver's generateSelector does."""
    md = obj["metadata"]
    if not md.get("uid"):
        md["uid"] = cluster.store.new_uid()
    return md["uid"]


@admits("Job")
def _admit_job(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    name = meta.name(obj)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise invalid("Job", name, [("spec.template.spec.containers", "Required value")])
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    spec["template"] = pt.default_template(spec.get("template"))
    causes: list[tuple[str, str]] = []
    if old is None and not spec.get("manualSelector"):
        uid = _assigned_uid(cluster, obj)
        labels = spec["template"]["metadata"].setdefault("labels", {})
        jname = meta.name(obj)
        labels.update({UID_LABEL: uid, NAME_LABEL: jname, LEGACY_UID_LABEL: uid, LEGACY_NAME_LABEL: jname})
        given = spec.get("selector")
        spec["selector"] = {"matchLabels": {UID_LABEL: uid}}
        if not obj["metadata"].get("labels"):
            obj["metadata"]["labels"] = dict(labels)
        if given:  # validateGeneratedSelector: only manualSelector jobs may choose their selector
            merged = deep_copy(given)
            merged.setdefault("matchLabels", {}).setdefault(UID_LABEL, uid)
            causes.append(("spec.selector", f"Invalid value: {pt.go_label_selector(merged)}: `selector` not auto-generated"))
    rp = dig(spec, "template", "spec", "restartPolicy")
    if rp not in ("OnFailure", "Never"):
        causes.append(("spec.template.spec.restartPolicy", f'Unsupported value: "{rp}": supported values: "OnFailure", "Never"'))
    if not dig(spec, "template", "spec", "containers"):
        causes.append(("spec.template.spec.containers", "Required value"))
    if spec.get("completionMode") not in ("NonIndexed", "Indexed"):
        causes.append(("spec.completionMode", f'Unsupported value: "{spec.get("completionMode")}": supported values: "NonIndexed", "Indexed"'))
    if spec.get("completionMode") == "Indexed" and spec.get("completions") is None:
        causes.append(("spec.completions", "Required value: when completion mode is Indexed"))
    for f in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        v = spec.get(f)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            causes.append((f"spec.{f}", f"Invalid value: {v}: must be greater than or equal to 0"))
    if isinstance(spec.get("activeDeadlineSeconds"), int) and spec["activeDeadlineSeconds"] == 0:
        causes.append(("spec.activeDeadlineSeconds", "Invalid value: 0: must be greater than or equal to 1"))
    if old is not None:
        ospec = old.get("spec") or {}
        for f in ("selector", "completionMode"):
            if spec.get(f) != ospec.get(f):
                causes.append((f"spec.{f}", f"Invalid value: {spec.get(f)!r}: field is immutable"))
        if spec.get("template") != ospec.get("template") and not ospec.get("suspend"):
            causes.append(("spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable"))
        if spec.get("completions") != ospec.get("completions") and spec.get("completionMode") != "Indexed":
            causes.append(("spec.completions", f"Invalid value: {spec.get('completions')}: field is immutable"))
    if causes:
        raise invalid("Job", name, causes)


def _condition(type_: str, status: str, reason: str, message: str, now: float) -> Obj:
    t = rfc3339(now)
    return {"type": type_, "status": status, "lastProbeTime": t, "lastTransitionTime": t,
            "reason": reason, "message": message}


def finished_condition(job: Obj) -> str | None:
    """"Complete" / "Failed" once the Job is finished."""
    for c in dig(job, "status", "conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


def _has(job: Obj, type_: str) -> Obj | None:
    for c in dig(job, "status", "conditions") or []:
        if c.get("type") == type_ and c.get("status") == "True":
            return c
    return None


def format_indexes(indexes: set[int]) -> str:
    """"0-2,5" as status.completedIndexes shows them."""
    out: list[str] = []
    run: list[int] = []
    for i in sorted(indexes):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [i]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(out)


def _pod_index(pod: Obj) -> int | None:
    v = meta.annotations(pod).get(INDEX_KEY)
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


class JobController(Controller):
    name = "job"

    def reconcile(self, cluster: Cluster) -> None:
        for job in cluster.store.list("Job"):
            if meta.is_deleting(job):
                continue
            try:
                self._sync(cluster, job, self._pods_of(cluster, job))
            except ApiError:
                continue

    def _tracking(self, c: Cluster, job: Obj) -> Obj:
        return c.state.setdefault("job-controller", {}).setdefault(meta.uid(job), {
            "succeeded": set(), "failed": set(), "seen": set(), "indexes": set(), "last_failure": None})

    def _sync(self, c: Cluster, job: Obj, pods: list[Obj]) -> None:
        now = c.now()
        ns, name = meta.namespace(job), meta.name(job)
        spec = job.get("spec") or {}
        if finished_condition(job):
            self._ttl(c, job)
            return
        self._fix_selector(c, job)
        tr = self._tracking(c, job)
        indexed = spec.get("completionMode") == "Indexed"
        present = {meta.uid(p) for p in pods}
        for p in pods:
            uid = meta.uid(p)
            phase = dig(p, "status", "phase")
            if phase == "Succeeded" and uid not in tr["succeeded"]:
                tr["succeeded"].add(uid)
                idx = _pod_index(p)
                if idx is not None:
                    tr["indexes"].add(idx)
            elif phase == "Failed" and uid not in tr["failed"]:
                tr["failed"].add(uid)
                tr["last_failure"] = now
            if pt.is_active(p):
                tr["seen"].add(uid)
        for uid in list(tr["seen"]):
            if uid not in present and uid not in tr["succeeded"] and uid not in tr["failed"]:
                tr["failed"].add(uid)  # deleted before it finished: a failure, as with job tracking
                tr["last_failure"] = now
            if uid not in present:
                tr["seen"].discard(uid)
        active = [p for p in pods if pt.is_active(p)]
        succeeded = len(tr["indexes"]) if indexed else len(tr["succeeded"])
        failed = len(tr["failed"])
        restarts = sum(pt.restart_count(p) for p in active) if dig(spec, "template", "spec", "restartPolicy") == "OnFailure" else 0
        completions = spec.get("completions")
        status = deep_copy(job.get("status") or {})
        conds: list[Obj] = status.get("conditions") or []

        # Suspend / resume.
        suspended = bool(spec.get("suspend"))
        scond = next((x for x in conds if x.get("type") == "Suspended"), None)
        if suspended:
            for p in active:
                pt.delete_pod(c, job, p, COMPONENT)
                tr["seen"].discard(meta.uid(p))
            if scond is None or scond.get("status") != "True":
                conds = [x for x in conds if x.get("type") != "Suspended"] + [_condition("Suspended", "True", "JobSuspended", "Job suspended", now)]
                c.record_event(job, "Normal", "Suspended", "Job suspended", COMPONENT)
            status.pop("startTime", None)
            active = []
        elif scond is not None and scond.get("status") == "True":
            conds = [x for x in conds if x.get("type") != "Suspended"] + [_condition("Suspended", "False", "JobResumed", "Job resumed", now)]
            c.record_event(job, "Normal", "Resumed", "Job resumed", COMPONENT)
            status["startTime"] = rfc3339(now)
        if not suspended and not status.get("startTime"):
            status["startTime"] = rfc3339(now)

        # Terminal decisions: success, back-off limit, deadline.
        failure: tuple[str, str] | None = None
        success = False
        if not suspended:
            if fc := _has(job, "FailureTarget"):
                failure = (fc["reason"], fc["message"])
            elif (_has(job, "SuccessCriteriaMet")
                  or (completions is not None and succeeded >= int(completions))
                  or (completions is None and succeeded > 0 and not active)):
                success = True
            elif failed > int(spec.get("backoffLimit", 6)) or self._past_backoff_on_failure(spec, restarts):
                failure = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
            else:
                ads = spec.get("activeDeadlineSeconds")
                start = parse_time(status.get("startTime"))
                if ads is not None and start is not None:
                    if now >= start + int(ads):
                        failure = ("DeadlineExceeded", "Job was active longer than specified deadline")
                    else:
                        c.wake_at(start + int(ads))

        if failure is not None:
            if not any(x.get("type") == "FailureTarget" for x in conds):
                conds.append(_condition("FailureTarget", "True", failure[0], failure[1], now))
            for p in active:
                pt.delete_pod(c, job, p, COMPONENT)
            active = []
            if not self._unfinished(c, job):
                conds.append(_condition("Failed", "True", failure[0], failure[1], now))
                c.record_event(job, "Warning", failure[0], failure[1], COMPONENT)
        elif success:
            msg = "Reached expected number of succeeded pods"
            if not any(x.get("type") == "SuccessCriteriaMet" for x in conds):
                conds.append(_condition("SuccessCriteriaMet", "True", "CompletionsReached", msg, now))
            for p in active:
                pt.delete_pod(c, job, p, COMPONENT)
            active = []
            if not self._unfinished(c, job):
                conds.append(_condition("Complete", "True", "CompletionsReached", msg, now))
                status["completionTime"] = rfc3339(now)
                c.record_event(job, "Normal", "Completed", "Job completed", COMPONENT)
        elif not suspended:
            active = self._manage_pods(c, job, active, succeeded, failed, tr, now)

        ready = sum(1 for p in active if pt.is_ready(p))
        status["active"] = len(active)
        status["succeeded"] = succeeded
        status["failed"] = failed
        status["ready"] = ready
        status["terminating"] = len([p for p in self._pods_of(c, job) if meta.is_deleting(p)
                                     and dig(p, "status", "phase") not in ("Succeeded", "Failed")])
        status["uncountedTerminatedPods"] = {}
        for k in ("active", "succeeded", "failed"):
            if not status[k]:
                status.pop(k)
        if indexed:
            ci = format_indexes(tr["indexes"])
            if ci:
                status["completedIndexes"] = ci
        if conds:
            status["conditions"] = conds
        c.store.mutate("Job", ns, name, lambda o: o.__setitem__("status", status))
        if finished_condition(c.store.get("Job", ns, name) or {}):
            self._ttl(c, c.store.get("Job", ns, name))  # type: ignore[arg-type]

    @staticmethod
    def _past_backoff_on_failure(spec: Obj, restarts: int) -> bool:
        """pastBackoffLimitOnFailure: with OnFailure, container restarts count against the limit."""
        if dig(spec, "template", "spec", "restartPolicy") != "OnFailure":
            return False
        limit = int(spec.get("backoffLimit", 6))
        return restarts > 0 if limit == 0 else restarts >= limit

    @staticmethod
    def _pods_of(c: Cluster, job: Obj) -> list[Obj]:
        """The Job's pods as stored now (an index lookup: its deletions since show)."""
        uid = meta.uid(job)
        return c.store.controlled_by("Pod", uid) if uid else []

    @staticmethod
    def _unfinished(c: Cluster, job: Obj) -> list[Obj]:
        return [p for p in JobController._pods_of(c, job) if dig(p, "status", "phase") not in ("Succeeded", "Failed")]

    def _fix_selector(self, c: Cluster, job: Obj) -> None:
        """If the uid predicted at admission missed, label with the real one."""
        spec = job.get("spec") or {}
        if spec.get("manualSelector"):
            return
        want = meta.uid(job)
        if dig(spec, "selector", "matchLabels", UID_LABEL) in (None, want):
            return

        def fix(o: Obj) -> None:
            o["spec"]["selector"] = {"matchLabels": {UID_LABEL: want}}
            labels = o["spec"]["template"]["metadata"].setdefault("labels", {})
            labels[UID_LABEL] = want
            labels[LEGACY_UID_LABEL] = want
            ml = o["metadata"].get("labels") or {}
            if UID_LABEL in ml:
                ml[UID_LABEL] = want
                ml[LEGACY_UID_LABEL] = want
        c.store.mutate("Job", meta.namespace(job), meta.name(job), fix)

    def _manage_pods(self, c: Cluster, job: Obj, active: list[Obj], succeeded: int, failed: int,
                     tr: Obj, now: float) -> list[Obj]:
        spec = job.get("spec") or {}
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1) or 0)
        if completions is None:
            want = len(active) if succeeded > 0 else parallelism
        else:
            want = max(0, min(parallelism, int(completions) - succeeded))
        diff = want - len(active)
        if diff < 0:
            from k9py.sim.controllers.replicaset import pod_delete_rank
            for p in pod_delete_rank(active, active, c.now())[:-diff]:
                pt.delete_pod(c, job, p, COMPONENT)
                active = [a for a in active if meta.uid(a) != meta.uid(p)]
            return active
        if diff == 0:
            return active
        if failed and tr["last_failure"] is not None:
            delay = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (failed - 1)))
            if now < tr["last_failure"] + delay:
                c.wake_at(tr["last_failure"] + delay)
                return active
        template = spec.get("template") or {}
        indexed = spec.get("completionMode") == "Indexed"
        free: list[int] = []
        if indexed:
            assert completions is not None  # admission requires completions in Indexed mode
            busy = {_pod_index(p) for p in active}
            free = [i for i in range(int(completions)) if i not in tr["indexes"] and i not in busy]
        for i in range(diff):
            if indexed:
                if i >= len(free):
                    break
                idx = free[i]
                tpl = deep_copy(template)
                tpl["metadata"].setdefault("annotations", {})[INDEX_KEY] = str(idx)
                tpl["metadata"].setdefault("labels", {})[INDEX_KEY] = str(idx)
                tpl["spec"].setdefault("hostname", f"{meta.name(job)}-{idx}")
                pod = pt.pod_from_template(job, tpl, generate_name=f"{meta.name(job)}-{idx}-")
            else:
                pod = pt.pod_from_template(job, template, generate_name=f"{meta.name(job)}-")
            created, _ = pt.create_pod(c, job, pod, COMPONENT, fresh=True)
            if created is None:
                break
            active.append(created)
            tr["seen"].add(meta.uid(created))
        return active

    def _ttl(self, c: Cluster, job: Obj) -> None:
        """ttlafterfinished: delete the finished Job (Foreground) ttlSecondsAfterFinished later."""
        ttl = dig(job, "spec", "ttlSecondsAfterFinished")
        if ttl is None:
            return
        cond = next((x for x in dig(job, "status", "conditions") or [] if x.get("type") in ("Complete", "Failed")), None)
        finished = parse_time((cond or {}).get("lastTransitionTime")) or c.now()
        due = finished + int(ttl)
        if c.now() >= due:
            with contextlib.suppress(ApiError):
                c.delete("Job", meta.namespace(job), meta.name(job), propagation="Foreground")
        else:
            c.wake_at(due)
