"""Small accessors over API-shaped dicts (objects stay plain dicts end to end).

No ``from __future__ import annotations`` here: it would bind the name ``annotations`` that the
accessor below defines (and type checkers would see the __future__ feature at ``meta.annotations``).
"""

from typing import Any

Obj = dict[str, Any]


def name(obj: Obj) -> str:
    return obj.get("metadata", {}).get("name", "")


def namespace(obj: Obj) -> str:
    return obj.get("metadata", {}).get("namespace", "") or ""


def uid(obj: Obj) -> str:
    return obj.get("metadata", {}).get("uid", "")


def labels(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def annotations(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("annotations") or {}


def owner_refs(obj: Obj) -> list[Obj]:
    return obj.get("metadata", {}).get("ownerReferences") or []


def controller_ref(obj: Obj) -> Obj | None:
    for ref in owner_refs(obj):
        if ref.get("controller"):
            return ref
    return None


def is_deleting(obj: Obj) -> bool:
    return bool(obj.get("metadata", {}).get("deletionTimestamp"))


def key(obj: Obj) -> tuple[str, str, str]:
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
    """``value`` without the map entries that are null, at any depth (lists keep their items):
    what decoding into the API's typed structs does (a null field is unset, then defaulted),
    so ``rollingUpdate:`` or ``annotations:`` left empty in a manifest reads as absent."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


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
