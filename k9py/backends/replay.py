"""Backends for played files:

- ``ReplayBackend``: the Backend contract over a ``Player`` (a Recording). Watches give the state
  at the play head and its changes as the head moves (backwards too); logs come from the
  recording's LOG events; every mutating primitive is refused (a replay is history).
- ``ScenarioBackend``: a ``SimBackend`` running a Scenario's timeline (or plain manifests, which
  is how the explorer runs the demo, so `:scenarios` can load a scenario into it); its clock can
  be paused, sped up, stepped and seeked like a replay (backwards: the deterministic simulator
  runs again from t=0), and stops at ``pause`` steps and at the scenario's end.

Both declare ``Capability.PLAYBACK``: ``playback()`` is their play head for the timeline bar.
Both can ``reload()`` (hot reload): the source is rebuilt from t=0 and every open watch gets the
difference, so the explorer keeps its current view.
"""

from __future__ import annotations

import asyncio
import bisect
import builtins
import functools
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, cast

from k9py.backends.base import (
    Backend,
    BackendInfo,
    Capability,
    NotSupported,
    Obj,
    Objs,
    PatchType,
    ReadOnlyError,
    StatusError,
    event_queue,
)
from k9py.backends.building import WatchedBuild
from k9py.backends.events import Added, Deleted, Listed, Modified, Synced, WatchEvent
from k9py.backends.locked import in_thread, let_waiters_in, under, watch_and_list
from k9py.backends.playback import HOME_KINDS, Mark, Playback, busiest_namespace, clock
from k9py.backends.sim import SimBackend
from k9py.errors import K9pyError
from k9py.kube import gcpause, meta, resources, selectors
from k9py.kube.resources import ApiResource
from k9py.kube.status import ApiError
from k9py.scenario import files
from k9py.scenario.player import EPS, SPEEDS, Player, ReplayCluster
from k9py.scenario.timeline import REFUSED_BUT_APPLIED, Fired, Scenario, TimelineController, describe_step, timeline_of
from k9py.sim.clock import RealtimeTicker

TICK = 0.1  # real seconds between play-head moves when playing
SEEK_PART = 1.0  # virtual seconds a scenario's seek runs under the cluster's lock at a time


class _Resync:
    """Put in a watch's queue when the source was swapped (not a WatchEvent: never yielded)."""


_RESYNC = _Resync()


def _key(obj: Obj) -> tuple[str, str]:
    return (meta.namespace(obj), meta.name(obj))


