"""The simulated control plane: store + clock + controllers, and the API-level operations that
`serve`, backends and scenarios call (admission, graceful deletion, propagation)."""

from __future__ import annotations

import builtins
import heapq
import random
import sys
import threading
import traceback
from collections.abc import Collection, Iterable
from typing import Any

from k9py.kube import gcpause, meta, resources
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError, bad_request, conflict, for_custom, invalid, not_found, precondition_failed
from k9py.kube.timefmt import rfc3339
from k9py.sim import admission, admission_policy, certificates, crds, dra, rbac, secrets  # noqa: F401 (certificates, crds, dra, rbac, secrets: their admission registers on import)
from k9py.sim.clock import VirtualClock
from k9py.sim.events import EventRecorder
from k9py.sim.managedfields import Writer, component_creator, component_tracker, track
from k9py.sim.pod_conditions import pod_condition
from k9py.sim.store import FIRST_RV, GENERATION_KINDS, ObjectStore
from k9py.sim.version import KUBERNETES_VERSION, MAJOR, MINOR

Obj = dict[str, Any]

MAX_SETTLE_PASSES = 200
EVERYONE = -1  # a wake-up asked for while no controller runs: every controller runs then
ANY_KIND = "*"  # a controller's ``watches``: a change to any object wakes it
# /version: since 1.33 also the version the apiserver emulates and the oldest it stays compatible with
SERVER_VERSION = {"major": MAJOR, "minor": MINOR, "emulationMajor": MAJOR, "emulationMinor": MINOR,
                  "minCompatibilityMajor": MAJOR, "minCompatibilityMinor": str(int(MINOR) - 1),
                  "gitVersion": f"{KUBERNETES_VERSION}-k9py", "gitCommit": "k9py-sim",
                  "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z", "goVersion": "go1.22.5",
                  "compiler": "gc", "platform": "linux/amd64"}


