"""Events (core/v1) as the components of a real cluster record them, through client-go's event
correlator: the same event again bumps the stored one's count and lastTimestamp, and similar
events (same object, type, reason and component, other messages: "Successfully pulled image in
715ms" at every retry) are combined once ten of them came within ten minutes of each other
(``EventAggregator``: one Event "(combined from similar events): <the latest message>" counts them
from then on)."""

from __future__ import annotations

import heapq
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from mypy_extensions import mypyc_attr

from k9py.kube import meta
from k9py.kube.sharing import shares_keys
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.follower import Follower

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change

Obj = dict[str, Any]

EVENT_TTL = 3600.0  # the apiserver's default --event-ttl
AGGREGATE_MAX_EVENTS = 10     # client-go record: defaultAggregateMaxEvents
AGGREGATE_INTERVAL = 600.0    # defaultAggregateIntervalInSeconds
AGGREGATE_CACHE_SIZE = 4096   # maxLruCacheEntries (one cache per recorder: a component on a host)
COMBINED = "(combined from similar events): "
_COMBINED_KEY = "\0combined"  # in a dedupe key, for the message: the object's combined event


@shares_keys
class _Event:
    """An Event as the store keeps it, built in the API's key order (``kube.sharing.shares_keys``):
    216 bytes instead of 472 (64,000 Events after a 10k build: 16 MB)."""

    apiVersion: str
    kind: str
    metadata: Obj
    involvedObject: Obj
    reason: str
    message: str
    source: Obj
    firstTimestamp: str
    lastTimestamp: str
    count: int
    type: str
    eventTime: None
    reportingComponent: str
    reportingInstance: str


@shares_keys
class _EventMetadata:
    """An Event's metadata: the recorder sets name and namespace, the store adds the rest in place."""

    name: str
    namespace: str
    uid: str
    creationTimestamp: str
    resourceVersion: str


