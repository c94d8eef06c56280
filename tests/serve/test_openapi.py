"""The OpenAPI documents: v2 in protobuf (gnostic's openapi.v2.Document, read back with a small
wire-format reader here) and JSON, and v3 complete for every served kind."""

from __future__ import annotations

import json
import struct
import urllib.request
from collections import defaultdict
from typing import Any

from k9py.kube.resources import Registry
from k9py.serve import metrics as metrics_api
from k9py.serve import openapi_pb
from tests.crds import crontab_crd

PROTO = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


# -- a protobuf wire-format reader (field number -> raw values) ----------------------------------

def _varint(buf: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def fields(buf: bytes) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v, i = struct.unpack("<d", buf[i:i + 8])[0], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        out[num].append(v)
    return out


def _named(buf: bytes, field: int = 1) -> dict[str, bytes]:
    """A repeated Named* message (name = 1, value = 2) as a dict."""
    out = {}
    for entry in fields(buf).get(field, []):
        f = fields(entry)
        out[f[1][0].decode()] = f[2][0] if 2 in f else b""
    return out


def _extensions(schema: dict[int, list[Any]], field: int) -> dict[str, Any]:
    out = {}
    for entry in schema.get(field, []):
        f = fields(entry)
        out[f[1][0].decode()] = json.loads(fields(f[2][0])[2][0].decode())  # NamedAny → Any.yaml (JSON)
    return out


# -- v2 --------------------------------------------------------------------------------------------

def _get(client, path: str, accept: str) -> tuple[int, bytes, str]:
    req = urllib.request.Request(client.url + path, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read(), resp.headers.get("Content-Type", "")


def test_v2_protobuf_is_the_json_document(client):
    code, raw, ctype = _get(client, "/openapi/v2", PROTO)
    assert code == 200
    assert ctype == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    assert _get(client, "/swagger-2.0.0.pb-v1", "*/*") == (200, raw, ctype)
    doc = fields(raw)
    assert doc[1] == [b"2.0"]
    info = fields(doc[2][0])
    assert info[1] == [b"Kubernetes"] and info[2][0].startswith(b"v1.")
    defs = _named(doc[9][0])
    _, v2, _ = client.call("GET", "/openapi/v2")
    assert set(defs) == set(v2["definitions"])

    pod = fields(defs["io.k8s.api.core.v1.Pod"])
    assert b"containers that can run on a host" in pod[4][0]
    assert fields(pod[22][0])[1] == [b"object"]  # TypeItem
    assert _extensions(pod, 31)["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    props = _named(pod[25][0])
    assert {"apiVersion", "kind", "metadata", "spec", "status"} <= set(props)
    spec = fields(props["spec"])
    assert spec[1] == [b"#/definitions/io.k8s.api.core.v1.PodSpec"] and spec[4]  # a described $ref

    container = fields(defs["io.k8s.api.core.v1.Container"])
    assert container[19] == [b"name"]  # required
    ports = fields(_named(container[25][0])["ports"])
    items = fields(fields(ports[23][0])[1][0])  # ItemsItem → Schema
    assert items[1] == [b"#/definitions/io.k8s.api.core.v1.ContainerPort"]
    assert _extensions(ports, 31)["x-kubernetes-patch-merge-key"] == "containerPort"
    limits = fields(_named(fields(defs["io.k8s.api.core.v1.ResourceRequirements"])[25][0])["limits"])
    ap = fields(fields(limits[21][0])[1][0])  # AdditionalPropertiesItem → Schema
    assert ap[1] == [b"#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"]

    paths = _named(doc[8][0], field=2)
    item = fields(paths["/api/v1/namespaces/{namespace}/pods/{name}"])
    patch = fields(item[8][0])
    assert patch[5] == [b"patchPod"]
    params = set()
    for p in patch[8]:  # ParametersItem → Parameter → NonBodyParameter → QueryParameterSubSchema
        query = fields(fields(fields(fields(p)[1][0])[2][0])[3][0])
        assert query[2] == [b"query"]
        params.add(query[4][0].decode())
    assert "fieldValidation" in params
    assert _extensions(patch, 13)["x-kubernetes-action"] == "patch"


def test_v2_negotiation(client):
    assert _get(client, "/openapi/v2", f"{PROTO}, application/json")[2].endswith("+protobuf")
    assert _get(client, "/openapi/v2", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")[2].endswith("+protobuf")
    assert client.call("GET", "/openapi/v2", accept=f"application/json, {PROTO}")[1]["swagger"] == "2.0"
    code, body, _ = client.call("GET", "/openapi/v2", accept="application/yaml")
    assert code == 406 and body["reason"] == "NotAcceptable"


def test_encoder_wire_format():
    # Field numbers and wire types of gnostic's messages, checked byte by byte on a tiny document.
    doc = openapi_pb.document({"swagger": "2.0", "info": {"title": "T", "version": "1"},
                               "definitions": {"A": {"type": "object", "required": ["x"], "maximum": 1.5,
                                                     "properties": {"x": {"type": "integer"}}}}})
    assert doc.startswith(b"\x0a\x032.0" + b"\x12\x06\x0a\x01T\x12\x011")
    a = fields(_named(fields(doc)[9][0])["A"])
    assert a[7] == [1.5] and a[19] == [b"x"]
    assert fields(fields(_named(a[25][0])["x"])[22][0])[1] == [b"integer"]


# -- v3 --------------------------------------------------------------------------------------------

def _walk_refs(schema: Any, out: set[str]) -> None:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            out.add(ref.removeprefix("#/components/schemas/"))
        for v in schema.values():
            _walk_refs(v, out)
    elif isinstance(schema, list):
        for v in schema:
            _walk_refs(v, out)


def test_v3_is_complete_for_every_served_kind(client):
    root = client.call("GET", "/openapi/v3")[1]["paths"]
    served = [*Registry().served, metrics_api.NODES, metrics_api.PODS]
    docs = {p: client.call("GET", v["serverRelativeURL"])[1] for p, v in root.items()}
    for r in served:
        path = f"apis/{r.group}/{r.version}" if r.group else f"api/{r.version}"
        assert path in root, path
        schemas = docs[path]["components"]["schemas"]
        kind = [s for s in schemas.values()
                if {"group": r.group, "kind": r.kind, "version": r.version} in s.get("x-kubernetes-group-version-kind", [])]
        assert len(kind) == 1, r
        assert {"apiVersion", "kind", "metadata"} <= set(kind[0]["properties"]), r
    for path, doc in docs.items():
        schemas = doc["components"]["schemas"]
        refs: set[str] = set()
        _walk_refs(doc, refs)
        assert refs <= set(schemas), (path, refs - set(schemas))
        for name, s in schemas.items():
            assert s.get("description"), name
            for field, prop in s.get("properties", {}).items():
                assert prop.get("description"), f"{name}.{field}"


def test_v3_pod_schema_has_every_field(client):
    doc = client.call("GET", "/openapi/v3/api/v1")[1]["components"]["schemas"]
    spec = doc["io.k8s.api.core.v1.PodSpec"]["properties"]
    assert {"containers", "initContainers", "ephemeralContainers", "volumes", "affinity", "tolerations",
            "topologySpreadConstraints", "securityContext", "dnsConfig", "hostAliases", "readinessGates"} <= set(spec)
    assert spec["containers"]["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert spec["containers"]["x-kubernetes-patch-merge-key"] == "name"
    container = doc["io.k8s.api.core.v1.Container"]
    assert container["required"] == ["name"]
    assert {"lifecycle", "startupProbe", "resizePolicy", "securityContext", "envFrom", "terminationMessagePolicy",
            "stdinOnce", "workingDir", "volumeDevices"} <= set(container["properties"])
    assert doc["io.k8s.api.core.v1.ServicePort"]["properties"]["targetPort"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]
    assert doc["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"


def test_v3_custom_resources_have_their_crds_schema(client):
    free = client.call("GET", "/openapi/v3")[1]["paths"]
    assert "apis/stable.example.com/v1" not in free
    code, body, _ = client.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crontab_crd())
    assert code == 201, body
    url = client.call("GET", "/openapi/v3")[1]["paths"]["apis/stable.example.com/v1"]["serverRelativeURL"]
    schemas = client.call("GET", url)[1]["components"]["schemas"]
    ct = schemas["com.example.stable.v1.CronTab"]
    assert ct["x-kubernetes-group-version-kind"] == [{"group": "stable.example.com", "kind": "CronTab", "version": "v1"}]
    assert ct["properties"]["spec"]["properties"]["cronSpec"] == {"type": "string"}
    assert ct["properties"]["metadata"]["allOf"] == [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in schemas
