"""SimBackend: the Backend contract over an in-process ``k9py.sim.cluster.Cluster``.

The store's watch callbacks feed an asyncio.Queue per watch (from any thread). ``drive()``
advances the virtual clock by real time × speed, each step in a worker thread: a step costs tens
of milliseconds at 10,000 pods (hundreds sped up) and keys and frames never wait for it; what the
event loop and the step both touch is under the cluster's lock. Tests leave it off and call
``cluster.advance()`` themselves (manual clock). Writes go through the cluster's API (admission),
then the controllers settle.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from k9py.backends.base import (
    PATCH_CONTENT_TYPES,
    Backend,
    BackendInfo,
    Capability,
    MetricsUnavailable,
    NotSupported,
    Obj,
    Objs,
    PatchType,
    StatusError,
    event_queue,
)
from k9py.backends.events import Listed, Synced, WatchEvent
from k9py.backends.locked import under, watch_and_list
from k9py.kube import conversion, meta, resources, selectors, verbs
from k9py.kube import patch as kpatch
from k9py.kube.resources import ApiResource
from k9py.kube.status import ApiError
from k9py.sim.clock import RealtimeTicker

R = TypeVar("R")
METRICS_OFF_LOOP_PODS = 2000  # pods from which metrics are computed in a worker thread


class SimBackend(Backend):
    backend_kind = "sim"

    def __init__(self, cluster: Any, *, speed: float = 1.0, context: str = "k9py-sim") -> None:
        self.cluster = cluster
        self.speed = speed
        self.context = context
        self.metrics_enabled = True  # False: a cluster without metrics-server (tests)
        self._drive_task: asyncio.Task[None] | None = None
        self._kinds: tuple[tuple[Any, int], tuple[ApiResource, ...]] | None = None  # ``kinds()``'s last answer
        self._tick: asyncio.Event | None = None
        self._users = 0  # sessions started on it (a context of several is shared: see link_contexts)
        # several simulated clusters as contexts (`k9py --scenario A --scenario B`): name -> backend
        self.siblings: dict[str, SimBackend] | None = None

    @classmethod
    def demo(cls, seed: int = 0, scenario: str | None = None, **kw: Any) -> SimBackend:
        """The bundled demo cluster (``k9py.scenario.loader``)."""
        from k9py.scenario.loader import load_cluster
        return cls(load_cluster(scenario, seed=seed), **kw)

    # -- discovery / info ------------------------------------------------------------------
    def kinds(self) -> list[ApiResource]:
        """The served kinds, the custom resources of its CRDs too. Asked as keys are typed: the
        lock (which a step of the clock holds for up to half a second at 10,000 pods) is taken
        only when the CRDs changed since the last answer."""
        cluster = self.cluster
        key = (cluster, cluster.store.kind_version(resources.CRD_KIND))
        known = self._kinds
        if known is None or known[0] != key:
            with cluster.lock:
                known = self._kinds = (key, tuple(cluster.api_resources().all))
        return list(known[1])

    def info(self) -> BackendInfo:
        from k9py.sim.cluster import SERVER_VERSION
        return BackendInfo(backend="sim", context=self.context, cluster=self.cluster.name,
                           user="k9py", server_version=SERVER_VERSION["gitVersion"],
                           extra={"speed": f"{self.speed:g}x"})

    def now(self) -> float:
        """The cluster's (virtual) time: what ages are computed against."""
        return float(self.cluster.now())

    def capabilities(self) -> frozenset[Capability]:
        caps = {Capability.METRICS} if self.metrics_enabled else set()
        if self.siblings:
            caps.add(Capability.CONTEXTS)
        return frozenset(caps)

    # -- contexts: the simulated clusters opened together ---------------------------------------
    def contexts(self) -> Objs:
        if not self.siblings:
            return Backend.contexts(self)
        return [{"kind": "Context", "apiVersion": "v1", "metadata": {"name": name}, "cluster": b.cluster.name,
                 "user": "k9py", "namespace": "default", "current": b is self} for name, b in self.siblings.items()]

    def _not_a_kubeconfigs(self, name: str, what: str) -> NotSupported:
        one_of = " (one per --scenario)" if self.siblings else ""
        return NotSupported(f'"{name}" is a simulated context{one_of}, not a kubeconfig\'s: it cannot be {what}')

    async def rename_context(self, old: str, new: str) -> str:
        raise self._not_a_kubeconfigs(old, "renamed")

    async def delete_context(self, name: str) -> tuple[str, bool]:
        raise self._not_a_kubeconfigs(name, "deleted")

    async def use_context(self, name: str) -> Backend:
        """The sibling cluster named ``name`` (itself, not a copy: it keeps running while shown)."""
        other = (self.siblings or {}).get(name)
        if other is None:
            raise NotSupported(f'no context exists with the name: "{name}"')
        return other

    def local_cluster(self) -> Any:
        """The cluster itself (a scenario's current one: it changes when the scenario restarts)."""
        return self.cluster

    # -- reading ---------------------------------------------------------------------------
    def _ns(self, kind: str, namespace: str | None) -> str | None:
        res = self.cluster.api_resources().kind(kind)
        if res is not None and not res.namespaced:
            return None
        return namespace or None

    async def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        ns = self._ns(kind, namespace)
        queue, on_change = event_queue()
        w, initial, keyed = await watch_and_list(self.cluster.store, self.cluster.lock, kind, on_change, ns)
        try:
            yield Listed(initial, keyed)
            yield Synced()
            while True:
                yield await queue.get()
        finally:
            w.stop()

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        cluster = self.cluster
        return await under(cluster.lock, lambda: self._call(cluster.get, kind, self._ns(kind, namespace), name))

    async def list(self, kind: str, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Objs:
        items = self.list_now(kind, namespace)
        if label_selector or field_selector:
            try:
                keep = selectors.compile_filter(label_selector, field_selector)
            except ValueError as err:
                raise StatusError(400, "BadRequest", str(err)) from None
            items = [o for o in items if keep(o)]
        return items

    def list_now(self, kind: str, namespace: str | None = None) -> Objs:
        """A synchronous snapshot (inside the backends and benchmarks only)."""
        with self.cluster.lock:
            return list(self.cluster.store.list(kind, self._ns(kind, namespace)))

    async def metrics(self, kind: str, namespace: str | None = None) -> Objs:
        """What metrics-server would serve (``k9py.sim.metrics``, deterministic)."""
        from k9py.sim import metrics as sim_metrics
        if not self.metrics_enabled:
            raise MetricsUnavailable("the server could not find the requested resource (get pods.metrics.k8s.io)")
        if kind not in ("Node", "Pod"):
            raise MetricsUnavailable(f"no metrics for {kind}")
        cluster = self.cluster

        def work() -> Objs:
            with cluster.lock:  # a snapshot: stored objects are never changed in place
                nodes = cluster.store.list("Node") if kind == "Node" else []
                pods = cluster.store.list("Pod", None if kind == "Node" else self._ns(kind, namespace))
                seed, now, loads = cluster.seed, cluster.now(), sim_metrics.load_shares(cluster)
            if kind == "Node":  # every pod of the cluster counts
                return list(sim_metrics.node_metrics_of(nodes, pods, seed, now, loads))
            return list(sim_metrics.pod_metrics_of(pods, seed, now, loads))
        if cluster.store.count("Pod") < METRICS_OFF_LOOP_PODS:
            return work()
        # a big cluster: off the event loop, like a network call would be (the lock included: a
        # step of the clock holds it for up to half a second)
        return await asyncio.to_thread(work)

    async def events_for(self, obj: Obj) -> Objs:
        store = self.cluster.store
        return await under(self.cluster.lock,
                           lambda: meta.events_about(obj, store.list("Event", meta.namespace(obj) or None)))

    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        """``GET …/pods/{pod}/log`` via ``k9py.sim.logs.container_logs``. With ``follow`` the
        stream grows as the virtual clock moves and ends when the container terminates or the
        pod goes away, like the kubelet's."""
        from k9py.sim.logs import container_logs

        def render(line: str) -> str:
            return line if timestamps else line.split(" ", 1)[1] if " " in line else ""

        cluster = self.cluster

        def opening() -> tuple[Obj, builtins.list[str], float]:
            return (self._call(cluster.get, "Pod", namespace, pod),
                    self._call(container_logs, cluster, namespace, pod, container, tail_lines=tail_lines,
                               since_seconds=since_seconds, previous=previous, timestamps=True),
                    cluster.now())
        pod_obj, lines, seen_now = await under(cluster.lock, opening)
        uid = meta.uid(pod_obj)
        for line in lines:
            yield render(line)
        if not follow or previous:
            return
        cursor = _stamp(lines[-1]) if lines else seen_now
        at_cursor = sum(1 for ln in lines if _stamp(ln) == cursor)
        while True:
            seen_now = await self._changed(seen_now)
            cluster = self.cluster
            got = await under(cluster.lock, functools.partial(_logs_since, cluster, namespace, pod, container, uid,
                                                              cursor))
            if got is None:
                return
            done, fresh = got
            same = 0
            for ln in fresh:
                t = _stamp(ln)
                if t == cursor:
                    same += 1
                    if same <= at_cursor:
                        continue
                    at_cursor += 1
                elif t > cursor:
                    cursor, at_cursor = t, 1
                else:
                    continue
                yield render(ln)
            if done:
                return

    log_poll = 0.25  # real seconds between looks at a clock moved by someone else (serve, tests)

    async def _changed(self, seen: float) -> float:
        """Wait until the virtual clock moved past ``seen`` or someone calls ``notify()`` (the
        driver does after each advance; scenarios after appending log lines), polling in case
        another thread moves the clock."""
        while True:
            now = self.cluster.now()
            if now != seen:
                return now
            try:
                await asyncio.wait_for(self._tick_event().wait(), self.log_poll)
                return self.cluster.now()
            except TimeoutError:
                pass

    def _tick_event(self) -> asyncio.Event:
        if self._tick is None:
            self._tick = asyncio.Event()
        return self._tick

    def notify(self) -> None:
        """The clock moved (wakes log followers now instead of at their next poll)."""
        ev, self._tick = self._tick, asyncio.Event()
        if ev is not None:
            ev.set()

    # -- writing -----------------------------------------------------------------------------
    @staticmethod
    def _call(fn: Callable[..., R], *args: Any, **kw: Any) -> R:
        """Run a cluster call; what the apiserver would refuse raises ``StatusError``."""
        try:
            return fn(*args, **kw)
        except ApiError as err:
            raise StatusError(err.code, err.reason, err.message, err.to_status()) from err
        except kpatch.PatchError as err:
            raise StatusError(err.code, "Invalid" if err.code == 422 else "BadRequest", str(err)) from err

    async def _write(self, fn: Callable[..., R], *args: Any, **kw: Any) -> R:
        cluster = self.cluster

        def write() -> R:
            out = self._call(fn, *args, **kw)
            cluster.settle()
            return out
        return await under(cluster.lock, write)

    @staticmethod
    def _served(obj: Obj) -> Obj:
        """``obj`` as the apiserver takes it: a built-in kind in a version it does not serve
        refused (an extensions/v1beta1 Deployment from an old tutorial: kubectl says "no matches
        for kind"), one it serves in another (an autoscaling/v1 HPA) converted to the stored one."""
        kind, api_version = str(obj.get("kind") or ""), obj.get("apiVersion")
        res = resources.BY_KIND.get(kind)
        if (res is not None and isinstance(api_version, str) and api_version != res.api_version
                and conversion.storage_version(api_version, kind) == api_version):
            raise ApiError(404, "NotFound", f'no matches for kind "{kind}" in version "{api_version}"')
        return conversion.to_storage(obj)

    async def create(self, obj: Obj) -> Obj:
        return await self._write(lambda o: self.cluster.create(self._served(o)), obj)

    async def apply(self, obj: Obj) -> Obj:
        return await self._write(lambda o: self.cluster.apply(self._served(o)), obj)

    async def replace(self, obj: Obj) -> Obj:
        return await self._write(lambda o: self.cluster.replace(self._served(o)), obj)

    async def patch(self, kind: str, namespace: str | None, name: str, patch: Any, *,
                    patch_type: PatchType = "merge", subresource: str | None = None) -> Obj:
        """What the apiserver does with a PATCH: the patch applied to the stored object, then
        written like a PUT (admission included)."""
        content_type = PATCH_CONTENT_TYPES[patch_type]
        if patch_type == "strategic" and kind not in resources.BY_KIND:
            content_type = PATCH_CONTENT_TYPES["merge"]  # CRDs have no strategic merge

        def run() -> Obj:
            current = self.cluster.get(kind, self._ns(kind, namespace), name)
            if subresource == "scale":
                return self._patch_scale(current, content_type, patch)
            if subresource not in (None, "status"):
                raise ApiError(404, "NotFound", f"the server could not find the requested resource ({subresource})")
            patched = kpatch.apply_patch(current, content_type, patch)
            if not isinstance(patched, dict) or (patched.get("metadata") or {}).get("name") != name:
                raise ApiError(422, "Invalid", f'{kind} "{name}" is invalid: the patched object must keep its name')
            patched["kind"], patched["apiVersion"] = current["kind"], current["apiVersion"]
            return self.cluster.replace(patched, subresource=subresource)
        return await self._write(run)

    def _patch_scale(self, current: Obj, content_type: str, patch: Any) -> Obj:
        scale = kpatch.apply_patch(verbs.scale_of(current), content_type, patch)
        replicas = ((scale.get("spec") if isinstance(scale, dict) else None) or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise ApiError(422, "Invalid", f'Scale.autoscaling "{meta.name(current)}" is invalid: spec.replicas: '
                                           f"Invalid value: {replicas!r}: must be greater than or equal to 0")
        new = meta.deep_copy(current)
        new.setdefault("spec", {})["replicas"] = replicas
        return verbs.scale_of(self.cluster.replace(new))

    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        return await self._write(self.cluster.delete, kind, self._ns(kind, namespace), name, grace_period=grace_period,
                           propagation=propagation)

    async def evict(self, namespace: str, pod: str, *, grace_period: int | None = None) -> Obj:
        return await self._write(self.cluster.evict, namespace, pod, grace_period)

    async def note_event(self, obj: Obj, reason: str, message: str, source: str) -> None:
        """The simulator keeps the Events of older controllers (``DeploymentRollback``)."""
        cluster = self.cluster
        await under(cluster.lock, lambda: cluster.record_event(obj, "Normal", reason, message, source))

    # -- the clock -------------------------------------------------------------------------
    async def drive(self, interval: float = 0.25) -> None:
        """Advance the virtual clock with real time × speed, forever (each step in a worker thread)."""
        ticker = RealtimeTicker(self.speed)
        seen: set[str] = set()
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self._advance, ticker.elapsed())
            except Exception as err:  # a simulator bug must not stop the clock (and the cluster) for good
                if repr(err) not in seen:  # (once each: it may come back every tick)
                    seen.add(repr(err))
                    logging.getLogger("k9py").exception("the simulator's clock tick failed")
            self.notify()

    def _advance(self, seconds: float) -> None:
        with self.cluster.lock:
            self.cluster.advance(seconds)

    def start(self) -> None:
        self._users += 1
        if self._drive_task is None:
            self._drive_task = asyncio.get_running_loop().create_task(self.drive())

    async def close(self) -> None:
        """Stop the clock driver once the last session started on it closes (a sibling context
        may be shown by the explorer and by a merged view at once)."""
        self._users = max(0, self._users - 1)
        if self._drive_task is not None and not self._users:
            self._drive_task.cancel()
            self._drive_task = None


def link_contexts(backends: dict[str, SimBackend]) -> None:
    """Make simulated clusters contexts of one another (``name`` → its backend): each lists all
    of them in `:ctx` and switches to any."""
    for name, backend in backends.items():
        backend.context = name
        backend.siblings = backends


def _stamp(line: str) -> float:
    from k9py.kube.timefmt import parse_time
    return parse_time(line.split(" ", 1)[0]) or 0.0


def _logs_since(cluster: Any, namespace: str, pod: str, container: str | None, uid: str,
                cursor: float) -> tuple[bool, list[str]] | None:
    """A followed container's lines from ``cursor`` on, and whether it terminated (under the
    cluster's lock); None once its pod is gone or replaced."""
    from k9py.sim.logs import container_logs
    pod_now = cluster.store.get("Pod", namespace, pod)
    if pod_now is None or meta.uid(pod_now) != uid:
        return None
    done = _terminated(pod_now, container)
    try:
        fresh = container_logs(cluster, namespace, pod, container, since_time=cursor, timestamps=True)
    except ApiError:
        fresh = []
    return done, fresh


def _terminated(pod: Obj, container: str | None) -> bool:
    st = pod.get("status") or {}
    statuses = (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
    for cs in statuses:
        if container is None or cs.get("name") == container:
            return bool((cs.get("state") or {}).get("terminated"))
    return st.get("phase") in ("Succeeded", "Failed")
