"""The apiserver's words for a body field of the wrong JSON type: its decoder is Go's
``encoding/json``, which says ``json: cannot unmarshal string into Go struct field
DeploymentSpec.spec.replicas of type int32`` (the struct that holds the field, the path of JSON
keys to it, the field's Go type). The Go types are read from the served schema's data
(``serve/openapi_schemas``)."""

from __future__ import annotations

import re
from typing import Any

from k9py.serve.openapi_schemas import integer_format, kind_schema_name, type_fields

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_JSON_KINDS = ((bool, "bool"), (str, "string"), (int, "number"), (float, "number"), (dict, "object"),
               (list, "array"))


def _json_kind(value: Any) -> str | None:
    for t, name in _JSON_KINDS:
        if isinstance(value, t):
            return name
    return None


def _go_name(spec: str, field: str) -> str | None:
    """The Go type of a field's spec (None: one whose decoder says something else: a time, a
    quantity, an int-or-string, a free object)."""
    if spec.startswith("[]"):
        inner = _go_name(spec[2:], field)
        return None if inner is None else "[]" + inner
    if spec.startswith("{}"):
        inner = _go_name(spec[2:], field)
        return None if inner is None else "map[string]" + inner
    simple = {"string": "string", "boolean": "bool", "number": "float64", "byte": "[]uint8"}
    if spec in simple:
        return simple[spec]
    if spec == "integer":
        return integer_format(field)
    if spec in ("date-time", "quantity", "int-or-string", "object"):
        return None
    package, _, short = spec.rpartition(".")
    return f"{package.rsplit('.', 1)[-1]}.{short}"


def unmarshal_error(group: str, version: str, kind: str, path: str, obj: Any) -> str | None:
    """Go's message for the value at ``path`` (``spec.template.spec.containers[0].image``) of
    ``obj``, a ``kind`` body, when it has the wrong JSON type; None when the schema data cannot
    say (the caller keeps its own words)."""
    type_name = kind_schema_name(group, version, kind)
    if type_name is None:
        return None
    spec, struct, keys, value = type_name, "", [], obj
    for name, index in _PART.findall(path):
        if index:
            if not spec.startswith("[]") or not isinstance(value, list) or int(index) >= len(value):
                return None
            spec, value = spec[2:], value[int(index)]
            continue
        fields = type_fields(spec)
        if fields is None or not isinstance(value, dict) or name not in fields or name not in value:
            return None
        struct = spec.rsplit(".", 1)[-1]
        spec, value = fields[name], value[name]
        keys.append(name)
    go, got = _go_name(spec, keys[-1] if keys else ""), _json_kind(value)
    if go is None or got is None or not keys or _fits(got, value, go):
        return None  # (the right JSON type: a wrong value, which the caller words)
    if go == "string" and keys[-1] == "uid":
        go = "types.UID"  # the schema says string; Go's decoder names the named type
    if got == "number" and go.startswith("int"):
        got = f"number {value}"  # Go quotes a number it cannot take as an integer (1.5 into an int32)
    return f"json: cannot unmarshal {got} into Go struct field {struct}.{'.'.join(keys)} of type {go}"


def _fits(got: str, value: Any, go: str) -> bool:
    """Whether a value of JSON type ``got`` decodes into Go type ``go``."""
    if go.startswith("int"):
        if got != "number" or not (isinstance(value, int) or float(value).is_integer()):
            return False
        bits = {"int32": 31, "int64": 63}.get(go)
        return bits is None or -(1 << bits) <= int(value) < 1 << bits  # Go: "cannot unmarshal number 1e10 ... int32"
    expected = {"string": "string", "bool": "bool", "float64": "number"}.get(go)
    if expected is None:
        expected = "array" if go.startswith("[]") else "object"
    return got == expected
