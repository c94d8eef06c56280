"""The apiserver's words for a body field of the wrong JSON type: its decoder is Go's
``encoding/json``, which says ``json: cannot unmarshal string into Go struct field
DeploymentSpec.spec.replicas of type int32`` (the struct that holds the field, the path of JSON
keys to it, the field's Go type). The Go types are read from the served schema's data
(``serve/openapi_schemas``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from k9py.kube import quantity
from k9py.serve.openapi_schemas import integer_format, kind_schema_name, type_fields

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_JSON_KINDS = ((bool, "bool"), (str, "string"), (int, "number"), (float, "number"), (dict, "object"),
               (list, "array"))


def _json_kind(value: Any) -> str | None:
    for t, name in _JSON_KINDS:
        if isinstance(value, t):
            return name
    return None


def string_list_error(struct: str, field: str, value: Any) -> str | None:
    """Go's message when ``value`` does not decode into the ``[]string`` field ``struct.field``
    (``DeleteOptions.dryRun``); None when it does (null, or a list of strings and nulls)."""
    if value is None:
        return None
    if not isinstance(value, list):
        got, go = _json_kind(value), "[]string"
    else:
        got = next((_json_kind(v) for v in value if v is not None and not isinstance(v, str)), None)
        go = "string"
    return None if got is None else f"json: cannot unmarshal {got} into Go struct field {struct}.{field} of type {go}"


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


def value_and_go_type(group: str, version: str, kind: str, path: str, obj: Any) -> tuple[Any, str] | None:
    """(the value at ``path`` of ``obj``, the Go type of its field), or None when the schema
    data cannot say (a time, a quantity, an int-or-string, a free object)."""
    found = _walk(group, version, kind, path, obj)
    if found is None:
        return None
    spec, value, keys, _struct_name = found
    go = _go_name(spec, keys[-1] if keys else "")
    return None if go is None or not keys else (value, go)


def _walk(group: str, version: str, kind: str, path: str, obj: Any) -> tuple[str, Any, list[str], str] | None:
    """(the schema spec of the field at ``path``, its value, the JSON keys to it, the Go struct
    that holds it)."""
    type_name = kind_schema_name(group, version, kind)
    if type_name is None:
        return None
    spec, keys, value, struct = type_name, [], obj, ""
    pos = 0
    while pos < len(path):
        if path[pos] == ".":
            pos += 1
        if spec.startswith("{}"):  # a map's key: Go names the map's field, not the key
            # the key is the rest of the path up to the value's own fields, and may hold dots and
            # brackets itself (data.app.port, metadata.annotations.prometheus.io/scrape): the
            # longest key of the map the rest of the path starts with
            rest = path[pos:]
            key = max((k for k in value if isinstance(k, str) and (rest == k or rest.startswith((k + ".", k + "[")))),
                      key=len, default=None) if isinstance(value, dict) else None
            if key is None:
                return None
            spec, value, pos = spec[2:], value[key], pos + len(key)
            continue
        m = _PART.match(path, pos)
        if m is None:
            return None
        name, index = m.groups()
        pos = m.end()
        if index:
            if not spec.startswith("[]") or not isinstance(value, list) or int(index) >= len(value):
                return None
            spec, value = spec[2:], value[int(index)]
            continue
        fields = _fields(spec)
        if fields is None or not isinstance(value, dict) or name not in fields or name not in value:
            return None
        struct = spec.rsplit(".", 1)[-1]
        spec, value = fields[name], value[name]
        keys.append(name)
    return spec, value, keys, struct


def unmarshal_error(group: str, version: str, kind: str, path: str, obj: Any) -> str | None:
    """Go's message for the value at ``path`` (``spec.template.spec.containers[0].image``) of
    ``obj``, a ``kind`` body, when it has the wrong JSON type; None when the schema data cannot
    say (the caller keeps its own words)."""
    found = _walk(group, version, kind, path, obj)
    if found is None:
        return None
    spec, value, keys, struct = found
    go = _go_name(spec, keys[-1] if keys else "")
    own, err = _own_decoder(spec, go, value)
    if own:
        return err
    got = _json_kind(value)
    if go is None or got is None or not keys or _fits(got, value, go):
        return None  # (the right JSON type: a wrong value, which the caller words)
    return _message(got, value, go, struct, keys)


def _own_decoder(spec: str, go: str | None, value: Any) -> tuple[bool, str | None]:
    """(whether the field's type decodes ``value`` itself rather than encoding/json's type check,
    what it says: a Quantity's UnmarshalJSON, with no field; []byte's base64 of a string)."""
    if spec == "quantity":
        return True, quantity.go_error(value)
    if go == "[]uint8" and isinstance(value, str):
        return True, base64_error(value)
    return False, None


def _message(got: str, value: Any, go: str, struct: str, keys: list[str]) -> str:
    """Go's UnmarshalTypeError text."""
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


