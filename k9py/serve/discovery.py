"""Discovery documents (legacy, unaggregated): /api, /apis, /api/v1, /apis/<group>/<version>.

kubectl asks for aggregated discovery first; a plain ``application/json`` answer makes it fall
back to one APIResourceList per group/version (client-go discovery_client.go).

Every document is made from a ``Registry``: the built-in resources plus the custom resources of
the cluster's CRDs at the time of the request.
"""

from __future__ import annotations

from typing import Any

from k9py.kube.resources import ApiResource, Registry
from k9py.serve import metrics as metrics_api

Obj = dict[str, Any]

# What each subresource is in discovery: (group, version, kind, verbs); None group/version = the parent's.
_SUBRESOURCES: dict[str, tuple[str | None, str | None, str | None, tuple[str, ...]]] = {
    "status": (None, None, None, ("get", "patch", "update")),
    "scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
    "log": (None, None, "Pod", ("get",)),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "binding": (None, None, "Binding", ("create",)),
    "exec": (None, None, "PodExecOptions", ("create", "get")),
    "attach": (None, None, "PodAttachOptions", ("create", "get")),
    "portforward": (None, None, "PodPortForwardOptions", ("create", "get")),
    "ephemeralcontainers": (None, None, "Pod", ("get", "patch", "update")),
    "finalize": (None, None, "Namespace", ("update",)),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
    "approval": (None, None, None, ("get", "patch", "update")),
}


def api_versions(server_address: str) -> Obj:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group(registry: Registry, group: str) -> Obj:
    versions = registry.groups()[group]
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": gvs, "preferredVersion": gvs[0]}


def api_group_list(registry: Registry, *, metrics: bool = True) -> Obj:
    out = [api_group(registry, g) for g in registry.groups() if g]
    for g in out:
        g.pop("kind")
        g.pop("apiVersion")
    if metrics:
        out.append(metrics_api.group_entry())  # served by k9py.serve.metrics (not a stored kind)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}


def _resource_entry(r: ApiResource) -> Obj:
    entry: Obj = {"name": r.plural, "singularName": r.singular_name, "namespaced": r.namespaced,
                  "kind": r.kind, "verbs": list(r.verbs)}
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    return entry


def _subresource_entry(r: ApiResource, sub: str) -> Obj:
    group, version, kind, verbs = _SUBRESOURCES.get(sub, (None, None, None, ("get",)))
    if sub == "proxy":
        kind = f"{r.kind}ProxyOptions"
        verbs = ("create", "delete", "get", "patch", "update")
    entry: Obj = {"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                  "kind": kind or r.kind, "verbs": list(verbs)}
    if group is not None:
        entry["group"] = group
        entry["version"] = version
    return entry


def resource_list(registry: Registry, group: str, version: str) -> Obj | None:
    """The APIResourceList of one group/version, or None if it is not served."""
    res = [r for r in registry.served if r.group == group and r.version == version]
    if not res:
        return None
    entries: list[Obj] = []
    for r in res:
        entries.append(_resource_entry(r))
        entries.extend(_subresource_entry(r, s) for s in r.subresources)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": entries}


def find_resource(registry: Registry, group: str, version: str, plural: str) -> ApiResource | None:
    return registry.find(group, version, plural)


def groups_served(registry: Registry) -> list[str]:
    return [g for g in registry.groups() if g]
