"""CustomResourceDefinitions (apiextensions.k8s.io/v1) and the custom resources they add.

- Admission validates a CRD the way the apiserver's basic checks do (name = plural.group, a
  group with a dot, names, scope, one storage version, versions with a schema, printer
  columns with a type and a simple JSONPath), defaults ``singular``/``listKind`` and writes the
  status at once (NamesAccepted, Established: there is no delay to wait out).
- Custom resources are stored like every object, keyed by kind. The store has one bucket per
  kind, so a CRD's kind may not be a built-in kind or the kind of another CRD (a limitation of
  the simulator, said in the error).
- Deleting a CRD deletes its objects first (the ``customresourcecleanup`` finalizer), like the
  apiextensions-apiserver.

Custom resources get their version's ``openAPIV3Schema`` ``default``s for missing fields, then
are validated against it as the apiserver does (the common keywords: ``type``, ``required``, ``enum``, ``minimum``/``maximum``, with its
wording: ``spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer:
"string"``), then by its CEL validation rules (``crd_rules.py``); unknown fields are the serve
layer's (strict decoding), nothing is pruned here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from k9py.kube import jsonpath, meta, resources
from k9py.kube.meta import deep_copy
from k9py.kube.resources import CRD_KIND
from k9py.kube.status import invalid
from k9py.kube.timefmt import rfc3339
from k9py.sim import admission, admission_policy, apiservices, crd_rules
from k9py.sim import names as dns_names
from k9py.sim.admission import CUSTOM, admits
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")
SCOPES = ("Cluster", "Namespaced")
_KIND = re.compile(r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")


def _q(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _dns_causes(path: str, value: Any, check: Callable[[str], list[str]]) -> list[tuple[str, str]]:
    """``sim.names``' rule for a name field (its regex and its length), one cause per problem."""
    if not isinstance(value, str):
        return [(path, f"Invalid value: {_q(value)}: must be a string")]
    return dns_names.invalid_causes(path, value, check(value))


def _names_errors(names: Any, errs: list[tuple[str, str]]) -> None:
    if not isinstance(names, dict):
        errs.append(("spec.names", "Required value"))
        return
    plural, kind = names.get("plural"), names.get("kind")
    if not plural:
        errs.append(("spec.names.plural", "Required value"))
    else:
        errs += _dns_causes("spec.names.plural", plural, dns_names.dns1123_label)
    singular = names.get("singular")
    if singular:
        errs += _dns_causes("spec.names.singular", singular, dns_names.dns1123_label)
    if not kind:
        errs.append(("spec.names.kind", "Required value"))
    elif not isinstance(kind, str) or not _KIND.match(kind):
        errs.append(("spec.names.kind", f"Invalid value: {_q(kind)}: may have mixed case, but should otherwise "
                                        "match: [a-z]([-a-z0-9]*[a-z0-9])?"))
    short = names.get("shortNames")
    if short is not None and not isinstance(short, list):
        errs.append(("spec.names.shortNames", f"Invalid value: {_q(short)}: must be a list"))
    for i, s in enumerate(short if isinstance(short, list) else []):
        errs += _dns_causes(f"spec.names.shortNames[{i}]", s, dns_names.dns1123_label)


def _column_errors(cols: Any, path: str, errs: list[tuple[str, str]]) -> None:
    if cols is None:
        return
    if not isinstance(cols, list):
        errs.append((path, f"Invalid value: {_q(cols)}: must be a list"))
        return
    for j, col in enumerate(cols):
        cp = f"{path}[{j}]"
        if not isinstance(col, dict):
            errs.append((cp, "Invalid value: must be an object"))
            continue
        if not col.get("name"):
            errs.append((f"{cp}.name", "Required value"))
        if not col.get("type"):
            errs.append((f"{cp}.type", "Required value"))
        elif col["type"] not in COLUMN_TYPES:
            errs.append((f"{cp}.type", f"Unsupported value: {_q(col['type'])}: supported values: "
                                       + ", ".join(f'"{t}"' for t in COLUMN_TYPES)))
        path_expr = col.get("jsonPath")
        if not path_expr:
            errs.append((f"{cp}.jsonPath", "Required value"))
        elif not isinstance(path_expr, str):
            errs.append((f"{cp}.jsonPath", f"Invalid value: {_q(path_expr)}: must be a string"))
        else:
            try:
                jsonpath.parse(path_expr)
            except ValueError as err:
                errs.append((f"{cp}.jsonPath", f"Invalid value: {_q(path_expr)}: {err}"))
        prio = col.get("priority", 0)
        if isinstance(prio, bool) or not isinstance(prio, int) or prio < 0:
            errs.append((f"{cp}.priority", f"Invalid value: {_q(prio)}: must be greater than or equal to 0"))


