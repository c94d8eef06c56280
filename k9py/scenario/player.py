"""Plays a Recording like a video: the state at the play head is an ``ObjectStore`` that the
backends and ``serve`` read, its clock reads ``start + t`` so ages look as they did.

Moving the play head (play, step, seek) publishes the difference between the old and the new
state as ordinary watch events (ADDED/MODIFIED/DELETED), so informers and ``kubectl get -w``
follow along, backwards too. Seeking is fast on long recordings: a checkpoint of the state
(a shallow dict of the immutable recorded objects) is kept every so many events; a seek starts
from the nearest checkpoint before the target, never from the start.
"""

from __future__ import annotations

import bisect
import builtins
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from k9py.kube import resources
from k9py.kube.status import ApiError
from k9py.kube.timefmt import rfc3339_nano
from k9py.scenario.recording import LOG, Recording, complete, object_key
from k9py.sim.store import ObjectStore

Obj = dict[str, Any]
Key = tuple[str, str, str]

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
EPS = 1e-6  # recorded times are differences of epoch floats: an event "at" t may read t ± 1e-7
CHECKPOINT_EVERY = 256  # events between checkpoints (at least; more when the state is large)


class PlayheadClock:
    """What the store and the UI read as "now": start + the play head."""

    def __init__(self, player: Player) -> None:
        self._player = player

    def now(self) -> float:
        return self._player.start + self._player.position


class ReplayStore(ObjectStore):
    """An ObjectStore whose objects are written verbatim (the recorded resourceVersion, uid and
    status stay as recorded); every write still gets a store resourceVersion for watches."""

    def put(self, obj: Obj) -> None:
        self.put_verbatim(obj)

    def remove(self, kind: str, namespace: str, name: str) -> None:
        self.remove_verbatim(kind, namespace, name)


@dataclass
class _Ev:
    t: float
    type: str
    key: Key
    obj: Obj  # completed (for DELETED: the last state)


class Player:
    """Plays ``rec`` on a manual clock: call ``advance(real_seconds)`` (the driver) or move the
    play head with ``seek``/``step_*``/``home``/``end``. Thread-safe under ``lock``."""

    def __init__(self, rec: Recording, *, checkpoint_every: int = CHECKPOINT_EVERY, paused: bool = False) -> None:
        self.recording = rec
        self.start = rec.start
        self.duration = rec.end
        self.lock = threading.RLock()
        self.position = 0.0
        self.speed = 1.0
        self.paused = paused
        self.clock = PlayheadClock(self)
        # the store reads only .now(): the play head is clock enough (it is no VirtualClock: it goes back)
        self.store = ReplayStore(self.clock, random.Random(0))  # type: ignore[arg-type]
        self._events: list[_Ev] = []
        self._logs: dict[tuple[str, str], list[tuple[float, str, str]]] = {}
        self._checkpoints: list[tuple[int, dict[Key, Obj]]] = []
        self._prepare(max(1, checkpoint_every))
        self.times = [e.t for e in self._events]  # object events: what the state is made of
        self.all_times = [e.t for e in rec.events]  # every event, logs too: where steps stop
        self.applied = 0  # events [0, applied) are in the store
        self._state: dict[Key, Obj] = {}
        self.listeners: list[Callable[[Player], None]] = []
        self._move_to_index(bisect.bisect_right(self.times, EPS))

    # -- preparation -------------------------------------------------------------------------
    def _prepare(self, every: int) -> None:
        alive: dict[Key, tuple[float, Obj]] = {}  # key -> (birth t, last object)
        state: dict[Key, Obj] = {}
        self._checkpoints.append((0, {}))
        since = 0
        for i, ev in enumerate(self.recording.events):
            if ev.type == LOG:
                self._logs.setdefault((ev.namespace, ev.pod), []).append((ev.t, ev.container, ev.line))
                continue
            assert ev.object is not None
            key = object_key(ev.object)
            born = alive.get(key)
            born_t = born[0] if born is not None and ev.type != "ADDED" else ev.t
            obj = complete(ev.object, key, born_t)
            obj["metadata"].setdefault("resourceVersion", str(i + 1))
            self._events.append(_Ev(ev.t, ev.type, key, obj))
            if ev.type == "DELETED":
                alive.pop(key, None)
                state.pop(key, None)
            else:
                alive[key] = (born_t, obj)
                state[key] = obj
            since += 1
            if since >= max(every, len(state) // 4):
                self._checkpoints.append((len(self._events), dict(state)))
                since = 0

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
            return dict(self._state)

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
            for ev in self._events[self.applied:target]:
                self._apply(ev)
            self.applied = target
            return
        j = bisect.bisect_right([c[0] for c in self._checkpoints], target) - 1
        base_index, base = self._checkpoints[j]
        if self.applied <= target and self.applied >= base_index:
            for ev in self._events[self.applied:target]:
                self._apply(ev)
            self.applied = target
            return
        new = dict(base)
        for ev in self._events[base_index:target]:
            if ev.type == "DELETED":
                new.pop(ev.key, None)
            else:
                new[ev.key] = ev.obj
        old = self._state
        for key in [k for k in old if k not in new]:
            self.store.remove(*key)
            del old[key]
        for key, obj in new.items():
            if old.get(key) is not obj:
                self.store.put(obj)
        self._state = new
        self.applied = target

    def _apply(self, ev: _Ev) -> None:
        if ev.type == "DELETED":
            if self._state.pop(ev.key, None) is not None:
                self.store.remove(*ev.key)
        else:
            self._state[ev.key] = ev.obj
            self.store.put(ev.obj)

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
