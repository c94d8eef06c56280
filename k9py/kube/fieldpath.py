"""Field paths and field sets of server-side apply (structured-merge-diff's ``fieldpath``).

A path is a tuple of path elements, each one of
- ``("f", name)``: a field of a map (``f:replicas``),
- ``("k", ((name, value), ...))``: an item of an associative list by its keys, sorted by name
  (``k:{"containerPort":80,"protocol":"TCP"}``),
- ``("v", value)``: an item of a set (``v:"example.com/finalizer"``),
- ``("i", index)``: an item of a list by position (``i:0``).

A field set is a plain ``frozenset`` of paths: its *members* (what a manager owns). A path with
members below it is a *child* node; it is a member itself only when listed (``".": {}`` in the
FieldsV1 encoding). ``to_fields_v1``/``from_fields_v1`` are the managedFields encoding; ``path_string``
and ``iterate`` are the order and spelling the apiserver's conflict messages use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

PathElement = tuple[str, Any]
Path = tuple[PathElement, ...]
FieldSet = frozenset[Path]

EMPTY: FieldSet = frozenset()


def field(name: str) -> PathElement:
    return ("f", name)


def key(items: dict[str, Any]) -> PathElement:
    return ("k", tuple(sorted((k, _hashable(v)) for k, v in items.items())))


def value(v: Any) -> PathElement:
    return ("v", _hashable(v))


def index(i: int) -> PathElement:
    return ("i", i)


def make_path(*names: str) -> Path:
    return tuple(field(n) for n in names)


def _hashable(v: Any) -> Any:
    if isinstance(v, dict):
        return ("__map__", tuple(sorted((k, _hashable(x)) for k, x in v.items())))
    if isinstance(v, list):
        return ("__list__", tuple(_hashable(x) for x in v))
    return v


def _plain(v: Any) -> Any:
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "__map__":
        return {k: _plain(x) for k, x in v[1]}
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "__list__":
        return [_plain(x) for x in v[1]]
    return v


# -- order (PathElement.Compare, value.Compare) -------------------------------------------------

def _value_rank(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, int | float):
        return (0, v)
    if isinstance(v, str):
        return (1, v)
    if v is None:
        return (5, 0)
    if isinstance(v, tuple) and v and v[0] == "__list__":
        return (3, json.dumps(_plain(v), sort_keys=True))
    return (4, json.dumps(_plain(v), sort_keys=True))


_ELEMENT_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def element_order(pe: PathElement) -> tuple[Any, ...]:
    kind, v = pe
    if kind == "k":
        return (1, tuple((name, _value_rank(x)) for name, x in v))
    if kind == "v":
        return (2, _value_rank(v))
    return (_ELEMENT_RANK[kind], v)


# -- text ---------------------------------------------------------------------------------------

def _go_value(v: Any) -> str:
    """value.ToString: strings quoted, numbers and booleans bare."""
    v = _plain(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if v is None:
        return "null"
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(v, separators=(",", ":"))


def element_string(pe: PathElement) -> str:
    kind, v = pe
    if kind == "f":
        return "." + v
    if kind == "k":
        return "[" + ",".join(f"{name}={_go_value(x)}" for name, x in v) + "]"
    if kind == "v":
        return f"[={_go_value(v)}]"
    return f"[{v}]"


def path_string(path: Path) -> str:
    """``.spec.template.spec.containers[name="nginx"].image``, as conflicts print paths."""
    return "".join(element_string(pe) for pe in path)


# -- FieldsV1 -----------------------------------------------------------------------------------

def _json(v: Any) -> str:
    return json.dumps(_plain(v), separators=(",", ":"), ensure_ascii=False)


def element_key(pe: PathElement) -> str:
    kind, v = pe
    if kind == "f":
        return "f:" + v
    if kind == "k":
        return "k:" + json.dumps({name: _plain(x) for name, x in v}, separators=(",", ":"), ensure_ascii=False)
    if kind == "v":
        return "v:" + _json(v)
    return f"i:{v}"


def parse_element_key(s: str) -> PathElement:
    prefix, _, rest = s.partition(":")
    if prefix == "f":
        return field(rest)
    if prefix == "k":
        return key(json.loads(rest))
    if prefix == "v":
        return value(json.loads(rest))
    if prefix == "i":
        return index(int(rest))
    raise ValueError(f"unknown path element key: {s!r}")


def tree(fields: Iterable[Path]) -> dict[PathElement, Any]:
    """The paths as nested dicts, element → child node; ``"." : True`` in a node marks a member."""
    root: dict[Any, Any] = {}
    for p in fields:
        node = root
        for pe in p:
            node = node.setdefault(pe, {})
        node["."] = True
    return root


def to_fields_v1(fields: Iterable[Path]) -> dict[str, Any]:
    """The FieldsV1 encoding: ``{"f:spec": {"f:replicas": {}}}``, ``".": {}`` for a member with
    members below it, elements in the apiserver's order."""
    def emit(node: dict[Any, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if node.get(".") and len(node) > 1:
            out["."] = {}
        for pe in sorted((k for k in node if k != "."), key=element_order):
            out[element_key(pe)] = emit(node[pe])
        return out
    return emit(tree(fields))


def from_fields_v1(doc: Any) -> FieldSet:
    out: set[Path] = set()

    def walk(node: Any, prefix: Path) -> None:
        if not isinstance(node, dict):
            return
        if prefix and (not node or "." in node):
            out.add(prefix)
        for k, child in node.items():
            if k == ".":
                continue
            try:
                pe = parse_element_key(k)
            except (ValueError, TypeError):
                continue
            walk(child, (*prefix, pe))
    walk(doc, ())
    return frozenset(out)


# -- algebra ------------------------------------------------------------------------------------

def has_prefix(path: Path, prefixes: FieldSet) -> bool:
    """Whether ``path`` or one of its ancestors is in ``prefixes``."""
    return any(path[:i] in prefixes for i in range(1, len(path) + 1))


def recursive_difference(fields: FieldSet, remove: FieldSet) -> FieldSet:
    """Set.RecursiveDifference: drop every path at or below a path of ``remove``."""
    if not remove:
        return fields
    return frozenset(p for p in fields if not has_prefix(p, remove))


def iterate(fields: Iterable[Path]) -> list[Path]:
    """Set.Iterate's order: at each level the members (sorted), then each child's subtree."""
    root = tree(fields)
    out: list[Path] = []

    def walk(node: dict[Any, Any], prefix: Path) -> None:
        elems = sorted((k for k in node if k != "."), key=element_order)
        for pe in elems:
            if node[pe].get("."):
                out.append((*prefix, pe))
        for pe in elems:
            walk(node[pe], (*prefix, pe))
    walk(root, ())
    return out
