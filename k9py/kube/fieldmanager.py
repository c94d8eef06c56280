"""Server-side apply's field management (the apiserver's fieldmanager over structured-merge-diff).

Every write through the API is recorded in ``metadata.managedFields``: per manager and
operation (``Apply`` for ``application/apply-patch+yaml``, ``Update`` for everything else, with
the subresource it came through) the set of fields it owns, in the FieldsV1 encoding
(``kube/fieldpath.py``).

- ``apply``: merges an applied configuration onto the live object (lists by their
  ``x-kubernetes-list-type``: maps by their keys, sets by value, atomic lists whole), removes the
  fields the same manager applied last time and no longer does (unless another manager owns them),
  and refuses to change a field another manager owns (``Conflicts``, a 409 with the apiserver's
  message and causes) unless forced, which takes the field over.
- ``update_entries``: an Update takes ownership of every field it added or changed (from whoever
  owned it) and gives up the ones it removed.

``Schema`` is what the type system tells structured-merge-diff: the list types and keys of the
built-in kinds (by field name and parent), which maps are atomic (label selectors, ``*KeyRef``s)
or free-form (labels, data, resource lists), and a CRD's structural schema for custom kinds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from k9py.kube import fieldpath as fp
from k9py.kube.fieldpath import EMPTY, FieldSet, Path, PathElement
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError

Obj = dict[str, Any]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# -- the type information ----------------------------------------------------------------------

_CONTAINER_LISTS = {"containers", "initContainers", "ephemeralContainers"}
_LIST_MAP_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",), "initContainers": ("name",), "ephemeralContainers": ("name",),
    "env": ("name",), "volumes": ("name",), "volumeMounts": ("mountPath",), "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",), "ownerReferences": ("uid",), "hostAliases": ("ip",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"), "resourceClaims": ("name",),
    "podIPs": ("ip",), "hostIPs": ("ip",), "schedulingGates": ("name",), "secrets": ("name",),
}
_LIST_SETS = {"finalizers", "podCIDRs"}
# structType=atomic / mapType=atomic: replaced whole, owned as one field
_ATOMIC_MAPS = {"selector", "nodeSelector", "labelSelector", "namespaceSelector", "secretKeyRef", "configMapKeyRef",
                "fieldRef", "resourceFieldRef", "configMapRef", "secretRef", "claimRef", "roleRef"}
# maps of free keys (not struct fields)
_GRANULAR_MAPS = {"labels", "annotations", "data", "binaryData", "stringData", "limits", "requests", "capacity",
                  "allocatable", "hard", "used", "parameters", "overhead", "matchLabels", "volumeAttributes"}
_KEY_DEFAULTS = {"protocol": "TCP"}

ListType = tuple[str, tuple[str, ...]]
ATOMIC: ListType = ("atomic", ())


class Schema:
    """What structured-merge-diff knows of a kind's fields. ``names`` are the field names from the
    object's root, list items skipped (``("spec", "template", "spec", "containers", "ports")``)."""

    def __init__(self, kind: str, *, status_subresource: bool = True, crd_schema: Obj | None = None) -> None:
        self.kind = kind
        self.status_subresource = status_subresource
        self.crd_schema = crd_schema

    # custom resources: the CRD's structural schema
    def _crd_node(self, names: tuple[str, ...]) -> Obj | None:
        node: Any = self.crd_schema
        for n in names:
            if not isinstance(node, dict):
                return None
            while isinstance(node, dict) and node.get("type") == "array":
                node = node.get("items")
            if not isinstance(node, dict):
                return None
            props = node.get("properties")
            if isinstance(props, dict) and n in props:
                node = props[n]
            elif isinstance(node.get("additionalProperties"), dict):
                node = node["additionalProperties"]
            else:
                return None
        return node if isinstance(node, dict) else None

    def _custom(self, names: tuple[str, ...]) -> bool:
        return self.crd_schema is not None and bool(names) and names[0] not in ("metadata", "apiVersion", "kind")

    def list_type(self, names: tuple[str, ...]) -> ListType:
        if self._custom(names):
            node = self._crd_node(names) or {}
            lt = node.get("x-kubernetes-list-type")
            if lt == "map":
                return ("map", tuple(node.get("x-kubernetes-list-map-keys") or ()))
            if lt == "set":
                return ("set", ())
            return ATOMIC
        if not names:
            return ATOMIC
        last = names[-1]
        parent = names[-2] if len(names) > 1 else ""
        if last == "ports":
            if parent in _CONTAINER_LISTS:
                return ("map", ("containerPort", "protocol"))
            if self.kind == "Service" and names == ("spec", "ports"):
                return ("map", ("port", "protocol"))
            return ATOMIC
        if last == "conditions":
            return ("map", ("type",)) if parent == "status" else ATOMIC
        if last == "addresses" and self.kind == "Node":
            return ("map", ("type",))
        if last == "finalizers":
            return ("set", ()) if names == ("metadata", "finalizers") else ATOMIC
        if last in _LIST_SETS:
            return ("set", ())
        if last == "secrets" and self.kind != "ServiceAccount":
            return ATOMIC
        keys = _LIST_MAP_KEYS.get(last)
        return ("map", keys) if keys else ATOMIC

    def map_type(self, names: tuple[str, ...]) -> str:
        """``struct`` (named fields), ``granular`` (free keys, each owned apart) or ``atomic``."""
        if not names:
            return "struct"
        if self._custom(names):
            node = self._crd_node(names) or {}
            if node.get("x-kubernetes-map-type") == "atomic":
                return "atomic"
            if isinstance(node.get("properties"), dict):
                return "struct"
            if isinstance(node.get("additionalProperties"), dict) or node.get("x-kubernetes-preserve-unknown-fields"):
                return "granular"
            return "struct"
        last = names[-1]
        if last in _ATOMIC_MAPS:
            return "atomic"
        if last in _GRANULAR_MAPS and not (len(names) >= 2 and names[-2] in _GRANULAR_MAPS):
            return "granular"
        if len(names) >= 2 and names[-2] in _GRANULAR_MAPS:
            return "atomic"  # a value of a free-form map that is itself a map: owned whole
        return "struct"


