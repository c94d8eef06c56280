"""What the apiserver does to an object before storing it: defaulting, validation, allocation.

Each kind's rules live beside its controller and register here with ``@admits("Kind")``; the
function receives ``(cluster, obj, old)`` (``old`` is None on create), changes ``obj`` in place
(defaults, allocated IPs / ports) and raises ``ApiError`` (usually ``status.invalid``) to reject.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from k9py.kube import resources
from k9py.kube.status import ApiError, invalid
from k9py.sim import limits, names, podspec

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


# Kinds whose names need only be path segments (RBAC's ValidateRBACName): ``system:node`` is one.
PATH_SEGMENT_NAMES = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")


def metadata_causes(obj: Obj, old: Obj | None = None) -> list[tuple[str, str]]:
    """``ValidateObjectMeta`` on create, with ``ValidateObjectMetaUpdate`` on update (``old``): the
    causes in the order kubectl lists them (it drops the repeats the registry's two passes make).
    Metadata that is no object, or labels that are not strings, is refused at once: no other
    check could read it."""
    md = obj.get("metadata")
    kind = obj.get("kind", "")
    if not isinstance(md, dict):
        raise invalid(kind, "", [("metadata", "Required value")])
    name = md.get("name") or ""
    for field in ("labels", "annotations"):
        value = md.get(field)
        if value is not None and (not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values())):
            raise invalid(kind, name, [(f"metadata.{field}", "Invalid value: values must be strings")])
    causes: list[tuple[str, str]] = []
    if not name and not md.get("generateName"):
        causes.append(("metadata.name", "Required value: name or generateName is required"))
    if name and kind in PATH_SEGMENT_NAMES:
        bad = next((m for m, hit in ((f"may not be '{name}'", name in (".", "..")), ("may not contain '/'", "/" in name),
                                     ("may not contain '%'", "%" in name)) if hit), None)
        if bad:
            causes.append(("metadata.name", f'Invalid value: "{name}": {bad}'))
    elif name and names.object_name(kind, name):  # DNS-1123 subdomain; a Service's a DNS-1035 label, a Namespace's a DNS-1123 label
        causes += names.invalid_causes("metadata.name", name, names.object_name(kind, name))
    return (causes + labels_and_annotations(md, "metadata") + limits.annotation_causes(md) + finalizers_causes(md)
            + no_new_finalizers(obj, old) + kube_finalizers_causes(kind, md))


ORPHAN, FOREGROUND = "orphan", "foregroundDeletion"  # metav1's FinalizerOrphanDependents, FinalizerDeleteDependents
STANDARD_FINALIZERS = ("kubernetes", ORPHAN, FOREGROUND)


def finalizers_causes(md: Obj) -> list[tuple[str, str]]:
    """``ValidateFinalizers``: each name a qualified name (the causes name the list, as the
    apiserver's do), and not both orphan and foregroundDeletion."""
    fins = md.get("finalizers")
    if not isinstance(fins, list):
        return []
    causes: list[tuple[str, str]] = []
    for fin in fins:
        if isinstance(fin, str):
            causes += names.invalid_causes("metadata.finalizers", fin, names.qualified_name(fin))
    if ORPHAN in fins and FOREGROUND in fins:
        shown = ", ".join(names.go_quote(f) for f in fins if isinstance(f, str))
        causes.append(("metadata.finalizers", f"Invalid value: []string{{{shown}}}: finalizer {ORPHAN} and {FOREGROUND} cannot be both set"))
    return causes


def new_finalizers(obj: Obj, old: Obj | None) -> list[str]:
    """The finalizer names ``obj`` has that ``old`` had not, sorted."""
    fins = (obj.get("metadata") or {}).get("finalizers")
    had = ((old or {}).get("metadata") or {}).get("finalizers")
    before = set(had) if isinstance(had, list) else set()
    return sorted({f for f in fins if isinstance(f, str)} - before) if isinstance(fins, list) else []


def no_new_finalizers(obj: Obj, old: Obj | None) -> list[tuple[str, str]]:
    """``ValidateNoNewFinalizers``: an object being deleted takes no new finalizer."""
    if old is None or not (old.get("metadata") or {}).get("deletionTimestamp"):
        return []
    extra = new_finalizers(obj, old)
    if not extra:
        return []
    shown = ", ".join(names.go_quote(f) for f in extra)
    return [("metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted, "
             f"found new finalizers []string{{{shown}}}")]


# Built-in kinds whose validation calls apimachinery's ValidateObjectMeta, not core's: these (as
# custom resources, whose strategy only warns) take a finalizer name without a '/'.
GENERIC_OBJECT_META = frozenset({
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "APIService", "CustomResourceDefinition", "Lease", "RuntimeClass",
    "PodDisruptionBudget"})


def kube_finalizers_causes(kind: str, md: Obj) -> list[tuple[str, str]]:
    """Core validation's ``validateKubeFinalizerName`` (every other built-in kind): a finalizer
    without a '/' must be a standard one (kubernetes, orphan, foregroundDeletion)."""
    fins = md.get("finalizers")
    if not isinstance(fins, list) or resources.BY_KIND.get(kind) is None or kind in GENERIC_OBJECT_META:
        return []
    return [(f"metadata.finalizers[{i}]", f"Invalid value: {names.go_quote(fin)}: name is neither a standard "
             "finalizer name nor is it fully qualified")
            for i, fin in enumerate(fins) if isinstance(fin, str) and "/" not in fin and fin not in STANDARD_FINALIZERS]


def labels_and_annotations(md: Obj, path: str) -> list[tuple[str, str]]:
    """``ValidateObjectMeta``'s labels (keys and values) and annotation keys, of an object's
    metadata or a pod template's: every kind, on create, update and patch."""
    labels, annotations = md.get("labels"), md.get("annotations")
    causes = names.labels_causes(labels, f"{path}.labels") if isinstance(labels, dict) else []
    if isinstance(annotations, dict):
        causes += names.annotations_causes(annotations, f"{path}.annotations")
    return causes


def admit(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    """Validation as the apiserver's strategies do it: the metadata's causes and the spec's in
    one 422 (a bad name and a bad selector are both listed, the name's first)."""
    meta = metadata_causes(obj, old)
    kind = obj.get("kind", "")
    fns = _ADMITTERS.get(kind)
    if fns is None:
        res = cluster.api_resources().kind(kind)
        fns = _ADMITTERS.get(CUSTOM, []) if res is not None and res.crd else []
    name = obj["metadata"].get("name") or ""
    try:
        for fn in fns:
            fn(cluster, obj, old)
        spec = _stored_causes(obj)
    except ApiError as err:
        if not meta:
            raise
        if err.code != 422 or err.details_kind != kind:  # (not the spec's validation: the metadata's first)
            raise invalid(kind, name, meta) from None
        raise invalid(kind, name, meta + [(c["field"], c["message"]) for c in err.causes],
                      group=err.details_group) from None
    if meta or spec:
        raise invalid(kind, name, meta + spec)
    limits.check_stored_size(obj)


def _stored_causes(obj: Obj) -> list[tuple[str, str]]:
    """What every kind's validation shares, on the defaulted object: pod templates' pod specs
    (a Pod's own are checked by its admission) and data sizes."""
    kind = obj.get("kind", "")
    causes = limits.data_causes(obj) + limits.scale_causes(obj)
    found = podspec.pod_spec_of(obj) if kind != "Pod" else None
    if found is not None:
        spec, path = found
        template = path.removesuffix(".spec")
        md = _get(obj, [*template.split("."), "metadata"])
        if isinstance(md, dict):
            causes += labels_and_annotations(md, f"{template}.metadata")
        causes += podspec.validate(spec, path)
    elif kind == "StatefulSet":  # its pod spec is left alone, its template's labels are not (named without .metadata)
        md = _get(obj, ["spec", "template", "metadata"])
        if isinstance(md, dict):
            causes += labels_and_annotations(md, "spec.template")
    return causes


def _get(obj: Obj, steps: list[str]) -> Any:
    cur: Any = obj
    for step in steps:
        cur = cur.get(step) if isinstance(cur, dict) else None
    return cur