class Cluster:
    """A whole simulated cluster. Single-threaded: callers from other threads hold ``lock``."""

    def __init__(self, *, seed: int = 0, start: float | None = None, controllers: Iterable[Any] | None = None,
                 name: str = "k9py-sim", bootstrap: bool = True, rv_start: int | None = None) -> None:
        from k9py.sim.controllers import default_controllers

        gcpause.tune()
        self.name = name
        self.seed = seed
        self.clock = VirtualClock(start)
        self.rng = random.Random(seed)
        self.store = ObjectStore(self.clock, self.rng, rv_start=FIRST_RV if rv_start is None else rv_start)
        self.events = EventRecorder(self)
        self.controllers = list(default_controllers() if controllers is None else controllers)
        self.lock = threading.RLock()
        # (t, the index of the controller that asked, or EVERYONE): at t it runs, dirty or not
        self._wakeups: list[tuple[float, int]] = []
        self._asked: set[tuple[float, int]] = set()  # the same, to ask for each once
        self._running = EVERYONE  # the index of the controller running now
        self._woken = False  # it runs for a wake-up (its own, or everyone's)
        self._settled_at: float | None = None
        self._last_run: dict[int, int] = {}  # controller index -> store version at its last run
        # Controllers keep state that is not part of any object here (e.g. allocated IPs).
        self.state: dict[str, Any] = {}
        # strict: a controller's exception propagates (tests). Long-running hosts (`k9py serve`)
        # turn it off: the failure is reported once on stderr and the other controllers go on,
        # so one bad object cannot freeze the whole cluster.
        self.strict = True
        self._reported: set[tuple[str, str]] = set()
        self._registry: tuple[int, resources.Registry] | None = None
        self.component: Any = None  # the controller running now (its writes are recorded as its)
        self.store.on_replace = component_tracker(self)
        self.store.on_create = component_creator(self)
        if bootstrap:
            from k9py.sim.bootstrap import bootstrap as _bootstrap
            _bootstrap(self)

    # -- time ------------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    @property
    def woken(self) -> bool:
        """The controller running now runs for a wake-up (its own or everyone's), not only
        because a kind it watches changed: time-driven work may be due."""
        return self._woken

    def wake_at(self, t: float, *, everyone: bool = False) -> None:
        """Ask for a reconcile at virtual time ``t`` (no-op if already due or already asked
        for: level-triggered controllers run many passes an instant, and each asks again): of
        the controller asking, or of every controller when none is running (an API call) or for
        ``everyone`` (a component asking on another's behalf: a timeline step crashing a
        container)."""
        wake = (t, EVERYONE if everyone else self._running)
        if t > self.clock.now() and wake not in self._asked:
            self._asked.add(wake)
            heapq.heappush(self._wakeups, wake)

    def advance(self, seconds: float) -> None:
        """Move the clock forward, reconciling at every wake-up on the way."""
        target = self.clock.now() + max(0.0, seconds)
        self.settle()
        while self._wakeups and self._wakeups[0][0] <= target:
            wake = heapq.heappop(self._wakeups)
            self._asked.discard(wake)
            t, due = wake[0], {wake[1]}
            while self._wakeups and self._wakeups[0][0] <= t:
                wake = heapq.heappop(self._wakeups)
                self._asked.discard(wake)
                due.add(wake[1])
            if t > self.clock.now():
                self.clock.set(t)
            self.settle(woke=True if EVERYONE in due else due)
        self.clock.set(target)
        self.events.expire(target)  # (an idle cluster records none: its old ones go all the same)
        self.settle()

    def settle(self, *, woke: bool | Collection[int] = False) -> None:
        """Run the controllers until none changes anything. A controller that declares the kinds
        it ``watches`` is skipped while none of them changed since its last run, unless a
        wake-up it asked for is due (``woke``: the indexes of those that asked; True: every
        controller's): then it runs once (time-driven work is asked for with ``wake_at``; merely
        moving the clock wakes nobody)."""
        everyone = woke is True or self._settled_at is None
        due: Collection[int] = woke if isinstance(woke, Collection) else ()
        self._settled_at = self.clock.now()
        for _ in range(MAX_SETTLE_PASSES):
            before = self.store.resource_version
            for i, c in enumerate(self.controllers):
                if not everyone and i not in due and not self._is_dirty(i, c):
                    continue
                self._last_run[i] = self.store.resource_version
                self.component = c
                self._running = i
                self._woken = everyone or i in due
                try:
                    c.reconcile(self)
                except Exception as err:
                    if self.strict:
                        raise
                    self._report(c, err)
                finally:
                    self.component = None
                    self._running = EVERYONE
                    self._woken = False
            everyone, due = False, ()
            if self.store.resource_version == before:
                return

    def _report(self, controller: Any, err: Exception) -> None:
        key = (type(controller).__name__, f"{type(err).__name__}: {err}")
        if key not in self._reported:
            self._reported.add(key)
            print(f"k9py: controller {key[0]} failed (it keeps running): {key[1]}", file=sys.stderr)
            traceback.print_exception(err, file=sys.stderr)

    def _is_dirty(self, index: int, controller: Any) -> bool:
        watches = getattr(controller, "watches", None)
        seen = self._last_run.get(index)
        if watches is None or seen is None:
            return True
        if watches == ANY_KIND:
            return self.store.resource_version > seen
        return any(self.store.kind_version(k) > seen for k in watches)

    # -- events ----------------------------------------------------------------------------
    def record_event(self, obj: Obj, type_: str, reason: str, message: str, component: str,
                     host: str | None = None, field_path: str | None = None) -> Obj:
        return self.events.record(obj, type_, reason, message, component, host, field_path)

    # -- what it serves ---------------------------------------------------------------------
    def api_resources(self) -> resources.Registry:
        """The built-in resources and those the stored CRDs add (``sim/crds.py``)."""
        version = self.store.kind_version(resources.CRD_KIND)
        if self._registry is None or self._registry[0] != version:
            self._registry = (version, resources.registry_of(self.store.list(resources.CRD_KIND)))
        return self._registry[1]

    # -- API-level operations (admission, then the store) -----------------------------------
    def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        return self.must_get(kind, namespace if self._namespaced(kind) else None, name)

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        return self.store.list(kind, namespace if self._namespaced(kind) else None)

    def create(self, obj: Obj, *, dry_run: bool = False, writer: Writer | None = None, fresh: bool = False) -> Obj:
        """``writer``: who creates it through the API (recorded in managedFields). ``fresh``: ``obj``
        was built for this call and nobody else holds it or any part of it (a controller's new
        pod): it is taken as it is instead of copied."""
        obj = self._prepare(obj, copy=not fresh)
        md = obj["metadata"]
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + self.store.random_suffix()
        self._system_fields(obj)  # before admission: e.g. a Job's selector carries the uid
        admission.admit(self, obj, None)
        self._check_namespace(obj)
        admission_policy.check(self, "CREATE", obj, None, dry_run=dry_run)
        track(self, None, obj, writer)
        if dry_run:
            return obj
        try:
            return self.store.create(obj, keep_uid=True, copy=False)  # obj: _prepare's own copy
        except ApiError as err:
            raise self.named(err) from None

    def named(self, err: ApiError) -> ApiError:
        """``err`` naming a custom resource as the apiserver does (``status.for_custom``)."""
        res = self.api_resources().kind(err.kind) if err.kind else None
        return for_custom(err, res.plural, res.group) if res is not None and res.crd else err

    def _system_fields(self, obj: Obj) -> None:
        """What the apiserver sets on create whatever the client sent (dry runs included): uid,
        creationTimestamp, generation; no deletion state, no managedFields of the client's."""
        md = obj["metadata"]
        md["uid"] = self.store.new_uid()
        md["creationTimestamp"] = rfc3339(self.clock.now())
        res = self.api_resources().kind(obj["kind"])
        if obj["kind"] in GENERATION_KINDS or (res is not None and res.crd) or obj["kind"] == resources.CRD_KIND:
            md["generation"] = 1
        for field in ("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "resourceVersion"):
            md.pop(field, None)

    def replace(self, obj: Obj, *, subresource: str | None = None, dry_run: bool = False,
                writer: Writer | None = None) -> Obj:
        """PUT semantics: a full object; keeps ``status`` (or, for the status subresource, only
        takes ``status``); Conflict if a stale resourceVersion is given."""
        # the caller's status, copied below where kept; a pod's spec that is the stored one, kept
        keep_spec = subresource is None and not dry_run and self._brings_stored_spec(obj)
        obj = self._prepare(obj, shared=("status", "spec") if keep_spec else ("status",))
        kind, ns, name = meta.key(obj)
        old = self.must_get(kind, ns, name)
        rv = obj.get("metadata", {}).get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise self.named(conflict(kind, name))
        res = self.api_resources().kind(kind)
        uid = obj["metadata"].get("uid")
        if uid and uid != old["metadata"].get("uid"):  # (the body's uid is the update's precondition)
            if res is None:
                raise conflict(kind, name)
            raise precondition_failed(res, ns, name, "UID", uid, old["metadata"].get("uid") or "")
        if subresource == "status":
            new = deep_copy(old)
            status = obj.get("status", {})  # (shared by _prepare: its nulls unset here, a built-in kind's)
            new["status"] = deep_copy(status) if res is not None and res.crd else meta.without_nulls(status)
        elif subresource == "ephemeralcontainers":  # kubectl debug: only spec.ephemeralContainers changes
            from k9py.sim.ephemeral import update
            new = update(old, obj)
            admission_policy.check(self, "UPDATE", new, old, subresource=subresource, dry_run=dry_run)
            return self.store.as_written(new, old) if dry_run else self.store.update(new)
        else:
            new = obj
            if res is not None and res.crd:  # custom resources: status apart only with its subresource
                if "status" in res.subresources:
                    new.pop("status", None)
                    if "status" in old:
                        new["status"] = deep_copy(old["status"])
                elif "status" in new:
                    new["status"] = deep_copy(new["status"])
            elif "status" in old and kind not in ("ConfigMap", "Secret"):
                new["status"] = self._kept_status(old, dry_run)
            elif "status" in new:
                new["status"] = deep_copy(new["status"])
            md = new["metadata"]
            for keep in ("uid", "creationTimestamp"):
                md[keep] = old["metadata"].get(keep)
        admission.admit(self, new, old)
        admission_policy.check(self, "UPDATE", new, old, subresource=subresource or "", dry_run=dry_run)
        track(self, old, new, writer)
        if dry_run:  # the stored object's metadata, a changed spec's generation bumped (kubectl diff shows it)
            return self.store.as_written(new, old, generation=subresource != "status")
        return self.store.update(new, copy=False)  # new: built from _prepare's copy

    def _brings_stored_spec(self, obj: Any) -> bool:
        """Whether ``obj``, a Pod to replace, brings the stored pod's own spec (a client that
        changed labels or annotations sent back the spec it read): it is stored as it is, not
        copied (stored objects are never changed in place; admission changes a copy of a spec it
        changes: ``pod_admission.admit_pod``)."""
        if type(obj) is not dict or obj.get("kind") != "Pod" or type(obj.get("metadata")) is not dict:
            return False
        md = obj["metadata"]
        stored = self.store.get("Pod", md.get("namespace") or "default", md.get("name") or "")
        return stored is not None and obj.get("spec") is stored.get("spec")

    @staticmethod
    def _kept_status(old: Obj, dry_run: bool) -> Any:
        """The stored status a replace keeps. A Pod's admission only sets its top-level
        ``qosClass``, so a stored write takes a shallow copy (the rest is ``old``'s, which the store
        would share anyway); a dry run's result goes back to the caller whole, so it is copied."""
        status = old["status"]
        if old["kind"] == "Pod" and not dry_run and type(status) is dict:
            return dict(status)
        return deep_copy(status)

    def apply(self, obj: Obj) -> Obj:
        """Create or replace (what `kubectl apply` amounts to for whole manifests)."""
        kind, ns, name = meta.key(self._prepare(obj))
        existing = self.store.get(kind, ns, name)
        if existing is None:
            return self.create(obj)
        merged = deep_copy(obj)
        merged.setdefault("metadata", {})["resourceVersion"] = existing["metadata"]["resourceVersion"]
        return self.replace(merged)

    def delete(self, kind: str, namespace: str | None, name: str, *, grace_period: int | None = None,
               propagation: str | None = None, dry_run: bool = False) -> Obj:
        """DELETE semantics. Pods on a node go Terminating for their grace period (the kubelet
        removes them); namespaces go Terminating while their contents are removed; other objects
        go at once, their dependents follow by garbage collection (Background), are orphaned
        (Orphan) or go first (Foreground: the owner waits, Terminating)."""
        ns = namespace if self._namespaced(kind) else None
        obj = self.must_get(kind, ns, name)
        admission_policy.check(self, "DELETE", None, obj, dry_run=dry_run)
        if dry_run:
            return obj
        policy = propagation or ("Orphan" if kind in ("ReplicationController",) else "Background")
        if policy not in ("Background", "Foreground", "Orphan"):
            raise bad_request(f"unsupported propagationPolicy {policy!r}")
        if kind == "Pod":
            return self._delete_pod(obj, grace_period)
        if kind == "Namespace":
            if name in ("default", "kube-system", "kube-public", "kube-node-lease"):
                raise ApiError(403, "Forbidden", f'namespaces "{name}" is forbidden: this namespace may not be deleted', name=name, kind=kind)
            if meta.is_deleting(obj):
                return obj
            self.store.mark_deleting(obj, 0)
            return self.store.mutate("Namespace", None, name, _namespace_terminating)  # type: ignore[return-value]
        if obj.get("metadata", {}).get("finalizers"):
            # Like the apiserver: an object with finalizers only gets a deletionTimestamp; the
            # controllers owning the finalizers remove them, then the garbage collector removes it.
            if meta.is_deleting(obj):
                return obj
            if policy == "Orphan":
                self._orphan_dependents(obj)
            fins = [admission.FOREGROUND] if policy == "Foreground" and self._dependents(obj) else []
            return self.store.mark_deleting(obj, 0, finalizers=fins)
        if policy == "Orphan":
            self._orphan_dependents(obj)
        elif policy == "Foreground" and self._dependents(obj):
            if meta.is_deleting(obj):
                return obj
            return self.store.mark_deleting(obj, 0, finalizers=[admission.FOREGROUND])
        return self.store.delete(kind, ns, name)

    def evict(self, namespace: str, name: str, grace_period: int | None = None, *, dry_run: bool = False) -> Obj:
        """The pods/eviction subresource (what drain uses): refused with 429 while a
        PodDisruptionBudget allows no disruption (``controllers/disruption.py``), else the pod
        gets the DisruptionTarget condition and is deleted gracefully."""
        from k9py.sim.controllers.disruption import check_eviction

        pod = self.store.must_get("Pod", namespace, name)
        check_eviction(self, pod, dry_run=dry_run)
        if dry_run:
            return pod
        if not meta.is_deleting(pod) and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
            pod = self.store.mutate("Pod", namespace, name, _disruption_target(rfc3339(self.now()))) or pod
        return self._delete_pod(pod, grace_period)

    # -- helpers -----------------------------------------------------------------------------
    def _delete_pod(self, pod: Obj, grace_period: int | None) -> Obj:
        ns, name = meta.namespace(pod), meta.name(pod)
        grace = grace_period
        if grace is None:
            grace = int(pod.get("spec", {}).get("terminationGracePeriodSeconds", 30))
        unscheduled = not pod.get("spec", {}).get("nodeName")
        finished = pod.get("status", {}).get("phase") in ("Succeeded", "Failed")
        if grace <= 0 or unscheduled or finished:
            return self.store.delete("Pod", ns, name)
        if meta.is_deleting(pod):
            current = pod["metadata"].get("deletionGracePeriodSeconds", grace)
            if grace >= current:
                return pod
        deleting = self.store.mark_deleting(pod, grace)
        self.wake_at(self.now())
        return deleting

    def dependents(self, owner: Obj) -> builtins.list[Obj]:  # builtins: list() above shadows the type
        return self._dependents(owner)

    def _dependents(self, owner: Obj) -> builtins.list[Obj]:
        """Objects with an ownerReference to ``owner``, kind by kind in the store's order (the
        store's owner index: no scan)."""
        uid = meta.uid(owner)
        if uid:
            order = {k: i for i, k in enumerate(self.store.kinds())}
            return sorted(self.store.owned_by(uid), key=lambda o: (order.get(o["kind"], len(order)), meta.namespace(o), meta.name(o)))
        out = []
        for kind in self.store.kinds():
            for obj in self.store.list(kind):
                if any(r.get("uid") == uid for r in meta.owner_refs(obj)):
                    out.append(obj)
        return out

    def _orphan_dependents(self, owner: Obj) -> None:
        uid = meta.uid(owner)
        for dep in self._dependents(owner):
            def strip(o: Obj) -> None:
                refs = [r for r in meta.owner_refs(o) if r.get("uid") != uid]
                if refs:
                    o["metadata"]["ownerReferences"] = refs
                else:
                    o["metadata"].pop("ownerReferences", None)
            self.store.mutate(dep["kind"], meta.namespace(dep), meta.name(dep), strip)

    def must_get(self, kind: str, namespace: str | None, name: str) -> Obj:
        """The stored object, or NotFound naming the resource as the apiserver does
        (``crontabs.stable.example.com "x" not found`` for a custom kind too)."""
        obj = self.store.get(kind, namespace, name)
        if obj is not None:
            return obj
        raise self.named(not_found(kind, name))

    def _namespaced(self, kind: str) -> bool:
        return self.api_resources().namespaced(kind)

    def _prepare(self, obj: Obj, *, copy: bool = True, shared: tuple[str, ...] = ()) -> Obj:
        """The caller's object checked, copied (but for the top-level fields in ``shared``: the
        caller copies those where it keeps them) and given apiVersion and namespace."""
        if not isinstance(obj, dict):
            raise bad_request("the object must be a JSON/YAML mapping")
        kind = obj.get("kind")
        if not kind or not isinstance(kind, str):
            raise bad_request("Object 'Kind' is missing")
        registry = self.api_resources()
        res = registry.kind(kind)
        if res is None:
            raise ApiError(404, "NotFound", f'the server could not find the requested resource (kind {kind})')
        if copy and not res.crd:
            # A built-in kind's null field is unset, as the apiserver's typed decoder reads it
            # (``rollingUpdate:`` left empty in a manifest); a custom resource's nulls are its
            # schema's business. Found as the object is copied; the fields in ``shared`` are the
            # stored ones (a pod's spec) or a status taken below (``replace``); an object not
            # copied (``fresh``) is a controller's, made of stored, decoded parts.
            own = {k: v for k, v in obj.items() if k not in shared} if shared else obj
            copied = meta.copy_without_nulls(own)
            if copied is None:
                copied = meta.drop_nulls(own)
            obj = {k: obj[k] if k in shared else copied[k] for k in obj if k in shared or k in copied}
        elif copy:
            obj = {k: v if k in shared else deep_copy(v) for k, v in obj.items()} if shared else deep_copy(obj)
        if res.crd:  # stored in the preferred version; any served version is accepted
            served = [r.api_version for r in registry.custom if r.kind == kind]
            if obj.get("apiVersion") is not None and obj.get("apiVersion") not in served:
                raise ApiError(404, "NotFound", f'no matches for kind "{kind}" in version "{obj.get("apiVersion")}"')
            obj["apiVersion"] = res.api_version
        md = obj.setdefault("metadata", {})
        if not isinstance(md, dict):
            raise invalid(kind, "", [("metadata", "Invalid value: must be an object")])
        obj.setdefault("apiVersion", res.api_version)
        if res.namespaced:
            md["namespace"] = md.get("namespace") or "default"
        else:
            md.pop("namespace", None)
        return obj

    def _check_namespace(self, obj: Obj) -> None:
        ns = meta.namespace(obj)
        if not ns:
            return
        nsobj = self.store.get("Namespace", None, ns)
        if nsobj is None:
            raise not_found("Namespace", ns)
        if meta.is_deleting(nsobj) and obj.get("kind") != "Event":
            res = self.api_resources().kind(obj["kind"])
            plural = res.plural if res is not None else obj["kind"].lower()
            raise ApiError(403, "Forbidden", f'{plural} "{meta.name(obj)}" is forbidden: unable to create new content in namespace {ns} because it is being terminated', name=meta.name(obj), kind=obj["kind"])


def _disruption_target(stamp: str) -> Any:
    def add(pod: Obj) -> None:
        st = pod.setdefault("status", {})
        conds = [c for c in st.get("conditions") or [] if c.get("type") != "DisruptionTarget"]
        conds.append(pod_condition(pod, "DisruptionTarget", "True", stamp, "EvictionByEvictionAPI",
                                   "Eviction API: evicting"))
        st["conditions"] = conds
    return add


def _namespace_terminating(ns: Obj) -> None:
    ns.setdefault("spec", {})["finalizers"] = ["kubernetes"]
    ns.setdefault("status", {})["phase"] = "Terminating"