def item_element(schema: Schema, names: tuple[str, ...], lt: ListType, item: Any, i: int, *, strict: bool) -> PathElement:
    """The path element of a list item: ``k:{...}`` by its keys, ``v:`` for a set, else ``i:N``."""
    kind, keys = lt
    if kind == "set":
        return fp.value(item)
    if kind == "map" and keys:
        if isinstance(item, dict):
            found: dict[str, Any] = {}
            for k in keys:
                if k in item and item[k] is not None:
                    found[k] = item[k]
                elif k in _KEY_DEFAULTS:
                    found[k] = _KEY_DEFAULTS[k]
                else:
                    if strict:
                        raise _TypedError(f'.{".".join(names)}: element {i}: associative list with keys has an element that omits key field "{k}" (and doesn\'t have default value)')
                    return fp.index(i)
            return fp.key(found)
        if strict:
            raise _TypedError(f'.{".".join(names)}: element {i}: expected map, got {json.dumps(item)}')
    return fp.index(i)


class _TypedError(ValueError):
    pass


def _present(v: Any) -> bool:
    return v is not MISSING and v is not None


def _empty(v: Any) -> bool:
    return not _present(v) or (isinstance(v, dict | list) and not v)


# -- typed operations --------------------------------------------------------------------------

def to_field_set(obj: Any, schema: Schema, *, strict: bool = False) -> FieldSet:
    """typed.ToFieldSet: scalars, atomic lists/maps, list items, empty or null map fields and the
    entries of free-form maps are members."""
    out: set[Path] = set()

    def walk(v: Any, names: tuple[str, ...], path: Path) -> None:
        if isinstance(v, dict):
            mt = schema.map_type(names)
            if mt == "atomic":
                if path:
                    out.add(path)
                return
            for k, x in v.items():
                p = (*path, fp.field(k))
                walk(x, (*names, k), p)
                if x is None or (isinstance(x, dict) and not x) or mt == "granular":
                    out.add(p)
        elif isinstance(v, list):
            lt = schema.list_type(names)
            if lt[0] == "atomic":
                out.add(path)
                return
            for i, item in enumerate(v):
                p = (*path, item_element(schema, names, lt, item, i, strict=strict))
                walk(item, names, p)
                out.add(p)
        elif path:
            out.add(path)

    walk(obj, (), ())
    return frozenset(out)


