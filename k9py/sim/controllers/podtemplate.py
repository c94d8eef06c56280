"""Helpers the workload controllers share: pod template defaulting and hashing, pods from
templates, pod readiness/availability, Go-style value printing for validation messages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError, invalid
from k9py.kube.timefmt import parse_time
from k9py.kube.unicode import digits
from k9py.sim import certificates
from k9py.sim.pod_admission import default_container

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand alphanums
POD_TEMPLATE_HASH = "pod-template-hash"
CONTROLLER_REVISION_HASH = "controller-revision-hash"
CREATE_BACKOFF_BASE = 1.0
CREATE_BACKOFF_MAX = 60.0


# -- hashing -----------------------------------------------------------------------------------
def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF  # one expression: a third faster than two statements
    return h


def safe_encode(s: str) -> str:
    """rand.SafeEncodeString: map every byte onto the vowel-free alphabet."""
    return "".join(HASH_ALPHABET[b % len(HASH_ALPHABET)] for b in s.encode())


def compute_hash(value: Any, collision_count: int | None = None) -> str:
    """controller.ComputeHash: FNV-32a of the object (+ collision count), as a safe string of
    9-10 characters (the decimal digits of the hash, encoded)."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode(str(fnv32a(data)))


def template_hash(template: Obj, collision_count: int | None = None) -> str:
    return compute_hash(_without_hash_label(template), collision_count)  # (hashing only reads it: no copy)


def strip_hash_label(template: Obj, label: str = POD_TEMPLATE_HASH) -> Obj:
    t = deep_copy(template or {})
    labels = dig(t, "metadata", "labels")
    if isinstance(labels, dict) and label in labels:
        labels.pop(label)
    return t


def _without_hash_label(template: Obj) -> Obj:
    """``strip_hash_label`` without the deep copy: only the dicts on the path are new."""
    t = template or {}
    md = t.get("metadata")
    labels = md.get("labels") if isinstance(md, dict) else None
    if not isinstance(labels, dict) or POD_TEMPLATE_HASH not in labels:
        return t
    return {**t, "metadata": {**md, "labels": {k: v for k, v in labels.items() if k != POD_TEMPLATE_HASH}}}  # type: ignore[dict-item]


def equal_ignore_hash(a: Obj, b: Obj) -> bool:
    return _without_hash_label(a) == _without_hash_label(b)


# -- defaulting (what the apiserver does to a PodTemplateSpec) ------------------------------
def default_pod_spec(spec: Obj) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        default_container(c, requests_from_limits=False)


def default_template(template: Obj | None) -> Obj:
    t = template if isinstance(template, dict) else {}
    t.setdefault("metadata", {})
    if t["metadata"] is None:
        t["metadata"] = {}
    # The apiserver serialises the template's zero creationTimestamp as null (Kubernetes 1.31).
    t["metadata"]["creationTimestamp"] = None
    spec = t.setdefault("spec", {})
    if isinstance(spec, dict):
        default_pod_spec(spec)
    return t


# -- validation ------------------------------------------------------------------------------
def go_map(m: dict[str, str] | None) -> str:
    """How Go's %#v prints map[string]string (keys sorted)."""
    if not m:
        return "map[string]string(nil)" if m is None else "map[string]string{}"
    return "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(m.items())) + "}"


def go_label_selector(sel: Obj) -> str:
    ml = sel.get("matchLabels")
    exprs = sel.get("matchExpressions")
    ex = "[]v1.LabelSelectorRequirement(nil)" if not exprs else "[]v1.LabelSelectorRequirement{...}"
    return f"v1.LabelSelector{{MatchLabels:{go_map(ml)}, MatchExpressions:{ex}}}"


