import asyncio
import logging

import pytest

from k9py.backends.base import Backend, Capability, NotSupported, ReadOnly, ReadOnlyError, StatusError, read_only
from k9py.backends.events import Deleted, Listed, Modified, Synced
from k9py.backends.sim import SimBackend
from k9py.errors import K9pyError
from tests.samples import small_cluster


async def _take(it, n):
    return [await it.__anext__() for _ in range(n)]


def test_sim_backend_satisfies_the_protocol():
    assert isinstance(SimBackend(small_cluster()), Backend)


def test_watch_lists_then_synced_then_live_changes():
    async def main():
        c = small_cluster()
        b = SimBackend(c)
        it = b.watch("Pod", "default")
        first, synced = await _take(it, 2)
        assert isinstance(first, Listed) and synced == Synced()
        assert [o["metadata"]["name"] for o in first.objs] == [
            "counter", "crashy", "nginx-deployment-77d8468669-2xq7v", "nginx-deployment-77d8468669-9lwhk",
            "nginx-deployment-77d8468669-kc4gz"]
        # a pod in another namespace is not seen; a change in default is
        c.store.mutate("Pod", "kube-system", "etcd-minikube", lambda p: p["metadata"].setdefault("labels", {}).update(x="1"))
        c.store.mutate("Pod", "default", "counter", lambda p: p["metadata"]["labels"].update(x="1"))
        c.store.delete("Pod", "default", "crashy")
        e1 = await it.__anext__()
        e2 = await it.__anext__()
        assert isinstance(e1, Modified) and (e1.obj["metadata"]["name"], e1.obj["metadata"]["labels"]["x"]) == ("counter", "1")
        assert isinstance(e2, Deleted) and e2.obj["metadata"]["name"] == "crashy"
        await it.aclose()
        assert not c.store._watches  # the store watch stopped with the iterator
    asyncio.run(main())


def test_cluster_scoped_kind_ignores_namespace():
    async def main():
        b = SimBackend(small_cluster())
        listed, synced = await _take(b.watch("Node", "default"), 2)
        assert [o["metadata"]["name"] for o in listed.objs] == ["minikube", "minikube-m02", "minikube-m03"]
        assert synced == Synced()
    asyncio.run(main())


def test_mutations_go_through_the_cluster_api():
    async def main():
        c = small_cluster()
        b = SimBackend(c)
        scale = await b.scale("Deployment", "default", "nginx-deployment", 5)  # the scale subresource
        assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 5
        dep = await b.get("Deployment", "default", "nginx-deployment")
        assert dep["spec"]["replicas"] == 5 and dep["metadata"]["generation"] == 2
        node = await b.cordon("minikube-m03")
        assert node["spec"]["unschedulable"] is True
        node = await b.uncordon("minikube-m03")
        assert "unschedulable" not in node["spec"]
        res = await b.restart("Deployment", "default", "nginx-deployment")
        assert "kubectl.kubernetes.io/restartedAt" in res["spec"]["template"]["metadata"]["annotations"]
        deleted = await b.delete("Pod", "default", "counter")
        # pods on a node terminate gracefully (30 s by default)
        assert deleted["metadata"]["deletionGracePeriodSeconds"] == 30
        with pytest.raises(K9pyError, match="not found"):
            await b.get("Pod", "default", "nope")
    asyncio.run(main())


def _read_only_sim():
    c = small_cluster()
    with c.lock:  # a rollback target whose template differs from the deployment's
        c.store.mutate("Deployment", "default", "nginx-deployment",
                       lambda d: d["spec"]["template"]["spec"]["containers"][0].update(image="nginx:1.16.1"))
    return c, read_only(SimBackend(c))