class _Resyncing:
    """Watches over a store that can be swapped (reload): on a swap each open watch yields the
    difference between what it had shown and the new store's objects."""

    path: str | None
    notes: builtins.list[str]  # (the Backend's): what reading the file last had to say
    _queues: dict[asyncio.Queue[WatchEvent | _Resync], asyncio.AbstractEventLoop]

    def _init_watches(self, playback: Playback) -> None:
        self._queues = {}
        self.hot_reload = False  # watch ``path`` and reload on every valid save (``--watch``)
        self._playback = playback
        self._reload_task: asyncio.Task[None] | None = None

    def prepare(self, path: str) -> Any:
        """What ``path`` plays, read (and built): K9pyError when it cannot be. From any thread
        (seconds for a big file): nothing shown changes."""
        raise NotImplementedError

    def install(self, prepared: Any, path: str) -> None:
        """Play ``prepare``'s result, read from ``path``, from t=0: every open watch gets the
        difference."""
        raise NotImplementedError

    def load_file(self, path: str) -> None:
        """``path`` read (and built) here, then played from t=0; on an error the run stays."""
        self.install(self.prepare(path), path)

    def reload(self) -> None:
        """The file at ``path`` again, from t=0."""
        assert self.path is not None
        self.load_file(self.path)

    async def load_off_loop(self, path: str) -> None:
        """``path`` read and built in a worker thread, then played from t=0 (on the event loop)."""
        self.install(await in_thread(self.prepare, path), path)

    def _loading_line(self) -> str | None:
        """How far ``prepare`` under way got, when it can tell."""
        return None

    def _start_hot_reload(self) -> None:
        if not self.hot_reload or not self.path or self._reload_task is not None:
            return
        from k9py.scenario.reload import watch_file

        async def saved() -> None:
            """Read and build the file again off the loop; a broken one (its first problem
            raises) leaves the run as it is, and says why."""
            assert self.path is not None
            pb = self._playback  # a big file takes seconds to read and build: say so, and how far it got
            pb.build_started(f"{os.path.basename(self.path)} changed: reading it again")
            telling = asyncio.get_running_loop().create_task(pb.tell_progress(self._loading_line))
            try:
                await self.load_off_loop(self.path)
            except Exception as err:  # the old run keeps going; say why
                self._tell(str(err) or type(err).__name__)
                return
            finally:
                telling.cancel()
                pb.build_ended()
            pb.reload_notes = list(self.notes)  # what reading it had to say (a recording now cut off)
            self._tell(None)

        self._reload_task = asyncio.get_running_loop().create_task(watch_file(self.path, saved))

    def _tell(self, message: str | None) -> None:
        self._playback._reloads(message)

    def _stop_hot_reload(self) -> None:
        if self._reload_task is not None:
            self._reload_task.cancel()
            self._reload_task = None

    def _source(self) -> tuple[Any, Any]:  # (store, lock)
        raise NotImplementedError

    def _resync_all(self) -> None:
        for q, loop in list(self._queues.items()):
            loop.call_soon_threadsafe(q.put_nowait, _RESYNC)

    async def _watch(self, kind: str, namespace: str | None) -> AsyncIterator[WatchEvent]:
        res = resources.BY_KIND.get(kind)
        ns = None if res is not None and not res.namespaced else (namespace or None)
        loop = asyncio.get_running_loop()
        events, on_change = event_queue()
        queue = cast("asyncio.Queue[WatchEvent | _Resync]", events)

        async def subscribe() -> tuple[Any, list[Obj], dict[tuple[str, str], Obj]]:
            store, lock = self._source()
            return await watch_and_list(store, lock, kind, on_change, ns)

        w, initial, keyed = await subscribe()
        shown: dict[tuple[str, str], Obj] = dict(keyed)  # (``keyed`` is the informer's from now on)
        self._queues[queue] = loop
        try:
            yield Listed(initial, keyed)
            yield Synced()
            while True:
                ev = await queue.get()
                match ev:
                    case _Resync():
                        w.stop()
                        w, _, fresh = await subscribe()
                        for k in [k for k in shown if k not in fresh]:
                            yield Deleted(shown.pop(k))
                        for k, o in fresh.items():
                            old = shown.get(k)
                            if old is not o:
                                shown[k] = o
                                yield Added(o) if old is None else Modified(o)
                    case Deleted(obj):
                        shown.pop(_key(obj), None)
                        yield ev
                    case Added(obj) | Modified(obj):
                        shown[_key(obj)] = obj
                        yield ev
                    case _:
                        yield ev
        finally:
            self._queues.pop(queue, None)
            w.stop()


def _select(items: list[Obj], label_selector: str | None, field_selector: str | None) -> list[Obj]:
    if not (label_selector or field_selector):
        return items
    try:
        keep = selectors.compile_filter(label_selector, field_selector)
    except ValueError as err:
        raise StatusError(400, "BadRequest", str(err)) from None
    return [o for o in items if keep(o)]


# -- recordings ------------------------------------------------------------------------------------
class RecordingPlayback(Playback):
    """A Recording's play head: the Player of the backend (swapped by a reload) seen as one."""

    def __init__(self, backend: ReplayBackend) -> None:
        super().__init__()
        self._backend_ref = weakref.ref(backend)  # it holds us: no cycle (a closed replay dies by reference counting)
        self._marks: tuple[Player, list[Mark]] | None = None

    @property
    def _backend(self) -> ReplayBackend:
        backend = self._backend_ref()
        if backend is None:
            raise RuntimeError("the replay is closed")
        return backend

    @property
    def _player(self) -> Player:
        return self._backend.player

    @property
    def path(self) -> str | None:
        return self._backend.path

    @property
    def has_timeline(self) -> bool:
        return True

    @property
    def paused(self) -> bool:
        return bool(self._player.paused)

    @property
    def speed(self) -> float:
        return float(self._player.speed)

    @property
    def position(self) -> float:
        return float(self._player.position)

    @property
    def duration(self) -> float:
        return float(self._player.duration)

    @property
    def events_played(self) -> int:
        return int(self._player.events_played)

    @property
    def total_events(self) -> int:
        return int(self._player.total_events)

    def resume(self) -> None:
        self._player.resume()

    def toggle(self) -> None:
        self._player.toggle()

    def faster(self) -> float:
        return float(self._player.faster())

    def slower(self) -> float:
        return float(self._player.slower())

    def step_forward(self) -> bool:
        return bool(self._player.step_forward())

    def step_back(self) -> bool:
        return bool(self._player.step_back())

    def seek(self, t: float) -> None:
        self._player.seek(t)

    def seek_by(self, seconds: float) -> None:
        self._player.seek_by(seconds)

    def home(self) -> None:
        self._player.home()

    def end(self) -> None:
        self._player.end()

    def marks(self) -> list[Mark]:
        """What happened after t=0: the recorded Events (reason, object, message) and the objects
        created and deleted (the initial state and plain updates are left out)."""
        p = self._player
        if self._marks is None or self._marks[0] is not p:  # read once per recording
            self._marks = (p, _recorded_marks(p))
        pos = p.position + EPS
        return [Mark(m.t, m.what, m.note, done=m.t <= pos) for m in self._marks[1]]

    def home_namespace(self) -> str | None:
        objs = [{"kind": kind, "metadata": {"namespace": ns}} for kind, ns, _ in self._player.feed.placed]
        return busiest_namespace([o for o in objs if o["kind"] == "Pod"], objs)

    def accepts(self, file_kind: str) -> bool:
        return file_kind == files.RECORDING

    def load(self, path: str) -> None:
        self._backend.load_file(path)

    def load_off_loop(self, path: str) -> Awaitable[None]:
        return self._backend.load_off_loop(path)


