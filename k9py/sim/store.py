"""The simulator's object store: API objects with uid / resourceVersion / generation, and watches.

Objects handed out (``get``, ``list``, watch events) are the store's own snapshots: never mutate
them. Writers pass a changed copy to ``update`` (``mutate`` does the copy for you). A write that
changes nothing is a no-op and does not bump the resourceVersion, so level-triggered controllers
settle.
"""

from __future__ import annotations

import builtins
import hashlib
import random
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from types import MappingProxyType
from typing import Any

from mypy_extensions import mypyc_attr

from k9py.kube import meta, resources
from k9py.kube.meta import deep_copy
from k9py.kube.status import already_exists, conflict, gone, not_found
from k9py.kube.timefmt import rfc3339
from k9py.sim.clock import Clock
from k9py.sim.picklestate import restore, state_of
from k9py.sim.store_index import StoreIndex, controller_uid_of

Obj = dict[str, Any]
WatchCallback = Callable[[str, Obj], None]  # (ADDED|MODIFIED|DELETED, object)

# Kinds whose apiserver strategy tracks metadata.generation (ConfigMaps, Services, Nodes… don't).
GENERATION_KINDS = frozenset({"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
                              "ReplicationController", "Ingress", "NetworkPolicy", "PodDisruptionBudget",
                              "HorizontalPodAutoscaler", "ValidatingAdmissionPolicy",
                              "ValidatingAdmissionPolicyBinding"})
HISTORY = 30_000  # watch events kept for resuming from a resourceVersion, at most
HISTORY_WINDOW = 300.0  # virtual seconds of them, at least HISTORY_MIN: etcd's compaction every 5 min
HISTORY_MIN = 1_000
_UUID_KEEP = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)  # all but the variant and version bits
_UUID_V4 = (0x8000 << 48) | (4 << 76)  # RFC 4122 variant, version 4
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # k8s utilrand alphabet (no vowels)


SHARE_DEPTH = 3  # levels below a top-level field where a new version shares equal values with the old
# A status write (~45 % of all writes under churn: the kubelet's, the controllers') shares less deep:
# an unchanged condition or container status is the old one's, a changed one shares only its own
# fields. Sharing as deep as other writes cost ~1 ms of the ~36 a virtual second of 10,000 pods
# under churn costs (benchmarks/simtick.py), for no memory saved (251 MB after 200 s either way).
STATUS_SHARE_DEPTH = 1


_CONTAINERS = (dict, list)


def _share_unchanged(new: Any, old: Any, depth: int) -> None:
    """Make ``new`` (a version about to be stored) use ``old``'s values wherever they are equal:
    versions kept for watches then cost only what changed (stored objects are never changed in
    place, so sharing is safe), and comparing them later stops at the shared parts."""
    if type(new) is dict and type(old) is dict:
        for k, v in new.items():
            ov = old.get(k, _MISSING)
            if ov is _MISSING or v is ov:
                continue
            if v == ov:
                new[k] = ov
            elif depth and type(v) in _CONTAINERS:  # (a changed name or time: nothing inside to share)
                _share_unchanged(v, ov, depth - 1)
    elif type(new) is list and type(old) is list and len(new) == len(old):
        for i, v in enumerate(new):
            ov = old[i]
            if v is ov:
                continue
            if v == ov:
                new[i] = ov
            elif depth and type(v) in _CONTAINERS:
                _share_unchanged(v, ov, depth - 1)


def _share_fields(new: Obj, old: Obj, whole: tuple[str, ...] = ()) -> None:
    """``_share_unchanged`` for a whole object about to be stored: every top-level value equal
    to ``old``'s becomes ``old``'s; inside metadata too, but never the metadata dict itself
    (``_write`` sets its resourceVersion). The top-level fields in ``whole`` are shared whole
    or not at all: nothing is written inside them."""
    for k, v in new.items():
        ov = old.get(k, _MISSING)
        if ov is _MISSING or v is ov:
            continue
        if k != "metadata" and v == ov:
            new[k] = ov
        elif k not in whole and type(v) in _CONTAINERS:
            _share_unchanged(v, ov, SHARE_DEPTH)


_MISSING = object()
_NO_OBJECTS: Mapping[tuple[str, ...], Obj] = MappingProxyType({})


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass(slots=True)
class _Change:

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    rv: int
    type: str
    obj: Obj
    old: Obj | None
    at: float = 0.0  # the virtual time it happened


