"""DaemonSet controller with the real scheduler/kubelet: a pod per eligible node."""

from __future__ import annotations

from typing import Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node
from tests.sim.helpers import make_cluster

Obj = dict[str, Any]
CP_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def proxy(name: str = "kube-proxy", **spec: Any) -> Obj:
    tpl_spec = spec.pop("template_spec", {})
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": "kube-system"},
            "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                     "template": {"metadata": {"labels": {"k8s-app": name}},
                                  "spec": {"containers": [{"name": name, "image": "registry.k8s.io/kube-proxy:v1.31.0"}],
                                           **tpl_spec}}, **spec}}


def ds(c: Cluster, name: str = "kube-proxy") -> Obj:
    return c.get("DaemonSet", "kube-system", name)


def ds_pods(c: Cluster, name: str = "kube-proxy") -> list[Obj]:
    uid = meta.uid(ds(c, name))
    return [p for p in c.store.list("Pod", "kube-system") if (meta.controller_ref(p) or {}).get("uid") == uid
            and not meta.is_deleting(p)]


def test_one_pod_per_node_with_affinity_and_tolerations():
    c = make_cluster(nodes=3)
    c.create(proxy())
    c.advance(10)
    pods = ds_pods(c)
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["minikube", "minikube-m02", "minikube-m03"]
    for p in pods:
        assert meta.name(p).startswith("kube-proxy-") and len(meta.name(p)) == len("kube-proxy-") + 5
        terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [p["spec"]["nodeName"]]}]}]
        keys = [(t["key"], t["effect"]) for t in p["spec"]["tolerations"]]
        assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
        assert ("node.kubernetes.io/not-ready", "NoExecute") in keys
        assert all("tolerationSeconds" not in t for t in p["spec"]["tolerations"])
        assert meta.labels(p)["pod-template-generation"] == "1" and "controller-revision-hash" in meta.labels(p)
    st = ds(c)["status"]
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"], st["numberReady"],
            st["updatedNumberScheduled"], st["numberAvailable"], st["numberMisscheduled"]) == (3, 3, 3, 3, 3, 0)
    assert "numberUnavailable" not in st
    msgs = [e["message"] for e in c.events.for_object(ds(c))]
    assert sorted(msgs) == sorted(f"Created pod: {meta.name(p)}" for p in pods)


def test_taints_and_node_selector_limit_eligible_nodes():
    c = Cluster(seed=1)
    add_node(c, "minikube", control_plane=True, taints=[CP_TAINT])
    add_node(c, "minikube-m02", labels={"disk": "ssd"})
    add_node(c, "minikube-m03")
    c.create(proxy())
    c.create(proxy("ssd-agent", template_spec={"nodeSelector": {"disk": "ssd"}}))
    c.create(proxy("everywhere", template_spec={"tolerations": [{"key": "node-role.kubernetes.io/control-plane",
                                                                 "operator": "Exists", "effect": "NoSchedule"}]}))
    c.advance(10)
    assert sorted(p["spec"]["nodeName"] for p in ds_pods(c)) == ["minikube-m02", "minikube-m03"]
    assert [p["spec"]["nodeName"] for p in ds_pods(c, "ssd-agent")] == ["minikube-m02"]
    assert len(ds_pods(c, "everywhere")) == 3
    assert ds(c)["status"]["desiredNumberScheduled"] == 2


def test_new_node_gets_a_pod_and_cordoned_nodes_keep_theirs():
    c = make_cluster(nodes=2)
    c.create(proxy())
    c.advance(10)
    assert len(ds_pods(c)) == 2
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["spec"].__setitem__("unschedulable", True))
    add_node(c, "minikube-m03", index=2)
    c.advance(10)
    assert sorted(p["spec"]["nodeName"] for p in ds_pods(c)) == ["minikube", "minikube-m02", "minikube-m03"]
    assert ds(c)["status"]["numberReady"] == 3


def test_deleted_pod_is_replaced():
    c = make_cluster(nodes=2)
    c.create(proxy())
    c.advance(10)
    victim = ds_pods(c)[0]
    c.delete("Pod", "kube-system", meta.name(victim))
    c.advance(40)
    pods = ds_pods(c)
    assert len(pods) == 2 and meta.name(victim) not in {meta.name(p) for p in pods}
    assert {p["spec"]["nodeName"] for p in pods} == {"minikube", "minikube-m02"}


