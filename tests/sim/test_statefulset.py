"""StatefulSet controller with the real scheduler/kubelet: ordinals, ordered start, PVCs,
scale down from the top, revisions and rolling updates."""

from __future__ import annotations

from typing import Any

import pytest

from k9py.kube import meta
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from tests.sim.helpers import make_cluster

Obj = dict[str, Any]


def web(replicas: int = 3, **spec: Any) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "nginx"}}, "serviceName": "nginx", "replicas": replicas,
                     "template": {"metadata": {"labels": {"app": "nginx"}},
                                  "spec": {"terminationGracePeriodSeconds": 10,
                                           "containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24",
                                                           "ports": [{"containerPort": 80, "name": "web"}],
                                                           "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "www"},
                                               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
                     **spec}}


def sts(c: Cluster) -> Obj:
    return c.get("StatefulSet", "default", "web")


def pods(c: Cluster) -> dict[str, Obj]:
    return {meta.name(p): p for p in c.store.list("Pod", "default") if meta.name(p).startswith("web-")}


def running_ready(p: Obj) -> bool:
    return p["status"].get("phase") == "Running" and any(
        x["type"] == "Ready" and x["status"] == "True" for x in p["status"].get("conditions", []))


def test_ordered_ready_creates_one_pod_at_a_time_with_claims():
    c = make_cluster()
    c.create(web())
    c.settle()
    assert list(pods(c)) == ["web-0"]
    order = []
    for _ in range(60):
        c.advance(1)
        ps = pods(c)
        for n in sorted(ps):
            if n not in order:
                order.append(n)
        # a pod is only created when every lower ordinal is Running and Ready
        for n in ps:
            i = int(n.split("-")[1])
            for j in range(i):
                assert f"web-{j}" in ps
        if len(ps) == 3 and all(running_ready(p) for p in ps.values()):
            break
    assert order == ["web-0", "web-1", "web-2"]
    p1 = pods(c)["web-1"]
    assert p1["spec"]["hostname"] == "web-1" and p1["spec"]["subdomain"] == "nginx"
    labels = meta.labels(p1)
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-1" and labels["apps.kubernetes.io/pod-index"] == "1"
    s = sts(c)
    assert labels["controller-revision-hash"] == s["status"]["updateRevision"] == s["status"]["currentRevision"]
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}} in p1["spec"]["volumes"]
    pvcs = {meta.name(p): p for p in c.store.list("PersistentVolumeClaim", "default")}
    assert set(pvcs) == {"www-web-0", "www-web-1", "www-web-2"}
    assert meta.labels(pvcs["www-web-0"]) == {"app": "nginx"}
    st = s["status"]
    assert (st["replicas"], st["readyReplicas"], st["currentReplicas"], st["updatedReplicas"], st["availableReplicas"]) == (3, 3, 3, 3, 3)
    msgs = [e["message"] for e in c.events.for_object(s)]
    assert msgs[:2] == ["create Claim www-web-0 Pod web-0 in StatefulSet web success",
                        "create Pod web-0 in StatefulSet web successful"]
    [cr] = [r for r in c.store.list("ControllerRevision", "default")]
    assert meta.name(cr) == st["updateRevision"] and cr["revision"] == 1


def test_scale_down_from_highest_ordinal_keeps_claims():
    c = make_cluster()
    c.create(web(replicas=4))
    c.advance(60)
    assert len(pods(c)) == 4
    s = deep_copy(sts(c))
    s["spec"]["replicas"] = 1
    c.replace(s)
    c.settle()
    deleting = [n for n, p in pods(c).items() if meta.is_deleting(p)]
    assert deleting == ["web-3"]
    gone_order = []
    for _ in range(60):
        c.advance(0.5)
        for n in ("web-3", "web-2", "web-1"):
            if n not in pods(c) and n not in gone_order:
                gone_order.append(n)
        assert sum(meta.is_deleting(p) for p in pods(c).values()) <= 1  # one at a time
    assert gone_order == ["web-3", "web-2", "web-1"]
    assert list(pods(c)) == ["web-0"]
    msgs = sorted(e["message"] for e in c.events.for_object(sts(c)) if e["reason"] == "SuccessfulDelete")
    assert msgs == [f"delete Pod web-{i} in StatefulSet web successful" for i in (1, 2, 3)]
    assert len(c.store.list("PersistentVolumeClaim", "default")) == 4


def test_parallel_creates_all_at_once():
    c = make_cluster()
    c.create(web(podManagementPolicy="Parallel"))
    c.settle()
    assert sorted(pods(c)) == ["web-0", "web-1", "web-2"]


