"""Unknown fields of a request body, found by walking the served OpenAPI v3 schema of its kind.

What the apiserver's strict decoding reports (``fieldValidation=Strict``: a 400, ``Warn``: one
``Warning`` header each, ``Ignore``: nothing; every mode drops them). The schema is the one
``/openapi/v3/<group-version>`` serves (``serve/openapi.py``), so a field is known here exactly
when ``kubectl explain`` knows it:

- an object with ``properties`` knows those fields (plus apiVersion/kind/metadata when it is an
  ``x-kubernetes-embedded-resource``); ``additionalProperties`` makes it a map whose values
  follow that schema; ``x-kubernetes-preserve-unknown-fields`` keeps any field (a CRD's free-form
  parts), still checking the properties it declares;
- an object schema with neither properties nor additionalProperties is free-form
  (RawExtension, FieldsV1 and the abridged parts of a schema);
- ``items`` is each element's schema; ``$ref`` and ``allOf`` are followed; int-or-string and
  the scalars have no fields.

Paths are the decoder's: ``spec.containers[0].imagepullpolicy``, in document order.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from k9py.kube.resources import ApiResource, Registry
from k9py.kube.unicode import digits
from k9py.serve import openapi
from k9py.sim.names import go_quote

Obj = dict[str, Any]

REF_PREFIX = "#/components/schemas/"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
Step = str | int
_ENVELOPE = ("apiVersion", "kind", "metadata")


class Unknown(str):
    """An unknown field's path, carrying its exact steps (map keys may hold dots)."""

    steps: tuple[Step, ...]

    def __new__(cls, path: str, steps: tuple[Step, ...]) -> Unknown:
        u = super().__new__(cls, path)
        u.steps = steps
        return u


class Schemas:
    """One OpenAPI v3 document's ``components.schemas``, with the root schema of each kind."""

    def __init__(self, doc: Obj) -> None:
        self.schemas: dict[str, Obj] = (doc.get("components") or {}).get("schemas") or {}
        self.kinds: dict[tuple[str, str, str], str] = {}
        for name, s in self.schemas.items():
            gvks = s.get("x-kubernetes-group-version-kind") if isinstance(s, dict) else None
            if isinstance(gvks, dict):
                gvks = [gvks]
            for gvk in gvks or []:
                if isinstance(gvk, dict):
                    key = (str(gvk.get("group", "")), str(gvk.get("version", "")), str(gvk.get("kind", "")))
                    self.kinds.setdefault(key, name)

    def root(self, group: str, version: str, kind: str) -> Obj | None:
        name = self.kinds.get((group, version, kind))
        return self.schemas.get(name) if name else None

    def resolve(self, schema: Any, depth: int = 0) -> Obj:
        """The schema with ``$ref``/``allOf`` followed and merged (properties united)."""
        if not isinstance(schema, dict) or depth > 50:
            return {}
        out: Obj = {}
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            out.update(self.resolve(self.schemas.get(ref[len(REF_PREFIX):]), depth + 1))
        for part in schema.get("allOf") or []:
            _merge(out, self.resolve(part, depth + 1))
        _merge(out, {k: v for k, v in schema.items() if k not in ("$ref", "allOf")})
        return out


def _merge(into: Obj, other: Obj) -> None:
    for k, v in other.items():
        if k == "properties" and isinstance(v, dict) and isinstance(into.get(k), dict):
            into[k] = {**into[k], **v}
        else:
            into[k] = v


@lru_cache(maxsize=64)
def _parse(doc: bytes) -> Schemas:
    return Schemas(json.loads(doc))


def schemas_for(registry: Registry, res: ApiResource) -> Schemas | None:
    """The served document of ``res``'s group/version (cached per document)."""
    doc = openapi.gv_document(registry, res.group, res.version)
    return _parse(doc) if doc else None


def root_schema(registry: Registry, res: ApiResource, crd: Obj | None = None) -> tuple[Schemas, Obj] | None:
    """The schemas and root schema to check ``res``'s objects against: the served one, or for a
    custom resource its CRD's structural schema of that version (what the apiserver prunes by)."""
    schemas = schemas_for(registry, res)
    if schemas is None:
        return None
    if crd is not None:
        root = crd_root(crd, res.version)
        return (schemas, root) if root is not None else None
    root = schemas.root(res.group, res.version, res.kind)
    return (schemas, root) if root is not None else None


