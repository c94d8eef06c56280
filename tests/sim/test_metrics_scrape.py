"""metrics-server rates a container's CPU from two scrapes: a container that has just started has
no metrics yet (`kubectl top`: not available; k9s: n/a), one scrape window later it has."""

from __future__ import annotations

from k9py.sim.metrics import WINDOW, pod_usage
from tests.sim.helpers import make_cluster, pod, pod_manifest


def _started_at(p: dict) -> str:
    return p["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]


def test_a_container_has_metrics_one_scrape_window_after_it_started():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("fresh"))
    c.advance(5)
    p = pod(c, "fresh")
    assert "running" in p["status"]["containerStatuses"][0]["state"] and pod_usage(0, p, c.now()) is None
    c.advance(WINDOW)
    usage = pod_usage(0, pod(c, "fresh"), c.now())
    assert usage is not None and usage["fresh"].memory_bytes > 0
