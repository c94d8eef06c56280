"""ResourceQuota: status.used computed by the controller, admission rejecting what would exceed."""

import pytest

from k9py.kube.status import ApiError
from tests.sim.helpers import make_cluster, pod_manifest


def quota(name, hard, ns="team", scopes=None):
    spec = {"hard": hard}
    if scopes:
        spec["scopes"] = scopes
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def setup(hard, **kw):
    c = make_cluster(nodes=2, cpu="8", memory="16Gi")
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.create(quota("compute-resources", hard, **kw))
    c.settle()
    return c


def status(c, name="compute-resources"):
    return c.store.get("ResourceQuota", "team", name)["status"]


def test_status_reports_hard_and_used():
    c = setup({"pods": "4", "requests.cpu": "2", "requests.memory": "2Gi", "limits.cpu": "4",
               "limits.memory": "4Gi", "configmaps": "10", "services": "2", "count/deployments.apps": "1"})
    st = status(c)
    assert st["hard"]["requests.cpu"] == "2"
    # kube-root-ca.crt already counts as a ConfigMap
    assert st["used"] == {"pods": "0", "requests.cpu": "0", "requests.memory": "0", "limits.cpu": "0",
                          "limits.memory": "0", "configmaps": "1", "services": "0", "count/deployments.apps": "0"}
    c.create(pod_manifest("a", namespace="team", requests={"cpu": "500m", "memory": "128Mi"},
                          limits={"cpu": "1", "memory": "256Mi"}))
    c.create(pod_manifest("b", namespace="team", requests={"cpu": "250m", "memory": "256Mi"},
                          limits={"cpu": "500m", "memory": "512Mi"}))
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "team"},
              "spec": {"ports": [{"port": 80}]}})
    c.settle()
    used = status(c)["used"]
    assert used["pods"] == "2"
    assert used["requests.cpu"] == "750m"
    assert used["requests.memory"] == "384Mi"
    assert used["limits.cpu"] == "1500m"
    assert used["limits.memory"] == "768Mi"
    assert used["services"] == "1"
    # pods that finish stop counting
    c.create(pod_manifest("job", "busybox", namespace="team", command=["sh", "-c", "echo hi"], restart_policy="Never",
                          requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "1", "memory": "1Gi"}))
    c.advance(30)
    assert c.store.get("Pod", "team", "job")["status"]["phase"] == "Succeeded"
    assert status(c)["used"]["pods"] == "2"
    assert status(c)["used"]["requests.cpu"] == "750m"


def test_admission_rejects_what_would_exceed_with_the_apiserver_message():
    c = setup({"requests.cpu": "2", "pods": "3"})
    c.create(pod_manifest("a", namespace="team", requests={"cpu": "1"}))
    c.create(pod_manifest("b", namespace="team", requests={"cpu": "1"}))
    c.settle()
    with pytest.raises(ApiError) as e:
        c.create(pod_manifest("x", namespace="team", requests={"cpu": "1"}))
    assert e.value.code == 403 and e.value.reason == "Forbidden"
    assert e.value.message == ('pods "x" is forbidden: exceeded quota: compute-resources, requested: requests.cpu=1, '
                               'used: requests.cpu=2, limited: requests.cpu=2')
    assert c.store.get("Pod", "team", "x") is None
    # several resources at once are listed together, sorted
    c.create(pod_manifest("c", namespace="team", requests={"cpu": "0"}))
    with pytest.raises(ApiError) as e:
        c.create(pod_manifest("y", namespace="team", requests={"cpu": "500m"}))
    assert e.value.message == ('pods "y" is forbidden: exceeded quota: compute-resources, requested: pods=1,requests.cpu=500m, '
                               'used: pods=3,requests.cpu=2, limited: pods=3,requests.cpu=2')


