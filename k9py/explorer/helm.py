"""`ctrl-d` in `:helm`: `helm uninstall` without Helm (no Textual).

What Helm's ``action.Uninstall`` does for a release without hooks: the objects of its manifest
deleted in Helm's uninstall order (``helm.sh/resource-policy: keep`` ones left), then every
revision's Secret. The release's delete hooks are not run (k9py does not render charts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from k9py.backends.base import Backend, StatusError
from k9py.errors import K9pyError
from k9py.kube import resources
from k9py.view import helm

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
