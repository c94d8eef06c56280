"""Backends for played files:

- ``ReplayBackend``: the Backend contract over a ``Player`` (a Recording). Watches give the state
  at the play head and its changes as the head moves (backwards too); logs come from the
  recording's LOG events; every mutating primitive is refused (a replay is history).
- ``ScenarioBackend``: a ``SimBackend`` whose clock stops at a timeline ``pause`` step.

Both declare ``Capability.PLAYBACK``: ``playback()`` is their play head for the timeline bar.
Both can ``reload()`` (hot reload): the source is rebuilt from t=0 and every open watch gets the
difference, so the explorer keeps its current view.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any, NoReturn, cast

from k9py.backends.base import (
    Backend,
    BackendInfo,
    Capability,
    Obj,
    Objs,
    PatchType,
    ReadOnlyError,
    StatusError,
    event_queue,
)
from k9py.backends.events import Added, Deleted, Listed, Modified, Synced, WatchEvent
from k9py.backends.playback import Playback
from k9py.backends.sim import SimBackend
from k9py.errors import K9pyError
from k9py.kube import meta, resources, selectors
from k9py.kube.resources import ApiResource
from k9py.kube.status import ApiError
from k9py.scenario import files
from k9py.scenario.player import Player
from k9py.scenario.timeline import TimelineController, timeline_of

TICK = 0.1  # real seconds between play-head moves when playing


class _Resync:
    """Put in a watch's queue when the source was swapped (not a WatchEvent: never yielded)."""


_RESYNC = _Resync()


def _key(obj: Obj) -> tuple[str, str]:
    return (meta.namespace(obj), meta.name(obj))


class _Resyncing:
    """Watches over a store that can be swapped (reload): on a swap each open watch yields the
    difference between what it had shown and the new store's objects."""

    path: str | None
    _queues: dict[asyncio.Queue[WatchEvent | _Resync], asyncio.AbstractEventLoop]

    def _init_watches(self, playback: Playback) -> None:
        self._queues = {}
        self.hot_reload = False  # watch ``path`` and reload on every valid save (``--watch``)
        self._playback = playback
        self._reload_task: asyncio.Task[None] | None = None

    def reload(self) -> None:
        raise NotImplementedError

    def _start_hot_reload(self) -> None:
        if not self.hot_reload or not self.path or self._reload_task is not None:
            return
        from k9py.scenario.reload import watch_file

        def valid() -> None:
            try:
                self.reload()
            except Exception as err:  # the old run keeps going; say why
                self._tell(str(err))
                return
            self._tell(None)

        self._reload_task = asyncio.get_running_loop().create_task(watch_file(self.path, valid, self._tell))

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

        def subscribe() -> tuple[Any, list[Obj]]:
            store, lock = self._source()
            with lock:
                return store.watch(kind, on_change, namespace=ns), store.list(kind, ns)

        w, initial = subscribe()
        shown: dict[tuple[str, str], Obj] = {_key(o): o for o in initial}
        self._queues[queue] = loop
        try:
            yield Listed(initial)
            yield Synced()
            while True:
                ev = await queue.get()
                match ev:
                    case _Resync():
                        w.stop()
                        w, now = subscribe()
                        fresh = {_key(o): o for o in now}
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
        self._backend = backend

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

    def seek_by(self, seconds: float) -> None:
        self._player.seek_by(seconds)

    def home(self) -> None:
        self._player.home()

    def end(self) -> None:
        self._player.end()

    def accepts(self, file_kind: str) -> bool:
        return file_kind == files.RECORDING

    def load(self, path: str) -> None:
        old, self._backend.path = self._backend.path, path
        try:
            self._backend.reload()
        except Exception:
            self._backend.path = old
            raise


class ReplayBackend(_Resyncing, Backend):
    backend_kind = "replay"

    def __init__(self, player: Player, *, path: str | None = None) -> None:
        self.player = player
        self.path = path
        self._drive_task: asyncio.Task[None] | None = None
        self._init_watches(RecordingPlayback(self))
        player.listeners.append(self._player_moved)  # copied to the next player by reload()

    def _player_moved(self, player: Player) -> None:
        self._playback._changed(None)

    @classmethod
    def open(cls, path: str, *, paused: bool = False, at: float | None = None) -> ReplayBackend:
        kind, player = files.open_scenario(path)
        if kind != files.RECORDING:
            raise K9pyError("is not a Recording (kind: Recording)", file=path)
        assert isinstance(player, Player)
        player.paused = paused
        if at is not None:
            player.seek(at)
        return cls(player, path=path)

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

    # -- reading -------------------------------------------------------------------------------
    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._watch(kind, namespace)

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        res = resources.BY_KIND.get(kind)
        ns = None if res is not None and not res.namespaced else namespace
        with self.player.lock:
            obj = self.player.store.get(kind, ns, name)
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
        with self.player.lock:
            return meta.events_about(obj, self.player.store.list("Event", meta.namespace(obj) or None))

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

    # -- hot reload --------------------------------------------------------------------------------
    def reload(self, player: Player | None = None) -> None:
        """Swap in a fresh player (re-read from ``path``), from t=0 with the same speed."""
        if player is None:
            assert self.path is not None
            kind, opened = files.open_scenario(self.path)
            if kind != files.RECORDING:
                raise K9pyError("is no longer a Recording: keeping the current replay", file=self.path)
            assert isinstance(opened, Player)
            player = opened
        player.speed, player.paused = self.player.speed, self.player.paused
        player.listeners.extend(self.player.listeners)
        self.player = player
        self._resync_all()
        player._notify()


