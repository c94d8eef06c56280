"""The Backend contract every data source implements (sim, replay, live), and the read-only
wrapper that refuses mutations in one place.

A backend implements the required *primitives* (the REST verbs of the Kubernetes API plus
logs and events); kubectl's *verbs* (scale, restart, cordon, drain, set image, rollback,
trigger, suspend) are written once here over those primitives, with the requests built by
``k9py.kube.verbs``. What a backend can do beyond the primitives it declares up front in
``capabilities()``; the optional methods raise ``NotSupported`` unless overridden.
"""

from __future__ import annotations

import abc
import asyncio
import builtins
import enum
import math
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from k9py.backends.events import WatchEvent, change
from k9py.errors import K9pyError
from k9py.kube import meta, verbs
from k9py.kube.drain import pods_to_evict
from k9py.kube.resources import ApiResource

if TYPE_CHECKING:
    from k9py.backends.playback import Playback

Obj = dict[str, Any]
Objs = builtins.list[Obj]  # (``list`` is also a method of Backend)

PatchType = Literal["merge", "strategic", "json"]
PATCH_CONTENT_TYPES: dict[str, str] = {
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json-patch+json",
}

DRAIN_RETRY = 5.0  # seconds between evictions a PodDisruptionBudget refused (kubectl's)


async def drain_retry_wait() -> None:
    """The wait before a drain asks again for an eviction a PodDisruptionBudget refused (looked
    up at each retry: tests put a stub in its place)."""
    await asyncio.sleep(DRAIN_RETRY)


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


# -- errors ------------------------------------------------------------------------------------
class StatusError(K9pyError):
    """The API answered with an error Status (``code``: 403, 404, 409, 410, 422, 429, 5xx…).
    Every backend raises it for what the apiserver refuses, so callers can tell a 404 from a 409."""

    def __init__(self, code: int, reason: str, message: str, status: Obj | None = None) -> None:
        self.code, self.reason, self.status = code, reason, status or {}
        super().__init__(message)


class ReadOnlyError(K9pyError):
    """A mutation attempted against a read-only backend."""


class NotSupported(K9pyError):
    """An optional capability this backend does not have (see ``Backend.capabilities()``)."""


class MetricsUnavailable(NotSupported):
    """The cluster serves no metrics.k8s.io (no metrics-server): views hide usage columns."""


class Capability(enum.Enum):
    """Optional abilities a backend declares up front (``Backend.capabilities()``)."""
    CONTEXTS = "contexts"  # contexts(), use_context()
    SERVER_TABLES = "server-tables"  # server_table(): the server's columns (CRDs)
    PLAYBACK = "playback"  # playback(): a recording or scenario with a play head
    METRICS = "metrics"  # metrics(): metrics.k8s.io
    EXEC = "exec"  # reserved: a shell in a container
    PORT_FORWARD = "port-forward"  # reserved


