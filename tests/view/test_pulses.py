"""The pulses model (k9py.view.pulses): ok / warn / error counts per tile over the sample cluster
and the simulator, the stacked bar, the charts' columns and sparklines, and the metrics history
they are drawn from (store.metrics, sampled on the backend's clock)."""

import asyncio

import pytest

from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.store.metrics import MetricsCache, Sample
from k9py.view import pulses
from k9py.view.pulses import Counts
from tests.samples import small_cluster
from tests.sim.helpers import make_cluster, pod_manifest
from tests.ui.simcluster import sim_cluster


def counts(cluster, kind, ns=None):
    return pulses.count(kind, cluster.store.list(kind, ns), cluster.now())


def test_counts_on_the_sample_cluster():
    c = small_cluster()
    assert counts(c, "Pod", "default") == Counts(ok=4, warn=0, error=1)  # crashy is in CrashLoopBackOff
    assert counts(c, "Pod") == Counts(ok=6, warn=0, error=1)
    assert counts(c, "Deployment", "default") == Counts(ok=1)
    assert counts(c, "Job", "default") == Counts(ok=1)  # completed is fine
    assert counts(c, "Node") == Counts(ok=3)
    assert counts(c, "PersistentVolumeClaim", "default") == Counts(ok=1)
    assert counts(c, "StatefulSet") == Counts() and Counts().total == 0 and Counts().level == "ok"


def test_counts_follow_the_simulator():
    c = sim_cluster()
    assert counts(c, "Event", "default").warn == 0 and counts(c, "Event", "default").ok > 5
    c.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
    c.create(pod_manifest("waiting", volumes=[{"name": "v", "configMap": {"name": "nope"}}]))
    node = deep_copy(c.get("Node", None, "minikube-m03"))
    node["spec"]["unschedulable"] = True
    c.replace(node)
    c.advance(60)
    pods = counts(c, "Pod", "default")
    assert pods.error >= 1 and pods.warn >= 1 and pods.level == "error"  # crash-looping; stuck creating
    assert counts(c, "Event", "default").warn >= 1  # BackOff is a Warning event
    assert counts(c, "Node") == Counts(ok=2, warn=1)  # cordoned
    d = deep_copy(c.get("Deployment", "default", "nginx-deployment"))
    d["spec"]["replicas"] = 4
    c.replace(d)
    c.advance(0)
    assert counts(c, "Deployment", "default") == Counts(warn=1)  # 2 of 4 available
    c.advance(30)
    assert counts(c, "Deployment", "default") == Counts(ok=1)


def test_classify_reads_the_tile_kind_not_only_the_object():
    pod = {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "a"}]},
           "status": {"phase": "Failed", "reason": "Evicted"}}
    assert pulses.classify("Pod", pod) == "error"
    assert pulses.classify("Event", {"type": "Warning"}) == "warn"
    assert pulses.classify("Event", {"type": "Normal"}) == "ok"


@pytest.mark.parametrize(("c", "width", "bar"), [
    (Counts(10, 1, 2), 20, [("ok", 16), ("warn", 1), ("error", 3)]),
    (Counts(100, 0, 1), 10, [("ok", 9), ("error", 1)]),  # one object in error still shows
    (Counts(0, 3, 0), 7, [("warn", 7)]),
    (Counts(), 10, []),
])
def test_bar(c, width, bar):
    assert pulses.bar(c, width) == bar
    assert sum(n for _, n in bar) in (0, width)


def test_columns_hold_the_last_sample_of_each_time_slice():
    samples = [(10.0, 1, 0), (20.0, 2, 0), (50.0, 5, 0)]
    assert pulses.columns(samples, 60.0, 6, lambda s: s[1], window=60) == [1, 2, 2, 2, 5, 5]
    # the window slides with the clock; a feed that stopped ends the chart (here 60 s after it)
    assert pulses.columns(samples, 100.0, 6, lambda s: s[1], window=60) == [5, 5, 5, 5, 5, 5]
    assert pulses.columns(samples, 120.0, 6, lambda s: s[1], window=60) == [5, 5, 5, 5, 5, None]
    assert pulses.columns(samples, 500.0, 6, lambda s: s[1], window=60) == [None] * 6
    # nothing before the first sample
    assert pulses.columns(samples, 25.0, 3, lambda s: s[1], window=30) == [None, 1, 2]
    assert pulses.columns([], 30.0, 3, lambda s: s[1]) == [None, None, None]


def test_spark_rows_in_eighths():
    assert pulses.spark([None, 0, 1, 4, 8], 8) == ["  ▁▄█"]
    assert pulses.spark([None, 0, 8, 16, 12, 0.01], 16, 2) == ["   █▄ ", "  ███▁"]  # a sliver for any use


def test_allocatable_and_thresholds():
    c = small_cluster()
    cpu, mem = pulses.allocatable(c.store.list("Node"))
    assert cpu == 6000 and mem == 3 * 4015360 * 1024
    assert [pulses.level(p) for p in (0, 69, 70, 89, 90)] == ["ok", "ok", "warn", "warn", "error"]
    assert pulses.percent(1, 0) == 0 and pulses.percent(1, 3) == 33


def test_metrics_history_is_sampled_on_the_backend_clock():
    c = make_cluster()
    c.create(pod_manifest("web"))
    c.advance(30)
    backend = SimBackend(c)
    m = MetricsCache(backend)

    async def poll(seconds):
        c.advance(seconds)
        assert await m.refresh(pods=False)

    async def main():
        start = c.now()
        await poll(0)
        await poll(15)
        await poll(15)
        assert [s.t - start for s in m.history] == [0, 15, 30]
        last = m.history[-1]
        assert last == Sample(c.now(), sum(u.cpu_m for u in m.nodes.values()), sum(u.mem_b for u in m.nodes.values()))
        assert last.cpu_m > 0 and last.mem_b > 0
        await poll(0)  # the clock did not move (paused): the sample is replaced, not added
        assert len(m.history) == 3
        m.record(start)  # the clock went back (a replay seeked): the history starts again
        assert [s.t for s in m.history] == [start]
        backend.metrics_enabled = False
        assert not await m.refresh(pods=False)
        assert len(m.history) == 1  # nothing recorded without metrics

    asyncio.run(main())


def test_counter_follows_diffs_like_a_full_count():
    c = sim_cluster()

    def objs():
        return {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in c.store.list("Pod", "default")}

    counter = pulses.Counter("Pod")
    counter.reset(objs(), c.now())
    assert counter.counts == pulses.count("Pod", objs().values()) == Counts(ok=4)
    before = objs()
    c.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
    c.store.delete("Pod", "default", "counter")
    c.advance(60)
    after = objs()
    added = after.keys() - before.keys()
    removed = before.keys() - after.keys()
    changed = {k for k in after.keys() & before.keys() if after[k] is not before[k]}
    counter.apply(added, changed, removed, after.get, c.now())
    assert counter.counts == pulses.count("Pod", after.values()) and counter.counts.error == 1
