"""What the apiserver checks on a Node (pkg/apis/core/validation ValidateNode): taints.

The scheduler, the node lifecycle controller and the DaemonSet controller read taints on every
pass, so a malformed one must be refused here rather than reach them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import invalid
from k9py.sim.admission import admits

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


@admits("Node")
def admit_node(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    name = meta.name(obj)
    spec = obj.get("spec")
    if spec is None:
        obj["spec"] = spec = {}
    if not isinstance(spec, dict):
        raise invalid("Node", name, [("spec", "Invalid value: must be an object")])
    causes = taint_errors(spec.get("taints"))
    unsched = spec.get("unschedulable")
    if unsched is not None and not isinstance(unsched, bool):
        causes.append(("spec.unschedulable", f"Invalid value: {json.dumps(unsched)}: must be a boolean"))
    if causes:
        raise invalid("Node", name, causes)


def taint_errors(taints: Any) -> list[tuple[str, str]]:
    if taints is None:
        return []
    if not isinstance(taints, list):
        return [("spec.taints", f"Invalid value: {json.dumps(taints)}: must be a list")]
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(taints):
        p = f"spec.taints[{i}]"
        if not isinstance(t, dict):
            out.append((p, f"Invalid value: {json.dumps(t)}: must be an object"))
            continue
        key, effect, value = t.get("key"), t.get("effect"), t.get("value", "")
        if not isinstance(key, str) or not key:
            out.append((f"{p}.key", f"Invalid value: {json.dumps(key if key is not None else '')}: name part must be non-empty"))
        if not isinstance(value, str):
            out.append((f"{p}.value", f"Invalid value: {json.dumps(value)}: must be a string"))
        if not effect:
            out.append((f"{p}.effect", "Required value"))
        elif effect not in TAINT_EFFECTS:
            out.append((f"{p}.effect", f"Unsupported value: {json.dumps(effect)}: supported values: "
                                       + ", ".join(f'"{e}"' for e in TAINT_EFFECTS)))
        if isinstance(key, str) and isinstance(effect, str):
            if (key, effect) in seen:
                out.append((p, f'Duplicate value: "{key}:{effect}": taints must be unique by key and effect pair'))
            seen.add((key, effect))
    return out
