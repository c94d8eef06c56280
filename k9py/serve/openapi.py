"""OpenAPI documents: v3 per group/version (``kubectl explain``, kubectl's field-validation check),
v2 in JSON and protobuf (client-go's ``OpenAPISchema()``: Helm, ``explain --output=plaintext-openapiv2``).

Every built-in kind's schema is whole (``openapi_schemas``: every field, k9py's descriptions).
kubectl (``--validate=strict``, the default) looks in ``/openapi/v3/<group-version>`` for the
PATCH operation of the object's GVK (``x-kubernetes-group-version-kind``) and, when it lists a
``fieldValidation`` query parameter, leaves validation to the server
(cli-runtime ``query_param_verifier_v3.go``).

The PATCH operations do not advertise ``application/strategic-merge-patch+json`` request bodies:
kubectl then computes client-side-apply patches from its compiled-in API types instead of from
these schemas (kubectl ``apply/patcher.go``). The schemas still carry
``x-kubernetes-patch-merge-key``/``-strategy`` on the common lists.

Custom resources (the cluster's CRDs) get a v3 document per group/version too, with free-form
spec and status, so kubectl leaves their validation to the server and patches them with JSON
merge patches; ``/openapi/v2`` keeps the built-in kinds only.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from typing import Any

from k9py.kube.resources import ApiResource, Registry, groups
from k9py.kube.status import ApiError
from k9py.serve import openapi_pb, openapi_schemas
from k9py.serve.http import Response
from k9py.serve.openapi_text import describe_field
from k9py.sim.version import KUBERNETES_VERSION

Obj = dict[str, Any]


def schema_name(r: ApiResource, kind: str | None = None) -> str:
    if r.crd:  # the apiextensions-apiserver's naming: the group reversed
        return ".".join([*reversed(r.group.split(".")), r.version, kind or r.kind])
    known = None if kind else openapi_schemas.kind_schema_name(r.group, r.version, r.kind)
    if known:
        return known
    g = r.group.split(".")[0] if r.group else "core"
    return f"io.k8s.api.{g}.{r.version}.{kind or r.kind}"


def _gvk(r: ApiResource) -> list[Obj]:
    return [{"group": r.group, "kind": r.kind, "version": r.version}]


# What the abridged schemas (custom resources, a kind the data does not know) refer to.
_SHARED = ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",)


def _known(r: ApiResource) -> bool:
    return openapi_schemas.kind_schema_name(r.group, r.version, r.kind) is not None


def _kind_schemas(r: ApiResource, crd_schema: str | None = None) -> dict[str, Obj]:
    """The kind's schema and every schema it reaches (the whole API type for built-in kinds; a
    custom resource's CRD ``openAPIV3Schema``, as JSON, when it has one)."""
    name = None if r.crd else openapi_schemas.kind_schema_name(r.group, r.version, r.kind)
    if name is None:
        return {schema_name(r): _crd_schema(r, crd_schema) if crd_schema else _kind_schema(r)}
    schemas = openapi_schemas.closure([name])
    schemas[name] = {**schemas[name], "x-kubernetes-group-version-kind": _gvk(r)}
    return schemas


def _crd_schema(r: ApiResource, crd_schema: str) -> Obj:
    """A custom resource's schema: its CRD's, with the envelope every object has (what the
    apiextensions-apiserver publishes)."""
    s: Obj = json.loads(crd_schema)
    envelope = _kind_schema(r)
    props = s.get("properties")
    if not isinstance(props, dict):
        props = {}
    return {**s, "type": "object", "description": s.get("description") or envelope["description"],
            "properties": {**props, **{k: envelope["properties"][k] for k in ("apiVersion", "kind", "metadata")}},
            "x-kubernetes-group-version-kind": _gvk(r)}


def _kind_schema(r: ApiResource) -> Obj:
    """A custom resource's (or a kind the data does not know): free-form spec and status."""
    free = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "type": "object",
        "description": f"{r.kind} ({r.api_version}).",
        "properties": {
            "apiVersion": {"type": "string", "description": describe_field(r.kind, "apiVersion")},
            "kind": {"type": "string", "description": describe_field(r.kind, "kind")},
            "metadata": {"allOf": [{"$ref": f"#/components/schemas/{_SHARED[0]}"}],
                         "description": describe_field(r.kind, "metadata")},
            "spec": {**free, "description": describe_field(r.kind, "spec")},
            "status": {**free, "description": describe_field(r.kind, "status")},
        },
        "x-kubernetes-group-version-kind": _gvk(r),
    }