# -- scenarios -------------------------------------------------------------------------------------
class ScenarioPlayback(Playback):
    """A running Scenario seen as a play head: t since t=0, its duration, steps run; the clock
    is the simulator's (not seekable), stopped by ``pause`` steps until ``resume()``."""

    unit = "steps"
    seekable = False

    def __init__(self, backend: ScenarioBackend) -> None:
        super().__init__()
        self._backend = backend

    @property
    def _tl(self) -> TimelineController | None:
        return self._backend.timeline

    @property
    def path(self) -> str | None:
        return self._backend.path

    @property
    def has_timeline(self) -> bool:
        return self._tl is not None

    @property
    def paused(self) -> bool:
        return self._backend.is_paused()

    @property
    def speed(self) -> float:
        return float(self._backend.speed)

    @property
    def position(self) -> float:
        tl = self._tl
        return 0.0 if tl is None else max(0.0, self._backend.now() - tl.t0)

    @property
    def duration(self) -> float:
        tl = self._tl
        return 0.0 if tl is None else float(tl.scenario.end)

    @property
    def events_played(self) -> int:
        tl = self._tl
        return 0 if tl is None else tl.next

    @property
    def total_events(self) -> int:
        tl = self._tl
        return 0 if tl is None else len(tl.scenario.steps)

    def resume(self) -> None:
        self._backend.resume()
        self._changed(None)

    def accepts(self, file_kind: str) -> bool:
        return file_kind != files.RECORDING

    def load(self, path: str) -> None:
        old, self._backend.path = self._backend.path, path
        try:
            self._backend.reload()
        except Exception:
            self._backend.path = old
            raise


class ScenarioBackend(_Resyncing, SimBackend):
    """The simulator running a Scenario's timeline; its clock stops at ``pause`` steps until
    ``resume()``. ``reload()`` restarts the scenario from t=0 (hot reload)."""

    def __init__(self, cluster: Any, *, path: str | None = None, seed: int | None = None, **kw: Any) -> None:
        SimBackend.__init__(self, cluster, **kw)
        self.path = path
        self.seed = seed
        self.paused = False
        self._init_watches(ScenarioPlayback(self))
        self._follow_steps()

    @classmethod
    def open(cls, path: str, *, seed: int | None = None, **kw: Any) -> ScenarioBackend:
        from k9py.scenario.files import load_scenario_cluster
        return cls(load_scenario_cluster(path, seed=seed), path=path, seed=seed, **kw)

    def _source(self) -> tuple[Any, Any]:
        return self.cluster.store, self.cluster.lock

    def _follow_steps(self) -> None:
        """Forward the (current cluster's) timeline steps to the playback's listeners."""
        tl = self.timeline
        if tl is not None:
            tl.listeners.append(self._playback._steps)

    def capabilities(self) -> frozenset[Capability]:
        return SimBackend.capabilities(self) | {Capability.PLAYBACK}

    def playback(self) -> Playback:
        return self._playback

    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._watch(kind, namespace)

    @property
    def timeline(self) -> TimelineController | None:
        return timeline_of(self.cluster)

    def is_paused(self) -> bool:
        tl = self.timeline
        return self.paused or (tl is not None and tl.paused)

    def resume(self) -> None:
        tl = self.timeline
        if tl is not None:
            tl.paused = False
        self.paused = False

    def tick(self, real_seconds: float) -> bool:
        """Advance the virtual clock by ``real_seconds`` × speed unless paused (False then)."""
        if self.is_paused():
            return False
        with self.cluster.lock:
            self.cluster.advance(real_seconds * self.speed)
        self.notify()  # wakes log follows
        return True

    async def drive(self, interval: float = 0.25) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            self.tick(now - last)
            last = now

    def start(self) -> None:
        SimBackend.start(self)
        self._start_hot_reload()

    async def close(self) -> None:
        self._stop_hot_reload()
        await SimBackend.close(self)

    def reload(self, cluster: Any | None = None) -> None:
        if cluster is None:
            from k9py.scenario.files import load_scenario_cluster
            assert self.path is not None
            cluster = load_scenario_cluster(self.path, seed=self.seed)
        self.cluster = cluster
        self.paused = False
        self._follow_steps()
        self._resync_all()
