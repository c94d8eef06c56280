"""Events (core/v1) as the components of a real cluster record them, deduplicated by count."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim.store import HISTORY

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

EVENT_TTL = 3600.0  # the apiserver's default --event-ttl
TRACK_EVERY = HISTORY // 4  # store changes between two looks at them for the expiry heap


class EventRecorder:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        # dedupe key -> the Event's name (its namespace is its object's: the key holds the uid)
        self._by_key: dict[tuple, str] = {}
        # the involvedObject of the last event: the next one about the same version of the same
        # object (a container's Pulled, Created, Started) shares it (stored objects never change in place)
        self._involved: tuple[tuple, Obj] | None = None
        self._sources: dict[tuple[str, str | None], Obj] = {}
        self._messages: dict[str, str] = {}  # one string per message ("Created container app" x 10,000)
        self._next_expiry = 0.0
        self._seq = 0  # keeps names unique and ordered within one virtual instant
        # (lastTimestamp, namespace, name) of every event version, oldest first: the expiry
        # sweep pops what is past the TTL instead of scanning every event
        self._expiry: list[tuple[float, str, str]] = []
        self._expiry_rv: int | None = None  # the store version the heap is up to date with

    def record(self, obj: Obj, type_: str, reason: str, message: str, component: str,
               host: str | None = None, field_path: str | None = None) -> Obj:
        store = self.cluster.store
        now = self.cluster.clock.now()
        ns = meta.namespace(obj) or "default"
        involved = self._involved_object(obj, field_path)
        source = self._sources.get((component, host))
        if source is None:  # one dict for every event of a component on a host (stored objects are never changed in place)
            source = self._sources[(component, host)] = {"component": component, "host": host} if host else {"component": component}
        message = self._messages.setdefault(message, message)  # the string stored events and dedupe keys share
        key = (meta.uid(obj), type_, reason, message, component, field_path)
        existing = self._by_key.get(key)
        if existing is not None:
            current = store.get("Event", ns, existing)
            if current is not None:
                def bump(ev: Obj) -> None:
                    ev["count"] = int(ev.get("count", 1)) + 1
                    ev["lastTimestamp"] = rfc3339(now)
                return store.mutate("Event", ns, existing, bump)  # type: ignore[return-value]
        # Real event names are <object>.<unix nanoseconds in hex>: they sort in time order.
        self._seq += 1
        name = f"{meta.name(obj)}.{int(now * 1e9) + self._seq:x}"
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": involved, "reason": reason, "message": message, "source": source,
            "firstTimestamp": rfc3339(now), "lastTimestamp": rfc3339(now), "count": 1,
            "type": type_, "eventTime": None,
            "reportingComponent": component, "reportingInstance": host or "",
        }
        created = store.create(event, copy=False)  # built here: nobody else holds it
        self._by_key[key] = name
        self._expire(now)
        if self._expiry_rv is not None and store.resource_version - self._expiry_rv > TRACK_EVERY:
            self._track_events()  # before the store's history forgets them (then it would relist them all)
        return created

    def _involved_object(self, obj: Obj, field_path: str | None) -> Obj:
        md = obj.get("metadata", {})
        key = (meta.uid(obj), md.get("resourceVersion"), field_path, obj.get("kind"))
        last = self._involved
        if last is not None and last[0] == key and key[0] and key[1]:  # (an object without uid or version: never)
            return last[1]
        involved = {"kind": obj.get("kind"), "namespace": meta.namespace(obj) or None,
                    "name": meta.name(obj), "uid": meta.uid(obj), "apiVersion": obj.get("apiVersion"),
                    "resourceVersion": md.get("resourceVersion")}
        if not involved["namespace"]:
            involved.pop("namespace")
        if field_path:
            involved["fieldPath"] = field_path
        self._involved = (key, involved)
        return involved

    def _expire(self, now: float) -> None:
        """Drop events older than the TTL (the apiserver lets them expire after an hour)."""
        store = self.cluster.store
        if now < self._next_expiry:
            return
        self._next_expiry = now + 60.0  # sweep at most once a virtual minute
        self._track_events()
        heap, expired = self._expiry, set()
        while heap and now - heap[0][0] > EVENT_TTL:
            _, ns, name = heapq.heappop(heap)
            ev = store.get("Event", ns, name)
            if ev is None:
                continue
            last = parse_time(ev.get("lastTimestamp")) or now
            if now - last > EVENT_TTL:
                expired.add((ns, name))
            # else: bumped since; the heap holds its newer lastTimestamp too
        for ns, name in sorted(expired):
            store.delete("Event", ns, name)
        if expired:  # their dedupe keys go with them (else they would pile up for as long as it runs)
            gone = {name for _, name in expired}  # the recorder's names are unique (a sequence number)
            self._by_key = {k: v for k, v in self._by_key.items() if v not in gone}
            self._messages = {m: m for m in {k[3] for k in self._by_key}}  # dedupe keys hold the messages in use

    def _track_events(self) -> None:
        """Bring the expiry heap up to date with the store's changes (every event's versions)."""
        store = self.cluster.store
        changes = None if self._expiry_rv is None else store.changes_since(self._expiry_rv)
        self._expiry_rv = store.resource_version
        if changes is None:
            self._expiry = []
            versions = store.list("Event")
        else:
            versions = [ch.obj for ch in changes if ch.type != "DELETED" and ch.obj.get("kind") == "Event"]
        for ev in versions:
            last = parse_time(ev.get("lastTimestamp"))
            if last is not None:
                heapq.heappush(self._expiry, (last, meta.namespace(ev), meta.name(ev)))

    def for_object(self, obj: Obj) -> list[Obj]:
        uid = meta.uid(obj)
        evs = [e for e in self.cluster.store.list("Event") if e.get("involvedObject", {}).get("uid") == uid]
        return sorted(evs, key=lambda e: (e.get("lastTimestamp") or "", e["metadata"]["name"]))

