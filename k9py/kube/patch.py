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

from typing import Any

from k9py.kube.meta import deep_copy

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
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
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


def strategic_merge_patch(doc: Any, patch: Any) -> Any:
    """Apply a strategic merge patch to ``doc`` (both API-shaped dicts)."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be a JSON object")
    return _merge_map(doc if isinstance(doc, dict) else {}, patch, ())


def _merge_map(original: dict, patch: dict, parents: tuple[str, ...]) -> dict | None:
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
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith("$setElementOrder/"):
            continue  # element order directives only reorder; the merged order is kept
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
            merged = _merge_map(cur if isinstance(cur, dict) else {}, v, (*parents, k))
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list):
            out[k] = _merge_list(cur if isinstance(cur, list) else [], v, k, parents)
        else:
            out[k] = deep_copy(v)
    return out


def _merge_list(original: list, patch: list, field: str, parents: tuple[str, ...]) -> list:
    # A list holding {"$patch": "replace"} replaces the whole list with its other items.
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [deep_copy(x) for x in patch if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    key = merge_key(field, parents)
    if field in _MERGE_PRIMITIVE:
        out = list(original)
        for x in patch:
            if x not in out:
                out.append(x)
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
            raise PatchError(f"map: {item} does not contain declared merge key: {key}")
        for i, x in enumerate(out):
            if isinstance(x, dict) and x.get(key) == item[key]:
                merged = _merge_map(x, item, (*parents, field))
                if merged is None:
                    out.pop(i)
                else:
                    out[i] = merged
                break
        else:
            added = _merge_map({}, item, (*parents, field))
            if added is not None:
                out.append(added)
    return out


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

    return strategic_merge_patch(live if isinstance(live, dict) else {}, strip_nulls(applied))


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


def create_merge_patch(original: dict, modified: dict) -> dict:
    """The RFC 7386 merge patch turning ``original`` into ``modified`` (evanphx/json-patch's
    ``CreateMergePatch``): changed and added keys, ``null`` for removed ones, lists whole."""
    patch: dict[str, Any] = {k: None for k in original if k not in modified}
    for k, v in modified.items():
        if k not in original:
            patch[k] = deep_copy(v)
            continue
        o = original[k]
        if same(o, v):
            continue
        if isinstance(o, dict) and isinstance(v, dict):
            patch[k] = create_merge_patch(o, v)
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
