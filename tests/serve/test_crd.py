"""CRDs over `serve`: discovery, routing, Tables with the CRD's printer columns (what
``kubectl get crontabs`` prints), OpenAPI; then the real kubectl against the demo cluster."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from k9py.kube.jsonpath import find, go_text, parse
from k9py.kube.resources import PrinterColumn
from k9py.view import printers
from tests.crds import crontab, crontab_crd

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
CRONTABS = "/apis/stable.example.com/v1/namespaces/default/crontabs"


# -- printer columns, as the apiextensions-apiserver computes them -----------------------------------

def test_jsonpath_subset():
    obj = {"spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:2"}]},
           "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Synced", "status": "False"}]},
           "metadata": {"annotations": {"a.b/c": "v"}}}
    assert find(obj, ".spec.containers[0].image") == ["x:1"]
    assert find(obj, ".spec.containers[-1].name") == ["b"]
    assert find(obj, ".spec.containers[*].image") == ["x:1", "y:2"]
    assert find(obj, ".status.conditions[?(@.type==\"Ready\")].status") == ["True"]
    assert find(obj, ".status.conditions[?(@.type!='Ready')].type") == ["Synced"]
    assert find(obj, ".metadata.annotations['a.b/c']") == ["v"]
    assert find(obj, ".spec.nothing.here") == []
    assert go_text([1, True, {"k": "v"}]) == "[1 true map[k:v]]"
    # slices: the training-operator's CRDs print State as .status.conditions[-1:].type
    assert find(obj, ".status.conditions[-1:].type") == ["Synced"]
    assert find(obj, ".status.conditions[0:1].type") == ["Ready"]
    assert find(obj, ".spec.containers[::2].name") == ["a"]
    assert find({"status": {"conditions": []}}, ".status.conditions[-1:].type") == []  # out of bounds: no cell
    # client-go: a backslash escapes the next character of a name (k9s's README: a label with dots)
    assert find(obj, r".metadata.annotations.a\.b/c") == ["v"]
    for bad, why in (("spec.x", "must be a simple json path starting with ."), (".a[0", "unclosed array expect ]"),
                     ("", "must be non-empty")):
        with pytest.raises(ValueError, match=re.escape(why)):
            parse(bad)


def test_cells_are_typed_like_their_column():
    now = 1_800_000_000.0
    obj = {"metadata": {"name": "x", "creationTimestamp": "2027-01-15T07:50:00Z"},
           "spec": {"n": 3, "f": 2.5, "b": True, "s": "text", "l": ["a", "b"], "bad": "2027-13-99"}}
    cols = (PrinterColumn("N", "integer", ".spec.n"), PrinterColumn("F", "number", ".spec.f"),
            PrinterColumn("B", "boolean", ".spec.b"), PrinterColumn("S", "string", ".spec.s"),
            PrinterColumn("L", "string", ".spec.l"), PrinterColumn("Missing", "string", ".spec.none"),
            PrinterColumn("Wrong", "integer", ".spec.s"), PrinterColumn("Age", "date", ".metadata.creationTimestamp"),
            PrinterColumn("Bad", "date", ".spec.bad"))
    assert printers.cells(obj, now, "X", cols) == ["x", 3, 2.5, True, "text", "[a b]", None, None, "10m", "<invalid>"]
    defs = printers.columns("X", cols)
    assert [d.name for d in defs][:3] == ["Name", "N", "F"] and defs[1].description.endswith(": .spec.n")


# -- the REST API ---------------------------------------------------------------------------------------

def _make_crd(client, **spec):
    code, body, _ = client.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crontab_crd(**spec))
    assert code == 201, body
    return body


def test_discovery_routes_and_tables(client, served):
    assert "stable.example.com" not in json.dumps(client.call("GET", "/apis")[1])
    assert client.call("GET", CRONTABS)[0] == 404
    _make_crd(client)
    groups = {g["name"]: g for g in client.call("GET", "/apis")[1]["groups"]}
    assert groups["stable.example.com"]["preferredVersion"] == {"groupVersion": "stable.example.com/v1", "version": "v1"}
    rl = client.call("GET", "/apis/stable.example.com/v1")[1]
    assert rl["resources"] == [{"name": "crontabs", "singularName": "crontab", "namespaced": True, "kind": "CronTab",
                                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update",
                                          "watch"], "shortNames": ["ct"]}]
    crds = client.call("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", accept=TABLE)[1]
    assert [c["name"] for c in crds["columnDefinitions"]] == ["Name", "Created At"]
    assert crds["rows"][0]["cells"][0] == "crontabs.stable.example.com"

    assert client.call("POST", CRONTABS, crontab("nightly", spec="0 3 * * *", replicas=2))[0] == 201
    served.advance(90)
    table = client.call("GET", CRONTABS, accept=TABLE)[1]
    assert [(c["name"], c["type"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", "string", 0), ("Spec", "string", 0), ("Replicas", "integer", 0), ("Image", "string", 1),
        ("Age", "date", 0)]
    assert table["columnDefinitions"][1]["description"] == "The cron spec defining the interval a CronJob is run"
    assert table["rows"][0]["cells"] == ["nightly", "0 3 * * *", 2, "my-awesome-cron-image", "90s"]
    one = client.call("GET", f"{CRONTABS}/nightly", accept=TABLE)[1]
    assert one["rows"][0]["cells"][1] == "0 3 * * *"
    with client.open_stream(f"{CRONTABS}?watch=1", accept=TABLE) as stream:  # kubectl get -w
        event = json.loads(stream.readline())
    assert event["type"] == "ADDED" and event["object"]["rows"][0]["cells"] == [
        "nightly", "0 3 * * *", 2, "my-awesome-cron-image", "90s"]

    code, body, _ = client.call("GET", f"{CRONTABS}/nope")
    assert code == 404 and body["message"] == 'crontabs.stable.example.com "nope" not found'
    code, body, _ = client.call("PATCH", f"{CRONTABS}/nightly", {"spec": {"replicas": 5}},
                                content_type="application/strategic-merge-patch+json")
    assert code == 415 and "application/merge-patch+json" in body["message"]
    code, body, _ = client.call("PATCH", f"{CRONTABS}/nightly", {"spec": {"replicas": 5}},
                                content_type="application/merge-patch+json")
    assert code == 200 and body["spec"]["replicas"] == 5 and body["metadata"]["generation"] == 2
    # fields the CRD's schema does not declare: refused with Strict, pruned (and warned of) otherwise
    odd = {**crontab("odd"), "spec": {"replicas": 2, "extra": {"items": 1}}}
    code, body, _ = client.call("POST", f"{CRONTABS}?fieldValidation=Strict", odd)
    assert code == 400 and body["message"] == ('CronTab in version "v1" cannot be handled as a CronTab: strict '
                                               'decoding error: unknown field "spec.extra"')
    code, body, headers = client.call("POST", CRONTABS, odd)
    assert code == 201 and body["spec"] == {"replicas": 2}
    assert headers["Warning"] == '299 - "unknown field \\"spec.extra\\""'


def test_a_put_without_resource_version_is_refused_for_custom_resources_and_crds(client):
    """A custom resource (or a CRD) allows no unconditional update: a PUT (the official client's
    ``replace_namespaced_custom_object``) without metadata.resourceVersion got 200 and replaced
    the object; the apiserver answers 422, naming the resource by its plural. kubectl replace
    fills the version in itself."""
    crd = _make_crd(client)
    assert client.call("POST", CRONTABS, crontab("nightly"))[0] == 201
    code, body, _ = client.call("PUT", f"{CRONTABS}/nightly", crontab("nightly", replicas=4))
    assert code == 422, body
    assert body["message"] == ('crontabs.stable.example.com "nightly" is invalid: metadata.resourceVersion: '
                               "Invalid value: 0x0: must be specified for an update")
    assert body["details"] == {"name": "nightly", "group": "stable.example.com", "kind": "crontabs", "causes": [
        {"reason": "FieldValueInvalid", "message": "Invalid value: 0x0: must be specified for an update",
         "field": "metadata.resourceVersion"}]}
    assert client.call("GET", f"{CRONTABS}/nightly")[1]["spec"]["replicas"] == 1
    assert client.call("PUT", f"{CRONTABS}/nope", crontab("nope"))[0] == 404
    rv = client.call("GET", f"{CRONTABS}/nightly")[1]["metadata"]["resourceVersion"]
    versioned = crontab("nightly", replicas=4)
    versioned["metadata"]["resourceVersion"] = rv
    assert client.call("PUT", f"{CRONTABS}/nightly", versioned)[0] == 200
    crd_path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"
    del crd["metadata"]["resourceVersion"]
    code, body, _ = client.call("PUT", crd_path, crd)
    assert code == 422 and body["message"].startswith(
        'customresourcedefinitions.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: ')


def test_a_stale_scale_or_delete_precondition_on_a_custom_resource_names_its_resource(client):
    """A PUT of a custom resource's scale with a stale resourceVersion, or a delete whose
    precondition fails, said `Operation cannot be fulfilled on crontab "x"`; the apiserver names
    the resource, `crontabs.stable.example.com`, in the message and details."""
    scale = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}
    crd = crontab_crd()
    crd["spec"]["versions"][0]["subresources"] = {"scale": scale}
    assert client.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)[0] == 201
    assert client.call("POST", CRONTABS, crontab("nightly"))[0] == 201
    code, body, _ = client.call("PUT", f"{CRONTABS}/nightly/scale", {
        "apiVersion": "autoscaling/v1", "kind": "Scale", "spec": {"replicas": 3},
        "metadata": {"name": "nightly", "namespace": "default", "resourceVersion": "5"}})
    assert code == 409 and body["message"].startswith(
        'Operation cannot be fulfilled on crontabs.stable.example.com "nightly": ')
    assert body["details"] == {"name": "nightly", "group": "stable.example.com", "kind": "crontabs"}
    code, body, _ = client.call("DELETE", f"{CRONTABS}/nightly", {"preconditions": {"resourceVersion": "5"}})
    assert code == 409 and body["message"].startswith(
        'Operation cannot be fulfilled on crontabs.stable.example.com "nightly": StorageError: invalid object, Code: 4, '
        'Key: /registry/stable.example.com/crontabs/default/nightly, ResourceVersion: 0, AdditionalErrorMsg: '
        'Precondition failed: ResourceVersion in precondition: 5, ResourceVersion in object meta: ')


def test_a_second_version_is_served_converted(client):
    schema = {"openAPIV3Schema": {"type": "object"}}
    _make_crd(client, versions=[{"name": "v1beta1", "served": True, "storage": False, "schema": schema},
                                {"name": "v1", "served": True, "storage": True, "schema": schema}])
    beta = "/apis/stable.example.com/v1beta1/namespaces/default/crontabs"
    code, body, _ = client.call("POST", beta, crontab("b", version="v1beta1"))
    assert code == 201 and body["apiVersion"] == "stable.example.com/v1beta1"
    assert client.call("GET", f"{CRONTABS}/b")[1]["apiVersion"] == "stable.example.com/v1"
    assert client.call("GET", beta)[1]["items"][0]["apiVersion"] == "stable.example.com/v1beta1"
    cols = client.call("GET", beta, accept=TABLE)[1]["columnDefinitions"]
    assert [c["name"] for c in cols] == ["Name", "Age"]


def test_openapi_lets_kubectl_leave_validation_to_the_server(client):
    _make_crd(client)
    root = client.call("GET", "/openapi/v3")[1]
    assert "apis/stable.example.com/v1" in root["paths"]
    doc = client.call("GET", "/openapi/v3/apis/stable.example.com/v1")[1]
    patch = doc["paths"]["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"]["patch"]
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "stable.example.com", "kind": "CronTab", "version": "v1"}
    assert "com.example.stable.v1.CronTab" in doc["components"]["schemas"]


def test_deleting_the_crd_removes_the_route(client, served):
    _make_crd(client)
    client.call("POST", CRONTABS, crontab("nightly"))
    code, body, _ = client.call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com")
    assert code == 200 and body["metadata"]["deletionTimestamp"]
    served.advance(1)
    assert client.call("GET", CRONTABS)[0] == 404
    assert client.call("GET", "/apis/stable.example.com/v1")[0] == 404


# -- the real kubectl ------------------------------------------------------------------------------

def _rows(out: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", ln.strip()) for ln in out.strip().splitlines()]


def test_kubectl_lists_the_demo_crd_and_notebooks(kubectl):
    assert _rows(kubectl("get", "crd").stdout)[0] == ["NAME", "CREATED AT"]
    assert "notebooks.kubeflow.org" in [r[0] for r in _rows(kubectl("get", "crd").stdout)[1:]]
    rows = _rows(kubectl("get", "notebooks", "-n", "kubeflow").stdout)
    assert rows[0] == ["NAME", "IMAGE", "CPU", "MEMORY", "STOPPED", "AGE"]
    assert rows[1][:4] == ["my-notebook", "docker.io/kubeflownotebookswg/jupyter-scipy:v1.9.0", "500m", "1Gi"]
    assert rows[2][4] == "2026-10-30T17:42:05Z"
    assert kubectl("get", "nb", "-A", "-o", "name").stdout.split() == [
        "notebook.kubeflow.org/my-notebook", "notebook.kubeflow.org/tensorflow-gpu"]


def test_kubectl_shows_the_demo_operators_crs_as_their_crds_print_them(kubectl):
    """The operators tutorial's OLM kinds, by their short names, with OLM's printer columns, and
    the Katib Experiment the Kubeflow tutorial's AutoML is."""
    assert _rows(kubectl("get", "csv", "-n", "operators").stdout) == [
        ["NAME", "DISPLAY", "VERSION", "REPLACES", "PHASE"],
        ["prometheusoperator.v0.70.0", "Prometheus Operator", "0.70.0", "prometheusoperator.v0.65.1", "Succeeded"]]
    assert _rows(kubectl("get", "sub", "-A").stdout) == [
        ["NAMESPACE", "NAME", "PACKAGE", "SOURCE", "CHANNEL"],
        ["operators", "my-prometheus", "prometheus", "operatorhubio-catalog", "beta"]]
    assert [r[:2] for r in _rows(kubectl("get", "og", "-A").stdout)] == [
        ["NAMESPACE", "NAME"], ["olm", "olm-operators"], ["operators", "global-operators"]]
    # Katib's operator and its CR: the last condition's type and status, as Katib's CRD prints them
    assert [r[:3] for r in _rows(kubectl("get", "experiments", "-n", "kubeflow").stdout)] == [
        ["NAME", "TYPE", "STATUS"], ["random", "Succeeded", "True"]]


