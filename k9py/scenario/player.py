"""Plays a Recording like a video: the state at the play head is an ``ObjectStore`` that the
backends and ``serve`` read, its clock reads ``start + t`` so ages look as they did.

Moving the play head (play, step, seek) publishes the difference between the old and the new
state as ordinary watch events (ADDED/MODIFIED/DELETED), so informers and ``kubectl get -w``
follow along, backwards too. Seeking is fast on long recordings: a checkpoint of the state
(which event put each object there) is kept every so many events; a seek starts from the
nearest checkpoint before the target, never from the start. Objects are decoded when the play
head puts them in the store (``eventlog``), so a long recording costs little memory.
"""

from __future__ import annotations

import bisect
import builtins
import random
import threading
from array import array
from collections import deque
from collections.abc import Callable
from typing import Any

from k9py.kube import resources
from k9py.kube.gcpause import gc_paused
from k9py.kube.status import ApiError
from k9py.kube.timefmt import rfc3339_nano
from k9py.scenario.eventlog import Feed
from k9py.scenario.recording import Recording, complete
from k9py.sim.store import ObjectStore

Obj = dict[str, Any]
Key = tuple[str, str, str]

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
EPS = 1e-6  # recorded times are differences of epoch floats: an event "at" t may read t ± 1e-7
CHECKPOINT_EVERY = 256  # events between checkpoints (at least; more when the state is large)
READ_AHEAD = 512  # events whose objects are decoded ahead of the play head


class PlayheadClock:
    """What the store and the UI read as "now": start + the play head."""

    def __init__(self, player: Player) -> None:
        self._player = player

    def now(self) -> float:
        return self._player.start + self._player.position


REPLAY_HISTORY = 5_000  # watch events kept for resuming (the simulator's 50,000 would hold 50,000 objects)


class ReplayStore(ObjectStore):
    """An ObjectStore whose objects are written verbatim (the recorded resourceVersion, uid and
    status stay as recorded); every write still gets a store resourceVersion for watches."""

    def __init__(self, clock: PlayheadClock, rng: random.Random) -> None:
        # the store reads only .now(): the play head is clock enough (it is no VirtualClock: it goes back)
        super().__init__(clock, rng)  # type: ignore[arg-type]
        self._history = deque(maxlen=REPLAY_HISTORY)

    def put(self, obj: Obj) -> None:
        self.put_verbatim(obj)

    def remove(self, kind: str, namespace: str, name: str) -> None:
        self.remove_verbatim(kind, namespace, name)


