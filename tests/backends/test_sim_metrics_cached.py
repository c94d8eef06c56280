"""The bulk metrics readers remember each pod's usage per (object, scrape window, load share):
what they serve is exactly what computing every pod afresh gives, and a changed pod is recomputed."""

from k9py.sim import metrics
from tests.samples import add_pods, small_cluster


def _fresh_nodes(c):
    """Node usage with every pod computed again (no remembered usage)."""
    metrics._USAGE.clear()
    return metrics.list_node_metrics(c)


def test_remembered_usage_is_the_computed_one_across_windows_and_changes():
    c = small_cluster(seed=2)
    add_pods(c, 40, namespaces=2)
    for step in range(4):
        nodes = metrics.list_node_metrics(c)
        pods = metrics.list_pod_metrics(c)
        assert nodes == _fresh_nodes(c)
        metrics._USAGE.clear()
        assert pods == metrics.list_pod_metrics(c)
        # a pod pinned to a new figure is recomputed, not served from memory
        name = f"load-app-{step:06d}"
        c.store.mutate("Pod", f"load-{step % 2:02d}", name,
                       lambda p: p["metadata"].setdefault("annotations", {}).update({"k9py.sim/cpu-usage": "777m"}))
        [pm] = [m for m in metrics.list_pod_metrics(c) if m["metadata"]["name"] == name]
        assert pm["containers"][0]["usage"]["cpu"] == "777000000n"
        c.advance(15)  # the next scrape window


def test_node_metrics_of_a_snapshot_off_the_store():
    c = small_cluster(seed=2)
    snap = metrics.node_metrics_of(c.store.list("Node"), c.store.list("Pod"), c.seed, c.now(), metrics.load_shares(c))
    assert snap == metrics.list_node_metrics(c)
