"""Plays a Recording like a video: the state at the play head is an ``ObjectStore`` that the
backends and ``serve`` read, its clock reads ``start + t`` so ages look as they did.

Moving the play head (play, step, seek) publishes the difference between the old and the new
state as ordinary watch events (ADDED/MODIFIED/DELETED), so informers and ``kubectl get -w``
follow along, backwards too; a move publishes each object's net change (one made and gone
within it is not seen, as by an informer that fell behind). Seeking is fast on long recordings:
a checkpoint of the state (which event put each object there) is kept every so many events; a
seek starts from the nearest checkpoint before the target, never from the start. Objects are
decoded (``eventlog``) when the store needs them: a watched kind's as the play head moves, the
other kinds' when first read, in their state then (``ReplayStore``), so a long recording costs
little time and memory for what nobody looks at.
"""

from __future__ import annotations

import bisect
import builtins
import functools
import operator
import random
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from k9py.kube import gcpause, resources
from k9py.kube.gcpause import gc_paused
from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_time, rfc3339_nano
from k9py.scenario.eventlog import Feed
from k9py.scenario.recording import Recording, complete
from k9py.scenario.speeds import SPEEDS
from k9py.sim.store import ObjectStore, Watch, WatchCallback, _Change

Obj = dict[str, Any]
Key = tuple[str, str, str]

EPS = 1e-6  # recorded times are differences of epoch floats: an event "at" t may read t ± 1e-7
CHECKPOINT_EVERY = 256  # events between checkpoints (at least; more when the state is large)


class PlayheadClock:
    """What the store and the UI read as "now": start + the play head, told by its player at
    every move (the store reads it for every object it writes). It holds no reference to the
    player: no reference cycle, so a replay left behind dies by reference counting even after
    a freeze (``gcpause.loaded``)."""

    def __init__(self, player: Player) -> None:
        self._now = player.start + player.position

    def now(self) -> float:
        return self._now

    def moved(self, now: float) -> None:
        self._now = now


class _Births:
    """Each object event's object's birth: the t of the event that made it (the made-up uid of
    an object recorded without one), worked out from the index on first use."""

    def __init__(self, feed: Feed) -> None:
        self._feed = feed
        self._born: array[float] | None = None

    def __call__(self) -> array[float]:
        born = self._born
        if born is None:
            feed = self._feed
            born = array("d")
            alive: dict[Key, float] = {}  # key -> birth t
            for t, type_, key in zip(feed.times, feed.types, feed.keys, strict=True):
                if type_ == "DELETED":
                    born.append(alive.pop(key, t))
                else:
                    if type_ == "ADDED" or (b := alive.get(key)) is None:
                        b = alive[key] = t
                    born.append(b)
            self._born = born
        return born


REPLAY_HISTORY = 5_000  # watch events kept for resuming (the simulator's 50,000 would hold 50,000 objects)
_NONE: dict[tuple[str, str], Obj] = {}
_event_index = operator.itemgetter(1)
_NO_KINDS: frozenset[str] = frozenset()
Change = tuple[Key, int]  # an object and the event that makes it at the play head (GONE: none)
GONE = -1


