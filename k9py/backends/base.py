"""The Backend protocol every data source implements (sim, replay, live), and the read-only
wrapper that refuses mutations in one place."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator, Protocol, runtime_checkable

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

MUTATIONS = ("delete", "scale", "restart", "cordon", "uncordon", "drain", "apply")


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
                     grace_period: int | None = None) -> Obj: ...

    async def scale(self, kind: str, namespace: str, name: str, replicas: int) -> Obj: ...

    async def restart(self, kind: str, namespace: str, name: str) -> Obj: ...

    async def cordon(self, node: str) -> Obj: ...

    async def uncordon(self, node: str) -> Obj: ...

    async def drain(self, node: str, *, ignore_daemonsets: bool = True) -> list[Obj]: ...

    async def apply(self, obj: Obj) -> Obj: ...

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