def validate_selector_template(kind: str, obj: Obj, old: Obj | None, *, required: bool = True,
                               what: str = "") -> None:
    """The checks every workload shares: selector required / non-empty / matching the template
    labels / immutable; replicas >= 0; at least one container; the template's restartPolicy Always."""
    name = meta.name(obj)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise invalid(kind, name, [("spec", "Required value")])
    causes: list[tuple[str, str]] = []
    sel = spec.get("selector")
    labels = dig(spec, "template", "metadata", "labels") or {}
    if sel is None:
        if required:
            # A nil selector selects nothing, so the template check fails too (as in apps/v1).
            causes.append(("spec.selector", "Required value"))
            causes.append(("spec.template.metadata.labels", f"Invalid value: {go_map(labels)}: `selector` does not match template `labels`"))
    elif not isinstance(sel, dict):
        causes.append(("spec.selector", "Invalid value: must be a LabelSelector"))
    else:
        if not sel.get("matchLabels") and not sel.get("matchExpressions"):
            causes.append(("spec.selector", f"Invalid value: {go_label_selector(sel)}: empty selector is invalid for {what or kind.lower()}"))
        else:
            try:
                parsed = selectors.from_label_selector(sel)
            except (KeyError, TypeError):
                parsed = None
                causes.append(("spec.selector", "Invalid value: malformed selector"))
            if parsed is not None and not selectors.matches(parsed, labels):
                causes.append(("spec.template.metadata.labels", f"Invalid value: {go_map(labels)}: `selector` does not match template `labels`"))
        if old is not None and dig(old, "spec", "selector") is not None and sel != dig(old, "spec", "selector"):
            causes.append(("spec.selector", f"Invalid value: {go_label_selector(sel)}: field is immutable"))
    replicas = spec.get("replicas")
    if replicas is not None and (not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0):
        causes.append(("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0"))
    containers = dig(spec, "template", "spec", "containers")
    if not containers:
        causes.append(("spec.template.spec.containers", "Required value"))
    rp = dig(spec, "template", "spec", "restartPolicy")
    if rp != "Always":  # their pods run for ever (ValidatePodTemplateSpecFor*)
        causes.append(("spec.template.spec.restartPolicy", f'Unsupported value: "{rp}": supported values: "Always"'))
    if causes:
        raise invalid(kind, name, causes)


_PERCENT_WORDS = ("a valid percent string must be a numeric string followed by an ending '%' "
                  "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")


def int_or_percent_causes(path: str, value: Any) -> list[tuple[str, str]]:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent of apps' validation: an integer
    not below 0, or digits and '%' not above 100%; None (unset) passes."""
    if value is None:
        return []
    if isinstance(value, str):
        if not (value.endswith("%") and digits(value[:-1])):
            return [(path, f'Invalid value: "{value}": {_PERCENT_WORDS}')]
        if int(value[:-1]) > 100:
            return [(path, f'Invalid value: "{value}": must not be greater than 100%')]
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return [(path, f"Invalid value: {value}: must be greater than or equal to 0")] if value < 0 else []
    return [(path, f"Invalid value: {value}: must be an integer or percentage (e.g '5%')")]


def check_non_negative(kind: str, name: str, spec: Obj, fields: Iterable[str]) -> None:
    causes = []
    for f in fields:
        v = spec.get(f)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            causes.append((f"spec.{f}", f"Invalid value: {v}: must be greater than or equal to 0"))
    if causes:
        raise invalid(kind, name, causes)


# -- pods --------------------------------------------------------------------------------------
def is_active(pod: Obj) -> bool:
    """controller.IsPodActive: not finished and not being deleted."""
    return not meta.is_deleting(pod) and dig(pod, "status", "phase") not in ("Succeeded", "Failed")


def ready_condition(pod: Obj) -> Obj | None:
    st = pod.get("status")  # dig(pod, "status", "conditions") without its generality: a hot path
    for c in (st.get("conditions") if isinstance(st, dict) else None) or []:
        if c.get("type") == "Ready":
            return c
    return None


def is_ready(pod: Obj) -> bool:
    c = ready_condition(pod)
    return c is not None and c.get("status") == "True"


def is_running_and_ready(pod: Obj) -> bool:
    return dig(pod, "status", "phase") == "Running" and is_ready(pod)


def ready_since(pod: Obj) -> float | None:
    c = ready_condition(pod)
    if c is None or c.get("status") != "True":
        return None
    return parse_time(c.get("lastTransitionTime"))


def is_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    """podutil.IsPodAvailable: Ready for at least minReadySeconds."""
    if not is_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = ready_since(pod)
    return since is not None and since + min_ready_seconds <= now


def available_at(pod: Obj, min_ready_seconds: int) -> float | None:
    """When a ready pod becomes available (for wake-ups)."""
    since = ready_since(pod)
    return None if since is None else since + (min_ready_seconds or 0)


def restart_count(pod: Obj) -> int:
    return sum(int(cs.get("restartCount", 0)) for cs in dig(pod, "status", "containerStatuses") or [])


def pods_by_owner(cluster: Cluster, namespace: str | None = None) -> dict[str, list[Obj]]:
    """Pods indexed by their controller's uid."""
    out: dict[str, list[Obj]] = {}
    for pod in cluster.store.list("Pod", namespace):
        ref = meta.controller_ref(pod)
        if ref is not None:
            out.setdefault(ref.get("uid", ""), []).append(pod)
    return out


