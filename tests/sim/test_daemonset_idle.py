"""A settled DaemonSet is not synced again until something it reads changes (its pods, the
nodes, itself); when something does, the sync runs and does its job."""

from __future__ import annotations

from typing import Any

from k9py.kube import meta
from k9py.sim.controllers.daemonset import DaemonSetController
from k9py.sim.nodes import add_node
from tests.sim.helpers import make_cluster
from tests.sim.test_daemonset import ds_pods, proxy


def _spy(monkeypatch: Any) -> list[str]:
    """The names of the DaemonSets synced from now on."""
    synced: list[str] = []
    real = DaemonSetController._sync

    def spy(self: DaemonSetController, cluster: Any, ds: Any, nodes: Any) -> None:
        synced.append(meta.name(ds))
        real(self, cluster, ds, nodes)
    monkeypatch.setattr(DaemonSetController, "_sync", spy)
    return synced


def test_settled_daemonset_is_skipped_until_its_inputs_change(monkeypatch: Any) -> None:
    c = make_cluster(nodes=2)
    c.create(proxy())
    c.advance(10)
    assert len(ds_pods(c)) == 2
    synced = _spy(monkeypatch)

    c.advance(5)  # nothing it reads changed
    assert synced == []

    gone = ds_pods(c)[0]
    c.store.delete("Pod", meta.namespace(gone), meta.name(gone))  # one of its pods goes
    c.advance(10)
    assert synced and len(ds_pods(c)) == 2
    assert meta.name(gone) not in {meta.name(p) for p in ds_pods(c)}

    synced.clear()
    add_node(c, "minikube-m03", index=2)  # a node comes
    c.advance(10)
    assert synced and sorted(p["spec"]["nodeName"] for p in ds_pods(c)) == [
        "minikube", "minikube-m02", "minikube-m03"]


def test_another_workloads_pods_do_not_wake_a_settled_daemonset(monkeypatch: Any) -> None:
    """Its pods are told apart as they change: a busy Deployment elsewhere syncs it no more."""
    c = make_cluster(nodes=2)
    c.create(proxy())
    c.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    c.advance(20)
    synced = _spy(monkeypatch)

    for p in c.store.list("Pod", "default"):  # the Deployment's pods go and come back
        c.delete("Pod", "default", meta.name(p))
    c.advance(30)
    assert len([p for p in c.store.list("Pod", "default") if not meta.is_deleting(p)]) == 3
    assert synced == []

    mine = ds_pods(c)[0]
    c.delete("Pod", "kube-system", meta.name(mine), grace_period=0)
    c.advance(10)
    assert synced and len(ds_pods(c)) == 2


def test_a_node_change_wakes_a_settled_daemonset_only_where_it_changes_whether_it_runs(monkeypatch: Any) -> None:
    """As daemon_controller's updateNode: a cordon (a taint its pods tolerate) or a node's status
    syncs it no more; a node taking on the label it selects does, and it gets its pod."""
    c = make_cluster(nodes=2)
    c.create(proxy(template_spec={"nodeSelector": {"edge": "true"}}))
    c.store.mutate("Node", None, "minikube", lambda n: n["metadata"]["labels"].__setitem__("edge", "true"))
    c.advance(10)
    assert [p["spec"]["nodeName"] for p in ds_pods(c)] == ["minikube"]
    synced = _spy(monkeypatch)

    c.store.mutate("Node", None, "minikube-m02", lambda n: n["spec"].__setitem__("unschedulable", True))
    c.advance(5)
    assert c.store.must_get("Node", None, "minikube-m02")["spec"]["taints"]  # cordoned: tainted unschedulable
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["metadata"]["labels"].__setitem__("zone", "b"))
    c.advance(300)  # a label it does not select, and the kubelets' status reports (heartbeats)
    assert synced == [] and len(ds_pods(c)) == 1

    c.store.mutate("Node", None, "minikube-m02", lambda n: n["metadata"]["labels"].__setitem__("edge", "true"))
    c.advance(10)
    assert synced and sorted(p["spec"]["nodeName"] for p in ds_pods(c)) == ["minikube", "minikube-m02"]
