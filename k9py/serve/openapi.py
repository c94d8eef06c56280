"""OpenAPI documents: enough for kubectl's field-validation check, `create/apply -f` and `explain`.

kubectl (``--validate=strict``, the default) looks in ``/openapi/v3/<group-version>`` for the
PATCH operation of the object's GVK (``x-kubernetes-group-version-kind``) and, when it lists a
``fieldValidation`` query parameter, leaves validation to the server
(cli-runtime ``query_param_verifier_v3.go``).

The PATCH operations do not advertise ``application/strategic-merge-patch+json`` request bodies:
kubectl then computes client-side-apply patches from its compiled-in API types, whose patch
merge keys are exact, instead of from these abridged schemas (kubectl ``apply/patcher.go``).
The schemas still carry ``x-kubernetes-patch-merge-key``/``-strategy`` on the common lists.

Custom resources (the cluster's CRDs) get a v3 document per group/version too, so kubectl leaves
their validation to the server and patches them with JSON merge patches; ``/openapi/v2`` keeps
the built-in kinds only.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from typing import Any

from k9py.kube.resources import RESOURCES, ApiResource, Registry, groups
from k9py.sim.version import KUBERNETES_VERSION

Obj = dict[str, Any]

_OBJ = {"type": "object"}
_STR = {"type": "string"}
_INT = {"type": "integer", "format": "int32"}


def _merge_list(ref: str, key: str, desc: str = "") -> Obj:
    s: Obj = {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"},
              "x-kubernetes-patch-merge-key": key, "x-kubernetes-patch-strategy": "merge",
              "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [key]}
    if desc:
        s["description"] = desc
    return s


def schema_name(r: ApiResource, kind: str | None = None) -> str:
    if r.crd:  # the apiextensions-apiserver's naming: the group reversed
        return ".".join([*reversed(r.group.split(".")), r.version, kind or r.kind])
    g = r.group.split(".")[0] if r.group else "core"
    return f"io.k8s.api.{g}.{r.version}.{kind or r.kind}"


def _common_schemas() -> Obj:
    meta_ref = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    return {
        meta_ref: {
            "type": "object",
            "description": "ObjectMeta is metadata that all persisted resources must have.",
            "properties": {
                "name": _STR, "namespace": _STR, "generateName": _STR, "uid": _STR,
                "resourceVersion": _STR, "generation": {"type": "integer", "format": "int64"},
                "creationTimestamp": {"type": "string", "format": "date-time"},
                "deletionTimestamp": {"type": "string", "format": "date-time"},
                "labels": {"type": "object", "additionalProperties": _STR},
                "annotations": {"type": "object", "additionalProperties": _STR},
                "finalizers": {"type": "array", "items": _STR, "x-kubernetes-patch-strategy": "merge",
                               "x-kubernetes-list-type": "set"},
                "ownerReferences": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "uid",
                                    "x-kubernetes-patch-strategy": "merge"},
            },
        },
        "io.k8s.api.core.v1.Container": {
            "type": "object", "required": ["name"],
            "description": "A single application container that you want to run within a pod.",
            "properties": {
                "name": _STR, "image": _STR, "imagePullPolicy": _STR,
                "command": {"type": "array", "items": _STR}, "args": {"type": "array", "items": _STR},
                "ports": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "containerPort",
                          "x-kubernetes-patch-strategy": "merge"},
                "env": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "name",
                        "x-kubernetes-patch-strategy": "merge"},
                "volumeMounts": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "mountPath",
                                 "x-kubernetes-patch-strategy": "merge"},
                "resources": _OBJ, "readinessProbe": _OBJ, "livenessProbe": _OBJ,
            },
        },
        "io.k8s.api.core.v1.PodSpec": {
            "type": "object",
            "description": "PodSpec is a description of a pod.",
            "properties": {
                "containers": _merge_list("io.k8s.api.core.v1.Container", "name",
                                          "List of containers belonging to the pod."),
                "initContainers": _merge_list("io.k8s.api.core.v1.Container", "name"),
                "volumes": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "name",
                            "x-kubernetes-patch-strategy": "merge,retainKeys"},
                "imagePullSecrets": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "name",
                                     "x-kubernetes-patch-strategy": "merge"},
                "tolerations": {"type": "array", "items": _OBJ},
                "nodeName": _STR, "nodeSelector": {"type": "object", "additionalProperties": _STR},
                "restartPolicy": _STR, "serviceAccountName": _STR,
                "terminationGracePeriodSeconds": {"type": "integer", "format": "int64"},
            },
        },
        "io.k8s.api.core.v1.PodTemplateSpec": {
            "type": "object",
            "properties": {"metadata": {"$ref": f"#/components/schemas/{meta_ref}"},
                           "spec": {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}},
        },
    }


def _kind_schema(r: ApiResource) -> Obj:
    spec: Obj = {"type": "object"}
    if r.kind == "Pod":
        spec = {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}
    elif r.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        spec = {"type": "object", "properties": {
            "replicas": _INT, "selector": _OBJ,
            "template": {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"}}}
    elif r.crd:
        spec = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    elif r.kind == "Service":
        spec = {"type": "object", "properties": {
            "type": _STR, "selector": {"type": "object", "additionalProperties": _STR},
            "ports": {"type": "array", "items": _OBJ, "x-kubernetes-patch-merge-key": "port",
                      "x-kubernetes-patch-strategy": "merge"}}}
    return {
        "type": "object",
        "description": f"{r.kind} ({r.api_version}).",
        "properties": {
            "apiVersion": {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."},
            "kind": {"type": "string", "description": "Kind is a string value representing the REST resource this object represents."},
            "metadata": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
            "spec": spec,
            "status": _OBJ,
        },
        "x-kubernetes-group-version-kind": [{"group": r.group, "kind": r.kind, "version": r.version}],
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


@lru_cache(maxsize=128)
def _gv_doc_json(res: tuple[ApiResource, ...]) -> bytes | None:
    if not res:
        return None
    paths: Obj = {}
    schemas = _common_schemas()
    for r in res:
        paths.update(_paths(r))
        schemas[schema_name(r)] = _kind_schema(r)
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
           "paths": paths, "components": {"schemas": schemas}}
    return json.dumps(doc, sort_keys=True).encode()


def gv_document(registry: Registry, group: str, version: str) -> bytes | None:
    """The OpenAPI v3 document of one group/version (JSON bytes), None if not served."""
    return _gv_doc_json(_served(registry.all, group, version))


def _hash(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()[:128].upper()


def v3_root(registry: Registry) -> bytes:
    """``/openapi/v3``: where each group/version document lives (with a content hash)."""
    return _v3_root(registry.all)


@lru_cache(maxsize=16)
def _v3_root(resources: tuple[ApiResource, ...]) -> bytes:
    paths: Obj = {}
    for g, versions in Registry(r for r in resources if r.crd).groups().items():
        for v in versions:
            doc = _gv_doc_json(_served(resources, g, v))
            if doc is not None:
                p = group_version_path(g, v)
                paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={_hash(doc)}"}
    return json.dumps({"paths": paths}, sort_keys=True).encode()


@cache
def v2_document() -> bytes:
    """``/openapi/v2`` in JSON (Swagger 2.0) with every kind's definition."""
    definitions: Obj = {}
    paths: Obj = {}
    for g, versions in groups().items():
        for v in versions:
            doc = json.loads(_gv_doc_json(_served(RESOURCES, g, v)) or b"{}")
            for name, schema in doc.get("components", {}).get("schemas", {}).items():
                definitions[name] = json.loads(json.dumps(schema).replace("#/components/schemas/", "#/definitions/"))
            for p, ops in doc.get("paths", {}).items():
                paths[p] = {m: {k: val for k, val in op.items() if k not in ("requestBody", "responses")}
                            | {"responses": {"200": {"description": "OK"}}}
                            for m, op in ops.items()}
                for op in paths[p].values():
                    for prm in op.get("parameters", []):
                        prm.pop("schema", None)
                        prm["type"] = "string"
    return json.dumps({"swagger": "2.0", "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                       "paths": paths, "definitions": definitions}, sort_keys=True).encode()