@shares_keys
class _Reference:
    """An involvedObject (namespace: of a namespaced object; fieldPath: when there is one)."""

    kind: Any
    namespace: str
    name: str
    uid: str
    apiVersion: Any
    resourceVersion: Any
    fieldPath: str


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
class EventRecorder:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        # dedupe key (uid, message, shape) -> the Event's name (its namespace is its object's: the
        # key holds the uid); shape: one tuple for each (type, reason, component, fieldPath) seen
        self._by_key: dict[tuple, str] = {}
        self._shapes: dict[tuple, tuple] = {}
        # the involvedObject of the last event: the next one about the same version of the same
        # object (a container's Pulled, Created, Started) shares it (stored objects never change in place)
        self._involved: tuple[tuple, Obj] | None = None
        self._sources: dict[tuple[str, str | None], Obj] = {}
        # one string per message ("Created container app" x 10,000) and field path
        self._strings: dict[str, str] = {}
        self._next_expiry = 0.0
        self._seq = 0  # keeps names unique and ordered within one virtual instant
        self._times = _EventTimes()  # every event version by its lastTimestamp, for the expiry sweep
        # the aggregator's records, per (component, host), least recently used first:
        # (uid, type, reason) -> [last time, its messages: one str, or a dict of them in order]
        self._similar: dict[tuple[str, str | None], OrderedDict[tuple, list]] = {}

    def record(self, obj: Obj, type_: str, reason: str, message: str, component: str,
               host: str | None = None, field_path: str | None = None) -> Obj:
        cluster = self.cluster
        store = cluster.store
        now = cluster.clock.now()
        md = obj.get("metadata", {})
        uid = md.get("uid", "")
        ns = md.get("namespace", "") or "default"
        strings = self._strings
        message = strings.setdefault(message, message)  # the string stored events and dedupe keys share
        if field_path:
            field_path = strings.setdefault(field_path, field_path)
        shape: tuple[str, str, str, str | None]
        if self._similar_enough(uid, type_, reason, component, host, message, now):
            message = COMBINED + message
            shape = (type_, reason, component, None)  # (fieldPath is not in the aggregate key)
            key = (uid, _COMBINED_KEY, self._shapes.setdefault(shape, shape))
        else:
            shape = (type_, reason, component, field_path)
            key = (uid, message, self._shapes.setdefault(shape, shape))
        existing = self._by_key.get(key)
        if existing is not None and store.get("Event", ns, existing) is not None:
            return self._bump(ns, existing, now, message)
        # Real event names are <object>.<unix nanoseconds in hex>: they sort in time order.
        self._seq += 1
        name = f"{md.get('name', '')}.{int(now * 1e9) + self._seq:x}"
        event = self._new_event(name, ns, self._involved_object(obj, md, uid, field_path), reason, message,
                                self._source(component, host), rfc3339(now), type_, component, host)
        created = store.create_built(event)  # built here, whole: nobody else holds it
        self._by_key[key] = name
        if now >= self._next_expiry:
            self.expire(now)
        return created

    @staticmethod
    def _new_event(name: str, ns: str, involved: Obj, reason: str, message: str, source: Obj, stamp: str,
                   type_: str, component: str, host: str | None) -> Obj:
        event = _Event()  # the same keys in the same order as a dict display had (see _Event)
        event.apiVersion = "v1"
        event.kind = "Event"
        event_md = _EventMetadata()
        event_md.name = name
        event_md.namespace = ns
        event.metadata = event_md.__dict__
        event.involvedObject = involved
        event.reason = reason
        event.message = message
        event.source = source
        event.firstTimestamp = stamp
        event.lastTimestamp = stamp
        event.count = 1
        event.type = type_
        event.eventTime = None
        event.reportingComponent = component
        event.reportingInstance = host or ""
        return event.__dict__

    def _bump(self, ns: str, name: str, now: float, message: str) -> Obj:
        """One more occurrence of a stored event: its count, lastTimestamp and message (the
        correlator's patch: a combined event shows the latest one; the rest is shared)."""
        def bump(ev: Obj) -> None:
            ev["count"] = int(ev.get("count", 1)) + 1
            ev["lastTimestamp"] = rfc3339(now)
            if ev.get("message") != message:
                ev["message"] = message
        return self.cluster.store.rewrite("Event", ns, name, bump)  # type: ignore[return-value]

    def _similar_enough(self, uid: str, type_: str, reason: str, component: str, host: str | None,
                        message: str, now: float) -> bool:
        """client-go's EventAggregate: whether this event is combined with the similar ones (the
        same object, type, reason and source; a record is forgotten 10 min after its last event):
        once ``AGGREGATE_MAX_EVENTS`` messages were seen, each new one is (the oldest seen is
        forgotten, so one seen again is not, as in client-go)."""
        lru = self._similar.get((component, host))
        if lru is None:
            lru = self._similar[(component, host)] = OrderedDict()
        akey = (uid, type_, reason)
        rec = lru.get(akey)
        if rec is None or now - rec[0] > AGGREGATE_INTERVAL:
            lru[akey] = [now, message]
            lru.move_to_end(akey)
            if len(lru) > AGGREGATE_CACHE_SIZE:
                lru.popitem(last=False)
            return False
        rec[0] = now
        lru.move_to_end(akey)
        seen = rec[1]
        if isinstance(seen, str):  # (most objects have one message per reason: no dict for them)
            if seen == message:
                return False
            seen = rec[1] = {seen: None}
        seen[message] = None
        if len(seen) < AGGREGATE_MAX_EVENTS:
            return False
        del seen[next(iter(seen))]
        return True

    def _source(self, component: str, host: str | None) -> Obj:
        """One dict for every event of a component on a host (stored objects are never changed in place)."""
        source = self._sources.get((component, host))
        if source is None:
            source = self._sources[(component, host)] = {"component": component, "host": host} if host else {"component": component}
        return source

    def _involved_object(self, obj: Obj, md: Obj, uid: str, field_path: str | None) -> Obj:
        rv = md.get("resourceVersion")
        key = (uid, rv, field_path, obj.get("kind"))
        last = self._involved
        if last is not None and last[0] == key and uid and rv:  # (an object without uid or version: never)
            return last[1]
        ref = _Reference()  # kind, namespace (of a namespaced object), name, uid, apiVersion, resourceVersion, fieldPath
        ref.kind = obj.get("kind")
        ns = md.get("namespace", "")
        if ns:
            ref.namespace = ns
        ref.name = md.get("name", "")
        ref.uid = uid
        ref.apiVersion = obj.get("apiVersion")
        ref.resourceVersion = rv
        if field_path:
            ref.fieldPath = field_path
        involved = ref.__dict__
        self._involved = (key, involved)
        return involved

    def expire(self, now: float) -> None:
        """Drop events older than the TTL, at most once a virtual minute: as they are recorded,
        and as the clock moves (etcd lets them go after an hour whether or not others come)."""
        store = self.cluster.store
        if now < self._next_expiry:
            return
        self._next_expiry = now + 60.0  # sweep at most once a virtual minute
        times = self._times
        times.refresh(store)
        heap, due, expired = times.heap, times.due, set()
        while heap and now - heap[0][0] > EVENT_TTL:
            flat = due.pop(heapq.heappop(heap)[1])
            for i in range(0, len(flat), 2):
                ns, name = flat[i], flat[i + 1]
                ev = store.get("Event", ns, name)
                if ev is None:
                    continue
                last = parse_time(ev.get("lastTimestamp")) or now
                if now - last > EVENT_TTL:
                    expired.add((ns, name))
                # else: bumped since; its newer lastTimestamp is tracked too
        for ns, name in sorted(expired):
            store.delete("Event", ns, name)
        if expired:  # their dedupe keys go with them (else they would pile up for as long as it runs)
            gone = {name for _, name in expired}  # the recorder's names are unique (a sequence number)
            self._by_key = {k: v for k, v in self._by_key.items() if v not in gone}
            # the tables keep what dedupe keys still hold
            self._shapes = {s: s for s in {k[2] for k in self._by_key}}
            kept = {k[1] for k in self._by_key} | {s[3] for s in self._shapes if s[3]}
            self._strings = {s: s for s in kept}

    def for_object(self, obj: Obj) -> list[Obj]:
        uid = meta.uid(obj)
        evs = [e for e in self.cluster.store.list("Event") if e.get("involvedObject", {}).get("uid") == uid]
        return sorted(evs, key=lambda e: (e.get("lastTimestamp") or "", e["metadata"]["name"]))