def crd_root(crd: Obj, version: str) -> Obj | None:
    """A CRD version's ``openAPIV3Schema`` as a custom resource's root: apiVersion, kind and
    metadata (ObjectMeta) are always declared."""
    for v in (crd.get("spec") or {}).get("versions") or []:
        if isinstance(v, dict) and v.get("name") == version:
            schema = (v.get("schema") or {}).get("openAPIV3Schema")
            if not isinstance(schema, dict):
                return None
            props = schema.get("properties")
            props = props if isinstance(props, dict) else {}
            return {**schema, "properties": {**props, "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                                             "metadata": {"$ref": REF_PREFIX + OBJECT_META}}}
    return None


def unknown_fields(registry: Registry, res: ApiResource, obj: Obj, crd: Obj | None = None) -> list[str]:
    """The paths of ``obj``'s fields its kind's schema does not declare (``crd``: a custom
    resource's CRD)."""
    found = root_schema(registry, res, crd)
    return walk(found[0], found[1], obj, structural=crd is not None) if found is not None else []


def walk(schemas: Schemas, schema: Any, value: Any, path: str = "", *, smd: bool = False,
         structural: bool = False) -> list[str]:
    """Unknown field paths under ``value`` for ``schema`` (a schema of ``schemas``), each an
    ``Unknown``. ``smd``: name list-map elements by their keys (``containers[name="web"]``) as
    server-side apply does. ``structural``: a CRD's schema, where an object that declares no
    field keeps none (pruning) until a ``$ref`` leads back to the built-in schemas."""
    out: list[str] = []
    _walk(schemas, schema, value, path, (), out, 0, smd, structural)
    return out


def _walk(schemas: Schemas, schema: Any, value: Any, path: str, steps: tuple[Step, ...], out: list[str],
          depth: int, smd: bool, structural: bool = False) -> None:
    if depth > 100 or value is None:
        return
    if isinstance(schema, dict) and ("$ref" in schema or "allOf" in schema):
        structural = False
    s = schemas.resolve(schema)
    if not s:
        return
    if isinstance(value, list):
        items = s.get("items")
        keys = s.get("x-kubernetes-list-map-keys") if smd and s.get("x-kubernetes-list-type") == "map" else None
        if items is not None:
            for i, item in enumerate(value):
                _walk(schemas, items, item, path + _element(i, item, keys), (*steps, i), out, depth + 1, smd,
                      structural)
        return
    if not isinstance(value, dict):
        return
    props = s.get("properties")
    extra = s.get("additionalProperties")
    preserve = s.get("x-kubernetes-preserve-unknown-fields") is True
    if not isinstance(props, dict):
        props = {}
    if not props and extra in (None, False) and not s.get("x-kubernetes-embedded-resource"):
        if extra is False or (structural and not preserve and not s.get("x-kubernetes-int-or-string")):
            out.extend(Unknown(_join(path, k), (*steps, k)) for k in value)
        return  # free-form
    for key, v in value.items():
        p, st = _join(path, key), (*steps, key)
        if key in props:
            _walk(schemas, props[key], v, p, st, out, depth + 1, smd, structural)
        elif isinstance(extra, dict):
            _walk(schemas, extra, v, p, st, out, depth + 1, smd, structural)
        elif not (extra is True or preserve or (s.get("x-kubernetes-embedded-resource") and key in _ENVELOPE)):
            out.append(Unknown(p, st))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _element(i: int, item: Any, keys: Any) -> str:
    """``[0]``, or by a list-map's keys as structured-merge-diff prints them: ``[name="web"]``,
    ``[containerPort=80,protocol="TCP"]``."""
    if isinstance(keys, list) and keys and isinstance(item, dict) and all(k in item for k in keys):
        return "[" + ",".join(f"{k}={json.dumps(item[k])}" for k in keys) + "]"
    return f"[{i}]"


def drop(obj: Obj, paths: list[str]) -> None:
    """Remove the fields at ``paths`` (``Unknown``s, or plain dotted paths) from ``obj`` in place."""
    for path in paths:
        parent: Any = obj
        steps = list(path.steps) if isinstance(path, Unknown) else _steps(path)
        for step in steps[:-1]:
            parent = _child(parent, step)
            if parent is None:
                break
        last = steps[-1] if steps else None
        if isinstance(parent, dict) and isinstance(last, str):
            parent.pop(last, None)


def _steps(path: str) -> list[Step]:
    """The steps of a plain dotted path (``a.b[0].c``)."""
    steps: list[Step] = []
    for part in _split_dots(path):
        name, _, rest = part.partition("[")
        if name:
            steps.append(name)
        while rest:
            idx, _, rest = rest.partition("]")
            if digits(idx):
                steps.append(int(idx))
            rest = rest[1:] if rest.startswith("[") else rest
    return steps


def _split_dots(path: str) -> list[str]:
    """Split on the dots outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def _child(parent: Any, step: Step) -> Any:
    if isinstance(step, int):
        return parent[step] if isinstance(parent, list) and 0 <= step < len(parent) else None
    return parent.get(step) if isinstance(parent, dict) else None


def unknown_message(path: str) -> str:
    """``unknown field "a"``: the strict decoder's ``%q`` (a CR LF, an ESC, a U+2028 in the name
    as ``\\r\\n``, ``\\x1b``, ``\\u2028``: kubectl prints it to the terminal)."""
    return f"unknown field {go_quote(path)}"


def strict_message(paths: list[str]) -> str:
    """``strict decoding error: unknown field "a", unknown field "b"`` (runtime.strictDecodingError)."""
    return "strict decoding error: " + ", ".join(unknown_message(p) for p in paths)


def warning_header(messages: list[str]) -> str:
    """RFC 7234 warnings as the apiserver sends them (code 299, agent ``-``), comma-joined:
    client-go's ParseWarningHeaders reads each one and kubectl prints ``Warning: <text>``."""
    return ", ".join('299 - "' + m.replace("\\", "\\\\").replace('"', '\\"') + '"' for m in messages)


def typed_patch_error(registry: Registry, res: ApiResource, obj: Obj, crd: Obj | None = None) -> str | None:
    """Server-side apply's (structured-merge-diff) refusal of the undeclared fields of an apply
    configuration, None when it has none: ``failed to create typed patch object
    (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="web"].x: field
    not declared in schema`` (the apiserver answers it with a 500, whatever fieldValidation)."""
    found = root_schema(registry, res, crd)
    if found is None:
        return None
    paths = walk(found[0], found[1], obj, smd=True, structural=crd is not None)
    if not paths:
        return None
    md = obj.get("metadata")
    if not isinstance(md, dict):
        md = {}
    ns, name = md.get("namespace") or "", md.get("name") or ""
    gv = f"{res.group}/{res.version}" if res.group else f"/{res.version}"
    errs = [f".{p}: field not declared in schema" for p in paths]
    # structured-merge-diff's ValidationErrors: one error alone, several under "errors:"
    text = errs[0] if len(errs) == 1 else "\n".join(["errors:", *("  " + e for e in errs)])
    return f"failed to create typed patch object ({ns}/{name}; {gv}, Kind={res.kind}): {text}"
