"""A field that is null (``rollingUpdate:``, ``annotations:`` or ``tolerations:`` left empty in a
manifest, which kubectl create sends as null) is unset, as the apiserver's typed decoder reads
it, then defaulted. serve answered such a DaemonSet, Job, Namespace, Pod or PV with a 400 in
Python's words ('NoneType' object has no attribute 'setdefault'), and stored a Deployment whose
annotations were null, on which its controller then failed at every sync."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from k9py.scenario.loader import load_cluster

DAEMONSET = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: nulls
      annotations:
      labels:
    spec:
      selector:
        matchLabels: {app: nulls}
      updateStrategy:
        type: RollingUpdate
        rollingUpdate:
      template:
        metadata:
          labels: {app: nulls}
        spec:
          tolerations:
          containers:
          - name: c
            image: nginx
            resources:
              requests:
    """)


@pytest.mark.parametrize("path,body", [
    ("/apis/apps/v1/namespaces/default/daemonsets", yaml.safe_load(DAEMONSET)),
    ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": None},
                            "spec": None}),
    ("/apis/apps/v1/namespaces/default/deployments",
     {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "annotations": None},
      "spec": {"selector": {"matchLabels": {"app": "d"}}, "strategy": {"rollingUpdate": None},
               "template": {"metadata": {"labels": {"app": "d"}},
                            "spec": {"dnsPolicy": None, "containers": [{"name": "c", "image": "nginx"}]}}}}),
])
def test_null_fields_are_unset_and_defaulted(client, served, path, body):
    code, out, _ = client.call("POST", path, body)
    assert code == 201, out
    assert not any(v is None for v in out["metadata"].values())
    if out["kind"] == "DaemonSet":
        assert out["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}
    assert served.cluster.strict  # (the tests' clusters: a controller failing on what was stored raises here)
    served.cluster.advance(5)
    if out["kind"] == "Deployment":
        assert served.cluster.store.get("Deployment", "default", "d")["spec"]["strategy"]["rollingUpdate"] == \
            {"maxUnavailable": "25%", "maxSurge": "25%"}


def test_a_json_patch_adding_null_unsets_the_field(client, served):
    body = yaml.safe_load(DAEMONSET)
    body["metadata"]["annotations"] = {"a": "b"}
    assert client.call("POST", "/apis/apps/v1/namespaces/default/daemonsets", body)[0] == 201
    code, out, _ = client.call("PATCH", "/apis/apps/v1/namespaces/default/daemonsets/nulls",
                               [{"op": "add", "path": "/metadata/annotations", "value": None}],
                               content_type="application/json-patch+json")
    assert code == 200 and "annotations" not in out["metadata"], out
    served.cluster.advance(5)


def test_a_scenario_file_with_empty_fields_loads(tmp_path):
    """scenario check said rejected by the simulator: AttributeError: 'NoneType' object has no attribute 'setdefault'."""
    path = tmp_path / "ds.yaml"
    path.write_text(DAEMONSET)
    cluster = load_cluster(str(path), warmup=10)
    assert cluster.store.get("DaemonSet", "default", "nulls")["spec"]["updateStrategy"]["rollingUpdate"] == \
        {"maxUnavailable": 1, "maxSurge": 0}


@pytest.mark.parametrize("rolling,message", [
    ({"maxUnavailable": "x"}, "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"x\": a valid "
                              "percent string must be a numeric string followed by an ending '%'"),
    ({"maxUnavailable": -1}, "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater "
                             "than or equal to 0"),
    ({"maxUnavailable": "120%"}, 'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not '
                                 "be greater than 100%"),
    ({"maxSurge": 1}, "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when "
                      "maxUnavailable is non-zero"),
    ({"maxSurge": 0, "maxUnavailable": 0}, "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: "
                                           "cannot be 0 when maxSurge is 0"),
])
def test_a_daemonsets_rolling_update_is_validated_as_the_apiserver_does(client, rolling, message):
    """maxUnavailable: "x" was stored, and the DaemonSet controller failed on it at every sync."""
    body = yaml.safe_load(DAEMONSET)
    body["spec"]["updateStrategy"]["rollingUpdate"] = rolling
    code, out, _ = client.call("POST", "/apis/apps/v1/namespaces/default/daemonsets", body)
    assert code == 422 and message in out["message"], out


def test_the_simulators_own_door_unsets_nulls_too():
    """The UI's :dir apply (SimBackend.create → Cluster.create) of this DaemonSet stored
    rollingUpdate: null, and the DaemonSet controller's AttributeError ended the app."""
    from k9py.sim.cluster import Cluster
    cluster = Cluster()
    for write in (cluster.create, cluster.apply):
        stored = write(yaml.safe_load(DAEMONSET))
        assert stored["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}
        cluster.advance(5)
        cluster.delete("DaemonSet", "default", "nulls")
    cluster.apply(yaml.safe_load(DAEMONSET))
    body = yaml.safe_load(DAEMONSET)
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert cluster.replace(body)["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}
    cluster.advance(5)


def test_a_null_value_of_a_string_map_is_the_empty_string(client):
    """Go's decoder stores a null map value as its zero value: labels: {tier: } is tier="" (it was dropped)."""
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "labels": {"tier": None, "a": "b"}, "annotations": {"note": None}},
            "data": {"k": None, "j": "v"}}
    code, out, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", body)
    assert code == 201, out
    assert out["metadata"]["labels"] == {"tier": "", "a": "b"} and out["metadata"]["annotations"] == {"note": ""}
    assert out["data"] == {"k": "", "j": "v"}


def test_json_fields_keep_their_nulls():
    """A CRD schema's default/example and a ControllerRevision's data are JSON: the apiserver keeps
    the nulls in them (a nullable field's default of null), and drops the typed fields' nulls."""
    from k9py.kube.meta import drop_nulls
    crd = {"kind": "CustomResourceDefinition", "metadata": {"name": "w", "annotations": None},
           "spec": {"group": "g", "conversion": None, "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
               "type": "object", "description": None,
               "properties": {"default": {"type": "object", "nullable": True, "default": {"a": None}, "example": None,
                                          "enum": [None, {"b": None}]},
                              "gone": None}}}}]}}
    out = drop_nulls(crd)
    assert out["metadata"] == {"name": "w"} and "conversion" not in out["spec"]
    schema = out["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert schema == {"type": "object", "properties": {"default": {
        "type": "object", "nullable": True, "default": {"a": None}, "enum": [None, {"b": None}]}}}
    rev = {"kind": "ControllerRevision", "metadata": {"name": "r", "labels": None}, "revision": 1,
           "data": {"spec": {"template": {"metadata": {"creationTimestamp": None}}}}}
    assert drop_nulls(rev) == {"kind": "ControllerRevision", "metadata": {"name": "r"}, "revision": 1,
                               "data": {"spec": {"template": {"metadata": {"creationTimestamp": None}}}}}


def test_a_null_spec_of_an_older_version_is_converted_as_an_absent_one(client):
    """Its nulls are unset where the object enters the simulator, after conversion: an
    autoscaling/v1 HPA whose spec was null reached the store unconverted, as v1."""
    body = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "annotations": None},
            "spec": None}
    code, out, _ = client.call("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", body)
    assert code == 422 and "spec.maxReplicas" in out["message"], out


def test_a_status_written_through_its_subresource_has_its_nulls_unset():
    """PUT .../status with a null field (a client's struct with an empty pointer) stores it unset,
    as for the rest of the object (the status is the caller's there, taken apart from the copy)."""
    from k9py.sim.cluster import Cluster
    cluster = Cluster()
    cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}})
    cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
                    "spec": {"replicas": 0, "selector": {"matchLabels": {"a": "b"}},
                             "template": {"metadata": {"labels": {"a": "b"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    body = cluster.store.get("Deployment", "default", "d")
    body = {**body, "status": {"replicas": 0, "conditions": None, "observedGeneration": 1}}
    stored = cluster.replace(body, subresource="status")
    assert "conditions" not in stored["status"] and stored["status"]["observedGeneration"] == 1
