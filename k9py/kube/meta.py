"""Small accessors over API-shaped dicts (objects stay plain dicts end to end).

No ``from __future__ import annotations`` here: it would bind the name ``annotations`` that the
accessor below defines (and type checkers would see the __future__ feature at ``meta.annotations``).

The accessors take and give ``Any``: they read whatever an object holds, a malformed one's too
(a number for a name), and say nothing of its type. Compiled (``k9py/native.py``), an annotation
is checked at run time: ``str`` there would turn what the UI shows as it is into a TypeError.
"""

from typing import Any

Obj = dict[str, Any]


def name(obj: Any) -> Any:
    return obj.get("metadata", {}).get("name", "")


def namespace(obj: Any) -> Any:
    return obj.get("metadata", {}).get("namespace", "") or ""


def uid(obj: Any) -> Any:
    return obj.get("metadata", {}).get("uid", "")


def labels(obj: Any) -> Any:
    return obj.get("metadata", {}).get("labels") or {}


def annotations(obj: Any) -> Any:
    return obj.get("metadata", {}).get("annotations") or {}


def owner_refs(obj: Any) -> Any:
    return obj.get("metadata", {}).get("ownerReferences") or []


def controller_ref(obj: Any) -> Any:
    for ref in owner_refs(obj):
        if ref.get("controller"):
            return ref
    return None


def is_deleting(obj: Any) -> bool:
    return bool(obj.get("metadata", {}).get("deletionTimestamp"))


def key(obj: Any) -> tuple[Any, ...]:
    return (obj.get("kind", ""), namespace(obj), name(obj))


def owner_reference(owner: Obj, *, controller: bool = True) -> Obj:
    """An ownerReference pointing at ``owner`` (as controllers set on what they create)."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": name(owner),
        "uid": uid(owner),
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def deep_copy(value: Any) -> Any:
    """A fast deep copy for JSON-shaped data (dicts, lists, scalars)."""
    t = type(value)
    if t is dict:
        return _copy_dict(value)
    if t is list:
        return _copy_list(value)
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


def drop_nulls(value: Any) -> Any:
    """``value`` (a built-in kind's object) as decoding into the API's typed structs reads it: a
    field that is null is unset (then defaulted), at any depth, so ``rollingUpdate:`` or
    ``annotations:`` left empty in a manifest reads as absent; list items stay. Go's decoder
    gives a null value of a string map its zero value, so ``labels: {tier: }`` or a ConfigMap's
    ``data: {k: }`` stores ``""``; a JSON field (a CRD schema's ``default``, ``example`` and
    ``enum``, a ControllerRevision's ``data``) keeps what it was given, nulls inside included."""
    if not isinstance(value, dict):
        return _drop(value)
    kind = value.get("kind")
    out: dict = {}
    for k, v in value.items():
        if v is None:
            continue
        if k == "metadata" and isinstance(v, dict):
            out[k] = _drop_metadata(v)
        elif kind == "ControllerRevision" and k == "data":
            out[k] = deep_copy(v)
        elif k in _TOP_STRING_MAPS.get(kind, ()) and isinstance(v, dict):
            out[k] = _string_map(v)
        elif kind == "Service" and k == "spec" and isinstance(v, dict):
            out[k] = {sk: _string_map(sv) if sk == "selector" and isinstance(sv, dict) else _drop(sv)
                      for sk, sv in v.items() if sv is not None}
        elif kind == "CustomResourceDefinition" and k == "spec":
            out[k] = _drop(v, schema_key="openAPIV3Schema")
        else:
            out[k] = _drop(v)
    return out


def copy_without_nulls(obj: dict) -> dict | None:
    """A deep copy of ``obj`` (a built-in kind's object, or some of its top-level fields), None
    when a field in it is null at any depth (``drop_nulls`` then): the copy a write makes anyway,
    so a clean object (nearly every one) costs no second walk to find that out."""
    try:
        return _strict_dict(obj)
    except _NullField:
        return None


def without_nulls(value: Any) -> Any:
    """``drop_nulls`` of a field below the top level (a status the status subresource takes)."""
    return _drop(value)


class _NullField(Exception):
    pass


def _strict_dict(d: dict) -> dict:
    out: dict = {}
    for k, v in d.items():
        t = type(v)
        if t is dict:
            out[k] = _strict_dict(v)
        elif t is list:
            out[k] = _strict_list(v)
        elif t is str or t is int or t is bool:
            out[k] = v
        elif v is None:
            raise _NullField
        else:
            out[k] = deep_copy(v)
    return out


def _strict_list(values: list) -> list:
    out: list = []
    for v in values:
        t = type(v)
        if t is dict:
            out.append(_strict_dict(v))
        elif t is list:
            out.append(_strict_list(v))
        else:  # (a null list item stays, as drop_nulls keeps it)
            out.append(v if t is str or t is int or t is bool or v is None else deep_copy(v))
    return out


# The top-level fields of built-in kinds that are string maps (map[string]string): a null value
# in them is "" (labels, annotations, matchLabels and a pod's nodeSelector are found at any depth).
_TOP_STRING_MAPS: dict[Any, tuple[str, ...]] = {
    "ConfigMap": ("data",), "Secret": ("data", "stringData"), "StorageClass": ("parameters",)}
# JSONSchemaProps's fields that hold schemas by name, and those that are JSON (kept as given)
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "dependencies"})
_SCHEMA_HOLDERS = frozenset({"items", "additionalProperties", "additionalItems", "not", "allOf", "anyOf", "oneOf"})
_SCHEMA_JSON = frozenset({"default", "example", "enum"})


