"""An object as YAML text, like ``kubectl get -o yaml`` (UI-free).

kubectl marshals the API JSON through sigs.k8s.io/yaml: mapping keys sorted (which gives
apiVersion, kind, metadata, spec, status), sequences not indented under their key, strings that
would read as another type quoted, multi-line strings as ``|`` blocks, no line folding.
``managedFields`` is hidden unless asked for, and a Secret's values are masked unless decoding is
asked for on purpose (then its ``data`` shows the base64-decoded text).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import yaml

from k9py.kube.meta import deep_copy
from k9py.kube.yamlout import SafeDumper
from k9py.scenario.yamldoc import MAX_DEPTH

Obj = dict[str, Any]

MASK = "*****"
# What stands for a value nested past MAX_DEPTH (a live cluster takes 10,000 levels; the dumper
# and k9py's YAML reader go a few hundred at most): shown, never sent back (``e`` refuses such objects).
TOO_DEEP = f"<nested more than {MAX_DEPTH} levels deep: not shown>"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class _Dumper(SafeDumper):  # never an &id001 anchor (kube.yamlout)
    pass


STR = "tag:yaml.org,2002:str"


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar(STR, value, style="|")
    if value == "" or dumper.resolve(yaml.ScalarNode, value, (True, False)) != STR:
        # go-yaml double-quotes strings that would read as another type ("80", "true", times)
        return dumper.represent_scalar(STR, value, style='"')
    return dumper.represent_scalar(STR, value)


_Dumper.add_representer(str, _str)


def _decode(value: Any) -> str:
    """A Secret ``data`` value as text; binary data stays base64 with a note."""
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return str(value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"<binary data, {len(raw)} bytes, base64: {value}>"


def prepare(obj: Obj, *, managed_fields: bool = False, decode: bool = False) -> Obj:
    """The object as it should be shown: a copy, never the (shared) original."""
    out = deep_copy(obj)
    md = out.get("metadata")
    if isinstance(md, dict) and not managed_fields:
        md.pop("managedFields", None)
    if out.get("kind") == "Secret":
        for key in ("data", "stringData"):
            data = out.get(key)
            if isinstance(data, dict):
                if decode:
                    out[key] = {k: (_decode(v) if key == "data" else v) for k, v in data.items()}
                else:
                    out[key] = {k: MASK for k in data}
        annotations = (md or {}).get("annotations") if isinstance(md, dict) else None
        if isinstance(annotations, dict) and LAST_APPLIED in annotations and not decode:
            annotations[LAST_APPLIED] = MASK  # it holds the data too
    return out


def nesting(value: Any) -> int:
    """How many levels ``value`` nests (a scalar 1, ``{"a": 1}`` 2), as yamldoc counts them;
    walked without recursion, whatever the depth."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(v, dict):
            stack.extend((c, depth + 1) for c in v.values())
        elif isinstance(v, list):
            stack.extend((c, depth + 1) for c in v)
    return deepest


def _pruned(value: Any) -> Any:
    """A copy of ``value`` whose collections past MAX_DEPTH levels are TOO_DEEP (no recursion)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 1)]
    while stack:
        v, parent, key, depth = stack.pop()
        if isinstance(v, dict | list) and v and depth >= MAX_DEPTH:  # its children would pass the limit
            parent[key] = TOO_DEEP
        elif isinstance(v, dict):
            out: dict[Any, Any] = {}
            parent[key] = out
            stack.extend((c, out, k, depth + 1) for k, c in v.items())
        elif isinstance(v, list):
            items: list[Any] = [None] * len(v)
            parent[key] = items
            stack.extend((c, items, i, depth + 1) for i, c in enumerate(v))
        else:
            parent[key] = v
    return root[0]


def dump(obj: Any) -> str:
    """YAML text for any API-shaped value, kubectl style; what nests past MAX_DEPTH levels is
    TOO_DEEP (the dumper recurses: thousands of levels would end the app)."""
    if nesting(obj) > MAX_DEPTH:
        obj = _pruned(obj)
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=1 << 30, indent=2)


def to_yaml(obj: Obj, *, managed_fields: bool = False, decode: bool = False) -> str:
    return dump(prepare(obj, managed_fields=managed_fields, decode=decode))


def strip_for_edit(obj: Obj) -> Obj:
    """What ``e`` puts in the editor: the object without managedFields (kubectl edit keeps the
    rest, status included; the server ignores status changes on the main resource)."""
    out = deep_copy(obj)
    md = out.get("metadata")
    if isinstance(md, dict):
        md.pop("managedFields", None)
    return out