@dataclass
class Comparison:
    added: set[Path] = field(default_factory=set)
    modified: set[Path] = field(default_factory=set)
    removed: set[Path] = field(default_factory=set)

    def filtered(self, keep: Any) -> Comparison:
        return Comparison({p for p in self.added if keep(p)}, {p for p in self.modified if keep(p)},
                          {p for p in self.removed if keep(p)})


def compare(lhs: Any, rhs: Any, schema: Schema) -> Comparison:
    """typed.Compare: the leaves added, modified and removed from ``lhs`` to ``rhs``; a map, list
    or list item that appears (or goes) whole is added (removed) itself too."""
    res = Comparison()

    def leaf(a: Any, r: Any, path: Path) -> None:
        if not _present(a) and not _present(r):
            return
        if not _present(a):
            res.added.add(path)
        elif not _present(r):
            res.removed.add(path)
        elif not _same(a, r):
            res.modified.add(path)

    def walk(a: Any, r: Any, names: tuple[str, ...], path: Path) -> None:
        if isinstance(a, dict) or isinstance(r, dict):
            if (_present(a) and not isinstance(a, dict)) or (_present(r) and not isinstance(r, dict)):
                leaf(a, r, path)
                return
            if schema.map_type(names) == "atomic" or (_empty(a) and _empty(r)):
                leaf(a, r, path)
                return
            if path and not _present(a):
                res.added.add(path)
            if path and not _present(r):
                res.removed.add(path)
            lm = a if isinstance(a, dict) else {}
            rm = r if isinstance(r, dict) else {}
            for k in [*lm, *(k for k in rm if k not in lm)]:
                walk(lm.get(k, MISSING), rm.get(k, MISSING), (*names, k), (*path, fp.field(k)))
        elif isinstance(a, list) or isinstance(r, list):
            if (_present(a) and not isinstance(a, list)) or (_present(r) and not isinstance(r, list)):
                leaf(a, r, path)
                return
            lt = schema.list_type(names)
            if lt[0] == "atomic" or (_empty(a) and _empty(r)):
                leaf(a, r, path)
                return
            if path and not _present(a):
                res.added.add(path)
            if path and not _present(r):
                res.removed.add(path)
            li = _index_items(schema, names, lt, a if isinstance(a, list) else [])
            ri = _index_items(schema, names, lt, r if isinstance(r, list) else [])
            for pe in [*li, *(pe for pe in ri if pe not in li)]:
                lv, rv = li.get(pe, MISSING), ri.get(pe, MISSING)
                p = (*path, pe)
                if lv is MISSING:
                    res.added.add(p)
                elif rv is MISSING:
                    res.removed.add(p)
                if lt[0] == "set":
                    continue
                walk(lv, rv, names, p)
        else:
            leaf(a, r, path)

    walk(lhs, rhs, (), ())
    return res


def _index_items(schema: Schema, names: tuple[str, ...], lt: ListType, items: list, *, strict: bool = False) -> dict[PathElement, Any]:
    out: dict[PathElement, Any] = {}
    for i, item in enumerate(items):
        out[item_element(schema, names, lt, item, i, strict=strict)] = item
    return out


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) and not isinstance(b, bool):
            return bool(a == b)
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _strip_nulls(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v]
    return v