Change = _Change  # what ``changes_since`` returns and listeners hear
ChangeCallback = Callable[[Change], None]



def fixed_uid(kind: str, namespace: str | None, name: str) -> str:
    """A uid drawn from the object's identity, not from the cluster's random stream (what a
    component registers at start, the rest of a seeded cluster staying as it was)."""
    digest = hashlib.sha256(f"{kind}/{namespace or ''}/{name}".encode()).digest()
    return str(uuid.UUID(int=int.from_bytes(digest[:16], "big"), version=4))

@mypyc_attr(serializable=True)  # pickled in the demo snapshot
class Listener:
    """A registered ``ObjectStore.listen``; call ``stop()`` to end it."""

    __slots__ = ("active", "callback", "kinds", "skip", "statuses", "store")

    def __getstate__(self) -> dict[str, Any]:  # (the same in either build: sim/picklestate.py)
        return state_of(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore(self, state)

    def __init__(self, store: ObjectStore, kinds: frozenset[str] | None, skip: frozenset[str],
                 callback: ChangeCallback, statuses: bool = True) -> None:
        self.store = store
        self.kinds = kinds  # None: every kind but ``skip``
        self.skip = skip
        self.callback = callback
        self.statuses = statuses  # False: not called for a write of the status alone
        self.active = True

    def hears(self, kind: str) -> bool:
        return kind not in self.skip if self.kinds is None else kind in self.kinds

    def stop(self) -> None:
        if self.active:
            self.active = False
            self.store._unlisten(self)


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
class Watch:
    """A registered watch; call ``stop()`` to end it."""

    def __init__(self, store: ObjectStore, kind: str, namespace: str | None,
                 match: Callable[[Obj], bool] | None, callback: WatchCallback) -> None:
        self._store = store
        self.kind = kind
        self.namespace = namespace or None
        self.match = match
        self.callback = callback
        self.active = True
        self._everything = self.namespace is None and match is None  # every object of the kind

    def stop(self) -> None:
        if self.active:
            self.active = False
            watches = self._store._watches.get(self.kind)
            if watches is not None:
                watches.pop(self, None)
                if not watches:
                    self._store._watches.pop(self.kind, None)

    def _matches(self, obj: Obj | None) -> bool:
        if obj is None:
            return False
        if self.namespace and meta.namespace(obj) != self.namespace:
            return False
        return self.match is None or self.match(obj)

    def deliver(self, change: _Change) -> None:
        if not self.active or change.obj.get("kind") != self.kind:
            return
        if self._everything:  # a MODIFIED always has its old version: it was in, and stays in
            self.callback(change.type, change.obj)
            return
        now_in = self._matches(change.obj)
        if change.type == "MODIFIED":
            was_in = self._matches(change.old)
            if now_in and not was_in:
                self.callback("ADDED", change.obj)
            elif was_in and not now_in:
                self.callback("DELETED", change.obj)
            elif now_in:
                self.callback("MODIFIED", change.obj)
        elif now_in:
            self.callback(change.type, change.obj)


FIRST_RV = 1000  # the counter's start unless told otherwise (deterministic: tests, scenarios)


@mypyc_attr(serializable=True, allow_interpreted_subclasses=True)
class ObjectStore:
    """``rv_start``: where the resourceVersion counter starts (`k9py serve` starts it from the
    wall clock so that a restarted server never hands out a resourceVersion it already gave)."""

    def __init__(self, clock: Clock, rng: random.Random, *, rv_start: int = FIRST_RV) -> None:
        self.clock = clock
        self.rng = rng
        self._objects: dict[str, dict[tuple[str, ...], Obj]] = {}
        self._rv = rv_start
        self._history: deque[_Change] = deque(maxlen=HISTORY)
        self._watches: dict[str, dict[Watch, None]] = {}  # kind -> its watches, in the order they came
        self._listeners: list[Listener] = []  # in the order they came
        self._hearing: dict[str, tuple[ChangeCallback, ...]] = {}  # kind -> its listeners' callbacks (a cache)
        self._hearing_statuses: dict[str, tuple[ChangeCallback, ...]] = {}  # the same, of a status write's
        self._kind_rv: dict[str, int] = {}  # kind -> resourceVersion of its last change
        self._index = StoreIndex()  # keys by namespace, controller and owner; sorted key lists
        # called with (old, new) before a replace of an object that has managedFields
        self.on_replace: Callable[[Obj, Obj], None] | None = None
        self.on_create: Callable[[Obj], None] | None = None  # called with what a component creates

    # -- reading ---------------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        return self._rv

    def get(self, kind: str, namespace: str | None, name: str) -> Obj | None:
        return self._objects.get(kind, _NO_OBJECTS).get((namespace or "", name))

    def must_get(self, kind: str, namespace: str | None, name: str) -> Obj:
        obj = self.get(kind, namespace, name)
        if obj is None:
            raise not_found(kind, name)
        return obj

    def list(self, kind: str, namespace: str | None = None,
             match: Callable[[Obj], bool] | None = None) -> list[Obj]:
        """Objects of a kind (optionally one namespace, optionally filtered), by namespace/name."""
        objs = self._objects.get(kind, {})
        keys = self._index.sorted_keys(kind, namespace, objs)  # sorted once per change of membership
        if match is None:
            return [objs[k] for k in keys]
        return [o for o in (objs[k] for k in keys) if match(o)]

    def table(self, kind: str) -> Mapping[tuple[str, ...], Obj]:
        """The stored objects of ``kind`` by (namespace, name): the store's own table, for a
        reader that looks up many keys now (read only; it changes as the store does)."""
        return self._objects.get(kind) or _NO_OBJECTS

    def keyed(self, kind: str, namespace: str | None = None) -> dict[tuple[str, ...], Obj]:
        """Every object of ``kind`` (in ``namespace``) by (namespace, name), in a new dict the
        caller keeps (an informer's cache): of every namespace, a copy of the store's own table,
        which takes a tenth of keying a list's objects again (700,000 events: 42 ms, 419 ms)."""
        objs = self._objects.get(kind, {})
        if namespace is None:
            return dict(objs)
        return {k: objs[k] for k in self._index.sorted_keys(kind, namespace, objs)}

    def labelled(self, kind: str, label: str, value: str, namespace: str | None = None) -> builtins.list[tuple[str, ...]]:
        """(namespace, name) of the objects of ``kind`` (in ``namespace``) whose label ``label``
        is ``value``, sorted: an index lookup, kept from a kind's first one on."""
        keys = self._index.labelled(kind, label, value, self._objects.get(kind, {}))
        if namespace:
            return sorted(k for k in keys if k[0] == namespace)
        return sorted(keys)

    def keys(self, kind: str, namespace: str | None = None) -> tuple[tuple[str, ...], ...]:
        """(namespace, name) of every object of ``kind`` (in ``namespace``), sorted; cached until
        an object of that kind (namespace) comes or goes, so repeated calls cost nothing."""
        return self._index.sorted_keys(kind, namespace, self._objects.get(kind, {}))

    def controlled_by(self, kind: str, uid: str, namespace: str | None = None) -> builtins.list[Obj]:
        """Objects of ``kind`` whose controller ownerReference points at ``uid`` ("": those with
        no controller, except Events without ownerReferences), by namespace/name; an index
        lookup, not a scan."""
        objs = self._objects.get(kind, _NO_OBJECTS)
        keys = self._index.controlled_sorted(kind, uid)
        if namespace:
            return [objs[k] for k in keys if k[0] == namespace]
        return [objs[k] for k in keys]

    def owned_keys(self, uid: str) -> set[tuple[str, ...]]:
        """(kind, namespace, name) of every object with an ownerReference to ``uid`` (a copy)."""
        return set(self._index.owned(uid))

    def owned_by(self, uid: str) -> builtins.list[Obj]:
        """Every object (any kind) with an ownerReference to ``uid``, by kind/namespace/name."""
        out = []
        for kind, ns, name in sorted(self._index.owned(uid)):
            obj = self._objects.get(kind, {}).get((ns, name))
            if obj is not None:
                out.append(obj)
        return out

    def with_uid(self, uid: str) -> builtins.list[Obj]:
        """The objects whose own uid is ``uid`` (one, unless a replay reused it), by kind/key;
        never an Event (``store_index.UNINDEXED_KINDS``)."""
        out = []
        for kind, ns, name in sorted(self._index.with_uid(uid)):
            obj = self._objects.get(kind, {}).get((ns, name))
            if obj is not None:
                out.append(obj)
        return out

    def changes_since(self, rv: int) -> builtins.list[_Change] | None:
        """The changes after resourceVersion ``rv``, oldest first; None when the history no
        longer reaches back that far (the caller then looks at everything)."""
        if rv > self._rv:  # a version this store never handed out: nothing to go by
            return None
        # Every change takes the next version and goes into the history at once (``_publish``):
        # the history holds the last len(history) versions, one a change, without a gap.
        after = self._rv - rv
        history = self._history
        if after > len(history):
            return None
        out = builtins.list(islice(reversed(history), after))
        out.reverse()
        return out

    def kind_version(self, kind: str) -> int:
        """The resourceVersion of the last change to any object of ``kind`` (0 if none)."""
        return self._kind_rv.get(kind, 0)

    def count(self, kind: str) -> int:
        return len(self._objects.get(kind, {}))

    def kinds(self) -> builtins.list[str]:  # builtins: the class's own list() shadows the type here
        return [k for k, v in self._objects.items() if v]

    # -- writing ---------------------------------------------------------------------------
    def new_uid(self) -> str:
        """A version-4 UUID from the seeded generator (``uuid.UUID(int=…, version=4)``'s string,
        formatted here: the simulator makes one for every object and Event)."""
        n = (self.rng.getrandbits(128) & _UUID_KEEP) | _UUID_V4
        h = n.to_bytes(16, "big").hex()  # (a third faster than formatting it with 032x)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def random_suffix(self, n: int = 5) -> str:
        """``n`` of ``_NAME_CHARS`` drawn as ``rng.choice`` draws them (5 random bits, again
        while they are past the last character), without its call per character."""
        bits, chars, size = self.rng.getrandbits, _NAME_CHARS, len(_NAME_CHARS)
        out: builtins.list[str] = []
        while len(out) < n:
            i = bits(5)
            if i < size:
                out.append(chars[i])
        return "".join(out)

    def create(self, obj: Obj, *, keep_uid: bool = False, copy: bool = True) -> Obj:
        """Store a new object. ``keep_uid``: the caller (API admission) already assigned one.
        ``copy=False``: ``obj`` is a fresh object the caller hands over (no one else holds it
        or any part of it), stored as it is instead of copied."""
        if copy:
            obj = deep_copy(obj)
        kind = obj["kind"]
        res = resources.BY_KIND.get(kind)
        md = obj.setdefault("metadata", {})
        if res is not None:
            obj.setdefault("apiVersion", res.api_version)
            if res.namespaced:
                md["namespace"] = md.get("namespace") or "default"
            else:
                md.pop("namespace", None)
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + self.random_suffix()
        key = (md.get("namespace", ""), md["name"])
        bucket = self._objects.setdefault(kind, {})
        if key in bucket:
            raise already_exists(kind, md["name"])
        if not (keep_uid and md.get("uid")):
            md["uid"] = self.new_uid()
        md.setdefault("creationTimestamp", rfc3339(self.clock.now()))
        if kind in GENERATION_KINDS:
            md["generation"] = 1
        md.pop("deletionTimestamp", None)
        if not keep_uid:  # the API's create (keep_uid) brings the managedFields it computed
            md.pop("managedFields", None)
            if self.on_create is not None:
                self.on_create(obj)  # a controller's create, in managedFields (sim/managedfields.py)
        if md.get("ownerReferences"):  # (no owner, no controller: an Event, five a pod, has none)
            self._share_with_sibling(kind, obj)
        return self._write(bucket, key, obj, "ADDED", None)

    def create_built(self, obj: Obj) -> Obj:
        """``create`` for a new object a simulator component built whole and hands over (an
        Event: the kubelet records four a container): its apiVersion, namespace and name set,
        no generateName, generation, deletionTimestamp, managedFields or ownerReferences. It
        gets its uid and creationTimestamp here, without create's normalising of what a
        client may send (~1.3 of the ~11 µs an Event cost in a 10,000-pod build)."""
        kind = obj["kind"]
        md = obj["metadata"]
        key = (md["namespace"], md["name"])
        bucket = self._objects.get(kind)
        if bucket is None:
            bucket = self._objects[kind] = {}
        if key in bucket:
            raise already_exists(kind, md["name"])
        md["uid"] = self.new_uid()
        md["creationTimestamp"] = rfc3339(self.clock.now())
        return self._write(bucket, key, obj, "ADDED", None)

    def _share_with_sibling(self, kind: str, obj: Obj) -> None:
        """A controller's replicas are alike (10,000 pods from a few hundred templates): a new one
        shares every value equal to one of its siblings' instead of holding its own copy."""
        controller = controller_uid_of(obj)
        if not controller:
            return
        bucket = self._objects.get(kind, {})
        sibling_key = next(iter(self._index.controlled(kind, controller)), None)
        sibling = bucket.get(sibling_key) if sibling_key is not None else None
        if sibling is not None:
            _share_fields(obj, sibling)

    def update(self, obj: Obj, *, check_rv: bool = False, copy: bool = True) -> Obj:
        """Replace a stored object with ``obj`` (a changed copy). Keeps uid and creationTimestamp,
        bumps ``generation`` when ``spec`` changed. A write that changes nothing returns the
        stored object unchanged. ``copy=False``: as for ``create``."""
        kind = obj["kind"]
        md = obj.get("metadata", {})
        key = (md.get("namespace", "") or "", md.get("name", ""))
        bucket = self._objects.get(kind, {})
        old = bucket.get(key)
        if old is None:
            raise not_found(kind, key[1])
        if check_rv and md.get("resourceVersion") and md["resourceVersion"] != old["metadata"]["resourceVersion"]:
            raise conflict(kind, key[1])
        return self._replace(bucket, key, old, deep_copy(obj) if copy else obj)

    @staticmethod
    def as_written(new: Obj, old: Obj, generation: bool = True) -> Obj:
        """``new``'s metadata as a write of it over ``old`` leaves it: the fixed fields and the
        resourceVersion ``old``'s, the generation bumped when the spec changed (unless not
        ``generation``). What a dry run answers, unwritten (the apiserver runs its strategy)."""
        nmd = new.setdefault("metadata", {})
        omd = old["metadata"]
        for fixed in ("uid", "creationTimestamp", "namespace", "name"):
            if fixed in omd:
                nmd[fixed] = omd[fixed]
        if "deletionTimestamp" in omd:
            nmd["deletionTimestamp"] = omd["deletionTimestamp"]
            if "deletionGracePeriodSeconds" in omd and "deletionGracePeriodSeconds" not in nmd:
                nmd["deletionGracePeriodSeconds"] = omd["deletionGracePeriodSeconds"]
        nmd["resourceVersion"] = omd["resourceVersion"]
        if "generation" in omd:
            nmd["generation"] = omd["generation"]
            if generation and new.get("spec") != old.get("spec"):
                nmd["generation"] = omd["generation"] + 1
        return new

    def _replace(self, bucket: dict, key: tuple[str, ...], old: Obj, new: Obj, whole: tuple[str, ...] = (),
                 generation: bool = True) -> Obj:
        """Write ``new`` (owned by the store from now on) over ``old``; ``whole``: as for
        ``_share_fields``. A changed spec bumps ``metadata.generation`` unless ``generation`` is
        False: a subresource's write (a pod's binding) is not a new desired state."""
        self.as_written(new, old, generation)
        omd = old["metadata"]
        if self.on_replace is not None and omd.get("managedFields"):
            self.on_replace(old, new)  # who changed it, in managedFields (sim/managedfields.py)
        if new == old:
            return old
        _share_fields(new, old, whole)
        return self._write(bucket, key, new, "MODIFIED", old)

    def mutate(self, kind: str, namespace: str | None, name: str, fn: Callable[[Obj], Any]) -> Obj | None:
        """Copy the stored object, let ``fn`` change the copy in place, write it back.
        Returns the stored result, or None if the object does not exist."""
        old = self.get(kind, namespace, name)
        if old is None:
            return None
        new = deep_copy(old)
        fn(new)
        return self._replace(self._objects[kind], (namespace or "", name), old, new)

    def rewrite(self, kind: str, namespace: str | None, name: str, fn: Callable[[Obj], Any],
                *, fields: tuple[str, ...] = (), whole: tuple[str, ...] = (), generation: bool = True) -> Obj | None:
        """``mutate`` for a write that sets keys of the top level, of ``metadata`` and of the
        top-level ``fields`` only (``fn`` must not change anything deeper in place, labels and
        annotations included: it sets a new dict instead): the new version gets its own copies
        of those and shares the rest with the old one instead of a deep copy of everything
        (stored objects are never changed in place: copy-on-write). ``whole``: top-level fields
        ``fn`` sets to values the caller never changes (the endpoints controllers' members):
        stored as given, shared with the old version only if equal as a whole, never written into.
        ``generation``: as for ``_replace``. Returns the stored result, or None if the object
        does not exist."""
        old = self.get(kind, namespace, name)
        if old is None:
            return None
        new = dict(old)
        new["metadata"] = dict(old["metadata"])
        for f in fields:
            value = old.get(f)
            new[f] = dict(value) if isinstance(value, dict) else {}
        fn(new)
        return self._replace(self._objects[kind], (namespace or "", name), old, new, whole, generation)

    def write_status(self, kind: str, namespace: str | None, name: str, status: Obj) -> Obj | None:
        """``rewrite`` for a write of the status alone, as through the status subresource (the
        kubelet's, a controller's): ``status`` is a new dict the store owns from now on; the new
        version shares everything else with the old one, and only the statuses are compared (an
        equal one writes nothing and returns the stored object). Returns None if the object
        does not exist."""
        old = self.get(kind, namespace, name)
        if old is None:
            return None
        omd = old["metadata"]
        if self.on_replace is not None and omd.get("managedFields"):
            # written through the API before: the field manager records who changed what
            return self.rewrite(kind, namespace, name, lambda o: o.__setitem__("status", status))
        old_status = old.get("status", _MISSING)
        if status == old_status:
            return old
        if type(old_status) is dict:
            _share_unchanged(status, old_status, STATUS_SHARE_DEPTH)
        new = dict(old)
        new["metadata"] = dict(omd)
        new["status"] = status
        return self._write(self._objects[kind], (namespace or "", name), new, "MODIFIED", old, status_only=True)

    def mark_deleting(self, obj: Obj, grace_seconds: int, *, finalizers: Iterable[str] = ()) -> Obj:
        """Set deletionTimestamp (now + grace) and deletionGracePeriodSeconds: the object is
        Terminating until whoever owns its shutdown calls ``delete``."""
        kind, ns, name = meta.key(obj)
        old = self.must_get(kind, ns, name)
        # Only metadata changes: the rest is shared with the old version (stored objects are
        # never changed in place, so sharing between versions is safe: copy-on-write).
        new = dict(old)
        md = new["metadata"] = dict(old["metadata"])  # (its own keys are set: what they hold is shared)
        if "deletionTimestamp" not in md and md.get("generation"):
            # its controllers now only tear it down, a change of what it is meant to be: the
            # apiserver bumps the generation with the first deletionTimestamp (rest.BeforeDelete,
            # markAsDeleting), not when a later delete only shortens the grace period
            md["generation"] += 1
        md["deletionTimestamp"] = rfc3339(self.clock.now() + grace_seconds)
        md["deletionGracePeriodSeconds"] = grace_seconds
        if finalizers:
            md["finalizers"] = sorted(set(md.get("finalizers") or []) | set(finalizers))
        bucket = self._objects[kind]
        return self._write(bucket, (ns, name), new, "MODIFIED", old)

    def delete(self, kind: str, namespace: str | None, name: str) -> Obj:
        """Remove the object now (a DELETED event with a fresh resourceVersion)."""
        key = (namespace or "", name)
        bucket = self._objects.get(kind, {})
        old = bucket.get(key)
        if old is None:
            raise not_found(kind, name)
        del bucket[key]
        self._index.remove(kind, key, old)
        self._rv += 1
        self._kind_rv[kind] = self._rv
        gone_obj = dict(old)  # shares all but metadata with the last version (never changed in place)
        gone_obj["metadata"] = {**old["metadata"], "resourceVersion": str(self._rv)}
        self._publish(_Change(self._rv, "DELETED", gone_obj, None, self.clock.now()))
        return gone_obj

    def put_verbatim(self, obj: Obj) -> None:
        """Store ``obj`` exactly as given — its uid, resourceVersion and status untouched (a
        replayed recording) — and publish it to watches under a fresh store version."""
        kind = obj["kind"]
        md = obj["metadata"]
        key = (md.get("namespace", "") or "", md["name"])
        bucket = self._objects.get(kind)
        if bucket is None:
            bucket = self._objects[kind] = {}
        old = bucket.get(key)
        if old is obj:
            return
        if old is None:
            self._index.add(kind, key, obj)
        else:
            self._index.replaced(kind, key, old, obj)
        bucket[key] = obj
        self._publish_verbatim(kind, "ADDED" if old is None else "MODIFIED", obj, old)

    def remove_verbatim(self, kind: str, namespace: str | None, name: str) -> None:
        """Drop an object put with ``put_verbatim`` (no-op if absent)."""
        old = self._objects.get(kind, {}).pop((namespace or "", name), None)
        if old is not None:
            self._index.remove(kind, (namespace or "", name), old)
            self._publish_verbatim(kind, "DELETED", old, None)

    def _publish_verbatim(self, kind: str, type_: str, obj: Obj, old: Obj | None) -> None:
        self._rv += 1
        self._kind_rv[kind] = self._rv
        self._publish(_Change(self._rv, type_, obj, old, self.clock.now()))

    def _write(self, bucket: dict, key: tuple[str, ...], obj: Obj, type_: str, old: Obj | None, *,
               status_only: bool = False) -> Obj:
        """``status_only``: ``obj`` is ``old`` with another status (``write_status``): nothing the
        index holds moved."""
        kind = obj["kind"]
        if old is None:
            self._index.add(kind, key, obj)
        elif not status_only:
            self._index.replaced(kind, key, old, obj)
        rv = self._rv = self._rv + 1
        self._kind_rv[kind] = rv
        obj["metadata"]["resourceVersion"] = str(rv)
        bucket[key] = obj
        self._publish(_Change(rv, type_, obj, old, self.clock.now()), status_only, kind)
        return obj

    def _publish(self, change: _Change, status_only: bool = False, kind: str | None = None) -> None:
        """``kind``: the changed object's (looked up when not given)."""
        history = self._history
        history.append(change)
        horizon = change.at - HISTORY_WINDOW  # older changes go, as etcd compacts: a long run stays flat
        while len(history) > HISTORY_MIN and history[0].at < horizon:
            history.popleft()
        if kind is None:
            kind = change.obj.get("kind", "")
        cache = self._hearing_statuses if status_only else self._hearing
        hearing = cache.get(kind)
        if hearing is None:
            hearing = cache[kind] = tuple(x.callback for x in self._listeners
                                          if x.hears(kind) and (x.statuses or not status_only))
        for callback in hearing:  # before any watch: a watch's callback may write, and they hear in order
            callback(change)
        watches = self._watches.get(kind)
        if watches:
            for w in list(watches):
                w.deliver(change)

    # -- watching --------------------------------------------------------------------------
    def watch(self, kind: str, callback: WatchCallback, *, namespace: str | None = None,
              match: Callable[[Obj], bool] | None = None, since_rv: int | None = None) -> Watch:
        """Call ``callback(type, obj)`` for every later change of ``kind`` (in ``namespace``,
        matching ``match``). With ``since_rv``, first replay the changes after that
        resourceVersion; ApiError 410 if they are no longer kept."""
        w = Watch(self, kind, namespace, match, callback)
        if since_rv is not None and since_rv < self._rv:
            oldest = self._history[0].rv if self._history else self._rv + 1
            if since_rv + 1 < oldest:
                raise gone(f"too old resource version: {since_rv} ({oldest - 1})")
            for change in list(self._history):
                if change.rv > since_rv:
                    w.deliver(change)
        self._watches.setdefault(kind, {})[w] = None
        return w

    def listen(self, callback: ChangeCallback, *, kinds: Iterable[str] | None = None,
               skip: Iterable[str] = (), statuses: bool = True) -> Listener:
        """Call ``callback(change)`` for every later change of ``kinds`` (None: of every kind but
        ``skip``) as it is made, before any watch hears of it. For a reader that folds the
        changes into what it keeps between passes: unlike ``changes_since`` it never misses one,
        however many a pass makes (the history keeps only so many). ``callback`` only takes
        note: it must not write to the store. ``statuses=False``: not for a write of an
        object's status alone (``write_status``: its metadata and the rest stay as they were),
        for a reader of nothing else."""
        listener = Listener(self, None if kinds is None else frozenset(kinds), frozenset(skip), callback, statuses)
        self._listeners.append(listener)
        self._hearing.clear()
        self._hearing_statuses.clear()
        return listener

    def _unlisten(self, listener: Listener) -> None:
        self._listeners.remove(listener)
        self._hearing.clear()
        self._hearing_statuses.clear()

    def watched_kinds(self) -> set[str]:
        """The kinds somebody watches now."""
        return {kind for kind, watches in list(self._watches.items()) if watches}