def _string_map(d: dict) -> dict:
    return {k: "" if v is None else _drop(v) for k, v in d.items()}


def _drop_metadata(md: dict) -> dict:
    return {k: _string_map(v) if k in ("labels", "annotations") and isinstance(v, dict) else _drop(v)
            for k, v in md.items() if v is not None}


def _drop(value: Any, schema_key: str = "", schema: bool = False) -> Any:
    """drop_nulls below the top level; ``schema``: ``value`` is a JSONSchemaProps (a CRD's
    ``openAPIV3Schema`` and the schemas in it), found under the key ``schema_key``."""
    if isinstance(value, list):
        return [_drop(v, schema_key, schema) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict = {}
    for k, v in value.items():
        if v is None:
            continue
        if schema and k in _SCHEMA_JSON:
            out[k] = deep_copy(v)
        elif schema and k in _SCHEMA_MAPS and isinstance(v, dict):
            out[k] = {n: _drop(s, schema=True) for n, s in v.items() if s is not None}
        elif (schema and k in _SCHEMA_HOLDERS) or k == schema_key:
            out[k] = _drop(v, schema=True)
        elif k == "metadata" and isinstance(v, dict):
            out[k] = _drop_metadata(v)
        elif isinstance(v, dict) and (k == "matchLabels" or (k == "nodeSelector" and "containers" in value)):
            out[k] = _string_map(v)
        else:
            out[k] = _drop(v, schema_key)
    return out


# The hot path of deep_copy (the simulator copies objects on every write): exact dicts and
# lists by type identity, scalars as they are, one call per container rather than per value.
def _copy_dict(d: dict) -> dict:
    out: dict = {}
    for k, v in d.items():
        t = type(v)
        if t is dict:
            out[k] = _copy_dict(v)
        elif t is list:
            out[k] = _copy_list(v)
        elif t is str or t is int or t is bool or v is None:
            out[k] = v
        else:
            out[k] = deep_copy(v)
    return out


def _copy_list(values: list) -> list:
    out: list = []
    for v in values:
        t = type(v)
        if t is dict:
            out.append(_copy_dict(v))
        elif t is list:
            out.append(_copy_list(v))
        elif t is str or t is int or t is bool or v is None:
            out.append(v)
        else:
            out.append(deep_copy(v))
    return out


def dig(obj: Any, *path: str | int, default: Any = None) -> Any:
    """``dig(pod, "status", "phase")`` without a chain of ``.get`` calls."""
    cur = obj
    for p in path:
        if isinstance(cur, dict):
            cur = cur.get(p)
        elif isinstance(cur, list) and isinstance(p, int) and -len(cur) <= p < len(cur):
            cur = cur[p]
        else:
            return default
        if cur is None:
            return default
    return cur


def events_about(obj: Obj, events: list[Obj]) -> list[Obj]:
    """The Events whose involvedObject is ``obj`` (by uid, or by kind and name)."""
    uid_ = uid(obj)
    out = []
    for e in events:
        inv = e.get("involvedObject") or {}
        if inv.get("uid") == uid_ or (inv.get("kind") == obj.get("kind") and inv.get("name") == name(obj)):
            out.append(e)
    return out