class ReplayStore(ObjectStore):
    """An ObjectStore whose objects are written verbatim (the recorded resourceVersion, uid and
    status stay as recorded); every write still gets a store resourceVersion for watches.

    The player tells it what changed (``move``). Kinds somebody watches are written at once, so
    the watch sees every move; the others fall behind (``_behind``) until something reads them
    (any read, a new watch): only then are their objects decoded, each in its state at the play
    head, never the states it went through. A read of several kinds (``resource_version``,
    ``changes_since``, owners, uids) brings every kind up to date first."""

    def __init__(self, clock: PlayheadClock, rng: random.Random, lock: threading.RLock,
                 objects: Callable[[list[int]], list[Obj]]) -> None:
        """``objects``: those events' objects, decoded and completed."""
        super().__init__(clock, rng)  # (the store reads only .now(): the play head goes back)
        self._history = deque(maxlen=REPLAY_HISTORY)
        self._lock = lock
        self._objects_of = objects
        self._behind: dict[str, dict[Key, int]] = {}  # kind -> key -> the event that makes it now (GONE)

    def move(self, changes: list[Change]) -> None:
        """The play head moved: each of ``changes`` is an object's new state (in their order)."""
        watched = self.watched_kinds() if self._watches else _NO_KINDS
        now: list[Change] = []
        behind = self._behind
        for change in changes:
            kind = change[0][0]
            if kind in watched:
                now.append(change)
            else:
                (behind.get(kind) or behind.setdefault(kind, {}))[change[0]] = change[1]
        if now:
            self._apply(now)

    def _apply(self, changes: list[Change]) -> None:
        with gc_paused():  # many objects decoded, indexed and published: none of them cyclic
            objs = self._objects_of([i for _, i in changes if i != GONE])
            put = self.put_verbatim
            if len(objs) == len(changes):  # nothing gone (a catch-up, mostly)
                for obj in objs:
                    put(obj)
                return
            it = iter(objs)
            for key, i in changes:
                if i == GONE:
                    self.remove_verbatim(*key)
                else:
                    put(next(it))

    def _catch_up(self, kind: str | None = None) -> None:
        """Bring ``kind`` (None: every kind) up to the play head."""
        behind = self._behind
        if not behind or (kind is not None and kind not in behind):
            return
        with self._lock:  # _apply decodes with the collector paused
            applied = 0
            for k in list(behind) if kind is None else [kind]:
                pending = behind.pop(k, None)
                if pending:
                    self._apply(list(pending.items()))
                    applied += len(pending)
            gcpause.loaded(applied)  # many objects decoded for good: out of the collector's sight

    def objects_at(self, keys: Iterable[Key]) -> dict[Key, Obj]:
        """The objects of those keys that are here (every kind brought up to date first)."""
        self._catch_up()
        objects = self._objects
        return {key: obj for key in keys if (obj := objects.get(key[0], _NONE).get(key[1:])) is not None}

    def kinds_behind(self) -> list[str]:
        """The kinds not yet brought up to the play head (tests, benchmarks)."""
        return sorted(k for k, v in self._behind.items() if v)

    # every read brings what it reads up to date first
    @property
    def resource_version(self) -> int:
        self._catch_up()
        return self._rv

    def get(self, kind: str, namespace: str | None, name: str) -> Obj | None:
        self._catch_up(kind)
        return super().get(kind, namespace, name)

    def list(self, kind: str, namespace: str | None = None,
             match: Callable[[Obj], bool] | None = None) -> builtins.list[Obj]:
        self._catch_up(kind)
        return super().list(kind, namespace, match)

    def keys(self, kind: str, namespace: str | None = None) -> tuple[tuple[str, ...], ...]:
        self._catch_up(kind)
        return super().keys(kind, namespace)

    def keyed(self, kind: str, namespace: str | None = None) -> dict[tuple[str, ...], Obj]:
        self._catch_up(kind)
        return super().keyed(kind, namespace)

    def labelled(self, kind: str, label: str, value: str, namespace: str | None = None) -> builtins.list[tuple[str, ...]]:
        self._catch_up(kind)
        return super().labelled(kind, label, value, namespace)

    def controlled_by(self, kind: str, uid: str, namespace: str | None = None) -> builtins.list[Obj]:
        self._catch_up(kind)
        return super().controlled_by(kind, uid, namespace)

    def owned_keys(self, uid: str) -> set[tuple[str, ...]]:
        self._catch_up()
        return super().owned_keys(uid)

    def owned_by(self, uid: str) -> builtins.list[Obj]:
        self._catch_up()
        return super().owned_by(uid)

    def with_uid(self, uid: str) -> builtins.list[Obj]:
        self._catch_up()
        return super().with_uid(uid)

    def changes_since(self, rv: int) -> builtins.list[_Change] | None:
        self._catch_up()
        return super().changes_since(rv)

    def kind_version(self, kind: str) -> int:
        self._catch_up(kind)
        return super().kind_version(kind)

    def count(self, kind: str) -> int:
        self._catch_up(kind)
        return super().count(kind)

    def kinds(self) -> builtins.list[str]:
        self._catch_up()
        return super().kinds()

    def watch(self, kind: str, callback: WatchCallback, *, namespace: str | None = None,
              match: Callable[[Obj], bool] | None = None, since_rv: int | None = None) -> Watch:
        with self._lock:  # up to date, then watched: from here on every move is written at once
            self._catch_up(kind)
            return super().watch(kind, callback, namespace=namespace, match=match, since_rv=since_rv)


