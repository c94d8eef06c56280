import asyncio

from k9py.backends.events import Added, Deleted, Listed, Modified, Synced
from k9py.backends.sim import SimBackend
from k9py.store.informer import Cache, Informer
from tests.samples import small_cluster


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def pod(name, rv="1", ns="default"):
    return {"kind": "Pod", "metadata": {"name": name, "namespace": ns, "resourceVersion": rv}}


def test_cache_coalesces_events_between_flushes():
    c = Cache("Pod", None)
    for n in ("a", "b", "c"):
        c.apply(Added(pod(n)))
    c.apply(Synced())
    d = c.take_diff()
    assert d.added == {("default", "a"), ("default", "b"), ("default", "c")} and d.synced
    # add+delete before a flush = nothing; delete+add = changed; many modifications = one change
    c.apply(Added(pod("x")))
    c.apply(Deleted(pod("x")))
    c.apply(Deleted(pod("a")))
    c.apply(Added(pod("a", "5")))
    c.apply(Modified(pod("b", "2")))
    c.apply(Modified(pod("b", "3")))
    c.apply(Deleted(pod("c")))
    d = c.take_diff()
    assert d.added == set() and not d.synced
    assert d.changed == {("default", "a"), ("default", "b")}
    assert d.removed == {("default", "c")}
    assert c.objects[("default", "b")]["metadata"]["resourceVersion"] == "3"
    assert not c.take_diff()


def test_first_listed_batch_is_a_reset():
    c = Cache("Pod", None)
    c.apply(Listed([pod("a"), pod("b")]))
    c.apply(Modified(pod("b", "2")))  # changes before the flush are part of the reset
    c.apply(Deleted(pod("a")))
    c.apply(Synced())
    d = c.take_diff()
    assert d.reset and d.synced and not (d.added or d.changed or d.removed)
    assert list(c.objects) == [("default", "b")] and c.objects[("default", "b")]["metadata"]["resourceVersion"] == "2"
    c.apply(Added(pod("z")))  # after the flush: ordinary diffs again
    assert c.take_diff().added == {("default", "z")}


def test_relisted_batch_is_a_diff():
    c = Cache("Pod", None)
    c.apply(Listed([pod("a"), pod("b")]))
    c.apply(Synced())
    c.take_diff()
    c.begin_relist()  # a relist as one batch: unchanged objects are no change, gone ones removed
    c.apply(Listed([pod("a"), pod("c")]))
    c.apply(Synced())
    d = c.take_diff()
    assert (d.added, d.changed, d.removed) == ({("default", "c")}, set(), {("default", "b")})


def test_relist_removes_objects_that_vanished():
    c = Cache("Pod", None)
    c.apply(Added(pod("a")))
    c.apply(Added(pod("b")))
    c.apply(Synced())
    c.take_diff()
    c.begin_relist()
    c.apply(Added(pod("a")))  # same object again: no change
    c.apply(Synced())
    d = c.take_diff()
    assert d.removed == {("default", "b")} and not d.added and not d.changed


def test_informer_feeds_subscribers_from_the_sim_backend():
    async def main():
        cluster = small_cluster()
        inf = Informer(SimBackend(cluster), auto_flush=False)
        seen = []
        inf.subscribe("Pod", None, lambda cache, diff: seen.append((len(cache), diff)))
        await settle()
        assert inf.flush() == 1
        n, diff = seen[-1]
        assert n == 7 and diff.synced and diff.reset
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["status"].update(phase="Succeeded"))
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["status"].update(podIP="10.0.0.9"))
        cluster.store.delete("Pod", "default", "crashy")
        await settle()
        inf.flush()
        _, diff = seen[-1]
        assert diff.changed == {("default", "counter")} and diff.removed == {("default", "crashy")}
        assert inf.cache("Pod", None).get(("default", "counter"))["status"]["podIP"] == "10.0.0.9"
        assert inf.flush() == 0 and len(seen) == 2  # nothing new: no call
        # a second subscriber shares the watch and gets the whole cache at once
        late = []
        inf.subscribe("Pod", None, lambda cache, diff: late.append(diff))
        inf.flush()
        assert late[0].reset and late[0].synced
        await inf.close()
    asyncio.run(main())


def test_a_subscriber_that_read_the_synced_cache_gets_only_the_diffs_after():
    """`:pulses` counts a synced cache as it opens: a reset on the first flush counted it all
    again (217,000 events: a second on the event loop)."""
    async def main():
        cluster = small_cluster()
        inf = Informer(SimBackend(cluster), auto_flush=False)
        inf.subscribe("Pod", None, lambda cache, diff: None)
        await settle()
        inf.flush()
        cluster.store.delete("Pod", "default", "crashy")  # in the cache, not flushed yet
        await settle()
        assert ("default", "crashy") not in inf.cache("Pod", None).objects
        seen = []
        inf.subscribe("Pod", None, lambda cache, diff: seen.append(diff), has_read=True)
        inf.flush()
        assert len(seen) == 1 and not seen[0].reset and seen[0].removed == {("default", "crashy")}
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["status"].update(podIP="10.0.0.9"))
        await settle()
        inf.flush()
        assert not seen[-1].reset and seen[-1].changed == {("default", "counter")}
        await inf.close()
    asyncio.run(main())


def test_namespace_scoped_subscription():
    async def main():
        cluster = small_cluster()
        inf = Informer(SimBackend(cluster), auto_flush=False)
        got = []
        inf.subscribe("Pod", "kube-system", lambda cache, diff: got.append(sorted(cache.objects)))
        await settle()
        inf.flush()
        assert got == [[("kube-system", "coredns-6f6b679f8f-x7zk2"), ("kube-system", "etcd-minikube")]]
        await inf.close()
    asyncio.run(main())


def test_auto_flush_delivers_soon_after_sync_and_coalesces():
    async def main():
        cluster = small_cluster()
        inf = Informer(SimBackend(cluster), interval=0.05)
        calls = []
        inf.subscribe("Pod", None, lambda cache, diff: calls.append(diff))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if calls:
                break
        assert calls and calls[0].synced
        for i in range(20):  # twenty writes in one burst
            cluster.store.mutate("Pod", "default", "counter", lambda p, i=i: p["metadata"]["labels"].update(n=str(i)))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if len(calls) > 1:
                break
        assert len(calls) == 2 and calls[1].changed == {("default", "counter")}
        await inf.close()
    asyncio.run(main())


class FlakyBackend:
    """A watch that breaks once, then works with one object gone."""

    def __init__(self):
        self.calls = 0

    async def watch(self, kind, namespace=None):
        self.calls += 1
        if self.calls == 1:
            yield Added(pod("a"))
            yield Added(pod("b"))
            yield Synced()
            raise ConnectionError("stream reset")
        yield Added(pod("a"))
        yield Synced()
        await asyncio.Event().wait()


def test_broken_watch_is_restarted_and_relisted():
    async def main():
        inf = Informer(FlakyBackend(), auto_flush=False, retry_delay=0)
        diffs = []
        inf.subscribe("Pod", None, lambda cache, diff: diffs.append(diff))
        await settle()
        await settle()
        inf.flush()
        cache = inf.cache("Pod", None)
        assert sorted(cache.objects) == [("default", "a")]
        assert cache.state == "connected"
        assert diffs[-1].added == {("default", "a")}  # b came and went before the flush
        await inf.close()
    asyncio.run(main())