def merge(lhs: Any, rhs: Any, schema: Schema) -> Any:
    """typed.Merge: ``rhs`` (an applied configuration) over ``lhs`` (the live object)."""

    def walk(a: Any, r: Any, names: tuple[str, ...]) -> Any:
        if r is MISSING:
            return a
        if r is None:
            return MISSING
        if isinstance(r, dict):
            if not isinstance(a, dict) or schema.map_type(names) == "atomic":
                return _strip_nulls(deep_copy(r))
            out = dict(a)
            for k, x in r.items():
                m = walk(a.get(k, MISSING), x, (*names, k))
                if m is MISSING:
                    out.pop(k, None)
                else:
                    out[k] = m
            return out
        if isinstance(r, list):
            lt = schema.list_type(names)
            if lt[0] == "atomic" or not isinstance(a, list):
                return _strip_nulls(deep_copy(r))
            return merge_list(a, r, names, lt)
        return r

    def merge_list(a: list, r: list, names: tuple[str, ...], lt: ListType) -> list:
        lpes = [item_element(schema, names, lt, x, i, strict=False) for i, x in enumerate(a)]
        rpes = [item_element(schema, names, lt, x, i, strict=True) for i, x in enumerate(r)]
        lmap = dict(zip(lpes, a, strict=True))
        rmap = dict(zip(rpes, r, strict=True))
        shared = [pe for pe in rpes if pe in lmap]
        next_shared = shared.pop(0) if shared else None
        done: set[PathElement] = set()
        out: list = []

        def item(pe: PathElement) -> None:
            if lt[0] == "set":
                out.append(rmap[pe])
                return
            m = walk(lmap.get(pe, MISSING), rmap[pe], names)
            if m is not MISSING:
                out.append(m)

        li = ri = 0
        while li < len(lpes) or ri < len(rpes):
            if li < len(lpes) and ri < len(rpes):
                pe = lpes[li]
                if pe == rpes[ri]:
                    done.add(pe)
                    item(pe)
                    li += 1
                    ri += 1
                    next_shared = shared.pop(0) if shared else None
                    continue
                if pe in rmap and next_shared is not None and next_shared != pe:
                    li += 1
                    continue
            if li < len(lpes):
                pe = lpes[li]
                if pe not in rmap:
                    out.append(a[li])
                    li += 1
                    continue
                if pe in done:
                    li += 1
                    continue
            if ri < len(rpes):
                pe = rpes[ri]
                done.add(pe)
                item(pe)
                ri += 1
                if next_shared is not None and next_shared == pe:
                    next_shared = shared.pop(0) if shared else None
        return out

    out = walk(lhs if isinstance(lhs, dict) else {}, rhs, ())
    return {} if out is MISSING else out


def remove_items(obj: Any, fields: Iterable[Path], schema: Schema) -> Any:
    """typed.RemoveItems: the object without the members of ``fields`` (each with what is below it)."""
    tree = fp.tree(fields)

    def walk(v: Any, node: dict, names: tuple[str, ...]) -> Any:
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                child = node.get(fp.field(k))
                if child is None:
                    out[k] = x
                elif child.get("."):
                    continue
                else:
                    out[k] = walk(x, child, (*names, k))
            return out
        if isinstance(v, list):
            lt = schema.list_type(names)
            if lt[0] == "atomic":
                return v
            items = []
            for i, x in enumerate(v):
                child = node.get(item_element(schema, names, lt, x, i, strict=False))
                if child is None:
                    items.append(x)
                elif child.get("."):
                    continue
                else:
                    items.append(walk(x, child, names))
            return items
        return v

    return walk(obj, tree, ())


def _names(path: Path) -> tuple[str, ...]:
    return tuple(v for k, v in path if k == "f")


def ensure_named_fields_are_members(fields: FieldSet, schema: Schema) -> FieldSet:
    """Set.EnsureNamedFieldsAreMembers: every struct field on the way to a member is a member."""
    out = set(fields)
    for p in fields:
        for i in range(1, len(p)):
            q = p[:i]
            if q in out or q[-1][0] != "f":
                continue
            if schema.map_type(_names(q[:-1])) == "struct":
                out.add(q)
    return frozenset(out)


# -- managers ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ManagerId:
    manager: str
    operation: str  # Apply | Update
    api_version: str  # "" for appliers: one identity whatever version they applied
    subresource: str = ""

    def identifier(self) -> str:
        """BuildManagerIdentifier: the JSON of the entry without fields, time and (appliers) version."""
        d: Obj = {"manager": self.manager, "operation": self.operation}
        if self.api_version:
            d["apiVersion"] = self.api_version
        if self.subresource:
            d["subresource"] = self.subresource
        return json.dumps(d, separators=(",", ":"))

    def printed(self) -> str:
        """printManager: how a conflict names the manager."""
        s = json.dumps(self.manager)
        if self.subresource:
            s += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == "Update":
            s += f" using {self.api_version}"
        return s