@pytest.mark.parametrize("policy", ["Parallel", "OrderedReady"])
def test_pods_become_available_after_min_ready_seconds_and_roll(policy):
    """The status asks to be looked at again when a ready pod's minReadySeconds end (with Parallel
    pods nothing else waits on it); the next ordinal and the rolling update wait for them."""
    c = make_cluster()
    c.advance(0.3)
    c.create(web(2, podManagementPolicy=policy, minReadySeconds=10))
    c.advance(60)
    st = sts(c)["status"]
    assert st["readyReplicas"] == 2 and st["availableReplicas"] == 2
    new = deep_copy(sts(c))
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/nginx-slim:0.25"
    c.replace(new)
    c.advance(300)
    assert {meta.name(p): p["spec"]["containers"][0]["image"] for p in pods(c).values()} == {
        "web-0": "registry.k8s.io/nginx-slim:0.25", "web-1": "registry.k8s.io/nginx-slim:0.25"}


def test_deleted_pod_comes_back_with_same_name_and_claim():
    c = make_cluster()
    c.create(web(replicas=2))
    c.advance(30)
    uid = meta.uid(pods(c)["web-0"])
    c.delete("Pod", "default", "web-0")
    c.advance(30)
    p = pods(c)["web-0"]
    assert meta.uid(p) != uid and running_ready(p)
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in p["spec"]["volumes"]


def test_rolling_update_from_highest_ordinal():
    c = make_cluster()
    c.create(web())
    c.advance(60)
    old_rev = sts(c)["status"]["currentRevision"]
    s = deep_copy(sts(c))
    s["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/nginx-slim:0.25"
    c.replace(s)
    c.settle()
    new_rev = sts(c)["status"]["updateRevision"]
    assert new_rev != old_rev and sts(c)["status"]["currentRevision"] == old_rev
    updated_order = []
    for _ in range(120):
        c.advance(1)
        for n, p in sorted(pods(c).items()):
            if meta.labels(p)["controller-revision-hash"] == new_rev and n not in updated_order:
                updated_order.append(n)
        if sts(c)["status"]["currentRevision"] == new_rev:
            break
    assert updated_order == ["web-2", "web-1", "web-0"]
    st = sts(c)["status"]
    assert st["currentRevision"] == new_rev and st["updatedReplicas"] == 3 and st["currentReplicas"] == 3
    assert all(p["spec"]["containers"][0]["image"].endswith(":0.25") for p in pods(c).values())
    revs = sorted(r["revision"] for r in c.store.list("ControllerRevision", "default"))
    assert revs == [1, 2]


def test_partition_keeps_lower_ordinals():
    c = make_cluster()
    c.create(web(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    c.advance(60)
    s = deep_copy(sts(c))
    s["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/nginx-slim:0.25"
    c.replace(s)
    c.advance(60)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(c).items()}
    assert images == {"web-0": "registry.k8s.io/nginx-slim:0.24", "web-1": "registry.k8s.io/nginx-slim:0.24",
                      "web-2": "registry.k8s.io/nginx-slim:0.25"}


def test_defaults_and_validation():
    c = Cluster(seed=1)
    s = c.create(web())["spec"]
    assert s["podManagementPolicy"] == "OrderedReady"
    assert s["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert s["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert s["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"
    changed = deep_copy(sts(c))
    changed["spec"]["serviceName"] = "other"
    with pytest.raises(ApiError) as e:
        c.replace(changed)
    assert "updates to statefulset spec for fields other than 'replicas'" in e.value.message


def test_claim_retention_policy_delete():
    c = make_cluster()
    c.create(web(replicas=2, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"}))
    c.advance(40)
    pvc0 = c.get("PersistentVolumeClaim", "default", "www-web-0")
    assert meta.owner_refs(pvc0) == [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": meta.uid(sts(c))}]
    s = deep_copy(sts(c))
    s["spec"]["replicas"] = 1
    c.replace(s)
    c.settle()
    pvc1 = c.store.get("PersistentVolumeClaim", "default", "www-web-1")
    assert pvc1 is None or any(r["kind"] == "Pod" and r["name"] == "web-1" for r in meta.owner_refs(pvc1))
    c.advance(60)
    assert c.store.get("PersistentVolumeClaim", "default", "www-web-1") is None  # garbage collected with web-1
    assert c.store.get("PersistentVolumeClaim", "default", "www-web-0") is not None