@lru_cache(maxsize=1024)
def _fields(name: str) -> dict[str, str] | None:
    return type_fields(name)


def first_wrong_type(group: str, version: str, kind: str, obj: Any) -> tuple[str, str] | None:
    """(path, Go's message) of the first value of ``obj`` (a ``kind`` body, in its keys' order,
    as the decoder reads the text) whose JSON type its field's Go type does not take; None if
    every field the schema data types is of a type it takes."""
    type_name = kind_schema_name(group, version, kind)
    if type_name is None or not isinstance(obj, dict):
        return None
    return _struct(type_name, obj, "", [])


def _struct(spec: str, value: dict, path: str, keys: list[str]) -> tuple[str, str] | None:
    fields = _fields(spec)
    if fields is None:
        return None
    struct = spec.rsplit(".", 1)[-1]
    for name, v in value.items():
        field_spec = fields.get(name)
        if field_spec is None or v is None:
            continue  # (an unknown field is fieldcheck's; null is the zero value)
        found = _value(field_spec, v, f"{path}.{name}" if path else name, [*keys, name], struct)
        if found is not None:
            return found
    return None


_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_error(text: str) -> str | None:
    """What Go's ``base64.StdEncoding.Decode`` says of a JSON string decoded into ``[]byte`` (a
    Secret's data), or None when it decodes: its ``decodeQuantum``, quantum by quantum (newlines
    skipped; ``=`` padding where it belongs), ``illegal base64 data at input byte N``."""
    src = text.encode()
    si, end = 0, len(src)

    def corrupt(at: int) -> str:
        return f"illegal base64 data at input byte {at}"

    while si < end:
        j = 0
        while j < 4:
            if si == end:
                if j == 0:
                    return None
                return corrupt(si - j)  # (a padded encoding: a short quantum)
            c = src[si]
            si += 1
            if c in _B64:
                j += 1
                continue
            if c in b"\r\n":
                continue
            if c != ord("="):
                return corrupt(si - 1)
            if j in (0, 1):
                return corrupt(si - 1)  # padding too early
            if j == 2:  # "==" expected: the first is read
                while si < end and src[si] in b"\r\n":
                    si += 1
                if si == end:
                    return corrupt(end)
                if src[si] != ord("="):
                    return corrupt(si - 1)
                si += 1
            while si < end and src[si] in b"\r\n":
                si += 1
            return corrupt(si) if si < end else None  # anything after the padding
    return None


def _value(spec: str, v: Any, path: str, keys: list[str], struct: str) -> tuple[str, str] | None:
    go = _go_name(spec, keys[-1])
    own, err = _own_decoder(spec, go, v)
    if own:
        return None if err is None else (path, err)
    if go is None:
        return None  # (a time, an int-or-string, a free object: other checks)
    got = _json_kind(v)
    if got is None:
        return None
    if not _fits(got, v, go):
        return path, _message(got, v, go, struct, keys)
    if spec.startswith("[]") and go != "[]uint8":
        for i, item in enumerate(v):
            if item is not None:
                found = _value(spec[2:], item, f"{path}[{i}]", keys, struct)
                if found is not None:
                    return found
    elif spec.startswith("{}"):
        for k, item in v.items():
            if item is not None:
                found = _value(spec[2:], item, f"{path}.{k}", keys, struct)
                if found is not None:
                    return found
    elif isinstance(v, dict):
        return _struct(spec, v, path, keys)
    return None
