"""The bundled demo cluster, on screen at once.

Building the demo (parsing it, creating its objects, its 4m30s warm-up) takes seconds of CPU;
the shipped snapshot (``scenario.snapshot``) makes it milliseconds, but even those and the
simulator's imports need not stand between the user and the first frame. ``DemoBackend``
starts over a cluster that has only the system namespaces and, once started, loads the
warmed-up demo in a worker thread (the snapshot, or a build when the snapshot is stale or
another seed is asked for) and swaps it in on the event loop: open watches get its objects
(``ScenarioBackend._swap``), so the views opened meanwhile (keys typed during the start
included) fill in. It is a ScenarioBackend like the demo always was: `:scenarios` replaces it.

A big scenario file (`k9py --scenario FILE`, thousands of pods: seconds to build, a minute at
100,000) loads the same way (``DemoBackend.behind``): parsed first, so that a broken file still
ends the command with its FILE:LINE error and exit code 2, then built behind the first frame; a
problem found while building is told in the flash. Meanwhile the views show the file's
namespaces (empty, not missing) and open in the one its cluster will be busiest in; a timeline's
play head shows its length and steps at once and starts moving when the cluster is there.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from k9py.backends.building import WatchedBuild, pods_of
from k9py.backends.locked import in_thread
from k9py.backends.playback import HOME_KINDS, busiest_of
from k9py.backends.replay import ScenarioBackend
from k9py.scenario import files, snapshot
from k9py.sim.bootstrap import SYSTEM_NAMESPACES, system_namespace
from k9py.sim.cluster import Cluster


def warmed_demo(seed: int | None) -> Any:
    """The demo cluster as `k9py` shows it: the snapshot for the default seed, else built."""
    if seed in (None, 0):
        cluster = snapshot.load_demo()
        if cluster is not None:
            return cluster
    from k9py.scenario.loader import load_cluster
    return load_cluster(None, seed=seed)


BIG_FILE_PODS = 1_000  # pods a file makes from which its build (~a second) goes behind the first frame


def home_namespace_of(sf: Any) -> str | None:
    """The namespace a parsed file's cluster will be busiest in (``ScenarioPlayback.home_namespace``
    over the cluster it builds): where it makes the most pods, else the most workloads."""
    pods: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for m in sf.manifests:
        md = m.obj.get("metadata")
        ns = (md.get("namespace") if isinstance(md, dict) else None) or "default"
        if not isinstance(ns, str):
            continue
        pods[ns] += pods_of(m.obj, len(sf.header.nodes))
        if m.obj.get("kind") in HOME_KINDS:
            others[ns] += 1
    return busiest_of(pods, others)


def waiting_cluster(name: str, seed: int | None, start: float | None = None, namespaces: Iterable[str] = ()) -> Cluster:
    """What shows until the demo is ready: the system namespaces and ``namespaces`` (a file's:
    its views are empty, not missing, while it builds), no controllers; its clock at ``start``
    (the demo's, so that the time machine sees no jump when the demo arrives)."""
    cluster = Cluster(seed=seed or 0, name=name, bootstrap=False, controllers=[], start=start)
    with cluster.lock:
        for ns in dict.fromkeys([*SYSTEM_NAMESPACES, *namespaces]):
            cluster.store.create(system_namespace(ns))
    return cluster


def namespaces_of(sf: Any) -> list[str]:
    """The namespaces a parsed file makes or puts objects in."""
    found: dict[str, None] = {}
    for m in sf.manifests:
        md = m.obj.get("metadata")
        md = md if isinstance(md, dict) else {}
        ns = md.get("name") if m.obj.get("kind") == "Namespace" else md.get("namespace")
        if isinstance(ns, str) and ns:
            found[ns] = None
    return list(found)


class DemoBackend(ScenarioBackend):
    def __init__(self, *, seed: int | None = None, speed: float = 1.0, cluster: Any | None = None,
                 path: str | None = None, build: Callable[[], Any] | None = None, name: str | None = None,
                 namespaces: Iterable[str] = ()) -> None:
        """``cluster``: the demo, already loaded (nothing is loaded on start). ``path``, ``build``,
        ``name``, ``namespaces``: another file's, its builder, its cluster's name and namespaces
        (``behind``)."""
        demo = path is None
        path = str(snapshot.demo_file()) if path is None else path
        if build is None:  # the demo: from its snapshot, and rebuilt from its file when seeking back
            self._build: Callable[[], Any] = lambda: warmed_demo(seed)
            def rebuild() -> Any:
                return files.build_cluster(files.parse_file(path), seed=seed)
        else:
            self._build = rebuild = build
        self._what = "the demo cluster" if demo else os.path.basename(path)  # for the flash
        if cluster is None:
            meta = (snapshot.read_meta() or {}) if demo else {}
            now = meta.get("now")
            cluster = waiting_cluster(name or str(meta.get("name") or "minikube"), seed,
                                      float(now) if isinstance(now, int | float) and seed in (None, 0) else None,
                                      namespaces)
            self.ready = False
        else:
            self.ready = True  # the demo (or a scenario loaded over it) is the cluster now
        super().__init__(cluster, path=path, seed=seed, rebuild=rebuild, speed=speed)
        self.playback().loading = not self.ready  # from now: the load starts after the first frame
        self._loading: asyncio.Task[None] | None = None

    @classmethod
    def behind(cls, path: str, *, seed: int | None = None, speed: float = 1.0) -> ScenarioBackend:
        """``path`` parsed now (its errors raise now), built behind the first frame when it is big;
        else built now, as ``ScenarioBackend.open`` does. A big file's timeline is known at once
        (the play head's length and steps, the namespace to start in) and starts when its cluster
        is there."""
        sf = ScenarioBackend.parsed(path)
        build = WatchedBuild(sf, seed)
        if build.pods < BIG_FILE_PODS:
            return ScenarioBackend(build(), path=path, seed=seed, rebuild=build, speed=speed)
        backend = cls(seed=seed, speed=speed, path=path, build=build, name=sf.header.name,
                      namespaces=namespaces_of(sf))
        if sf.scenario is not None:
            backend.pending, backend.pending_home = sf.scenario, home_namespace_of(sf)
        backend.playback().build_started(f"building {build.what}: about {build.pods:,} pods (they show when it is done)")
        return backend

    def start(self) -> None:
        super().start()
        if not self.ready and self._loading is None:
            self._loading = asyncio.get_running_loop().create_task(self.load())

    async def load(self) -> None:
        """Load the demo (off the event loop) and show it, unless something replaced it meanwhile."""
        try:
            await self._load()
        finally:
            self.playback().loading = False

    async def _load(self) -> None:
        pb = self.playback()
        telling = asyncio.get_running_loop().create_task(pb.tell_progress(self.build_line))
        try:
            cluster = await in_thread(self._build)
        except Exception as err:  # a broken build: say so (the empty cluster stays)
            self.pending = self.pending_home = None  # no timeline is coming either
            pb.build_ended()
            pb.changed()
            self._tell(f"{self._what} could not be built: {err}")
            return
        finally:
            telling.cancel()
        if self.ready:  # something replaced the waiting cluster meanwhile
            pb.build_ended()
            return
        self.ready = True
        self._swap(cluster)
        pb.build_ended(f"{self._what} is ready: {cluster.store.count('Pod'):,} pods")
        pb.changed()  # the play head runs now

    def reading(self) -> bool:
        """A big file's cluster is still being built behind the first frame (its timeline waits)."""
        return super().reading() or (not self.ready and self.pending is not None)

    def play_from_start(self, cluster: Any) -> None:
        self.ready = True  # what is loaded now wins over a demo still on its way
        self.playback().loading = False
        self.playback().build_ended()
        super().play_from_start(cluster)

    async def close(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
        await super().close()