def _param(name: str, desc: str = "") -> Obj:
    return {"name": name, "in": "query", "description": desc, "schema": {"type": "string"}, "uniqueItems": True}


_WRITE_PARAMS = [
    _param("dryRun", "When present, indicates that modifications should not be persisted."),
    _param("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
    _param("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."),
]


def _op(r: ApiResource, action: str, ref: str, *, params: list[Obj] | None = None,
        body_types: tuple[str, ...] = ()) -> Obj:
    op: Obj = {
        "operationId": f"{action}{r.kind}",
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}},
                      "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": r.group, "kind": r.kind, "version": r.version},
    }
    if params:
        op["parameters"] = params
    if body_types:
        op["requestBody"] = {"content": {t: {"schema": {"$ref": ref}} for t in body_types}, "required": True}
    return op


def _paths(r: ApiResource) -> Obj:
    prefix = f"/apis/{r.group}/{r.version}" if r.group else f"/api/{r.version}"
    coll = f"{prefix}/namespaces/{{namespace}}/{r.plural}" if r.namespaced else f"{prefix}/{r.plural}"
    ref = f"#/components/schemas/{schema_name(r)}"
    paths: Obj = {}
    coll_ops: Obj = {}
    item_ops: Obj = {}
    if "list" in r.verbs:
        coll_ops["get"] = _op(r, "list", ref)
    if "create" in r.verbs:
        coll_ops["post"] = _op(r, "post", ref, params=_WRITE_PARAMS, body_types=("*/*",))
    if "deletecollection" in r.verbs:
        coll_ops["delete"] = _op(r, "deletecollection", ref)
    if "get" in r.verbs:
        item_ops["get"] = _op(r, "get", ref)
    if "update" in r.verbs:
        item_ops["put"] = _op(r, "put", ref, params=_WRITE_PARAMS, body_types=("*/*",))
    if "patch" in r.verbs:
        item_ops["patch"] = _op(r, "patch", ref, params=[*_WRITE_PARAMS, _param("force")],
                                body_types=("application/json-patch+json", "application/merge-patch+json",
                                            "application/apply-patch+yaml"))
    if "delete" in r.verbs:
        item_ops["delete"] = _op(r, "delete", ref)
    if coll_ops:
        paths[coll] = coll_ops
    if item_ops:
        paths[f"{coll}/{{name}}"] = item_ops
    return paths


def group_version_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _served(resources: tuple[ApiResource, ...], group: str, version: str) -> tuple[ApiResource, ...]:
    return tuple(r for r in resources if r.group == group and r.version == version)


CrdSchemas = tuple[tuple[tuple[str, str, str], str], ...]  # ((group, version, kind), openAPIV3Schema JSON)


def crd_schemas(crds: list[Obj]) -> CrdSchemas:
    """The ``openAPIV3Schema`` of each served version of ``crds`` (the cluster's CRDs)."""
    out = []
    for crd in crds:
        spec = crd.get("spec") or {}
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        for v in spec.get("versions") or []:
            schema = (v.get("schema") or {}).get("openAPIV3Schema") if isinstance(v, dict) else None
            if isinstance(schema, dict) and isinstance(group, str) and isinstance(kind, str):
                out.append(((group, str(v.get("name")), kind), json.dumps(schema, sort_keys=True)))
    return tuple(sorted(out))


@lru_cache(maxsize=128)
def _gv_doc_json(res: tuple[ApiResource, ...], crds: CrdSchemas = ()) -> bytes | None:
    if not res:
        return None
    paths: Obj = {}
    schemas: Obj = {}
    by_gvk = dict(crds)
    for r in res:
        paths.update(_paths(r))
        schemas.update(_kind_schemas(r, by_gvk.get((r.group, r.version, r.kind)) if r.crd else None))
    if any(name not in schemas for name in _SHARED) and any(r.crd or not _known(r) for r in res):
        schemas.update(openapi_schemas.closure(list(_SHARED)))
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
           "paths": paths, "components": {"schemas": schemas}}
    return json.dumps(doc, sort_keys=True).encode()


