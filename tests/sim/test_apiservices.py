"""What `kubectl get apiservices` and `kubectl get csinodes` find on a fresh cluster: the
aggregator's Local APIServices (one per served group/version, a CRD's group too) and the CSINode
each kubelet registers."""

from __future__ import annotations

from k9py.sim.cluster import Cluster
from tests.crds import crontab_crd
from tests.sim.helpers import make_cluster


def _available(obj: dict) -> tuple[str, str]:
    (cond,) = obj["status"]["conditions"]
    assert cond["type"] == "Available"
    return cond["status"], cond["reason"]


def test_every_built_in_group_version_has_a_local_apiservice():
    c = Cluster(seed=0)
    names = {o["metadata"]["name"] for o in c.store.list("APIService")}
    assert {"v1.", "v1.apps", "v1.autoscaling", "v2.autoscaling", "v1.batch", "v1.apiregistration.k8s.io",
            "v1.admissionregistration.k8s.io", "v1.node.k8s.io", "v1.storage.k8s.io"} <= names
    core = c.get("APIService", None, "v1.")
    assert core["spec"] == {"group": "", "version": "v1", "groupPriorityMinimum": 18000, "versionPriority": 1}
    assert "service" not in core["spec"]  # Local
    assert core["metadata"]["labels"] == {"kube-aggregator.kubernetes.io/automanaged": "onstart"}
    assert _available(core) == ("True", "Local")
    assert c.get("APIService", None, "v2.autoscaling")["spec"]["versionPriority"] == 30


def test_a_crd_group_gets_its_apiservice_until_no_crd_serves_it():
    c = Cluster(seed=0)
    assert c.store.get("APIService", None, "v1.stable.example.com") is None
    c.create(crontab_crd())
    c.settle()
    svc = c.get("APIService", None, "v1.stable.example.com")
    assert svc["spec"] == {"group": "stable.example.com", "version": "v1", "groupPriorityMinimum": 1000,
                           "versionPriority": 100}
    assert svc["metadata"]["labels"] == {"kube-aggregator.kubernetes.io/automanaged": "true"}
    assert _available(svc) == ("True", "Local")
    c.delete("CustomResourceDefinition", None, "crontabs.stable.example.com")
    c.advance(5)
    assert c.store.get("CustomResourceDefinition", None, "crontabs.stable.example.com") is None
    assert c.store.get("APIService", None, "v1.stable.example.com") is None
    assert c.store.get("APIService", None, "v1.apps") is not None  # the built-in ones stay


def test_each_node_has_its_csinode_owned_by_it():
    c = make_cluster(nodes=2)
    node = c.get("Node", None, "minikube")
    csi = c.get("CSINode", None, "minikube")
    assert csi["spec"] == {"drivers": None}
    assert csi["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind": "Node", "name": "minikube",
                                                   "uid": node["metadata"]["uid"]}]
    assert "kubernetes.io/gce-pd" in csi["metadata"]["annotations"]["storage.alpha.kubernetes.io/migrated-plugins"]
    assert sorted(o["metadata"]["name"] for o in c.store.list("CSINode")) == ["minikube", "minikube-m02"]