def test_kubectl_applies_a_crd_and_prints_its_columns(kubectl, tmp_path):
    crd = tmp_path / "crd.yaml"
    crd.write_text(yaml.safe_dump(crontab_crd()))
    assert kubectl("apply", "-f", str(crd)).stdout.strip() == \
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created"
    kubectl("wait", "--for", "condition=established", "crd/crontabs.stable.example.com")
    ct = tmp_path / "ct.yaml"
    ct.write_text(yaml.safe_dump(crontab("my-new-cron-object", replicas=3)))
    assert kubectl("apply", "-f", str(ct)).stdout.strip() == "crontab.stable.example.com/my-new-cron-object created"
    kubectl.handle.advance(5)  # type: ignore[attr-defined]
    assert _rows(kubectl("get", "crontabs").stdout) == [
        ["NAME", "SPEC", "REPLICAS", "AGE"], ["my-new-cron-object", "* * * * */5", "3", "5s"]]
    assert _rows(kubectl("get", "ct", "-o", "wide").stdout)[0] == ["NAME", "SPEC", "REPLICAS", "IMAGE", "AGE"]
    ct.write_text(yaml.safe_dump(crontab("my-new-cron-object", replicas=4)))  # apply again: a merge patch
    assert kubectl("apply", "-f", str(ct)).stdout.strip() == "crontab.stable.example.com/my-new-cron-object configured"
    assert kubectl("get", "crontab.stable.example.com", "my-new-cron-object", "-o", "jsonpath={.spec.replicas}").stdout == "4"
    err = kubectl("get", "ct", "nope", check=False).stderr
    assert 'crontabs.stable.example.com "nope" not found' in err
    assert kubectl("delete", "crd", "crontabs.stable.example.com", "--wait=false").returncode == 0  # no clock: no wait
    kubectl.handle.advance(1)  # type: ignore[attr-defined]
    assert "crontabs" not in kubectl("api-resources").stdout


