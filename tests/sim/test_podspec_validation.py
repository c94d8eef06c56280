"""The apiserver's common 422s: pod specs (Pods and templates), names, sizes (sim/podspec.py,
sim/names.py, sim/limits.py)."""

from __future__ import annotations

import json

import pytest

from k9py.kube.status import ApiError
from k9py.sim import limits, names, podspec
from tests.sim.helpers import make_cluster, pod_manifest


def refused(cluster, obj) -> ApiError:
    with pytest.raises(ApiError) as e:
        cluster.create(obj)
    return e.value


def pod(**spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec}}


def test_requests_above_limits():
    c = make_cluster(nodes=1)
    err = refused(c, pod_manifest("p", requests={"cpu": "2", "memory": "64Mi"}, limits={"cpu": "1", "memory": "32Mi"}))
    assert err.code == 422
    assert err.message == ('Pod "p" is invalid: [spec.containers[0].resources.requests: Invalid value: "2": must be less '
                           "than or equal to cpu limit of 1, spec.containers[0].resources.requests: Invalid value: "
                           '"64Mi": must be less than or equal to memory limit of 32Mi]')
    assert err.causes[0] == {"reason": "FieldValueInvalid", "field": "spec.containers[0].resources.requests",
                             "message": 'Invalid value: "2": must be less than or equal to cpu limit of 1'}
    ok = c.create(pod_manifest("ok", requests={"cpu": "500m"}, limits={"cpu": "1"}))
    assert ok["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "500m"}


def test_quantities_compare_by_value_and_print_canonically():
    res = {"requests": {"cpu": "1500m", "nvidia.com/gpu": "1"}, "limits": {"cpu": "1000m", "nvidia.com/gpu": "2"}}
    assert podspec.resource_causes(res, "r") == [
        ("r.requests", 'Invalid value: "1500m": must be less than or equal to cpu limit of 1'),
        ("r.requests", 'Invalid value: "1": must be equal to nvidia.com/gpu limit of 2')]
    assert podspec.resource_causes({"requests": {"example.com/dongle": "1"}}, "r") == [
        ("r.limits", "Required value: Limit must be set for non overcommitable resources")]
    assert podspec.resource_causes({"requests": {"memory": "1Gi"}, "limits": {"memory": "1024Mi"}}, "r") == []
    assert [podspec.canonical(q) for q in ("0.5", "2", 2, "2000m", "250m", "1Gi")] == ["500m", "2", "2", "2", "250m", "1Gi"]


def test_mount_of_an_undefined_volume_and_duplicate_volumes():
    c = make_cluster(nodes=1)
    obj = pod(volumes=[{"name": "cache", "emptyDir": {}}, {"name": "cache", "emptyDir": {}}])
    obj["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"},
                                                    {"name": "cache", "mountPath": "/data"}]
    err = refused(c, obj)
    assert [(x["field"], x["message"]) for x in err.causes] == [
        ("spec.volumes[1].name", 'Duplicate value: "cache"'),
        ("spec.containers[0].volumeMounts[0].name", 'Not found: "data"'),
        ("spec.containers[0].volumeMounts[1].mountPath", 'Invalid value: "/data": must be unique')]


def test_container_names_and_ports():
    c = make_cluster(nodes=1)
    obj = pod(containers=[{"name": "Web", "image": "nginx"},
                          {"name": "side", "image": "busybox", "ports": [{"name": "metrics-port-long", "containerPort": 0},
                                                                          {"name": "http", "containerPort": 70000}]},
                          {"name": "side", "image": "busybox"}],
              initContainers=[{"name": "side", "image": "busybox"}])
    err = refused(c, obj)
    assert [(x["field"], x["message"]) for x in err.causes] == [
        ("spec.containers[0].name", f'Invalid value: "Web": {names.LABEL_MSG}'),
        ("spec.containers[1].ports[0].name", 'Invalid value: "metrics-port-long": must be no more than 15 characters'),
        ("spec.containers[1].ports[0].containerPort", "Required value"),
        ("spec.containers[1].ports[1].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ("spec.containers[2].name", 'Duplicate value: "side"'),
        ("spec.initContainers[0].name", 'Duplicate value: "side"')]


def test_pull_policy_and_dns_policy_are_enums():
    c = make_cluster(nodes=1)
    sometimes = pod(dnsPolicy="Foo")
    sometimes["spec"]["containers"][0]["imagePullPolicy"] = "Sometimes"
    assert refused(c, sometimes).message == (
        'Pod "p" is invalid: [spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
        '"Always", "IfNotPresent", "Never", spec.dnsPolicy: Unsupported value: "Foo": supported values: '
        '"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]')
    assert refused(c, pod(restartPolicy="Sometimes")).message == (
        'Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", '
        '"OnFailure", "Never"')
    ok = pod(dnsPolicy="ClusterFirstWithHostNet")
    ok["spec"]["containers"][0]["imagePullPolicy"] = "Never"
    assert c.create(ok)["spec"]["dnsPolicy"] == "ClusterFirstWithHostNet"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "dnsPolicy": "Foo",
                                          "containers": [{"name": "c", "image": "busybox", "imagePullPolicy": "X"}]}}}}
    assert [x["field"] for x in refused(c, job).causes] == ["spec.template.spec.containers[0].imagePullPolicy",
                                                            "spec.template.spec.dnsPolicy"]


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"])
def test_a_workloads_pods_must_restart_always(kind):
    obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"},
           "spec": {"selector": {"matchLabels": {"app": "w"}}, "serviceName": "w",
                    "template": {"metadata": {"labels": {"app": "w"}},
                                 "spec": {"restartPolicy": "Never", "containers": [{"name": "w", "image": "nginx"}]}}}}
    if kind != "StatefulSet":
        del obj["spec"]["serviceName"]
    assert refused(make_cluster(nodes=1), obj).message == (
        f'{kind}.apps "w" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: '
        '"Always"')


