"""The scheduler at scale: its watch-kept cache, the per-workload score heaps (same placements as
scoring every node) and the retry rules of unschedulable pods."""

from __future__ import annotations

import pytest

from k9py.sim import scheduler
from k9py.sim.schedcache import SchedulerCache, cache_of
from tests.sim.helpers import make_cluster, pod, pod_manifest


def _owned(c, name: str, owner: str, **kw) -> dict:
    m = pod_manifest(name, labels={"app": owner}, **kw)
    uid = c.store.get("ConfigMap", "default", owner)["metadata"]["uid"]
    m["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner, "uid": uid,
                                         "controller": True}]
    return m


def _placements(monkeypatch, small: int) -> dict[str, str | None]:
    monkeypatch.setattr(scheduler, "SMALL", small)
    c = make_cluster(nodes=20, cpu="4", memory="8Gi")
    c.store.mutate("Node", None, "minikube-m05", lambda n: n["status"]["allocatable"].__setitem__("cpu", "8"))
    c.store.mutate("Node", None, "minikube-m07", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "spot", "effect": "PreferNoSchedule"}]))
    zones = {f"minikube-m{i:02d}": f"z{i % 3}" for i in range(2, 21)}
    for node, zone in zones.items():
        c.store.mutate("Node", None, node, lambda n, z=zone: n["metadata"]["labels"].__setitem__("zone", z))
    names = []
    for o, (replicas, cpu) in enumerate(((30, "300m"), (12, "1"), (25, None), (9, "2500m"))):
        owner = f"app{o}"
        c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner}})
        for i in range(replicas):
            kw = {"requests": {"cpu": cpu, "memory": "256Mi"}} if cpu else {}
            if o == 1:  # one per zone at most... of three zones: the rest stay Pending
                kw["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": owner}}, "topologyKey": "zone"}]}}
            c.create(_owned(c, f"{owner}-{i:02d}", owner, **kw))
            names.append(f"{owner}-{i:02d}")
        c.settle()
    c.delete("Pod", "default", "app0-03")  # a pod leaving a node: scores rise again
    c.create(_owned(c, "app0-late", "app0", requests={"cpu": "300m"}))
    c.settle()
    return {n: pod(c, n)["spec"].get("nodeName") for n in [*names, "app0-late"] if n != "app0-03"}


def test_score_heaps_place_pods_exactly_as_scoring_every_node(monkeypatch):
    every_node = _placements(monkeypatch, 10**6)
    with_heaps = _placements(monkeypatch, 0)
    assert with_heaps == every_node
    assert sum(1 for n in with_heaps.values() if n) > 60  # most placed, over many nodes
    assert len({n for n in with_heaps.values() if n}) >= 15
    zoned = [int(n[-2:]) % 3 for k, n in with_heaps.items() if k.startswith("app1") and n and n != "minikube"]
    assert sorted(zoned) == [0, 1, 2]  # one per zone (minikube has no zone: anti-affinity cannot apply)


def _churned_placements(monkeypatch, small: int) -> list[dict[str, str | None]]:
    """Pods of three shapes placed, then pass after pass some leave and others come: where every
    pod is at the end of each pass."""
    import random
    monkeypatch.setattr(scheduler, "SMALL", small)
    c = make_cluster(nodes=20, cpu="4", memory="8Gi")
    rng = random.Random(7)
    shapes = {"a": "300m", "b": "700m", "c": "150m"}
    for owner in shapes:
        c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner}})
    live: list[str] = []
    made = 0
    out = []
    for round_ in range(12):
        for name in rng.sample(live, min(len(live), 4 if round_ else 0)):
            c.delete("Pod", "default", name, grace_period=0)
            live.remove(name)
        for _ in range(10 if round_ == 0 else 4):
            owner = rng.choice(sorted(shapes))
            name = f"{owner}-{made:03d}"
            made += 1
            c.create(_owned(c, name, owner, requests={"cpu": shapes[owner], "memory": "256Mi"}))
            live.append(name)
        c.advance(1)
        out.append({n: pod(c, n)["spec"].get("nodeName") for n in live})
    return out


