"""CronJob controller on the virtual clock, with the real Job controller and kubelet."""

from __future__ import annotations

from typing import Any

import pytest

from k9py.kube import meta
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError
from k9py.kube.timefmt import rfc3339
from k9py.sim.cluster import Cluster
from tests.sim.helpers import make_cluster

Obj = dict[str, Any]
HELLO = ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"]


def cronjob(name: str = "hello", schedule: str = "* * * * *", command: list[str] | None = None, **spec: Any) -> Obj:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": name, "image": "busybox:1.28", "imagePullPolicy": "IfNotPresent",
                                "command": command or HELLO}],
                "restartPolicy": "OnFailure"}}}}, **spec}}


def jobs_of(c: Cluster, name: str = "hello") -> list[Obj]:
    cj = c.get("CronJob", "default", name)
    return sorted((j for j in c.store.list("Job", "default") if (meta.controller_ref(j) or {}).get("uid") == meta.uid(cj)),
                  key=lambda j: meta.name(j))


def events(c: Cluster, name: str = "hello") -> list[tuple[str, str]]:
    return [(e["reason"], e["message"]) for e in c.events.for_object(c.get("CronJob", "default", name))]


def test_every_minute_creates_named_job_and_tracks_status():
    c = make_cluster()
    c.create(cronjob())
    c.advance(59)
    assert jobs_of(c) == []
    c.advance(1)  # 09:01:00
    [job] = jobs_of(c)
    t = c.now()
    assert meta.name(job) == f"hello-{int(t) // 60}"
    assert meta.annotations(job)["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-11-01T09:01:00Z"
    assert meta.controller_ref(job)["kind"] == "CronJob"
    cj = c.get("CronJob", "default", "hello")
    assert cj["status"]["lastScheduleTime"] == "2026-11-01T09:01:00Z"
    assert [r["name"] for r in cj["status"]["active"]] == [meta.name(job)]
    assert cj["status"]["active"][0]["kind"] == "Job" and cj["status"]["active"][0]["apiVersion"] == "batch/v1"
    assert events(c) == [("SuccessfulCreate", f"Created job {meta.name(job)}")]
    c.advance(30)
    cj = c.get("CronJob", "default", "hello")
    assert "active" not in cj["status"]
    assert cj["status"]["lastSuccessfulTime"] == c.get("Job", "default", meta.name(job))["status"]["completionTime"]
    assert ("SawCompletedJob", f"Saw completed job: {meta.name(job)}, condition: Complete") in events(c)
    assert events(c)[0][1].startswith("Created job hello-")


def test_history_limits_keep_three_successful_jobs():
    c = make_cluster()
    c.create(cronjob())
    c.advance(6 * 60 + 30)
    jobs = jobs_of(c)
    assert len(jobs) == 3
    assert [meta.name(j) for j in jobs] == [f"hello-{int(c.now()) // 60 - i}" for i in (2, 1, 0)]
    deleted = [m for r, m in events(c) if r == "SuccessfulDelete"]
    assert len(deleted) == 3 and deleted[0] == f"Deleted job hello-{int(c.now()) // 60 - 5}"


def test_failed_jobs_history_limit_one():
    c = make_cluster()
    c.create(cronjob("boom", command=["sh", "-c", "exit 1"], jobTemplate={"spec": {"backoffLimit": 0, "template": {"spec": {
        "containers": [{"name": "boom", "image": "busybox:1.28", "command": ["sh", "-c", "exit 1"]}],
        "restartPolicy": "Never"}}}}))
    c.advance(4 * 60 + 30)
    jobs = jobs_of(c, "boom")
    assert len(jobs) == 1
    assert any(x["type"] == "Failed" for x in jobs[0]["status"]["conditions"])


def test_forbid_skips_while_a_job_runs():
    c = make_cluster()
    c.create(cronjob("long", command=["sleep", "3600"], concurrencyPolicy="Forbid"))
    c.advance(5 * 60)
    assert len(jobs_of(c, "long")) == 1


def test_replace_deletes_the_running_job():
    c = make_cluster()
    c.create(cronjob("long", command=["sleep", "3600"], concurrencyPolicy="Replace"))
    c.advance(60)
    [first] = jobs_of(c, "long")
    c.advance(60)
    names = [meta.name(j) for j in jobs_of(c, "long") if not meta.is_deleting(j)]
    assert meta.name(first) not in names and len(names) == 1
    assert ("SuccessfulDelete", f"Deleted job {meta.name(first)}") in events(c, "long")


def test_allow_runs_concurrently():
    c = make_cluster()
    c.create(cronjob("long", command=["sleep", "3600"]))
    c.advance(3 * 60)
    assert len(jobs_of(c, "long")) == 3
    assert len(c.get("CronJob", "default", "long")["status"]["active"]) == 3


def _unsuspend(c: Cluster, name: str) -> None:
    cj = deep_copy(c.get("CronJob", "default", name))
    cj["spec"]["suspend"] = False
    c.replace(cj)
    c.settle()


def test_suspend_then_resume_runs_the_missed_schedule():
    c = make_cluster()
    c.create(cronjob(suspend=True))
    c.advance(5 * 60 + 30)
    assert jobs_of(c) == []
    _unsuspend(c, "hello")
    [job] = jobs_of(c)
    assert meta.annotations(job)["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-11-01T09:05:00Z"


def test_starting_deadline_skips_too_late_runs():
    c = make_cluster()
    c.create(cronjob(suspend=True, startingDeadlineSeconds=10))
    c.advance(5 * 60 + 30)
    _unsuspend(c, "hello")
    assert jobs_of(c) == []
    c.advance(30)
    [job] = jobs_of(c)
    assert meta.annotations(job)["batch.kubernetes.io/cronjob-scheduled-timestamp"] == rfc3339(c.now())


def test_hourly_schedule_and_defaults():
    c = make_cluster()
    cj = c.create(cronjob("hourly", "@hourly"))
    s = cj["spec"]
    assert (s["concurrencyPolicy"], s["suspend"], s["successfulJobsHistoryLimit"], s["failedJobsHistoryLimit"]) == ("Allow", False, 3, 1)
    c.advance(59 * 60)
    assert jobs_of(c, "hourly") == []
    c.advance(60)
    assert len(jobs_of(c, "hourly")) == 1
    assert c.get("CronJob", "default", "hourly")["status"]["lastScheduleTime"] == "2026-11-01T10:00:00Z"


@pytest.mark.parametrize("schedule,message", [
    ("* * * *", 'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'),
    ("TZ=UTC * * * * *", 'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
])
def test_invalid_schedule(schedule, message):
    c = Cluster(seed=1)
    with pytest.raises(ApiError) as e:
        c.create(cronjob("bad", schedule))
    assert e.value.code == 422 and message in e.value.message


def test_too_many_missed_runs_start_the_latest_one():
    c = make_cluster()
    c.create(cronjob(suspend=True))
    c.advance(3 * 3600 + 30)  # 180 missed minutes
    _unsuspend(c, "hello")
    [job] = jobs_of(c)
    assert meta.annotations(job)["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-11-01T12:00:00Z"
    assert any(r == "TooManyMissedTimes" for r, _ in events(c))


def test_a_run_the_api_refused_is_tried_again_after_a_back_off():
    """A refused Job (a quota) is not recorded as scheduled; the CronJob is looked at again after
    a back-off, so the run is made once the quota allows, not an hour later."""
    c = make_cluster()
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "q"}})
    c.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "jobs", "namespace": "q"},
              "spec": {"hard": {"count/jobs.batch": "0"}}})
    c.advance(1)
    c.advance(3600 - c.now() % 3600 - 600)  # ten minutes before the hour
    hourly = cronjob("hourly", "0 * * * *")
    hourly["metadata"]["namespace"] = "q"
    c.create(hourly)
    c.advance(601)  # the hour: refused
    cj = c.store.get("CronJob", "q", "hourly")
    assert [e["reason"] for e in c.events.for_object(cj)].count("FailedCreate") >= 1
    assert not c.store.list("Job", "q")
    c.store.mutate("ResourceQuota", "q", "jobs", lambda o: o["spec"]["hard"].update({"count/jobs.batch": "10"}))
    c.advance(120)
    hour = int(c.now()) // 3600 * 3600
    assert [meta.name(j) for j in c.store.list("Job", "q")] == [f"hourly-{hour // 60}"]