class Player:
    """Plays ``rec`` on a manual clock: call ``advance(real_seconds)`` (the driver) or move the
    play head with ``seek``/``step_*``/``home``/``end``. Thread-safe under ``lock``.

    ``feed``: the recording's events, indexed (``eventlog.open_jsonl`` for a file opened to be
    played: the objects stay on disk until the store needs them); default: ``rec.events``."""

    def __init__(self, rec: Recording, *, checkpoint_every: int = CHECKPOINT_EVERY, paused: bool = False,
                 feed: Feed | None = None) -> None:
        gcpause.tune()  # a big acyclic heap, as a simulated cluster's: collections spaced out
        self.recording = rec
        self.start = rec.start
        self.duration = rec.end
        self.lock = threading.RLock()
        self.position = 0.0
        self.speed = 1.0
        self.paused = paused
        # spans (positions) play jumps over: where nothing was watched (the time machine's gaps)
        self.skips: list[tuple[float, float]] = []
        self.clock = PlayheadClock(self)
        self.feed = feed if feed is not None else Feed.of(rec.events)
        self._logs = self.feed.logs
        self.births = _Births(self.feed)  # each object event's object's birth (its made-up uid)
        self.store = ReplayStore(self.clock, random.Random(0), self.lock, functools.partial(_objects, self.feed, self.births))
        # (event index, the events that made the state there): arrays, not dicts of keys, which
        # would hold ~100 bytes an entry and be walked by every full collection of the GC
        self._checkpoints: list[tuple[int, array[int]]] = []
        with gc_paused():
            self._prepare(max(1, checkpoint_every))
        self._checkpoint_at = [c[0] for c in self._checkpoints]
        self.times = self.feed.times  # object events: what the state is made of
        self.all_times = self.feed.all_times  # every event, logs too: where steps stop
        self.applied = 0  # events [0, applied) are played
        self._state: dict[Key, int] = {}  # the objects at the play head: key -> the event that makes it
        self.listeners: list[Callable[[Player], None]] = []
        self._move_to_index(bisect.bisect_right(self.times, EPS))

    # -- preparation -------------------------------------------------------------------------
    def _prepare(self, every: int) -> None:
        """Checkpoints, from the index alone (no object is decoded): one after at least
        ``every`` events and at least a quarter of the state's size since the last one."""
        state: dict[Key, int] = {}
        pop = state.pop
        checkpoints = self._checkpoints
        checkpoints.append((0, array("q")))
        last = 0  # the last checkpoint's event index
        check_at = every - 1  # the next event after which a checkpoint may be due
        for i, type_, key in zip(range(len(self.feed.keys)), self.feed.types, self.feed.keys, strict=True):
            if type_ == "DELETED":
                pop(key, None)
            else:
                state[key] = i
            if i >= check_at:
                since = i + 1 - last
                short = (len(state) >> 2) - since
                if short <= 0:
                    checkpoints.append((i + 1, array("q", state.values())))
                    last = i + 1
                    check_at = last + every - 1
                else:  # the state shrinks by one an event at most: not due for half the shortfall
                    check_at = i + (short + 1) // 2

    # -- reading -------------------------------------------------------------------------------
    def now(self) -> float:
        return self.start + self.position

    @property
    def total_events(self) -> int:
        return len(self.all_times)

    @property
    def events_played(self) -> int:
        """Events (logs too) at or before the play head."""
        return bisect.bisect_right(self.all_times, self.position + EPS)

    @property
    def at_end(self) -> bool:
        return self.position >= self.duration

    def state(self) -> dict[Key, Obj]:
        """The objects at the play head (a copy of the index; the objects are shared, read-only)."""
        with self.lock, gc_paused():  # one bulk read: what is behind is decoded, and the whole answer made, in one pause
            return self.store.objects_at(self._state)

    def logs(self, namespace: str, pod: str, container: str | None = None, *, tail_lines: int | None = None,
             since_seconds: float | None = None, timestamps: bool = False, previous: bool = False) -> list[str]:
        """LOG lines of the pod written up to the play head (the ``container``'s if given)."""
        with self.lock:
            if self.store.get("Pod", namespace, pod) is None:
                raise ApiError(404, "NotFound", f'pods "{pod}" not found', name=pod, kind="pods")
            obj = self.store.get("Pod", namespace, pod)
            first, last = _run_of(obj, container, previous)  # the container run kubectl would read
            lo = self.position - since_seconds if since_seconds is not None else float("-inf")
            lo, hi = max(lo, first - self.start), min(self.position + EPS, last - self.start)
            out = [(t, line) for t, c, line in self._logs.get((namespace, pod), [])
                   if lo <= t <= hi and (not container or not c or c == container)]
        if tail_lines is not None:
            out = out[-tail_lines:] if tail_lines > 0 else []
        return [f"{rfc3339_nano(self.start + t)} {s}" if timestamps else s for t, s in out]

    # -- controls --------------------------------------------------------------------------------
    def pause(self) -> None:
        self._set(paused=True)

    def resume(self) -> None:
        with self.lock:
            if self.at_end:
                self._seek(0.0)
            self.paused = False
        self._notify()

    def toggle(self) -> None:
        if self.paused:
            self.resume()
        else:
            self.pause()

    def faster(self) -> float:
        i = bisect.bisect_right(SPEEDS, self.speed)
        self._set(speed=SPEEDS[min(i, len(SPEEDS) - 1)])
        return self.speed

    def slower(self) -> float:
        i = bisect.bisect_left(SPEEDS, self.speed) - 1
        self._set(speed=SPEEDS[max(i, 0)])
        return self.speed

    def set_speed(self, speed: float) -> None:
        self._set(speed=min(max(speed, SPEEDS[0]), SPEEDS[-1]))

    def _set(self, **kw: Any) -> None:
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, v)
        self._notify()

    def advance(self, real_seconds: float) -> None:
        """The driver: move the play head by ``real_seconds`` × speed while playing; pauses at the end."""
        with self.lock:
            if self.paused or real_seconds <= 0:
                return
            target = self.position + real_seconds * self.speed
            for a, b in self.skips:  # playing into a span nobody watched: on to where it ends
                if a <= target < b and self.position < b:
                    target = b
            if target >= self.duration:
                target = self.duration
                self.paused = True
            self._seek(target)
        self._notify()

    def seek(self, t: float) -> None:
        with self.lock:
            self._seek(t)
        self._notify()

    def seek_by(self, seconds: float) -> None:
        with self.lock:
            self._seek(self.position + seconds)
        self._notify()

    def home(self) -> None:
        self.seek(0.0)

    def end(self) -> None:
        self.seek(self.duration)

    def step_forward(self) -> bool:
        """To the time of the next event after the play head (False if there is none)."""
        with self.lock:
            i = bisect.bisect_right(self.all_times, self.position + EPS)
            if i >= len(self.all_times):
                return False
            self._seek(self.all_times[i])
        self._notify()
        return True

    def step_back(self) -> bool:
        """To the time of the latest event before the play head (or t=0)."""
        with self.lock:
            i = bisect.bisect_left(self.all_times, self.position - EPS) - 1
            if i < 0 and self.position <= 0:
                return False
            self._seek(self.all_times[i] if i >= 0 else 0.0)
        self._notify()
        return True

    # -- moving the state -------------------------------------------------------------------------
    def _seek(self, t: float) -> None:
        t = min(max(0.0, t), self.duration)
        self.position = t
        self.clock.moved(self.start + t)
        self._move_to_index(bisect.bisect_right(self.times, t + EPS))

    def _move_to_index(self, target: int) -> None:
        if target == self.applied:
            return
        if target > self.applied and target - self.applied <= CHECKPOINT_EVERY:
            self._play(target)
            return
        j = bisect.bisect_right(self._checkpoint_at, target) - 1
        base_index, base = self._checkpoints[j]
        if self.applied <= target and self.applied >= base_index:
            self._play(target)
            return
        types, keys = self.feed.types, self.feed.keys
        new = {keys[i]: i for i in base}
        for i in range(base_index, target):
            if types[i] == "DELETED":
                new.pop(keys[i], None)
            else:
                new[keys[i]] = i
        old = self._state
        changes: list[Change] = [(key, GONE) for key in old if key not in new]
        changes += [(key, i) for key, i in new.items() if old.get(key) != i]
        self._state = new
        self.applied = target
        if changes:
            with gc_paused():  # the changes left behind are indexed here; _apply decodes
                self.store.move(changes)

    def _play(self, target: int) -> None:
        """Apply the events from ``applied`` up to ``target``: each object's last one, in their
        order (watches see the move's net change, as an informer that fell behind would: an
        object made and gone within one move is not seen; only what is put is decoded)."""
        types, state, lo = self.feed.types, self._state, self.applied
        span = self.feed.keys[lo:target]
        last = dict(zip(span, range(lo, target), strict=True))  # key -> its last event in the span
        # in the order of those last events (that of the span when no object comes twice)
        ordered = last.items() if len(last) == len(span) else sorted(last.items(), key=_event_index)
        changes: list[Change] = []
        for key, i in ordered:
            if types[i] != "DELETED":
                state[key] = i
                changes.append((key, i))
            elif state.pop(key, None) is not None:
                changes.append((key, GONE))
        self.applied = target
        if changes:
            self.store.move(changes)  # what it decodes, it decodes with the collector paused

    def _notify(self) -> None:
        for cb in list(self.listeners):
            cb(self)