def test_read_only_wrapper_refuses_every_mutating_primitive_and_every_verb():
    async def main():
        c, b = _read_only_sim()
        assert isinstance(b, ReadOnly) and isinstance(b, Backend) and read_only(b) is b
        assert b.info().read_only is True and b.info().backend == "sim"
        assert not hasattr(b, "inner") and not hasattr(b, "cluster")  # never unwrapped
        version = c.store.resource_version
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}
        primitives = [b.create(cm), b.apply(cm), b.replace(await b.get("Pod", "default", "counter")),
                      b.patch("Pod", "default", "counter", {"metadata": {"labels": {"x": "1"}}}),
                      b.delete("Pod", "default", "counter"), b.evict("default", "counter")]
        verbs = [b.scale("Deployment", "default", "nginx-deployment", 1),
                 b.restart("Deployment", "default", "nginx-deployment"), b.cordon("minikube"),
                 b.uncordon("minikube"), b.drain("minikube-m02", force=True),
                 b.set_image("Deployment", "default", "nginx-deployment", {"nginx": "nginx:2"}),
                 b.rollback("default", "nginx-deployment-77d8468669"), b.trigger("default", "hello"),
                 b.suspend("default", "hello", True)]
        for call in primitives + verbs:
            with pytest.raises(ReadOnlyError, match="refused: k9py is in read-only mode"):
                await call
        assert c.store.resource_version == version  # nothing was written
        assert c.store.get("Pod", "default", "counter")["metadata"].get("deletionTimestamp") is None
    asyncio.run(main())


def test_the_list_comes_keyed_too_in_a_dict_the_informer_keeps():
    """``Listed.keyed``: the list by (namespace, name), a new dict (a copy of the store's own table
    for every namespace), which the informer takes as its cache instead of keying the list again
    on the event loop (700,000 events: 0.4 s)."""
    from k9py.store.informer import Informer

    async def main():
        c = small_cluster()
        b = SimBackend(c)
        for ns in (None, "default"):
            it = b.watch("Pod", ns)
            listed = await it.__anext__()
            assert isinstance(listed, Listed) and listed.keyed is not None
            assert listed.keyed == {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in listed.objs}
            assert all(listed.keyed[k] is o for k, o in zip(sorted(listed.keyed), listed.objs, strict=True))
            assert listed.keyed is not c.store._objects["Pod"]
            await it.aclose()
        assert len(listed.keyed) == 5 and {k[0] for k in listed.keyed} == {"default"}

        lists = []
        watch = b.watch

        async def spied(kind, namespace=None):
            async for ev in watch(kind, namespace):
                if isinstance(ev, Listed):
                    lists.append(ev)
                yield ev
        b.watch = spied
        informer = Informer(b, auto_flush=False)
        informer.subscribe("Pod", None, lambda cache, diff: None)
        for _ in range(5):
            await asyncio.sleep(0)
        informer.flush()
        cache = informer.cache("Pod", None)
        assert cache is not None and cache.synced and len(cache.objects) == c.store.count("Pod")
        assert cache.objects is lists[0].keyed  # taken as it is
        c.store.delete("Pod", "default", "crashy")  # the store's table changes; the cache hears it
        for _ in range(5):
            await asyncio.sleep(0)
        informer.flush()
        assert ("default", "crashy") not in cache.objects and ("default", "counter") in cache.objects
        cache.objects.pop(("default", "counter"))  # and the cache's dict is its own
        assert c.store.get("Pod", "default", "counter") is not None
        await informer.close()
    asyncio.run(main())


