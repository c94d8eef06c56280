"""The simulator's shortcuts change nothing it does: a generated cluster under churn ends up in
exactly the same state, object for object and step by step, with them turned off:

- settled DaemonSets and StatefulSets skipped until something they read changes;
- a pod asking for more than any node has not tried again when pods leave nodes;
- pods that wait only for a node to change not looked at until one does;
- pods that wait for a pod to leave a node not looked at in passes after which none left;
- unsettled Deployments found idle not looked at until something concerns them or their time
  comes (``_SyncState.quiet``);
- the volume controller skipped until claims, volumes, classes or the pods mounting claims
  change, or it is woken."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from k9py.scenario import files
from k9py.scenario.generate import generate
from k9py.sim import scheduler
from k9py.sim.cluster import Cluster
from k9py.sim.controllers import deployment
from k9py.sim.controllers.settled_syncs import PodsChanged


def _run(tmp_path: Any) -> list[str]:
    """A fingerprint of every object after each of six 5 s steps, then what the cluster held."""
    path = tmp_path / "churn.yaml"
    path.write_text(generate(150, 6, seed=2, churn=30), encoding="utf-8")
    cluster = files.build_cluster(files.parse_file(str(path)), warmup=20)
    prints = []
    for _ in range(6):
        cluster.advance(5)
        h = hashlib.sha256()
        for kind in sorted(cluster.store.kinds()):
            for obj in cluster.store.list(kind):
                h.update(json.dumps(obj, sort_keys=True, default=str).encode())
        prints.append(h.hexdigest())
    held = {k: cluster.store.count(k) for k in ("DaemonSet", "StatefulSet", "PersistentVolumeClaim")}
    held["waiting on nodes only"] = sum(1 for w in cluster.state.get("scheduler.waiting", {}).values() if w[2] is None)
    dormant = cluster.state.get("scheduler.dormant")
    held["waiting on pods leaving"] = len(dormant.waiting) if dormant is not None else 0
    return [*prints, json.dumps(held)]


@pytest.fixture(scope="module")
def with_shortcuts(tmp_path_factory: Any) -> list[str]:
    return _run(tmp_path_factory.mktemp("on"))


def test_the_scenario_has_what_is_skipped(with_shortcuts: list[str]) -> None:
    """(What the comparison below relies on.)"""
    held = json.loads(with_shortcuts[-1])
    assert all(held.values()), held


@pytest.mark.source_build
def test_the_shortcuts_change_nothing(tmp_path: Any, monkeypatch: Any, with_shortcuts: list[str]) -> None:
    monkeypatch.setattr(PodsChanged, "take", lambda self, store: None)  # every one syncs every pass
    monkeypatch.setattr(scheduler, "_removals_cannot_help", lambda fit, r, reasons: False)
    monkeypatch.setattr(scheduler._Dormant, "candidates", lambda self, cache, touched: set(cache.pending))
    monkeypatch.setattr(deployment._SyncState, "set_quiet", lambda self, key, until: None)
    monkeypatch.setattr(Cluster, "woken", property(lambda self: True))  # (the volume controller's skip)
    off = _run(tmp_path)
    assert off[:-1] == with_shortcuts[:-1]
    assert json.loads(off[-1])["waiting on nodes only"] == 0  # (they were off)