def _run_of(pod: Any, container: str | None, previous: bool) -> tuple[float, float]:
    """(from, to) on the clock of the container run whose log kubectl reads at the play head:
    the running (or last terminated) one, or with ``previous`` the one before; the whole log
    when the pod's status does not say (an old recording). ApiError as the kubelet's when
    there is no previous run."""
    statuses = [s for key in ("containerStatuses", "initContainerStatuses")
                for s in ((pod or {}).get("status") or {}).get(key) or [] if isinstance(s, dict)]
    status = next((s for s in statuses if s.get("name") == container), None) if container else (
        statuses[0] if statuses else None)
    everything = (float("-inf"), float("inf"))
    if status is None:
        return everything
    state, last = status.get("state") or {}, (status.get("lastState") or {}).get("terminated")
    run = state.get("running") or state.get("terminated")
    if previous:
        if not last:
            name = status.get("name", container)
            raise ApiError(400, "BadRequest", f'previous terminated container "{name}" in pod '
                                              f'"{(pod.get("metadata") or {}).get("name")}" not found')
        run = last
    elif run is None:
        run = last  # waiting to restart (CrashLoopBackOff): the run that ended
    started = parse_time(str((run or {}).get("startedAt") or ""))
    if started is None:
        return everything
    ended = parse_time(str((run or {}).get("finishedAt") or "")) if previous else None
    return started, (ended + 1.0 if ended is not None else float("inf"))  # (times are whole seconds)