class Backend(abc.ABC):
    """The contract of a data source. Objects are plain API-shaped dicts."""

    # -- discovery, info, clock --------------------------------------------------------------
    @abc.abstractmethod
    def kinds(self) -> builtins.list[ApiResource]:
        """The kinds the server serves (discovery; the built-in registry until it answered)."""

    async def rediscover(self) -> bool:
        """Read discovery again (a CRD applied since k9py started serves a new kind); False when
        nothing new can be learnt (a backend whose kinds are fixed, asked again too soon)."""
        return False

    rediscovers = False  # whether ``rediscover`` may find new kinds
    # what opening the backend's source had to say, flashed at start (a gzip recording cut off)
    notes: builtins.list[str] = []  # noqa: RUF012 - never changed in place: a backend sets its own

    @abc.abstractmethod
    def info(self) -> BackendInfo: ...

    @abc.abstractmethod
    def now(self) -> float:
        """The cluster's clock (virtual for sim/replay, wall clock for live): ages use it."""

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:  # noqa: B027 - optional hook
        """Background work (a clock driver, discovery); called once inside the running loop."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop background work and connections."""

    # -- capabilities ------------------------------------------------------------------------
    def capabilities(self) -> frozenset[Capability]:
        return frozenset()

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities()

    # -- reading -----------------------------------------------------------------------------
    @abc.abstractmethod
    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        """``Added`` events (or one ``Listed`` batch) for the current objects, then ``Synced()``,
        then live changes; ``StateChanged`` when the connection state changes."""

    @abc.abstractmethod
    async def get(self, kind: str, namespace: str | None, name: str) -> Obj: ...

    @abc.abstractmethod
    async def list(self, kind: str, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Objs:
        """One list (all pages); ``namespace`` None: all namespaces (ignored for cluster-scoped kinds)."""

    @abc.abstractmethod
    def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
             tail_lines: int | None = None, since_seconds: float | None = None,
             previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]: ...

    @abc.abstractmethod
    async def events_for(self, obj: Obj) -> Objs:
        """The Events about ``obj`` (kubectl describe's query)."""

    # -- writing (primitives) ----------------------------------------------------------------
    @abc.abstractmethod
    async def create(self, obj: Obj) -> Obj:
        """POST; ``metadata.generateName`` lets the server pick the name."""

    @abc.abstractmethod
    async def apply(self, obj: Obj) -> Obj:
        """Server-side apply (field manager k9py, conflicts forced)."""

    @abc.abstractmethod
    async def replace(self, obj: Obj) -> Obj:
        """PUT: ``StatusError`` 409 Conflict if the object's resourceVersion is stale (``e`` edit)."""

    @abc.abstractmethod
    async def patch(self, kind: str, namespace: str | None, name: str, patch: Any, *,
                    patch_type: PatchType = "merge", subresource: str | None = None) -> Obj:
        """PATCH with a JSON merge patch, a strategic merge patch (built-in kinds; CRDs get a
        merge patch) or a JSON patch (a list of operations). ``subresource``: "scale" (the answer
        is an autoscaling/v1 Scale) or "status"."""

    @abc.abstractmethod
    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        """``propagation``: Background (default), Foreground or Orphan; ``grace_period=0`` with
        a pod is kubectl's ``--force --grace-period=0``."""

    @abc.abstractmethod
    async def evict(self, namespace: str, pod: str, *, grace_period: int | None = None) -> Obj:
        """POST pods/eviction (``StatusError`` 429 while a PodDisruptionBudget refuses it)."""

    # -- optional capabilities -----------------------------------------------------------------
    def contexts(self) -> Objs:
        """The `:ctx` rows (``Capability.CONTEXTS``)."""
        raise NotSupported(f"{self.info().backend}: no kubeconfig contexts")

    async def use_context(self, name: str) -> Backend:
        """A new backend on context ``name``; the caller swaps it in and closes this one."""
        raise NotSupported(f"{self.info().backend}: cannot switch contexts")

    async def rename_context(self, old: str, new: str) -> str:
        """`r` in `:ctx`: kubectl's ``config rename-context`` on the kubeconfig; the file written."""
        raise NotSupported(f'context "{old}" is not a kubeconfig\'s ({self.info().backend}): it cannot be renamed')

    async def delete_context(self, name: str) -> tuple[str, bool]:
        """ctrl-d in `:ctx`: kubectl's ``config delete-context``; the file written, and whether
        the kubeconfig's current-context named it."""
        raise NotSupported(f'context "{name}" is not a kubeconfig\'s ({self.info().backend}): it cannot be deleted')

    async def server_table(self, kind: str, namespace: str | None = None) -> Obj:
        """The server's ``Table`` for a kind, objects included (``Capability.SERVER_TABLES``)."""
        raise NotSupported(f"{self.info().backend}: no server-side tables")

    async def metrics(self, kind: str, namespace: str | None = None) -> Objs:
        """``PodMetrics`` (kind "Pod", in ``namespace`` or all) or ``NodeMetrics`` (kind "Node")
        as metrics.k8s.io/v1beta1 serves them; ``MetricsUnavailable`` when the cluster has no
        metrics-server (``Capability.METRICS``)."""
        raise MetricsUnavailable(f"{self.info().backend}: no metrics")

    def playback(self) -> Playback:
        """The play head of a recording or scenario (``Capability.PLAYBACK``)."""
        raise NotSupported(f"{self.info().backend}: nothing to play")

    def local_cluster(self) -> Any | None:
        """The in-process cluster behind this backend (the simulator's ``Cluster``, a recording's
        play head as a read-only ``ReplayCluster``), which ``serve`` can put on loopback so that
        outside tools (a plugin's kubectl) see what the explorer shows. None: the cluster is
        elsewhere (live: ``kubeconfig_files`` reach it)."""
        return None

    def kubeconfig_files(self) -> builtins.list[str]:
        """The kubeconfig files a kubectl reads to reach this cluster (live); [] none."""
        return []

    def kubectl_flags(self) -> builtins.list[str]:
        """What a kubectl run for this cluster adds (``--as USER --as-group G``); [] nothing."""
        return []

    def discovered(self) -> bool:
        """Whether ``kinds()`` is the cluster's own answer (a live server's discovery read), not a
        stand-in until it comes."""
        return True

    def context_namespace(self) -> str | None:
        """The namespace the kubeconfig context names (kubectl's for it); None: no such thing."""
        return None

    async def note_event(self, obj: Obj, reason: str, message: str, source: str) -> None:  # noqa: B027 - optional hook
        """A verb's Normal Event about ``obj`` from component ``source``, where the backend keeps
        one: the simulator records what the controllers of older API versions reported (a
        rollback); a real cluster gets only what kubectl sends, so the default does nothing."""

    # -- kubectl's verbs (over the primitives; never overridden) -------------------------------
    async def find(self, kind: str, namespace: str | None, name: str) -> Obj | None:
        """``get``, None when there is no such object (a 404; any other error raises)."""
        try:
            return await self.get(kind, namespace, name)
        except StatusError as err:
            if err.code == 404:
                return None
            raise

    async def scale(self, kind: str, namespace: str, name: str, replicas: int) -> Obj:
        """``kubectl scale``: a merge patch of the scale subresource; returns the Scale."""
        return await self.patch(kind, namespace, name, verbs.scale_patch(replicas), patch_type="merge",
                                subresource="scale")

    async def restart(self, kind: str, namespace: str, name: str) -> Obj:
        """``kubectl rollout restart``: stamp the pod template with restartedAt (the backend's clock)."""
        return await self.patch(kind, namespace, name, verbs.restart_patch(self.now()), patch_type="strategic")

    async def cordon(self, node: str) -> Obj:
        return await self.patch("Node", None, node, verbs.cordon_patch(True), patch_type="strategic")

    async def uncordon(self, node: str) -> Obj:
        return await self.patch("Node", None, node, verbs.cordon_patch(False), patch_type="strategic")

    async def drain(self, node: str, *, ignore_daemonsets: bool = True, delete_emptydir_data: bool = False,
                    force: bool = False, grace_period: int | None = None,
                    timeout: float = 0.0, disable_eviction: bool = False,
                    on_retry: Callable[[str], None] | None = None) -> Objs:
        """``kubectl drain``: cordon, check every pod on the node against the flags (refusing all
        of them if one is not allowed, as kubectl does), then evict each (``disable_eviction``:
        delete it, past any PodDisruptionBudget, as ``--disable-eviction``). An eviction a
        PodDisruptionBudget refuses (429) is retried every 5 s until ``timeout`` seconds from the
        start have passed (0: no deadline, as kubectl's drain.Helper: "0 timeout means
        infinite"), ``on_retry`` told each time in kubectl's words ("error when evicting
        pods/"x" -n "ns" (will retry after 5s): Cannot evict pod as..."); a pod already gone
        (404) counts as evicted. Returns the evicted pods."""
        await self.cordon(node)
        pods = await self.list("Pod", None, field_selector=f"spec.nodeName={node}")
        evict = pods_to_evict(node, pods, ignore_daemonsets=ignore_daemonsets, force=force,
                              delete_emptydir_data=delete_emptydir_data)
        deadline = time.monotonic() + timeout if timeout > 0 else math.inf
        out: Objs = []
        for p in evict:
            while True:
                try:
                    if disable_eviction:
                        await self.delete("Pod", meta.namespace(p), meta.name(p), grace_period=grace_period)
                    else:
                        await self.evict(meta.namespace(p), meta.name(p), grace_period=grace_period)
                    break
                except StatusError as err:
                    if err.code == 404:
                        break
                    if err.code != 429 or time.monotonic() + DRAIN_RETRY > deadline:
                        raise
                    if on_retry is not None:
                        verb = "deleting" if disable_eviction else "evicting"
                        on_retry(f'error when {verb} pods/"{meta.name(p)}" -n "{meta.namespace(p)}" '
                                 f"(will retry after {DRAIN_RETRY:g}s): {err}")
                await drain_retry_wait()
            out.append(p)
        return out

    async def set_image(self, kind: str, namespace: str, name: str, images: dict[str, str]) -> Obj:
        """``kubectl set image``: container name → image in the pod template (or the pod)."""
        obj = await self.get(kind, namespace, name)
        return await self.patch(kind, namespace, name, verbs.set_image_patch(obj, images), patch_type="strategic")

    async def rollback(self, namespace: str, replicaset: str) -> Obj:
        """``kubectl rollout undo deployment/D --to-revision=R`` where R is the ReplicaSet's
        (k9s ctrl-l): a JSON patch replacing the Deployment's template with the ReplicaSet's."""
        rs = await self.get("ReplicaSet", namespace, replicaset)
        owner = verbs.rollback_target(rs)
        dep = await self.get("Deployment", namespace, owner)
        out = await self.patch("Deployment", namespace, owner, verbs.rollback_patch(rs, dep), patch_type="json")
        revision = meta.dig(rs, "metadata", "annotations", "deployment.kubernetes.io/revision") or "?"
        await self.note_event(out, "DeploymentRollback", f"Rolled back deployment {owner} to revision {revision}",
                              "deployment-controller")
        return out

    async def trigger(self, namespace: str, cronjob: str) -> Obj:
        """``kubectl create job --from=cronjob/NAME`` (k9s's NAME-manual-xxx): the created Job."""
        cj = await self.get("CronJob", namespace, cronjob)
        return await self.create(verbs.job_from_cronjob(cj))

    async def suspend(self, namespace: str, cronjob: str, suspend: bool) -> Obj:
        return await self.patch("CronJob", namespace, cronjob, verbs.suspend_patch(suspend), patch_type="strategic")


