"""Namespaces: per-namespace defaults and cascading deletion."""

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from k9py.sim.controllers.namespace import ROOT_CA_NAME
from tests.sim.helpers import make_cluster, pod_manifest


def ns(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def test_every_namespace_has_a_default_service_account_and_root_ca():
    c = Cluster(seed=0)
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert c.store.get("ServiceAccount", name, "default") is not None
        assert c.store.get("ConfigMap", name, ROOT_CA_NAME) is not None
    c.create(ns("team-a"))
    c.settle()
    sa = c.store.get("ServiceAccount", "team-a", "default")
    assert sa == {**sa, "apiVersion": "v1", "kind": "ServiceAccount"}
    cm = c.store.get("ConfigMap", "team-a", ROOT_CA_NAME)
    assert cm["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert cm["data"]["ca.crt"].endswith("-----END CERTIFICATE-----\n")
    assert "kube-apiserver" in cm["metadata"]["annotations"]["kubernetes.io/description"]
    # the controllers put them back when deleted
    c.delete("ServiceAccount", "team-a", "default")
    c.delete("ConfigMap", "team-a", ROOT_CA_NAME)
    c.settle()
    assert c.store.get("ServiceAccount", "team-a", "default") is not None
    assert c.store.get("ConfigMap", "team-a", ROOT_CA_NAME) is not None


def test_a_pass_looks_at_the_namespaces_again_only_after_what_it_reads_changed(monkeypatch):
    from k9py.sim.controllers import namespace

    c = make_cluster(nodes=1)
    c.advance(5)
    looked = []
    ensure = namespace.ensure_namespace_defaults
    monkeypatch.setattr(namespace, "ensure_namespace_defaults", lambda cl, name: looked.append(name) or ensure(cl, name))
    c.create(pod_manifest("web"))  # wakes every controller watching every kind: nothing a namespace pass reads
    c.advance(10)
    assert looked == []
    c.delete("ServiceAccount", "default", "default")
    c.settle()
    assert "default" in looked and c.store.get("ServiceAccount", "default", "default") is not None
    looked.clear()
    c.create(ns("team-b"))
    c.settle()
    assert "team-b" in looked and c.store.get("ConfigMap", "team-b", ROOT_CA_NAME) is not None


def test_deleting_a_namespace_deletes_its_content_then_itself():
    c = make_cluster(nodes=1)
    c.create(ns("shop"))
    c.create(pod_manifest("web", namespace="shop"))
    c.create(pod_manifest("loop", "busybox", namespace="shop",
                         command=["sh", "-c", 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done']))
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    c.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "shop"}, "data": {}})
    c.advance(20)
    assert c.store.get("Pod", "shop", "loop")["status"]["phase"] == "Running"

    c.delete("Namespace", None, "shop")
    c.settle()
    n = c.store.get("Namespace", None, "shop")
    assert n["status"]["phase"] == "Terminating" and n["metadata"]["deletionTimestamp"]
    for kind in ("Service", "Secret", "ConfigMap", "ServiceAccount", "Endpoints", "EndpointSlice"):
        assert c.store.list(kind, "shop") == [], kind
    pods = c.store.list("Pod", "shop")
    assert pods and all(p["metadata"].get("deletionTimestamp") for p in pods)
    conds = {cd["type"]: cd for cd in n["status"]["conditions"]}
    remaining = conds["NamespaceContentRemaining"]
    assert remaining["status"] == "True" and remaining["reason"] == "SomeResourcesRemain"
    assert remaining["message"].startswith("Some resources are remaining: ")
    assert "pods. has " in remaining["message"]
    assert conds["NamespaceDeletionContentFailure"]["status"] == "False"
    with pytest.raises(ApiError) as e:
        c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "shop"}})
    assert e.value.code == 403
    # nginx exits at once; the shell loop ignores SIGTERM and is killed after 30 s
    c.advance(10)
    assert c.store.get("Namespace", None, "shop") is not None
    c.advance(30)
    assert c.store.list("Pod", "shop") == []
    assert c.store.get("Namespace", None, "shop") is None
    assert all(c.store.list(k, "shop") == [] for k in c.store.kinds())


def test_an_empty_namespace_goes_at_once():
    c = Cluster(seed=0)
    c.create(ns("tmp"))
    c.settle()
    c.delete("Namespace", None, "tmp")
    c.settle()
    assert c.store.get("Namespace", None, "tmp") is None
    assert c.store.get("ServiceAccount", "tmp", "default") is None


def test_system_namespaces_cannot_be_deleted():
    c = Cluster(seed=0)
    with pytest.raises(ApiError) as e:
        c.delete("Namespace", None, "kube-system")
    assert e.value.code == 403


def test_kube_root_ca_holds_the_clusters_ca_once_there_is_one():
    """kube-root-ca.crt held a certificate-shaped stand-in even under `serve --tls`, whose
    kubeconfig's certificate-authority-data is the cluster's CA: pods could not verify the
    apiserver with it. Once the CA exists every namespace's copy is it, new namespaces' too."""
    from k9py.sim import pki
    from k9py.sim.cluster import Cluster
    from k9py.sim.controllers.namespace import ROOT_CA_PEM
    c = Cluster(seed=0)
    assert c.store.get("ConfigMap", "default", "kube-root-ca.crt")["data"]["ca.crt"] == ROOT_CA_PEM
    cert, _ = pki.cluster_ca(c)
    for ns in ("default", "kube-system", "kube-public"):
        assert c.store.get("ConfigMap", ns, "kube-root-ca.crt")["data"]["ca.crt"] == cert.decode()
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "later"}})
    c.settle()
    assert c.store.get("ConfigMap", "later", "kube-root-ca.crt")["data"]["ca.crt"] == cert.decode()