def _objects(feed: Feed, births: Callable[[], array[float]], indexes: list[int]) -> list[Obj]:
    """Those object events' objects as the store holds them (completed, decoded now); ``births``:
    each event's object's birth (its made-up uid, for an object recorded without one)."""
    keys, versions, copy = feed.keys, feed.versions, not feed.fresh
    out: list[Obj] = []
    append = out.append
    with gc_paused():
        for i, obj in zip(indexes, feed.load_many(indexes), strict=True):
            md = obj.get("metadata")
            born = 0.0 if md.__class__ is dict and "uid" in md else births()[i]  # (births worked out only if needed)
            obj = complete(obj, keys[i], born, copy=copy)
            md = obj["metadata"]
            if "resourceVersion" not in md:
                md["resourceVersion"] = str(versions[i])
            append(obj)
    return out


class ReplayCluster:
    """Just enough of ``sim.Cluster`` for ``serve`` to serve the play head, read-only."""

    def __init__(self, player: Player, name: str = "k9py-replay") -> None:
        self.player = player
        self.name = name or "k9py-replay"
        self.store = player.store
        self.lock = player.lock
        self.state: dict[str, Any] = {}
        self.controllers: list[Any] = []

    def now(self) -> float:
        return self.player.now()

    def advance(self, seconds: float) -> None:
        self.player.advance(seconds)

    def settle(self, **_: Any) -> None:
        return None

    def wake_at(self, t: float, *, everyone: bool = False) -> None:
        return None

    def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        res = resources.BY_KIND.get(kind)
        return self.store.must_get(kind, namespace if res is None or res.namespaced else None, name)

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        return self.store.list(kind, namespace)

    def must_get(self, kind: str, namespace: str | None, name: str) -> Obj:
        return self.store.must_get(kind, namespace, name)

    def api_resources(self) -> resources.Registry:
        """What it serves: the built-in resources and those of the recorded CRDs."""
        return resources.registry_of(self.store.list(resources.CRD_KIND))

    def logs(self, namespace: str, pod: str, container: str | None = None, **kw: Any) -> builtins.list[str]:
        return self.player.logs(namespace, pod, container, **kw)

    def container_logs(self, namespace: str, pod: str, container: str | None = None, *, previous: bool = False,
                       since_seconds: float | None = None, since_time: str | float | None = None,
                       tail_lines: int | None = None, timestamps: bool = False,
                       limit_bytes: int | None = None) -> builtins.list[str]:
        """What ``k9py.sim.logs.container_logs`` answers for a simulated cluster (serve's
        ``pods/log``), from the recording's LOG events up to the play head."""
        from k9py.kube.timefmt import parse_time
        if since_time is not None:
            t = float(since_time) if isinstance(since_time, (int, float)) else parse_time(since_time)
            if t is not None:
                since_seconds = max(0.0, self.now() - t)
        lines = self.player.logs(namespace, pod, container, tail_lines=tail_lines, since_seconds=since_seconds,
                                 timestamps=timestamps, previous=previous)
        if limit_bytes is not None:
            out, used = [], 0
            for ln in lines:
                used += len(ln.encode()) + 1
                if used > limit_bytes:
                    break
                out.append(ln)
            lines = out
        return lines

    def _refuse(self, *args: Any, **kwargs: Any) -> Obj:
        raise ApiError(405, "MethodNotAllowed", "this cluster is a replay of a recording: it cannot be changed")

    create = replace = apply = delete = evict = _refuse
