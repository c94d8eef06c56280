"""Field management of API requests: who writes (``fieldManager``, else the User-Agent's first
word, as the apiserver names managers) and server-side apply (``kube/fieldmanager.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import fieldmanager
from k9py.kube import meta as kmeta
from k9py.kube import patch as kpatch
from k9py.kube.status import invalid
from k9py.sim.managedfields import Writer, now, schema_for
from k9py.sim.names import go_quote

if TYPE_CHECKING:
    from k9py.serve.api import Route
    from k9py.serve.http import Request

Obj = dict[str, Any]


def manager(req: Request) -> str:
    return req.q("fieldManager") or fieldmanager.manager_from_user_agent(req.headers.get("user-agent", ""))


def writer(req: Request, route: Route, subresource: str = "") -> Writer:
    """The Update writer of a create, replace or non-apply patch."""
    return Writer(manager(req), route.res.api_version, subresource)


def applier(req: Request, route: Route, applied: Obj, subresource: str = "") -> Writer:
    """The writer of an apply: ``applied`` is what ``apply`` made, its managedFields stored as they are."""
    return Writer(manager(req), route.res.api_version, subresource,
                  applied=tuple((applied.get("metadata") or {}).get("managedFields") or ()))


def apply(cluster: Any, req: Request, route: Route, current: Obj | None, config: Obj, subresource: str = "") -> Obj:
    """The object server-side apply makes of ``current`` and the applied ``config`` (managedFields
    set); a 409 on conflicts with other managers unless ``force=true``."""
    name = config.get("metadata", {}).get("name") or route.name or ""
    ns = route.namespace if route.res.namespaced else None
    ident = f"{ns + '/' if ns else ''}{name}; {route.res.api_version}, Kind={route.res.kind}"
    out = fieldmanager.apply(current, config, manager=manager(req), api_version=route.res.api_version,
                             force=req.flag("force"), schema=schema_for(cluster, route.res.kind), now=now(cluster),
                             ident=ident, subresource=subresource)
    # LastAppliedUpdater: kubectl's server-side apply keeps a client-side annotation in step
    if manager(req) == "kubectl" and current is not None and fieldmanager.LAST_APPLIED in kmeta.annotations(current):
        out["metadata"].setdefault("annotations", {})[fieldmanager.LAST_APPLIED] = fieldmanager.last_applied(config)
    return out


_OPTIONS = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions"}
_FIELD_VALIDATION = ("", "Ignore", "Strict", "Warn")  # (sets.String.List(): sorted)


def dry_run_causes(values: list[str]) -> list[tuple[str, str]]:
    """``ValidateDryRun``: every ``dryRun`` value is All; the cause shows them as Go's ``%#v``."""
    if all(v == "All" for v in values):
        return []
    shown = ", ".join(go_quote(v) for v in values)
    return [("dryRun", f'Unsupported value: []string{{{shown}}}: supported values: "All"')]


def validate_write_options(req: Request, patch_type: str = "") -> bool:
    """``ValidateCreateOptions``, ``ValidateUpdateOptions`` or ``ValidatePatchOptions`` (by the
    request's method) of the query: ``force`` only with apply, which needs a ``fieldManager``;
    managers are at most 128 bytes of printable characters; ``dryRun`` is All; ``fieldValidation``
    one of Ignore, Warn, Strict. A 422 on the options kind of meta.k8s.io, as the apiserver
    answers before it reads the object. Returns whether the request is a dry run."""
    kind = _OPTIONS.get(req.method, "CreateOptions")
    causes: list[tuple[str, str]] = []
    fm = req.q("fieldManager") or ""
    if kind == "PatchOptions":
        if patch_type != kpatch.APPLY_PATCH:
            if req.q("force") is not None:
                causes.append(("force", "Forbidden: may not be specified for non-apply patch"))
        elif not fm:
            causes.append(("fieldManager", "Required value: is required for apply patch"))
    if len(fm.encode()) > 128:
        causes.append(("fieldManager", "Too long: may not be more than 128 bytes"))
    for i, ch in enumerate(fm):
        if not ch.isprintable():
            causes.append(("fieldManager", f"Invalid value: {go_quote(fm)}: invalid character U+{ord(ch):04X} (at position {len(fm[:i].encode())})"))
    dry = req.values("dryRun")
    causes += dry_run_causes(dry)
    mode = (req.values("fieldValidation") or [""])[0]
    if mode not in _FIELD_VALIDATION:
        causes.append(("fieldValidation", f"Unsupported value: {go_quote(mode)}: supported values: "
                       + ", ".join(f'"{v}"' for v in _FIELD_VALIDATION)))
    if causes:
        raise invalid(kind, "", causes, group="meta.k8s.io")
    return bool(dry)