def test_read_only_wrapper_passes_every_read():
    async def main():
        c, b = _read_only_sim()
        inner = SimBackend(c)
        assert b.kinds() == inner.kinds() and b.now() == inner.now()
        assert b.capabilities() == inner.capabilities() == {Capability.METRICS}
        pod = await b.get("Pod", "default", "counter")
        assert pod["metadata"]["name"] == "counter"
        assert [p["metadata"]["name"] for p in await b.list("Pod", "default", field_selector="spec.nodeName=minikube-m02",
                                                               label_selector="run=counter")] == ["counter"]
        it = b.watch("Pod", "kube-system")
        listed = await it.__anext__()
        assert isinstance(listed, Listed) and len(listed.objs) == 2
        await it.aclose()
        with pytest.raises(StatusError, match='container "busybox" in pod "crashy" is waiting to start'):
            [ln async for ln in b.logs("default", "crashy", tail_lines=1)]
        assert await b.events_for(pod) == await inner.events_for(pod)
        assert await b.metrics("Node") == await inner.metrics("Node")
        with pytest.raises(NotSupported):
            b.contexts()
        with pytest.raises(NotSupported):
            await b.use_context("other")
        with pytest.raises(NotSupported):
            b.playback()
    asyncio.run(main())


def test_primitives_and_drain_on_the_simulator():
    async def main():
        c = small_cluster()
        b = SimBackend(c)
        created = await b.create({"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"generateName": "gen-", "namespace": "default"}, "data": {"a": "1"}})
        name = created["metadata"]["name"]
        assert name.startswith("gen-") and len(name) > 4
        patched = await b.patch("ConfigMap", "default", name, {"data": {"a": None, "b": "2"}})
        assert patched["data"] == {"b": "2"}
        patched = await b.patch("ConfigMap", "default", name, [{"op": "add", "path": "/data/c", "value": "3"}],
                                patch_type="json")
        assert patched["data"] == {"b": "2", "c": "3"}
        with pytest.raises(StatusError) as err:
            await b.patch("ConfigMap", "default", name, [{"op": "test", "path": "/data/b", "value": "x"}],
                          patch_type="json")
        assert err.value.code == 422
        with pytest.raises(StatusError) as err:
            await b.replace({**created, "data": {}})  # the resourceVersion of the creation: stale
        assert err.value.code == 409 and err.value.reason == "Conflict"
        with pytest.raises(StatusError) as err:
            await b.get("ConfigMap", "default", "nope")
        assert err.value.code == 404 and str(err.value) == 'configmaps "nope" not found'
        # drain: the counter pod has no controller (refused without --force, nothing evicted)
        with pytest.raises(K9pyError, match=r"cannot delete Pods that declare no controller .*default/counter"):
            await b.drain("minikube-m02")
        assert c.store.get("Node", None, "minikube-m02")["spec"]["unschedulable"] is True  # cordoned first
        assert not any(p["metadata"].get("deletionTimestamp") for p in c.store.list("Pod"))
        on_node = sorted(p["metadata"]["name"] for p in c.store.list("Pod") if p["spec"].get("nodeName") == "minikube-m02")
        evicted = await b.drain("minikube-m02", force=True, grace_period=0)
        assert sorted(p["metadata"]["name"] for p in evicted) == on_node
        assert not [p for p in c.store.list("Pod") if p["spec"].get("nodeName") == "minikube-m02"
                    and not p["metadata"].get("deletionTimestamp")]
    asyncio.run(main())


def test_drive_advances_the_virtual_clock():
    async def main():
        c = small_cluster()
        b = SimBackend(c, speed=100.0)
        t0 = c.now()
        b.start()
        for _ in range(500):  # drive() runs on real time: wait for its first tick, no timed assertion
            if c.now() > t0:
                break
            await asyncio.sleep(0.01)
        await b.close()
        assert c.now() > t0
    asyncio.run(main())


def test_a_watch_fed_from_another_thread_gets_every_event_in_order_with_one_wake_up_a_batch():
    """The clock's steps run in a worker thread and write thousands of changes a step at 10,000
    pods: the loop is woken once for what a step wrote, not once a change; a change made on the
    loop afterwards comes after them."""
    import threading

    from k9py.backends.base import event_queue

    async def main():
        loop = asyncio.get_running_loop()
        wake_ups = []
        real = loop.call_soon_threadsafe

        def counting(*args, **kw):
            wake_ups.append(args[0])
            return real(*args, **kw)

        loop.call_soon_threadsafe = counting
        queue, on_change = event_queue()
        pods = [{"kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "default"}} for i in range(1000)]
        step = threading.Thread(target=lambda: [on_change("ADDED", p) for p in pods])
        step.start()
        step.join()  # the loop does not run meanwhile: one batch
        on_change("DELETED", pods[0])  # on the loop, after what the step wrote
        got = [queue.get_nowait() for _ in range(queue.qsize())]
        assert len(wake_ups) == 1
        assert [type(e).__name__ for e in got] == ["Added"] * 1000 + ["Deleted"]
        assert [e.obj["metadata"]["name"] for e in got[:1000]] == [p["metadata"]["name"] for p in pods]
        second = threading.Thread(target=lambda: on_change("MODIFIED", pods[1]))
        second.start()
        second.join()
        await asyncio.sleep(0)  # the loop takes the second batch on its own
        assert len(wake_ups) == 2 and type(queue.get_nowait()).__name__ == "Modified"
    asyncio.run(main())


def test_what_is_asked_as_keys_are_typed_never_waits_for_a_step_of_the_clock(monkeypatch):
    """A step holds the cluster's lock (up to half a second at 10,000 pods): the served kinds
    (asked at every `:` key) come without it while the CRDs stay as they were, and a big
    cluster's metrics wait for it in a worker thread, not on the event loop."""
    import threading

    from k9py.backends import sim
    from tests.crds import crontab_crd

    async def main():
        backend = SimBackend(small_cluster())
        kinds = {r.kind for r in backend.kinds()}
        stepping, done = threading.Event(), threading.Event()

        def step():  # a step of the clock, as long as the test says
            with backend.cluster.lock:
                stepping.set()
                done.wait(30)

        holder = threading.Thread(target=step)
        holder.start()
        stepping.wait(30)
        try:
            answered: list = []
            asking_kinds = threading.Thread(target=lambda: answered.append({r.kind for r in backend.kinds()}))
            asking_kinds.start()
            asking_kinds.join(10)
            assert answered == [kinds]  # answered while the step holds the lock
            monkeypatch.setattr(sim, "METRICS_OFF_LOOP_PODS", 1)
            asking = asyncio.create_task(backend.metrics("Pod", "default"))
            ticks = 0
            while ticks < 5:  # the loop goes on meanwhile
                await asyncio.sleep(0.01)
                ticks += 1
            assert not asking.done()
        finally:
            done.set()
            holder.join()
        got = await asking
        assert got and got == await backend.metrics("Pod", "default")  # what it says once the step is over
        await backend.create(crontab_crd())
        assert "CronTab" in {r.kind for r in backend.kinds()} - kinds  # a new CRD: asked again
    asyncio.run(main())


def test_a_failing_clock_tick_does_not_stop_the_clock():
    """A simulator bug raised out of one tick (a pod command no model expected): the clock task
    ended, and with it every later change of the cluster. It logs the failure once and goes on."""
    backend = SimBackend(small_cluster())
    ticks: list[float] = []

    def advance(seconds: float) -> None:
        ticks.append(seconds)
        if len(ticks) <= 2:
            raise RuntimeError("a controller bug")

    backend._advance = advance  # type: ignore[method-assign]

    async def main() -> None:
        task = asyncio.create_task(backend.drive(interval=0))
        for _ in range(100_000):  # (each tick is a worker thread's: the loop turns until they came)
            if len(ticks) >= 4 or task.done():
                break
            await asyncio.sleep(0)
        task.cancel()

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):  # (on k9py's logger itself: `k9py` at start stops it propagating)
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logging.getLogger("k9py").addHandler(keep)
    try:
        asyncio.run(main())
    finally:
        logging.getLogger("k9py").removeHandler(keep)
    assert len(ticks) >= 4
    failures = [r for r in records if "clock tick failed" in r.getMessage()]
    assert len(failures) == 1  # (the same failure again is not logged again)