@dataclass
class Owned:
    fields: FieldSet
    api_version: str
    applied: bool


Managers = dict[ManagerId, Owned]

_STRIP: FieldSet = frozenset({fp.make_path("apiVersion"), fp.make_path("kind"), fp.make_path("metadata"),
                              *(fp.make_path("metadata", n) for n in (
                                  "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName",
                                  "generation", "managedFields", "resourceVersion"))})


def decode(entries: Any) -> tuple[Managers, dict[ManagerId, str]]:
    managers: Managers = {}
    times: dict[ManagerId, str] = {}
    if not isinstance(entries, list):
        return managers, times
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("fieldsV1"), dict):
            continue
        op = e.get("operation") or "Update"
        mid = ManagerId(str(e.get("manager") or ""), op, "" if op == "Apply" else str(e.get("apiVersion") or ""),
                        str(e.get("subresource") or ""))
        fields = fp.from_fields_v1(e["fieldsV1"])
        prev = managers.get(mid)
        managers[mid] = Owned(fields | (prev.fields if prev else EMPTY), str(e.get("apiVersion") or ""), op == "Apply")
        if e.get("time"):
            times[mid] = str(e["time"])
    return managers, times


def encode(managers: Managers, times: dict[ManagerId, str]) -> list[Obj]:
    entries = []
    for mid, owned in managers.items():
        if not owned.fields:
            continue
        e: Obj = {"manager": mid.manager, "operation": mid.operation, "apiVersion": owned.api_version}
        if mid in times:
            e["time"] = times[mid]
        e["fieldsType"] = "FieldsV1"
        e["fieldsV1"] = fp.to_fields_v1(owned.fields)
        if mid.subresource:
            e["subresource"] = mid.subresource
        entries.append(e)
    entries.sort(key=lambda e: (e["operation"], e.get("time", ""), e["manager"], e["apiVersion"], e.get("subresource", "")))
    return entries


def _keep(schema: Schema, subresource: str) -> Any:
    status = fp.make_path("status")
    if subresource == "status":
        return lambda p: p[:1] == status
    if subresource == "scale":
        replicas = fp.make_path("spec", "replicas")
        return lambda p: p[:2] == replicas
    if schema.status_subresource:
        return lambda p: p[:1] != status
    return lambda p: True


def _filter(fields: Iterable[Path], keep: Any) -> FieldSet:
    return frozenset(p for p in fields if keep(p))


class Conflicts(Exception):
    def __init__(self, conflicts: dict[ManagerId, FieldSet]) -> None:
        super().__init__("conflicts")
        self.conflicts = conflicts

    def error(self) -> ApiError:
        """internal.NewConflictError: the apiserver's message and one cause per field."""
        items = [(mid, p) for mid in sorted(self.conflicts, key=ManagerId.identifier)
                 for p in fp.iterate(self.conflicts[mid])]
        causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {mid.printed()}",
                   "field": fp.path_string(p)} for mid, p in items]
        if len(items) == 1:
            mid, p = items[0]
            message = f"Apply failed with 1 conflict: conflict with {mid.printed()}: {fp.path_string(p)}"
        else:
            lines = []
            for mid in sorted(self.conflicts, key=ManagerId.identifier):
                lines.append(f"conflicts with {mid.printed()}:")
                lines += [f"- {fp.path_string(p)}" for p in fp.iterate(self.conflicts[mid])]
            message = f"Apply failed with {len(items)} conflicts: " + "\n".join(lines)
        return ApiError(409, "Conflict", message, causes=causes)


