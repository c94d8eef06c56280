"""Which pods `kubectl drain` evicts from a node, and what makes it refuse (kubectl's filters).

Shared by every backend: the simulator's and the live one evict what this returns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from k9py.errors import K9pyError
from k9py.kube import meta

Obj = dict[str, Any]

MIRROR = "kubernetes.io/config.mirror"


def pods_to_evict(node: str, pods: Iterable[Obj], *, ignore_daemonsets: bool, force: bool,
                  delete_emptydir_data: bool) -> list[Obj]:
    """The pods on ``node`` to evict; K9pyError with kubectl's messages if any pod is not allowed
    (kubectl refuses the whole drain then). Static (mirror) pods are skipped, DaemonSet pods are
    skipped with ``ignore_daemonsets``, finished pods are always evicted."""
    errors: list[str] = []
    evict: list[Obj] = []
    daemons: list[str] = []
    local: list[str] = []
    unmanaged: list[str] = []
    for p in pods:
        if (p.get("spec") or {}).get("nodeName") != node or meta.is_deleting(p):
            continue
        ref = meta.controller_ref(p) or {}
        pname = f"{meta.namespace(p)}/{meta.name(p)}"
        if MIRROR in meta.annotations(p):
            continue
        if ref.get("kind") == "DaemonSet":
            daemons.append(pname)
            continue
        if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            evict.append(p)
            continue
        if not ref:
            unmanaged.append(pname)
        if any("emptyDir" in v for v in (p.get("spec") or {}).get("volumes") or []):
            local.append(pname)
        evict.append(p)
    if daemons and not ignore_daemonsets:
        errors.append(f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {', '.join(daemons)}")
    if unmanaged and not force:
        errors.append("cannot delete Pods that declare no controller (use --force to override): " + ", ".join(unmanaged))
    if local and not delete_emptydir_data:
        errors.append("cannot delete Pods with local storage (use --delete-emptydir-data to override): " + ", ".join(local))
    if errors:
        raise K9pyError("cannot drain node " + repr(node) + ": " + "; ".join(errors))
    return evict

