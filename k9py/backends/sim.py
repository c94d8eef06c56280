"""SimBackend: the Backend protocol over an in-process ``k9py.sim.cluster.Cluster``.

Everything runs on the event loop's thread: the store's watch callbacks feed an asyncio.Queue per
watch. ``drive()`` advances the virtual clock by real time × speed; tests leave it off and call
``cluster.advance()`` themselves (manual clock).
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from k9py.backends.base import LISTED, SYNCED, BackendInfo, Obj, WatchEvent, event_queue
from k9py.errors import K9pyError
from k9py.kube import meta, resources
from k9py.kube.drain import pods_to_evict
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
        queue, on_change = event_queue()

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

    metrics_enabled = True  # False: a cluster without metrics-server (tests)

    async def metrics(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """What metrics-server would serve (``k9py.sim.metrics``, deterministic)."""
        from k9py.backends.base import MetricsUnavailable
        from k9py.sim import metrics as sim_metrics
        if not self.metrics_enabled:
            raise MetricsUnavailable("the server could not find the requested resource (get pods.metrics.k8s.io)")
        with self.cluster.lock:
            if kind == "Node":
                return sim_metrics.list_node_metrics(self.cluster)
            if kind != "Pod":
                raise MetricsUnavailable(f"no metrics for {kind}")
            pods = self.cluster.store.list("Pod", self._ns(kind, namespace))
            seed, now = self.cluster.seed, self.cluster.now()
        if len(pods) < 2000:
            return sim_metrics.pod_metrics_of(pods, seed, now)
        # a big cluster: work on the snapshot off the event loop, like a network call would
        return await asyncio.to_thread(sim_metrics.pod_metrics_of, pods, seed, now)

    async def events_for(self, obj: Obj) -> list[Obj]:
        with self.cluster.lock:
            return meta.events_about(obj, self.cluster.store.list("Event", meta.namespace(obj) or None))

    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        """``GET …/pods/{pod}/log`` via ``k9py.sim.logs.container_logs``. With ``follow`` the
        stream grows as the virtual clock moves and ends when the container terminates or the
        pod goes away, like the kubelet's."""
        from k9py.sim.logs import container_logs

        def render(line: str) -> str:
            return line if timestamps else line.split(" ", 1)[1] if " " in line else ""

        with self.cluster.lock:
            pod_obj = self._call(self.cluster.get, "Pod", namespace, pod)
            lines = self._call(container_logs, self.cluster, namespace, pod, container, tail_lines=tail_lines,
                               since_seconds=since_seconds, previous=previous, timestamps=True)
            uid, seen_now = meta.uid(pod_obj), self.cluster.now()
        for line in lines:
            yield render(line)
        if not follow or previous:
            return
        cursor = _stamp(lines[-1]) if lines else seen_now
        at_cursor = sum(1 for ln in lines if _stamp(ln) == cursor)
        while True:
            seen_now = await self._changed(seen_now)
            with self.cluster.lock:
                pod_now = self.cluster.store.get("Pod", namespace, pod)
                if pod_now is None or meta.uid(pod_now) != uid:
                    return
                done = _terminated(pod_now, container)
                try:
                    fresh = container_logs(self.cluster, namespace, pod, container, since_time=cursor,
                                           timestamps=True)
                except ApiError:
                    fresh = []
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
            except asyncio.TimeoutError:
                pass

    def _tick_event(self) -> asyncio.Event:
        ev = getattr(self, "_tick", None)
        if ev is None:
            ev = self._tick = asyncio.Event()
        return ev

    def notify(self) -> None:
        """The clock moved (wakes log followers now instead of at their next poll)."""
        ev = getattr(self, "_tick", None)
        self._tick = asyncio.Event()
        if ev is not None:
            ev.set()

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
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        return self._write(self.cluster.delete, kind, self._ns(kind, namespace), name, grace_period=grace_period,
                           propagation=propagation)

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

    async def drain(self, node: str, *, ignore_daemonsets: bool = True, delete_emptydir_data: bool = False,
                    force: bool = False, grace_period: int | None = None,
                    timeout: float | None = None) -> list[Obj]:
        """``kubectl drain``: cordon, check every pod against the flags (refusing all of them if
        one is not allowed, as kubectl does), then evict. ``timeout`` does not apply: evictions
        in the simulator are immediate (pods then terminate on the virtual clock)."""
        def run() -> list[Obj]:
            self._set_unschedulable(node, True)
            evict = pods_to_evict(node, self.cluster.store.list("Pod"), ignore_daemonsets=ignore_daemonsets,
                                  force=force, delete_emptydir_data=delete_emptydir_data)
            return [self.cluster.evict(meta.namespace(p), meta.name(p), grace_period) for p in evict]
        return self._write(run)

    async def apply(self, obj: Obj) -> Obj:
        return self._write(self.cluster.apply, obj)

    async def replace(self, obj: Obj) -> Obj:
        return self._write(self.cluster.replace, obj)

    async def set_image(self, kind: str, namespace: str, name: str, images: dict[str, str]) -> Obj:
        def change() -> Obj:
            obj = meta.deep_copy(self.cluster.get(kind, namespace, name))
            spec = obj.get("spec", {})
            if kind == "Pod":
                pod_spec = spec
            elif kind == "CronJob":
                pod_spec = spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})
            else:
                pod_spec = spec.get("template", {}).get("spec", {})
            found = set()
            for key in ("initContainers", "containers"):
                for c in pod_spec.get(key) or []:
                    if c.get("name") in images:
                        c["image"] = images[c["name"]]
                        found.add(c["name"])
            missing = sorted(set(images) - found)
            if missing:
                raise K9pyError(f'unable to find container named "{missing[0]}"')
            return self.cluster.replace(obj)
        return self._write(change)

    async def rollback(self, namespace: str, replicaset: str) -> Obj:
        """``kubectl rollout undo deployment/D --to-revision=R`` where R is the ReplicaSet's."""
        def change() -> Obj:
            rs = self.cluster.get("ReplicaSet", namespace, replicaset)
            ref = meta.controller_ref(rs)
            if not ref or ref.get("kind") != "Deployment":
                raise K9pyError(f"replicaset {replicaset} is not owned by a deployment")
            dep = meta.deep_copy(self.cluster.get("Deployment", namespace, ref["name"]))
            template = meta.deep_copy(rs.get("spec", {}).get("template", {}))
            labels = template.get("metadata", {}).get("labels")
            if labels:
                labels.pop("pod-template-hash", None)
            if template == dep.get("spec", {}).get("template"):
                raise K9pyError(f"deployment {ref['name']} is already at the revision of {replicaset}")
            dep.setdefault("spec", {})["template"] = template
            revision = meta.annotations(rs).get("deployment.kubernetes.io/revision")
            out = self.cluster.replace(dep)
            self.cluster.record_event(dep, "Normal", "DeploymentRollback",
                                      f"Rolled back deployment {ref['name']} to revision {revision or '?'}",
                                      "deployment-controller")
            return out
        return self._write(change)

    async def trigger(self, namespace: str, cronjob: str) -> Obj:
        def create() -> Obj:
            cj = self.cluster.get("CronJob", namespace, cronjob)
            jt = meta.deep_copy(cj.get("spec", {}).get("jobTemplate") or {})
            jmd = jt.get("metadata") or {}
            annotations = dict(jmd.get("annotations") or {})
            annotations["cronjob.kubernetes.io/instantiate"] = "manual"
            md: Obj = {"name": f"{cronjob[:42]}-manual-{self.cluster.store.random_suffix(3)}",
                       "namespace": namespace, "annotations": annotations,
                       "ownerReferences": [meta.owner_reference(cj)]}
            if jmd.get("labels"):
                md["labels"] = dict(jmd["labels"])
            return self.cluster.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": md,
                                        "spec": jt.get("spec") or {}})
        return self._write(create)

    async def suspend(self, namespace: str, cronjob: str, suspend: bool) -> Obj:
        def change() -> Obj:
            obj = meta.deep_copy(self.cluster.get("CronJob", namespace, cronjob))
            obj.setdefault("spec", {})["suspend"] = bool(suspend)
            return self.cluster.replace(obj)
        return self._write(change)

    # -- the clock -------------------------------------------------------------------------
    async def drive(self, interval: float = 0.25) -> None:
        """Advance the virtual clock with real time × speed, forever."""
        ticker = RealtimeTicker(self.speed)
        while True:
            await asyncio.sleep(interval)
            with self.cluster.lock:
                self.cluster.advance(ticker.elapsed())
            self.notify()

    def start(self) -> None:
        if self._drive_task is None:
            self._drive_task = asyncio.get_running_loop().create_task(self.drive())

    async def close(self) -> None:
        if self._drive_task is not None:
            self._drive_task.cancel()
            self._drive_task = None


def _stamp(line: str) -> float:
    from k9py.kube.timefmt import parse_time
    return parse_time(line.split(" ", 1)[0]) or 0.0


def _terminated(pod: Obj, container: str | None) -> bool:
    st = pod.get("status") or {}
    statuses = (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
    for cs in statuses:
        if container is None or cs.get("name") == container:
            return bool((cs.get("state") or {}).get("terminated"))
    return st.get("phase") in ("Succeeded", "Failed")