# -- the read-only wrapper -----------------------------------------------------------------------
class ReadOnly(Backend):
    """Wraps any backend: reads pass through, every mutating primitive is refused in ``_refuse``
    (and with them every verb, which runs on the primitives). Never unwrapped."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def _refuse(self, what: str) -> NoReturn:
        raise ReadOnlyError(f"{what} refused: k9py is in read-only mode")

    # mutating primitives
    async def create(self, obj: Obj) -> Obj:
        self._refuse("create")

    async def apply(self, obj: Obj) -> Obj:
        self._refuse("apply")

    async def replace(self, obj: Obj) -> Obj:
        self._refuse("replace")

    async def patch(self, kind: str, namespace: str | None, name: str, patch: Any, *,
                    patch_type: PatchType = "merge", subresource: str | None = None) -> Obj:
        self._refuse("patch")

    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        self._refuse("delete")

    async def evict(self, namespace: str, pod: str, *, grace_period: int | None = None) -> Obj:
        self._refuse("evict")

    # everything else is delegated
    def kinds(self) -> builtins.list[ApiResource]:
        return self._backend.kinds()

    def info(self) -> BackendInfo:
        return replace(self._backend.info(), read_only=True)

    def now(self) -> float:
        return self._backend.now()

    def start(self) -> None:
        self._backend.start()

    async def close(self) -> None:
        await self._backend.close()

    def capabilities(self) -> frozenset[Capability]:
        return self._backend.capabilities()

    def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        return self._backend.watch(kind, namespace)

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        return await self._backend.get(kind, namespace, name)

    async def list(self, kind: str, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Objs:
        return await self._backend.list(kind, namespace, label_selector=label_selector,
                                        field_selector=field_selector)

    def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
             tail_lines: int | None = None, since_seconds: float | None = None,
             previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        return self._backend.logs(namespace, pod, container, follow=follow, tail_lines=tail_lines,
                                  since_seconds=since_seconds, previous=previous, timestamps=timestamps)

    async def events_for(self, obj: Obj) -> Objs:
        return await self._backend.events_for(obj)

    def contexts(self) -> Objs:
        return self._backend.contexts()

    async def use_context(self, name: str) -> Backend:
        return ReadOnly(await self._backend.use_context(name))

    async def rename_context(self, old: str, new: str) -> str:
        self._refuse("renaming a context")

    async def delete_context(self, name: str) -> tuple[str, bool]:
        self._refuse("deleting a context")

    async def server_table(self, kind: str, namespace: str | None = None) -> Obj:
        return await self._backend.server_table(kind, namespace)

    async def metrics(self, kind: str, namespace: str | None = None) -> Objs:
        return await self._backend.metrics(kind, namespace)

    def playback(self) -> Playback:
        return self._backend.playback()

    def local_cluster(self) -> Any | None:
        return self._backend.local_cluster()  # served read-only: the caller knows it is wrapped

    def kubeconfig_files(self) -> builtins.list[str]:
        return self._backend.kubeconfig_files()

    def kubectl_flags(self) -> builtins.list[str]:
        return self._backend.kubectl_flags()

    def discovered(self) -> bool:
        return self._backend.discovered()

    def context_namespace(self) -> str | None:
        return self._backend.context_namespace()


def read_only(backend: Backend) -> Backend:
    return backend if isinstance(backend, ReadOnly) else ReadOnly(backend)


# -- helpers for backends ------------------------------------------------------------------------
def event_queue() -> tuple[asyncio.Queue[WatchEvent], Callable[[str, Obj], None]]:
    """An asyncio queue of typed events and a store-watch callback (``(type, obj)``) that feeds it
    safely from any thread, in order. The event loop's own thread puts directly; another (the
    simulator's clock steps, thousands of changes a step at 10,000 pods) hands its events over
    in batches: one wake-up of the loop for all it wrote meanwhile, not one each. Call from a
    coroutine: the queue belongs to the running loop."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[WatchEvent] = asyncio.Queue()
    loop_thread = threading.get_ident()
    handed: deque[WatchEvent] = deque()  # from another thread, not in the queue yet
    waking = False  # the loop is asked to take them (and has not started to)

    def take_handed() -> None:
        nonlocal waking
        waking = False  # first: whatever comes after this asks again
        while handed:
            queue.put_nowait(handed.popleft())

    def on_change(type_: str, obj: Obj) -> None:
        nonlocal waking
        ev = change(type_, obj)
        if threading.get_ident() == loop_thread:
            take_handed()  # what another thread wrote before comes first
            queue.put_nowait(ev)
        else:
            handed.append(ev)
            if not waking:  # one wake-up of the loop for all that comes until it takes them
                waking = True
                loop.call_soon_threadsafe(take_handed)

    return queue, on_change


