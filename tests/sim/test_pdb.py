"""PodDisruptionBudget: the disruption controller's status and the eviction subresource's check."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from tests.sim.helpers import events_for, make_cluster, pod_manifest

PDB = "PodDisruptionBudget"


def deployment(name: str = "web", replicas: int = 3) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}


def pdb(name: str = "web", app: str = "web", **spec) -> dict:
    return {"apiVersion": "policy/v1", "kind": PDB, "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": app}}, **spec}}


def status(cluster, name: str = "web") -> dict:
    return cluster.store.must_get(PDB, "default", name)["status"]


def counts(cluster, name: str = "web") -> tuple[int, int, int, int]:
    st = status(cluster, name)
    return st["expectedPods"], st["currentHealthy"], st["desiredHealthy"], st["disruptionsAllowed"]


def condition(cluster, name: str = "web") -> tuple[str, str]:
    [c] = status(cluster, name)["conditions"]
    assert c["type"] == "DisruptionAllowed"
    return c["status"], c["reason"]


def web_pods(cluster, app: str = "web") -> list[str]:
    return [p["metadata"]["name"] for p in cluster.store.list("Pod", "default")
            if p["metadata"].get("labels", {}).get("app") == app and not p["metadata"].get("deletionTimestamp")]


@pytest.fixture
def cluster():
    c = make_cluster(3)
    c.create(deployment())
    c.advance(30)
    return c


@pytest.mark.parametrize(("spec", "expected"), [
    ({"minAvailable": 2}, (3, 3, 2, 1)),
    ({"minAvailable": "50%"}, (3, 3, 2, 1)),  # rounded up
    ({"maxUnavailable": 1}, (3, 3, 2, 1)),
    ({"maxUnavailable": "34%"}, (3, 3, 1, 2)),  # ceil(1.02) = 2 may go
    ({"minAvailable": 3}, (3, 3, 3, 0)),
    ({"maxUnavailable": 0}, (3, 3, 3, 0)),
])
def test_status(cluster, spec, expected):
    cluster.create(pdb(**spec))
    cluster.settle()
    assert counts(cluster) == expected
    st = status(cluster)
    assert st["observedGeneration"] == 1
    assert condition(cluster) == (("True", "SufficientPods") if expected[3] else ("False", "InsufficientPods"))


def test_status_follows_the_pods(cluster):
    cluster.create(pdb(minAvailable=2))
    cluster.settle()
    cluster.store.mutate("Deployment", "default", "web", lambda o: o["spec"].__setitem__("replicas", 5))
    cluster.advance(30)
    assert counts(cluster) == (5, 5, 2, 3)
    cluster.create(pdb("none", app="nothing", minAvailable=1))
    cluster.settle()
    assert counts(cluster, "none") == (0, 0, 1, 0)
    assert ("NoPods", "No matching pods found") in events_for(cluster, cluster.store.must_get(PDB, "default", "none"))


def test_validation(cluster):
    with pytest.raises(ApiError) as err:
        cluster.create(pdb(minAvailable=1, maxUnavailable=1))
    assert err.value.code == 422 and "minAvailable and maxUnavailable cannot be both set" in err.value.message
    with pytest.raises(ApiError):
        cluster.create(pdb("neg", minAvailable=-1))


def test_eviction_refused_then_allowed(cluster):
    cluster.create(pdb(minAvailable=2))
    cluster.settle()
    first, second, _ = web_pods(cluster)
    cluster.evict("default", first)  # allowed: one disruption taken, the pod recorded
    st = status(cluster)
    assert st["disruptionsAllowed"] == 0 and first in st["disruptedPods"]
    gone = cluster.store.must_get("Pod", "default", first)
    assert gone["metadata"].get("deletionTimestamp")
    assert any(c["type"] == "DisruptionTarget" and c["reason"] == "EvictionByEvictionAPI" for c in gone["status"]["conditions"])
    cluster.settle()  # the controller sees the pod terminating
    assert counts(cluster) == (4, 2, 2, 0)  # an integer minAvailable expects every selected pod
    with pytest.raises(ApiError) as err:
        cluster.evict("default", second)
    assert err.value.code == 429
    assert err.value.to_status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Cannot evict pod as it would violate the pod's disruption budget.", "reason": "TooManyRequests", "code": 429,
        "details": {"causes": [{"reason": "DisruptionBudget", "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]}}
    assert not cluster.store.must_get("Pod", "default", second)["metadata"].get("deletionTimestamp")
    # the replacement becomes ready: one disruption is allowed again
    cluster.advance(40)
    assert status(cluster)["disruptionsAllowed"] == 1
    assert "disruptedPods" not in status(cluster)
    assert condition(cluster) == ("True", "SufficientPods")
    cluster.evict("default", second)


def test_dry_run_eviction_is_checked_but_takes_nothing(cluster):
    cluster.create(pdb(minAvailable=2))
    cluster.settle()
    name = web_pods(cluster)[0]
    cluster.evict("default", name, dry_run=True)
    assert status(cluster)["disruptionsAllowed"] == 1
    assert not cluster.store.must_get("Pod", "default", name)["metadata"].get("deletionTimestamp")


def test_pods_outside_a_budget_and_finished_pods_are_evicted(cluster):
    cluster.create(pdb(maxUnavailable=0))
    cluster.settle()
    cluster.create(pod_manifest("loner", labels={"app": "other"}))
    cluster.advance(10)
    cluster.evict("default", "loner")
    assert cluster.store.must_get("Pod", "default", "loner")["metadata"].get("deletionTimestamp")


def test_two_budgets(cluster):
    cluster.create(pdb(minAvailable=1))
    cluster.create(pdb("again", minAvailable=1))
    cluster.settle()
    with pytest.raises(ApiError) as err:
        cluster.evict("default", web_pods(cluster)[0])
    assert (err.value.code, err.value.message) == (429, "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")


def test_percentage_of_unmanaged_pods_fails_safe(cluster):
    cluster.create(pod_manifest("bare", labels={"app": "bare"}))
    cluster.create(pod_manifest("job-like", labels={"app": "jobby"}))
    cluster.advance(10)
    cluster.create(pdb("bare", app="bare", maxUnavailable="50%"))
    cluster.settle()
    assert counts(cluster, "bare") == (0, 1, 0, 0)  # unmanaged pods count for nothing
    evs = [r for r, _ in events_for(cluster, cluster.store.must_get(PDB, "default", "bare"))]
    assert "UnmanagedPods" in evs


def test_unready_pod_of_a_healthy_budget_may_go(cluster):
    cluster.create(pdb(minAvailable=3))
    cluster.settle()
    cluster.create(pod_manifest("sick", labels={"app": "web"}, annotations={"k9py.sim/never-ready": "true"}))
    cluster.advance(10)
    assert counts(cluster)[:3] == (4, 3, 3)
    cluster.evict("default", "sick")  # not ready, and the budget is met: IfHealthyBudget lets it go
    assert cluster.store.must_get("Pod", "default", "sick")["metadata"].get("deletionTimestamp")


def test_drain_through_the_backend_is_refused_by_the_budget(cluster):
    """The explorer's drain (a deadline already past: refused at once; kubectl's retries are e2e-tested)."""
    import asyncio

    from k9py.backends.base import StatusError
    from k9py.backends.sim import SimBackend

    cluster.create(pdb(maxUnavailable=0))
    cluster.settle()
    node = cluster.store.must_get("Pod", "default", web_pods(cluster)[0])["spec"]["nodeName"]
    backend = SimBackend(cluster)
    with pytest.raises(StatusError) as err:
        asyncio.run(backend.drain(node, force=True, timeout=1e-9))
    assert err.value.code == 429


def test_a_drain_with_timeout_0_retries_a_refused_eviction_until_the_budget_allows_it(cluster, monkeypatch):
    """kubectl's drain.Helper: "0 timeout means infinite". k9py took 0 for no retry at all: the
    budget's first 429 ended the drain (the dialog's Timeout 0s)."""
    import asyncio

    from k9py.backends import base
    from k9py.backends.sim import SimBackend

    cluster.create(pdb(maxUnavailable=0))
    cluster.settle()
    node = cluster.store.must_get("Pod", "default", web_pods(cluster)[0])["spec"]["nodeName"]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # kubectl's 5 s between tries; the budget goes after three
        waits.append(seconds)
        if len(waits) == 3:
            cluster.delete("PodDisruptionBudget", "default", "web")
            cluster.settle()

    monkeypatch.setattr(base.asyncio, "sleep", sleep)
    evicted = asyncio.run(SimBackend(cluster).drain(node, force=True, timeout=0))
    assert waits == [base.DRAIN_RETRY] * 3
    assert [p["metadata"]["name"] for p in evicted if p["metadata"]["name"].startswith("web")]


def test_an_eviction_whose_pod_was_not_deleted_is_forgotten_after_two_minutes():
    """buildDisruptedPodMap: a pod recorded as disrupted but still there two minutes later is
    reported (NotDeleted) and counted again. The recheck comes at that very instant."""
    from k9py.kube.meta import deep_copy
    from k9py.kube.timefmt import parse_time, rfc3339

    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", labels={"app": "web"}))
    c.create(pdb(minAvailable=0))
    c.advance(30.3)
    budget = deep_copy(c.store.get(PDB, "default", "web"))
    budget["status"]["disruptedPods"] = {"web": rfc3339(c.now())}  # an eviction whose deletion did not follow
    c.replace(budget, subresource="status")
    c.settle()
    stamp = parse_time(c.store.get(PDB, "default", "web")["status"]["disruptedPods"]["web"])
    c.advance(stamp + 119 - c.now())
    assert c.store.get(PDB, "default", "web")["status"]["disruptedPods"] == {"web": rfc3339(stamp)}
    c.advance(2)
    assert "disruptedPods" not in c.store.get(PDB, "default", "web")["status"]
    assert ("NotDeleted", "Pod was expected by PDB default/web to be deleted but it wasn't") in events_for(
        c, c.store.get("Pod", "default", "web"))
