"""Job controller with the real kubelet: completions, parallelism, back-off, deadlines, TTL,
Indexed mode, suspend, conditions and events as Kubernetes 1.31 reports them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_time
from k9py.sim.cluster import Cluster
from tests.sim.helpers import make_cluster

Obj = dict[str, Any]
PI = ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]


def job_manifest(name: str = "pi", command: list[str] | None = None, image: str = "perl:5.34.0", **spec: Any) -> Obj:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"containers": [{"name": name, "image": image, "command": command or PI}],
                                           "restartPolicy": "Never"}}, **spec}}


def job(c: Cluster, name: str = "pi") -> Obj:
    return c.get("Job", "default", name)


def job_pods(c: Cluster, j: Obj) -> list[Obj]:
    return [p for p in c.store.list("Pod", "default") if (meta.controller_ref(p) or {}).get("uid") == meta.uid(j)]


def active(c: Cluster, j: Obj) -> list[Obj]:
    return [p for p in job_pods(c, j) if not meta.is_deleting(p) and dig(p, "status", "phase") not in ("Succeeded", "Failed")]


def conds(j: Obj) -> list[tuple[str, str, str]]:
    return [(x["type"], x["status"], x.get("reason", "")) for x in dig(j, "status", "conditions", default=[])]


def reasons(c: Cluster, obj: Obj) -> list[tuple[str, str]]:
    return [(e["reason"], e["message"]) for e in c.events.for_object(obj)]


def run_until(c: Cluster, pred, limit: int = 600, step: float = 1.0) -> None:
    for _ in range(int(limit / step)):
        if pred():
            return
        c.advance(step)
    assert pred()


def test_pi_job_completes_with_labels_selector_conditions_and_events():
    c = make_cluster()
    created = c.create(job_manifest())
    uid = meta.uid(created)
    assert created["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = created["spec"]["template"]["metadata"]["labels"]
    assert labels == {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
                      "controller-uid": uid, "job-name": "pi"}
    assert meta.labels(created) == labels
    s = created["spec"]
    assert (s["completions"], s["parallelism"], s["backoffLimit"], s["completionMode"], s["suspend"]) == (1, 1, 6, "NonIndexed", False)
    c.settle()
    j = job(c)
    [pod] = job_pods(c, j)
    assert meta.name(pod).startswith("pi-") and meta.labels(pod)["job-name"] == "pi"
    assert j["status"]["active"] == 1 and j["status"]["startTime"] == "2026-11-01T09:00:00Z"
    run_until(c, lambda: "completionTime" in job(c).get("status", {}))
    j = job(c)
    st = j["status"]
    assert st["succeeded"] == 1 and "active" not in st and "failed" not in st
    assert st["ready"] == 0 and st["terminating"] == 0 and st["uncountedTerminatedPods"] == {}
    assert conds(j) == [("SuccessCriteriaMet", "True", "CompletionsReached"), ("Complete", "True", "CompletionsReached")]
    assert j["status"]["conditions"][1]["message"] == "Reached expected number of succeeded pods"
    assert reasons(c, j) == [("SuccessfulCreate", f"Created pod: {meta.name(pod)}"), ("Completed", "Job completed")]
    assert c.events.for_object(j)[0]["source"]["component"] == "job-controller"
    assert job_pods(c, j)[0]["status"]["phase"] == "Succeeded"  # kept, as in Kubernetes


def test_completions_and_parallelism():
    c = make_cluster()
    c.create(job_manifest("work", ["sleep", "5"], "busybox:1.28", completions=5, parallelism=2))
    peak = 0
    for _ in range(120):
        c.advance(1)
        j = job(c, "work")
        peak = max(peak, len(active(c, j)))
        assert j["status"].get("succeeded", 0) + len(active(c, j)) <= 5
        if "completionTime" in j["status"]:
            break
    j = job(c, "work")
    assert peak == 2 and j["status"]["succeeded"] == 5 and len(job_pods(c, j)) == 5
    assert ("Complete", "True", "CompletionsReached") in conds(j)


def test_backoff_limit_exceeded_with_exponential_backoff():
    c = make_cluster()
    c.create(job_manifest("fail", ["sh", "-c", "exit 1"], "busybox:1.28", backoffLimit=2))
    created_at: list[float] = []
    seen: set[str] = set()
    for _ in range(200):
        c.advance(1)
        for p in job_pods(c, job(c, "fail")):
            if meta.name(p) not in seen:
                seen.add(meta.name(p))
                created_at.append(parse_time(p["metadata"]["creationTimestamp"]))
        if any(t == "Failed" for t, _, _ in conds(job(c, "fail"))):
            break
    j = job(c, "fail")
    assert len(seen) == 3 and j["status"]["failed"] == 3
    gaps = [b - a for a, b in itertools.pairwise(created_at)]
    assert gaps[0] >= 10 and gaps[1] >= 20 and gaps[1] > gaps[0]  # 10 s, then 20 s back-off
    assert conds(j) == [("FailureTarget", "True", "BackoffLimitExceeded"), ("Failed", "True", "BackoffLimitExceeded")]
    assert j["status"]["conditions"][-1]["message"] == "Job has reached the specified backoff limit"
    assert ("BackoffLimitExceeded", "Job has reached the specified backoff limit") in reasons(c, j)
    assert "completionTime" not in j["status"]


def test_active_deadline_kills_pods():
    c = make_cluster()
    c.create(job_manifest("slow", ["sleep", "3600"], "busybox:1.28", activeDeadlineSeconds=20))
    c.advance(19)
    assert len(active(c, job(c, "slow"))) == 1 and not conds(job(c, "slow"))
    c.advance(1)
    j = job(c, "slow")
    assert conds(j)[0] == ("FailureTarget", "True", "DeadlineExceeded")
    assert not active(c, j)
    c.advance(40)  # sleep ignores SIGTERM: killed after the 30 s grace period
    j = job(c, "slow")
    assert conds(j)[-1] == ("Failed", "True", "DeadlineExceeded")
    assert ("DeadlineExceeded", "Job was active longer than specified deadline") in reasons(c, j)
    assert not job_pods(c, j) or all(dig(p, "status", "phase") in ("Failed", "Succeeded") for p in job_pods(c, j))


def test_ttl_after_finished_deletes_job():
    c = make_cluster()
    c.create(job_manifest(ttlSecondsAfterFinished=30))
    run_until(c, lambda: "completionTime" in job(c).get("status", {}))
    done = parse_time(job(c)["status"]["completionTime"])
    c.advance(done + 29 - c.now())
    assert c.store.get("Job", "default", "pi") is not None
    c.advance(2)
    j = c.store.get("Job", "default", "pi")
    assert j is None or meta.is_deleting(j)


def test_indexed_job():
    c = make_cluster()
    c.create(job_manifest("idx", ["sleep", "3"], "busybox:1.28", completions=3, parallelism=3, completionMode="Indexed"))
    c.settle()
    pods = job_pods(c, job(c, "idx"))
    assert sorted(meta.annotations(p)["batch.kubernetes.io/job-completion-index"] for p in pods) == ["0", "1", "2"]
    for p in pods:
        i = meta.annotations(p)["batch.kubernetes.io/job-completion-index"]
        assert meta.name(p).startswith(f"idx-{i}-") and p["spec"]["hostname"] == f"idx-{i}"
        assert meta.labels(p)["batch.kubernetes.io/job-completion-index"] == i
    run_until(c, lambda: "completionTime" in job(c, "idx").get("status", {}))
    assert job(c, "idx")["status"]["completedIndexes"] == "0-2"


def test_suspend_and_resume():
    c = make_cluster()
    c.create(job_manifest("s", ["sleep", "30"], "busybox:1.28", suspend=True))
    c.advance(5)
    j = job(c, "s")
    assert not job_pods(c, j) and conds(j) == [("Suspended", "True", "JobSuspended")]
    assert "startTime" not in j["status"]
    jj = deep_copy(j)
    jj["spec"]["suspend"] = False
    c.replace(jj)
    c.settle()
    j = job(c, "s")
    assert len(active(c, j)) == 1 and conds(j) == [("Suspended", "False", "JobResumed")]
    assert [r for r, _ in reasons(c, j)] == ["Suspended", "Resumed", "SuccessfulCreate"]


def test_admission_rejects_restart_policy_always():
    c = Cluster(seed=1)
    m = job_manifest()
    del m["spec"]["template"]["spec"]["restartPolicy"]
    with pytest.raises(ApiError) as e:
        c.create(m)
    assert e.value.code == 422
    assert 'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"' in e.value.message


def test_on_failure_restarts_count_against_backoff_limit():
    c = make_cluster()
    m = job_manifest("crash", ["sh", "-c", "exit 2"], "busybox:1.28", backoffLimit=2)
    m["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    c.create(m)
    run_until(c, lambda: any(t == "Failed" for t, _, _ in conds(job(c, "crash"))), limit=300)
    j = job(c, "crash")
    assert conds(j)[-1] == ("Failed", "True", "BackoffLimitExceeded")
    assert len(job_pods(c, j)) <= 1  # the same pod restarted in place, then was deleted


def test_user_selector_without_manual_selector_is_rejected():
    c = Cluster(seed=1)
    m = job_manifest()
    m["spec"]["selector"] = {"matchLabels": {"app": "pi"}}
    m["spec"]["template"]["metadata"] = {"labels": {"app": "pi"}}
    with pytest.raises(ApiError) as e:
        c.create(m)
    assert "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{" in e.value.message
    assert e.value.message.endswith("`selector` not auto-generated")
    assert c.store.get("Job", "default", "pi") is None


def test_terminating_counts_the_jobs_own_pods_being_deleted():
    c = make_cluster()
    for name in ("a", "b"):
        c.create(job_manifest(name, ["sleep", "3600"], image="busybox", parallelism=2, completions=2))
    c.advance(10)
    [a0, _] = job_pods(c, job(c, "a"))
    c.delete("Pod", "default", meta.name(a0))  # 30 s of grace: its container still runs
    c.advance(1)
    assert job(c, "a")["status"]["terminating"] == 1
    assert job(c, "b")["status"]["terminating"] == 0  # another Job's pod of the namespace
    run_until(c, lambda: job(c, "a")["status"]["terminating"] == 0, limit=60)
    assert len(active(c, job(c, "a"))) == 2  # replaced
