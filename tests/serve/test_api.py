"""`k9py serve` as plain HTTP: discovery, OpenAPI, the verbs, Tables, watches, subresources, errors.

The server runs in-thread with no clock driver: virtual time moves only by ``served.advance``.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from k9py.serve.server import ServeHandle
from tests.serve.conftest import Client, small_cluster

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def _cm(name, ns="default", labels=None, data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "data": data or {"k": "v"}}


def _deploy(name="web", replicas=2):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                                                           "ports": [{"containerPort": 80}]}]}}}}


def _pod(name, image="nginx:1.14.2"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"run": name}},
            "spec": {"containers": [{"name": "main", "image": image}]}}


# -- discovery / version / health ------------------------------------------------------------

def test_version_and_health(client):
    code, body, _ = client.call("GET", "/version")
    assert code == 200 and body["major"] == "1" and body["gitVersion"].startswith("v1.")
    for path in ("/healthz", "/readyz", "/livez", "/readyz/ping", "/livez/etcd"):
        code, body, _ = client.call("GET", path)
        assert (code, body) == (200, "ok")
    code, body, _ = client.call("GET", "/readyz?verbose&exclude=etcd")  # kubectl get --raw '/readyz?verbose'
    lines = body.splitlines()
    assert code == 200 and lines[:4] == ["[+]ping ok", "[+]log ok", "[+]etcd excluded: ok", "[+]etcd-readiness ok"]
    assert lines[-2:] == ["[+]shutdown ok", "readyz check passed"]
    assert client.call("GET", "/livez?verbose")[1].splitlines()[-1] == "livez check passed"
    assert client.call("GET", "/readyz/nosuchcheck")[0] == 404


def test_discovery_documents(client):
    code, body, _ = client.call("GET", "/api")
    assert code == 200 and body["kind"] == "APIVersions" and body["versions"] == ["v1"]
    # aggregated discovery is asked for first; a plain answer makes clients fall back
    code, body, headers = client.call("GET", "/apis", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
    assert code == 200 and body["kind"] == "APIGroupList"
    assert headers["Content-Type"] == "application/json"
    names = {g["name"] for g in body["groups"]}
    assert {"apps", "batch", "policy", "storage.k8s.io"} <= names
    code, body, _ = client.call("GET", "/api/v1")
    res = {r["name"]: r for r in body["resources"]}
    assert body["groupVersion"] == "v1"
    assert res["pods"]["namespaced"] and res["pods"]["shortNames"] == ["po"] and "all" in res["pods"]["categories"]
    assert res["pods/log"]["kind"] == "Pod"
    assert (res["pods/eviction"]["group"], res["pods/eviction"]["version"], res["pods/eviction"]["kind"]) == ("policy", "v1", "Eviction")
    assert not res["nodes"]["namespaced"]
    code, body, _ = client.call("GET", "/apis/apps/v1")
    res = {r["name"]: r for r in body["resources"]}
    assert (res["deployments/scale"]["group"], res["deployments/scale"]["kind"]) == ("autoscaling", "Scale")
    assert client.call("GET", "/apis/apps")[1]["preferredVersion"]["groupVersion"] == "apps/v1"
    assert client.call("GET", "/apis/nope.example.com/v1")[0] == 404


def test_openapi_v3_advertises_field_validation_per_gvk(client):
    code, root, _ = client.call("GET", "/openapi/v3")
    assert code == 200
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    code, doc, _ = client.call("GET", url)
    assert code == 200
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
    assert "io.k8s.api.apps.v1.Deployment" in doc["components"]["schemas"]
    code, core, _ = client.call("GET", root["paths"]["api/v1"]["serverRelativeURL"])
    containers = core["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    # v2 in JSON when JSON is asked for (protobuf too: tests/serve/test_openapi.py decodes it)
    code, v2, _ = client.call("GET", "/openapi/v2")
    assert code == 200 and v2["swagger"] == "2.0" and "io.k8s.api.core.v1.Pod" in v2["definitions"]


# -- CRUD ---------------------------------------------------------------------------------------

def test_create_get_replace_delete_configmap(client):
    code, created, _ = client.call("POST", "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create", _cm("one"))
    assert code == 201
    assert created["metadata"]["uid"] and created["metadata"]["resourceVersion"]
    code, got, _ = client.call("GET", "/api/v1/namespaces/default/configmaps/one")
    assert code == 200 and got["data"] == {"k": "v"}
    got["data"] = {"k": "v2"}
    code, replaced, _ = client.call("PUT", "/api/v1/namespaces/default/configmaps/one", got)
    assert code == 200 and replaced["data"] == {"k": "v2"}
    # a stale resourceVersion is a Conflict
    code, status, _ = client.call("PUT", "/api/v1/namespaces/default/configmaps/one", got)
    assert code == 409 and status["reason"] == "Conflict"
    code, status, _ = client.call("DELETE", "/api/v1/namespaces/default/configmaps/one")
    assert code == 200 and status["kind"] == "Status" and status["status"] == "Success"
    assert status["details"]["name"] == "one" and status["details"]["kind"] == "configmaps"
    code, status, _ = client.call("GET", "/api/v1/namespaces/default/configmaps/one")
    assert code == 404
    assert status == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": 'configmaps "one" not found', "reason": "NotFound",
                      "details": {"name": "one", "kind": "configmaps"}, "code": 404}


def test_create_errors(client):
    assert client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("dup"))[0] == 201
    code, status, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("dup"))
    assert (code, status["reason"]) == (409, "AlreadyExists")
    code, status, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", raw=b"{not json")
    assert code == 400 and status["kind"] == "Status"
    code, status, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("Bad_Name"))
    assert (code, status["reason"]) == (422, "Invalid")
    code, status, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("x", ns="kube-system"))
    assert code == 400 and "does not match the namespace" in status["message"]
    code, status, _ = client.call("POST", "/api/v1/namespaces/nowhere/configmaps", _cm("x", ns="nowhere"))
    assert code == 404 and status["message"] == 'namespaces "nowhere" not found'
    code, status, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", _pod("wrongkind"))
    assert code == 400
    assert client.call("GET", "/api/v1/namespaces/default/widgets")[0] == 404
    assert client.call("GET", "/api/v2/pods")[0] == 404
    assert client.call("GET", "/nonsense")[0] == 404
    assert client.call("OPTIONS", "/api/v1/pods")[0] == 405
    assert client.call("PUT", "/api/v1/namespaces/default/configmaps")[0] == 405
    code, status, _ = client.call("GET", "/api/v1/namespaces/default/pods?labelSelector=a%20in%20(")
    assert code == 400 and status["kind"] == "Status"
    code, status, _ = client.call("GET", "/api/v1/pods?fieldSelector=spec.bogus=1")
    assert code == 400 and "field label not supported" in status["message"]
    code, status, _ = client.call("GET", "/api/v1/pods?limit=abc")
    assert code == 400


def test_field_validation(client):
    typo = _deploy("typo")
    typo["spex"] = {"replicas": 1}
    code, st, _ = client.call("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", typo)
    assert code == 400 and st["reason"] == "BadRequest"
    assert st["message"] == 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spex"'
    code, d, _ = client.call("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Ignore", typo)
    assert code == 201 and "spex" not in d
    bad = _deploy("badtype")
    bad["spec"]["replicas"] = "three"
    code, st, _ = client.call("POST", "/apis/apps/v1/namespaces/default/deployments", bad)
    assert code == 400 and "spec.replicas" in st["message"]
    cm = _cm("meta-typo")
    cm["metadata"]["lables"] = {"a": "b"}
    code, st, _ = client.call("PUT", "/api/v1/namespaces/default/configmaps/meta-typo?fieldValidation=Strict", cm)
    assert code == 400 and 'unknown field "metadata.lables"' in st["message"]


def test_create_via_yaml_body(client):
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n"
    code, created, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", raw=body, content_type="application/yaml")
    assert code == 201 and created["data"] == {"a": "b"} and created["metadata"]["namespace"] == "default"


def test_dry_run_create_persists_nothing(client):
    code, obj, _ = client.call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", _cm("dry"))
    assert code == 201 and obj["metadata"]["name"] == "dry"
    assert client.call("GET", "/api/v1/namespaces/default/configmaps/dry")[0] == 404


def test_namespace_create_gets_phase_active(client):
    code, ns, _ = client.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    assert code == 201 and ns["status"]["phase"] == "Active"
    assert ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team-a"


# -- list / selectors / paging --------------------------------------------------------------------

def test_list_selectors_and_paging(client):
    client.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "pg"}})
    base = "/api/v1/namespaces/pg/configmaps"
    for i in range(5):
        client.call("POST", base, _cm(f"cm-{i}", ns="pg", labels={"tier": "a" if i % 2 else "b"}))
    code, lst, _ = client.call("GET", base + "?labelSelector=tier%3Da")
    assert code == 200 and lst["kind"] == "ConfigMapList" and lst["apiVersion"] == "v1"
    assert [o["metadata"]["name"] for o in lst["items"]] == ["cm-1", "cm-3"]
    code, lst, _ = client.call("GET", base + "?fieldSelector=metadata.name%21%3Dcm-0&labelSelector=tier")
    assert [o["metadata"]["name"] for o in lst["items"]] == ["cm-1", "cm-2", "cm-3", "cm-4"]
    names, token, pages = [], "", 0
    while True:
        code, page, _ = client.call("GET", f"{base}?labelSelector=tier&limit=2&continue={urllib.parse.quote(token)}")
        pages += 1
        names += [o["metadata"]["name"] for o in page["items"]]
        token = page["metadata"].get("continue", "")
        if not token:
            break
        assert page["metadata"]["remainingItemCount"] > 0
    assert names == [f"cm-{i}" for i in range(5)] and pages == 3
    assert client.call("GET", base + "?limit=2&continue=garbage")[0] == 400
    # cluster-wide list of a namespaced kind
    code, lst, _ = client.call("GET", "/api/v1/configmaps?labelSelector=tier")
    assert len(lst["items"]) == 5


def test_table_for_list_and_get(client, served):
    client.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t"}})
    code, tbl, _ = client.call("GET", "/api/v1/nodes?limit=500", accept=TABLE)
    assert code == 200 and tbl["kind"] == "Table" and tbl["apiVersion"] == "meta.k8s.io/v1"
    cols = [c["name"] for c in tbl["columnDefinitions"]]
    assert cols[:5] == ["Name", "Status", "Roles", "Age", "Version"]
    assert [r["cells"][0] for r in tbl["rows"]] == ["minikube", "minikube-m02"]
    assert tbl["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert tbl["metadata"]["resourceVersion"]
    served.advance(330)
    code, tbl, _ = client.call("GET", "/api/v1/namespaces/t", accept=TABLE)
    assert [c["name"] for c in tbl["columnDefinitions"]] == ["Name", "Status", "Age"]
    assert tbl["rows"][0]["cells"] == ["t", "Active", "5m30s"]
    code, tbl, _ = client.call("GET", "/api/v1/nodes?includeObject=Object", accept=TABLE)
    assert tbl["rows"][0]["object"]["kind"] == "Node"


def test_componentstatuses(client):
    code, lst, headers = client.call("GET", "/api/v1/componentstatuses")
    assert code == 200 and [o["metadata"]["name"] for o in lst["items"]] == ["controller-manager", "etcd-0", "scheduler"]
    assert "deprecated" in headers["Warning"]
    code, tbl, _ = client.call("GET", "/api/v1/componentstatuses", accept=TABLE)
    assert [r["cells"][:2] for r in tbl["rows"]] == [["controller-manager", "Healthy"], ["etcd-0", "Healthy"], ["scheduler", "Healthy"]]
    assert client.call("GET", "/api/v1/componentstatuses/scheduler")[0] == 200
    assert client.call("DELETE", "/api/v1/componentstatuses/scheduler")[0] == 405


# -- patch -------------------------------------------------------------------------------------

def test_patch_content_types(client):
    client.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deploy())
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    code, d, _ = client.call("PATCH", path, {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.16"}]}}}},
                             content_type="application/strategic-merge-patch+json")
    assert code == 200
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "nginx:1.16" and c["ports"][0]["containerPort"] == 80
    code, d, _ = client.call("PATCH", path, {"metadata": {"labels": {"tier": "fe"}}}, content_type="application/merge-patch+json")
    assert d["metadata"]["labels"] == {"app": "web", "tier": "fe"}
    code, d, _ = client.call("PATCH", path, [{"op": "replace", "path": "/spec/replicas", "value": 4}], content_type="application/json-patch+json")
    assert code == 200 and d["spec"]["replicas"] == 4
    code, st, _ = client.call("PATCH", path, [{"op": "test", "path": "/spec/replicas", "value": 9}], content_type="application/json-patch+json")
    assert code == 422 and st["kind"] == "Status"
    code, st, _ = client.call("PATCH", path, {"spec": {}}, content_type="text/plain")
    assert code == 415
    code, st, _ = client.call("PATCH", path, {"metadata": {"name": "other"}}, content_type="application/merge-patch+json")
    assert code in (400, 422)
    code, st, _ = client.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/missing", {"spec": {}},
                              content_type="application/merge-patch+json")
    assert code == 404
    code, st, _ = client.call("PATCH", path, raw=b"{oops", content_type="application/merge-patch+json")
    assert code == 400
    code, st, _ = client.call("PATCH", path, {"spec": {"replicas": -1}}, content_type="application/merge-patch+json")
    assert code == 422 and st["reason"] == "Invalid"


def test_server_side_apply_creates_then_updates(client):
    path = "/apis/apps/v1/namespaces/default/deployments/ssa?fieldManager=kubectl&force=false"
    body = json.dumps(_deploy("ssa", 1)).encode()
    code, d, _ = client.call("PATCH", path, raw=body, content_type="application/apply-patch+yaml")
    assert code == 201 and d["spec"]["replicas"] == 1
    applied = _deploy("ssa", 3)
    applied["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"
    code, d, _ = client.call("PATCH", path, raw=json.dumps(applied).encode(), content_type="application/apply-patch+yaml")
    assert code == 200 and d["spec"]["replicas"] == 3
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    yaml_body = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\nspec:\n  replicas: 2\n"
    # the same manager no longer applying the template and selector removes them: invalid
    code, st, _ = client.call("PATCH", path, raw=yaml_body, content_type="application/apply-patch+yaml")
    assert code == 422 and "spec.template.spec.containers: Required value" in st["message"]
    # another manager applying replicas only: a conflict over the field kubectl owns, then forced
    other = "/apis/apps/v1/namespaces/default/deployments/ssa?fieldManager=other"
    code, st, _ = client.call("PATCH", other, raw=yaml_body, content_type="application/apply-patch+yaml")
    assert code == 409 and st["message"] == 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas'
    code, d, _ = client.call("PATCH", other + "&force=true", raw=yaml_body, content_type="application/apply-patch+yaml")
    assert code == 200 and d["spec"]["replicas"] == 2 and d["spec"]["template"]["spec"]["containers"]
    code, st, _ = client.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/ssa", raw=yaml_body,
                              content_type="application/apply-patch+yaml")
    assert code == 422 and st["message"] == 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    code, st, _ = client.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/ssa?force=true",
                              {"spec": {"replicas": 1}}, content_type="application/merge-patch+json")
    assert code == 422 and st["message"] == 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'


# -- subresources --------------------------------------------------------------------------------

def test_scale_subresource(client):
    client.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deploy())
    path = "/apis/apps/v1/namespaces/default/deployments/web/scale"
    code, scale, _ = client.call("GET", path)
    assert code == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"]["replicas"] == 2 and scale["metadata"]["name"] == "web"
    code, scale, _ = client.call("PATCH", path, {"spec": {"replicas": 5}}, content_type="application/merge-patch+json")
    assert code == 200 and scale["spec"]["replicas"] == 5
    assert client.call("GET", "/apis/apps/v1/namespaces/default/deployments/web")[1]["spec"]["replicas"] == 5
    scale["spec"]["replicas"] = 1
    code, scale2, _ = client.call("PUT", path, scale)
    assert code == 200 and scale2["spec"]["replicas"] == 1
    code, _, _ = client.call("PUT", path, scale)  # stale resourceVersion
    assert code == 409
    code, _, _ = client.call("PATCH", path, {"spec": {"replicas": -2}}, content_type="application/merge-patch+json")
    assert code == 422
    assert client.call("GET", "/apis/apps/v1/namespaces/default/deployments/nope/scale")[0] == 404


def test_scale_subresource_as_a_table(client):
    """`kubectl get deploy web --subresource=scale` asks for a Table: NAME DESIRED AVAILABLE AGE,
    not the Scale itself (which kubectl would print as NAME AGE)."""
    client.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deploy())
    code, t, _ = client.call("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                             accept="application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
    assert code == 200 and t["kind"] == "Table"
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Desired", "Available", "Age"]
    assert t["rows"][0]["cells"][:2] == ["web", 2]
    assert t["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_status_subresource_changes_only_status(client):
    client.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deploy())
    path = "/apis/apps/v1/namespaces/default/deployments/web/status"
    code, d, _ = client.call("PATCH", path, {"spec": {"replicas": 9}, "status": {"observedGeneration": 42}},
                             content_type="application/merge-patch+json")
    assert code == 200 and d["status"]["observedGeneration"] == 42 and d["spec"]["replicas"] == 2


def test_pod_delete_is_graceful_then_eviction(client, served):
    client.call("POST", "/api/v1/namespaces/default/pods", _pod("p1"))
    client.call("POST", "/api/v1/namespaces/default/pods", _pod("p2"))
    served.advance(30)
    code, pod, _ = client.call("GET", "/api/v1/namespaces/default/pods/p1")
    assert pod["spec"].get("nodeName"), "the scheduler placed the pod"
    code, pod, _ = client.call("DELETE", "/api/v1/namespaces/default/pods/p1",
                               {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})
    assert code == 200 and pod["kind"] == "Pod" and pod["metadata"]["deletionTimestamp"]
    served.advance(60)
    assert client.call("GET", "/api/v1/namespaces/default/pods/p1")[0] == 404
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods/p2/eviction",
                              {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p2", "namespace": "default"}})
    assert code == 201 and st["status"] == "Success"
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods/ghost/eviction",
                              {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "ghost"}})
    assert code == 404
    code, pod, _ = client.call("DELETE", "/api/v1/namespaces/default/pods/p2?gracePeriodSeconds=0")
    assert code == 200
    assert client.call("GET", "/api/v1/namespaces/default/pods/p2")[0] == 404


def test_delete_preconditions_and_bad_options(client):
    _, cm, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("pre"))
    code, _, _ = client.call("DELETE", "/api/v1/namespaces/default/configmaps/pre", {"preconditions": {"uid": "nope"}})
    assert code == 409
    code, _, _ = client.call("DELETE", "/api/v1/namespaces/default/configmaps/pre?propagationPolicy=Sideways")
    assert code == 422
    code, _, _ = client.call("DELETE", "/api/v1/namespaces/default/configmaps/pre", {"preconditions": {"uid": cm["metadata"]["uid"]}})
    assert code == 200


def test_delete_collection(client):
    for i in range(3):
        client.call("POST", "/api/v1/namespaces/default/configmaps", _cm(f"dc-{i}", labels={"x": "1" if i else "0"}))
    code, lst, _ = client.call("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=x%3D1")
    assert code == 200 and sorted(o["metadata"]["name"] for o in lst["items"]) == ["dc-1", "dc-2"]
    left = client.call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=x")[1]["items"]
    assert [o["metadata"]["name"] for o in left] == ["dc-0"]


def test_logs_errors(client):
    assert client.call("GET", "/api/v1/namespaces/default/pods/ghost/log")[0] == 404
    two = _pod("two")
    two["spec"]["containers"].append({"name": "side", "image": "busybox"})
    client.call("POST", "/api/v1/namespaces/default/pods", two)
    code, st, _ = client.call("GET", "/api/v1/namespaces/default/pods/two/log")
    assert code == 400 and st["message"] == "a container name must be specified for pod two, choose one of: [main side]"
    code, st, _ = client.call("GET", "/api/v1/namespaces/default/pods/two/log?container=nope")
    assert code == 400 and st["message"] == "container nope is not valid for pod two"
    code, st, _ = client.call("GET", "/api/v1/namespaces/default/pods/two/log?container=main&sinceSeconds=1&sinceTime=2026-11-01T09:00:00Z")
    assert code == 422
    for param in ("limitBytes", "sinceSeconds"):  # 0 was taken (limitBytes=0: an empty log), as no apiserver does
        code, st, _ = client.call("GET", f"/api/v1/namespaces/default/pods/two/log?container=main&{param}=0")
        assert code == 422 and st["message"] == f'PodLogOptions "" is invalid: {param}: Invalid value: 0: must be greater than 0'


# -- readonly ------------------------------------------------------------------------------------

def test_readonly_refuses_every_mutation():
    handle = ServeHandle(small_cluster(), speed=None, readonly=True).start()
    try:
        c = Client(handle)
        assert c.call("GET", "/api/v1/nodes")[0] == 200
        for method, path, body in (("POST", "/api/v1/namespaces/default/configmaps", _cm("x")),
                                   ("PUT", "/api/v1/nodes/minikube", {}),
                                   ("PATCH", "/api/v1/nodes/minikube", {"spec": {"unschedulable": True}}),
                                   ("DELETE", "/api/v1/nodes/minikube", None),
                                   ("POST", "/api/v1/namespaces/default/pods/x/eviction", {})):
            code, st, _ = c.call(method, path, body, content_type="application/merge-patch+json" if method == "PATCH" else "application/json")
            assert (code, st["reason"]) == (403, "Forbidden"), (method, path)
        assert c.call("GET", "/api/v1/nodes/minikube")[1]["spec"].get("unschedulable") is None
    finally:
        handle.stop()


# -- watch ---------------------------------------------------------------------------------------

def _events(stream, n):
    out = []
    for _ in range(n):
        line = stream.readline()
        assert line.endswith(b"\n")
        out.append(json.loads(line))
    return out


def test_watch_from_list_resource_version(client):
    _, lst, _ = client.call("GET", "/api/v1/namespaces/default/configmaps")
    rv = lst["metadata"]["resourceVersion"]
    with client.open_stream(f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=5") as s:
        assert s.headers["Content-Type"] == "application/json" and s.headers["Transfer-Encoding"] == "chunked"
        client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("w1"))
        client.call("PATCH", "/api/v1/namespaces/default/configmaps/w1", {"data": {"k": "2"}}, content_type="application/merge-patch+json")
        client.call("DELETE", "/api/v1/namespaces/default/configmaps/w1")
        evs = _events(s, 3)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    assert evs[1]["object"]["data"] == {"k": "2"}


def test_watch_without_resource_version_starts_with_current_state_and_filters(client):
    client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("a", labels={"app": "x"}))
    client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("b"))
    with client.open_stream("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dx&timeoutSeconds=5") as s:
        first = _events(s, 1)[0]
        assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "a")
        client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("c"))  # filtered out
        client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("d", labels={"app": "x"}))
        ev = _events(s, 1)[0]
    assert (ev["type"], ev["object"]["metadata"]["name"]) == ("ADDED", "d")


def test_watch_send_initial_events_ends_with_bookmark(client):
    client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("init"))
    q = "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=5"
    with client.open_stream(f"/api/v1/namespaces/default/configmaps?{q}&fieldSelector=metadata.name%3Dinit") as s:
        added, mark = _events(s, 2)
    assert added["type"] == "ADDED" and added["object"]["metadata"]["name"] == "init"
    assert mark["type"] == "BOOKMARK"
    assert mark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(mark["object"]["metadata"]["resourceVersion"]) >= int(added["object"]["metadata"]["resourceVersion"])
    code, _, _ = client.call("GET", "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true")
    assert code == 422


def test_watch_too_old_resource_version_is_an_error_event(client):
    with client.open_stream("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1&timeoutSeconds=5") as s:
        ev = _events(s, 1)[0]
        assert s.read() == b""  # the stream ends cleanly after the error
    assert ev["type"] == "ERROR"
    assert (ev["object"]["kind"], ev["object"]["code"], ev["object"]["reason"]) == ("Status", 410, "Expired")
    assert client.call("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=abc")[0] == 400


def test_watch_timeout_ends_stream(client):
    with client.open_stream("/api/v1/namespaces/default/configmaps?watch=1&labelSelector=none&timeoutSeconds=1") as s:
        assert s.read() == b""  # no events, then the end of the chunked stream


def test_watch_table_rows(client):
    with client.open_stream("/api/v1/namespaces?watch=1&timeoutSeconds=5", accept=TABLE) as s:
        ev = _events(s, 1)[0]
    assert ev["type"] == "ADDED" and ev["object"]["kind"] == "Table"
    assert ev["object"]["rows"][0]["cells"][0] == "default"
    assert ev["object"]["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_legacy_watch_path_on_one_object(client):
    client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("solo"))
    client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("other"))
    with client.open_stream("/api/v1/watch/namespaces/default/configmaps/solo?timeoutSeconds=5") as s:
        ev = _events(s, 1)[0]
    assert ev["object"]["metadata"]["name"] == "solo"


@pytest.mark.parametrize("path", ["/api/v1/namespaces/default/pods/x/exec", "/api/v1/namespaces/default/pods/x/bogus"])
def test_unsupported_subresources_are_4xx(client, path):
    code, st, _ = client.call("POST", path, {})
    assert 400 <= code < 500 and st["kind"] == "Status"


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b"42", b'"str"', b"{", b'{"metadata": "x"}',
                                  b'{"kind": "ConfigMap", "metadata": {"name": 123}}',
                                  b'{"kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": 1}}}',
                                  b'{"apiVersion": "v2", "kind": "ConfigMap", "metadata": {"name": "x"}}',
                                  b"\xff\xfe\x00garbage"])
def test_garbage_bodies_get_4xx_statuses(client, body):
    client.call("POST", "/api/v1/namespaces/default/configmaps", _cm("target"))
    for method, path, ctype in (("POST", "/api/v1/namespaces/default/configmaps", "application/json"),
                                ("PUT", "/api/v1/namespaces/default/configmaps/target", "application/json"),
                                ("PATCH", "/api/v1/namespaces/default/configmaps/target", "application/strategic-merge-patch+json"),
                                ("PATCH", "/api/v1/namespaces/default/configmaps/target", "application/json-patch+json"),
                                ("PATCH", "/api/v1/namespaces/default/configmaps/target", "application/merge-patch+json"),
                                ("PATCH", "/api/v1/namespaces/default/configmaps/target?fieldManager=t", "application/apply-patch+yaml"),
                                ("DELETE", "/api/v1/namespaces/default/configmaps/target2", "application/json"),
                                ("POST", "/api/v1/namespaces/default/pods/p/eviction", "application/json"),
                                ("PUT", "/apis/apps/v1/namespaces/default/deployments/d/scale", "application/json")):
        code, st, _ = client.call(method, path, raw=body, content_type=ctype)
        if code < 400:
            continue  # e.g. an empty merge patch is a valid no-op
        assert 400 <= code < 500, (method, path, code, st)
        assert st["kind"] == "Status" and st["status"] == "Failure"


def test_admission_and_node_kinds_a_learner_lists_are_served(client):
    """kubectl get apiservices / csinodes / runtimeclasses / podtemplates / *webhookconfigurations."""
    code, out, _ = client.call("GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1.apps")
    assert code == 200 and out["status"]["conditions"][0]["reason"] == "Local"
    code, out, _ = client.call("GET", "/apis/storage.k8s.io/v1/csinodes")
    assert code == 200 and [o["metadata"]["name"] for o in out["items"]] == ["minikube", "minikube-m02"]
    hook = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "demo"},
            "webhooks": [{"name": "pods.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                          "clientConfig": {"url": "https://hook.example.com/validate"},
                          "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                     "resources": ["pods"]}]}]}
    code, out, _ = client.call("POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", hook)
    assert code == 201, out
    assert out["webhooks"][0]["rules"][0] == {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                              "resources": ["pods"], "scope": "*"}
    rc = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "gvisor"}, "handler": "runsc"}
    assert client.call("POST", "/apis/node.k8s.io/v1/runtimeclasses", rc)[0] == 201
    tpl = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
           "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    assert client.call("POST", "/api/v1/namespaces/default/podtemplates", tpl)[0] == 201
    code, out, _ = client.call("GET", "/api/v1/namespaces/default/podtemplates",
                               accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert code == 200 and [c["name"] for c in out["columnDefinitions"]] == ["Name", "Containers", "Images",
                                                                             "Pod Labels"]


def test_write_options_are_validated_on_every_verb(client):
    """The options of a write are the apiserver's CreateOptions/UpdateOptions/PatchOptions/
    DeleteOptions of meta.k8s.io: a 422 naming each bad one, the object left alone."""
    base = "/api/v1/namespaces/default/configmaps"
    code, st, _ = client.call("POST", base + "?fieldManager=a%07b", _cm("opts"))
    assert code == 422 and st["reason"] == "Invalid" and st["details"]["kind"] == "CreateOptions"
    assert st["details"]["group"] == "meta.k8s.io"
    assert st["message"] == r'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\ab": invalid character U+0007 (at position 1)'
    assert client.call("GET", base + "/opts")[0] == 404
    assert client.call("POST", base, _cm("opts"))[0] == 201
    code, st, _ = client.call("PUT", base + "/opts?fieldValidation=Loud", _cm("opts", data={"k": "w"}))
    assert code == 422 and st["message"] == ('UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: '
                                             '"Loud": supported values: "", "Ignore", "Strict", "Warn"')
    code, st, _ = client.call("PATCH", base + "/opts?dryRun=all&force=true", {"data": {"k": "w"}},
                              content_type="application/merge-patch+json")
    assert code == 422 and st["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: [force: Forbidden: may not be specified for non-apply patch, '
        'dryRun: Unsupported value: []string{"all"}: supported values: "All"]')
    code, st, _ = client.call("DELETE", base + "/opts", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                         "orphanDependents": True, "propagationPolicy": "Orphan"})
    assert code == 422 and st["message"] == ('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: '
                                             '"Orphan": orphanDependents and deletionPropagation cannot be both set')
    assert client.call("GET", base + "/opts")[1]["data"] == {"k": "v"}


def test_a_subresource_writes_options_are_checked_before_its_body_and_its_object(client):
    """The apiserver's update, patch and create handlers check UpdateOptions, PatchOptions and
    CreateOptions before they decode the body or look the object up (a PATCH's type first)."""
    assert client.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deploy())[0] == 201
    base = "/apis/apps/v1/namespaces/default/deployments"
    bogus = 'dryRun: Unsupported value: []string{"Bogus"}: supported values: "All"'
    scale = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web", "namespace": "default"},
             "spec": {"replicas": -1}}
    for path in (base + "/web/scale?dryRun=Bogus", base + "/nosuch/scale?dryRun=Bogus"):
        code, st, _ = client.call("PUT", path, scale)
        assert (code, st["message"]) == (422, f'UpdateOptions.meta.k8s.io "" is invalid: {bogus}')
    code, st, _ = client.call("PUT", base + "/web/status?dryRun=Bogus", raw=b"{not json")
    assert (code, st["message"]) == (422, f'UpdateOptions.meta.k8s.io "" is invalid: {bogus}')
    code, st, _ = client.call("PATCH", base + "/web/status?dryRun=Bogus", raw=b"{not json",
                              content_type="application/merge-patch+json")
    assert (code, st["message"]) == (422, f'PatchOptions.meta.k8s.io "" is invalid: {bogus}')
    code, st, _ = client.call("PATCH", base + "/web/scale?dryRun=Bogus", {}, content_type="text/plain")
    assert code == 415
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods/nosuch/eviction?dryRun=Bogus", raw=b"[")
    assert (code, st["message"]) == (422, f'CreateOptions.meta.k8s.io "" is invalid: {bogus}')
    assert client.call("GET", base + "/web")[1]["spec"]["replicas"] == 2


def test_a_delete_options_dry_run_that_is_no_list_of_strings_is_the_decoders_bad_request(client):
    """DeleteOptions.dryRun is a []string: "All" alone is no dry run but Go's decoder's 400."""
    base = "/api/v1/namespaces/default/configmaps"
    assert client.call("POST", base, _cm("keep"))[0] == 201
    for sent, says in (("All", "string into Go struct field DeleteOptions.dryRun of type []string"),
                       ([1], "number into Go struct field DeleteOptions.dryRun of type string"),
                       (True, "bool into Go struct field DeleteOptions.dryRun of type []string")):
        code, st, _ = client.call("DELETE", base + "/keep", {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": sent})
        assert (code, st["reason"], st["message"]) == (400, "BadRequest", f"json: cannot unmarshal {says}")
        code, st, _ = client.call("DELETE", base, {"dryRun": sent})  # deletecollection alike
        assert code == 400
    code, st, _ = client.call("DELETE", base + "/keep", {"dryRun": [None]})  # null decodes as ""
    assert st["message"] == 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{""}: supported values: "All"'
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods/nosuch/eviction",
                              {"apiVersion": "policy/v1", "kind": "Eviction", "deleteOptions": {"dryRun": "All"}})
    assert (code, st["message"]) == (400, 'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal '
                                          'string into Go struct field DeleteOptions.deleteOptions.dryRun of type []string')
    assert client.call("GET", base + "/keep")[0] == 200


def test_a_name_that_is_no_path_segment_is_a_bad_request(client):
    """`kubectl get --raw .../configmaps/%2e%2e`: the storage's key function refuses the name
    (400) before anything is looked up, on every verb and subresource."""
    base = "/api/v1/namespaces/default/configmaps"
    for method, path, body in (("GET", base + "/%2e%2e", None), ("GET", base + "/.", None),
                               ("DELETE", base + "/a%25b", None), ("PUT", base + "/..", _cm("..")),
                               ("PATCH", base + "/..", {"data": {}}),
                               ("GET", "/api/v1/namespaces/default/pods/%2e%2e/log", None)):
        code, st, _ = client.call(method, path, body, content_type="application/merge-patch+json" if method == "PATCH" else "application/json")
        assert code == 400 and st["reason"] == "BadRequest", (method, path, st)
        name = urllib.parse.unquote(path.split("/")[6])
        bad = "may not contain '%'" if name == "a%b" else f"may not be '{name}'"
        assert st["message"] == f'Name parameter invalid: "{name}": {bad}'


def test_bindings_assign_a_pod_to_a_node_as_a_scheduler_does(client, served):
    """`bindings` (discovery lists it: create only) and pods/NAME/binding: the Binding's pod gets
    its node, annotations and PodScheduled; a pod already assigned is a 409 on pods/binding."""
    code, body, _ = client.call("GET", "/api/v1")
    found = [r for r in body["resources"] if r["name"] == "bindings"]
    assert found == [{"name": "bindings", "singularName": "binding", "namespaced": True, "kind": "Binding",
                      "verbs": ["create"]}]
    pod = _pod("manual")
    pod["spec"]["schedulerName"] = "my-scheduler"  # the default scheduler leaves it alone
    assert client.call("POST", "/api/v1/namespaces/default/pods", pod)[0] == 201
    served.advance(5)
    assert "nodeName" not in client.call("GET", "/api/v1/namespaces/default/pods/manual")[1]["spec"]
    b = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "manual", "annotations": {"by": "me"}},
         "target": {"kind": "Node", "name": "minikube-m02"}}
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods/other/binding", b)
    assert (code, st["message"]) == (400, "name in URL does not match name in Binding object")
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/bindings", {**b, "target": {"kind": "Pod"}})
    assert (code, st["reason"]) == (500, "")
    assert st["message"] == '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]'
    # the Binding's uid and resourceVersion are preconditions (a scheduler's stale decision about a
    # pod made again under the same name binds nothing)
    md = client.call("GET", "/api/v1/namespaces/default/pods/manual")[1]["metadata"]
    for field, stale in (("uid", "stale-uid"), ("resourceVersion", "1")):
        code, st, _ = client.call("POST", "/api/v1/namespaces/default/bindings", {**b, "metadata": {**b["metadata"], field: stale}})
        what = "UID" if field == "uid" else "ResourceVersion"
        assert (code, st["message"]) == (409, 'Operation cannot be fulfilled on pods "manual": StorageError: invalid object, '
                                              'Code: 4, Key: /registry/pods/default/manual, ResourceVersion: 0, AdditionalErrorMsg: '
                                              f'Precondition failed: {what} in precondition: {stale}, {what} in object meta: {md[field]}')
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/bindings", {**b, "metadata": {**b["metadata"], "uid": md["uid"]}})
    assert (code, st) == (201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    got = client.call("GET", "/api/v1/namespaces/default/pods/manual")[1]
    assert got["spec"]["nodeName"] == "minikube-m02" and got["metadata"]["annotations"] == {"by": "me"}
    assert [c["status"] for c in got["status"]["conditions"] if c["type"] == "PodScheduled"] == ["True"]
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods/manual/binding", b)
    assert code == 409 and st["details"] == {"name": "manual", "kind": "pods/binding"}
    assert st["message"] == 'Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "minikube-m02"'
    assert client.call("GET", "/api/v1/namespaces/default/bindings")[0] == 405
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/bindings", {**b, "metadata": {"name": "gone"}})
    assert (code, st["message"]) == (404, 'pods "gone" not found')


def test_resource_k8s_io_v1_is_served_as_a_1_34_cluster_serves_it(client):
    """Dynamic resource allocation's kinds: in discovery, stored with the apiserver's request
    defaults (ExactCount of one device), printed with kubectl's columns; a claim nothing
    allocates stays pending."""
    code, body, _ = client.call("GET", "/apis/resource.k8s.io/v1")
    assert code == 200 and sorted((r["name"], r["namespaced"]) for r in body["resources"] if "/" not in r["name"]) == [
        ("deviceclasses", False), ("resourceclaims", True), ("resourceclaimtemplates", True), ("resourceslices", False)]
    base = "/apis/resource.k8s.io/v1"
    claim = {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim", "metadata": {"name": "gpu"},
             "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.example.com"}},
                                               {"name": "any", "firstAvailable": [
                                                   {"name": "big", "deviceClassName": "big.example.com", "allocationMode": "All"},
                                                   {"name": "small", "deviceClassName": "small.example.com"}]}]}}}
    code, got, _ = client.call("POST", base + "/namespaces/default/resourceclaims", claim)
    assert code == 201, got
    exact, subs = got["spec"]["devices"]["requests"][0]["exactly"], got["spec"]["devices"]["requests"][1]["firstAvailable"]
    assert (exact["allocationMode"], exact["count"]) == ("ExactCount", 1)
    assert ("count" not in subs[0], subs[1]["count"]) == (True, 1) and got["status"] == {}
    code, table, _ = client.call("GET", base + "/namespaces/default/resourceclaims", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "State", "Age"]
    assert table["rows"][0]["cells"][:2] == ["gpu", "pending"]
    rs = {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": {"name": "m-gpu"},
          "spec": {"driver": "gpu.example.com", "nodeName": "minikube", "pool": {"name": "m", "generation": 1, "resourceSliceCount": 1},
                   "devices": [{"name": "gpu-0", "attributes": {"model": {"string": "T4"}}, "capacity": {"memory": {"value": "16Gi"}}}]}}
    code, got, _ = client.call("POST", base + "/resourceslices", rs)
    assert code == 201, got
    code, table, _ = client.call("GET", base + "/resourceslices", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Node", "Driver", "Pool", "Age"]
    assert table["rows"][0]["cells"][:4] == ["m-gpu", "minikube", "gpu.example.com", "m"]
    bad = {**claim, "metadata": {"name": "bad"}}
    bad["spec"] = {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "x", "count": "one"}}]}}
    assert client.call("POST", base + "/namespaces/default/resourceclaims", bad)[0] == 400