def _update(old: Any, new: Any, api_version: str, managers: Managers, workflow: ManagerId, force: bool,
            schema: Schema, keep: Any) -> tuple[Managers, Comparison]:
    """Updater.update: what changed is taken from the other managers (a conflict unless forced);
    what was removed is no one's any more."""
    cmp = compare(old, new, schema).filtered(keep)
    changed = cmp.added | cmp.modified
    conflicts: dict[ManagerId, FieldSet] = {}
    for mid, owned in managers.items():
        if mid == workflow:
            continue
        c = owned.fields & changed
        if c:
            conflicts[mid] = frozenset(c)
    if conflicts and not force:
        raise Conflicts(conflicts)
    out: Managers = {}
    for mid, owned in managers.items():
        fields = owned.fields
        if mid != workflow:
            fields = fields - conflicts.get(mid, EMPTY) - cmp.removed
        if fields:
            out[mid] = Owned(frozenset(fields), owned.api_version, owned.applied)
    return out, cmp


def _prune(merged: Any, managers: Managers, applier: ManagerId, last: Owned | None, schema: Schema) -> Any:
    """Updater.prune: remove what the applier applied last time and not now, unless someone owns it."""
    if last is None or not last.fields:
        return merged
    last_set = ensure_named_fields_are_members(last.fields, schema)
    pruned = remove_items(merged, last_set, schema)
    managed: set[Path] = set()
    for owned in managers.values():
        managed |= owned.fields
    managed_e = ensure_named_fields_are_members(frozenset(managed), schema)
    merged_set = ensure_named_fields_are_members(to_field_set(merged, schema), schema)
    pruned_set = ensure_named_fields_are_members(to_field_set(pruned, schema), schema)
    pruned = remove_items(merged, merged_set - (pruned_set | managed_e), schema)
    pruned_set = ensure_named_fields_are_members(to_field_set(pruned, schema), schema)
    return remove_items(merged, (merged_set - pruned_set) & last_set, schema)


def apply(live: Obj | None, config: Obj, *, manager: str, api_version: str, force: bool, schema: Schema,
          now: str, ident: str = "", subresource: str = "") -> Obj:
    """Server-side apply of ``config`` by ``manager``: the new object, its managedFields set.
    Raises ``ApiError`` 409 on conflicts (unless ``force``), 400 on a malformed configuration."""
    live_obj: Obj = deep_copy(live) if live is not None else {}
    managers, times = decode((live_obj.get("metadata") or {}).get("managedFields"))
    if isinstance(live_obj.get("metadata"), dict):
        live_obj["metadata"].pop("managedFields", None)
    if isinstance(config.get("metadata"), dict) and config["metadata"].get("managedFields") is not None:
        raise ApiError(400, "BadRequest", "metadata.managedFields must be nil")
    config = deep_copy(config)
    keep = _keep(schema, subresource)
    applier = ManagerId(manager, "Apply", "", subresource)
    try:
        merged = merge(live_obj, config, schema)
        config_set = to_field_set(config, schema, strict=True)
    except _TypedError as err:
        raise ApiError(500, "InternalError", f"failed to create typed patch object ({ident}): {err}") from None
    last = managers.get(applier)
    managers[applier] = Owned(_filter(config_set, keep), api_version, True)
    merged = _prune(merged, managers, applier, last, schema)
    try:
        managers, _ = _update(live_obj, merged, api_version, managers, applier, force, schema, keep)
    except Conflicts as c:
        # lastAppliedManager: kubectl's first server-side apply takes over from client-side apply
        allowed = _allowed_by_last_applied(live_obj, api_version, schema) if manager == "kubectl" else EMPTY
        left = {mid: f - allowed for mid, f in c.conflicts.items() if f - allowed}
        if left:
            raise Conflicts(left).error() from None
        managers, _ = _update(live_obj, merged, api_version, managers, applier, True, schema, keep)
    owned = managers.get(applier)
    if owned is not None:
        stripped = owned.fields - _STRIP
        if stripped:
            managers[applier] = Owned(stripped, api_version, True)
        else:
            managers.pop(applier)
    if not _same(_without_managed(live_obj), _without_managed(merged)) or applier not in times:
        times[applier] = now
    out = merged
    md = out.setdefault("metadata", {})
    entries = encode(managers, times)
    if entries:
        md["managedFields"] = entries
    else:
        md.pop("managedFields", None)
    return out