def test_rolling_update_one_node_at_a_time():
    c = make_cluster(nodes=3)
    c.create(proxy())
    c.advance(10)
    d = deep_copy(ds(c))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/kube-proxy:v1.31.1"
    c.replace(d)
    for _ in range(120):
        c.advance(0.5)
        ready_new = [p for p in ds_pods(c) if any(x["type"] == "Ready" and x["status"] == "True"
                                                   for x in dig(p, "status", "conditions", default=[]))]
        assert len(ready_new) >= 2  # maxUnavailable 1 of 3
        if ds(c)["status"].get("updatedNumberScheduled") == 3 and ds(c)["status"].get("numberAvailable") == 3:
            break
    pods = ds_pods(c)
    assert len(pods) == 3 and all(p["spec"]["containers"][0]["image"].endswith("v1.31.1") for p in pods)
    assert all(meta.labels(p)["pod-template-generation"] == "2" for p in pods)
    assert len(c.store.list("ControllerRevision", "kube-system")) == 2


def test_defaults():
    c = Cluster(seed=1)
    s = c.create(proxy())["spec"]
    assert s["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert s["revisionHistoryLimit"] == 10


def test_new_taints_misschedule_or_evict():
    c = make_cluster(nodes=3)
    c.create(proxy())
    c.advance(10)
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]))
    c.advance(5)
    st = ds(c)["status"]
    assert len(ds_pods(c)) == 3  # a NoSchedule taint does not evict the running daemon pod
    assert (st["desiredNumberScheduled"], st["numberMisscheduled"], st["currentNumberScheduled"]) == (2, 1, 2)
    c.store.mutate("Node", None, "minikube-m03", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "dedicated", "value": "db", "effect": "NoExecute"}]))
    c.advance(5)
    assert sorted(p["spec"]["nodeName"] for p in ds_pods(c)) == ["minikube", "minikube-m02"]
    assert ds(c)["status"]["desiredNumberScheduled"] == 1


def test_node_selector_change_removes_pod():
    c = make_cluster(nodes=2)
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["metadata"]["labels"].__setitem__("disk", "ssd"))
    c.create(proxy("ssd-agent", template_spec={"nodeSelector": {"disk": "ssd"}}))
    c.advance(10)
    assert [p["spec"]["nodeName"] for p in ds_pods(c, "ssd-agent")] == ["minikube-m02"]
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["metadata"]["labels"].pop("disk"))
    c.advance(40)
    assert ds_pods(c, "ssd-agent") == []
    assert ds(c, "ssd-agent")["status"]["desiredNumberScheduled"] == 0


def test_pods_refused_by_a_quota_are_tried_again_after_the_back_off():
    """A create held back by the create back-off writes nothing: the sync is not settled for it,
    so its wake-up tries again, and the DaemonSet fills its nodes once the quota allows."""
    c = make_cluster(nodes=3)
    c.advance(0.3)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "q"}})
    c.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods", "namespace": "q"},
              "spec": {"hard": {"pods": "1"}}})
    c.advance(1)
    c.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "q"},
              "spec": {"selector": {"matchLabels": {"app": "agent"}},
                       "template": {"metadata": {"labels": {"app": "agent"}},
                                    "spec": {"containers": [{"name": "a", "image": "nginx:1.14.2"}]}}}})
    c.advance(60)
    ds = c.store.get("DaemonSet", "q", "agent")
    assert sum(1 for e in c.events.for_object(ds) if e["reason"] == "FailedCreate") >= 5  # 1, 2, 4, 8, 16, 32 s apart
    c.store.mutate("ResourceQuota", "q", "pods", lambda o: o["spec"]["hard"].update(pods="10"))
    c.advance(90)  # the next try within the back-off's 60 s cap
    assert len(c.store.list("Pod", "q")) == 3
    assert c.store.get("DaemonSet", "q", "agent")["status"]["currentNumberScheduled"] == 3