def test_kubectl_prints_rbac(kubectl):
    rows = _rows(kubectl("get", "clusterrolebindings", "-o", "wide").stdout)
    assert rows[0] == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert rows[1][:2] == ["cluster-admin", "ClusterRole/cluster-admin"]
    rows = _rows(kubectl("get", "rolebindings", "-n", "kubeflow").stdout)
    assert rows[0] == ["NAME", "ROLE", "AGE"] and rows[1][:2] == ["ml-pipeline", "Role/ml-pipeline"]
    assert _rows(kubectl("get", "roles", "-A").stdout)[0] == ["NAMESPACE", "NAME", "CREATED AT"]


def test_a_watch_of_custom_resources_ends_when_their_crd_goes(client, served):
    """kubectl get crontabs -w (and a view's watch) went on after the CRD was deleted, as if the
    kind were still served: the apiserver tears the resource's storage down, which ends its
    watches once the objects' DELETED events are sent; watching again is a 404."""
    import urllib.request

    _make_crd(client)
    assert client.call("POST", CRONTABS, crontab("nightly"))[0] == 201
    req = urllib.request.Request(client.url + f"{CRONTABS}?watch=1&timeoutSeconds=60")
    with urllib.request.urlopen(req, timeout=5) as stream:
        assert json.loads(stream.readline())["type"] == "ADDED"
        assert client.call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                                      "crontabs.stable.example.com")[0] == 200
        for _ in range(20):  # the CRD's finalizer removes its objects, then the CRD goes
            served.advance(1)
            if client.call("GET", CRONTABS)[0] == 404:
                break
        rest = [json.loads(line) for line in stream.read().splitlines() if line.strip()]  # the end, not a timeout
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in rest] == [("DELETED", "nightly")]
    assert client.call("GET", f"{CRONTABS}?watch=1")[0] == 404