def _version_errors(versions: Any, errs: list[tuple[str, str]]) -> None:
    if not versions:
        errs.append(("spec.versions", "Required value: must have at least one version"))
        return
    if not isinstance(versions, list):
        errs.append(("spec.versions", f"Invalid value: {_q(versions)}: must be a list"))
        return
    seen: set[str] = set()
    storage = 0
    for i, v in enumerate(versions):
        vp = f"spec.versions[{i}]"
        if not isinstance(v, dict):
            errs.append((vp, "Invalid value: must be an object"))
            continue
        name = v.get("name")
        if not name:
            errs.append((f"{vp}.name", "Required value"))
        elif bad := _dns_causes(f"{vp}.name", name, dns_names.dns1035_label):
            errs += bad
        elif name in seen:
            errs.append(("spec.versions", f"Invalid value: {_q(name)}: must contain unique version names"))
        else:
            seen.add(name)
        for flag in ("served", "storage"):
            if flag in v and not isinstance(v[flag], bool):
                errs.append((f"{vp}.{flag}", f"Invalid value: {_q(v[flag])}: must be a boolean"))
        storage += v.get("storage") is True
        schema = (v.get("schema") or {}) if isinstance(v.get("schema"), dict) else {}
        root = schema.get("openAPIV3Schema")
        if not isinstance(root, dict):
            errs.append((f"{vp}.schema.openAPIV3Schema", "Required value: schemas are required"))
        elif root.get("type") != "object":
            errs.append((f"{vp}.schema.openAPIV3Schema.type",
                         "Required value: must not be empty at the root" if not root.get("type")
                         else f'Unsupported value: {_q(root.get("type"))}: supported values: "object"'))
        else:
            crd_rules.compile_errors(root, f"{vp}.schema.openAPIV3Schema", errs)
        _column_errors(v.get("additionalPrinterColumns"), f"{vp}.additionalPrinterColumns", errs)
    if storage != 1:
        errs.append(("spec.versions", "Invalid value: must have exactly one version marked as storage version"))


def _conflicts(cluster: Cluster, obj: Obj) -> list[tuple[str, str]]:
    """What the simulator's store cannot hold: a kind that is already a kind."""
    spec = obj["spec"]
    kind = spec["names"]["kind"]
    builtin = resources.BY_KIND.get(kind)
    if builtin is not None:
        return [("spec.names.kind", f'Invalid value: "{kind}": the simulator keys objects by kind and {kind} is '
                                    f'already a built-in kind ({builtin.api_version})')]
    for other in cluster.store.list(CRD_KIND):
        if meta.name(other) == meta.name(obj):
            continue
        if meta.dig(other, "spec", "names", "kind") == kind:
            return [("spec.names.kind", f'Invalid value: "{kind}": the simulator keys objects by kind and '
                                        f'CustomResourceDefinition "{meta.name(other)}" already defines it')]
    return []


