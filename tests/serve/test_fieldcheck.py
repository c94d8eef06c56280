"""The unknown-field walker over OpenAPI v3 schemas (serve/fieldcheck.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k9py.kube.resources import BY_KIND, CRD_KIND, RESOURCES, Registry, registry_of
from k9py.scenario.loader import load_cluster
from k9py.serve import fieldcheck
from k9py.serve.api import Api
from k9py.serve.http import Request

ROOT = Path(__file__).resolve().parents[2]
R = "#/components/schemas/"
DOC = {"components": {"schemas": {
    "Widget": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "ex.io", "version": "v1", "kind": "Widget"}],
               "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                              "metadata": {"$ref": R + "Meta"}, "spec": {"allOf": [{"$ref": R + "Spec"}], "default": {}}}},
    "Meta": {"type": "object", "properties": {"name": {"type": "string"},
                                              "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "Spec": {"type": "object", "properties": {
        "port": {"x-kubernetes-int-or-string": True},
        "parts": {"type": "array", "items": {"$ref": R + "Part"}, "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"]},
        "byName": {"type": "object", "additionalProperties": {"$ref": R + "Part"}},
        "raw": {"type": "object"},
        "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                 "properties": {"size": {"type": "integer"}, "inner": {"$ref": R + "Part"}}},
        "closed": {"type": "object", "additionalProperties": False},
        "embedded": {"type": "object", "x-kubernetes-embedded-resource": True,
                     "properties": {"spec": {"type": "object", "properties": {"x": {"type": "string"}}}}},
    }},
    "Part": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}},
}}}


@pytest.fixture
def schemas() -> fieldcheck.Schemas:
    return fieldcheck.Schemas(DOC)


def unknown(schemas: fieldcheck.Schemas, obj: dict, **kw) -> list[str]:
    return fieldcheck.walk(schemas, schemas.root("ex.io", "v1", "Widget"), obj, **kw)


def test_known_fields_pass(schemas):
    obj = {"apiVersion": "ex.io/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"any.key/x": "v"}},
           "spec": {"port": "http", "parts": [{"name": "a", "size": 1}], "byName": {"k": {"size": 2}},
                    "raw": {"anything": {"goes": [1]}}, "open": {"size": 1, "whatever": {"x": 1}},
                    "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": "y"}}}}
    assert unknown(schemas, obj) == []


def test_unknown_fields_everywhere_in_document_order(schemas):
    obj = {"kind": "Widget", "extra": 1, "metadata": {"nam": "w"},
           "spec": {"parts": [{"name": "a"}, {"name": "b", "sise": 2}], "byName": {"k": {"colour": "red"}},
                    "open": {"inner": {"nme": "x"}}, "closed": {"x": 1},
                    "embedded": {"spec": {"y": 1}}, "restartpolicy": "Never"}}
    assert unknown(schemas, obj) == ["extra", "metadata.nam", "spec.parts[1].sise", "spec.byName.k.colour",
                                     "spec.open.inner.nme", "spec.closed.x", "spec.embedded.spec.y",
                                     "spec.restartpolicy"]
    # server-side apply names list-map elements by their keys
    assert unknown(schemas, obj, smd=True)[2] == 'spec.parts[name="b"].sise'


def test_drop_removes_exactly_the_unknown_fields(schemas):
    obj = {"kind": "Widget", "extra": 1, "spec": {"parts": [{"name": "a"}, {"name": "b", "sise": 2}],
                                                  "byName": {"k.with.dots": {"colour": "red", "size": 1}}}}
    paths = unknown(schemas, obj)
    assert paths == ["extra", "spec.parts[1].sise", "spec.byName.k.with.dots.colour"]
    fieldcheck.drop(obj, paths)
    assert obj == {"kind": "Widget", "spec": {"parts": [{"name": "a"}, {"name": "b"}],
                                              "byName": {"k.with.dots": {"size": 1}}}}


def test_messages():
    assert fieldcheck.strict_message(["spec.a", "b"]) == 'strict decoding error: unknown field "spec.a", unknown field "b"'
    assert fieldcheck.warning_header(['unknown field "spec.a"', "x"]) == '299 - "unknown field \\"spec.a\\"", 299 - "x"'


def test_served_schema_knows_a_whole_deployment_and_finds_typos():
    reg = Registry(RESOURCES)
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"replicas": 2, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                        "containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                                        "resources": {"limits": {"cpu": "1"}}, "securityContext": {"runAsUser": 1},
                                        "imagepullpolicy": "Always"}],
                        "restartpolicy": "Always"}}}}
    assert fieldcheck.unknown_fields(reg, BY_KIND["Deployment"], dep) == [
        "spec.template.spec.containers[0].imagepullpolicy", "spec.template.spec.restartpolicy"]
    assert fieldcheck.typed_patch_error(reg, BY_KIND["Deployment"], dep) == (
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n"
        '  .spec.template.spec.containers[name="web"].imagepullpolicy: field not declared in schema\n'
        "  .spec.template.spec.restartpolicy: field not declared in schema")


def test_every_object_of_the_demo_cluster_is_declared():
    """What the simulator stores must decode strictly, or every patch kubectl sends would be refused."""
    for path in (None, str(ROOT / "scenarios" / "kubeflow.yaml")):
        cluster = load_cluster(path)
        reg = cluster.api_resources()
        crds = {r.crd: cluster.store.get(CRD_KIND, None, r.crd) for r in reg.all if r.crd}
        bad = [(r.kind, o["metadata"]["name"], fieldcheck.unknown_fields(reg, r, o, crds.get(r.crd)))
               for r in reg.all for o in cluster.store.list(r.kind, None)]
        assert [b for b in bad if b[2]] == []


@pytest.mark.parametrize(("mode", "code"), [("Strict", 400), ("Warn", 201), ("Ignore", 201), (None, 201)])
def test_api_modes(mode, code):
    from tests.serve.conftest import small_cluster
    api = Api(small_cluster())
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{mode}".lower()}, "data": {"a": "b"},
            "datta": {"x": "y"}}
    query = {"fieldValidation": mode} if mode else {}
    req = Request("POST", "/api/v1/namespaces/default/configmaps", query, {"content-type": "application/json"},
                  json.dumps(body).encode())
    resp = api.handle(req)
    assert resp.code == code
    if mode == "Strict":
        assert resp.body["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
                                        'error: unknown field "datta"')
        return
    assert "datta" not in resp.body
    assert resp.headers.get("Warning") == (None if mode == "Ignore" else '299 - "unknown field \\"datta\\""')


def test_a_crds_structural_schema_prunes_what_it_does_not_declare():
    from tests.crds import crontab, crontab_crd
    crd = crontab_crd()
    reg = registry_of([crd])
    res = reg.kind("CronTab")
    assert res is not None
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    spec["settings"] = {"type": "object"}
    spec["free"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    obj = crontab("c")
    obj["metadata"]["managedFields"] = [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}]
    obj["spec"].update(settings={"a": 1}, free={"b": {"c": 2}}, port="x")
    obj["status"] = {"ok": True}
    assert fieldcheck.unknown_fields(reg, res, obj, crd) == ["spec.settings.a", "spec.port", "status"]
