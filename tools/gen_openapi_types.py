"""Generate k9py/data/openapi/types.json: the structure (field names, types, required) of every
built-in kind, from the official Python client's models (a test-time dependency of k9py).

Only structure is taken: names, types and which fields are required. The descriptions served by
``k9py serve``'s OpenAPI are k9py's own (k9py/serve/openapi_text.py). Run from the repository root:

    .venv/bin/python tools/gen_openapi_types.py
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import kubernetes.client as k
from kubernetes.client import models

OUT = Path(__file__).resolve().parents[1] / "k9py" / "data" / "openapi" / "types.json"
META = {"ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference",
        "ManagedFieldsEntry", "Condition", "Status", "StatusDetails", "StatusCause", "DeleteOptions",
        "Preconditions", "Time", "MicroTime"}
QUANTITY_MAPS = {"requests", "limits", "capacity", "allocatable", "hard", "used", "default", "defaultRequest",
                 "max", "min", "maxLimitRequestRatio", "overhead", "allocatedResources"}
INT_OR_STRING = {"targetPort", "port", "maxSurge", "maxUnavailable", "minAvailable", "partition"}
PREFIX = re.compile(r"^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$")


def split(cls: str) -> tuple[str, str]:
    """Python class name -> (version, type name): CoreV1Event -> (v1, Event)."""
    m = PREFIX.match(cls)
    if not m:
        raise ValueError(cls)
    return m.group(2).lower(), m.group(3)


def served_kinds() -> dict[str, tuple[str, str]]:
    """Python class -> (group, version) for each kind an API group serves."""
    out: dict[str, tuple[str, str]] = {}
    for name in dir(k):
        if not re.fullmatch(r"\w+V\d+(alpha\d+|beta\d+)?Api", name):
            continue
        src = inspect.getsource(getattr(k, name))
        paths = re.findall(r"'/(api|apis)/([^']+)'", src)
        if not paths:
            continue
        root, rest = paths[0]
        parts = rest.split("/")
        group, version = ("", parts[0]) if root == "api" else (parts[0], parts[1])
        for cls in set(re.findall(r'"(\w+)"', src)) | set(re.findall(r"body: (\w+)", src)):
            model = getattr(models, cls, None)
            if model is None or not hasattr(model, "attribute_map"):
                continue
            fields = set(model.attribute_map.values())
            if {"kind", "apiVersion", "metadata"} <= fields and not cls.endswith("List") and "items" not in fields:
                out.setdefault(cls, (group, version))
    return out


def main() -> None:
    kinds = served_kinds()
    names: dict[str, str] = {}

    def canonical(cls: str, group: str) -> str:
        if cls in names:
            return names[cls]
        version, name = split(cls)
        if name in META:
            full = f"io.k8s.apimachinery.pkg.apis.meta.{version}.{name}"
        elif group == "apiextensions.k8s.io":
            full = f"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.{name}"
        else:
            full = f"io.k8s.api.{group.split('.')[0] or 'core'}.{version}.{name}"
        if full in names.values():  # two client classes, one name (CoreV1X and DiscoveryV1X met in one group)
            full = f"{full.rsplit('.', 1)[0]}.{cls}"
        names[cls] = full
        return full

    types: dict[str, list[list[Any]]] = {}

    def spec(t: str, field: str, group: str, todo: list[tuple[str, str]]) -> str:
        if t.startswith("List["):
            return "[]" + spec(t[5:-1], field, group, todo)
        if t.startswith("Dict[str, "):
            inner = t[10:-1]
            if inner == "str" and field in QUANTITY_MAPS:
                return "{}quantity"
            return "{}" + spec(inner, field, group, todo)
        prim = {"str": "string", "int": "integer", "bool": "boolean", "float": "number", "datetime": "date-time",
                "bytearray": "byte", "bytes": "byte"}
        if t in prim:
            if t == "str" and field in ("quantity",):
                return "quantity"
            return prim[t]
        if t == "object":
            return "int-or-string" if field in INT_OR_STRING else "object"
        todo.append((t, group))
        return canonical(t, group)

    order = sorted(kinds, key=lambda c: (kinds[c][0] != "", kinds[c][0], c))  # core first
    kind_index: dict[str, str] = {}
    for cls in order:
        group, version = kinds[cls]
        _, kind = split(cls)
        kind_index[f"{group}/{version}/{kind}" if group else f"{version}/{kind}"] = canonical(cls, group)
        todo = [(cls, group)]
        while todo:
            c, g = todo.pop()
            name = canonical(c, g)
            if name in types:
                continue
            model = getattr(models, c)
            fields_info = model.model_fields
            row: list[list[Any]] = []
            types[name] = row
            for py, js in model.attribute_map.items():
                info = fields_info.get(py) or fields_info.get("var" + py) or fields_info.get("var_" + py)
                req = 1 if info is not None and info.is_required() else 0
                row.append([js, spec(model.openapi_types[py], js, g, todo), req])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"kinds": kind_index, "types": types}, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{len(kind_index)} kinds, {len(types)} types -> {OUT}")


if __name__ == "__main__":
    main()