def test_templates_are_checked_at_their_path_but_not_a_statefulsets():
    c = make_cluster(nodes=1)
    tmpl = {"metadata": {"labels": {"app": "w"}},
            "spec": {"containers": [{"name": "w", "image": "nginx", "volumeMounts": [{"name": "data", "mountPath": "/d"}],
                                     "resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}}]}}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
           "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": tmpl}}
    err = refused(c, dep)
    assert err.message == ('Deployment.apps "w" is invalid: [spec.template.spec.containers[0].volumeMounts[0].name: '
                           'Not found: "data", spec.template.spec.containers[0].resources.requests: Invalid value: '
                           '"2Gi": must be less than or equal to memory limit of 1Gi]')
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
          "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {
              **tmpl, "spec": {**tmpl["spec"], "restartPolicy": "Never"}}}}}}
    assert refused(c, cj).causes[0]["field"] == "spec.jobTemplate.spec.template.spec.containers[0].volumeMounts[0].name"
    # a StatefulSet's mounts may name its volumeClaimTemplates: the apiserver leaves its template alone
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"selector": {"matchLabels": {"app": "w"}}, "serviceName": "db",
                    "template": {"metadata": {"labels": {"app": "w"}},
                                 "spec": {"containers": [{"name": "w", "image": "nginx",
                                                          "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                              "spec": {"accessModes": ["ReadWriteOnce"],
                                                       "resources": {"requests": {"storage": "1Gi"}}}}]}}
    assert c.create(sts)["metadata"]["name"] == "db"


@pytest.mark.parametrize(("kind", "name", "message"), [
    ("Service", "9lives", names.DNS1035_MSG),
    ("Namespace", "a.b", names.LABEL_MSG),
    ("ConfigMap", "Bad_Name", names.SUBDOMAIN_MSG),
])
def test_object_names_by_kind(kind, name, message):
    c = make_cluster(nodes=1)
    obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}
    if kind == "Service":
        obj["spec"] = {"ports": [{"port": 80}]}
    err = refused(c, obj)
    assert err.causes == [{"reason": "FieldValueInvalid", "field": "metadata.name",
                           "message": f'Invalid value: "{name}": {message}'}]
    assert names.path_segment("system:node") == [] and names.path_segment("a/b") == ["may not contain '/'"]


def test_size_limits():
    c = make_cluster(nodes=1)
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": "x" * (1024 * 1024)}}
    err = refused(c, cm)
    assert err.message == 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes'
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "big"},
              "stringData": {"a": "x" * (1024 * 1024)}}
    assert refused(c, secret).message == 'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes'
    annotated = pod()
    annotated["metadata"]["annotations"] = {"note": "n" * (256 * 1024)}
    assert refused(c, annotated).message == ('Pod "p" is invalid: metadata.annotations: Too long: may not be more '
                                             "than 262144 bytes")
    fat = pod()
    fat["spec"]["containers"][0]["env"] = [{"name": f"V{i}", "value": "v" * (256 * 1024 - 10)} for i in range(7)]
    err = refused(c, fat)
    assert (err.code, err.reason, err.message) == (500, "", "etcdserver: request is too large")


@pytest.mark.parametrize(("value", "refused"), [
    ("a" * (limits.ETCD_MAX + 1), True),
    ("a" * (limits.ETCD_MAX - 100), False),
    ("é" * 300_000, True),   # 0.6 MB of UTF-8, but 1.8 MB as the escaped JSON that is measured
    ("é" * 250_000, False),  # 1.5 MB escaped: just under
    ("\U0001F600" * 140_000, True),  # a surrogate pair each: 12 bytes escaped, 4 of UTF-8
])
def test_stored_size_is_the_escaped_compact_json(value, refused):
    obj = {"apiVersion": "example.com/v1", "kind": "Blob", "metadata": {"name": "b"}, "spec": {"v": value}}
    if refused:
        with pytest.raises(ApiError, match="request is too large"):
            limits.check_stored_size(obj)
    else:
        limits.check_stored_size(obj)
    assert refused == (len(json.dumps(obj, separators=(",", ":"))) > limits.ETCD_MAX)