def test_go_restful_refuses_a_method_and_a_patch_body_type_before_any_handler(client):
    """The route is chosen before a handler runs: a method no route of the path takes is its 405,
    a PATCH in a type the route does not consume (none: application/octet-stream) its 415, both
    in go-restful's words with empty details, before the name, the body's size or the options are
    looked at, with a body or without one."""
    not_allowed = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                   "message": "the server does not allow this method on the requested resource",
                   "reason": "MethodNotAllowed", "details": {}, "code": 405}
    assert client.call("OPTIONS", "/api/v1/namespaces/default/pods/x")[1] == not_allowed
    assert client.call("POST", "/api/v1/namespaces/default/pods/a%25b", {})[1] == not_allowed
    assert client.call("PATCH", "/api/v1/namespaces/default/configmaps", {})[1] == not_allowed
    assert client.call("PATCH", "/api/v1/namespaces/default/pods/x/log", {}, content_type="text/plain")[1] == not_allowed
    unsupported = {**not_allowed, "message": "415: Unsupported Media Type", "reason": "UnsupportedMediaType", "code": 415}
    for path in ("/api/v1/namespaces/default/configmaps/a%25b?dryRun=Bogus",
                 "/apis/apps/v1/namespaces/default/deployments/missing/scale"):
        assert client.call("PATCH", path, {}, content_type="text/plain")[1] == unsupported
    big = b'{"data":{"k":"' + b"x" * (3 * 1024 * 1024) + b'"}}'
    assert client.call("PATCH", "/api/v1/namespaces/default/configmaps/x", raw=big, content_type="application/json")[1] == unsupported

    # no body (no Content-Length, or a chunked one): still go-restful's 415, in its Accept step's words
    no_body = {**unsupported, "message": "415: Unsupported Media Type\n\nAvailable representations: "}
    cm = "/api/v1/namespaces/default/configmaps/x"
    assert client.call("PATCH", cm, content_type="text/plain")[1] == no_body
    assert raw_call(client, "PATCH", cm, b'{"data":{}}', {"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}) == (415, no_body)
    # a PATCH without a Content-Type is application/octet-stream's, whatever its body
    assert raw_call(client, "PATCH", cm + "?dryRun=Bogus", b'{"data":{}}', {}) == (415, unsupported)
    assert raw_call(client, "PATCH", cm, b"", {}) == (415, no_body)
    # any of a list of types, without its parameters, will do for the route (the handler reads
    # the header whole up to its first ';', and names the types it takes)
    code, st = raw_call(client, "PATCH", cm, b'{"data":{}}', {"Content-Type": "application/merge-patch+json;charset=utf-8"})
    assert code == 404 and st["reason"] == "NotFound"
    code, st = raw_call(client, "PATCH", cm, b'{"data":{}}', {"Content-Type": "text/plain, application/merge-patch+json"})
    assert code == 415 and st["message"].startswith("the body of the request was in an unknown format") and "details" not in st


def test_a_method_whose_route_the_resource_lacks_is_refused_before_its_body_type(client):
    """The apiserver registers a PATCH (PUT, DELETE...) route only where the resource's storage
    takes it (its discovery verbs): componentstatuses take get and list, so a PATCH in any type is
    go-restful's 405, before its body's type or its name are looked at."""
    resources = {r["name"]: r for r in client.call("GET", "/api/v1")[1]["resources"]}
    assert resources["componentstatuses"]["verbs"] == ["get", "list"]
    for method, path in (("PATCH", "/api/v1/componentstatuses/scheduler"), ("PATCH", "/api/v1/componentstatuses/a%25b"),
                         ("PUT", "/api/v1/componentstatuses/a%25b"), ("POST", "/api/v1/componentstatuses")):
        code, st, _ = client.call(method, path, {}, content_type="text/plain")
        assert (code, st["reason"], st["details"]) == (405, "MethodNotAllowed", {}), (method, path)

def raw_call(client: Client, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    """A request with exactly these headers (urllib adds a Content-Type of its own): a body
    with ``Transfer-Encoding: chunked`` is sent in one chunk."""
    import http.client
    from urllib.parse import urlsplit
    url = urlsplit(client.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        chunked = headers.get("Transfer-Encoding") == "chunked"
        data = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked else body
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in {**headers, **({} if chunked else {"Content-Length": str(len(body))})}.items():
            conn.putheader(k, v)
        conn.endheaders(data)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_a_delete_with_a_body_reads_its_options_from_the_body_alone(client):
    """DeleteOptions come from the body when there is one, from the query otherwise, never a mix:
    the query's dryRun is not read beside a body, nor a gracePeriodSeconds that does not parse;
    the query's orphanDependents is read (with a propagationPolicy: the 422)."""
    for name in ("a", "b"):
        assert client.call("POST", "/api/v1/namespaces/default/configmaps", _cm(name))[0] == 201
    path = "/api/v1/namespaces/default/configmaps/"
    body = {"kind": "DeleteOptions", "apiVersion": "v1"}
    assert client.call("DELETE", path + "a?dryRun=All", body)[0] == 200
    assert client.call("GET", path + "a")[0] == 404
    code, st, _ = client.call("DELETE", path + "b?gracePeriodSeconds=soon", {**body, "dryRun": ["All"]})
    assert code == 200 and st["metadata"]["name"] == "b"
    assert client.call("GET", path + "b")[0] == 200
    code, st, _ = client.call("DELETE", path + "b?orphanDependents=true&propagationPolicy=Background")
    assert code == 422 and st["details"]["causes"][0]["message"].endswith(
        "orphanDependents and deletionPropagation cannot be both set")
    code, st, _ = client.call("DELETE", "/api/v1/namespaces/default/configmaps?dryRun=All", body)
    assert code == 200 and client.call("GET", path + "b")[0] == 404
