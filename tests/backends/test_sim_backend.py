import asyncio

import pytest

from k9py.backends.base import DELETED, LISTED, MODIFIED, SYNCED, Backend, ReadOnly, ReadOnlyError, read_only
from k9py.backends.samples import small_cluster
from k9py.backends.sim import SimBackend
from k9py.errors import K9pyError


async def _take(it, n):
    return [await it.__anext__() for _ in range(n)]


def test_sim_backend_satisfies_the_protocol():
    assert isinstance(SimBackend(small_cluster()), Backend)


def test_watch_lists_then_synced_then_live_changes():
    async def main():
        c = small_cluster()
        b = SimBackend(c)
        it = b.watch("Pod", "default")
        (t, listed), synced = await _take(it, 2)
        assert t == LISTED and synced == (SYNCED, None)
        assert [o["metadata"]["name"] for o in listed] == [
            "counter", "crashy", "nginx-deployment-77d8468669-2xq7v", "nginx-deployment-77d8468669-9lwhk",
            "nginx-deployment-77d8468669-kc4gz"]
        # a pod in another namespace is not seen; a change in default is
        c.store.mutate("Pod", "kube-system", "etcd-minikube", lambda p: p["metadata"].setdefault("labels", {}).update(x="1"))
        c.store.mutate("Pod", "default", "counter", lambda p: p["metadata"]["labels"].update(x="1"))
        c.store.delete("Pod", "default", "crashy")
        t1, o1 = await it.__anext__()
        t2, o2 = await it.__anext__()
        assert (t1, o1["metadata"]["name"], o1["metadata"]["labels"]["x"]) == (MODIFIED, "counter", "1")
        assert (t2, o2["metadata"]["name"]) == (DELETED, "crashy")
        await it.aclose()
        assert not c.store._watches  # the store watch stopped with the iterator
    asyncio.run(main())


def test_cluster_scoped_kind_ignores_namespace():
    async def main():
        b = SimBackend(small_cluster())
        (_, listed), synced = await _take(b.watch("Node", "default"), 2)
        assert [o["metadata"]["name"] for o in listed] == ["minikube", "minikube-m02", "minikube-m03"]
        assert synced == (SYNCED, None)
    asyncio.run(main())


def test_mutations_go_through_the_cluster_api():
    async def main():
        c = small_cluster()
        b = SimBackend(c)
        dep = await b.scale("Deployment", "default", "nginx-deployment", 5)
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


def test_read_only_wrapper_refuses_every_mutation_but_reads():
    async def main():
        c = small_cluster()
        b = read_only(SimBackend(c))
        assert isinstance(b, ReadOnly) and read_only(b) is b
        assert b.info().read_only is True and b.info().backend == "sim"
        for call in (b.delete("Pod", "default", "counter"), b.scale("Deployment", "default", "nginx-deployment", 1),
                     b.restart("Deployment", "default", "nginx-deployment"), b.cordon("minikube"),
                     b.uncordon("minikube"), b.drain("minikube"), b.apply({"kind": "ConfigMap"})):
            with pytest.raises(ReadOnlyError, match="read-only"):
                await call
        assert c.store.get("Pod", "default", "counter")["metadata"].get("deletionTimestamp") is None
        pod = await b.get("Pod", "default", "counter")
        assert pod["metadata"]["name"] == "counter"
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
