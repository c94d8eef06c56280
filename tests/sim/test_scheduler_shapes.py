"""Workloads alike (same requests and static fit, other owners) share what the scheduler scored
of the nodes: a new one starts from its shape's heap instead of scoring every node, and places
its replicas exactly where scoring every node would."""

from __future__ import annotations

import pytest

from k9py.sim import scheduler
from tests.sim.helpers import make_cluster

NODES = 40


def _deployment(name: str, replicas: int, cpu: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                           "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}}}}


def _placements() -> dict[str, str]:
    c = make_cluster(nodes=NODES)
    c.create(_deployment("seed", 25, "700m"))  # uneven usage first
    c.advance(5)
    for i, cpu in enumerate(("100m", "100m", "250m", "100m")):
        c.create(_deployment(f"web-{i}", 12, cpu))
    c.advance(5)
    return {p["metadata"]["name"]: p["spec"]["nodeName"] for p in c.store.list("Pod")}


def test_alike_workloads_are_placed_as_scoring_every_node_places_them(monkeypatch: pytest.MonkeyPatch):
    shared = _placements()
    monkeypatch.setattr(scheduler, "SMALL", 10 ** 6)  # every pod scored on every node
    assert _placements() == shared


def test_a_workload_like_one_placed_in_the_same_pass_scores_fewer_nodes(monkeypatch: pytest.MonkeyPatch):
    c = make_cluster(nodes=NODES)
    calls = 0
    score = scheduler._score

    def counted(*args: object) -> float | None:
        nonlocal calls
        calls += 1
        return score(*args)  # type: ignore[arg-type]
    monkeypatch.setattr(scheduler, "_score", counted)
    c.create(_deployment("a", 4, "100m"))
    c.create(_deployment("b", 4, "100m"))
    c.settle()
    assert len([p for p in c.store.list("Pod") if p["spec"].get("nodeName")]) == 8
    assert calls < 2 * NODES  # b started from a's shape, not from one score per node


def test_the_static_filters_key_is_remembered_by_the_values_identity():
    c = make_cluster(nodes=1)
    cache = scheduler.cache_of(c)
    tolerations, selector = [{"key": "k", "operator": "Exists"}], {"disk": "ssd"}
    first = cache.static_sigs(tolerations, selector, None)
    assert cache.static_sigs(tolerations, selector, None) is first
    other = [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}]
    assert cache.static_sigs(other, selector, None) != first


def _fits_nowhere_messages(monkeypatch: pytest.MonkeyPatch, *, remember: bool) -> tuple[list[str], int]:
    """Pods too big for any node, tried as the nodes fill up and empty: their PodScheduled messages."""
    from tests.sim.helpers import pod, pod_manifest
    if not remember:
        monkeypatch.setattr(scheduler, "_still_fits_nowhere", lambda *args: None)
    answered = 0
    known = scheduler._still_fits_nowhere

    def counted(*args: object) -> object:
        nonlocal answered
        got = known(*args)  # type: ignore[arg-type]
        answered += got is not None
        return got
    monkeypatch.setattr(scheduler, "_still_fits_nowhere", counted)
    c = make_cluster(nodes=20, pods="3")
    messages = []

    def big(name: str) -> None:
        c.create(pod_manifest(name, requests={"cpu": "3"}))
        c.settle()
        messages.append(next(x["message"] for x in pod(c, name)["status"]["conditions"] if x["type"] == "PodScheduled"))
    big("big-0")
    big("big-1")  # the same shape, nothing changed
    for i in range(3):  # a node fills up: it now says Too many pods as well
        c.create(pod_manifest(f"small-{i}", requests={"cpu": "100m"}, nodeName="minikube-m05"))
    c.settle()
    big("big-2")
    c.create(pod_manifest("small-3", requests={"cpu": "1500m"}, nodeName="minikube-m07"))
    c.settle()
    big("big-3")
    c.delete("Pod", "default", "small-0", grace_period=0)  # a pod leaves a node: asked afresh
    c.settle()
    big("big-4")
    return messages, answered


def test_a_shape_that_fits_nowhere_asks_only_the_nodes_that_took_pods_and_says_what_a_full_scan_says(
        monkeypatch: pytest.MonkeyPatch):
    remembered, answered = _fits_nowhere_messages(monkeypatch, remember=True)
    with pytest.MonkeyPatch.context() as m:
        scanned, none = _fits_nowhere_messages(m, remember=False)
    assert remembered == scanned and none == 0
    assert answered >= 3  # big-1, big-2 and big-3 came from what big-0 found
    assert "1 Too many pods" in remembered[2] and "1 Too many pods" not in remembered[1]


def test_a_shape_that_fit_nowhere_is_placed_once_a_pod_leaves_a_node():
    from tests.sim.helpers import pod, pod_manifest
    c = make_cluster(nodes=20, pods="2")
    for i in range(40):  # every node full
        c.create(pod_manifest(f"filler-{i}", requests={"cpu": "100m"}))
    c.settle()
    for name in ("late-0", "late-1"):
        c.create(pod_manifest(name, requests={"cpu": "100m"}))
        c.settle()
        assert not pod(c, name)["spec"].get("nodeName")
    where = pod(c, "filler-7")["spec"]["nodeName"]
    c.delete("Pod", "default", "filler-7", grace_period=0)
    c.settle()
    c.create(pod_manifest("late-2", requests={"cpu": "100m"}))
    c.settle()
    assert [pod(c, n)["spec"].get("nodeName") for n in ("late-0", "late-1", "late-2")].count(where) == 1


def test_a_shape_that_fits_nowhere_looks_at_every_node_once_the_usage_log_started_over(
        monkeypatch: pytest.MonkeyPatch):
    from k9py.sim import schedcache
    with pytest.MonkeyPatch.context() as m:
        expected, _ = _fits_nowhere_messages(m, remember=False)
    monkeypatch.setattr(schedcache, "MAX_USAGE_LOG", 2)  # the nodes changed since are not known
    remembered, answered = _fits_nowhere_messages(monkeypatch, remember=True)
    assert remembered == expected and answered >= 3
