"""The three patch formats of the Kubernetes API, applied to plain API dicts.

- JSON patch (RFC 6902, ``application/json-patch+json``)
- JSON merge patch (RFC 7386, ``application/merge-patch+json``)
- strategic merge patch (``application/strategic-merge-patch+json``): lists with a patch merge
  key (containers by ``name``, volumeMounts by ``mountPath`` …) merge item by item, plus the
  ``$patch`` (replace/delete/merge), ``$retainKeys``, ``$setElementOrder/…`` and
  ``$deleteFromPrimitiveList/…`` directives. The merge keys are those of the Go API types
  (``patchMergeKey``/``patchStrategy`` struct tags), keyed here by field name and parent field.

Every function returns a new object; inputs are never changed. Bad patches raise
``PatchError`` (the server turns it into a 4xx Status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from k9py.kube.meta import deep_copy
from k9py.kube.unicode import digits

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)


class PatchError(ValueError):
    """A patch that cannot be applied. ``code`` is the HTTP status the apiserver answers
    (422 for a failed JSON-patch ``test`` or a missing path, 400 for a malformed patch)."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


# -- JSON patch ---------------------------------------------------------------------------------

def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}: must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container: list, token: str, *, for_add: bool) -> int:
    if token == "-" and for_add:
        return len(container)
    if not digits(token) or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"invalid array index {token!r}", 422)
    i = int(token)
    limit = len(container) if for_add else len(container) - 1
    if i > limit:
        raise PatchError(f"array index {i} out of bounds", 422)
    return i


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, for_add=False)]
        else:
            raise PatchError(f"doc is missing path: {path!r}", 422)
    return cur


def _get(doc: Any, path: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"doc is missing path: {path!r}", 422)
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, for_add=False)]
    raise PatchError(f"doc is missing path: {path!r}", 422)


def _add(doc: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_add=True), value)
    else:
        raise PatchError(f"doc is missing path: {path!r}", 422)
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    tokens = _pointer(path)
    if not tokens:
        raise PatchError("cannot remove the whole document", 422)
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"unable to remove nonexistent key: {last}: missing value", 422)
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, for_add=False))
    raise PatchError(f"doc is missing path: {path!r}", 422)


def json_patch(doc: Any, ops: Any) -> Any:
    """Apply an RFC 6902 operation list."""
    if not isinstance(ops, list):
        raise PatchError("json patch must be a list of operations")
    doc = deep_copy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError(f"invalid json patch operation: {op!r}")
        kind = op["op"]
        path = op.get("path")
        if not isinstance(path, str):
            raise PatchError(f"json patch operation {kind!r} is missing 'path'")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"json patch operation {kind!r} is missing 'value'")
        if kind == "add":
            doc = _add(doc, path, deep_copy(op["value"]))
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)  # must exist
            if not _pointer(path):
                doc = deep_copy(op["value"])
            else:
                doc, _ = _remove(doc, path)
                doc = _add(doc, path, deep_copy(op["value"]))
        elif kind in ("move", "copy"):
            src = op.get("from")
            if not isinstance(src, str):
                raise PatchError(f"json patch operation {kind!r} is missing 'from'")
            if kind == "move":
                doc, value = _remove(doc, src)
            else:
                value = deep_copy(_get(doc, src))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value {path} failed", 422)
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


# -- JSON merge patch ---------------------------------------------------------------------------

