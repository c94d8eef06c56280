"""`ctrl-d` in `:helm` and `r` in a release's history: `helm uninstall` and `helm rollback` without
Helm (no Textual). Hooks are not run (k9py does not render charts).

Uninstall (Helm's ``action.Uninstall``): the objects of its manifest deleted in Helm's uninstall
order (``helm.sh/resource-policy: keep`` ones left), then every revision's Secret.

Rollback (``action.Rollback``): a new revision (the latest + 1) with the chosen revision's chart,
values and manifest, description ``Rollback to N``; the manifest's objects patched from the current
revision's to the chosen one's (created when missing; the current's objects the chosen one lacks
deleted), then the new revision deployed and the ones deployed before superseded."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from k9py.backends.base import Backend, StatusError
from k9py.errors import K9pyError
from k9py.kube import meta, resources
from k9py.kube.patch import create_strategic_merge_patch
from k9py.kube.timefmt import rfc3339_nano
from k9py.view import helm

Obj = dict[str, Any]

Key = tuple[str, str]


@dataclass
class Uninstalled:
    deleted: list[str] = field(default_factory=list)  # kind/name of what was deleted
    kept: list[str] = field(default_factory=list)  # kept by helm.sh/resource-policy
    errors: list[str] = field(default_factory=list)


async def uninstall(backend: Backend, rel: helm.Release, secrets: Iterable[Key], *,
                    propagation: str | None = "Background", grace_period: int | None = None) -> Uninstalled:
    """Delete ``rel``'s objects, then its revisions' Secrets (``secrets``: their keys). Objects
    already gone are no error; a refusal is (the Secrets then stay, as Helm leaves the release
    when its resources could not be deleted)."""
    out = Uninstalled()
    try:
        targets, out.kept = helm.manifest_objects(rel.manifest)
    except helm.ReleaseError as err:
        out.errors.append(f"{rel.namespace}/{rel.name}: {err}")
        return out
    if rel.error:
        out.errors.append(f"{rel.namespace}/{rel.name}: {rel.error}: its objects are unknown")
        return out
    for t in targets:
        ns = (t.namespace or rel.namespace) if _namespaced(t.kind) else None
        try:
            await backend.delete(t.kind, ns, t.name, propagation=propagation, grace_period=grace_period)
        except StatusError as err:
            if err.code != 404:
                out.errors.append(str(err))
                continue
        except K9pyError as err:
            out.errors.append(str(err))
            continue
        out.deleted.append(f"{t.kind}/{t.name}")
    if out.errors:
        return out
    for ns, name in secrets:
        try:
            await backend.delete("Secret", ns, name)
        except StatusError as err:
            if err.code != 404:
                out.errors.append(str(err))
        except K9pyError as err:
            out.errors.append(str(err))
    return out


def _namespaced(kind: str) -> bool:
    res = resources.BY_KIND.get(kind)
    return True if res is None else res.namespaced


@dataclass
class RolledBack:
    version: int = 0  # the new revision
    errors: list[str] = field(default_factory=list)


def _objects(manifest: str) -> dict[tuple[str, str, str], Obj]:
    """A manifest's objects by (kind, namespace as written, name), in its order."""
    import yaml
    out: dict[tuple[str, str, str], Obj] = {}
    for d in yaml.safe_load_all(manifest):
        if type(d) is dict and d.get("kind") and meta.name(d):
            out[(str(d["kind"]), meta.namespace(d), meta.name(d))] = d
    return out


async def rollback(backend: Backend, revisions: list[Obj], to: int) -> RolledBack:
    """`helm rollback NAME TO` over ``revisions`` (the release's Secrets)."""
    out = RolledBack()
    rels = sorted((helm.release(s) for s in revisions), key=lambda r: r.version)
    if not rels:
        out.errors.append("the release has no revisions")
        return out
    current, target = rels[-1], next((r for r in rels if r.version == to), None)
    name = f"{current.namespace}/{current.name}"
    if target is None:
        out.errors.append(f"{name}: release has no {to} version")
        return out
    for r in (current, target):
        if r.error:
            out.errors.append(f"{name}: revision {r.version}: {r.error}")
            return out
    if current.status.startswith("pending") or current.status == "uninstalling":
        out.errors.append(f"{name}: another operation (install/upgrade/rollback) is in progress")
        return out
    try:
        before, after = _objects(current.manifest), _objects(target.manifest)
    except Exception as err:
        out.errors.append(f"{name}: the release's manifest is not YAML: {err}")
        return out
    now = backend.now()
    new = meta.deep_copy(target.data)
    new["version"] = out.version = current.version + 1
    new["info"] = {"first_deployed": meta.dig(current.data, "info", "first_deployed") or rfc3339_nano(now),
                   "last_deployed": rfc3339_nano(now), "deleted": "", "description": f"Rollback to {to}",
                   "status": "pending-rollback", **({"notes": target.notes} if target.notes else {})}
    stamp = int(time.time())
    try:
        await backend.create(helm.release_secret(new, stamp))
    except K9pyError as err:
        out.errors.append(str(err))
        return out
    for (kind, ns, obj_name), obj in after.items():
        where = (ns or current.namespace) if _namespaced(kind) else None
        try:
            live = await backend.find(kind, where, obj_name)
            if live is None:
                body = meta.deep_copy(obj)
                if where is not None:
                    body.setdefault("metadata", {})["namespace"] = where
                await backend.create(body)
            else:
                patch = create_strategic_merge_patch(before.get((kind, ns, obj_name)) or {}, obj)
                if patch:
                    await backend.patch(kind, where, obj_name, patch, patch_type="strategic")
        except K9pyError as err:
            out.errors.append(str(err))
    for (kind, ns, obj_name), obj in before.items():
        if (kind, ns, obj_name) in after or meta.annotations(obj).get(helm.KEEP) == "keep":
            continue
        try:
            await backend.delete(kind, (ns or current.namespace) if _namespaced(kind) else None, obj_name)
        except StatusError as err:
            if err.code != 404:
                out.errors.append(str(err))
        except K9pyError as err:
            out.errors.append(str(err))
    if out.errors:  # Helm: the new revision failed, the one deployed stays
        new["info"].update(status="failed", description=f"Rollback \"{current.name}\" failed: {out.errors[0]}")
        await _store(backend, new, stamp, out)
        return out
    for r in rels:  # every revision deployed before is superseded
        if r.status == "deployed":
            old = meta.deep_copy(r.data)
            old["info"] = {**(old.get("info") or {}), "status": "superseded"}
            await _store(backend, old, stamp, out)
    new["info"]["status"] = "deployed"
    await _store(backend, new, stamp, out)
    return out


async def _store(backend: Backend, rel: Obj, stamp: int, out: RolledBack) -> None:
    """Write ``rel`` over its Secret (data and labels: Helm's driver ``Update``)."""
    secret = helm.release_secret(rel, stamp)
    try:
        await backend.patch("Secret", meta.namespace(secret), meta.name(secret),
                            {"metadata": {"labels": meta.labels(secret)}, "data": secret["data"]})
    except K9pyError as err:
        out.errors.append(str(err))
