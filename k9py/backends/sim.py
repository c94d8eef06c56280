"""SimBackend: the Backend protocol over an in-process ``k9py.sim.cluster.Cluster``.

Everything runs on the event loop's thread: the store's watch callbacks feed an asyncio.Queue per
watch. ``drive()`` advances the virtual clock by real time × speed; tests leave it off and call
``cluster.advance()`` themselves (manual clock).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, AsyncIterator

from k9py.backends.base import LISTED, SYNCED, BackendInfo, Obj, WatchEvent
from k9py.errors import K9pyError
from k9py.kube import meta, resources
from k9py.kube.resources import ApiResource
from k9py.kube.status import ApiError
from k9py.kube.timefmt import rfc3339
from k9py.sim.clock import RealtimeTicker


class SimBackend:
    backend_kind = "sim"

    def __init__(self, cluster: Any, *, speed: float = 1.0, context: str = "k9py-sim") -> None:
        self.cluster = cluster
        self.speed = speed
        self.context = context
        self._drive_task: asyncio.Task[None] | None = None

    @classmethod
    def demo(cls, seed: int = 0, scenario: str | None = None, **kw: Any) -> "SimBackend":
        """The bundled demo cluster (``k9py.scenario.loader``)."""
        from k9py.scenario.loader import load_cluster
        return cls(load_cluster(scenario, seed=seed), **kw)

    # -- discovery / info ------------------------------------------------------------------
    def kinds(self) -> list[ApiResource]:
        return list(resources.RESOURCES)

    def info(self) -> BackendInfo:
        from k9py.sim.cluster import SERVER_VERSION
        return BackendInfo(backend="sim", context=self.context, cluster=self.cluster.name,
                           user="k9py", server_version=SERVER_VERSION["gitVersion"],
                           extra={"speed": f"{self.speed:g}x"})

    def now(self) -> float:
        """The cluster's (virtual) time: what ages are computed against."""
        return self.cluster.now()

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def _ns(kind: str, namespace: str | None) -> str | None:
        res = resources.BY_KIND.get(kind)
        if res is not None and not res.namespaced:
            return None
        return namespace or None

    async def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        ns = self._ns(kind, namespace)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[WatchEvent] = asyncio.Queue()
        loop_thread = threading.get_ident()

        def on_change(type_: str, obj: Obj) -> None:
            if threading.get_ident() == loop_thread:
                queue.put_nowait((type_, obj))
            else:
                loop.call_soon_threadsafe(queue.put_nowait, (type_, obj))

        with self.cluster.lock:
            w = self.cluster.store.watch(kind, on_change, namespace=ns)
            initial = self.cluster.store.list(kind, ns)
        try:
            yield LISTED, initial  # type: ignore[misc]
            yield SYNCED, None
            while True:
                yield await queue.get()
        finally:
            w.stop()

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        with self.cluster.lock:
            return self._call(self.cluster.get, kind, self._ns(kind, namespace), name)

    def list_now(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """A synchronous snapshot (benchmarks, describe)."""
        with self.cluster.lock:
            return self.cluster.store.list(kind, self._ns(kind, namespace))

    async def events_for(self, obj: Obj) -> list[Obj]:
        uid = meta.uid(obj)
        with self.cluster.lock:
            evs = self.cluster.store.list("Event", meta.namespace(obj) or None)
        return [e for e in evs if e.get("involvedObject", {}).get("uid") == uid
                or (e.get("involvedObject", {}).get("kind") == obj.get("kind")
                    and e.get("involvedObject", {}).get("name") == meta.name(obj))]

    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        reader = getattr(self.cluster, "logs", None)
        if reader is None:
            raise K9pyError("the simulator has no container logs yet")
        with self.cluster.lock:
            lines = reader(namespace, pod, container, tail_lines=tail_lines, since_seconds=since_seconds,
                           previous=previous, timestamps=timestamps)
        for line in lines:
            yield line

    # -- mutations -------------------------------------------------------------------------
    def _call(self, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ApiError as err:
            raise K9pyError(str(getattr(err, "message", err))) from err

    def _write(self, fn: Any, *args: Any, **kw: Any) -> Any:
        with self.cluster.lock:
            out = self._call(fn, *args, **kw)
            self.cluster.settle()
            return out

    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None) -> Obj:
        return self._write(self.cluster.delete, kind, self._ns(kind, namespace), name, grace_period=grace_period)

    async def scale(self, kind: str, namespace: str, name: str, replicas: int) -> Obj:
        def change() -> Obj:
            obj = meta.deep_copy(self.cluster.get(kind, namespace, name))
            obj.setdefault("spec", {})["replicas"] = int(replicas)
            return self.cluster.replace(obj)
        return self._write(change)

    async def restart(self, kind: str, namespace: str, name: str) -> Obj:
        """``kubectl rollout restart``: stamp the pod template."""
        def change() -> Obj:
            obj = meta.deep_copy(self.cluster.get(kind, namespace, name))
            tmpl_md = obj.setdefault("spec", {}).setdefault("template", {}).setdefault("metadata", {})
            tmpl_md.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = rfc3339(self.cluster.now())
            return self.cluster.replace(obj)
        return self._write(change)

    def _set_unschedulable(self, node: str, value: bool) -> Obj:
        obj = meta.deep_copy(self.cluster.get("Node", None, node))
        if value:
            obj.setdefault("spec", {})["unschedulable"] = True
        else:
            obj.setdefault("spec", {}).pop("unschedulable", None)
        return self.cluster.replace(obj)

    async def cordon(self, node: str) -> Obj:
        return self._write(self._set_unschedulable, node, True)

    async def uncordon(self, node: str) -> Obj:
        return self._write(self._set_unschedulable, node, False)

    async def drain(self, node: str, *, ignore_daemonsets: bool = True) -> list[Obj]:
        def run() -> list[Obj]:
            self._set_unschedulable(node, True)
            pods = [p for p in self.cluster.store.list("Pod")
                    if p.get("spec", {}).get("nodeName") == node and not meta.is_deleting(p)]
            daemons = [p for p in pods if (meta.controller_ref(p) or {}).get("kind") == "DaemonSet"]
            if daemons and not ignore_daemonsets:
                names = ", ".join(f"{meta.namespace(p)}/{meta.name(p)}" for p in daemons)
                raise K9pyError(f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets): {names}")
            return [self.cluster.evict(meta.namespace(p), meta.name(p)) for p in pods if p not in daemons]
        return self._write(run)

    async def apply(self, obj: Obj) -> Obj:
        return self._write(self.cluster.apply, obj)

    # -- the clock -------------------------------------------------------------------------
    async def drive(self, interval: float = 0.25) -> None:
        """Advance the virtual clock with real time × speed, forever."""
        ticker = RealtimeTicker(self.speed)
        while True:
            await asyncio.sleep(interval)
            with self.cluster.lock:
                self.cluster.advance(ticker.elapsed())

    def start(self) -> None:
        if self._drive_task is None:
            self._drive_task = asyncio.get_running_loop().create_task(self.drive())

    async def close(self) -> None:
        if self._drive_task is not None:
            self._drive_task.cancel()
            self._drive_task = None