def pods_by_owner_uid(cluster: Cluster, namespace: str, uid: str) -> list[Obj]:
    if not uid:
        return [p for p in cluster.store.list("Pod", namespace) if (controller_uid(p) == uid)]
    return cluster.store.controlled_by("Pod", uid, namespace)


def controller_uid(obj: Obj) -> str | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid")
    return None


def owned(cluster: Cluster, kind: str, owner: Obj) -> list[Obj]:
    uid = meta.uid(owner)
    if not uid:
        return [o for o in cluster.store.list(kind, meta.namespace(owner))
                if (meta.controller_ref(o) or {}).get("uid") == uid]
    return cluster.store.controlled_by(kind, uid, meta.namespace(owner))  # an index, not a scan


def adopt_orphans(cluster: Cluster, kind: str, owner: Obj, selector: Obj | None) -> None:
    """ControllerRefManager: claim objects matching the selector that have no controller (the
    selector is parsed only when there are such objects)."""
    orphans = cluster.store.controlled_by(kind, "", meta.namespace(owner))  # no controller
    if not orphans:
        return
    sel = selectors.from_label_selector(selector) if isinstance(selector, dict) else None
    if not sel:
        return
    for o in orphans:
        if meta.controller_ref(o) is None and not meta.is_deleting(o) and selectors.matches(sel, meta.labels(o)):
            if kind == "Pod" and not is_active(o):
                continue
            cluster.store.mutate(kind, meta.namespace(o), meta.name(o), add_owner_ref(meta.owner_reference(owner)))


def add_owner_ref(ref: Obj) -> Callable[[Obj], None]:
    """A ``store.mutate`` function that appends ``ref`` to the object's ownerReferences."""
    def add(o: Obj) -> None:
        o["metadata"].setdefault("ownerReferences", []).append(ref)
    return add


def pod_from_template(owner: Obj, template: Obj, *, name: str | None = None,
                      generate_name: str | None = None, extra_labels: dict[str, str] | None = None,
                      share: bool = False, owner_refs: list[Obj] | None = None) -> Obj:
    """controller.GetPodFromTemplate: labels/annotations/finalizers/spec from the template, an
    ownerReference to ``owner``. ``share``: the pod takes the template's spec (and its labels,
    when it adds none) themselves, not copies, for a caller that hands it to ``create_pod``
    unchanged (Pod admission changes only a copy of a new pod's spec: a stored template is never
    changed); ``owner_refs``: its ownerReferences, shared by the pods one sync creates. Replicas
    holding the same parts from the start make the store's sharing between them a few identity
    checks."""
    tmd = template.get("metadata") or {}
    template_labels = tmd.get("labels")
    if share and not extra_labels and type(template_labels) is dict:
        labels = template_labels
    else:
        labels = dict(template_labels or {})
        labels.update(extra_labels or {})
    md: Obj = {"namespace": meta.namespace(owner), "labels": labels,
               "ownerReferences": owner_refs if owner_refs is not None else [meta.owner_reference(owner)]}
    if tmd.get("annotations"):
        md["annotations"] = dict(tmd["annotations"])
    if tmd.get("finalizers"):
        md["finalizers"] = list(tmd["finalizers"])
    if name:
        md["name"] = name
    else:
        md["generateName"] = generate_name or f"{meta.name(owner)}-"
    spec = template.get("spec") or {}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec if share else deep_copy(spec)}


def create_backoff(last: float | None) -> float:
    """The workqueue's rate limiting of a controller whose create failed: the delay before it
    tries again, doubling from the last one (None: the first failure) up to a cap."""
    return min(CREATE_BACKOFF_MAX, last * 2) if last else CREATE_BACKOFF_BASE


def create_pod(cluster: Cluster, owner: Obj, pod: Obj, component: str, *, event_message: str | None = None,
               random_name: bool = True, fresh: bool = False) -> tuple[Obj | None, str | None]:
    """Create a pod through the API (admission included). Records SuccessfulCreate / FailedCreate
    on the owner like the real controllers; returns (pod, None) or (None, error message).
    ``fresh``: ``pod`` is the caller's own (``pod_from_template``'s, untouched since, its spec
    maybe the template's own: admission changes a copy of it): not copied."""
    def name_it() -> None:
        md = pod["metadata"]
        if random_name and not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + cluster.store.random_suffix()
    return create_owned(cluster, owner, pod, component, message=event_message, fresh=fresh, before=name_it)