def test_pods_must_state_the_quotad_resources():
    c = setup({"requests.cpu": "2", "limits.memory": "1Gi"})
    with pytest.raises(ApiError) as e:
        c.create(pod_manifest("bare", namespace="team"))
    assert e.value.code == 403
    assert e.value.message == ('pods "bare" is forbidden: failed quota: compute-resources: must specify '
                               'limits.memory for: bare; requests.cpu for: bare')
    # limits alone are enough for requests (the apiserver defaults requests to limits)
    c.create(pod_manifest("limited", namespace="team", limits={"cpu": "1", "memory": "512Mi"}))
    c.settle()
    assert status(c)["used"]["requests.cpu"] == "1"


def test_object_counts_and_storage():
    c = setup({"persistentvolumeclaims": "1", "requests.storage": "5Gi", "secrets": "1",
               "standard.storageclass.storage.k8s.io/requests.storage": "3Gi"})
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "d1", "namespace": "team"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}
    c.create(claim)
    c.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1", "namespace": "team"}})
    c.settle()
    used = status(c)["used"]
    assert used["persistentvolumeclaims"] == "1" and used["requests.storage"] == "2Gi"
    assert used["standard.storageclass.storage.k8s.io/requests.storage"] == "2Gi"
    assert used["secrets"] == "1"
    with pytest.raises(ApiError) as e:
        c.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s2", "namespace": "team"}})
    assert e.value.message == ('secrets "s2" is forbidden: exceeded quota: compute-resources, requested: secrets=1, '
                               'used: secrets=1, limited: secrets=1')
    claim2 = {**claim, "metadata": {"name": "d2", "namespace": "team"}}
    with pytest.raises(ApiError) as e:
        c.create(claim2)
    # requests.storage (4Gi of 5Gi) still fits: only what is exceeded is listed
    assert e.value.message == ('persistentvolumeclaims "d2" is forbidden: exceeded quota: compute-resources, '
                               'requested: persistentvolumeclaims=1,standard.storageclass.storage.k8s.io/requests.storage=2Gi, '
                               'used: persistentvolumeclaims=1,standard.storageclass.storage.k8s.io/requests.storage=2Gi, '
                               'limited: persistentvolumeclaims=1,standard.storageclass.storage.k8s.io/requests.storage=3Gi')


def test_best_effort_scope_only_counts_best_effort_pods():
    c = setup({"pods": "1"}, scopes=["BestEffort"])
    c.create(pod_manifest("sized", namespace="team", requests={"cpu": "100m"}))
    c.create(pod_manifest("be1", namespace="team"))
    c.settle()
    assert status(c)["used"] == {"pods": "1"}
    with pytest.raises(ApiError):
        c.create(pod_manifest("be2", namespace="team"))
    c.create(pod_manifest("sized2", namespace="team", requests={"cpu": "100m"}))


def test_other_namespaces_are_not_limited():
    c = setup({"pods": "0"})
    c.create(pod_manifest("free", namespace="default"))
    with pytest.raises(ApiError):
        c.create(pod_manifest("capped", namespace="team"))


def test_generated_names_appear_in_the_message():
    c = setup({"pods": "0"})
    p = pod_manifest("ignored", namespace="team")
    p["metadata"] = {"generateName": "web-7c5ddbdf54-", "namespace": "team"}
    with pytest.raises(ApiError) as e:
        c.create(p)
    name = e.value.name
    assert name.startswith("web-7c5ddbdf54-") and len(name) == len("web-7c5ddbdf54-") + 5
    assert e.value.message == (f'pods "{name}" is forbidden: exceeded quota: compute-resources, requested: pods=1, '
                               'used: pods=0, limited: pods=0')


def test_quota_validation():
    c = setup({"pods": "1"})
    with pytest.raises(ApiError) as e:
        c.create(quota("bad", {"pods": "lots"}))
    assert e.value.code == 422
    assert e.value.message == ('ResourceQuota "bad" is invalid: spec.hard[pods]: Invalid value: "lots": quantities must '
                               "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    with pytest.raises(ApiError) as e:
        c.create(quota("bad", {"pods": "1"}, scopes=["Sometimes"]))
    assert 'spec.scopes[0]: Unsupported value: "Sometimes"' in e.value.message