class _EventTimes(Follower):
    """Every event version by its lastTimestamp: the stamp -> [namespace, name, namespace, name, …]
    (two slots an event instead of a tuple), and a heap of (time, stamp) of those stamps, oldest
    first: the expiry sweep pops what is past the TTL instead of scanning every event. Kept up
    to date as events are written (``follower.py``): never a relist of every event."""

    kinds = ("Event",)

    def __init__(self) -> None:
        super().__init__()
        self.due: dict[str, list[str]] = {}
        self.heap: list[tuple[float, str]] = []

    def refresh(self, store: Any) -> None:
        """The first time: every stored event (after that, their changes keep it)."""
        if self.follow(store):
            self.due, self.heap = {}, []
            for ev in store.list("Event"):
                self._add(ev)

    def fold(self, change: Change) -> None:
        if change.type != "DELETED":
            self._add(change.obj)

    def _add(self, ev: Obj) -> None:
        stamp = ev.get("lastTimestamp")
        if type(stamp) is not str:  # none, or no timestamp: not tracked
            return
        flat = self.due.get(stamp)
        if flat is None:
            last = _stamp_time(stamp)
            if last is None:  # "", or not a time: not tracked
                return
            flat = self.due[stamp] = []
            heapq.heappush(self.heap, (last, stamp))
        md = ev.get("metadata", {})
        flat.append(md.get("namespace", "") or "")
        flat.append(md.get("name", ""))


def _stamp_time(stamp: str) -> float | None:
    """An event's lastTimestamp as a time; None for "" or what is not a time (an Event written
    through the API may hold anything: heard as the store writes it, it must not fail that write)."""
    try:
        return parse_time(stamp)
    except ValueError:
        return None