class Player:
    """Plays ``rec`` on a manual clock: call ``advance(real_seconds)`` (the driver) or move the
    play head with ``seek``/``step_*``/``home``/``end``. Thread-safe under ``lock``.

    ``feed``: the recording's events, indexed (``eventlog.open_jsonl`` for a file opened to be
    played: the objects stay on disk until the play head reaches them); default: ``rec.events``."""

    def __init__(self, rec: Recording, *, checkpoint_every: int = CHECKPOINT_EVERY, paused: bool = False,
                 feed: Feed | None = None) -> None:
        self.recording = rec
        self.start = rec.start
        self.duration = rec.end
        self.lock = threading.RLock()
        self.position = 0.0
        self.speed = 1.0
        self.paused = paused
        self.clock = PlayheadClock(self)
        self.store = ReplayStore(self.clock, random.Random(0))
        self.feed = feed if feed is not None else Feed.of(rec.events)
        self._logs = self.feed.logs
        self._born: array[float] = array("d")  # each object event's object's birth (its made-up uid)
        self._checkpoints: list[tuple[int, dict[Key, int]]] = []  # (event index, key -> event index)
        with gc_paused():
            self._prepare(max(1, checkpoint_every))
        self._checkpoint_at = [c[0] for c in self._checkpoints]
        self.times = self.feed.times  # object events: what the state is made of
        self.all_times = self.feed.all_times  # every event, logs too: where steps stop
        self.applied = 0  # events [0, applied) are in the store
        self._state: dict[Key, int] = {}  # the objects in the store: key -> the event that put it
        self._ahead: dict[int, Obj] = {}  # objects decoded before they are played (``_read_ahead``)
        self.listeners: list[Callable[[Player], None]] = []
        self._move_to_index(bisect.bisect_right(self.times, EPS))

    # -- preparation -------------------------------------------------------------------------
    def _prepare(self, every: int) -> None:
        """Births and checkpoints, from the index alone (no object is decoded)."""
        alive: dict[Key, float] = {}  # key -> birth t
        state: dict[Key, int] = {}
        born = self._born
        self._checkpoints.append((0, {}))
        since = 0
        for i, (t, type_, key) in enumerate(zip(self.feed.times, self.feed.types, self.feed.keys, strict=True)):
            b = alive.get(key)
            born_t = b if b is not None and type_ != "ADDED" else t
            born.append(born_t)
            if type_ == "DELETED":
                alive.pop(key, None)
                state.pop(key, None)
            else:
                alive[key] = born_t
                state[key] = i
            since += 1
            if since >= max(every, len(state) // 4):
                self._checkpoints.append((i + 1, dict(state)))
                since = 0

    def _read_ahead(self, indexes: list[int]) -> list[Obj]:
        """``_objects`` while playing on: the next objects are decoded with these (fewer, larger
        reads; objects decoded together share their keys' strings) and kept until played."""
        ahead = self._ahead
        if any(i not in ahead for i in indexes):
            ahead.clear()
            if indexes:
                types, last = self.feed.types, indexes[-1]
                more = range(last + 1, min(last + 1 + READ_AHEAD, len(types)))
                wanted = indexes + [i for i in more if types[i] != "DELETED"]
                ahead.update(zip(wanted, self._objects(wanted), strict=True))
        return [ahead.pop(i) for i in indexes]

    def _objects(self, indexes: list[int]) -> list[Obj]:
        """Those object events' objects as the store holds them (completed, decoded now)."""
        keys, born, versions, copy = self.feed.keys, self._born, self.feed.versions, not self.feed.fresh
        out = []
        with gc_paused():
            for i, raw in zip(indexes, self.feed.load_many(indexes), strict=True):
                obj = complete(raw, keys[i], born[i], copy=copy)
                obj["metadata"].setdefault("resourceVersion", str(versions[i]))
                out.append(obj)
        return out

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
        with self.lock:
            get = self.store.get
            return {key: obj for key in self._state if (obj := get(*key)) is not None}

    def logs(self, namespace: str, pod: str, container: str | None = None, *, tail_lines: int | None = None,
             since_seconds: float | None = None, timestamps: bool = False, previous: bool = False) -> list[str]:
        """LOG lines of the pod written up to the play head (the ``container``'s if given)."""
        with self.lock:
            if self.store.get("Pod", namespace, pod) is None:
                raise ApiError(404, "NotFound", f'pods "{pod}" not found', name=pod, kind="pods")
            if previous:
                return []
            lo = self.position - since_seconds if since_seconds is not None else float("-inf")
            out = [(t, line) for t, c, line in self._logs.get((namespace, pod), [])
                   if t <= self.position + EPS and t >= lo and (not container or not c or c == container)]
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
        new = dict(base)
        types, keys = self.feed.types, self.feed.keys
        for i in range(base_index, target):
            if types[i] == "DELETED":
                new.pop(keys[i], None)
            else:
                new[keys[i]] = i
        old = self._state
        for key in [k for k in old if k not in new]:
            self.store.remove(*key)
            del old[key]
        changed = [i for key, i in new.items() if old.get(key) != i]
        for obj in self._objects(changed):
            self.store.put(obj)
        self._state = new
        self.applied = target

    def _play(self, target: int) -> None:
        """Apply the events from ``applied`` up to ``target``, one by one."""
        types, keys, state, store = self.feed.types, self.feed.keys, self._state, self.store
        span = range(self.applied, target)
        objs = iter(self._read_ahead([i for i in span if types[i] != "DELETED"]))
        for i in span:
            key = keys[i]
            if types[i] == "DELETED":
                if state.pop(key, None) is not None:
                    store.remove(*key)
            else:
                state[key] = i
                store.put(next(objs))
        self.applied = target

    def _notify(self) -> None:
        for cb in list(self.listeners):
            cb(self)


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

    def wake_at(self, t: float) -> None:
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
