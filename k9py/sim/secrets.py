"""What the apiserver does to a Secret on every write: ``stringData`` merged into the base64 ``data``
(``stringData`` wins) and never stored, ``type`` defaulted to ``Opaque``; the validation that
goes with it (key names, the keys a typed Secret needs, an immutable type, `immutable: true`).
A ConfigMap's validation too (ValidateConfigMap: key names, a key in both ``data`` and
``binaryData``, `immutable: true`)."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from k9py.kube.status import invalid
from k9py.sim.admission import admits

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

OPAQUE = "Opaque"
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# Keys a Secret of these types must carry (pkg/apis/core/validation ValidateSecret).
REQUIRED_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def merge_string_data(obj: Obj) -> None:
    """``stringData`` into ``data`` (base64), in place; ``stringData`` removed."""
    string_data = obj.pop("stringData", None)
    if not string_data or not isinstance(string_data, dict):
        return
    data = obj.get("data")
    if not isinstance(data, dict):
        data = obj["data"] = {}
    for key, value in string_data.items():
        data[key] = base64.b64encode(str(value).encode()).decode()


def config_key_errors(field: str, key: str) -> list[tuple[str, str]]:
    """apimachinery's IsConfigMapKey of a Secret's or ConfigMap's key, as (field, message) pairs."""
    why = []
    if len(key) > 253:
        why.append("must be no more than 253 characters")
    if not _KEY.match(key):
        why.append("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                   "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
    if key == ".":
        why.append("must not be '.'")
    elif key == "..":
        why.append("must not be '..'")
    elif key.startswith(".."):
        why.append("must not start with '..'")
    return [(f"{field}[{key}]", f'Invalid value: "{key}": {w}') for w in why]


def _errors(obj: Obj, old: Obj | None) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    data = obj.get("data") or {}
    for key in data:
        errs += config_key_errors("data", str(key))
    type_ = obj["type"]
    for key in REQUIRED_KEYS.get(type_, ()):
        if key not in data:
            errs.append((f"data[{key}]", "Required value"))
    if type_ == "kubernetes.io/basic-auth" and "username" not in data and "password" not in data:
        errs.append(("data[username]", "Required value: either username or password or both must be provided"))
    if old is not None:
        old_type = old.get("type") or OPAQUE
        if type_ != old_type:
            errs.append(("type", f'Invalid value: "{type_}": field is immutable'))
        if old.get("immutable") is True:
            if obj.get("data") != old.get("data"):
                errs.append(("data", "Forbidden: field is immutable when `immutable` is set"))
            if obj.get("immutable") is not True:
                errs.append(("immutable", "Forbidden: field is immutable when `immutable` is set"))
    return errs


@admits("Secret")
def admit_secret(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    merge_string_data(obj)
    if not obj.get("type"):
        obj["type"] = OPAQUE
    errs = _errors(obj, old)
    if errs:
        raise invalid("Secret", obj["metadata"].get("name", ""), errs)


def _configmap_errors(obj: Obj, old: Obj | None) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    data, binary = obj.get("data"), obj.get("binaryData")
    data = data if isinstance(data, dict) else {}
    binary = binary if isinstance(binary, dict) else {}
    for key in data:
        errs += config_key_errors("data", str(key))
        if key in binary:
            errs.append((f"data[{key}]", f'Invalid value: "{key}": duplicate of key present in binaryData'))
    for key in binary:
        errs += config_key_errors("binaryData", str(key))
    if old is not None and old.get("immutable") is True:
        if obj.get("immutable") is not True:
            errs.append(("immutable", "Forbidden: field is immutable when `immutable` is set"))
        for field in ("data", "binaryData"):
            if (obj.get(field) or {}) != (old.get(field) or {}):
                errs.append((field, "Forbidden: field is immutable when `immutable` is set"))
    return errs


@admits("ConfigMap")
def admit_configmap(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    errs = _configmap_errors(obj, old)
    if errs:
        raise invalid("ConfigMap", obj["metadata"].get("name", ""), errs)