def _allowed_by_last_applied(live: Obj, api_version: str, schema: Schema) -> FieldSet:
    """lastAppliedManager.allowedConflictsFromLastApplied: the fields of ``live``'s client-side
    last-applied-configuration (same apiVersion) whose values are still the live ones: what
    `kubectl apply --server-side` may take from the client-side apply's manager without a conflict."""
    ann = (live.get("metadata") or {}).get("annotations")
    text = ann.get(LAST_APPLIED) if isinstance(ann, dict) else None
    if not isinstance(text, str) or not text:
        return EMPTY
    try:
        last = json.loads(text)
    except ValueError:
        return EMPTY
    if not isinstance(last, dict) or last.get("apiVersion") != api_version:
        return EMPTY
    try:
        fields = to_field_set(last, schema)
        cmp = compare(last, live, schema)
    except _TypedError:
        return EMPTY
    return frozenset(fields - cmp.added - cmp.modified - cmp.removed)


def _without_managed(obj: Obj) -> Obj:
    md = obj.get("metadata")
    if isinstance(md, dict) and "managedFields" in md:
        return {**obj, "metadata": {k: v for k, v in md.items() if k != "managedFields"}}
    return obj


def update_entries(old: Obj | None, new: Obj, *, manager: str, api_version: str, subresource: str,
                   schema: Schema, now: str) -> list[Obj]:
    """The managedFields after an Update (create, replace, non-apply patch) by ``manager``.
    ``old`` is None on create. Managed fields the request itself changed are taken as given."""
    old_md = (old or {}).get("metadata") or {}
    new_md = new.get("metadata") or {}
    entries = old_md.get("managedFields")
    given = new_md.get("managedFields")
    if isinstance(given, list) and given and not _same(given, entries) and not subresource:
        entries = given
    managers, times = decode(entries)
    before = _without_managed(old) if old is not None else _zero(new)
    after = _without_managed(new)
    for top in ("metadata", "spec", "status"):  # structs, not pointers: there, empty, in every object
        if top not in before and isinstance(after.get(top), dict):
            before = {**before, top: {}}
    keep = _keep(schema, subresource)
    current = ManagerId("\x00current-operation", "Update", api_version, subresource)
    managers, cmp = _update(before, after, api_version, managers, current, True, schema, keep)
    fields = _filter(cmp.added | cmp.modified, keep) - _STRIP
    mid = ManagerId(manager, "Update", api_version, subresource)
    if fields:
        prev = managers.get(mid)
        managers[mid] = Owned(fields | (prev.fields if prev else EMPTY), api_version, False)
        times[mid] = now
    return encode(managers, times)


def _zero(new: Obj) -> Obj:
    """What the zero value of the kind holds (structs that are not pointers are there, empty)."""
    zero: Obj = {"metadata": {}}
    spec = new.get("spec")
    if isinstance(spec, dict):
        z: Obj = {}
        if "template" in spec:
            z["template"] = {"metadata": {}, "spec": {"containers": []}}
        for s in ("strategy", "updateStrategy"):
            if s in spec:
                z[s] = {}
        if new.get("kind") == "Pod":
            z["containers"] = []
        zero["spec"] = z
    if isinstance(new.get("status"), dict):
        zero["status"] = {}
    return zero


def last_applied(config: Obj) -> str:
    """The ``kubectl.kubernetes.io/last-applied-configuration`` the apiserver keeps in step when
    ``kubectl`` applies server-side an object that has one."""
    c = deep_copy(config)
    md = c.get("metadata")
    if isinstance(md, dict):
        ann = md.get("annotations")
        if isinstance(ann, dict):
            ann.pop(LAST_APPLIED, None)
            if not ann:
                md.pop("annotations")
    return json.dumps(c, separators=(",", ":")) + "\n"


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def manager_from_user_agent(user_agent: str) -> str:
    """The manager of a request without ``fieldManager``: the User-Agent up to its first ``/``."""
    return user_agent.split("/", 1)[0] if user_agent else "unknown"