def gv_document(registry: Registry, group: str, version: str, extra: tuple[ApiResource, ...] = (),
                crds: CrdSchemas = ()) -> bytes | None:
    """The OpenAPI v3 document of one group/version (JSON bytes), None if not served.
    ``extra``: resources served beside the registry's (metrics.k8s.io); ``crds``: the custom
    resources' schemas (``crd_schemas``; without them their spec and status are free-form)."""
    res = _served(registry.served + extra, group, version)
    return _gv_doc_json(res, tuple(c for c in crds if c[0][:2] == (group, version)))


def _hash(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()[:128].upper()


def v3_root(registry: Registry, extra: tuple[ApiResource, ...] = (), crds: CrdSchemas = ()) -> bytes:
    """``/openapi/v3``: where each group/version document lives (with a content hash)."""
    return _v3_root(registry.served + extra, crds)


@lru_cache(maxsize=16)
def _v3_root(resources: tuple[ApiResource, ...], crds: CrdSchemas) -> bytes:
    paths: Obj = {}
    for g, v in dict.fromkeys((r.group, r.version) for r in resources):
        doc = _gv_doc_json(_served(resources, g, v), tuple(c for c in crds if c[0][:2] == (g, v)))
        if doc is not None:
            p = group_version_path(g, v)
            paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={_hash(doc)}"}
    return json.dumps({"paths": paths}, sort_keys=True).encode()


def _v2_schema(s: Any) -> Any:
    """A v3 schema as Swagger 2.0 has it: a described reference is a ``$ref`` with a description."""
    if isinstance(s, list):
        return [_v2_schema(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {k: _v2_schema(v) for k, v in s.items()}
    if isinstance(out.get("oneOf"), list):  # Quantity, IntOrString: strings in v2
        out.pop("oneOf")
        out["type"] = "string"
    all_of = out.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict) and "$ref" in all_of[0]:
        out.pop("allOf")
        out["$ref"] = all_of[0]["$ref"]
    if isinstance(out.get("$ref"), str):
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/definitions/")
    return out


@cache
def _v2() -> Obj:
    definitions: Obj = {}
    paths: Obj = {}
    served = Registry().served
    for g, versions in groups().items():
        for v in versions:
            doc = json.loads(_gv_doc_json(_served(served, g, v)) or b"{}")
            for name, schema in doc.get("components", {}).get("schemas", {}).items():
                definitions[name] = _v2_schema(schema)
            for p, ops in doc.get("paths", {}).items():
                paths[p] = {m: {k: val for k, val in op.items() if k not in ("requestBody", "responses")}
                            | {"responses": {"200": {"description": "OK"}}}
                            for m, op in ops.items()}
                for op in paths[p].values():
                    for prm in op.get("parameters", []):
                        prm.pop("schema", None)
                        prm["type"] = "string"
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
            "paths": paths, "definitions": definitions}


@cache
def v2_document() -> bytes:
    """``/openapi/v2`` in JSON (Swagger 2.0) with every built-in kind's definition."""
    return json.dumps(_v2(), sort_keys=True).encode()


@cache
def v2_protobuf() -> bytes:
    """``/openapi/v2`` in protobuf (gnostic's openapi.v2.Document), also ``/swagger-2.0.0.pb-v1``."""
    return openapi_pb.document(_v2())


def v2_response(accept: str, *, legacy: bool = False) -> Response:
    """``/openapi/v2`` as the Accept header asks (protobuf or JSON, the first listed wins);
    ``/swagger-2.0.0.pb-v1`` (legacy) is always protobuf."""
    kinds = [p.split(";")[0].strip().lower() for p in accept.split(",")]
    for k in kinds:
        if legacy or k in openapi_pb.PROTO_ACCEPT:
            return Response(200, v2_protobuf(), openapi_pb.PROTO_CONTENT_TYPE)
        if k in ("application/json", "*/*", "application/*", ""):
            break
    else:
        if kinds and any(k for k in kinds):
            return Response(406, ApiError(406, "NotAcceptable", "the server was unable to respond with a content type "
                                                                  "that the client supports").to_status())
    return Response(200, v2_document())
