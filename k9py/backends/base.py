"""The Backend protocol every data source implements (sim, replay, live), and the read-only
wrapper that refuses mutations in one place."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator, Callable, Protocol, runtime_checkable

from k9py.errors import K9pyError
from k9py.kube.resources import ApiResource

Obj = dict[str, Any]

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"
# Marks the end of a watch's initial list: (SYNCED, None).
SYNCED = "SYNCED"
# Optional bulk form of the initial list: (LISTED, [obj, ...]) = one ADDED per object, cheaper
# for 100k-object lists than one event each. Always followed by SYNCED.
LISTED = "LISTED"
# Connection state changes: (STATE, {"state": "connected"|"reconnecting"|..., "message": str}).
STATE = "STATE"

WatchEvent = tuple[str, "Obj | None"]

MUTATIONS = ("delete", "scale", "restart", "cordon", "uncordon", "drain", "apply", "replace",
             "set_image", "rollback", "trigger", "suspend")


@dataclass(frozen=True)
class BackendInfo:
    backend: str  # "sim" | "replay" | "live"
    context: str
    cluster: str
    user: str
    server_version: str
    read_only: bool = False
    state: str = "connected"
    extra: dict[str, str] = field(default_factory=dict)


class ReadOnlyError(K9pyError):
    """A mutation attempted against a read-only backend."""


class MetricsUnavailable(K9pyError):
    """The cluster serves no metrics.k8s.io (no metrics-server): views hide usage columns."""


@runtime_checkable
class Backend(Protocol):
    def kinds(self) -> list[ApiResource]: ...

    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        """ADDED events (or one LISTED batch) for the current objects, then ``(SYNCED, None)``,
        then live changes."""
        ...

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj: ...

    def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
             tail_lines: int | None = None, since_seconds: float | None = None,
             previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]: ...

    async def events_for(self, obj: Obj) -> list[Obj]: ...

    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        """``propagation``: Background (default), Foreground or Orphan; ``grace_period=0`` with
        a pod is kubectl's ``--force --grace-period=0``."""
        ...

    async def scale(self, kind: str, namespace: str, name: str, replicas: int) -> Obj: ...

    async def restart(self, kind: str, namespace: str, name: str) -> Obj: ...

    async def cordon(self, node: str) -> Obj: ...

    async def uncordon(self, node: str) -> Obj: ...

    async def drain(self, node: str, *, ignore_daemonsets: bool = True, delete_emptydir_data: bool = False,
                    force: bool = False, grace_period: int | None = None,
                    timeout: float | None = None) -> list[Obj]: ...

    async def apply(self, obj: Obj) -> Obj: ...

    async def replace(self, obj: Obj) -> Obj:
        """PUT: Conflict if the object's resourceVersion is stale (``e`` edit)."""
        ...

    async def set_image(self, kind: str, namespace: str, name: str, images: dict[str, str]) -> Obj:
        """``kubectl set image``: container name → image in the pod template (or the pod)."""
        ...

    async def rollback(self, namespace: str, replicaset: str) -> Obj:
        """Roll the ReplicaSet's Deployment back to that ReplicaSet's template (k9s ctrl-l)."""
        ...

    async def trigger(self, namespace: str, cronjob: str) -> Obj:
        """``kubectl create job --from=cronjob/NAME``: the created Job."""
        ...

    async def suspend(self, namespace: str, cronjob: str, suspend: bool) -> Obj: ...

    async def metrics(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """``PodMetrics`` (kind "Pod", in ``namespace`` or all) or ``NodeMetrics`` (kind "Node")
        objects as metrics.k8s.io/v1beta1 serves them; raises ``MetricsUnavailable``."""
        ...

    def info(self) -> BackendInfo: ...

    def now(self) -> float:
        """The cluster's clock (virtual for sim/replay, wall clock for live): ages use it."""
        ...

    async def close(self) -> None: ...


class ReadOnly:
    """Wraps any backend: reads pass through, every mutation raises ``ReadOnlyError``."""

    def __init__(self, inner: Backend) -> None:
        self._inner = inner

    @property
    def inner(self) -> Backend:
        return self._inner

    def info(self) -> BackendInfo:
        return replace(self._inner.info(), read_only=True)

    def __getattr__(self, attr: str) -> Any:
        if attr in MUTATIONS:
            async def refuse(*args: Any, **kwargs: Any) -> Any:
                raise ReadOnlyError(f"{attr} refused: k9py is in read-only mode")
            return refuse
        return getattr(self._inner, attr)


def read_only(backend: Backend) -> Backend:
    return backend if isinstance(backend, ReadOnly) else ReadOnly(backend)  # type: ignore[return-value]


def event_queue() -> tuple["asyncio.Queue[WatchEvent]", Callable[[str, Obj], None]]:
    """An asyncio queue and a store-watch callback that feeds it safely from any thread (the
    event loop's own thread puts directly; others hand over with call_soon_threadsafe).
    Call from a coroutine: the queue belongs to the running loop."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[WatchEvent] = asyncio.Queue()
    loop_thread = threading.get_ident()

    def on_change(type_: str, obj: Obj) -> None:
        if threading.get_ident() == loop_thread:
            queue.put_nowait((type_, obj))
        else:
            loop.call_soon_threadsafe(queue.put_nowait, (type_, obj))

    return queue, on_change
