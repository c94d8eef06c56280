"""Backends for played files:

- ``ReplayBackend``: the Backend protocol over a ``Player`` (a Recording). Watches give the state
  at the play head and its changes as the head moves (backwards too); logs come from the
  recording's LOG events; mutations are refused (a replay is history).
- ``ScenarioBackend``: a ``SimBackend`` whose clock stops at a timeline ``pause`` step.

Both can ``reload()`` (hot reload): the source is rebuilt from t=0 and every open watch gets the
difference, so the explorer keeps its current view.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Callable

from k9py.backends.base import ADDED, DELETED, LISTED, MODIFIED, SYNCED, BackendInfo, Obj, ReadOnlyError, WatchEvent, event_queue
from k9py.backends.sim import SimBackend
from k9py.kube import meta, resources
from k9py.kube.resources import ApiResource
from k9py.kube.status import ApiError
from k9py.scenario.player import Player

TICK = 0.1  # real seconds between play-head moves when playing
_RESYNC = "RESYNC"


class _Resyncing:
    """Watches over a store that can be swapped (reload): on a swap each open watch yields the
    difference between what it had shown and the new store's objects."""

    _queues: dict[asyncio.Queue[WatchEvent], asyncio.AbstractEventLoop]

    def _init_watches(self) -> None:
        self._queues = {}
        self.hot_reload = False  # watch ``path`` and reload on every valid save (``--watch``)
        self.reload_listeners: list[Callable[[str | None], None]] = []  # None: reloaded, str: the error
        self._reload_task: asyncio.Task[None] | None = None

    def reload(self) -> None:
        raise NotImplementedError

    def _start_hot_reload(self) -> None:
        path = getattr(self, "path", None)
        if not self.hot_reload or not path or self._reload_task is not None:
            return
        from k9py.scenario.reload import watch_file

        def valid() -> None:
            try:
                self.reload()
            except Exception as err:  # noqa: BLE001 - the old run keeps going; say why
                self._tell(str(err))
                return
            self._tell(None)

        self._reload_task = asyncio.get_running_loop().create_task(watch_file(path, valid, self._tell))

    def _tell(self, message: str | None) -> None:
        for cb in list(self.reload_listeners):
            cb(message)

    def _stop_hot_reload(self) -> None:
        if self._reload_task is not None:
            self._reload_task.cancel()
            self._reload_task = None

    def _source(self) -> tuple[Any, Any]:  # (store, lock)
        raise NotImplementedError

    def _resync_all(self) -> None:
        for q, loop in list(self._queues.items()):
            loop.call_soon_threadsafe(q.put_nowait, (_RESYNC, None))

    async def _watch(self, kind: str, namespace: str | None) -> AsyncIterator[WatchEvent]:
        res = resources.BY_KIND.get(kind)
        ns = None if res is not None and not res.namespaced else (namespace or None)
        loop = asyncio.get_running_loop()
        queue, on_change = event_queue()

        def subscribe() -> tuple[Any, list[Obj]]:
            store, lock = self._source()
            with lock:
                return store.watch(kind, on_change, namespace=ns), store.list(kind, ns)

        w, initial = subscribe()
        shown: dict[tuple[str, str], Obj] = {(meta.namespace(o), meta.name(o)): o for o in initial}
        self._queues[queue] = loop
        try:
            yield LISTED, initial  # type: ignore[misc]
            yield SYNCED, None
            while True:
                type_, obj = await queue.get()
                if type_ == _RESYNC:
                    w.stop()
                    w, now = subscribe()
                    fresh = {(meta.namespace(o), meta.name(o)): o for o in now}
                    for k in [k for k in shown if k not in fresh]:
                        yield DELETED, shown.pop(k)
                    for k, o in fresh.items():
                        old = shown.get(k)
                        if old is not o:
                            shown[k] = o
                            yield (ADDED if old is None else MODIFIED), o
                    continue
                if obj is not None:
                    k = (meta.namespace(obj), meta.name(obj))
                    if type_ == DELETED:
                        shown.pop(k, None)
                    else:
                        shown[k] = obj
                yield type_, obj
        finally:
            self._queues.pop(queue, None)
            w.stop()


