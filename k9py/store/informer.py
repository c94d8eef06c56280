"""The informer cache: per (kind, namespace) object maps fed by backend watches.

Watch events are applied at once but announced in coalesced diffs (added / changed / removed
keys): ``flush()`` hands each subscriber what changed since the last flush. With ``auto_flush``
a watch event has a flush come at most ``interval`` seconds after the last one (~10 a second
under churn; nothing wakes while nothing comes), and a watch that synced or changed state has
one at once (the first paint should not wait). Tests pass ``auto_flush=False`` and call ``flush()``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

from k9py.backends.base import Backend
from k9py.backends.events import Added, Deleted, Listed, Modified, StateChanged, Synced, WatchEvent

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects


def obj_key(obj: Obj) -> Key:
    md = obj.get("metadata", {})
    return (md.get("namespace") or "", md.get("name", ""))


@dataclass
class Diff:
    added: set[Key] = field(default_factory=set)
    changed: set[Key] = field(default_factory=set)
    removed: set[Key] = field(default_factory=set)
    synced: bool = False  # the cache became synced since the last flush
    # Everything may have changed (a first list, a late subscriber): read the whole cache;
    # added / changed / removed are then empty. Cheaper than 100k keys in ``added``.
    reset: bool = False
    # the cache's connection state or error changed (read ``cache.state`` / ``cache.error``)
    state: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.synced or self.reset or self.state)


class Heard:
    """What a cache's diffs named while work on a snapshot of it ran in a worker thread (a view's
    rows loading, `:pulses` counting): applied to the work's result once it is done, or, after a
    ``reset`` (a re-list), the work done again."""

    def __init__(self) -> None:
        self.keys: set[Key] = set()
        self.reset = False

    def note(self, diff: Diff) -> None:
        if diff.reset:
            self.reset = True
        else:
            self.keys.update(diff.added, diff.changed, diff.removed)

    def since(self, before: dict[Key, Obj], now: dict[Key, Obj]) -> tuple[list[Key], list[Key], list[Key]]:
        """The keys heard as added, changed and removed between the snapshot ``before`` and ``now``."""
        keys = self.keys
        return ([k for k in keys if k in now and k not in before], [k for k in keys if k in now and k in before],
                [k for k in keys if k not in now and k in before])


class Cache:
    """Objects of one kind in one namespace (``None``: all namespaces)."""

    def __init__(self, kind: str, namespace: str | None) -> None:
        self.kind = kind
        self.namespace = namespace
        self.objects: dict[Key, Obj] = {}
        self.synced = False
        self.state = "connecting"
        self.error: str | None = None
        self._pending = Diff()
        self._relisting: set[Key] | None = None

    def __len__(self) -> int:
        return len(self.objects)

    def get(self, key: Key) -> Obj | None:
        return self.objects.get(key)

    # -- applying watch events ---------------------------------------------------------------
    def apply(self, ev: WatchEvent) -> None:
        match ev:
            case Added(obj) | Modified(obj):
                self._put(obj, isinstance(ev, Added))
            case Deleted(obj):
                self._remove(obj)
            case Listed(objs, keyed):
                self._listed(objs, keyed)
            case Synced():
                self._synced()
            case StateChanged(state, message):
                self.set_state(state, message or None)

    def _listed(self, objs: list[Obj], keyed: dict[Key, Obj] | None = None) -> None:
        if not self.synced and self._relisting is None and not self.objects:
            # the first list of a cache, the hot path of a first paint: one reset, no keys
            p = self._pending
            self.objects = keyed if keyed is not None else {
                (o["metadata"].get("namespace") or "", o["metadata"].get("name", "")): o for o in objs}
            self._pending = Diff(reset=True, synced=p.synced, state=p.state)
            return
        for o in objs:
            self._put(o, True)

    def _synced(self) -> None:
        if self._relisting is not None:
            for gone in [k for k in self.objects if k not in self._relisting]:
                self._remove(self.objects[gone])
            self._relisting = None
        if not self.synced:
            self._pending.synced = True
        self.synced = True
        self.set_state("connected", None)

    def _put(self, obj: Obj, added: bool) -> None:
        p = self._pending
        if p.reset:  # a reset is pending: subscribers will read the whole cache anyway
            k = obj_key(obj)
            self.objects[k] = obj
            if self._relisting is not None:
                self._relisting.add(k)
            return
        if added and not self.synced and self._relisting is None:
            md = obj["metadata"]  # the initial list: the hot path of a first paint
            k = (md.get("namespace") or "", md.get("name", ""))
            if k not in self.objects:
                self.objects[k] = obj
                p.added.add(k)
                return
        k = obj_key(obj)
        if self._relisting is not None:
            self._relisting.add(k)
        old = self.objects.get(k)
        self.objects[k] = obj
        if old is None:
            if k in p.removed:
                p.removed.discard(k)
                p.changed.add(k)
            else:
                p.added.add(k)
        elif old is not obj and k not in p.added and (
                old.get("metadata", {}).get("resourceVersion") != obj.get("metadata", {}).get("resourceVersion")
                or old != obj):
            p.changed.add(k)

    def _remove(self, obj: Obj) -> None:
        p = self._pending
        k = obj_key(obj)
        if p.reset:
            self.objects.pop(k, None)
            return
        if self.objects.pop(k, None) is None:
            return
        if k in p.added:
            p.added.discard(k)
        else:
            p.changed.discard(k)
            p.removed.add(k)

    def set_state(self, state: str, error: str | None) -> None:
        """A connection state change is news for subscribers (the header, stale rows)."""
        if state != self.state or error != self.error:
            self.state, self.error = state, error
            self._pending.state = True

    def begin_relist(self) -> None:
        """A watch restarts: objects not listed again before SYNCED are removed."""
        self._relisting = set()

    def take_diff(self) -> Diff:
        d, self._pending = self._pending, Diff()
        return d


Listener = Callable[[Cache, Diff], None]


@dataclass(eq=False)
class Subscription:
    kind: str
    namespace: str | None
    listener: Listener
    initial: bool = False  # joined a synced cache: gets the whole cache on the next flush


class Informer:
    def __init__(self, backend: Backend, *, interval: float = 0.1, auto_flush: bool = True,
                 retry_delay: float = 1.0, grace: float | None = 30.0) -> None:
        """``grace``: seconds an unused watch lives on (``None``: until ``stop_idle()``)."""
        self.backend = backend
        self.interval = interval
        self.auto_flush = auto_flush
        self.retry_delay = retry_delay
        self.grace = grace
        self._idle: dict[tuple[str, str | None], asyncio.TimerHandle | None] = {}
        self._caches: dict[tuple[str, str | None], Cache] = {}
        self._tasks: dict[tuple[str, str | None], asyncio.Task[None]] = {}
        self._subs: dict[tuple[str, str | None], list[Subscription]] = {}
        self._flush_timer: asyncio.TimerHandle | None = None  # the next flush, when one is due
        self._flush_due = 0.0  # monotonic() when it is
        self._last_flush = -float("inf")  # monotonic() when the last flush ended

    # -- subscribing -------------------------------------------------------------------------
    def subscribe(self, kind: str, namespace: str | None, listener: Listener, *,
                  has_read: bool = False) -> Subscription:
        """Start (or share) the watch of ``kind`` in ``namespace`` and call ``listener`` on flushes.
        A late subscriber to a synced cache gets everything (a ``reset``) on the next flush,
        unless it ``has_read`` the cache itself just now: it gets the diffs from then on (the
        changes already in what it read among them: applying one again must change nothing)."""
        key = (kind, namespace or None)
        sub = Subscription(kind, namespace or None, listener)
        self._subs.setdefault(key, []).append(sub)
        if key in self._idle:  # back within the grace period: the running watch is reused
            timer = self._idle.pop(key)
            if timer is not None:
                timer.cancel()
        cache = self._caches.get(key)
        if cache is None:
            cache = self._caches[key] = Cache(kind, namespace or None)
            self._tasks[key] = asyncio.get_running_loop().create_task(self._run(cache))
        elif cache.synced and not has_read:
            sub.initial = True
            self._schedule_flush(at_once=True)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        key = (sub.kind, sub.namespace)
        subs = self._subs.get(key, [])
        if sub in subs:
            subs.remove(sub)
        if not subs and key in self._subs:
            self._subs.pop(key, None)
            if key in self._caches:
                self._idle[key] = (asyncio.get_running_loop().call_later(self.grace, self._stop, key)
                                   if self.grace is not None else None)

    def _stop(self, key: tuple[str, str | None]) -> None:
        """Stop an unused watch and drop its cache."""
        timer = self._idle.pop(key, None)
        if timer is not None:
            timer.cancel()
        if self._subs.get(key):
            return
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
        self._caches.pop(key, None)

    def idle(self) -> list[tuple[str, str | None]]:
        """(kind, namespace) of the watches no subscriber uses, waiting for their grace period."""
        return list(self._idle)

    def stop_idle(self) -> int:
        """Stop every unused watch now (its grace period cut short); returns how many."""
        keys = list(self._idle)
        for key in keys:
            self._stop(key)
        return len(keys)

    def active(self) -> list[tuple[str, str | None]]:
        """(kind, namespace) of every running watch, idle ones included."""
        return list(self._tasks)

    def cache(self, kind: str, namespace: str | None) -> Cache | None:
        return self._caches.get((kind, namespace or None))

    def relist(self, kind: str, namespace: str | None) -> bool:
        """Restart the watch of ``kind`` in ``namespace`` now (k9s's ctrl-r): list again, objects
        not listed removed, and a watch that was waiting to retry tries at once. False: nothing
        watches it."""
        key = (kind, namespace or None)
        cache, task = self._caches.get(key), self._tasks.get(key)
        if cache is None or task is None:
            return False
        task.cancel()
        self._tasks[key] = asyncio.get_running_loop().create_task(self._run(cache))
        return True

    # -- flushing ----------------------------------------------------------------------------
    def flush(self) -> int:
        """Deliver pending diffs to subscribers; returns how many caches had something."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        delivered = 0
        for key, cache in list(self._caches.items()):
            diff = cache.take_diff()
            for sub in list(self._subs.get(key, [])):
                if sub.initial:
                    sub.initial = False
                    sub.listener(cache, Diff(synced=True, reset=True))
                elif diff:
                    sub.listener(cache, diff)
            if diff:
                delivered += 1
        self._last_flush = monotonic()
        return delivered

    def _schedule_flush(self, *, at_once: bool = False) -> None:
        """Have a flush come: ``at_once`` (a sync, a state change, a late subscriber: the first
        paint should not wait), else ``interval`` after the last flush (a watch event: whatever
        else comes by then goes in the same diff). One flush is pending at a time, the earliest."""
        if not self.auto_flush:
            return
        now = monotonic()
        due = now if at_once else max(now, self._last_flush + self.interval)
        if self._flush_timer is not None:
            if self._flush_due <= due:
                return
            self._flush_timer.cancel()
        self._flush_due = due
        self._flush_timer = asyncio.get_running_loop().call_later(due - now, self.flush)

    # -- watching ----------------------------------------------------------------------------
    async def _run(self, cache: Cache) -> None:
        delay = self.retry_delay
        while True:
            if cache.synced:
                cache.begin_relist()
            try:
                async for ev in self.backend.watch(cache.kind, cache.namespace):
                    cache.apply(ev)
                    if isinstance(ev, Synced):
                        delay = self.retry_delay
                        self._schedule_flush(at_once=True)
                    elif isinstance(ev, StateChanged):
                        self._schedule_flush(at_once=True)
                    else:
                        self._schedule_flush()
            except asyncio.CancelledError:
                raise
            except Exception as err:  # a broken watch is retried, and shown
                cache.set_state("reconnecting", str(err))
            else:
                cache.set_state("reconnecting", cache.error)
            self._schedule_flush(at_once=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    async def close(self) -> None:
        for timer in self._idle.values():
            if timer is not None:
                timer.cancel()
        self._idle.clear()
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()
        self._caches.clear()
        self._subs.clear()
