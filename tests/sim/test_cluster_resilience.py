"""A failing controller, bad objects and static pods: what the control plane does around them."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from k9py.sim.controllers import default_controllers
from k9py.sim.controllers.base import Controller
from tests.sim.helpers import make_cluster, pod, pod_manifest, run_pod


class Broken(Controller):
    """A controller with a bug that fires on every pass."""

    def __init__(self) -> None:
        self.calls = 0

    def reconcile(self, cluster) -> None:
        self.calls += 1
        raise RuntimeError("boom")


def _cluster_with(broken: Broken):
    c = make_cluster(2)
    # the broken controller runs first: the real ones after it must still run
    c.controllers = [broken, *c.controllers]
    return c


def test_strict_cluster_raises_a_controller_failure():
    c = _cluster_with(Broken())
    with pytest.raises(RuntimeError, match="boom"):
        c.advance(1)


def test_lenient_cluster_reports_once_and_keeps_reconciling(capsys):
    broken = Broken()
    c = _cluster_with(broken)
    c.strict = False
    c.create(pod_manifest("web"))
    c.advance(20)
    assert pod(c, "web")["status"]["phase"] == "Running"
    assert broken.calls > 1
    err = capsys.readouterr().err
    assert err.count("k9py: controller Broken failed (it keeps running): RuntimeError: boom") == 1


def test_default_controller_list_is_unchanged_by_strictness():
    assert [type(x).__name__ for x in make_cluster(1).controllers] == [type(x).__name__ for x in default_controllers()]


def test_mirror_pods_are_owned_by_their_node():
    c = make_cluster(2)
    node = c.store.must_get("Node", None, "minikube")
    c.create(pod_manifest("etcd-minikube", "registry.k8s.io/etcd:3.5.15-0", namespace="kube-system",
                          annotations={"kubernetes.io/config.mirror": "abc"}, nodeName="minikube"))
    c.advance(10)
    p = pod(c, "etcd-minikube", "kube-system")
    assert p["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Node", "name": "minikube", "uid": node["metadata"]["uid"], "controller": True}]
    assert p["status"]["phase"] == "Running"
    plain = run_pod(c, "plain")
    assert "ownerReferences" not in plain["metadata"]


def test_a_bound_pod_cannot_be_moved_by_an_update():
    c = make_cluster(2)
    p = run_pod(c, "web")
    moved = dict(p, spec=dict(p["spec"], nodeName="minikube-m02" if p["spec"]["nodeName"] == "minikube" else "minikube"))
    with pytest.raises(ApiError) as e:
        c.replace(moved)
    assert e.value.code == 422 and "pod updates may not change fields" in str(e.value)


def test_node_taints_are_validated():
    c = make_cluster(1)
    node = c.store.must_get("Node", None, "minikube")
    bad = dict(node, spec=dict(node.get("spec", {}), taints=[{"key": "", "effect": "NoSchedule"}]))
    with pytest.raises(ApiError) as e:
        c.replace(bad)
    assert e.value.code == 422 and 'spec.taints[0].key: Invalid value: "": name part must be non-empty' in str(e.value)
    ok = dict(node, spec=dict(node.get("spec", {}), taints=[{"key": "dedicated", "value": "ml", "effect": "NoSchedule"}]))
    assert c.replace(ok)["spec"]["taints"] == [{"key": "dedicated", "value": "ml", "effect": "NoSchedule"}]