class ReplayBackend(_Resyncing):
    backend_kind = "replay"

    def __init__(self, player: Player, *, path: str | None = None) -> None:
        self.player = player
        self.path = path
        self._drive_task: asyncio.Task[None] | None = None
        self.listeners: list[Callable[[Player], None]] = []  # survive reloads (the timeline bar)
        self._init_watches()

    @classmethod
    def open(cls, path: str, *, paused: bool = False, at: float | None = None) -> "ReplayBackend":
        from k9py.scenario.files import RECORDING, open_scenario
        from k9py.errors import K9pyError
        kind, player = open_scenario(path)
        if kind != RECORDING:
            raise K9pyError("is not a Recording (kind: Recording)", file=path)
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
        return self.player.now()

    # -- reading -------------------------------------------------------------------------------
    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._watch(kind, namespace)

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        res = resources.BY_KIND.get(kind)
        ns = None if res is not None and not res.namespaced else namespace
        with self.player.lock:
            obj = self.player.store.get(kind, ns, name)
        if obj is None:
            from k9py.errors import K9pyError
            plural = res.plural if res else kind.lower()
            raise K9pyError(f'{plural} "{name}" not found')
        return obj

    def list_now(self, kind: str, namespace: str | None = None) -> list[Obj]:
        with self.player.lock:
            return self.player.store.list(kind, namespace)

    async def events_for(self, obj: Obj) -> list[Obj]:
        with self.player.lock:
            return meta.events_about(obj, self.player.store.list("Event", meta.namespace(obj) or None))

    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        from k9py.errors import K9pyError
        try:
            lines = self.player.logs(namespace, pod, container, tail_lines=tail_lines,
                                     since_seconds=since_seconds, previous=previous, timestamps=timestamps)
        except ApiError as err:
            raise K9pyError(err.message) from err
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

    # -- mutations: refused ----------------------------------------------------------------------
    async def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ReadOnlyError("a replay shows recorded history: it cannot be changed")

    delete = scale = restart = cordon = uncordon = drain = apply = _refuse
    replace = set_image = rollback = trigger = suspend = _refuse

    async def metrics(self, kind: str, namespace: str | None = None) -> list[Obj]:
        try:
            from k9py.backends.base import MetricsUnavailable  # type: ignore[attr-defined]
        except ImportError:  # pragma: no cover - older base
            from k9py.errors import K9pyError as MetricsUnavailable
        raise MetricsUnavailable("a replay has no metrics (metrics.k8s.io is not recorded)")

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
            from k9py.errors import K9pyError
            from k9py.scenario.files import RECORDING, open_scenario
            assert self.path is not None
            kind, player = open_scenario(self.path)
            if kind != RECORDING:
                raise K9pyError("is no longer a Recording: keeping the current replay", file=self.path)
        player.speed, player.paused = self.player.speed, self.player.paused
        player.listeners.extend(self.player.listeners)
        self.player = player
        self._resync_all()
        player._notify()


class ScenarioBackend(_Resyncing, SimBackend):
    """The simulator running a Scenario's timeline; its clock stops at ``pause`` steps until
    ``resume()``. ``reload()`` restarts the scenario from t=0 (hot reload)."""

    def __init__(self, cluster: Any, *, path: str | None = None, seed: int | None = None, **kw: Any) -> None:
        SimBackend.__init__(self, cluster, **kw)
        self.path = path
        self.seed = seed
        self.paused = False
        self._init_watches()

    @classmethod
    def open(cls, path: str, *, seed: int | None = None, **kw: Any) -> "ScenarioBackend":
        from k9py.scenario.files import load_scenario_cluster
        return cls(load_scenario_cluster(path, seed=seed), path=path, seed=seed, **kw)

    def _source(self) -> tuple[Any, Any]:
        return self.cluster.store, self.cluster.lock

    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._watch(kind, namespace)

    @property
    def timeline(self) -> Any:
        from k9py.scenario.timeline import timeline_of
        return timeline_of(self.cluster)

    def resume(self) -> None:
        tl = self.timeline
        if tl is not None:
            tl.paused = False
        self.paused = False

    def tick(self, real_seconds: float) -> bool:
        """Advance the virtual clock by ``real_seconds`` × speed unless paused (False then)."""
        tl = self.timeline
        if self.paused or (tl is not None and tl.paused):
            return False
        with self.cluster.lock:
            self.cluster.advance(real_seconds * self.speed)
        notify = getattr(self, "notify", None)  # wakes log follows (SimBackend)
        if notify is not None:
            notify()
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
        self._resync_all()
