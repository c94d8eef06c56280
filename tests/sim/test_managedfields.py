"""managedFields in the simulator: API writers (``Writer``) and the control plane's components."""

from __future__ import annotations

import copy

from k9py.kube import fieldpath as fp
from k9py.sim.managedfields import Writer
from tests.sim.helpers import make_cluster


def _deploy(name: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}}}


def _managers(obj: dict) -> dict[tuple[str, str, str], set[str]]:
    return {(e["manager"], e["operation"], e.get("subresource", "")):
            {fp.path_string(p) for p in fp.from_fields_v1(e["fieldsV1"])}
            for e in obj["metadata"].get("managedFields") or []}


def _owned(cluster, kind: str, app: str) -> dict:
    if kind == "Deployment":
        return cluster.get(kind, "default", app)
    [obj] = [o for o in cluster.list(kind, "default") if (o["metadata"].get("labels") or {}).get("app") == app]
    return obj


def test_api_writes_and_what_the_components_do_with_them():
    c = make_cluster(nodes=1)
    c.create(_deploy("api"), writer=Writer("kubectl-create", "apps/v1"))
    c.create(_deploy("sim"))  # the simulator's own: no managedFields, nor for what follows from it
    c.advance(60)
    d = c.get("Deployment", "default", "api")
    m = _managers(d)
    assert ".spec.replicas" in m["kubectl-create", "Update", ""]
    assert ".spec.template.spec.containers[name=\"c\"].imagePullPolicy" in m["kubectl-create", "Update", ""]  # defaulted
    assert m["kube-controller-manager", "Update", ""] == {".metadata.annotations",
                                                          ".metadata.annotations.deployment.kubernetes.io/revision"}
    assert ".status.replicas" in m["kube-controller-manager", "Update", "status"]
    rs = _managers(_owned(c, "ReplicaSet", "api"))
    assert set(rs) == {("kube-controller-manager", "Update", ""), ("kube-controller-manager", "Update", "status")}
    pod = _managers(_owned(c, "Pod", "api"))
    assert ("kubelet", "Update", "status") in pod and ("kube-controller-manager", "Update", "") in pod
    assert not any(m[0] == "kube-scheduler" for m in pod)  # bound through pods/binding: no manager
    for kind in ("Deployment", "ReplicaSet", "Pod"):
        assert "managedFields" not in _owned(c, kind, "sim")["metadata"]

    # a replace by another writer takes over what it changes; without a writer nothing moves
    new = copy.deepcopy(c.get("Deployment", "default", "api"))  # the store's objects are not ours to change
    new["spec"]["replicas"] = 3
    c.replace(new, writer=Writer("kubectl-edit", "apps/v1"))
    m = _managers(c.get("Deployment", "default", "api"))
    assert m["kubectl-edit", "Update", ""] == {".spec.replicas"}
    assert ".spec.replicas" not in m["kubectl-create", "Update", ""]
    new = copy.deepcopy(c.get("Deployment", "default", "api"))
    del new["metadata"]["managedFields"]
    new["spec"]["replicas"] = 2
    c.replace(new)
    assert _managers(c.get("Deployment", "default", "api"))["kubectl-edit", "Update", ""] == {".spec.replicas"}