def test_every_descriptor_runs_at_its_delay_after_creation():
    # @every 90s is robfig's ConstantDelaySchedule, which Kubernetes' schedule validation takes:
    # the first run 90 s after the CronJob was created, the next 90 s after that
    c = make_cluster()
    c.create(cronjob(schedule="@every 90s"))
    created = c.now()
    c.advance(89)
    assert jobs_of(c) == []
    c.advance(1)
    [job] = jobs_of(c)
    assert meta.annotations(job)["batch.kubernetes.io/cronjob-scheduled-timestamp"] == rfc3339(int(created) + 90)
    c.advance(90)
    assert len(jobs_of(c)) == 2
    with pytest.raises(ApiError) as e:
        c.create(cronjob("bad", schedule="@every 5x"))
    assert e.value.causes[0]["message"] == ('Invalid value: "@every 5x": failed to parse duration @every 5x: '
                                            'time: unknown unit "x" in duration "5x"')


def test_every_descriptor_far_behind_stays_on_its_grid():
    # 5000 s suspended, then resumed: the run is the latest instant of created + 7k (Kubernetes'
    # mostRecentScheduleTime: t1 + (n-1) * interval), not 7 s after some look-back point
    c = make_cluster()
    c.create(cronjob(schedule="@every 7s", suspend=True))
    created = int(c.now())
    c.advance(5000)
    cj = c.get("CronJob", "default", "hello")
    c.replace({**cj, "spec": {**cj["spec"], "suspend": False}})
    c.advance(0.5)
    [job] = jobs_of(c)
    scheduled = created + (int(c.now()) - created) // 7 * 7
    assert meta.annotations(job)["batch.kubernetes.io/cronjob-scheduled-timestamp"] == rfc3339(scheduled)
    assert ("Warning", "TooManyMissedTimes") in [(e["type"], e["reason"]) for e in c.events.for_object(cj)]
