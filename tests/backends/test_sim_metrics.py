"""The simulator's metrics-server: PodMetrics / NodeMetrics through SimBackend.metrics()."""

import asyncio

import pytest

from k9py.backends.base import MetricsUnavailable, read_only
from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.sim import metrics
from k9py.store.metrics import MetricsCache, cpu_nanos, mem_bytes
from tests.samples import small_cluster


def run(coro):
    return asyncio.run(coro)


def by_name(items):
    return {m["metadata"]["name"]: m for m in items}


def pod_with(c, name, *, requests=None, limits=None, annotations=None, image="nginx:1.27", running=True):
    pod = deep_copy(c.store.get("Pod", "default", "counter"))
    pod["metadata"] = {"name": name, "namespace": "default", "annotations": annotations or {},
                       "creationTimestamp": pod["metadata"]["creationTimestamp"]}
    pod["spec"]["containers"] = [{"name": "app", "image": image,
                                  "resources": {"requests": requests or {}, "limits": limits or {}}}]
    state = {"running": {"startedAt": "2026-11-01T08:50:00Z"}} if running else {"waiting": {"reason": "ContainerCreating"}}
    pod["status"]["containerStatuses"] = [{"name": "app", "ready": running, "restartCount": 0, "state": state}]
    if not running:
        pod["status"]["phase"] = "Pending"
    return c.store.create(pod)


def test_pod_metrics_are_metrics_server_shaped():
    c = small_cluster()
    pods = by_name(run(SimBackend(c).metrics("Pod", "default")))
    # crashy's only container is waiting (CrashLoopBackOff): metrics-server reports no such pod
    assert sorted(pods) == ["counter", "nginx-deployment-77d8468669-2xq7v", "nginx-deployment-77d8468669-9lwhk",
                            "nginx-deployment-77d8468669-kc4gz"]
    pm = pods["nginx-deployment-77d8468669-2xq7v"]
    assert pm["kind"] == "PodMetrics" and pm["apiVersion"] == "metrics.k8s.io/v1beta1"
    assert pm["metadata"]["namespace"] == "default" and pm["window"] == "15s"
    assert pm["timestamp"] == "2026-11-01T09:00:00Z"
    [container] = pm["containers"]
    assert container["name"] == "nginx"
    assert container["usage"]["cpu"].endswith("n") and container["usage"]["memory"].endswith("Ki")
    # nginx without requests: about its idle figure (1m, 3Mi)
    assert 0.5e6 <= cpu_nanos(container["usage"]["cpu"]) <= 2.5e6
    assert 2 * 2**20 <= mem_bytes(container["usage"]["memory"]) <= 5 * 2**20
    everywhere = run(SimBackend(c).metrics("Pod", None))
    assert {m["metadata"]["namespace"] for m in everywhere} == {"default", "kube-system"}


def test_usage_follows_requests_and_stays_under_limits():
    c = small_cluster()
    pod_with(c, "requested", requests={"cpu": "500m", "memory": "256Mi"})
    pod_with(c, "throttled", requests={"cpu": "500m", "memory": "256Mi"}, limits={"cpu": "30m", "memory": "100Mi"})
    pod_with(c, "pending", requests={"cpu": "1"}, running=False)
    for _ in range(0, 3600, 15):  # over an hour of virtual time
        c.advance(15)
        pods = by_name(metrics.list_pod_metrics(c, "default"))
        assert "pending" not in pods
        req = pods["requested"]["containers"][0]["usage"]
        assert 0.02 * 500e6 <= cpu_nanos(req["cpu"]) <= 500e6
        assert 0.3 * 256 * 2**20 <= mem_bytes(req["memory"]) <= 256 * 2**20
        thr = pods["throttled"]["containers"][0]["usage"]
        assert cpu_nanos(thr["cpu"]) <= 30e6 and mem_bytes(thr["memory"]) <= 100 * 2**20


def test_usage_is_deterministic_moves_with_virtual_time_and_steps_per_window():
    a, b = small_cluster(seed=3), small_cluster(seed=3)
    assert metrics.list_pod_metrics(a) == metrics.list_pod_metrics(b)
    assert metrics.list_node_metrics(a) == metrics.list_node_metrics(b)
    first = metrics.list_pod_metrics(a)
    a.advance(5)  # same 15 s scrape window: same figures
    assert [m["containers"] for m in metrics.list_pod_metrics(a)] == [m["containers"] for m in first]
    seen = set()
    for _ in range(20):
        a.advance(15)
        seen.add(by_name(metrics.list_pod_metrics(a))["etcd-minikube"]["containers"][0]["usage"]["cpu"])
    assert len(seen) > 10  # it wobbles
    other_seed = small_cluster(seed=4)
    assert metrics.list_pod_metrics(other_seed) != metrics.list_pod_metrics(small_cluster(seed=3))


