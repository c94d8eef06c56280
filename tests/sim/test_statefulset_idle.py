"""A settled StatefulSet is not synced again until something it reads changes (its pods,
itself, claims, revisions), except while it waits to create a pod it could not: then it tries
again every pass, as before."""

from __future__ import annotations

from typing import Any

from k9py.kube import meta
from k9py.sim.controllers.statefulset import StatefulSetController
from tests.sim.helpers import make_cluster, pod_manifest
from tests.sim.test_statefulset import pods, web


def _spy(monkeypatch: Any) -> list[str]:
    synced: list[str] = []
    real = StatefulSetController._sync

    def spy(self: StatefulSetController, cluster: Any, sts: Any) -> None:
        synced.append(meta.name(sts))
        real(self, cluster, sts)
    monkeypatch.setattr(StatefulSetController, "_sync", spy)
    return synced


def test_settled_statefulset_is_skipped_until_its_pods_change(monkeypatch: Any) -> None:
    c = make_cluster()
    c.create(web(2))
    c.advance(60)
    assert sorted(pods(c)) == ["web-0", "web-1"]
    synced = _spy(monkeypatch)

    c.create(pod_manifest("bystander"))  # somebody else's pod comes and runs
    c.advance(10)
    assert synced == []

    c.delete("Pod", "default", "web-1")  # one of its own goes: it is made again
    c.advance(60)
    assert synced and sorted(pods(c)) == ["web-0", "web-1"]
    assert all(p["status"].get("phase") == "Running" for p in pods(c).values())


def test_a_pod_in_the_way_is_tried_again_every_pass_until_it_goes() -> None:
    """Somebody else's pod named web-0 (not one of its own: no change of it concerns the
    StatefulSet) holds the name; once it is gone, web-0 is made at once."""
    c = make_cluster()
    squatter = pod_manifest("web-0")
    squatter["metadata"]["labels"] = {"app": "other"}
    c.create(squatter)
    c.advance(10)
    c.create(web(1))
    c.advance(10)
    assert pods(c)["web-0"]["metadata"].get("labels") == {"app": "other"}

    c.delete("Pod", "default", "web-0", grace_period=0)
    c.advance(5)
    mine = pods(c)["web-0"]
    assert mine["metadata"]["labels"].get("app") == "nginx"
    assert (meta.controller_ref(mine) or {}).get("kind") == "StatefulSet"