_SERVICE_ACCOUNTS = {"daemonset-controller": "daemon-set-controller"}  # where an event source's name differs
_controller_users: dict[str, certificates.Requester] = {}


def controller_user(component: str) -> certificates.Requester:
    """The identity kube-controller-manager's controller ``component`` writes as: its ServiceAccount
    in kube-system (``system:serviceaccount:kube-system:replicaset-controller``)."""
    user = _controller_users.get(component)
    if user is None:
        sa = _SERVICE_ACCOUNTS.get(component, component)
        user = _controller_users[component] = (
            f"system:serviceaccount:kube-system:{sa}",
            ("system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"), "", {})
    return user


def create_owned(cluster: Cluster, owner: Obj, obj: Obj, component: str, *, reason: str = "SuccessfulCreate",
                 failed_reason: str = "FailedCreate", message: str | None = None, fresh: bool = False,
                 before: Callable[[], None] | None = None) -> tuple[Obj | None, str | None]:
    """Create an object a controller owns through the API, as the controllers do: ``reason`` /
    ``failed_reason`` recorded on the owner, and a create that failed tried again only after the
    workqueue's back-off (per owner), not at every pass. ``before``: run once a create is to be
    tried (a generated name). Returns (object, None) or (None, error)."""
    backoffs = cluster.state.setdefault("workload-create-backoff", {})
    uid = (meta.uid(owner), obj.get("kind"))  # (a Service created fine does not end its pods' back-off)
    now = cluster.now()
    held = backoffs.get(uid)
    if held is not None and now < held[0]:
        cluster.wake_at(held[0])
        return None, held[2]
    if before is not None:
        before()
    as_controller = certificates.REQUESTER.set(controller_user(component))  # who admission sees (a policy's request.userInfo)
    try:
        created = cluster.create(obj, fresh=fresh)
    except ApiError as e:
        # Retry later with exponential back-off (the workqueue's rate limiting), not every pass.
        delay = create_backoff(held[1] if held else None)
        backoffs[uid] = (now + delay, delay, e.message)
        cluster.wake_at(now + delay)
        cluster.record_event(owner, "Warning", failed_reason, f"Error creating: {e.message}", component)
        return None, e.message
    finally:
        certificates.REQUESTER.reset(as_controller)
    backoffs.pop(uid, None)
    msg = message or f"Created {str(created.get('kind') or 'object').lower()}: {meta.name(created)}"
    cluster.record_event(owner, "Normal", reason, msg, component)
    return created, None


def delete_pod(cluster: Cluster, owner: Obj, pod: Obj, component: str, *, event_message: str | None = None) -> None:
    try:
        cluster.delete("Pod", meta.namespace(pod), meta.name(pod))
    except ApiError as e:
        if e.code != 404:
            cluster.record_event(owner, "Warning", "FailedDelete", f"Error deleting: {e.message}", component)
        return
    cluster.record_event(owner, "Normal", "SuccessfulDelete", event_message or f"Deleted pod: {meta.name(pod)}", component)


def int_or_percent(value: Any, total: int, round_up: bool, default: Any) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if value is None:
        value = default
    if isinstance(value, str) and value.endswith("%"):
        pct = int(value[:-1])
        scaled = pct * total
        return -(-scaled // 100) if round_up else scaled // 100
    return int(value)


def set_condition(conditions: list[Obj], cond: Obj) -> list[Obj]:
    """Replace the condition of the same type (keeping lastTransitionTime if status unchanged)."""
    out = []
    for c in conditions:
        if c.get("type") == cond["type"]:
            if c.get("status") == cond.get("status") and "lastTransitionTime" in c:
                cond["lastTransitionTime"] = c["lastTransitionTime"]
            continue
        out.append(c)
    out.append(cond)
    return out


def get_condition(obj: Obj, type_: str) -> Obj | None:
    st = obj.get("status") if isinstance(obj, dict) else None  # dig(obj, "status", "conditions"), inlined
    for c in (st.get("conditions") if isinstance(st, dict) else None) or []:
        if c.get("type") == type_:
            return c
    return None


def creation_key(obj: Obj) -> tuple[float, str]:
    return (parse_time(obj["metadata"].get("creationTimestamp")) or 0.0, meta.name(obj))