def test_reading_metrics_does_not_touch_the_simulation_rng():
    c = small_cluster(seed=5)
    state = c.rng.getstate()
    metrics.list_pod_metrics(c)
    metrics.list_node_metrics(c)
    assert c.rng.getstate() == state


def test_annotations_pin_usage():
    c = small_cluster()
    pod_with(c, "pinned", annotations={"k9py.sim/cpu-usage": "250m", "k9py.sim/memory-usage": "100Mi"})
    [u] = by_name(metrics.list_pod_metrics(c, "default"))["pinned"]["containers"]
    assert cpu_nanos(u["usage"]["cpu"]) == 250_000_000 and mem_bytes(u["usage"]["memory"]) == 100 * 2**20


def test_node_metrics_are_their_pods_plus_overhead():
    c = small_cluster()
    pod_with(c, "big", annotations={"k9py.sim/cpu-usage": "900m", "k9py.sim/memory-usage": "1Gi"})  # on minikube-m02
    nodes = by_name(run(SimBackend(c).metrics("Node")))
    assert sorted(nodes) == ["minikube", "minikube-m02", "minikube-m03"]
    nm = nodes["minikube-m02"]
    assert nm["kind"] == "NodeMetrics" and set(nm["usage"]) == {"cpu", "memory"}
    pods_on = [p for p in metrics.list_pod_metrics(c) if c.store.get("Pod", p["metadata"]["namespace"],
                                                                     p["metadata"]["name"])["spec"]["nodeName"] == "minikube-m02"]
    pod_cpu = sum(cpu_nanos(ct["usage"]["cpu"]) for p in pods_on for ct in p["containers"])
    overhead = cpu_nanos(nm["usage"]["cpu"]) - pod_cpu
    assert 0.03 * 2e9 <= overhead <= 0.06 * 2e9  # ~4% of the node's 2 CPUs
    assert mem_bytes(nm["usage"]["memory"]) > 2**30


def test_metrics_can_be_missing_and_the_cache_says_so():
    c = small_cluster()
    backend = SimBackend(c)
    backend.metrics_enabled = False
    with pytest.raises(MetricsUnavailable):
        run(backend.metrics("Pod"))
    cache = MetricsCache(backend)
    assert run(cache.refresh()) is False and cache.available is False and cache.pods == {}
    backend.metrics_enabled = True
    cache = MetricsCache(read_only(backend))  # reads pass the read-only wrapper
    assert run(cache.refresh("default")) is True
    assert cache.pods[("default", "counter")].cpu_m >= 0 and ("kube-system", "etcd-minikube") not in cache.pods
    nodes = c.store.list("Node")
    cpu, mem = cache.cluster_percent(nodes)
    total_cpu = sum(u.cpu_m for u in cache.nodes.values())
    assert cpu == total_cpu * 100 // 6000  # three nodes of 2 CPUs
    assert 0 < mem < 100


def test_quantity_parsing_of_metrics():
    assert cpu_nanos("2395437n") == 2395437 and cpu_nanos("250m") == 250_000_000 and cpu_nanos("2") == 2 * 10**9
    assert cpu_nanos("1.5") == 1_500_000_000 and cpu_nanos("") == 0
    assert mem_bytes("23456Ki") == 23456 * 1024 and mem_bytes("1Gi") == 2**30 and mem_bytes("1000") == 1000
    assert mem_bytes("1e3") == 1000


def test_a_poll_keeps_the_last_polls_objects_where_nothing_changed():
    """10,000 pods made 40,000 tuples a poll that each young collection walked until the next:
    a key or a usage that did not change is the object from before (the new one dies at once)."""
    c = small_cluster()
    cache = MetricsCache(SimBackend(c))
    assert run(cache.refresh())
    pods, containers = dict(cache.pods), dict(cache.containers)
    keys = {k: k for k in pods} | {k: k for k in containers}
    assert run(cache.refresh())  # the same scrape window: the same usage
    assert cache.pods == pods and cache.containers == containers
    for now, before in ((cache.pods, pods), (cache.containers, containers)):
        for k, u in now.items():
            assert u is before[k] and next(x for x in now if x == k) is keys[k]
    c.advance(metrics.WINDOW * 2)  # another window: usage moves, the keys stay
    assert run(cache.refresh())
    fresh = MetricsCache(SimBackend(c))
    assert run(fresh.refresh())
    assert cache.pods == fresh.pods and cache.containers == fresh.containers
    assert any(cache.pods[k] is not pods[k] for k in pods if k in cache.pods)
    assert all(next(x for x in cache.pods if x == k) is keys[k] for k in pods if k in cache.pods)
