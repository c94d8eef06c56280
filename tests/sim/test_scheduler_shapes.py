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
