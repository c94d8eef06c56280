"""HorizontalPodAutoscaler controller: upstream's algorithm over the simulator's metrics (virtual clock)."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from k9py.sim import metrics as sim_metrics
from k9py.sim.controllers.hpa import milli_quantity
from tests.sim.helpers import events_for, make_cluster

HPA = "HorizontalPodAutoscaler"


def deployment(name: str = "web", replicas: int = 1, requests: dict | None = None, annotations: dict | None = None) -> dict:
    c: dict = {"name": "web", "image": "nginx:1.25"}
    if requests is not None:
        c["resources"] = {"requests": requests}
    md: dict = {"name": name, "namespace": "default"}
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md,
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}}}}


def hpa(name: str = "web", *, target: str = "web", kind: str = "Deployment", lo: int | None = 1, hi: int = 5,
        metrics: list | None = None, behavior: dict | None = None, cpu: int | None = 50) -> dict:
    spec: dict = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target}, "maxReplicas": hi}
    if lo is not None:
        spec["minReplicas"] = lo
    if metrics is not None:
        spec["metrics"] = metrics
    elif cpu is not None:
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}}}]
    if behavior is not None:
        spec["behavior"] = behavior
    return {"apiVersion": "autoscaling/v2", "kind": HPA, "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def set_load(cluster, name: str, cpu: str | None = None, memory: str | None = None, kind: str = "Deployment") -> None:
    def change(o: dict) -> None:
        ann = o["metadata"].setdefault("annotations", {})
        for key, value in ((sim_metrics.CPU_LOAD_ANNOTATION, cpu), (sim_metrics.MEMORY_LOAD_ANNOTATION, memory)):
            if value is None:
                ann.pop(key, None)
            else:
                ann[key] = value
    cluster.store.mutate(kind, "default", name, change)


def status(cluster, name: str = "web") -> dict:
    return cluster.store.must_get(HPA, "default", name).get("status") or {}


def conditions(cluster, name: str = "web") -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status(cluster, name).get("conditions") or []}


def replicas(cluster, name: str = "web") -> int:
    return cluster.store.must_get("Deployment", "default", name)["spec"]["replicas"]


@pytest.fixture
def cluster():
    c = make_cluster(3)
    c.create(deployment(requests={"cpu": "100m", "memory": "64Mi"}))
    c.advance(30)
    return c


def test_defaults_and_validation(cluster):
    created = cluster.create(hpa(lo=None, cpu=None))
    assert created["spec"]["minReplicas"] == 1
    assert created["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    assert "behavior" not in created["spec"]
    assert created["status"] == {"desiredReplicas": 0}
    with_behavior = cluster.create(hpa("b", behavior={"scaleDown": {"stabilizationWindowSeconds": 60}}))
    assert with_behavior["spec"]["behavior"]["scaleUp"]["policies"] == [
        {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]
    assert with_behavior["spec"]["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    with pytest.raises(ApiError) as err:
        cluster.create(hpa("bad", lo=3, hi=2))
    assert err.value.code == 422 and "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`" in err.value.message


def test_load_is_shared_by_the_ready_pods(cluster):
    set_load(cluster, "web", cpu="400m")
    [m] = [m for m in sim_metrics.list_pod_metrics(cluster, "default") if m["metadata"]["name"].startswith("web-")]
    assert m["containers"][0]["usage"]["cpu"] == "400000000n"
    cluster.store.mutate("Deployment", "default", "web", lambda o: o["spec"].__setitem__("replicas", 4))
    cluster.advance(30)
    usages = [m["containers"][0]["usage"]["cpu"] for m in sim_metrics.list_pod_metrics(cluster, "default")
              if m["metadata"]["name"].startswith("web-")]
    assert usages == ["100000000n"] * 4


def test_scale_up_down_with_stabilisation(cluster):
    cluster.create(hpa())
    set_load(cluster, "web", cpu="400m")
    cluster.advance(14)
    assert status(cluster) == {"desiredReplicas": 0}  # the first sync comes 15 s after creation
    cluster.advance(1)
    st = status(cluster)
    # 400% of requests against 50%: ceil(1 * 8) = 8, limited to max(2 * 1, 4) without a behavior
    assert replicas(cluster) == 4
    assert (st["currentReplicas"], st["desiredReplicas"]) == (1, 4)
    assert st["currentMetrics"] == [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 400, "averageValue": "400m"}}}]
    assert "lastScaleTime" in st
    assert conditions(cluster) == {"AbleToScale": ("True", "SucceededRescale"), "ScalingActive": ("True", "ValidMetricFound"),
                                   "ScalingLimited": ("True", "ScaleUpLimit")}
    assert ("SuccessfulRescale", "New size: 4; reason: cpu resource utilization (percentage of request) above target") in \
        events_for(cluster, cluster.store.must_get(HPA, "default", "web"))
    cluster.advance(60)
    assert replicas(cluster) == 5
    st = status(cluster)
    assert st["currentMetrics"][0]["resource"]["current"] == {"averageUtilization": 80, "averageValue": "80m"}
    assert conditions(cluster)["ScalingLimited"] == ("True", "TooManyReplicas")
    # the load drops: 10% each; the scale-down waits for the 300 s stabilisation window
    set_load(cluster, "web", cpu="50m")
    cluster.advance(60)
    assert replicas(cluster) == 5
    assert conditions(cluster)["AbleToScale"] == ("True", "ScaleDownStabilized")
    cluster.advance(300)
    assert replicas(cluster) == 1
    assert ("SuccessfulRescale", "New size: 1; reason: All metrics below target") in \
        events_for(cluster, cluster.store.must_get(HPA, "default", "web"))
    assert conditions(cluster)["ScalingLimited"] == ("False", "DesiredWithinRange")


def test_within_tolerance_nothing_changes(cluster):
    cluster.create(hpa())
    set_load(cluster, "web", cpu="53m")  # 53% of 50%: within 10%
    cluster.advance(60)
    assert replicas(cluster) == 1
    st = status(cluster)
    assert (st["currentReplicas"], st["desiredReplicas"]) == (1, 1)
    assert "lastScaleTime" not in st


def test_behavior_policies_limit_the_rate(cluster):
    behavior = {"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
                "scaleDown": {"stabilizationWindowSeconds": 0, "policies": [{"type": "Pods", "value": 1, "periodSeconds": 30}]}}
    cluster.create(hpa(hi=10, behavior=behavior))
    set_load(cluster, "web", cpu="1")
    cluster.advance(15)
    assert replicas(cluster) == 2
    assert conditions(cluster)["ScalingLimited"] == ("True", "ScaleUpLimit")
    cluster.advance(30)
    assert replicas(cluster) == 2  # one pod per 60 s
    cluster.advance(30)
    assert replicas(cluster) == 3
    set_load(cluster, "web", cpu="150m")  # 50% each: it holds
    cluster.advance(60)
    assert replicas(cluster) == 3
    set_load(cluster, "web", cpu="10m")
    cluster.advance(15)
    assert replicas(cluster) == 2
    assert conditions(cluster)["ScalingLimited"] == ("True", "ScaleDownLimit")
    cluster.advance(15)
    assert replicas(cluster) == 2
    cluster.advance(15)
    assert replicas(cluster) == 1


def test_memory_average_value_target(cluster):
    metrics = [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}]
    cluster.create(hpa(metrics=metrics))
    set_load(cluster, "web", memory="300Mi")
    cluster.advance(15)
    assert replicas(cluster) == 3
    assert status(cluster)["currentMetrics"] == [{"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "314572800"}}}]


def test_min_and_max_bound_the_target(cluster):
    cluster.store.mutate("Deployment", "default", "web", lambda o: o["spec"].__setitem__("replicas", 8))
    cluster.create(hpa(lo=2, hi=5))
    cluster.advance(15)
    assert replicas(cluster) == 5
    assert ("SuccessfulRescale", "New size: 5; reason: Current number of replicas above Spec.MaxReplicas") in \
        events_for(cluster, cluster.store.must_get(HPA, "default", "web"))


def test_pods_without_requests(cluster):
    cluster.create(deployment("noreq"))
    cluster.advance(20)
    cluster.create(hpa("noreq", target="noreq"))
    cluster.advance(15)
    pod = next(p for p in cluster.store.list("Pod", "default") if p["metadata"]["name"].startswith("noreq-"))
    name = pod["metadata"]["name"]
    msg = f"failed to get cpu utilization: missing request for cpu in container web of Pod {name}"
    evs = events_for(cluster, cluster.store.must_get(HPA, "default", "noreq"))
    assert ("FailedGetResourceMetric", msg) in evs
    assert ("FailedComputeMetricsReplicas", f"invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: {msg}") in evs
    cond = {c["type"]: c for c in status(cluster, "noreq")["conditions"]}
    assert cond["ScalingActive"]["status"] == "False" and cond["ScalingActive"]["reason"] == "FailedGetResourceMetric"
    assert cond["ScalingActive"]["message"] == f"the HPA was unable to compute the replica count: {msg}"
    assert status(cluster, "noreq")["currentMetrics"] == [{"type": ""}]


def test_missing_target(cluster):
    cluster.create(hpa("ghost", target="ghost"))
    cluster.advance(15)
    cond = {c["type"]: c for c in status(cluster, "ghost")["conditions"]}
    assert cond["AbleToScale"]["reason"] == "FailedGetScale"
    assert cond["AbleToScale"]["message"] == 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "ghost" not found'
    assert ("FailedGetScale", 'deployments/scale.apps "ghost" not found') in events_for(cluster, cluster.store.must_get(HPA, "default", "ghost"))


def test_scaled_to_zero_disables(cluster):
    cluster.store.mutate("Deployment", "default", "web", lambda o: o["spec"].__setitem__("replicas", 0))
    cluster.create(hpa())
    cluster.advance(15)
    assert replicas(cluster) == 0
    assert conditions(cluster)["ScalingActive"] == ("False", "ScalingDisabled")


def test_statefulset_target(cluster):
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
           "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}},
                                 "spec": {"containers": [{"name": "db", "image": "redis", "resources": {"requests": {"cpu": "100m"}}}]}}}}
    cluster.create(sts)
    cluster.advance(20)
    cluster.create(hpa("db", target="db", kind="StatefulSet"))
    set_load(cluster, "db", cpu="150m", kind="StatefulSet")
    cluster.advance(15)
    assert cluster.store.must_get("StatefulSet", "default", "db")["spec"]["replicas"] == 3


def test_milli_quantity():
    assert [milli_quantity(m) for m in (250, 2000, 1500, 100_000_000_000, 314572800000)] == ["250m", "2", "1500m", "100M", "314572800"]


def test_without_metrics_server(cluster):
    cluster.state[sim_metrics.DISABLED_STATE] = True
    cluster.create(hpa())
    cluster.advance(15)
    cond = {c["type"]: c for c in status(cluster)["conditions"]}
    assert cond["ScalingActive"]["reason"] == "FailedGetResourceMetric"
    assert cond["ScalingActive"]["message"] == (
        "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: "
        "unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)")
    assert replicas(cluster) == 1