def merge_patch(doc: Any, patch: Any) -> Any:
    """RFC 7386: maps merge recursively, ``null`` deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return deep_copy(patch)
    out = deep_copy(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = merge_patch(out.get(k), v)
        else:
            out[k] = deep_copy(v)
    return out


# -- strategic merge patch ----------------------------------------------------------------------

# field -> merge key, from the Go types' patchMergeKey tags. Lists not named here are atomic
# (replaced), as in the API (e.g. tolerations, taints, args, command have no merge strategy).
_MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "podIPs": "ip",
    "hostIPs": "ip",
    "addresses": "type",
    "secrets": "name",
    "resizePolicy": "resourceName",
    "schedulingGates": "name",
}
# Primitive lists with patchStrategy "merge" (set union).
_MERGE_PRIMITIVE = {"finalizers"}
# "ports" depends on where it is: a container's ports merge by containerPort, a Service's by port.
_CONTAINER_LISTS = {"containers", "initContainers", "ephemeralContainers"}


def merge_key(field: str, parents: tuple[str, ...] = ()) -> str | None:
    """The patch merge key of list ``field`` reached through ``parents`` (field names)."""
    if field == "ports":
        if parents and parents[-1] in _CONTAINER_LISTS:
            return "containerPort"
        if parents and parents[-1] == "spec":
            return "port"
        return None
    if field == "conditions" and parents and parents[-1] not in ("status",):
        return None
    return _MERGE_KEYS.get(field)


def strategic_merge_patch(doc: Any, patch: Any, *, ordered: bool = True) -> Any:
    """Apply a strategic merge patch to ``doc`` (both API-shaped dicts). A merged list is put in
    the order the apiserver puts it in (``$setElementOrder/…``'s; without one, the patch's items
    first where the live order cannot place them); ``ordered`` False keeps the live order and
    appends (k9py's server-side apply)."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be a JSON object")
    return _merge_map(doc if isinstance(doc, dict) else {}, patch, (), ordered)


def _merge_map(original: dict, patch: dict, parents: tuple[str, ...], ordered: bool = True) -> dict | None:
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: deep_copy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise PatchError(f"unknown patch type: {directive}")
    out = deep_copy(original)
    retain = patch.get("$retainKeys")
    if retain is not None:
        if not isinstance(retain, list):
            raise PatchError("$retainKeys must be a list")
        for k in list(out):
            if k not in retain:
                del out[k]
    done: set[str] = set()
    for k, order in patch.items():
        if not k.startswith("$setElementOrder/"):
            continue
        field = k.split("/", 1)[1]
        if not isinstance(order, list):
            raise PatchError(f"invalid patch: {k} must be a list")
        if ordered and (field in out or field in patch):
            out[field] = _set_element_order(out.get(field), patch.get(field), order, field, parents)
            done.add(field)
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith("$setElementOrder/") or k in done:
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(out.get(field), list) and isinstance(v, list):
                out[field] = [x for x in out[field] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
            continue
        cur = out.get(k)
        if isinstance(v, dict):
            merged = _merge_map(cur if isinstance(cur, dict) else {}, v, (*parents, k), ordered)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list):
            out[k] = _merge_list(cur if isinstance(cur, list) else [], v, k, parents, ordered)
        else:
            out[k] = deep_copy(v)
    return out


def _set_element_order(live: Any, patch: Any, order: list, field: str, parents: tuple[str, ...]) -> list:
    """apimachinery's mergePatchIntoOriginal: the list merged (when the patch has it), then the
    items ``order`` names in its order, the others where the live list had them."""
    live = live if isinstance(live, list) else []
    merged = _merge_list(live, patch, field, parents) if isinstance(patch, list) else deep_copy(live)
    key = None if field in _MERGE_PRIMITIVE else merge_key(field, parents)
    wanted = [_ident(x, key) for x in order]
    mine = [x for x in merged if _ident(x, key) in wanted]
    theirs = [x for x in merged if _ident(x, key) not in wanted]
    return _normalize_order(mine, theirs, order, live, key)


def _merge_list(original: list, patch: list, field: str, parents: tuple[str, ...], ordered: bool = True) -> list:
    # A list holding {"$patch": "replace"} replaces the whole list with its other items.
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [deep_copy(x) for x in patch if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    key = merge_key(field, parents)
    if field in _MERGE_PRIMITIVE:
        out = list(original)
        for x in patch:
            if x not in out:
                out.append(x)
        if ordered:
            return _normalize_order([x for x in out if x in patch], [x for x in out if x not in patch],
                                    patch, original, None)
        return out
    if key is None or not all(isinstance(x, dict) for x in patch):
        return [deep_copy(x) for x in patch]
    out = [deep_copy(x) for x in original]
    for item in patch:
        if item.get("$patch") == "delete":
            if key in item:
                out = [x for x in out if not (isinstance(x, dict) and x.get(key) == item[key])]
            else:
                # {"$patch": "delete", ...fields}: delete every element matching those fields.
                probe = {k: v for k, v in item.items() if k != "$patch"}
                out = [x for x in out if not (isinstance(x, dict) and all(x.get(k) == v for k, v in probe.items()))]
            continue
        if key not in item:
            raise PatchError(f"map: {_go_value(item)} does not contain declared merge key: {key}")
        for i, x in enumerate(out):
            if isinstance(x, dict) and x.get(key) == item[key]:
                merged = _merge_map(x, item, (*parents, field), ordered)
                if merged is None:
                    out.pop(i)
                else:
                    out[i] = merged
                break
        else:
            added = _merge_map({}, item, (*parents, field), ordered)
            if added is not None:
                out.append(added)
    if not ordered:
        return out
    # apimachinery's mergeSlice: the patch's items in its order among the live ones
    plain = [x for x in patch if x.get("$patch") != "delete"]
    wanted = [x.get(key) for x in plain]
    kept = [x for x in original if not any(x.get(key) == d.get(key) for d in patch if d.get("$patch") == "delete")]
    return _normalize_order([x for x in out if isinstance(x, dict) and x.get(key) in wanted],
                            [x for x in out if not (isinstance(x, dict) and x.get(key) in wanted)], plain, kept, key)


def apply_patch(doc: Any, content_type: str, patch: Any) -> Any:
    """Dispatch on the PATCH request's Content-Type."""
    ct = content_type.split(";", 1)[0].strip().lower()
    if ct == JSON_PATCH:
        return json_patch(doc, patch)
    if ct == MERGE_PATCH:
        if not isinstance(patch, dict):
            raise PatchError("merge patch must be a JSON object")
        return merge_patch(doc, patch)
    if ct == STRATEGIC_MERGE_PATCH:
        return strategic_merge_patch(doc, patch)
    if ct == APPLY_PATCH:
        return apply_config(doc, patch)
    raise PatchError(f"the content type {content_type!r} is not a supported patch type", 415)


def apply_config(live: Any, applied: Any) -> Any:
    """Server-side apply, simplified: the applied configuration is merged onto the live object
    the strategic way (lists by merge key), without the field-ownership bookkeeping."""
    if not isinstance(applied, dict):
        raise PatchError("apply configuration must be an object")

    def strip_nulls(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip_nulls(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [strip_nulls(x) for x in v]
        return v

    return strategic_merge_patch(live if isinstance(live, dict) else {}, strip_nulls(applied), ordered=False)


# -- computing patches (what a client sends for "original → modified") ----------------------------

def same(a: Any, b: Any) -> bool:
    """JSON equality: unlike ``==``, ``true`` is not ``1`` and ``1`` is not ``1.0``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def create_merge_patch(original: dict, modified: dict, *, equal: Callable[[Any, Any], bool] = same) -> dict:
    """The RFC 7386 merge patch turning ``original`` into ``modified`` (evanphx/json-patch's
    ``CreateMergePatch``): changed and added keys, ``null`` for removed ones, lists whole.
    ``equal``: what counts as unchanged (``same``; kubectl apply's ``_json_equal``: 1 is 1.0)."""
    patch: dict[str, Any] = {k: None for k in original if k not in modified}
    for k, v in modified.items():
        if k not in original:
            patch[k] = deep_copy(v)
            continue
        o = original[k]
        if equal(o, v):
            continue
        if isinstance(o, dict) and isinstance(v, dict):
            patch[k] = create_merge_patch(o, v, equal=equal)
        else:
            patch[k] = deep_copy(v)
    return patch


def create_strategic_merge_patch(original: dict, modified: dict, parents: tuple[str, ...] = ()) -> dict:
    """The two-way strategic merge patch turning ``original`` into ``modified`` (apimachinery's
    ``CreateTwoWayMergePatch``): lists with a merge key name only their changed, added
    (whole) and removed (``$patch: delete``) items plus ``$setElementOrder/…``, so a change the
    server got meanwhile to another item of the list is kept; other lists are sent whole."""
    patch: dict[str, Any] = {k: None for k in original if k not in modified}
    for k, v in modified.items():
        if k not in original:
            patch[k] = deep_copy(v)
            continue
        o = original[k]
        if same(o, v):
            continue
        if isinstance(o, dict) and isinstance(v, dict):
            patch[k] = create_strategic_merge_patch(o, v, (*parents, k))
        elif isinstance(o, list) and isinstance(v, list):
            patch.update(_list_patch(k, o, v, parents))
        else:
            patch[k] = deep_copy(v)
    return patch


def _list_patch(field: str, original: list, modified: list, parents: tuple[str, ...]) -> dict[str, Any]:
    order = f"$setElementOrder/{field}"
    if field in _MERGE_PRIMITIVE and not any(isinstance(x, dict | list) for x in original + modified):
        out: dict[str, Any] = {order: list(modified)}
        added = [x for x in modified if x not in original]
        removed = [x for x in original if x not in modified]
        if added:
            out[field] = added
        if removed:
            out[f"$deleteFromPrimitiveList/{field}"] = removed
        return out
    key = merge_key(field, parents)
    keyed = key is not None and all(isinstance(x, dict) and key in x for x in original + modified)
    if not keyed:
        if key is not None and all(isinstance(x, dict) for x in modified):
            # a list the server merges, but with items we cannot match: replace it whole
            return {field: [*deep_copy(modified), {"$patch": "replace"}]}
        return {field: deep_copy(modified)}
    assert key is not None
    before = {x[key]: x for x in original}
    after = [x[key] for x in modified]
    if len(before) != len(original) or len(set(after)) != len(after):  # repeated keys: cannot merge
        return {field: [*deep_copy(modified), {"$patch": "replace"}]}
    items: list[Any] = []
    for x in modified:
        old = before.get(x[key])
        if old is None:
            items.append(deep_copy(x))
        else:
            diff = create_strategic_merge_patch(old, x, (*parents, field))
            if diff:
                items.append({key: x[key], **diff})
    items += [{key: k, "$patch": "delete"} for k in before if k not in set(after)]
    out = {order: [{key: k} for k in after]}
    if items:
        out[field] = items
    return out


# -- three-way patches (kubectl apply, client-side) ------------------------------------------------
#
# kubectl apply patches an existing object with what the manifest (``modified``) changed against the
# live object (``current``), plus the deletions of what the manifest dropped since it was last
# applied (``original``: the last-applied-configuration annotation). What neither says (a field a
# controller or another client set, a default) is left alone. Built-in kinds get a strategic merge
# patch (apimachinery's CreateThreeWayMergePatch), other kinds a JSON merge patch
# (CreateThreeWayJSONMergePatch).

_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"
_RETAIN = "$retainKeys"
# list fields whose items are diffed with a $retainKeys directive (patchStrategy "merge,retainKeys")
_RETAIN_ITEMS = {"volumes", "resourceClaims"}


def _go_type(v: Any) -> type:
    """The Go type a JSON value decodes to in apimachinery's maps: every number a float64 (1 and
    1.5 are one type there), a bool a bool."""
    return float if isinstance(v, int) and not isinstance(v, bool) else type(v)


def _retains(field: str, parents: tuple[str, ...]) -> bool:
    """Whether map ``field`` has patchStrategy retainKeys (a Deployment's spec.strategy)."""
    return field == "strategy" and parents == ("spec",)


def _merges(field: str, parents: tuple[str, ...]) -> bool:
    """Whether list ``field`` has patchStrategy merge (by a merge key, or a set of scalars)."""
    return field in _MERGE_PRIMITIVE or merge_key(field, parents) is not None


def _sort_scalars(values: list) -> list:
    return sorted(values, key=_go_str)


def _go_value(v: Any) -> str:
    """Go's ``%v`` of a decoded JSON value, as apimachinery's errors print it: ``map[image:x]``."""
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_value(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(_go_value(x) for x in v) + "]"
    return _go_str(v)


def _go_str(v: Any) -> str:
    """Go's ``%v`` of a decoded JSON scalar (what apimachinery sorts and matches merge keys by)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "<nil>"
    return str(v)


def _diff_maps(original: dict, modified: dict, parents: tuple[str, ...], *, ignore_changes: bool = False,
               ignore_deletions: bool = False, retain_keys: bool = False) -> dict:
    """apimachinery's diffMaps (with $setElementOrder): the strategic patch from ``original`` to
    ``modified``, without its changes and additions or without its deletions when told."""
    opts = {"ignore_changes": ignore_changes, "ignore_deletions": ignore_deletions}
    patch: dict[str, Any] = {}
    retain: list[str] = []
    for key, new in modified.items():
        if retain_keys and new is not None:
            retain.append(key)
        if key not in original:
            if not ignore_changes:
                patch[key] = deep_copy(new)
            continue
        old = original[key]
        if key == "$patch":
            if new != old:
                patch[key] = new
            continue
        if _go_type(old) is not _go_type(new):
            if not ignore_changes:
                patch[key] = deep_copy(new)
            continue
        if isinstance(old, dict):
            sub = _diff_maps(old, new, (*parents, key), **opts, retain_keys=_retains(key, parents))
            if sub:
                patch[key] = sub
        elif isinstance(old, list) and _merges(key, parents):
            patch.update(_diff_lists(key, old, new, parents, **opts))
        elif not ignore_changes and not same(old, new):
            patch[key] = deep_copy(new)
    if not ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain and (patch or any(v is not None and k not in modified for k, v in original.items())):
        patch[_RETAIN] = _sort_scalars(retain)
    return patch


def _diff_lists(field: str, original: list, modified: list, parents: tuple[str, ...], *,
                ignore_changes: bool, ignore_deletions: bool) -> dict[str, Any]:
    """apimachinery's diffLists of a merging list: the changed and added items, the deletions
    (``$patch: delete`` items, or ``$deleteFromPrimitiveList/``) and ``$setElementOrder/``."""
    if not original:
        return {field: deep_copy(modified)} if modified and not ignore_changes else {}
    _element_type(original + modified)
    out: dict[str, Any] = {}
    if isinstance((original + modified)[0], dict):
        key = merge_key(field, parents)
        if key is None:
            raise PatchError(f"cannot merge lists without merge key for {field}")
        items, deletions = _diff_lists_of_maps(field, original, modified, parents, key,
                                               ignore_changes=ignore_changes, ignore_deletions=ignore_deletions)
        order = [x[key] for x in modified]
        items = sorted(items, key=lambda x: _position(order, x[key]))
        items += deletions
        order_same = len(original) == len(modified) and all(a[key] == b[key] for a, b in zip(original, modified, strict=True))
        if items:
            out[field] = items
        if modified and ((not ignore_changes and (items or not order_same)) or (not ignore_deletions and items)):
            out[_ORDER + field] = [{key: x[key]} for x in modified]
        return out
    added, deleted = _diff_scalars(original, modified, ignore_changes=ignore_changes, ignore_deletions=ignore_deletions)
    if added:
        out[field] = sorted(added, key=lambda x: _position(modified, x))
    if deleted:
        out[_DELETE_PRIMITIVE + field] = deleted
    if modified and ((not ignore_deletions and deleted) or (not ignore_changes and not same(original, modified))):
        out[_ORDER + field] = list(modified)
    return out


def _position(order: list, value: Any) -> int:
    """Where ``value`` is in ``order`` (after all of it when it is not there)."""
    for i, x in enumerate(order):
        if x == value:
            return i
    return len(order)


def _element_type(items: list) -> None:
    """A list's items must be of one type, and no list (apimachinery's sliceElementType)."""
    kinds = {_go_type(x) for x in items}
    if list in kinds:
        raise PatchError("lists of lists are not supported")
    if len(kinds) > 1:
        raise PatchError(f"list element types are not identical: {items}")


def _diff_scalars(original: list, modified: list, *, ignore_changes: bool, ignore_deletions: bool) -> tuple[list, list]:
    """The scalars added and (once each) deleted, walking both lists sorted by their text."""
    old, new = _sort_scalars(original), _sort_scalars(modified)
    added: list = []
    deleted: list = []
    i = j = 0
    while i < len(old) or j < len(new):
        a = _go_str(old[i]) if i < len(old) else None
        b = _go_str(new[j]) if j < len(new) else None
        if a is not None and b is not None and a == b:
            i, j = i + 1, j + 1
        elif a is None or (b is not None and a > b):
            if not ignore_changes:
                added.append(new[j])
            j += 1
        else:
            if not ignore_deletions and old[i] not in deleted:
                deleted.append(old[i])
            i += 1
    return added, deleted


def _diff_lists_of_maps(field: str, original: list, modified: list, parents: tuple[str, ...], key: str, *,
                        ignore_changes: bool, ignore_deletions: bool) -> tuple[list, list]:
    """The patch items (changed ones with their merge key, added ones whole) and the
    ``$patch: delete`` items, walking both lists sorted by their merge key's text."""
    for x in original + modified:
        if key not in x:
            raise PatchError(f"map: {_go_value(x)} does not contain declared merge key: {key}")
    old = sorted(original, key=lambda x: _go_str(x[key]))
    new = sorted(modified, key=lambda x: _go_str(x[key]))
    items: list = []
    deletions: list = []
    i = j = 0
    while i < len(old) or j < len(new):
        a = _go_str(old[i][key]) if i < len(old) else None
        b = _go_str(new[j][key]) if j < len(new) else None
        if a is not None and b is not None and a == b:
            diff = _diff_maps(old[i], new[j], (*parents, field), ignore_changes=ignore_changes,
                              ignore_deletions=ignore_deletions, retain_keys=field in _RETAIN_ITEMS)
            if diff:
                diff[key] = new[j][key]
                items.append(diff)
            i, j = i + 1, j + 1
        elif a is None or (b is not None and a > b):
            if not ignore_changes:
                items.append(deep_copy(new[j]))
            j += 1
        else:
            if not ignore_deletions:
                deletions.append({key: old[i][key], "$patch": "delete"})
            i += 1
    return items, deletions


def _merge_patches(first: dict, second: dict, parents: tuple[str, ...]) -> dict:
    """apimachinery's mergeMap of two patches (kubectl's client side: the directives of both are
    kept, a null too): ``second`` (the changes) merged onto ``first`` (the deletions)."""
    directive = second.get("$patch")
    if directive == "replace":
        return {k: v for k, v in second.items() if k != "$patch"}
    if directive == "delete":
        return {}
    if directive is not None:
        raise PatchError(f"unknown patch type: {directive}")
    out = deep_copy(first)
    second = dict(second)
    if _RETAIN in second:
        retain = second.pop(_RETAIN)
        if _RETAIN in out and not same(out[_RETAIN], retain):
            raise PatchError(f"{out[_RETAIN]} and {retain} are not deep equal: "
                             "this may happen when calculating the 3-way diff patch")
        out[_RETAIN] = retain
    for directive_key in [k for k in second if k.startswith(_ORDER)]:
        order = second.pop(directive_key)
        if directive_key in out and not same(out[directive_key], order):
            raise PatchError("invalid patch: $setElementOrder lists of the two patches differ")
        out[directive_key] = order
        field = directive_key[len(_ORDER):]
        if field not in out and field not in second:
            continue
        before = out.get(field) if isinstance(out.get(field), list) else []
        if field in out and field in second:
            merged = _merge_slices(before, second[field], field, parents)
        else:
            merged = out[field] if field in out else second[field]
        key = merge_key(field, parents)
        wanted = [_ident(x, key) for x in order]
        mine = [x for x in merged if _ident(x, key) in wanted]
        theirs = [x for x in merged if _ident(x, key) not in wanted]
        out[field] = _normalize_order(mine, theirs, order, before, key)
        second.pop(field, None)
    for k, v in second.items():
        if k.startswith(_DELETE_PRIMITIVE) or v is None or k not in out or _go_type(out[k]) is not _go_type(v):
            out[k] = deep_copy(v)
        elif isinstance(v, dict):
            out[k] = _merge_patches(out[k], v, (*parents, k))
        elif isinstance(v, list) and _merges(k, parents):
            out[k] = _merge_slices(out[k], v, k, parents)
        else:
            out[k] = deep_copy(v)
    return out


def _ident(item: Any, key: str | None) -> Any:
    """What an item of a merging list is known by: its merge key's value (a scalar: itself)."""
    return item.get(key) if key is not None and isinstance(item, dict) else item


def _merge_slices(first: list, second: list, field: str, parents: tuple[str, ...]) -> list:
    """apimachinery's mergeSlice (client side): ``second``'s items merged onto ``first``'s by
    merge key, then in ``second``'s order among ``first``'s."""
    if not first and not second:
        return list(first)
    _element_type(first + second)
    key = merge_key(field, parents)
    if not isinstance((first + second)[0], dict):
        merged = []
        for x in first + second:
            if x not in merged:
                merged.append(x)
        key = None
    else:
        if key is None:
            raise PatchError(f"cannot merge lists without merge key for {field}")
        first = deep_copy(first)
        plain = []
        replace = False
        for item in second:
            directive = item.get("$patch")
            if directive is None:
                plain.append(item)
            elif directive == "delete":
                if key not in item:
                    raise PatchError(f"map: {_go_value(item)} does not contain declared merge key: {key}")
                first = [x for x in first if x.get(key) != item[key]]
            elif directive == "replace":
                replace = True
            else:
                raise PatchError(f"unknown patch type: {directive}")
        if replace:
            first, plain = plain, []
        merged = first
        for item in plain:
            if key not in item:
                raise PatchError(f"map: {_go_value(item)} does not contain declared merge key: {key}")
            for i, x in enumerate(merged):
                if x.get(key) == item[key]:
                    merged[i] = _merge_patches(x, item, (*parents, field))
                    break
            else:
                merged.append(deep_copy(item))
        second = plain
    wanted = [_ident(x, key) for x in second]
    mine = [x for x in merged if _ident(x, key) in wanted]
    theirs = [x for x in merged if _ident(x, key) not in wanted]
    return _normalize_order(mine, theirs, second, first, key)


def _normalize_order(mine: list, theirs: list, my_order: list, their_order: list, key: str | None) -> list:
    """apimachinery's normalizeElementOrder: ``mine`` in ``my_order`` and ``theirs`` in
    ``their_order`` (``$patch: delete`` items last), then the two interleaved as
    ``their_order`` has them, ``mine`` first where it cannot tell."""
    def by(order: list, items: list) -> list:
        idents = [_ident(x, key) for x in order]
        keep = [x for x in items if not (isinstance(x, dict) and x.get("$patch") == "delete")]
        gone = [x for x in items if isinstance(x, dict) and x.get("$patch") == "delete"]
        return sorted(keep, key=lambda x: _position(idents, _ident(x, key))) + gone

    left, right = by(their_order, theirs), by(my_order, mine)
    where = [_ident(x, key) for x in their_order]
    out = []
    i = j = 0
    while i < len(left) or j < len(right):
        if j < len(right) and i < len(left):
            li, ri = _position(where, _ident(left[i], key)), _position(where, _ident(right[j], key))
            if li < len(where) and ri < len(where) and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
        elif j < len(right):
            out.append(right[j])
            j += 1
        else:
            out.append(left[i])
            i += 1
    return out


def create_three_way_merge_patch(original: dict, modified: dict, current: dict) -> dict:
    """kubectl apply's strategic merge patch of a built-in kind (apimachinery's
    CreateThreeWayMergePatch, overwrite on): what ``modified`` changes or adds against
    ``current`` (no deletions), merged onto what it dropped from ``original`` (only those).
    ``{}`` when nothing is to change."""
    delta = _diff_maps(current if isinstance(current, dict) else {}, modified, (), ignore_deletions=True)
    deletions = _diff_maps(original if isinstance(original, dict) else {}, modified, (), ignore_changes=True)
    return _merge_patches(deletions, delta, ())


def create_three_way_json_merge_patch(original: dict, modified: dict, current: dict) -> dict:
    """kubectl apply's JSON merge patch of a kind it has no Go type for (a custom resource):
    apimachinery's CreateThreeWayJSONMergePatch. What ``modified`` changes or adds against
    ``current`` (lists whole), plus null for what it dropped from ``original``."""
    changes = _keep_nulls(create_merge_patch(current if isinstance(current, dict) else {}, modified,
                                             equal=_json_equal), keep=False)
    deletions = _keep_nulls(create_merge_patch(original if isinstance(original, dict) else {}, modified,
                                               equal=_json_equal), keep=True)
    out = deep_copy(deletions)
    _merge_into(out, changes)
    return out


def _json_equal(a: Any, b: Any) -> bool:
    number = (int, float)
    if isinstance(a, number) and isinstance(b, number) and not isinstance(a, bool) and not isinstance(b, bool):
        return bool(a == b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return same(a, b)


def _keep_nulls(patch: dict, *, keep: bool) -> dict:
    """apimachinery's keepOrDeleteNullInObj: only the nulls (``keep``) or all but them; a map
    emptied so goes, an empty map in the patch is a value (kept with the non-nulls)."""
    out: dict[str, Any] = {}
    for k, v in patch.items():
        if v is None:
            if keep:
                out[k] = None
        elif isinstance(v, dict):
            if not v:
                if not keep:
                    out[k] = {}
                continue
            sub = _keep_nulls(v, keep=keep)
            if sub:
                out[k] = sub
        elif not keep:
            out[k] = v
    return out


def _merge_into(doc: dict, patch: dict) -> None:
    """RFC 7386 merge of ``patch`` (no nulls) into ``doc``, which may hold nulls (kept)."""
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(doc.get(k), dict):
            _merge_into(doc[k], v)
        else:
            doc[k] = deep_copy(v)