def _recorded_marks(player: Player) -> list[Mark]:
    """Decodes the recorded Events and the objects created or deleted (not the updates)."""
    out: list[Mark] = []
    feed = player.feed
    for i, (t, type_, key) in enumerate(zip(feed.times, feed.types, feed.keys, strict=True)):
        if t <= EPS:
            continue
        if key[0] == "Event":
            if type_ == "DELETED":
                continue
            obj = feed.load(i)
            inv = obj.get("involvedObject") or {}
            ns = inv.get("namespace")
            what = f"{obj.get('type') or 'Normal'} {obj.get('reason') or ''} {inv.get('kind', '')} " \
                   f"{ns + '/' if ns else ''}{inv.get('name', '')}"
            out.append(Mark(t, " ".join(what.split()), str(obj.get("message") or "")))
        elif type_ != "MODIFIED":
            obj = feed.load(i)
            ns = meta.namespace(obj)
            out.append(Mark(t, f"{type_.lower()} {obj.get('kind')} {ns + '/' if ns else ''}{meta.name(obj)}"))
    return out


class ReplayBackend(_Resyncing, Backend):
    backend_kind = "replay"

    def __init__(self, player: Player, *, path: str | None = None, notes: list[str] | None = None) -> None:
        self.player = player
        self.path = path
        self.notes = notes or []  # what opening the file had to say (a gzip recording cut off)
        self._drive_task: asyncio.Task[None] | None = None
        self._served: ReplayCluster | None = None  # local_cluster()
        self._init_watches(RecordingPlayback(self))
        player.listeners.append(self._player_moved)  # copied to the next player by reload()

    def _player_moved(self, player: Player) -> None:
        self._playback._changed(None)

    @classmethod
    def open(cls, path: str, *, paused: bool = False, at: float | None = None) -> ReplayBackend:
        notes: list[str] = []
        kind, player = files.open_scenario(path, notes=notes)
        if kind != files.RECORDING:
            raise K9pyError("is not a Recording (kind: Recording)", file=path)
        assert isinstance(player, Player)
        player.paused = paused
        if at is not None:
            player.seek(at)
        return cls(player, path=path, notes=notes)

    def _source(self) -> tuple[Any, Any]:
        return self.player.store, self.player.lock

    # -- discovery / info ----------------------------------------------------------------------
    def kinds(self) -> list[ApiResource]:
        return list(resources.RESOURCES)

    def info(self) -> BackendInfo:
        rec = self.player.recording
        p = self.player
        return BackendInfo(backend="replay", context=rec.context or "recording", cluster=rec.name or rec.context
                           or "recording", user="replay", server_version=rec.server_version or "n/a",
                           read_only=True, extra={"speed": f"{p.speed:g}x", "position": f"{p.position:.1f}s",
                                                  "state": "paused" if p.paused else "playing"})

    def now(self) -> float:
        return float(self.player.now())

    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.PLAYBACK})

    def playback(self) -> Playback:
        return self._playback

    def local_cluster(self) -> Any:
        """The play head as a read-only cluster ``serve`` can serve (one per player: a reload
        brings another)."""
        served = self._served
        if served is None or served.player is not self.player:
            rec = self.player.recording
            served = self._served = ReplayCluster(self.player, name=rec.name or rec.context or "recording")
        return served

    # -- reading -------------------------------------------------------------------------------
    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._watch(kind, namespace)

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        res = resources.BY_KIND.get(kind)
        ns = None if res is not None and not res.namespaced else namespace
        store = self.player.store
        obj = await under(self.player.lock, lambda: store.get(kind, ns, name))
        if obj is None:
            plural = res.plural if res else kind.lower()
            raise StatusError(404, "NotFound", f'{plural} "{name}" not found')
        return obj

    async def list(self, kind: str, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Objs:
        return _select(self.list_now(kind, namespace), label_selector, field_selector)

    def list_now(self, kind: str, namespace: str | None = None) -> Objs:
        """A synchronous snapshot at the play head (inside the backends and benchmarks only)."""
        res = resources.BY_KIND.get(kind)
        ns = None if res is not None and not res.namespaced else (namespace or None)
        with self.player.lock:
            return list(self.player.store.list(kind, ns))

    async def events_for(self, obj: Obj) -> Objs:
        store = self.player.store
        return await under(self.player.lock,
                           lambda: meta.events_about(obj, store.list("Event", meta.namespace(obj) or None)))

    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        try:
            lines = self.player.logs(namespace, pod, container, tail_lines=tail_lines,
                                     since_seconds=since_seconds, previous=previous, timestamps=timestamps)
        except ApiError as err:
            raise StatusError(err.code, err.reason, err.message) from err
        for line in lines:
            yield line
        if not follow:
            return
        seen = len(self.player.logs(namespace, pod, container))
        while True:
            await asyncio.sleep(TICK)
            try:
                now = self.player.logs(namespace, pod, container, timestamps=timestamps)
            except ApiError:
                return
            if len(now) < seen:  # the play head went back
                seen = len(now)
            for line in now[seen:]:
                yield line
            seen = len(now)

    # -- writing: refused (a recording is history) ------------------------------------------------
    def _refuse(self) -> NoReturn:
        raise ReadOnlyError("a replay shows recorded history: it cannot be changed")

    async def create(self, obj: Obj) -> Obj:
        self._refuse()

    async def apply(self, obj: Obj) -> Obj:
        self._refuse()

    async def replace(self, obj: Obj) -> Obj:
        self._refuse()

    async def patch(self, kind: str, namespace: str | None, name: str, patch: Any, *,
                    patch_type: PatchType = "merge", subresource: str | None = None) -> Obj:
        self._refuse()

    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        self._refuse()

    async def evict(self, namespace: str, pod: str, *, grace_period: int | None = None) -> Obj:
        self._refuse()

    # -- the clock -------------------------------------------------------------------------------
    async def drive(self, interval: float = TICK) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            self.player.advance(now - last)
            last = now

    def start(self) -> None:
        if self._drive_task is None:
            self._drive_task = asyncio.get_running_loop().create_task(self.drive())
        self._start_hot_reload()

    async def close(self) -> None:
        self._stop_hot_reload()
        if self._drive_task is not None:
            self._drive_task.cancel()
            self._drive_task = None
        # no cycle left between the player and us: a replay closed dies by reference counting,
        # even frozen out of the collector's sight (gcpause.loaded after a big catch-up)
        if self._player_moved in self.player.listeners:
            self.player.listeners.remove(self._player_moved)

    # -- hot reload --------------------------------------------------------------------------------
    def prepare(self, path: str) -> tuple[Player, builtins.list[str]]:
        """(the player, what opening the file had to say: a recording cut off plays its whole lines)."""
        notes: list[str] = []
        kind, opened = files.open_scenario(path, notes=notes)
        if kind != files.RECORDING:
            raise K9pyError("is no longer a Recording: keeping the current replay", file=path)
        assert isinstance(opened, Player)
        return opened, notes

    def install(self, prepared: Any, path: str) -> None:
        player, self.notes = prepared
        self.path = path
        self._play(player)

    def _play(self, player: Player) -> None:
        """Swap in ``player``, from t=0 with the same speed."""
        player.speed, player.paused = self.player.speed, self.player.paused
        player.listeners.extend(self.player.listeners)
        self.player = player
        self._resync_all()
        player._notify()


# -- scenarios -------------------------------------------------------------------------------------
class ScenarioPlayback(Playback):
    """A running Scenario seen as a play head: t since t=0, its duration, steps run. The clock is
    the simulator's: it can be paused, sped up, stepped from step to step and seeked (backwards by
    running the deterministic simulator again from t=0); it stops at ``pause`` steps until
    ``resume()``, and at the end."""

    unit = "steps"
    slow_moves = True

    def __init__(self, backend: ScenarioBackend) -> None:
        super().__init__()
        self._backend = backend
        self._going = False  # a ``go`` is running

    @property
    def _tl(self) -> TimelineController | None:
        return self._backend.timeline

    @property
    def path(self) -> str | None:
        return self._backend.path

    @property
    def has_timeline(self) -> bool:
        return self._backend.scenario() is not None

    @property
    def paused(self) -> bool:
        return self._backend.is_paused()

    @property
    def speed(self) -> float:
        return float(self._backend.speed)

    @property
    def pace(self) -> float:
        return self._backend.pace()

    @property
    def reading(self) -> bool:
        return self._backend.reading()

    @property
    def position(self) -> float:
        return self._backend.position()

    @property
    def duration(self) -> float:
        return self._backend.duration()

    @property
    def events_played(self) -> int:
        tl = self._tl
        return 0 if tl is None else tl.next

    @property
    def total_events(self) -> int:
        scenario = self._backend.scenario()
        return 0 if scenario is None else len(scenario.steps)

    def _moved(self) -> None:
        self._backend.notify()  # wakes log follows
        self._changed(None)

    def resume(self) -> None:
        self._backend.resume()
        self._moved()

    def toggle(self) -> None:
        if self.paused:
            self._backend.resume()
        else:
            self._backend.paused = True
        self._moved()

    def faster(self) -> float:
        i = bisect.bisect_right(SPEEDS, self._backend.speed)
        self._backend.speed = SPEEDS[min(i, len(SPEEDS) - 1)]
        self._changed(None)
        return self.speed

    def slower(self) -> float:
        i = bisect.bisect_left(SPEEDS, self._backend.speed) - 1
        self._backend.speed = SPEEDS[max(i, 0)]
        self._changed(None)
        return self.speed

    def _step_times(self) -> list[float]:
        scenario = self._backend.scenario()
        return [] if scenario is None else sorted({s.at for s in scenario.steps})

    def step_after(self, t: float) -> float | None:
        """The time of the first step after ``t`` (None: none left)."""
        return next((at for at in self._step_times() if at > t + EPS), None)

    def step_before(self, t: float) -> float | None:
        """The time of the last step before ``t``, or t=0 (None: at the start)."""
        if t <= EPS:
            return None
        earlier = [at for at in self._step_times() if at < t - EPS]
        return earlier[-1] if earlier else 0.0

    def step_forward(self) -> bool:
        """To the time of the next step (False: none left)."""
        t = self.step_after(self.position)
        if t is None:
            return False
        self.seek(t)
        return True

    def step_back(self) -> bool:
        """To the time of the previous step (or t=0)."""
        t = self.step_before(self.position)
        if t is None:
            return False
        self.seek(t)
        return True

    def seek(self, t: float) -> None:
        self._backend.seek(t)
        self._moved()

    def target(self, t: float) -> float:
        return self._backend.seek_target(t)

    def go(self, t: float) -> Awaitable[None]:
        """Head for ``t`` now; the awaitable runs the seek in a worker thread (the event loop
        goes on: keys, frames, views opening). A ``go`` while one runs only changes where it
        heads (its awaitable is done at once): the seek under way stops after its part
        (``ScenarioBackend.seek``'s ``wanted``) and the next heads there. A seek back says so
        (``build_started``), and how far building the scenario again got."""
        was = self.heading if self.heading is not None else self.position
        self.heading = self.target(t)
        if self.heading < self.position - EPS and was >= self.position - EPS:
            self.build_started(f"back to {clock(self.heading)}: the simulator runs the scenario again from t=0")
        self._changed(None)
        return self._moving()

    async def _moving(self) -> None:
        if self._going:
            return
        self._going = True
        telling = asyncio.get_running_loop().create_task(self.tell_progress(self._rebuilt_so_far))
        try:
            while self.heading is not None:
                to = self.heading
                await in_thread(functools.partial(self._backend.seek, to, wanted=functools.partial(self._heads_to, to)))
                if self.heading == to:
                    self.heading = None
                self._moved()
        finally:
            telling.cancel()
            self.build_ended()
            self._going = False
            if self.heading is not None:  # a failed seek: nothing heads anywhere now
                self.heading = None
                self._changed(None)

    def _rebuilt_so_far(self) -> str | None:
        """How far building the scenario again for a seek back got."""
        line = self._backend.build_line() if self.building is not None else None
        return None if line is None or self.heading is None else f"back to {clock(self.heading)}: {line}"

    def _heads_to(self, t: float) -> bool:
        return self.heading == t

    def marks(self) -> list[Mark]:
        tl, scenario = self._tl, self._backend.scenario()
        if scenario is None:
            return []
        errors = {id(f.step): f.error or "" for f in tl.fired} if tl is not None else {}
        played = tl.next if tl is not None else 0
        return [Mark(t=s.at, what=describe_step(s), note=s.note or "", done=i < played, error=errors.get(id(s), ""),
                     refused=s.refused and bool(errors.get(id(s))) and REFUSED_BUT_APPLIED not in errors[id(s)])
                for i, s in enumerate(scenario.steps)]

    def home_namespace(self) -> str | None:
        if self._tl is None:
            return self._backend.pending_home if self._backend.pending is not None else None
        b = self._backend
        with b.cluster.lock:
            return busiest_namespace(b.cluster.store.list("Pod"),
                                     [o for k in HOME_KINDS for o in b.cluster.store.list(k)])

    def accepts(self, file_kind: str) -> bool:
        return file_kind != files.RECORDING

    def load(self, path: str) -> None:
        self._backend.load_file(path)

    def load_off_loop(self, path: str) -> Awaitable[None]:
        return self._backend.load_off_loop(path)


class ScenarioBackend(_Resyncing, SimBackend):
    """The simulator running a Scenario's timeline (or plain manifests: no timeline, the clock
    just runs). The clock stops when paused, at ``pause`` steps until ``resume()``, and at the
    scenario's end; ``seek`` runs it to a time (backwards: a fresh run from t=0 up to it, the
    simulator being deterministic; what the user changed meanwhile is gone). ``reload()``
    restarts from t=0 with the file as it is now (hot reload, ``:scenarios``)."""

    def __init__(self, cluster: Any, *, path: str | None = None, seed: int | None = None,
                 rebuild: Callable[[], Any] | None = None, **kw: Any) -> None:
        """``rebuild``: a fresh cluster at t=0 (seeking back); default: the file at ``path`` as
        it was read now."""
        SimBackend.__init__(self, cluster, **kw)
        self.path = path
        self.seed = seed
        self.paused = False  # the user's pause, or the end reached
        self._quiet = False  # seeking: steps passed on the way are not told
        self._seeking = 0  # seeks under way (``seek`` from worker threads; the clock waits meanwhile)
        self._seeks_lock = threading.Lock()
        self._ticker: RealtimeTicker | None = None  # the real-time driver's, once it runs
        self._rebuild = rebuild if rebuild is not None else self._builder(path, seed)
        self._preparing: WatchedBuild | None = None  # a file being built for ``install`` (hot reload)
        self._reading = 0  # files being read and built to replace this run (``load_off_loop``): the clock waits
        # the file's timeline while its cluster is built behind the first frame (``backends.demo``),
        # with the namespace it will be busiest in: the play head and the start view know of it at once
        self.pending: Scenario | None = None
        self.pending_home: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # where steps are told (``start``)
        self._loop_thread = 0
        self._init_watches(ScenarioPlayback(self))
        self._follow_steps()

    @classmethod
    def open(cls, path: str, *, seed: int | None = None, **kw: Any) -> ScenarioBackend:
        rebuild = cls._builder(path, seed)
        assert rebuild is not None
        return cls(rebuild(), path=path, seed=seed, rebuild=rebuild, **kw)

    @staticmethod
    def _builder(path: str | None, seed: int | None) -> Callable[[], Any] | None:
        """Parse ``path`` once; each call builds its cluster afresh (t=0, same seed: the same
        cluster, building does not change the parsed file)."""
        if path is None:
            return None
        return ScenarioBackend.builder_of(ScenarioBackend.parsed(path), seed)

    @staticmethod
    def parsed(path: str) -> Any:
        """The scenario file at ``path``, parsed and checked (K9pyError: its first problem)."""
        text = files.read_text(path)
        if files.detect_text(text, path) == files.RECORDING:
            raise K9pyError("is a Recording, not a scenario: play it with `k9py replay FILE`", file=path)
        return files.parse_file(path, text=text)

    @staticmethod
    def builder_of(sf: Any, seed: int | None) -> Callable[[], Any]:
        return WatchedBuild(sf, seed)

    def _source(self) -> tuple[Any, Any]:
        return self.cluster.store, self.cluster.lock

    def _follow_steps(self) -> None:
        """Forward the (current cluster's) timeline steps to the playback's listeners."""
        tl = self.timeline
        if tl is not None:
            tl.listeners.append(self._step_fired)

    def _step_fired(self, fired: Fired) -> None:
        """A step ran: told on the event loop (``drive`` runs the simulator in a worker thread)."""
        if self._quiet:
            return
        loop = self._loop
        if loop is not None and threading.get_ident() != self._loop_thread:
            loop.call_soon_threadsafe(self._playback._steps, fired)
        else:
            self._playback._steps(fired)

    def capabilities(self) -> frozenset[Capability]:
        return SimBackend.capabilities(self) | {Capability.PLAYBACK}

    def playback(self) -> Playback:
        return self._playback

    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._watch(kind, namespace)

    @property
    def timeline(self) -> TimelineController | None:
        return timeline_of(self.cluster)

    # -- the play head ------------------------------------------------------------------------------
    def position(self) -> float:
        """Seconds since t=0 (0 without a timeline)."""
        tl = self.timeline
        return 0.0 if tl is None else max(0.0, self.cluster.now() - tl.t0)

    def duration(self) -> float:
        scenario = self.scenario()
        return 0.0 if scenario is None else float(scenario.end)

    def scenario(self) -> Scenario | None:
        """The timeline's steps: the running one's, or the one on its way."""
        tl = self.timeline
        return tl.scenario if tl is not None else self.pending

    def at_end(self) -> bool:
        return self.timeline is not None and self.position() >= self.duration() - EPS

    def is_paused(self) -> bool:
        tl = self.timeline
        return self.paused or (tl is not None and tl.paused)

    def resume(self) -> None:
        """Play on: past a pause step; from t=0 again at the end."""
        if self.at_end():
            self.seek(0.0)
        tl = self.timeline
        if tl is not None:
            tl.paused = False
        self.paused = False

    def pace(self) -> float:
        """The share of real time × speed the clock keeps up with (1.0 but in a cluster too big
        for the machine: then it runs in slow motion, ``sim.clock.MAX_STEP``)."""
        ticker = self._ticker
        return 1.0 if ticker is None or self.is_paused() else ticker.pace()

    def tick(self, real_seconds: float) -> bool:
        """Advance the virtual clock by ``real_seconds`` × speed unless paused (False then); a
        ``pause`` step or the end on the way stops it there."""
        if not self._advance_by(real_seconds):
            return False
        self._ticked()
        return True

    def _advance_by(self, real_seconds: float) -> bool:
        """``tick``'s simulation, from any thread (under the cluster's lock)."""
        if self.is_paused() or self.seeking() or self._reading:
            return False
        cluster = self.cluster
        with cluster.lock:
            if self.cluster is not cluster or self.seeking() or self._reading:  # swapped (or seeking, loading) while this waited
                return False
            if self.timeline is None:
                cluster.advance(real_seconds * self.speed)
            else:
                self._run_to(self.position() + real_seconds * self.speed)
        return True

    def _ticked(self) -> None:
        """``tick``'s news, on the event loop."""
        self.notify()  # wakes log follows
        if self.is_paused():
            self._playback.changed()

    def _run_to(self, t: float, *, seeking: bool = False) -> None:
        """Run the simulator to ``t`` s since t=0 (never past the end, where it pauses). Unless
        ``seeking``, a ``pause`` step on the way stops it at that step. Under the cluster lock."""
        tl = self.timeline
        assert tl is not None
        t = min(t, self.duration())
        if not seeking:
            pauses = [s.at for s in tl.scenario.steps[tl.next:] if s.action == "pause" and s.at <= t]
            t = min(pauses, default=t)
        self.cluster.advance(max(0.0, tl.t0 + t - self.cluster.now()))
        if self.at_end():
            self.paused = True

    def seek(self, t: float, *, wanted: Callable[[], bool] = lambda: True) -> None:
        """The state at ``t`` s since t=0 (clamped to the scenario). Steps passed on the way are
        not told; a ``pause`` step exactly at ``t`` holds the clock there. From any thread: the
        clock does not run meanwhile, and the simulator runs SEEK_PART virtual seconds at a time
        under the lock, letting views that wait for it in between. ``wanted`` is asked after
        each part: False stops the seek where it got (a newer one takes over)."""
        t = self.seek_target(t)
        with self._seeks_lock:
            self._seeking += 1
        try:
            if t < self.position() - EPS:
                shown, rebuild = self.cluster, self._rebuild
                assert rebuild is not None  # (``seek_target``)
                if not self._swap(rebuild(), replacing=shown):  # (kept even if no longer wanted: t=0 is on the way)
                    return  # a reload swapped in another run meanwhile: that one stands
            self._run_in_parts(t, wanted)
        finally:
            with self._seeks_lock:
                self._seeking -= 1
        tl = self.timeline
        assert tl is not None
        tl.paused = tl.paused and any(f.step.action == "pause" and f.step.at >= t - EPS for f in tl.fired)

    def seek_target(self, t: float) -> float:
        """``t`` clamped to the scenario; NotSupported when a seek cannot go there (no timeline,
        or back in a scenario that cannot run again)."""
        if self.timeline is None:
            if self.pending is not None:
                raise NotSupported("the cluster is still being built: its timeline starts when it is there")
            raise NotSupported("seek: plain manifests have no timeline")
        t = min(max(0.0, t), self.duration())
        if t < self.position() - EPS and self._rebuild is None:
            raise NotSupported("seek back: this scenario was not read from a file, it cannot run again")
        return t

    def build_line(self) -> str | None:
        """How far a build of this scenario under way got (a seek back), when it can tell."""
        build = self._rebuild
        return build.line() if isinstance(build, WatchedBuild) else None

    def _loading_line(self) -> str | None:
        build = self._preparing
        return build.line() if build is not None else None

    def seeking(self) -> bool:
        """Whether a seek is under way (in a worker thread)."""
        return self._seeking > 0

    def _run_in_parts(self, t: float, wanted: Callable[[], bool]) -> None:
        cluster = self.cluster
        while True:
            with cluster.lock:
                if self.cluster is not cluster:  # swapped meanwhile (a reload): this seek is over
                    return
                self._quiet = True
                try:
                    self._run_to(min(t, self.position() + SEEK_PART), seeking=True)
                finally:
                    self._quiet = False
                if self.position() >= t - EPS:
                    return
            if not wanted():
                return
            let_waiters_in(cluster.lock)

    # -- the driver, reloads ------------------------------------------------------------------------
    async def drive(self, interval: float = 0.25) -> None:
        """``tick`` with real time, forever: the simulation in a worker thread (see ``SimBackend``)."""
        ticker = self._ticker = RealtimeTicker()  # real seconds (``_advance_by`` applies the speed), a step at most MAX_STEP
        while True:
            await asyncio.sleep(interval)
            if await asyncio.to_thread(self._advance_by, ticker.elapsed()):
                self._ticked()

    def start(self) -> None:
        self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        SimBackend.start(self)
        self._start_hot_reload()

    async def close(self) -> None:
        self._stop_hot_reload()
        await SimBackend.close(self)

    def _swap(self, cluster: Any, *, replacing: Any | None = None) -> bool:
        """Show ``cluster`` instead: open watches get the difference. ``replacing``: only if
        that one is still shown (False: something else was swapped in meanwhile)."""
        while True:
            old = self.cluster if replacing is None else replacing
            with old.lock:  # never in the middle of a step (``drive`` runs them in a worker thread)
                if self.cluster is not old:
                    if replacing is not None:
                        return False
                    continue  # swapped while this waited for the lock: replace that one
                self.cluster = cluster
                break
        gcpause.dropped(old.store.count("Pod"))  # frozen when built, and full of cycles
        self.pending = self.pending_home = None
        self._follow_steps()
        self._resync_all()
        return True

    def prepare(self, path: str) -> tuple[Any, Callable[[], Any]]:
        """(the cluster ``path`` makes, a builder of it at t=0 for seeking back)."""
        rebuild = self._preparing = WatchedBuild(self.parsed(path), self.seed)
        try:
            return rebuild(), rebuild
        finally:
            if self._preparing is rebuild:  # not one started meanwhile (a save during a `:scenarios` pick)
                self._preparing = None

    async def load_off_loop(self, path: str) -> None:
        """The clock waits meanwhile: the run is about to be replaced, and the build needs the
        CPU (a 30,000-pod file was built in half the time)."""
        self._reading += 1
        self._playback.changed()  # the bar says so
        try:
            await super().load_off_loop(path)
        finally:
            self._reading -= 1
            self._playback.changed()

    def reading(self) -> bool:
        """Whether a file is being read and built to replace this run (the clock waits)."""
        return self._reading > 0

    def install(self, prepared: Any, path: str) -> None:
        cluster, self._rebuild = prepared
        self.path = path
        self.play_from_start(cluster)

    def play_from_start(self, cluster: Any) -> None:
        """Play ``cluster`` from t=0 instead."""
        self.paused = False
        self._swap(cluster)
