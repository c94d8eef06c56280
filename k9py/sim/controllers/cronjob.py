"""CronJobController (pkg/controller/cronjob, the v2 controller): Jobs on the schedule, on the
virtual clock; concurrency policy, suspend, starting deadline, history limits, status."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError, invalid
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim import cron
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller
from k9py.sim.controllers.job import finished_condition

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
COMPONENT = "cronjob-controller"
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100


@admits("CronJob")
def _admit_cronjob(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    name = meta.name(obj)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise invalid("CronJob", name, [("spec.schedule", "Required value")])
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    jt = spec.setdefault("jobTemplate", {})
    if isinstance(jt, dict):
        jt.setdefault("metadata", {})
        jspec = jt.setdefault("spec", {})
        if isinstance(jspec, dict):
            jspec["template"] = pt.default_template(jspec.get("template"))
    causes: list[tuple[str, str]] = []
    schedule = spec.get("schedule")
    if not schedule:
        causes.append(("spec.schedule", "Required value"))
    else:
        try:
            cron.parse(str(schedule), spec.get("timeZone"))
        except cron.CronError as e:
            if "TZ" in str(e):
                causes.append(("spec.schedule", f'Invalid value: "{schedule}": {e}'))
            elif "time zone" in str(e):
                causes.append(("spec.timeZone", f'Invalid value: "{spec.get("timeZone")}": unknown time zone {spec.get("timeZone")}'))
            else:
                causes.append(("spec.schedule", f'Invalid value: "{schedule}": {e}'))
    if spec.get("concurrencyPolicy") not in ("Allow", "Forbid", "Replace"):
        causes.append(("spec.concurrencyPolicy", f'Unsupported value: "{spec.get("concurrencyPolicy")}": supported values: "Allow", "Forbid", "Replace"'))
    rp = dig(spec, "jobTemplate", "spec", "template", "spec", "restartPolicy")
    if rp not in ("OnFailure", "Never"):
        causes.append(("spec.jobTemplate.spec.template.spec.restartPolicy", f'Unsupported value: "{rp}": supported values: "OnFailure", "Never"'))
    if not dig(spec, "jobTemplate", "spec", "template", "spec", "containers"):
        causes.append(("spec.jobTemplate.spec.template.spec.containers", "Required value"))
    for f in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit", "startingDeadlineSeconds"):
        v = spec.get(f)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            causes.append((f"spec.{f}", f"Invalid value: {v}: must be greater than or equal to 0"))
    if len(name) > 52:
        causes.append(("metadata.name", f'Invalid value: "{name}": must be no more than 52 characters'))
    if causes:
        raise invalid("CronJob", name, causes)


def job_name(cj_name: str, scheduled: float) -> str:
    """getJobName: the scheduled time in minutes since the epoch."""
    return f"{cj_name}-{int(scheduled) // 60}"


def _ref(job: Obj) -> Obj:
    return {"apiVersion": "batch/v1", "kind": "Job", "name": meta.name(job), "namespace": meta.namespace(job),
            "resourceVersion": job["metadata"].get("resourceVersion"), "uid": meta.uid(job)}


class CronJobController(Controller):
    name = "cronjob"

    def reconcile(self, cluster: Cluster) -> None:
        for cj in cluster.store.list("CronJob"):
            if meta.is_deleting(cj):
                continue
            try:
                self._sync(cluster, cj)
            except ApiError:
                continue

    def _sync(self, c: Cluster, cj: Obj) -> None:
        ns, name = meta.namespace(cj), meta.name(cj)
        spec = cj.get("spec") or {}
        now = c.now()
        jobs = pt.owned(c, "Job", cj)
        status = deep_copy(cj.get("status") or {})
        by_uid = {meta.uid(j): j for j in jobs}

        # Reconcile status.active with the Jobs that exist.
        new_active: list[Obj] = []
        for ref in status.get("active") or []:
            j = by_uid.get(ref.get("uid"))
            if j is None:
                continue
            done = finished_condition(j)
            if done:
                c.record_event(cj, "Normal", "SawCompletedJob", f"Saw completed job: {meta.name(j)}, condition: {done}", COMPONENT)
                if done == "Complete":
                    ct = dig(j, "status", "completionTime")
                    if ct and (not status.get("lastSuccessfulTime") or parse_time(ct) > parse_time(status["lastSuccessfulTime"])):  # type: ignore[operator]
                        status["lastSuccessfulTime"] = ct
                continue
            new_active.append(ref)
        listed = {r.get("uid") for r in new_active}
        for j in jobs:
            if not finished_condition(j) and meta.uid(j) not in listed and not meta.is_deleting(j):
                new_active.append(_ref(j))
        status["active"] = new_active

        # History limits.
        self._cleanup(c, cj, jobs)

        try:
            schedule = cron.parse(str(spec.get("schedule", "")), spec.get("timeZone"))
        except cron.CronError as e:
            c.record_event(cj, "Warning", "UnparseableSchedule", f"unparseable schedule: {spec.get('schedule')!r} : {e}", COMPONENT)
            self._write(c, cj, status)
            return

        if spec.get("suspend"):
            self._write(c, cj, status)
            return

        scheduled, missed = self._most_recent(cj, schedule, now)
        c.wake_at(schedule.next(now))
        if scheduled is None:
            self._write(c, cj, status)
            return
        if missed > MAX_MISSED:
            c.record_event(cj, "Warning", "TooManyMissedTimes",
                           "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew", COMPONENT)
        sds = spec.get("startingDeadlineSeconds")
        if sds is not None and scheduled + int(sds) < now:
            c.record_event(cj, "Warning", "MissSchedule",
                           f"Missed scheduled time to start a job: {rfc3339(scheduled)}", COMPONENT)
            self._write(c, cj, status)
            return
        jname = job_name(name, scheduled)
        if any(meta.name(j) == jname for j in jobs) or any(r.get("name") == jname for r in new_active):
            status["lastScheduleTime"] = status.get("lastScheduleTime") or rfc3339(scheduled)
            self._write(c, cj, status)
            return
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and new_active:
            self._write(c, cj, status)  # retried when the active job finishes (if still in time)
            return
        if policy == "Replace":
            for ref in list(new_active):
                with contextlib.suppress(ApiError):
                    c.delete("Job", ns, ref["name"], propagation="Background")
                c.record_event(cj, "Normal", "SuccessfulDelete", f"Deleted job {ref['name']}", COMPONENT)
            new_active = []
            status["active"] = new_active
        job = self._job_from_template(cj, jname, scheduled)
        try:
            created = c.create(job)
        except ApiError as e:
            if e.code == 409:
                existing = c.store.get("Job", ns, jname)
                if existing is not None and (meta.controller_ref(existing) or {}).get("uid") == meta.uid(cj):
                    status["lastScheduleTime"] = rfc3339(scheduled)
                self._write(c, cj, status)
                return
            c.record_event(cj, "Warning", "FailedCreate", f"Error creating job: {e.message}", COMPONENT)
            # the sync failed: the workqueue requeues the CronJob with a back-off, and the run
            # (not recorded as scheduled) is tried again then
            backoffs: dict[str, float] = c.state.setdefault("cronjob-create-backoff", {})
            delay = backoffs[meta.uid(cj)] = pt.create_backoff(backoffs.get(meta.uid(cj)))
            c.wake_at(now + delay)
            self._write(c, cj, status)
            return
        c.state.get("cronjob-create-backoff", {}).pop(meta.uid(cj), None)
        c.record_event(cj, "Normal", "SuccessfulCreate", f"Created job {jname}", COMPONENT)
        new_active.append(_ref(created))
        status["active"] = new_active
        status["lastScheduleTime"] = rfc3339(scheduled)
        self._write(c, cj, status)

    def _write(self, c: Cluster, cj: Obj, status: Obj) -> None:
        if not status.get("active"):
            status.pop("active", None)
        c.store.write_status("CronJob", meta.namespace(cj), meta.name(cj), status)

    def _most_recent(self, cj: Obj, schedule: cron.Schedule | cron.Every, now: float) -> tuple[float | None, int]:
        """mostRecentScheduleTime: the latest scheduled instant in (earliest, now] and how many."""
        last = parse_time(dig(cj, "status", "lastScheduleTime"))
        earliest = last if last is not None else parse_time(cj["metadata"].get("creationTimestamp")) or now
        sds = dig(cj, "spec", "startingDeadlineSeconds")
        if sds is not None:
            earliest = max(earliest, now - int(sds))
        first = schedule.next(earliest)
        if first > now:
            return None, 0
        if isinstance(schedule, cron.Every):
            # a constant delay: on its grid from the first instant, however far behind (Kubernetes'
            # missed-count arithmetic, exact for @every: t1 + (n-1) * interval)
            n = int(now - first) // schedule.delay + 1
            return first + (n - 1) * schedule.delay, n
        count = 0
        recent = first
        t = first
        while t <= now:
            recent = t
            count += 1
            if count > MAX_MISSED + 1:
                # Far behind: only the latest instant matters; look back in growing windows.
                for window in (60, 3600, 86400, 31 * 86400, 366 * 86400):
                    nt = schedule.next(max(earliest, now - window))
                    if nt <= now:
                        while nt <= now:
                            recent, nt = nt, schedule.next(nt)
                        break
                break
            t = schedule.next(t)
        return recent, count

    def _job_from_template(self, cj: Obj, jname: str, scheduled: float) -> Obj:
        jt = deep_copy(dig(cj, "spec", "jobTemplate") or {})
        jmd = jt.get("metadata") or {}
        annotations = dict(jmd.get("annotations") or {})
        annotations[SCHEDULED_TIMESTAMP] = rfc3339(scheduled)
        md: Obj = {"name": jname, "namespace": meta.namespace(cj), "annotations": annotations,
                   "ownerReferences": [meta.owner_reference(cj)]}
        if jmd.get("labels"):
            md["labels"] = dict(jmd["labels"])
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": md, "spec": jt.get("spec") or {}}

    def _cleanup(self, c: Cluster, cj: Obj, jobs: list[Obj]) -> None:
        spec = cj.get("spec") or {}
        for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit")), ("Failed", spec.get("failedJobsHistoryLimit"))):
            if limit is None:
                continue
            done = [j for j in jobs if finished_condition(j) == kind and not meta.is_deleting(j)]
            if len(done) <= int(limit):
                continue
            done.sort(key=lambda j: (parse_time(dig(j, "status", "startTime")) or pt.creation_key(j)[0], meta.name(j)))
            for j in done[:len(done) - int(limit)]:
                try:
                    c.delete("Job", meta.namespace(j), meta.name(j), propagation="Background")
                except ApiError:
                    continue
                c.record_event(cj, "Normal", "SuccessfulDelete", f"Deleted job {meta.name(j)}", COMPONENT)