def test_score_heaps_kept_from_pass_to_pass_place_pods_as_scoring_every_node_under_churn(monkeypatch):
    """A shape's heap outlives the pass (``scheduler._Shape``): after pods left nodes, the nodes
    they left are scored again, so each new pod still goes where scoring every node sends it."""
    every_node = _churned_placements(monkeypatch, 10**6)
    kept = _churned_placements(monkeypatch, 0)
    assert kept == every_node
    assert len({n for n in kept[-1].values() if n}) >= 10


def _usage(cache: SchedulerCache) -> dict:
    return {n: (u.cpu, u.mem, u.ncpu, u.nmem, u.pods, dict(u.ports), dict(u.owners), set(u.keys))
            for n, u in cache.usage.items() if u.pods}


def test_the_cache_follows_the_store():
    c = make_cluster(nodes=3)
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}})
    for i in range(5):
        m = _owned(c, f"web-{i}", "web", requests={"cpu": "100m"})
        m["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8000 + i}]
        c.create(m)
    c.create(pod_manifest("done", command=["sh", "-c", "echo hi"], restart_policy="Never"))
    c.settle()
    c.advance(10)  # `done` completes: it no longer counts on its node
    c.delete("Pod", "default", "web-1", grace_period=0)
    c.store.mutate("Pod", "default", "web-2", lambda p: p["metadata"]["labels"].__setitem__("app", "other"))
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api"}})
    adopted = _owned(c, "web-3", "api")["metadata"]["ownerReferences"]
    c.store.mutate("Pod", "default", "web-3", lambda p: p["metadata"].__setitem__("ownerReferences", adopted))
    c.settle()
    cache = cache_of(c)
    fresh = SchedulerCache(c.store)
    assert _usage(cache) == _usage(fresh)
    api_uid = c.store.get("ConfigMap", "default", "api")["metadata"]["uid"]
    assert sum(u.pods for u in cache.usage.values()) == 4 and not cache.pending
    assert cache.by_label[("app", "other")] == {("default", "web-2")}
    assert cache.records[("default", "web-3")].owner == api_uid  # adopted: counted for its new owner


def test_a_templates_replicas_share_what_the_cache_works_out_of_their_requests():
    c = make_cluster(nodes=2)
    c.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"replicas": 6, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": pod_manifest("x", requests={"cpu": "250m"})["spec"]}}})
    c.advance(5)
    cache = cache_of(c)
    pods = c.store.list("Pod", "default")
    assert len(pods) == 6 and len({id(p["spec"]["containers"]) for p in pods}) == 6  # (each its own token mount)
    assert len({id(cache.pod_needs(p["spec"])) for p in pods}) == 1
    assert cache.pod_needs(pods[0]["spec"])[0] == 250


def test_an_unschedulable_pod_is_retried_after_a_pod_leaves_not_after_one_arrives():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("a", requests={"cpu": "1500m"}))
    c.create(pod_manifest("b", requests={"cpu": "1"}))
    c.settle()
    tries = []
    real = scheduler.Scheduler._schedule

    def counting(self, cluster, p, *args):
        tries.append(p["metadata"]["name"])
        return real(self, cluster, p, *args)

    sched = next(x for x in c.controllers if isinstance(x, scheduler.Scheduler))
    sched._schedule = counting.__get__(sched)
    c.create(pod_manifest("c", requests={"cpu": "100m"}))  # arrives: b cannot fit better
    c.advance(30)
    assert tries == ["c"]
    c.delete("Pod", "default", "a", grace_period=0)
    c.settle()
    assert tries == ["c", "b"] and pod(c, "b")["spec"]["nodeName"] == "minikube"


@pytest.mark.parametrize("nodes", [3, 40])
def test_daemon_pods_go_to_the_node_they_name_and_say_why_not(nodes):
    c = make_cluster(nodes=nodes)
    target = "minikube-m03"
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [target]}]}]}}}
    c.create(pod_manifest("ds", affinity=aff))
    c.create(pod_manifest("big", affinity=aff, requests={"cpu": "3"}))
    c.settle()
    assert pod(c, "ds")["spec"]["nodeName"] == target
    cond = next(x for x in pod(c, "big")["status"]["conditions"] if x["type"] == "PodScheduled")
    assert cond["message"].startswith(f"0/{nodes} nodes are available: 1 Insufficient cpu, {nodes - 1} node(s) "
                                      "didn't match Pod's node affinity/selector.")
