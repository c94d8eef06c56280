"""What the apiserver does to an object before storing it: defaulting, validation, allocation.

Each kind's rules live beside its controller and register here with ``@admits("Kind")``; the
function receives ``(cluster, obj, old)`` (``old`` is None on create), changes ``obj`` in place
(defaults, allocated IPs / ports) and raises ``ApiError`` (usually ``status.invalid``) to reject.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from k9py.kube.status import invalid

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
Admitter = Callable[["Cluster", Obj, "Obj | None"], None]

_ADMITTERS: dict[str, list[Admitter]] = {}
CUSTOM = "*custom*"  # the admitters of every custom resource (a kind a CRD adds), see sim/crds.py


def admits(kind: str) -> Callable[[Admitter], Admitter]:
    def register(fn: Admitter) -> Admitter:
        _ADMITTERS.setdefault(kind, []).append(fn)
        return fn
    return register


_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789-.")


def validate_metadata(obj: Obj) -> None:
    md = obj.get("metadata")
    kind = obj.get("kind", "")
    if not isinstance(md, dict):
        raise invalid(kind, "", [("metadata", "Required value")])
    name = md.get("name") or ""
    if not name and not md.get("generateName"):
        raise invalid(kind, "", [("metadata.name", "Required value: name or generateName is required")])
    if name and (len(name) > 253 or not set(name) <= _NAME_OK or not name[0].isalnum() or not name[-1].isalnum()):
        raise invalid(kind, name, [("metadata.name", f"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")])
    for field in ("labels", "annotations"):
        value = md.get(field)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise invalid(kind, name, [(f"metadata.{field}", "Invalid value: values must be strings")])


def admit(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    validate_metadata(obj)
    kind = obj.get("kind", "")
    fns = _ADMITTERS.get(kind)
    if fns is None:
        res = cluster.api_resources().kind(kind)
        fns = _ADMITTERS.get(CUSTOM, []) if res is not None and res.crd else []
    for fn in fns:
        fn(cluster, obj, old)