@admits(CRD_KIND)
def _admit_crd(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    name = meta.name(obj)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise invalid(CRD_KIND, name, [("spec", "Required value")])
    errs: list[tuple[str, str]] = []
    group = spec.get("group")
    if not group:
        errs.append(("spec.group", "Required value"))
    elif not isinstance(group, str) or "." not in group:
        errs.append(("spec.group", f"Invalid value: {_q(group)}: should be a domain with at least one dot"))
    names = spec.get("names")
    _names_errors(names, errs)
    plural = names.get("plural") if isinstance(names, dict) else None
    if isinstance(group, str) and isinstance(plural, str) and name != f"{plural}.{group}":
        errs.insert(0, ("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group'))
    scope = spec.get("scope")
    if not scope:
        errs.append(("spec.scope", "Required value"))
    elif scope not in SCOPES:
        errs.append(("spec.scope", f'Unsupported value: {_q(scope)}: supported values: "Cluster", "Namespaced"'))
    _version_errors(spec.get("versions"), errs)
    if old is not None and not errs:
        if spec.get("group") != meta.dig(old, "spec", "group"):
            errs.append(("spec.group", "Invalid value: field is immutable"))
        if scope != meta.dig(old, "spec", "scope") and cluster.store.count(spec["names"]["kind"]):
            errs.append(("spec.scope", "Invalid value: field is immutable while objects exist"))
        if spec["names"]["kind"] != meta.dig(old, "spec", "names", "kind") and cluster.store.count(
                meta.dig(old, "spec", "names", "kind")):
            errs.append(("spec.names.kind", "Invalid value: cannot change the kind while objects exist"))
    if not errs:
        errs = _conflicts(cluster, obj)
    if errs:
        raise invalid(CRD_KIND, name, errs)
    names = spec["names"]
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    for v in spec["versions"]:
        v.setdefault("served", False)
        v.setdefault("storage", False)
    md = obj["metadata"]
    if old is None:
        md["generation"] = 1
        md["finalizers"] = sorted(set(md.get("finalizers") or []) | {CLEANUP_FINALIZER})
    obj["status"] = _status(obj, old, cluster.now())


def _status(obj: Obj, old: Obj | None, now: float) -> Obj:
    spec = obj["spec"]
    names = spec["names"]
    accepted = {k: names[k] for k in ("plural", "singular", "shortNames", "kind", "listKind", "categories")
                if k in names}
    storage = next(v["name"] for v in spec["versions"] if v.get("storage"))
    stored = list(meta.dig(old, "status", "storedVersions") or []) if old is not None else []
    if storage not in stored:
        stored.append(storage)
    prev = {c.get("type"): c for c in meta.dig(old, "status", "conditions") or []} if old is not None else {}
    ts = rfc3339(now)
    conds = []
    for type_, reason, message in (("NamesAccepted", "NoConflicts", "no conflicts found"),
                                   ("Established", "InitialNamesAccepted", "the initial names have been accepted")):
        since = prev[type_].get("lastTransitionTime", ts) if prev.get(type_, {}).get("status") == "True" else ts
        conds.append({"type": type_, "status": "True", "lastTransitionTime": since, "reason": reason,
                      "message": message})
    return {"conditions": conds, "acceptedNames": accepted, "storedVersions": stored}


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (dict, "object"),
               (list, "array"))


def _json_type(value: Any) -> str:
    return next((name for t, name in _JSON_TYPES if isinstance(value, t)), "null")


def _fits(value: Any, type_: str) -> bool:
    actual = _json_type(value)
    if type_ == "number":
        return actual in ("integer", "number")
    if type_ == "integer" and actual == "number":
        return float(value).is_integer()
    return actual == type_


def _bound_errors(s: Obj, value: Any, path: str, errs: list[tuple[str, str]]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    for key, exclusive, word in (("minimum", "exclusiveMinimum", "greater"), ("maximum", "exclusiveMaximum", "less")):
        bound = s.get(key)
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            continue
        strict = s.get(exclusive) is True
        if (value <= bound if strict else value < bound) if word == "greater" else \
                (value >= bound if strict else value > bound):
            than = f"{word} than" if strict else f"{word} than or equal to"
            errs.append((path, f"Invalid value: {_q(value)}: {path} in body should be {than} {bound}"))


def _schema_errors(s: Any, value: Any, path: str, errs: list[tuple[str, str]], depth: int = 0) -> None:
    """The apiserver's validation of ``value`` by a structural schema ``s``, one cause per problem
    (the common keywords; a null is pruned before validation, as for a field not ``nullable``)."""
    if not isinstance(s, dict) or value is None or depth > 100:
        return
    type_ = s.get("type")
    if s.get("x-kubernetes-int-or-string") is True:
        if _json_type(value) not in ("integer", "string"):
            errs.append((path, f'Invalid value: "{_json_type(value)}": {path} in body must be of type '
                               f'integer,string: "{_json_type(value)}"'))
            return
    elif isinstance(type_, str) and type_ and not _fits(value, type_):
        actual = _json_type(value)
        errs.append((path, f'Invalid value: "{actual}": {path} in body must be of type {type_}: "{actual}"'))
        return
    enum = s.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        errs.append((path, f"Unsupported value: {_q(value)}: supported values: " + ", ".join(_q(e) for e in enum)))
    _bound_errors(s, value, path, errs)
    if isinstance(value, dict):
        found = s.get("properties")
        props: Obj = found if isinstance(found, dict) else {}
        for req in s.get("required") or []:
            if isinstance(req, str) and value.get(req) is None:
                errs.append((f"{path}.{req}" if path else req, "Required value"))
        extra = s.get("additionalProperties")
        for key, v in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            _schema_errors(sub, v, f"{path}.{key}" if path else str(key), errs, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _schema_errors(s.get("items"), item, f"{path}[{i}]", errs, depth + 1)


def _defaults(s: Any, value: Any, depth: int = 0) -> None:
    """The schema's ``default``s set in ``value`` where a field is missing, as the apiserver
    does when it decodes a custom resource: a parent's default first, then its children's (a
    defaulted object gets its own fields' defaults too)."""
    if not isinstance(s, dict) or depth > 100:
        return
    if isinstance(value, dict):
        found = s.get("properties")
        props: Obj = found if isinstance(found, dict) else {}
        for key, sub in props.items():
            if value.get(key) is None and isinstance(sub, dict) and "default" in sub:
                value[key] = deep_copy(sub["default"])
        extra = s.get("additionalProperties")
        for key, v in value.items():
            _defaults(props.get(key, extra if isinstance(extra, dict) else None), v, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _defaults(s.get("items"), item, depth + 1)


def _crd_schema(cluster: Cluster, obj: Obj) -> Obj | None:
    """The ``openAPIV3Schema`` of ``obj``'s version in its CRD."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    kind = obj.get("kind")
    # the served registry (kept per CRD version) names the CRD: no walk of every stored CRD
    name = next((r.crd for r in cluster.api_resources().custom if r.group == group and r.kind == kind), None)
    crd = cluster.store.get(CRD_KIND, None, name) if name else None
    for v in ((crd or {}).get("spec") or {}).get("versions") or []:
        if isinstance(v, dict) and v.get("name") == version:
            schema = (v.get("schema") or {}).get("openAPIV3Schema")
            return schema if isinstance(schema, dict) else None
    return None


@admits(CUSTOM)
def _admit_custom(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    """A custom resource (``Cluster._prepare`` checked its apiVersion): validated against its
    CRD's schema (apiVersion, kind and metadata are the apiserver's own), stored as given; it
    tracks ``metadata.generation``."""
    schema = _crd_schema(cluster, obj)
    if schema is not None:
        errs: list[tuple[str, str]] = []
        found = schema.get("properties")
        props: Obj = found if isinstance(found, dict) else {}
        body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
        _defaults(schema, body)
        obj.update(body)
        own = {**schema, "properties": {k: v for k, v in props.items() if k not in ("apiVersion", "kind", "metadata")}}
        _schema_errors(own, body, "", errs)
        if not errs and crd_rules.has_rules(own):
            crd_rules.rule_errors(own, crd_rules.root_self(obj), crd_rules.root_self(old) if old else crd_rules.ABSENT,
                                  "", errs)
        if errs:
            group = str(obj.get("apiVersion", "")).rpartition("/")[0]
            raise invalid(str(obj.get("kind")), meta.name(obj), errs, group=group)
    md = obj["metadata"]
    if old is None or "generation" not in (old.get("metadata") or {}):
        md["generation"] = 1
    warnings = admission_policy.WARNINGS.get()
    if warnings is not None:  # the custom resource strategy's: a finalizer added without a domain
        for fin in admission.new_finalizers(obj, old):
            if "/" not in fin and fin not in admission.STANDARD_FINALIZERS:
                tail = " including a path (/)" if "." in fin else ""
                warnings.append(f"metadata.finalizers: {dns_names.go_quote(fin)}: prefer a domain-qualified finalizer name{tail} "
                                "to avoid accidental conflicts with other finalizer writers")


class CRDController(Controller):
    """Removes a deleted CRD's objects, then its cleanup finalizer (the GC then removes it)."""

    name = "crd"
    watches = (CRD_KIND,)

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        for crd in store.list(CRD_KIND):
            if not meta.is_deleting(crd) or CLEANUP_FINALIZER not in (crd["metadata"].get("finalizers") or []):
                continue
            kind = meta.dig(crd, "spec", "names", "kind")
            if isinstance(kind, str) and resources.BY_KIND.get(kind) is None:
                for obj in list(store.list(kind)):
                    store.delete(kind, meta.namespace(obj) or None, meta.name(obj))

            def drop(o: Obj) -> None:
                o["metadata"]["finalizers"] = [f for f in o["metadata"].get("finalizers") or []
                                               if f != CLEANUP_FINALIZER]
                conds = [c for c in meta.dig(o, "status", "conditions") or [] if c.get("type") != "Terminating"]
                conds.append({"type": "Terminating", "status": "True", "lastTransitionTime": rfc3339(cluster.now()),
                              "reason": "InstanceDeletionCompleted", "message": "removed all instances"})
                o.setdefault("status", {})["conditions"] = conds
            store.mutate(CRD_KIND, None, meta.name(crd), drop)
        apiservices.sync_crds(cluster)
